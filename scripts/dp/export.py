"""Typed exports of the package's tables, built from their Table Schemas: one SQLite database and
one Parquet file per table.

    from dp.export import build_exports
    build_exports("datapackage.json", "dist")   # -> [Path of the .sqlite, Paths of the .parquet files]

Every value comes from the typed loader (dp.load), so a cell that does not fit its schema stops
the export. Types come from dp.load.TOOL_TYPES. In SQLite a missing value is NULL; a date is
ISO 8601 text (YYYY-MM-DD), which sorts and compares as dates do; required fields are NOT NULL,
unique ones UNIQUE, and the primary and foreign keys of the schemas are declared (a
self-reference included). The view `metrics_labelled` joins each metric to its indicator's
label and its place's name.
"""
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dp.load import arrow_schema, read_resource, tabular_resources, tool_types
from dp.package import read_descriptor
from dp.tableschema import as_list, is_required, is_unique, primary_key, referenced_resource, schema_of

LABELLED_METRICS_VIEW = """CREATE VIEW metrics_labelled AS
SELECT m.*, i.label AS indicator_label, p.name AS place_name
FROM metrics AS m
JOIN indicators AS i ON i.id = m.indicator
LEFT JOIN places AS p ON p.id = m.place"""


class ExportError(ValueError):
    """The tables cannot be exported as their schemas declare them (a key that does not hold)."""


def export_names(descriptor):
    """{"sqlite": file name, resource name: Parquet file name}, all tagged with the package version."""
    stem = f"{descriptor['name']}-{descriptor.get('version', 'unversioned')}"
    names = {"sqlite": f"{stem}.sqlite"}
    names.update({resource["name"]: f"{stem}-{resource['name']}.parquet" for resource in tabular_resources(descriptor)})
    return names


def export_files(descriptor_path, out_dir):
    """{file name: bytes} of the typed exports, built into out_dir (build_exports)."""
    return {path.name: path.read_bytes() for path in build_exports(descriptor_path, out_dir)}


def build_exports(descriptor_path, out_dir):
    """Write the SQLite database and the Parquet files of the package into out_dir; returns their paths.

    Everything is built in a temporary folder first: if a table does not load or a key does not hold,
    nothing in out_dir changes (LoadError or ExportError).
    """
    descriptor_path = Path(descriptor_path)
    descriptor = read_descriptor(descriptor_path)
    root = descriptor_path.parent
    tables = [(resource["name"], schema_of(resource, root), read_resource(resource, root))
              for resource in tabular_resources(descriptor)]
    names = export_names(descriptor)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=".export-"))
    try:
        write_sqlite(staging / names["sqlite"], tables)
        for name, schema, frame in tables:
            write_parquet(staging / names[name], name, schema, frame, descriptor)
        written = []
        for file_name in names.values():
            os.chmod(staging / file_name, 0o644)
            os.replace(staging / file_name, out_dir / file_name)
            written.append(out_dir / file_name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def column_values(series, field):
    """The cells of a typed column as Python values, None where missing; dates as datetime.date."""
    if field.get("type") == "date":
        series = series.dt.date
    return [None if pd.isna(value) else value for value in series.astype(object)]


def _sqlite_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def quoted(name):
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(name, schema):
    """CREATE TABLE for a Table Schema: declared types, NOT NULL, UNIQUE, primary and foreign keys."""
    lines = []
    for field in schema["fields"]:
        line = f"{quoted(field['name'])} {tool_types(field).sqlite}"
        if is_required(field, schema):
            line += " NOT NULL"
        if is_unique(field, schema) and primary_key(schema) != [field["name"]]:
            line += " UNIQUE"
        lines.append(line)
    if primary_key(schema):
        lines.append(f"PRIMARY KEY ({', '.join(map(quoted, primary_key(schema)))})")
    for key in schema.get("foreignKeys", []):
        target = referenced_resource(key, name)
        lines.append(f"FOREIGN KEY ({', '.join(map(quoted, as_list(key['fields'])))}) "
                     f"REFERENCES {quoted(target)} ({', '.join(map(quoted, as_list(key['reference']['fields'])))})")
    return f"CREATE TABLE {quoted(name)} (\n  " + ",\n  ".join(lines) + "\n)"


def write_sqlite(path, tables):
    connection = sqlite3.connect(path)
    try:
        with connection:
            for name, schema, _ in tables:
                connection.execute(create_table_sql(name, schema))
            for name, schema, frame in tables:
                _insert_rows(connection, name, schema, frame)
            connection.execute(LABELLED_METRICS_VIEW)
        _check_foreign_keys(connection, tables)
        connection.execute("VACUUM")
    finally:
        connection.close()


def _insert_rows(connection, name, schema, frame):
    fields = schema["fields"]
    columns = [[_sqlite_value(value) for value in column_values(frame[field["name"]], field)] for field in fields]
    rows = list(zip(*columns))
    at = {"row": 0}

    def numbered():
        for at["row"], row in enumerate(rows):
            yield row

    sql = f"INSERT INTO {quoted(name)} VALUES ({', '.join('?' * len(fields))})"
    try:
        connection.executemany(sql, numbered())
    except sqlite3.IntegrityError as err:
        raise ExportError(f"{name}: row {at['row'] + 2} breaks a key or constraint of its schema ({err})") from None


def _check_foreign_keys(connection, tables):
    """Every foreign key holds once all rows are in (a self-reference may point to a later row)."""
    keys = {name: primary_key(schema) for name, schema, _ in tables}
    dangling = []
    for table, rowid, parent, _ in connection.execute("PRAGMA foreign_key_check"):
        label = ", ".join(map(str, connection.execute(
            f"SELECT {', '.join(map(quoted, keys[table] or ['rowid']))} FROM {quoted(table)} WHERE rowid = ?", (rowid,)).fetchone()))
        dangling.append(f"{table} row {label} refers to a missing row of {parent}")
    if dangling:
        raise ExportError("foreign keys that do not hold: " + "; ".join(dangling))


def write_parquet(path, name, schema, frame, descriptor):
    arrow = arrow_schema(schema).with_metadata({
        "package": descriptor["name"], "version": str(descriptor.get("version", "")), "resource": name})
    columns = [pa.array(column_values(frame[field.name], schema_field), type=field.type)
               for field, schema_field in zip(arrow, schema["fields"])]
    pq.write_table(pa.Table.from_arrays(columns, schema=arrow), path)
