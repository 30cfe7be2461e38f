"""dp.diff piece by piece: each comparison on small descriptors, schemas and frames, with the exact
changes, levels and messages a user reads in the changelog and in `diff.py`'s report."""
import hashlib
import json

import pandas as pd
import pytest

from dp import diff
from dp.diff import (
    Change, PackageDiff, RowDiff, Snapshot, constraint_changes, constraint_level, diff_snapshots, field_changes,
    first_release_lines, foreign_key_changes, highest, package_changes, read_snapshot, resource_changes,
    resource_list_changes, row_changes, row_diff, schema_changes,
)
from dp.package import PackageError


def frame(columns, *rows):
    return pd.DataFrame([list(row) for row in rows], columns=columns, dtype=str)


def table(name, fields, key=None, **extra):
    schema = {"fields": [{"name": f, "type": "string"} for f in fields], **extra}
    if key:
        schema["primaryKey"] = key
    return {"name": name, "path": f"data/{name}.csv", "schema": schema}


def snapshot(resources, frames=None, hashes=None, **package):
    descriptor = {"name": "p", **package, "resources": resources}
    schemas = {r["name"]: r["schema"] for r in resources if "schema" in r}
    return Snapshot(descriptor, schemas, frames or {}, hashes or {r["name"]: "h" for r in resources})


def shown(changes):
    return [(c.level, c.resource, c.kind, c.message) for c in changes]


# --- levels, changes and the report ---------------------------------------------------------


def test_the_highest_level_wins_and_no_change_needs_no_bump():
    assert highest([]) == "none"
    assert highest(["patch", "major", "minor"]) == "major"
    assert highest(["patch", "minor", "patch"]) == "minor"
    assert highest(["none", "patch"]) == "patch"


def test_a_change_line_names_its_resource_when_it_has_one():
    assert Change("minor", "metrics", "rows-added", "1 row(s) added: m9").line() == "- metrics: 1 row(s) added: m9 [minor]"
    assert Change("patch", None, "package-property", "package title: 'a' -> 'b'").line() == \
        "- package title: 'a' -> 'b' [patch]"


def test_the_report_text_heads_with_the_bump_and_versions():
    changes = [Change("patch", None, "package-property", "package title: 'a' -> 'b'"),
               Change("major", "t", "rows-removed", "1 row(s) removed: x")]
    report = PackageDiff("1.0.0", "2.0.0", changes, {})
    assert report.bump == "major"
    assert report.text() == ("Bump required: major (old version 1.0.0, new version 2.0.0)\n"
                             "- package title: 'a' -> 'b' [patch]\n- t: 1 row(s) removed: x [major]")
    assert PackageDiff(None, "1.0.0", [], {}).text() == \
        "Bump required: none (old version None, new version 1.0.0)\n- no changes"


def test_the_json_report_holds_versions_bump_changes_and_rows():
    rows = {"t": RowDiff(["id"], added=["é1"], removed=[], changed=[{"key": "a", "cells": {"v": ["1", "2"]}}])}
    report = PackageDiff("1.0.0", "1.1.0", [Change("minor", "t", "rows-added", "1 row(s) added: é1")], rows)
    text = report.as_json()
    assert "é1" in text and '\n  "bump": "minor"' in text  # readable text, indented by two
    assert json.loads(text) == {
        "old_version": "1.0.0", "new_version": "1.1.0", "bump": "minor",
        "changes": [{"level": "minor", "resource": "t", "kind": "rows-added", "message": "1 row(s) added: é1"}],
        "rows": {"t": {"key": ["id"], "added": ["é1"], "removed": [], "changed": [{"key": "a", "cells": {"v": ["1", "2"]}}]}},
    }


def test_a_row_diff_starts_empty_and_each_holds_its_own_lists():
    one, two = RowDiff(["id"]), RowDiff(["id"])
    one.added.append("x")
    assert (two.added, two.removed, two.changed) == ([], [], [])


# --- reading a version --------------------------------------------------------------------------


def write_package(root, resources, files):
    root.mkdir()
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "version": "1.0.0", "resources": resources}),
                                           encoding="utf-8")
    return root


