"""One row of the compatibility matrix, run with the Python of one tool's own environment.

Usage: python compat_probe.py TOOL DESCRIPTOR ZIP
TOOL is frictionless or datapackage (datapackage-py). Prints one JSON object:
{"version": ..., "repo": ..., "zip": ..., "typed": ...}, each cell "works" or the reason it does not.
This file imports nothing from this package: it runs where only the tool is installed.
"""
import datetime
import decimal
import json
import os
import sys
import traceback

PYTHON_TYPES = {"string": (str,), "number": (decimal.Decimal, float, int), "integer": (int,), "date": (datetime.date,)}
SHOWN = 3


def short(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def first(reasons):
    return "; ".join(short(reason, 150) for reason in reasons[:SHOWN]) + (f" (+{len(reasons) - SHOWN} more)" if len(reasons) > SHOWN else "")


# frictionless-py, 4.x and 5.x

def frictionless_errors(report):
    errors = list(report.errors) + [error for task in report.tasks for error in task.errors]
    return [f"{getattr(error, 'type', None) or getattr(error, 'code', '?')}: {error.message}" for error in errors]


def frictionless_validate(source):
    from frictionless import validate
    report = validate(source, type="package")
    return "works" if report.valid else "invalid: " + first(frictionless_errors(report))


def tables_of(descriptor):
    with open(descriptor, encoding="utf-8") as handle:
        return [resource["name"] for resource in json.load(handle)["resources"] if "schema" in resource]


def frictionless_rows(descriptor):
    from frictionless import Package
    package = Package(descriptor)
    for name in tables_of(descriptor):
        resource = package.get_resource(name)
        schema = {field.name: field.type for field in resource.schema.fields}
        rows = resource.read_rows()
        for row in rows:  # a cell that does not parse is read as None: count it as failing
            if not row.valid:
                raise ValueError(f"{name} row {row.row_number}: {row.errors[0].message}")
        yield resource.name, schema, [row.to_dict() for row in rows]


# datapackage-py

def datapackage_open(source):
    from datapackage import Package
    package = Package(source, strict=True)
    if not package.valid:
        return None, "invalid: " + first([str(error) for error in package.errors])
    for resource in package.resources:
        if resource.tabular:
            resource.read(keyed=True, relations=True, integrity=True)
    return package, "works"


def datapackage_validate(source):
    return datapackage_open(source)[1]


def datapackage_rows(descriptor):
    package, verdict = datapackage_open(descriptor)
    if package is None:
        raise ValueError(verdict)
    for resource in package.resources:
        if resource.tabular:
            schema = {field.name: field.type for field in resource.schema.fields}
            yield resource.name, schema, resource.read(keyed=True)


# both

def typed(rows):
    """works when every present cell of every table has the Python type its schema type calls for."""
    wrong, tables = [], 0
    for name, schema, records in rows:
        tables += 1
        for number, record in enumerate(records, start=2):
            for field, value in record.items():
                expected = PYTHON_TYPES.get(schema.get(field))
                if value is not None and expected and not isinstance(value, expected):
                    wrong.append(f"{name} row {number} {field}: {type(value).__name__} for {schema[field]}")
    if not tables:
        return "reads no table"
    return "works" if not wrong else "wrong types: " + first(wrong)


TOOLS = {
    "frictionless": ("frictionless", frictionless_validate, frictionless_rows),
    "datapackage": ("datapackage", datapackage_validate, datapackage_rows),
}


def cell(function, *args):
    try:
        return function(*args)
    except Exception as err:  # a tool that raises on the package: its message is the cell
        last = traceback.extract_tb(err.__traceback__)[-1]
        return f"fails: {type(err).__name__}: {short(err, 200)} (at {last.name})"


def in_folder(function, path):
    """function(name of path) run in path's folder: the way a user points a tool at a file, and frictionless
    5 refuses an absolute path as unsafe."""
    folder, name = os.path.split(os.path.abspath(path))
    here = os.getcwd()
    os.chdir(folder)
    try:
        return function(name)
    finally:
        os.chdir(here)


def main(tool, descriptor, zip_path):
    module_name, validate, rows = TOOLS[tool]
    from importlib.metadata import version
    result = {
        "version": version(module_name),
        "repo": cell(in_folder, validate, descriptor),
        "zip": cell(in_folder, validate, zip_path),
        "typed": cell(in_folder, lambda name: typed(rows(name)), descriptor),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:4])
