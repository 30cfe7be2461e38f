"""Safety: cells a spreadsheet would run as formulas, paths that leave the package, and references
that would make a tool fetch or read something from elsewhere."""
import re
from pathlib import PurePosixPath

from dp.report import Problem
from dp.tableschema import in_parallel, starts_with_one_of

# OWASP CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

# The JSON Schema profiles of the Data Package standard, which frictionless has built in and
# never fetches; any other `$schema` or `profile` would be retrieved (a URL over the network, a
# path from the working directory), so it is refused before frictionless sees the descriptor.
STANDARD_SCHEMAS = {
    f"https://datapackage.org/profiles/{version}/{name}.json"
    for version in ("1.0", "2.0") for name in ("datapackage", "dataresource", "tableschema", "tabledialect")
}
PACKAGE_PROFILES = {"data-package", "tabular-data-package"}
RESOURCE_PROFILES = {"data-resource", "tabular-data-resource"}


def unsafe_path_reason(path):
    if not isinstance(path, str) or not path:
        return "is not a relative file path"
    if URL.match(path):
        return "is a URL; every file must be inside the package"
    if path.startswith(("/", "\\")):
        return "is absolute; use a path relative to datapackage.json"
    if ".." in PurePosixPath(path.replace("\\", "/")).parts:
        return "contains '..'; every file must be inside the package"
    return None


def path_problems(resources):
    """unsafe-path for each resource's path, schema or dialect that leaves the package; resources: {name: resource}."""
    problems = []
    for name, resource in resources.items():
        for key in ("path", "schema", "dialect"):
            if key not in resource or isinstance(resource[key], dict) or (key != "path" and resource[key] is None):
                continue
            reason = unsafe_path_reason(resource[key])
            if reason and not (key != "path" and isinstance(resource[key], str) and URL.match(resource[key])):  # a URL: remote-reference
                problems.append(Problem(name, "unsafe-path", f"{key} {_short(resource[key])} {reason}", field=key))
    return problems


def reference_problems(descriptor):
    """remote-reference for every profile, $schema, schema or dialect that a tool would fetch or read from elsewhere."""
    problems = _profile_problems("datapackage.json", descriptor, PACKAGE_PROFILES)
    for resource in descriptor.get("resources", []):
        if not isinstance(resource, dict):
            continue
        name = str(resource.get("name"))
        problems += _profile_problems(name, resource, RESOURCE_PROFILES)
        for key in ("schema", "dialect"):
            value = resource.get(key)
            if isinstance(value, str) and URL.match(value):
                problems.append(Problem(name, "remote-reference", f"{key} {_short(value)} is a URL; the gate fetches nothing, give it as a file in the package", field=key))
            elif isinstance(value, dict):
                problems += _profile_problems(name, value, set(), key)
    return problems


def _profile_problems(name, entry, profiles, within=None):
    problems = []
    for key in ("$schema", "profile"):
        value = entry.get(key)
        if key not in entry or (isinstance(value, str) and value in (STANDARD_SCHEMAS if key == "$schema" else profiles)):
            continue
        where = f"{within} {key}" if within else key
        problems.append(Problem(name, "remote-reference", f"{where} {_short(value)} is not a standard Data Package profile "
                                f"({', '.join(sorted(profiles)) or 'a datapackage.org/profiles URL'}); the gate fetches and reads no other", field=key))
    return problems


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def injection_problems(tables):
    columns = [(table, field["name"]) for table in tables.values() for field in table.schema["fields"]
               if field.get("type", "string") == "string" and field["name"] in table.text.columns]
    risky = in_parallel(lambda column: starts_with_one_of(column[0].text[column[1]], FORMULA_START), columns,
                        max((len(table.text) for table in tables.values()), default=0))
    problems = []
    for (table, name), mask in zip(columns, risky):
        if not mask.any():
            continue
        column = table.text[name]
        for index in column.index[mask]:
            problems.append(table.problem(index, name, "csv-injection",
                                          f"{column[index][:20]!r} starts with {column[index][0]!r}, which spreadsheets run as a formula; reword the cell"))
    return problems