def test_a_snapshot_reads_frames_schemas_and_hashes_of_every_resource(tmp_path):
    schema = {"fields": [{"name": "id", "type": "string"}, {"name": "v", "type": "string"}]}
    root = write_package(tmp_path / "p", [
        {"name": "t", "path": "t.csv", "schema": "t.schema.json"},
        {"name": "notes", "path": "notes.txt"},
    ], {"t.csv": b"id,v\na,\n", "notes.txt": b"hello\n", "t.schema.json": json.dumps(schema).encode()})
    shot = read_snapshot(root)
    assert shot.descriptor["version"] == "1.0.0"
    assert shot.schemas == {"t": schema}
    assert list(shot.frames) == ["t"]
    assert shot.frames["t"].to_dict("records") == [{"id": "a", "v": ""}]
    assert shot.file_hashes == {
        "t": hashlib.sha256(b"id,v\na,\n").hexdigest(),
        "notes": "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
    }
    assert list(shot.resources) == ["t", "notes"]


def test_a_table_that_is_not_utf8_names_its_file(tmp_path):
    root = write_package(tmp_path / "p", [table("t", ["id"]) | {"path": "t.csv"}], {"t.csv": b"id\n\xff\xfe\n"})
    with pytest.raises(PackageError) as caught:
        read_snapshot(root / "datapackage.json")
    assert str(caught.value).startswith(f"{root.resolve() / 't.csv'}: not a readable UTF-8 CSV (")


def test_a_snapshot_is_loaded_from_a_folder_spec(tmp_path):
    root = write_package(tmp_path / "p", [table("t", ["id"]) | {"path": "t.csv"}], {"t.csv": b"id\na\nb\n"})
    shot = diff.load_snapshot(root, tmp_path)
    assert shot.frames["t"]["id"].tolist() == ["a", "b"]


# --- comparing snapshots --------------------------------------------------------------------------


def test_a_changed_file_without_schema_is_a_patch_naming_its_path():
    old = snapshot([{"name": "notes", "path": "notes.txt"}], hashes={"notes": "a"})
    new = snapshot([{"name": "notes", "path": "notes.txt"}], hashes={"notes": "b"})
    assert shown(diff_snapshots(old, new).changes) == [("patch", "notes", "content", "notes.txt content changed")]
    assert diff_snapshots(old, old).changes == []


def test_an_added_resource_is_minor_with_its_row_count_when_it_is_a_table():
    old = snapshot([])
    new = snapshot([table("t", ["id"]), {"name": "notes", "path": "notes.txt"}],
                   frames={"t": frame(["id"], ["a"], ["b"])})
    report = diff_snapshots(old, new)
    assert shown(report.changes) == [("minor", "t", "resource-added", "new resource with 2 rows"),
                                     ("minor", "notes", "resource-added", "new resource")]
    assert report.bump == "minor"


def test_an_added_empty_table_says_it_has_no_rows():
    report = diff_snapshots(snapshot([]), snapshot([table("t", ["id"])], frames={"t": frame(["id"])}))
    assert shown(report.changes) == [("minor", "t", "resource-added", "new resource with 0 rows")]


def test_the_report_carries_both_versions_and_the_rows_of_each_table():
    old = snapshot([table("t", ["id", "v"], ["id"])], frames={"t": frame(["id", "v"], ["a", "1"])}, version="1.0.0")
    new = snapshot([table("t", ["id", "v"], ["id"])], frames={"t": frame(["id", "v"], ["a", "2"])}, version="1.0.1")
    report = diff_snapshots(old, new)
    assert (report.old_version, report.new_version) == ("1.0.0", "1.0.1")
    assert report.rows["t"] == RowDiff(["id"], [], [], [{"key": "a", "cells": {"v": ["1", "2"]}}])
    assert shown(report.changes) == [("patch", "t", "row-changed", "row a: v '1' -> '2'")]


def test_a_table_on_one_side_only_is_compared_by_its_schema_not_its_rows():
    old = snapshot([table("t", ["id"])], frames={"t": frame(["id"], ["a"])}, hashes={"t": "a"})
    new = snapshot([{"name": "t", "path": "data/t.csv"}], hashes={"t": "a"})
    report = diff_snapshots(old, new)
    assert report.rows == {}
    assert shown(report.changes) == [("major", "t", "schema", "Table Schema removed")]


