"""The data dictionary (dp/dictionary.py), rendered from small packages written here."""
import json

import pandas as pd
import pytest

from dp.dictionary import (cell, code, constraint_summary, example_values, field_row, key_lines, markdown_table,
                           render_dictionary, resource_section, shorten)

PLACES_SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"pattern": "[a-z]+"}},
        {"name": "name", "constraints": {"required": True, "minLength": 1}, "description": "English name"},
        {"name": "parent", "description": "Parent place, in this table."},
        {"name": "extra", "type": "string"},
    ],
    "primaryKey": "id",
    "foreignKeys": [{"fields": "parent", "reference": {"resource": "", "fields": "id"}}],
}
COUNTS_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"unique": True, "minimum": 0, "maximum": 10}},
        {"name": "place", "constraints": {"enum": ["x", "y"]}},
        {"name": "note", "type": "string", "constraints": {"minLength": 2, "maxLength": 50}, "description": "A note\nover lines"},
    ],
    "primaryKey": ["id", "place"],
    "foreignKeys": [{"fields": ["place"], "reference": {"resource": "places", "fields": ["id"]}}],
    "missingValues": ["", "NA"],
}
DESCRIPTOR = {
    "name": "tiny",
    "title": "Tiny figures",
    "version": "2.1.0",
    "resources": [
        {"name": "places", "path": "data/places.csv", "schema": "schemas/places.schema.json", "description": "Places | named."},
        {"name": "counts", "type": "table", "path": "data/counts.csv", "schema": COUNTS_SCHEMA, "description": "Figures."},
        {"name": "notes", "path": "notes.txt"},
    ],
}
FILES = {
    "data/places.csv": 'id,name,parent\nx,Ex,\ny,"Why, oh",x\n',
    "data/counts.csv": "id,place,note\n1,x,NA\n2,x,a|b\n3,y,\n",
    "schemas/places.schema.json": json.dumps(PLACES_SCHEMA),
    "notes.txt": "Notes.\n",
}

TINY_DICTIONARY = """\
# Data dictionary: Tiny figures

Package version 2.1.0. Generated from `datapackage.json` and `schemas/` by `make docs`; do not edit by hand. \
An empty cell in a CSV means the value is missing. Examples are the first distinct values in each column, shortened to 40 characters.

Tables: [places](#places), [counts](#counts).

## places

File: `data/places.csv` (2 rows). Schema: `schemas/places.schema.json`.

Places | named.

Primary key: `id`. Foreign key: `parent` → `places.id`.

| Field | Type | Required | Unique | Constraints | Description | Examples |
|---|---|---|---|---|---|---|
| `id` | string | yes | yes | matches `[a-z]+` |  | `x`, `y` |
| `name` | string | yes | no | not empty | English name | `Ex`, `Why, oh` |
| `parent` | string | no | no |  | Parent place, in this table. | `x` |
| `extra` | string | no | no |  |  |  |

## counts

File: `data/counts.csv` (3 rows). Schema: inline in `datapackage.json`.

Figures.

Primary key: `id`, `place`. Foreign key: `place` → `places.id`.

| Field | Type | Required | Unique | Constraints | Description | Examples |
|---|---|---|---|---|---|---|
| `id` | integer | yes | yes | ≥ 0; ≤ 10 |  | `1`, `2`, `3` |
| `place` | string | yes | no | one of `x`, `y` |  | `x`, `y` |
| `note` | string | no | no | at least 2 characters; at most 50 characters | A note over lines | `a\\|b` |
"""


def write_package(root, descriptor=DESCRIPTOR, files=FILES):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root / "datapackage.json"


def test_the_dictionary_of_a_small_package_documents_every_table_and_field(tmp_path):
    assert render_dictionary(write_package(tmp_path)) == TINY_DICTIONARY
    assert render_dictionary(str(tmp_path / "datapackage.json")) == TINY_DICTIONARY


