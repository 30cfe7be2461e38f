"""The ways the README loads the package, each run on every tabular resource.

1. plain pandas.read_csv; 2. dp.load, typed by the Table Schemas; 3. frictionless
Package(...).get_resource(...).to_pandas(); 4. DuckDB SQL straight over the CSVs;
5. DuckDB, polars and pyarrow given the schemas' types by dp.load.
"""
import csv
import re
import subprocess
import sys

import duckdb
import pandas as pd
import polars
import pyarrow as pa
import pyarrow.csv
import pytest
from frictionless import Package

from conftest import ROOT
from dp.load import (LoadError, arrow_convert_options, duckdb_types, load_package, load_resource, polars_schema,
                     schema_of, tabular_resources)
from dp.package import read_json

DESCRIPTOR_PATH = ROOT / "datapackage.json"
README = ROOT / "README.md"
TABLES = tabular_resources(read_json(DESCRIPTOR_PATH))
NUMERIC = ("number", "integer")

# The README's DuckDB example, run from the package root; {root} lets the test run from anywhere.
JOIN_QUERY = """
SELECT m.id, i.label, p.name AS place, m.qualifier, m.value, m.lower_bound, m.upper_bound, m.unit
FROM read_csv('{root}/data/metrics.csv') AS m
JOIN read_csv('{root}/data/indicators.csv') AS i ON i.id = m.indicator
LEFT JOIN read_csv('{root}/data/places.csv') AS p ON p.id = m.place
ORDER BY m.id
"""


def fields_of(resource):
    return schema_of(resource, ROOT)["fields"]