def test_changes_are_listed_package_and_resource_list_first_then_in_the_new_order():
    old = snapshot([{"name": "gone", "path": "g"}, {"name": "b", "path": "b"}, {"name": "a", "path": "a"}],
                   hashes={"gone": "1", "b": "1", "a": "1"}, title="old")
    new = snapshot([{"name": "a", "path": "a"}, {"name": "b", "path": "b"}, {"name": "new", "path": "n"}],
                   hashes={"a": "2", "b": "2", "new": "1"}, title="new")
    assert shown(diff_snapshots(old, new).changes) == [
        ("patch", None, "package-property", "package title: 'old' -> 'new'"),
        ("major", None, "resource-removed", "resource 'gone' removed"),
        ("major", None, "resource-reordered", "resources reordered: ['b', 'a'] -> ['a', 'b']"),
        ("patch", "a", "content", "a content changed"),
        ("patch", "b", "content", "b content changed"),
        ("minor", "new", "resource-added", "new resource"),
    ]


# --- properties -------------------------------------------------------------------------------------


def test_a_shown_value_is_quoted_text_or_json_cut_at_sixty_characters():
    assert diff._show("a'b") == '"a\'b"'
    assert diff._show("é") == "'é'"
    assert diff._show(None) == "null"
    assert diff._show({"b": "é", "a": 1}) == '{"b": "é", "a": 1}'
    assert diff._show("x" * 58) == repr("x" * 58)  # 60 characters with its quotes: shown whole
    assert diff._show("x" * 59) == "'" + "x" * 56 + "..."  # 61: cut to 60
    assert len(diff._show(list(range(100)))) == 60


def test_package_properties_other_than_resources_version_and_created_are_compared():
    old = {"name": "a", "$schema": "s1", "title": "T", "version": "1", "created": "x", "resources": [1], "keywords": ["k"]}
    new = {"name": "b", "$schema": "s2", "title": "U", "version": "2", "created": "y", "resources": [2], "homepage": "h"}
    assert shown(package_changes(old, new)) == [
        ("major", None, "package-property", "package $schema: 's1' -> 's2'"),
        ("patch", None, "package-property", "package homepage: null -> 'h'"),
        ("patch", None, "package-property", 'package keywords: ["k"] -> null'),
        ("major", None, "package-property", "package name: 'a' -> 'b'"),
        ("patch", None, "package-property", "package title: 'T' -> 'U'"),
    ]


def test_resource_properties_that_change_how_a_file_is_read_are_major():
    old = {"name": "t", "path": "a.csv", "bytes": 1, "hash": "x", "schema": "s", "format": "csv", "mediatype": "text/csv",
           "encoding": "utf-8", "scheme": "file", "dialect": {"delimiter": ","}, "$schema": "r1", "title": "A"}
    new = {"name": "u", "path": "b.csv", "bytes": 2, "hash": "y", "schema": "t", "format": "tsv", "mediatype": "text/tsv",
           "encoding": "latin1", "scheme": "http", "dialect": {"delimiter": ";"}, "$schema": "r2", "title": "B",
           "description": "D"}
    assert shown(resource_changes("t", old, new)) == [
        ("major", "t", "resource-property", "resource $schema: 'r1' -> 'r2'"),
        ("patch", "t", "resource-property", "resource description: null -> 'D'"),
        ("major", "t", "resource-property", 'resource dialect: {"delimiter": ","} -> {"delimiter": ";"}'),
        ("major", "t", "resource-property", "resource encoding: 'utf-8' -> 'latin1'"),
        ("major", "t", "resource-property", "resource format: 'csv' -> 'tsv'"),
        ("major", "t", "resource-property", "resource mediatype: 'text/csv' -> 'text/tsv'"),
        ("major", "t", "resource-property", "resource path: 'a.csv' -> 'b.csv'"),
        ("major", "t", "resource-property", "resource scheme: 'file' -> 'http'"),
        ("patch", "t", "resource-property", "resource title: 'A' -> 'B'"),
    ]


def test_a_resource_type_is_major_only_between_a_table_and_a_file():
    assert shown(resource_changes("t", {"type": "text"}, {"type": "json"})) == [
        ("patch", "t", "resource-property", "resource type: 'text' -> 'json'")]
    assert shown(resource_changes("t", {"schema": {}}, {"schema": {}, "type": "table"})) == [
        ("patch", "t", "resource-property", "resource type: null -> 'table'")]
    assert shown(resource_changes("t", {"type": "table"}, {"type": "text"})) == [
        ("major", "t", "resource-property", "resource type: 'table' -> 'text'")]
    assert resource_changes("t", {"type": "table"}, {"type": "table"}) == []


