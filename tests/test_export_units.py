"""dp.export on a small package of three tables: the SQL each Table Schema becomes, the rows and types
in SQLite and Parquet, the keys that must hold, the file names and what is left when an export fails."""
import datetime
import json
import sqlite3

import pandas as pd
import pyarrow.parquet as pq
import pytest

from dp import export
from dp.export import ExportError, build_exports, create_table_sql, export_names

INDICATORS = {"fields": [{"name": "id", "type": "string"}, {"name": "label", "type": "string", "constraints": {"unique": True}}],
              "primaryKey": ["id"]}
PLACES = {"fields": [{"name": "id", "type": "string"}, {"name": "name", "type": "string"},
                     {"name": "within", "type": "string"}],
          "primaryKey": "id", "foreignKeys": [{"fields": "within", "reference": {"resource": "", "fields": "id"}}]}
METRICS = {"fields": [
    {"name": "id", "type": "string", "description": "The metric."}, {"name": "indicator", "type": "string"},
    {"name": "place", "type": "string"}, {"name": "value", "type": "number", "constraints": {"required": True}},
    {"name": "count", "type": "integer"}, {"name": "date", "type": "date"}],
    "primaryKey": ["id"], "foreignKeys": [
        {"fields": ["indicator"], "reference": {"resource": "indicators", "fields": ["id"]}},
        {"fields": "place", "reference": {"resource": "places", "fields": "id"}}]}
CSV = {
    "indicators": "id,label\ncoalition_members,Members of the coalition\nfighters,Foreign fighters\n",
    "places": "id,name,within\nworld,The world,\niraq,Iraq,world\n",
    "metrics": "id,indicator,place,value,count,date\nm1,coalition_members,,68,68,2017-03-24\nm2,fighters,iraq,0.5,,\n",
}


def write_package(root, version="1.0.0", csv=None):
    root.mkdir(exist_ok=True)
    for name, text in dict(CSV, **(csv or {})).items():
        (root / f"{name}.csv").write_text(text, encoding="utf-8")
    (root / "metrics.schema.json").write_text(json.dumps(METRICS), encoding="utf-8")
    descriptor = {"name": "coalition", "resources": [
        {"name": "notes", "path": "notes.txt"},
        {"name": "indicators", "path": "indicators.csv", "schema": INDICATORS},
        {"name": "places", "path": "places.csv", "schema": PLACES},
        {"name": "metrics", "path": "metrics.csv", "schema": "metrics.schema.json"}]}
    if version:
        descriptor["version"] = version
    (root / "notes.txt").write_text("notes\n", encoding="utf-8")
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root / "datapackage.json"


@pytest.fixture
def small(tmp_path):
    return write_package(tmp_path / "pkg")


def test_export_files_are_named_after_the_package_version_and_each_table():
    descriptor = {"name": "p", "version": "2.1.0", "resources": [{"name": "t", "schema": {}}, {"name": "f", "path": "f"},
                                                                  {"name": "u", "type": "table"}]}
    assert export_names(descriptor) == {"sqlite": "p-2.1.0.sqlite", "t": "p-2.1.0-t.parquet", "u": "p-2.1.0-u.parquet"}
    assert export_names({"name": "p", "resources": []}) == {"sqlite": "p-unversioned.sqlite"}


def test_a_name_is_quoted_for_sql_with_its_quotes_doubled():
    assert export.quoted('a "b"') == '"a ""b"""'
    assert export.quoted("id") == '"id"'


def test_a_table_schema_becomes_a_create_table_with_its_keys():
    assert create_table_sql("metrics", METRICS) == (
        'CREATE TABLE "metrics" (\n'
        '  "id" TEXT NOT NULL,\n  "indicator" TEXT,\n  "place" TEXT,\n  "value" REAL NOT NULL,\n'
        '  "count" INTEGER,\n  "date" TEXT,\n'
        '  PRIMARY KEY ("id"),\n'
        '  FOREIGN KEY ("indicator") REFERENCES "indicators" ("id"),\n'
        '  FOREIGN KEY ("place") REFERENCES "places" ("id")\n)')
    assert create_table_sql("places", PLACES).endswith(
        '  PRIMARY KEY ("id"),\n  FOREIGN KEY ("within") REFERENCES "places" ("id")\n)')
    assert create_table_sql("indicators", INDICATORS) == (
        'CREATE TABLE "indicators" (\n  "id" TEXT NOT NULL,\n  "label" TEXT UNIQUE,\n  PRIMARY KEY ("id")\n)')