def csv_rows(resource):
    """The data rows of a CSV as the csv module reads them: the count a loader must reproduce."""
    with open(ROOT / resource["path"], newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def assert_same_values(actual, expected, field):
    """A column from another loader holds the typed loader's values, NA in the same cells."""
    actual, expected = actual.reset_index(drop=True), expected.reset_index(drop=True)
    assert actual.isna().tolist() == expected.isna().tolist(), field["name"]
    present = expected.notna()
    if field["type"] in NUMERIC:
        assert actual[present].astype(float).tolist() == expected[present].astype(float).tolist(), field["name"]
    elif field["type"] == "date":
        assert pd.to_datetime(actual[present]).tolist() == expected[present].tolist(), field["name"]
    else:
        assert actual[present].astype(str).tolist() == expected[present].astype(str).tolist(), field["name"]


@pytest.fixture(scope="module")
def frictionless_package():
    return Package(str(DESCRIPTOR_PATH))


# 1. plain pandas.read_csv

@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_plain_read_csv_gives_the_typed_values(resource):
    dates = [field["name"] for field in fields_of(resource) if field["type"] == "date"]
    frame = pd.read_csv(ROOT / resource["path"], parse_dates=dates, date_format="%Y-%m-%d")
    typed = load_resource(resource["name"])
    assert len(frame) == len(csv_rows(resource))
    for field in fields_of(resource):
        if field["type"] in NUMERIC:
            assert pd.api.types.is_numeric_dtype(frame[field["name"]]), field["name"]
        assert_same_values(frame[field["name"]], typed[field["name"]], field)


# 2. the schema-driven loader

def expected_dtype_check(field):
    if "enum" in field.get("constraints", {}):
        return lambda dtype: isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == field["constraints"]["enum"]
    return {
        "integer": lambda dtype: isinstance(dtype, pd.Int64Dtype),
        "number": lambda dtype: isinstance(dtype, pd.Float64Dtype),
        "date": pd.api.types.is_datetime64_dtype,
        "string": lambda dtype: isinstance(dtype, pd.StringDtype),
    }[field["type"]]


@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_loader_types_every_column_by_its_schema(resource):
    frame = load_resource(resource["name"])
    assert list(frame.columns) == [field["name"] for field in fields_of(resource)]
    assert len(frame) == len(csv_rows(resource))
    for field in fields_of(resource):
        assert expected_dtype_check(field)(frame[field["name"]].dtype), (field["name"], frame[field["name"]].dtype)


@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_loader_keeps_every_cell(resource):
    """Each non-empty cell comes back as a value, each empty one as NA: nothing lost in typing."""
    frame = load_resource(resource["name"])
    rows = csv_rows(resource)
    for field in fields_of(resource):
        assert frame[field["name"]].notna().tolist() == [row[field["name"]] != "" for row in rows], field["name"]


def test_load_package_gives_every_table():
    tables = load_package()
    assert list(tables) == [resource["name"] for resource in TABLES]
    metrics = tables["metrics"]
    assert metrics.loc[metrics["id"] == "m008", "value"].isna().all()  # 'tens of thousands': no point value
    assert metrics["as_of"].min() == pd.Timestamp("2017-03-22")


def replace_in_file(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_loader_refuses_a_cell_that_does_not_parse(package_copy):
    replace_in_file(package_copy.parent / "data" / "metrics.csv", "68,count", "sixty-eight,count")
    with pytest.raises(LoadError, match=r"row 2 value='sixty-eight'"):
        load_resource("metrics", package_copy)


def test_loader_refuses_a_value_outside_the_enum(package_copy):
    replace_in_file(package_copy.parent / "data" / "metrics.csv", ",more_than,9000", ",about,9000")
    with pytest.raises(LoadError, match=r"row 4 qualifier='about'"):
        load_resource("metrics", package_copy)


def test_loader_names_the_known_tables():
    with pytest.raises(KeyError, match="known: sources"):
        load_resource("no_such_table")


# 3. frictionless

@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_frictionless_to_pandas_gives_the_typed_values(frictionless_package, resource):
    frame = frictionless_package.get_resource(resource["name"]).to_pandas().reset_index()
    typed = load_resource(resource["name"])
    assert sorted(frame.columns) == sorted(field["name"] for field in fields_of(resource))
    for field in fields_of(resource):
        assert_same_values(frame[field["name"]], typed[field["name"]], field)


# 4. DuckDB

DUCKDB_TYPES = {  # the DuckDB column types a Table Schema type may be sniffed as
    "string": {"VARCHAR"},
    "integer": {"TINYINT", "SMALLINT", "INTEGER", "BIGINT"},
    "number": {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "DOUBLE", "FLOAT"},
    "date": {"DATE"},
}


@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_duckdb_reads_every_csv_with_compatible_types(resource):
    relation = duckdb.sql(f"SELECT * FROM read_csv('{ROOT / resource['path']}')")
    assert relation.columns == [field["name"] for field in fields_of(resource)]
    for field, sniffed in zip(fields_of(resource), relation.types):
        assert str(sniffed) in DUCKDB_TYPES[field["type"]], (field["name"], str(sniffed))
    typed = load_resource(resource["name"])
    frame = relation.df()
    for field in fields_of(resource):
        assert_same_values(frame[field["name"]], typed[field["name"]], field)


def test_duckdb_joins_metrics_to_indicators_and_places():
    rows = duckdb.sql(JOIN_QUERY.format(root=ROOT)).fetchall()
    metrics = load_resource("metrics")
    labels = load_resource("indicators").set_index("id")["label"]
    places = load_resource("places").set_index("id")["name"]
    expected = [
        (row.id, labels[row.indicator], None if pd.isna(row.place) else places[row.place])
        for row in metrics.sort_values("id").itertuples()
    ]
    assert [row[:3] for row in rows] == expected
    assert len(rows) == 12
    hedged = {row[0]: row[3] for row in rows if row[3] != "exact"}
    assert hedged["m008"] == "order_of_magnitude" and hedged["m010"] == "nearly"


# 5. Other tools, given the schemas' types: without them DuckDB, polars and pyarrow read the
# whole-numbered `value` and bounds as integers, and polars leaves dates as text.

TOOL_TYPES = {  # what each tool must report for each Table Schema type
    "duckdb": {"string": "VARCHAR", "number": "DOUBLE", "integer": "BIGINT", "date": "DATE"},
    "polars": {"string": polars.String, "number": polars.Float64, "integer": polars.Int64, "date": polars.Date},
    "pyarrow": {"string": pa.string(), "number": pa.float64(), "integer": pa.int64(), "date": pa.date32()},
}


def read_with(tool, resource):
    """(column names, column types, pandas frame) of one CSV read by tool with the schema's types."""
    path = str(ROOT / resource["path"])
    if tool == "duckdb":
        relation = duckdb.read_csv(path, dtype=duckdb_types(resource["name"]))
        return relation.columns, [str(kind) for kind in relation.types], relation.df()
    if tool == "polars":
        frame = polars.read_csv(path, schema_overrides=polars_schema(resource["name"]))
        return frame.columns, frame.dtypes, frame.to_pandas()
    table = pyarrow.csv.read_csv(path, convert_options=arrow_convert_options(resource["name"]),
                                 parse_options=pyarrow.csv.ParseOptions(newlines_in_values=True))
    return table.column_names, table.schema.types, table.to_pandas()


@pytest.mark.parametrize("tool", TOOL_TYPES)
@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_other_tools_read_every_column_with_its_schema_type(tool, resource):
    columns, types, frame = read_with(tool, resource)
    assert columns == [field["name"] for field in fields_of(resource)]
    assert types == [TOOL_TYPES[tool][field["type"]] for field in fields_of(resource)]
    typed = load_resource(resource["name"])
    for field in fields_of(resource):
        assert_same_values(frame[field["name"]], typed[field["name"]], field)


def test_duckdb_sql_takes_the_types_too():
    types = duckdb_types("metrics")
    query = f"SELECT typeof(value), typeof(as_of), count(*) FILTER (value > 1000) OVER () FROM read_csv('{ROOT}/data/metrics.csv', types={types}) LIMIT 1"
    assert duckdb.sql(query).fetchall() == [("DOUBLE", "DATE", 5)]


# The README's examples, as a reader would paste them

README_PATHS = {"pandas": "pd.read_csv(", "loader": "load_resource(", "frictionless": ".to_pandas()", "duckdb": "duckdb.sql("}


def python_blocks(markdown):
    return re.findall(r"```python\n(.*?)```", markdown, re.DOTALL)


def test_readme_shows_and_runs_each_loading_path():
    assert README.exists(), "README.md is missing"
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    for path, call in README_PATHS.items():
        assert any(call in block for block in blocks), f"README shows no {path} example ({call})"
    for block in blocks:
        result = subprocess.run([sys.executable, "-c", block], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, f"README example failed:\n{block}\n{result.stderr[-2000:]}"