# --- lists of resources and fields ----------------------------------------------------------------


def test_a_name_replaced_at_its_place_is_a_rename():
    assert shown(diff._list_changes("t", ["a", "b", "c"], ["a", "x", "c"], "field", "major")) == [
        ("major", "t", "field-renamed", "field 'b' renamed to 'x'")]


def test_removed_added_and_reordered_names_are_told_apart():
    assert shown(diff._list_changes("t", ["a", "b", "c"], ["c", "a", "d", "e"], "field", "major")) == [
        ("major", "t", "field-removed", "field 'b' removed"),
        ("major", "t", "field-added", "field 'd' added"),
        ("major", "t", "field-added", "field 'e' added"),
        ("major", "t", "field-reordered", "fields reordered: ['a', 'c'] -> ['c', 'a']"),
    ]


def test_a_renamed_pair_needs_the_old_name_gone_and_the_new_one_new():
    # 'b' moved to where 'a' was: a reorder and a removal, not a rename of 'a' to 'b'
    assert diff._renames(["a", "b"], ["b", "c"]) == []
    assert diff._renames(["a", "b"], ["x", "b"]) == [("a", "x")]
    assert diff._renames(["a", "b"], ["a", "y"]) == [("b", "y")]


def test_added_resources_are_left_to_the_snapshot_comparison():
    assert shown(resource_list_changes(["a", "b"], ["a", "c", "d"])) == [
        ("major", None, "resource-renamed", "resource 'b' renamed to 'c'")]
    assert shown(resource_list_changes(["a"], ["a", "d"])) == []


# --- schemas, fields and constraints --------------------------------------------------------------


def test_a_schema_added_or_removed_is_major_and_none_on_both_sides_is_no_change():
    assert schema_changes("t", None, None) == []
    assert shown(schema_changes("t", None, {"fields": []})) == [("major", "t", "schema", "Table Schema added")]
    assert shown(schema_changes("t", {"fields": []}, None)) == [("major", "t", "schema", "Table Schema removed")]


def test_schema_changes_list_fields_then_their_properties_then_schema_keys_then_foreign_keys():
    old = {"fields": [{"name": "id", "type": "string"}, {"name": "v", "type": "string", "title": "V"}],
           "primaryKey": ["id"], "missingValues": [""], "title": "old"}
    new = {"fields": [{"name": "id", "type": "string"}, {"name": "v", "type": "integer", "title": "W"},
                      {"name": "w", "type": "string"}],
           "primaryKey": ["id", "v"], "missingValues": ["", "NA"], "title": "new",
           "foreignKeys": [{"fields": "v", "reference": {"resource": "o", "fields": "id"}}]}
    assert shown(schema_changes("t", old, new)) == [
        ("major", "t", "field-added", "field 'w' added"),
        ("patch", "t", "field-property", "field v title: 'V' -> 'W'"),
        ("major", "t", "field-property", "field v type: 'string' -> 'integer'"),
        ("major", "t", "schema-property", 'schema missingValues: [""] -> ["", "NA"]'),
        ("major", "t", "schema-property", 'schema primaryKey: ["id"] -> ["id", "v"]'),
        ("patch", "t", "schema-property", "schema title: 'old' -> 'new'"),
        ("major", "t", "foreign-key-added",
         'foreign key added: {"fields": "v", "reference": {"fields": "id", "resource": "o"}}'),
    ]


def test_descriptive_field_properties_are_patches_and_the_rest_major():
    old = {"name": "f", "type": "string", "title": "a", "description": "a", "example": "a", "rdfType": "a", "format": "a"}
    new = {"name": "f", "type": "number", "title": "b", "description": "b", "example": "b", "rdfType": "b", "format": "b",
           "bareNumber": False}
    assert [(c.level, c.message) for c in field_changes("t", old, new)] == [
        ("major", "field f bareNumber: null -> false"),
        ("patch", "field f description: 'a' -> 'b'"),
        ("patch", "field f example: 'a' -> 'b'"),
        ("major", "field f format: 'a' -> 'b'"),
        ("patch", "field f rdfType: 'a' -> 'b'"),
        ("patch", "field f title: 'a' -> 'b'"),
        ("major", "field f type: 'string' -> 'number'"),
    ]
    assert {c.kind for c in field_changes("t", old, new)} == {"field-property"}