def test_a_composite_key_and_a_unique_key_field_are_declared():
    schema = {"fields": [{"name": "a", "type": "string", "constraints": {"unique": True}}, {"name": "b", "type": "boolean"},
                         {"name": "c", "type": "date", "constraints": {"required": True, "unique": True}}],
              "primaryKey": ["a", "b"],
              "foreignKeys": [{"fields": ["a", "b"], "reference": {"resource": "o", "fields": ["x", "y"]}}]}
    assert create_table_sql('t"1', schema) == (
        'CREATE TABLE "t""1" (\n  "a" TEXT NOT NULL UNIQUE,\n  "b" INTEGER NOT NULL,\n  "c" TEXT NOT NULL UNIQUE,\n'
        '  PRIMARY KEY ("a", "b"),\n  FOREIGN KEY ("a", "b") REFERENCES "o" ("x", "y")\n)')
    assert create_table_sql("t", {"fields": [{"name": "a", "type": "string", "constraints": {"unique": True}}],
                                  "primaryKey": "a"}) == 'CREATE TABLE "t" (\n  "a" TEXT NOT NULL,\n  PRIMARY KEY ("a")\n)'
    assert create_table_sql("t", {"fields": [{"name": "a", "type": "integer"}]}) == 'CREATE TABLE "t" (\n  "a" INTEGER\n)'


def test_cells_become_python_values_with_none_for_missing_and_dates_as_dates():
    dates = pd.Series(pd.to_datetime(["2017-03-24", None]))
    assert export.column_values(dates, {"type": "date"}) == [datetime.date(2017, 3, 24), None]
    assert export.column_values(pd.Series([1, None], dtype="Int64"), {"type": "integer"}) == [1, None]
    assert export.column_values(pd.Series(["a", None], dtype="string"), {}) == ["a", None]
    assert export._sqlite_value(datetime.date(2017, 3, 24)) == "2017-03-24"
    assert export._sqlite_value(1.5) == 1.5 and export._sqlite_value(None) is None


def test_the_database_holds_every_row_typed_and_the_labelled_view(small, tmp_path):
    written = build_exports(small, tmp_path / "out")
    assert [p.name for p in written] == ["coalition-1.0.0.sqlite", "coalition-1.0.0-indicators.parquet",
                                         "coalition-1.0.0-places.parquet", "coalition-1.0.0-metrics.parquet"]
    assert all(p.parent == tmp_path / "out" and p.stat().st_mode & 0o777 == 0o644 for p in written)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)
    connection = sqlite3.connect(written[0])
    try:
        assert connection.execute("SELECT id, indicator, place, value, count, date, typeof(value), typeof(count) "
                                  "FROM metrics ORDER BY id").fetchall() == [
            ("m1", "coalition_members", None, 68.0, 68, "2017-03-24", "real", "integer"),
            ("m2", "fighters", "iraq", 0.5, None, None, "real", "null")]
        assert connection.execute("SELECT id, indicator_label, place_name FROM metrics_labelled ORDER BY id").fetchall() == [
            ("m1", "Members of the coalition", None), ("m2", "Foreign fighters", "Iraq")]
        assert connection.execute("SELECT * FROM places").fetchall() == [("world", "The world", None), ("iraq", "Iraq", "world")]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()


def test_each_parquet_file_holds_its_table_typed_and_tagged(small, tmp_path):
    build_exports(small, tmp_path)
    table = pq.read_table(tmp_path / "coalition-1.0.0-metrics.parquet")
    assert table.to_pylist() == [
        {"id": "m1", "indicator": "coalition_members", "place": None, "value": 68.0, "count": 68, "date": datetime.date(2017, 3, 24)},
        {"id": "m2", "indicator": "fighters", "place": "iraq", "value": 0.5, "count": None, "date": None}]
    assert table.schema.metadata == {b"package": b"coalition", b"version": b"1.0.0", b"resource": b"metrics"}
    assert table.schema.field("id").metadata == {b"description": b"The metric."} and not table.schema.field("id").nullable


def test_an_unversioned_package_is_exported_as_unversioned(tmp_path):
    descriptor = write_package(tmp_path / "pkg", version=None)
    files = export.export_files(descriptor, tmp_path / "out")
    assert sorted(files) == ["coalition-unversioned-indicators.parquet", "coalition-unversioned-metrics.parquet",
                             "coalition-unversioned-places.parquet", "coalition-unversioned.sqlite"]
    assert files["coalition-unversioned.sqlite"].startswith(b"SQLite format 3\x00")
    assert pq.read_table(tmp_path / "out" / "coalition-unversioned-places.parquet").schema.metadata[b"version"] == b""


def test_the_database_is_compacted(small, tmp_path):
    path = build_exports(small, tmp_path)[0]
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA freelist_count").fetchone() == (0,)
    finally:
        connection.close()


