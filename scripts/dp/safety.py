"""Safety: cells a spreadsheet would run as formulas, and paths that leave the package."""
import re
from pathlib import PurePosixPath

from dp.report import Problem
from dp.tableschema import in_parallel

# OWASP CSV injection: a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PATTERN = "[" + re.escape("".join(FORMULA_START)) + "]"
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


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


def path_problems(descriptor):
    problems = []
    for resource in descriptor.get("resources", []):
        for key in ("path", "schema"):
            if key not in resource or isinstance(resource[key], dict):
                continue
            reason = unsafe_path_reason(resource[key])
            if reason:
                problems.append(Problem(str(resource.get("name")), "unsafe-path", f"{key} {resource[key]!r} {reason}", field=key))
    return problems


def injection_problems(tables):
    columns = [(table, field["name"]) for table in tables.values() for field in table.schema["fields"]
               if field.get("type", "string") == "string" and field["name"] in table.text.columns]
    risky = in_parallel(lambda column: column[0].text[column[1]].str.match(FORMULA_PATTERN), columns)
    problems = []
    for (table, name), mask in zip(columns, risky):
        column = table.text[name]
        for index in column.index[mask]:
            problems.append(table.problem(index, name, "csv-injection",
                                          f"{column[index][:20]!r} starts with {column[index][0]!r}, which spreadsheets run as a formula; reword the cell"))
    return problems
