"""Typed pandas DataFrames of the package's tables, driven by their Table Schemas.

    from dp.load import load_resource, load_package
    metrics = load_resource("metrics")       # one table
    tables = load_package()                  # {resource name: DataFrame}

Each column gets the nullable pandas dtype of its Table Schema type (integer -> Int64,
number -> Float64, date -> datetime64, string -> string), and a field with an `enum`
constraint becomes a Categorical whose categories are the enum, in the schema's order.
A cell that does not parse as its type, or lies outside its enum, raises LoadError rather
than turning into NA silently.

The same schemas type the CSVs in other tools, which otherwise guess (and take `value` for an
integer, because every current value is whole):

    duckdb.read_csv("data/metrics.csv", dtype=duckdb_types("metrics"))
    polars.read_csv("data/metrics.csv", schema_overrides=polars_schema("metrics"))
    pyarrow.csv.read_csv("data/metrics.csv", convert_options=arrow_convert_options("metrics"),
                         parse_options=pyarrow.csv.ParseOptions(newlines_in_values=True))

(Without newlines_in_values, pyarrow may split a quoted cell's line breaks into rows of their own
in a file of over 1 MB.)
"""
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv

from dp.package import DEFAULT_DESCRIPTOR, read_descriptor
from dp.tableschema import is_required, is_tabular, read_text_frame, schema_of, typed_frame


@dataclass(frozen=True)
class ToolTypes:
    """What one Table Schema type is called in each tool the package hands types to."""

    sqlite: str  # declared column type; SQLite has no date type, so dates are ISO 8601 text
    arrow: pa.DataType  # Arrow, and so Parquet
    duckdb: str
    polars: str  # the name of the polars data type


# The one place that maps Table Schema types to other tools' types (pandas: dp.tableschema.PANDAS_DTYPES).
TOOL_TYPES = {
    "string": ToolTypes("TEXT", pa.string(), "VARCHAR", "String"),
    "number": ToolTypes("REAL", pa.float64(), "DOUBLE", "Float64"),
    "integer": ToolTypes("INTEGER", pa.int64(), "BIGINT", "Int64"),
    "date": ToolTypes("TEXT", pa.date32(), "DATE", "Date"),
    "boolean": ToolTypes("INTEGER", pa.bool_(), "BOOLEAN", "Boolean"),
}


class LoadError(ValueError):
    """A table holds cells that do not fit the type or enum their schema gives them."""


def tabular_resources(descriptor):
    return [resource for resource in descriptor["resources"] if is_tabular(resource)]


def resource_entry(descriptor, name):
    for resource in tabular_resources(descriptor):
        if resource["name"] == name:
            return resource
    known = ", ".join(resource["name"] for resource in tabular_resources(descriptor))
    raise KeyError(f"no tabular resource {name!r} in the package; known: {known}")


def enum_dtypes(schema):
    """{field name: CategoricalDtype} for every field whose values are limited by an enum."""
    return {
        field["name"]: pd.CategoricalDtype(field["constraints"]["enum"])
        for field in schema["fields"]
        if "enum" in field.get("constraints", {})
    }


def _bad_cells(text, masks):
    return [f"row {index + 2} {name}={text.at[index, name]!r}"
            for name, mask in masks.items() for index in mask[mask].index]


def read_resource(resource, root):
    """The typed DataFrame of one resource entry; root is the folder of datapackage.json."""
    schema = schema_of(resource, root)
    text = read_text_frame(Path(root) / resource["path"])
    typed, unparsable = typed_frame(text, schema)
    enums = enum_dtypes(schema)
    outside_enum = {name: typed[name].notna() & ~typed[name].isin(dtype.categories) for name, dtype in enums.items()}
    bad = _bad_cells(text, unparsable) + _bad_cells(text, outside_enum)
    if bad:
        raise LoadError(f"{resource['path']}: cells that do not fit their schema's type or enum: {'; '.join(bad)}")
    return typed.astype(enums)


def load_resource(name, descriptor_path=DEFAULT_DESCRIPTOR):
    """The typed DataFrame of the tabular resource called name."""
    descriptor = read_descriptor(descriptor_path)
    return read_resource(resource_entry(descriptor, name), Path(descriptor_path).parent)


def load_package(descriptor_path=DEFAULT_DESCRIPTOR):
    """{resource name: typed DataFrame} for every tabular resource, in descriptor order."""
    descriptor = read_descriptor(descriptor_path)
    root = Path(descriptor_path).parent
    return {resource["name"]: read_resource(resource, root) for resource in tabular_resources(descriptor)}


def tool_types(field):
    """The ToolTypes of a Table Schema field; LoadError for a type the package does not map."""
    kind = field.get("type", "string")
    if kind not in TOOL_TYPES:
        raise LoadError(f"field {field['name']!r} has type {kind!r}; types other tools can be given: {', '.join(TOOL_TYPES)}")
    return TOOL_TYPES[kind]


def table_schema(name, descriptor_path=DEFAULT_DESCRIPTOR):
    """The Table Schema of the tabular resource called name."""
    return schema_of(resource_entry(read_descriptor(descriptor_path), name), Path(descriptor_path).parent)


def duckdb_types(name, descriptor_path=DEFAULT_DESCRIPTOR):
    """{column: DuckDB type} for read_csv(..., types=...) (SQL) or duckdb.read_csv(..., dtype=...)."""
    return {field["name"]: tool_types(field).duckdb for field in table_schema(name, descriptor_path)["fields"]}


def polars_schema(name, descriptor_path=DEFAULT_DESCRIPTOR):
    """{column: polars data type} for polars.read_csv(..., schema_overrides=...)."""
    import polars  # only for this helper: polars is not needed to validate or load the package

    return {field["name"]: getattr(polars, tool_types(field).polars) for field in table_schema(name, descriptor_path)["fields"]}


def arrow_schema(schema):
    """The Arrow schema of a Table Schema: its types, and no nulls in required fields."""
    return pa.schema([pa.field(field["name"], tool_types(field).arrow, nullable=not is_required(field, schema),
                               metadata={"description": field.get("description", "")})
                      for field in schema["fields"]])


def arrow_convert_options(name, descriptor_path=DEFAULT_DESCRIPTOR):
    """pyarrow.csv.ConvertOptions that type every column by its schema and read its missing values as null."""
    schema = table_schema(name, descriptor_path)
    return pyarrow.csv.ConvertOptions(
        column_types={field.name: field.type for field in arrow_schema(schema)},
        null_values=schema.get("missingValues", [""]), strings_can_be_null=True)
