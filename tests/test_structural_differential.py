"""Our verdict against frictionless's on structural breaks: wherever frictionless says invalid, so do we.

tests/test_schema_rules.py compares the two on broken cells; here the breaks are in the shape of
a file or a descriptor: blank lines, dialects, headers, rows of the wrong length, empty files and
foreign keys to a resource that does not exist.
"""
import json
from pathlib import Path

import pytest
from frictionless import validate as frictionless_validate

from breakage import edit_descriptor, refresh
from dp.validate import validate_package


def edit_csv(name, change):
    def edit(descriptor_path):
        path = Path(descriptor_path).parent / "data" / f"{name}.csv"
        path.write_bytes(change(path.read_bytes()))
    return edit


def edit_resource(name, key, value):
    def edit(descriptor_path):
        edit_descriptor(descriptor_path, lambda d: next(r for r in d["resources"] if r["name"] == name).__setitem__(key, value))
    return edit


def edit_schema(name, change):
    def edit(descriptor_path):
        path = Path(descriptor_path).parent / "schemas" / f"{name}.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        change(schema)
        path.write_text(json.dumps(schema), encoding="utf-8")
    return edit


BREAKS = {
    "blank line": edit_csv("places", lambda b: b.replace(b"\nsyria", b"\n\nsyria")),
    "blank lines at the end": edit_csv("places", lambda b: b + b"\n\n"),
    "blank CRLF line": edit_csv("places", lambda b: b.replace(b"\nsyria", b"\n\r\nsyria")),
    "row of empty cells": edit_csv("places", lambda b: b.replace(b"\nsyria", b"\n,,,,,\nsyria")),
    "duplicate header": edit_csv("places", lambda b: b.replace(b"parent,note", b"parent,parent", 1)),
    "blank header label": edit_csv("places", lambda b: b.replace(b",note\n", b",\n", 1)),
    "renamed header": edit_csv("places", lambda b: b.replace(b"parent,note", b"parent,notes", 1)),
    "reordered header": edit_csv("places", lambda b: b.replace(b"parent,note", b"note,parent", 1)),
    "missing column": edit_csv("places", lambda b: b"\n".join(line.rsplit(b",", 1)[0] for line in b.split(b"\n"))),
    "empty file": edit_csv("places", lambda b: b""),
    "short row": edit_csv("places", lambda b: b.replace(b"iraq,Iraq,country,IRQ,,", b"iraq,Iraq,country,IRQ,")),
    "long row": edit_csv("places", lambda b: b.replace(b"iraq,Iraq,country,IRQ,,", b"iraq,Iraq,country,IRQ,,,")),
    "dialect without header": edit_resource("places", "dialect", {"header": False}),
    "dialect with another delimiter": edit_resource("places", "dialect", {"delimiter": ";"}),
    "dialect with another quote": edit_resource("places", "dialect", {"quoteChar": "'"}),
    "foreign key to a missing resource": edit_schema("metrics", lambda s: s["foreignKeys"][0]["reference"].__setitem__("resource", "nowhere")),
}


def verdicts(descriptor_path):
    """(frictionless says valid, we say valid); our release check aside, as every break edits released content."""
    refresh(descriptor_path)
    ours = [p for p in validate_package(descriptor_path) if p.rule != "released-version-changed"]
    return frictionless_validate(str(descriptor_path)).valid, not ours


@pytest.mark.parametrize("name", BREAKS)
def test_we_say_invalid_wherever_frictionless_does(package_copy, name):
    BREAKS[name](package_copy)
    theirs, ours = verdicts(package_copy)
    assert theirs is False, "the break no longer breaks the package for frictionless"
    assert ours is False


def test_rows_after_a_blank_line_keep_their_numbers_in_the_file(package_copy):
    edit_csv("places", lambda b: b.replace(b"\nsyria", b"\n\nsyria").replace(b"mosul,Mosul,city", b"mosul,Mosul,town"))(package_copy)
    lines = (package_copy.parent / "data" / "places.csv").read_bytes().split(b"\n")
    line = next(number for number, text in enumerate(lines, start=1) if text.startswith(b"mosul,"))
    refresh(package_copy)
    ours = {(p.rule, p.row) for p in validate_package(package_copy) if p.resource == "places"}
    report = frictionless_validate(str(package_copy))
    theirs = {(e.type, e.row_number) for t in report.tasks if t.name == "places" for e in t.errors}
    assert ("constraint-error", line) in theirs and ("blank-row", 3) in theirs
    assert ("enum", line) in ours and ("blank-row", 3) in ours