def test_a_package_without_title_or_version_is_named_and_unversioned(tmp_path):
    descriptor = {"name": "bare", "resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "a"}]}}]}
    text = render_dictionary(write_package(tmp_path, descriptor, {"t.csv": "a\n1\n"}))
    assert text.splitlines()[:3] == ["# Data dictionary: bare", "", "Package version unversioned. Generated from "
                                     "`datapackage.json` and `schemas/` by `make docs`; do not edit by hand. An empty cell in a "
                                     "CSV means the value is missing. Examples are the first distinct values in each column, "
                                     "shortened to 40 characters."]
    assert text.splitlines()[4:] == [
        "Tables: [t](#t).", "", "## t", "", "File: `t.csv` (1 row). Schema: inline in `datapackage.json`.", "", "", "",
        "| Field | Type | Required | Unique | Constraints | Description | Examples |", "|---|---|---|---|---|---|---|",
        "| `a` | string | no | no |  |  | `1` |"]


def test_resource_section_of_a_table_without_keys_or_rows(tmp_path):
    (tmp_path / "t.csv").write_text("a\n", encoding="utf-8")
    resource = {"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "a", "type": "number"}]}, "description": "T."}
    assert resource_section(resource, str(tmp_path)) == [
        "## t", "", "File: `t.csv` (0 rows). Schema: inline in `datapackage.json`.", "", "T.", "",
        "| Field | Type | Required | Unique | Constraints | Description | Examples |", "|---|---|---|---|---|---|---|",
        "| `a` | number | no | no |  |  |  |", ""]


def test_cell_escapes_backslashes_bars_and_line_breaks():
    assert cell("a|b") == "a\\|b"
    assert cell("a\\|b") == "a\\\\\\|b"
    assert cell("one\ntwo") == "one two"
    assert cell(12) == "12"


def test_code_wraps_in_backticks():
    assert code("x y") == "`x y`"
    assert code(3) == "`3`"


def test_shorten_cuts_long_examples_to_the_limit_with_an_ellipsis():
    assert shorten("abcdefgh", 5) == "abcd…"
    assert shorten("abc  defgh", 5) == "abc…"
    assert shorten("abcde", 5) == "abcde"
    assert shorten("x" * 40) == "x" * 40
    assert shorten("y" * 41) == "y" * 39 + "…"
    assert len(shorten("z" * 100)) == 40


def test_constraint_summary_puts_every_constraint_in_words():
    field = {"constraints": {"required": True, "unique": True, "enum": ["a", "b"], "minimum": 0, "maximum": 100,
                             "pattern": "^x|y$", "minLength": 1, "maxLength": 5}}
    assert constraint_summary(field) == "one of `a`, `b`; ≥ 0; ≤ 100; matches `^x|y$`; not empty; at most 5 characters"


def test_constraint_summary_of_lengths_and_of_no_constraints():
    assert constraint_summary({"constraints": {"minLength": 3}}) == "at least 3 characters"
    assert constraint_summary({"constraints": {"minLength": 0, "maxLength": 0}}) == "at least 0 characters; at most 0 characters"
    assert constraint_summary({"constraints": {"minimum": "2020-01-01"}}) == "≥ 2020-01-01"
    assert constraint_summary({"constraints": {"maximum": 0}}) == "≤ 0"
    assert constraint_summary({"constraints": {"required": True}}) == ""
    assert constraint_summary({}) == ""


def test_examples_are_the_first_three_distinct_present_values():
    column = pd.Series(["", "b", "b", "NA", "a", "c", "d"])
    assert example_values(column, {"missingValues": ["", "NA"]}) == ["b", "a", "c"]
    assert example_values(column, {}) == ["b", "NA", "a"]
    assert example_values(pd.Series(["", "a" * 50]), {}) == ["a" * 39 + "…"]
    assert example_values(pd.Series(["", ""]), {}) == []


def test_field_row_reads_required_and_unique_from_the_key():
    text = pd.DataFrame({"a": ["1", "2"], "b": ["x", "x"]})
    schema = {"fields": [{"name": "a"}, {"name": "b"}], "primaryKey": ["a", "b"]}
    assert field_row({"name": "a"}, schema, text) == ["`a`", "string", "yes", "no", "", "", "`1`, `2`"]
    assert field_row({"name": "b", "type": "year", "description": "B."}, {"fields": []}, text) == [
        "`b`", "year", "no", "no", "", "B.", "`x`"]
    assert field_row({"name": "c", "constraints": {"unique": True}}, {"fields": [], "primaryKey": "c"}, text) == [
        "`c`", "string", "yes", "yes", "", "", ""]


def test_markdown_table_has_a_header_and_escaped_rows():
    assert markdown_table([["`a|b`", 1, "yes", "no", "", "x\ny", ""]]) == [
        "| Field | Type | Required | Unique | Constraints | Description | Examples |",
        "|---|---|---|---|---|---|---|",
        "| `a\\|b` | 1 | yes | no |  | x y |  |"]
    assert markdown_table([]) == ["| Field | Type | Required | Unique | Constraints | Description | Examples |",
                                  "|---|---|---|---|---|---|---|"]


@pytest.mark.parametrize("schema, lines", [
    ({"fields": []}, []),
    ({"primaryKey": []}, []),
    ({"primaryKey": ["a", "b"]}, ["Primary key: `a`, `b`."]),
    ({"foreignKeys": [{"fields": ["a", "b"], "reference": {"resource": "other", "fields": ["x", "y"]}},
                      {"fields": "c", "reference": {"fields": "id"}}]},
     ["Foreign key: `a`, `b` → `other.x, other.y`.", "Foreign key: `c` → `own.id`."]),
])
def test_key_lines_name_primary_and_foreign_keys(schema, lines):
    assert key_lines(schema, "own") == lines
