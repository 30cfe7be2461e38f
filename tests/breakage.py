"""Ways to break a copy of the package, one rule at a time, keeping bytes and hashes current."""
import csv
import io
import json
from pathlib import Path

from dp.package import atomic_write, dump_json, refresh_integrity


def read_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path, rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    Path(path).write_text(buffer.getvalue(), encoding="utf-8", newline="")


def refresh(descriptor_path):
    """Refresh bytes and hashes so that only the rule a test breaks fails."""
    descriptor = json.loads(Path(descriptor_path).read_text(encoding="utf-8"))
    atomic_write(descriptor_path, dump_json(refresh_integrity(descriptor, Path(descriptor_path).parent)))


def set_cell(descriptor_path, resource, row_id, field, value):
    """Set one cell of data/<resource>.csv; returns the row's line number in the file (header = 1)."""
    path = Path(descriptor_path).parent / "data" / f"{resource}.csv"
    rows = read_rows(path)
    column = rows[0].index(field)
    line = next(i for i, row in enumerate(rows) if row[0] == row_id)
    rows[line][column] = value
    write_rows(path, rows)
    refresh(descriptor_path)
    return line + 1


def delete_row(descriptor_path, resource, row_id):
    path = Path(descriptor_path).parent / "data" / f"{resource}.csv"
    write_rows(path, [row for row in read_rows(path) if row[0] != row_id])
    refresh(descriptor_path)


def edit_descriptor(descriptor_path, change):
    descriptor = json.loads(Path(descriptor_path).read_text(encoding="utf-8"))
    change(descriptor)
    Path(descriptor_path).write_text(dump_json(descriptor), encoding="utf-8")
