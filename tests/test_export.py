"""The typed exports: the SQLite database and the Parquet files hold every cell of the CSVs, typed
by the Table Schemas, with NULL for missing values and the schemas' keys."""
import sqlite3

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from breakage import set_cell
from conftest import ROOT, run_script
from dp.export import ExportError, build_exports, export_names
from dp.load import load_resource, tabular_resources
from dp.package import read_json
from dp.tableschema import primary_key, schema_of

DESCRIPTOR = read_json(ROOT / "datapackage.json")
TABLES = tabular_resources(DESCRIPTOR)
# What the issue asks for each Table Schema type.
ARROW_TYPES = {"string": pa.string(), "number": pa.float64(), "integer": pa.int64(), "date": pa.date32()}
SQLITE_STORAGE = {"string": "text", "number": "real", "integer": "integer", "date": "text"}


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    paths = build_exports(ROOT / "datapackage.json", out)
    return out, paths


@pytest.fixture(scope="module")
def database(exports):
    out, _ = exports
    connection = sqlite3.connect(out / export_names(DESCRIPTOR)["sqlite"])
    yield connection
    connection.close()


def expected_cells(resource, field):
    """The typed loader's cells of one column, as Python values: None where the CSV cell is missing."""
    column = load_resource(resource["name"])[field["name"]]
    cells = []
    for value in column.astype(object):
        if pd.isna(value):
            cells.append(None)
        elif field["type"] == "date":
            cells.append(value.date())
        elif field["type"] == "number":
            cells.append(float(value))
        elif field["type"] == "integer":
            cells.append(int(value))
        else:
            cells.append(str(value))
    return cells


def fields_of(resource):
    return schema_of(resource, ROOT)["fields"]


def test_build_exports_writes_one_database_and_a_parquet_file_per_table(exports):
    out, paths = exports
    assert sorted(path.name for path in paths) == sorted(export_names(DESCRIPTOR).values())
    assert len(paths) == 1 + len(TABLES)
    assert all(path.parent == out and path.stat().st_mode & 0o777 == 0o644 for path in paths)
    assert [path.name for path in out.iterdir() if path.name.startswith(".")] == []


# SQLite

@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_sqlite_holds_every_cell_typed(database, resource):
    names = [field["name"] for field in fields_of(resource)]
    selected = ", ".join(f'"{name}", typeof("{name}")' for name in names)
    rows = database.execute(f'SELECT {selected} FROM "{resource["name"]}" ORDER BY rowid').fetchall()
    for position, field in enumerate(fields_of(resource)):
        values = [row[2 * position] for row in rows]
        storage = [row[2 * position + 1] for row in rows]
        expected = expected_cells(resource, field)
        if field["type"] == "date":
            expected = [None if day is None else day.isoformat() for day in expected]
        assert values == expected, (resource["name"], field["name"])
        assert storage == ["null" if value is None else SQLITE_STORAGE[field["type"]] for value in expected], field["name"]


def test_sqlite_answers_value_over_1000_with_5_rows(database):
    assert database.execute("SELECT count(*) FROM metrics WHERE value > 1000").fetchone() == (5,)


def test_sqlite_declares_the_schemas_keys_and_they_hold(database):
    assert database.execute("PRAGMA foreign_key_check").fetchall() == []
    for resource in TABLES:
        schema = schema_of(resource, ROOT)
        columns = database.execute(f'PRAGMA table_info("{resource["name"]}")').fetchall()
        assert [column[1] for column in columns if column[5]] == primary_key(schema)
        declared = {(row[3], row[2], row[4]) for row in database.execute(f'PRAGMA foreign_key_list("{resource["name"]}")')}
        expected = {(key["fields"][0], key["reference"]["resource"] or resource["name"], key["reference"]["fields"][0])
                    for key in schema.get("foreignKeys", [])}
        assert declared == expected, resource["name"]
    assert ("parent", "places", "id") in {(r[3], r[2], r[4]) for r in database.execute('PRAGMA foreign_key_list("places")')}


def test_sqlite_view_joins_metrics_to_indicator_labels_and_place_names(database):
    rows = database.execute("SELECT id, indicator_label, place_name FROM metrics_labelled ORDER BY id").fetchall()
    metrics = load_resource("metrics")
    labels = load_resource("indicators").set_index("id")["label"]
    places = load_resource("places").set_index("id")["name"]
    assert rows == [(row.id, labels[row.indicator], None if pd.isna(row.place) else places[row.place])
                    for row in metrics.sort_values("id").itertuples()]


def test_a_key_that_does_not_hold_stops_the_export_and_writes_nothing(package_copy, tmp_path):
    set_cell(package_copy, "places", "mosul", "parent", "nineveh")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ExportError, match="places row mosul refers to a missing row of places"):
        build_exports(package_copy, out)
    assert list(out.iterdir()) == []


# Parquet

@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_parquet_has_the_schemas_types_and_every_cell(exports, resource):
    out, _ = exports
    table = pq.read_table(out / export_names(DESCRIPTOR)[resource["name"]])
    assert table.column_names == [field["name"] for field in fields_of(resource)]
    for field in fields_of(resource):
        assert table.schema.field(field["name"]).type == ARROW_TYPES[field["type"]], field["name"]
        assert table.column(field["name"]).to_pylist() == expected_cells(resource, field), field["name"]


# The command line

def test_cli_writes_the_exports_and_refuses_a_missing_package(tmp_path):
    written = run_script("export.py", tmp_path / "out")
    assert written.returncode == 0 and written.stderr == ""
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == sorted(export_names(DESCRIPTOR).values())
    missing = run_script("export.py", tmp_path / "out2", "--descriptor", tmp_path / "none" / "datapackage.json")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr and "file not found" in missing.stderr