def failed_export(root, tmp_path, **csv):
    descriptor = write_package(root, csv=csv)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "kept.txt").write_text("kept\n", encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        build_exports(descriptor, out)
    assert sorted(p.name for p in out.iterdir()) == ["kept.txt"]  # nothing written, the staging folder gone
    return str(caught.value)


def test_a_repeated_key_names_its_table_and_row_and_writes_nothing(tmp_path):
    message = failed_export(tmp_path / "a", tmp_path, indicators="id,label\nx,A\ny,B\nx,C\n")
    assert message == "indicators: row 4 breaks a key or constraint of its schema (UNIQUE constraint failed: indicators.id)"
    message = failed_export(tmp_path / "b", tmp_path, indicators="id,label\nx,A\ny,A\n")
    assert message == "indicators: row 3 breaks a key or constraint of its schema (UNIQUE constraint failed: indicators.label)"


def test_foreign_keys_that_do_not_hold_are_each_named_by_their_row(tmp_path):
    message = failed_export(tmp_path / "a", tmp_path,
                            places="id,name,within\nworld,The world,mars\niraq,Iraq,world\n",
                            metrics="id,indicator,place,value,count,date\nm1,nothing,,1,,\nm2,fighters,syria,2,,\n")
    assert message == ("foreign keys that do not hold: metrics row m1 refers to a missing row of indicators; "
                       "metrics row m2 refers to a missing row of places; places row world refers to a missing row of places")


def test_a_dangling_row_is_named_by_its_key_or_else_its_rowid():
    connection = sqlite3.connect(":memory:")
    connection.execute('CREATE TABLE "u" ("b" TEXT, "c" TEXT, PRIMARY KEY ("b", "c"))')
    connection.execute('CREATE TABLE "t" ("a" TEXT, "d" TEXT, FOREIGN KEY ("a", "d") REFERENCES "u" ("b", "c"))')
    connection.execute('CREATE TABLE "w" ("k" TEXT, "l" TEXT, "b" TEXT, "c" TEXT, PRIMARY KEY ("k", "l"), '
                       'FOREIGN KEY ("b", "c") REFERENCES "u" ("b", "c"))')
    connection.execute('INSERT INTO "u" VALUES (?, ?)', ("p", "q"))
    connection.executemany('INSERT INTO "t" VALUES (?, ?)', [("x", "y"), ("p", "q"), ("z", "z")])
    connection.executemany('INSERT INTO "w" VALUES (?, ?, ?, ?)', [("1", "2", "p", "q"), ("3", "4", "n", "n")])
    tables = [("u", {"fields": [], "primaryKey": ["b", "c"]}, None), ("t", {"fields": []}, None),
              ("w", {"fields": [], "primaryKey": ["k", "l"]}, None)]
    with pytest.raises(ExportError) as caught:
        export._check_foreign_keys(connection, tables)
    assert str(caught.value) == ("foreign keys that do not hold: w row 3, 4 refers to a missing row of u; "
                                 "t row 1 refers to a missing row of u; t row 3 refers to a missing row of u")
    connection.execute('DELETE FROM "t" WHERE a != ?', ("p",))
    connection.execute('DELETE FROM "w" WHERE k = ?', ("3",))
    assert export._check_foreign_keys(connection, tables) is None
    connection.close()


def test_a_cell_that_does_not_load_stops_the_export_before_anything_is_written(tmp_path):
    descriptor = write_package(tmp_path / "pkg", csv={"metrics": "id,indicator,place,value,count,date\nm1,fighters,,x,,\n"})
    with pytest.raises(ValueError) as caught:
        build_exports(descriptor, tmp_path / "out")
    assert str(caught.value) == "metrics.csv: cells that do not fit their schema's type or enum: row 2 value='x'"
    assert not (tmp_path / "out").exists()


def test_exports_replace_older_files_of_the_same_names(small, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "coalition-1.0.0.sqlite").write_bytes(b"old")
    build_exports(small, out)
    assert (out / "coalition-1.0.0.sqlite").read_bytes().startswith(b"SQLite format 3\x00")
    nested = build_exports(small, out / "a" / "b")
    assert nested[0] == out / "a" / "b" / "coalition-1.0.0.sqlite"


def test_exports_are_staged_in_a_hidden_folder_beside_them(small, tmp_path, monkeypatch):
    staged = []
    real_write_sqlite = export.write_sqlite
    monkeypatch.setattr(export, "write_sqlite", lambda path, tables: (staged.append(path), real_write_sqlite(path, tables)))
    build_exports(small, tmp_path / "out")
    [path] = staged
    assert path.name == "coalition-1.0.0.sqlite" and path.parent.parent == tmp_path / "out"
    assert path.parent.name.startswith(".export-") and not path.parent.exists()