def test_field_constraints_are_judged_one_by_one():
    old = {"name": "f", "constraints": {"minimum": 1, "maximum": 5, "enum": ["a", "b"], "required": True}}
    new = {"name": "f", "constraints": {"minimum": 0, "maximum": 4, "enum": ["b", "a"], "required": True, "unique": False}}
    assert shown(field_changes("t", old, new)) == [
        ("patch", "t", "constraint", 'field f constraint enum: ["a", "b"] -> ["b", "a"] (reworded)'),
        ("major", "t", "constraint", "field f constraint maximum: 5 -> 4 (stricter)"),
        ("minor", "t", "constraint", "field f constraint minimum: 1 -> 0 (relaxed)"),
    ]
    assert field_changes("t", {"name": "f"}, {"name": "f", "constraints": {}}) == []


def test_constraints_added_or_dropped_whole_are_compared_with_none():
    assert shown(constraint_changes("t", "f", {}, {"pattern": "[a-z]+"})) == [
        ("major", "t", "constraint", "field f constraint pattern: null -> '[a-z]+' (stricter)")]
    assert shown(constraint_changes("t", "f", {"maxLength": 3}, {})) == [
        ("minor", "t", "constraint", "field f constraint maxLength: 3 -> null (relaxed)")]
    assert constraint_changes("t", "f", {"required": False}, {}) == []


@pytest.mark.parametrize("key,before,after,level", [
    ("unique", None, True, "major"), ("unique", 1, 0, "minor"), ("required", True, 1, "none"),
    ("exclusiveMinimum", 0, 1, "major"), ("exclusiveMaximum", 1, 0, "major"), ("minLength", 2, 1, "minor"),
    ("maxLength", 4, 5, "minor"), ("exclusiveMaximum", 0, 1, "minor"), ("minimum", 1, 1.0, "minor"),
    ("maximum", 1, "2", "major"), ("enum", None, ["a"], "major"), ("enum", ["a"], None, "minor"),
    ("enum", ["a", "b"], ["b", "c"], "major"), ("enum", ["a", "a"], ["a"], "patch"),
    ("jsonSchema", {"type": "array"}, {"type": "object"}, "major"),
])
def test_a_constraint_change_is_stricter_relaxed_or_reworded(key, before, after, level):
    assert constraint_level(key, before, after) == level


def test_a_self_reference_counts_as_the_table_itself_either_way():
    named = [{"fields": "p", "reference": {"resource": "t", "fields": "id"}}]
    empty = [{"fields": "p", "reference": {"resource": "", "fields": "id"}}]
    bare = [{"fields": "p", "reference": {"fields": "id"}}]
    assert foreign_key_changes("t", named, empty) == []
    assert foreign_key_changes("t", bare, named) == []
    assert diff._self_named({"fields": "p"}, "t") == {"fields": "p", "reference": {"resource": "t"}}


def test_an_added_foreign_key_is_major_and_a_removed_one_minor():
    old = [{"fields": "a", "reference": {"resource": "o", "fields": "id"}},
           {"fields": "b", "reference": {"resource": "o", "fields": "id"}}]
    new = [{"fields": "c", "reference": {"resource": "é", "fields": "id"}}, old[0]]
    assert shown(foreign_key_changes("t", old, new)) == [
        ("major", "t", "foreign-key-added",
         'foreign key added: {"fields": "c", "reference": {"fields": "id", "resource": "é"}}'),
        ("minor", "t", "foreign-key-removed",
         'foreign key removed: {"fields": "b", "reference": {"fields": "id", "resource": "o"}}'),
    ]


def test_foreign_keys_are_reported_in_sorted_order():
    keys = [{"fields": f, "reference": {"resource": "o", "fields": "id"}} for f in ("c", "a", "b")]
    assert [c.message[-40:] for c in foreign_key_changes("t", [], keys)] == [
        c.message[-40:] for c in foreign_key_changes("t", [], sorted(keys, key=lambda k: k["fields"]))]
    assert [json.loads(c.message.split(": ", 1)[1])["fields"] for c in foreign_key_changes("t", [], keys)] == ["a", "b", "c"]
    assert [json.loads(c.message.split(": ", 1)[1])["fields"] for c in foreign_key_changes("t", keys, [])] == ["a", "b", "c"]


