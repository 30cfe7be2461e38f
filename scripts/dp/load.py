"""Typed pandas DataFrames of the package's tables, driven by their Table Schemas.

    from dp.load import load_resource, load_package
    metrics = load_resource("metrics")       # one table
    tables = load_package()                  # {resource name: DataFrame}

Each column gets the nullable pandas dtype of its Table Schema type (integer -> Int64,
number -> Float64, date -> datetime64, string -> string), and a field with an `enum`
constraint becomes a Categorical whose categories are the enum, in the schema's order.
A cell that does not parse as its type, or lies outside its enum, raises LoadError rather
than turning into NA silently.
"""
from pathlib import Path

import pandas as pd

from dp.package import DEFAULT_DESCRIPTOR, read_descriptor
from dp.tableschema import is_tabular, read_text_frame, schema_of, typed_frame


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