# --- rows ---------------------------------------------------------------------------------------


def test_rows_are_matched_by_primary_key_and_changed_cells_listed():
    schema = {"fields": [], "primaryKey": ["id"]}
    old = frame(["id", "v", "w"], ["a", "1", "x"], ["b", "2", "y"], ["c", "3", "z"])
    new = frame(["id", "w", "v", "extra"], ["d", "q", "4", "e"], ["a", "x", "1", "e"], ["b", "Y", "9", "e"])
    rows = row_diff(old, new, schema)
    assert rows == RowDiff(["id"], added=["d"], removed=["c"],
                           changed=[{"key": "b", "cells": {"w": ["y", "Y"], "v": ["2", "9"]}}])


def test_a_repeated_key_is_matched_by_its_first_row():
    schema = {"fields": [], "primaryKey": "id"}
    old = frame(["id", "v"], ["a", "1"], ["a", "2"])
    new = frame(["id", "v"], ["a", "1"], ["a", "3"])
    assert row_diff(old, new, schema) == RowDiff(["id"], [], [], [])
    assert row_diff(frame(["id", "v"], ["a", "2"]), new, schema).changed == [{"key": "a", "cells": {"v": ["2", "1"]}}]


def test_a_composite_key_matches_rows_by_the_tuple_of_its_cells():
    schema = {"fields": [], "primaryKey": ["a", "b"]}
    old = frame(["a", "b", "v"], ["x", "y", "1"])
    new = frame(["a", "b", "v"], ["x", "y", "2"], ["y", "x", "1"])
    assert row_diff(old, new, schema) == RowDiff(["a", "b"], [("y", "x")], [], [{"key": ("x", "y"), "cells": {"v": ["1", "2"]}}])


def test_without_a_usable_key_whole_rows_are_counted():
    old = frame(["id", "v"], ["a", "1"], ["a", "1"], ["b", "2"])
    new = frame(["id", "v"], ["a", "1"], ["b", "3"], ["b", "3"])
    expected = RowDiff([], added=[["b", "3"], ["b", "3"]], removed=[["a", "1"], ["b", "2"]])
    assert row_diff(old, new, {"fields": []}) == expected
    # a key field that one side lacks cannot match rows
    assert row_diff(old, new, {"fields": [], "primaryKey": ["id", "gone"]}) == expected
    assert row_diff(old.drop(columns="v"), new.drop(columns="v"), {"fields": [], "primaryKey": ["id"]}).key == ["id"]
    assert row_diff(old, new.drop(columns="id"), {"fields": [], "primaryKey": ["id"]}).key == []


def test_row_changes_name_added_removed_and_changed_rows():
    rows = RowDiff(["id"], added=["d", "e"], removed=["c"],
                   changed=[{"key": ("x", "y, z"), "cells": {"v": ["1", "2"], "w": ["", "é"]}}, {"key": "b", "cells": {"v": ["a", "b"]}}])
    assert shown(row_changes("t", rows)) == [
        ("minor", "t", "rows-added", "2 row(s) added: d, e"),
        ("major", "t", "rows-removed", "1 row(s) removed: c"),
        ("patch", "t", "row-changed", "row [\"x\", \"y, z\"]: v '1' -> '2'; w '' -> 'é'"),
        ("patch", "t", "row-changed", "row b: v 'a' -> 'b'"),
    ]
    assert row_changes("t", RowDiff(["id"])) == []


def test_many_rows_are_listed_ten_then_counted():
    ten = [f"r{i}" for i in range(10)]
    assert diff._labels(ten) == ", ".join(ten)
    assert diff._labels(ten + ["r10", "r11"]) == ", ".join(ten) + " and 2 more"
    assert diff._labels(ten + ["r10"]) == ", ".join(ten) + " and 1 more"
    assert diff._labels([["é", "1"], ("a", "b")]) == '["é", "1"], ["a", "b"]'


def test_the_first_release_lists_each_resource_with_its_rows():
    shot = snapshot([table("t", ["id"]), {"name": "notes", "path": "n"}], frames={"t": frame(["id"], ["a"], ["b"])})
    assert first_release_lines(shot) == ["- first release: 2 resources: t (2 row(s)), notes"]
