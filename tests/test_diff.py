"""scripts/diff.py: changes between two versions of the package, and the bump they require."""
import json
import shutil
import subprocess
import zipfile

import pytest

from conftest import run_script
from dp.diff import constraint_level, diff_snapshots, load_snapshot, read_snapshot


def edit_csv(root, name, old, new):
    path = root / "data" / f"{name}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_json(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def field(schema, name):
    return next(f for f in schema["fields"] if f["name"] == name)


@pytest.fixture
def pair(package_copy, tmp_path):
    """(old descriptor, new root): the real package and a second copy of it to change."""
    new_root = tmp_path / "new"
    new_root.mkdir()
    for name in ("datapackage.json", "data", "schemas", "archive"):
        source = package_copy.parent / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, new_root / name)
    return package_copy, new_root


def diff_of(pair):
    old, new_root = pair
    return diff_snapshots(read_snapshot(old), read_snapshot(new_root / "datapackage.json"))


def test_identical_versions_need_no_bump(pair):
    diff = diff_of(pair)
    assert diff.bump == "none" and diff.changes == []


def test_corrected_value_is_a_patch_with_the_changed_cell(pair):
    edit_csv(pair[1], "metrics", "m001,us-state-2017-03-24,coalition_members,,68,", "m001,us-state-2017-03-24,coalition_members,,69,")
    diff = diff_of(pair)
    assert diff.bump == "patch"
    assert diff.rows["metrics"].changed == [{"key": "m001", "cells": {"value": ["68", "69"]}}]


def test_descriptive_metadata_is_a_patch(pair):
    edit_json(pair[1] / "datapackage.json", lambda d: d.update(title="A new title"))
    edit_json(pair[1] / "schemas" / "metrics.schema.json", lambda s: field(s, "note").update(description="Why."))
    assert diff_of(pair).bump == "patch"


def test_added_row_is_minor(pair):
    with open(pair[1] / "data" / "relations.csv", "a", encoding="utf-8") as handle:
        handle.write("r003,m012,m011,part_of,Another relation.\n")
    diff = diff_of(pair)
    assert diff.bump == "minor" and diff.rows["relations"].added == ["r003"]


def test_added_enum_value_is_minor(pair):
    edit_json(pair[1] / "schemas" / "metrics.schema.json", lambda s: field(s, "unit")["constraints"]["enum"].append("hectare"))
    assert diff_of(pair).bump == "minor"


def test_removed_row_is_major(pair):
    path = pair[1] / "data" / "exclusions.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    diff = diff_of(pair)
    assert diff.bump == "major" and diff.rows["exclusions"].removed == ["x002"]


@pytest.mark.parametrize("change", [
    lambda s: field(s, "value").update(type="integer"),
    lambda s: field(s, "value")["constraints"].update(minimum=1),
    lambda s: field(s, "note").update(constraints={"required": True}),
    lambda s: field(s, "unit")["constraints"]["enum"].remove("km2"),
    lambda s: field(s, "note").update(name="remark"),
    lambda s: s["fields"].append({"name": "extra", "type": "string"}),
    lambda s: s["fields"].reverse(),
    lambda s: s.update(primaryKey=["id", "source_id"]),
], ids=["type", "minimum-raised", "required-added", "enum-value-removed", "field-renamed", "field-added",
        "fields-reordered", "primary-key"])
def test_breaking_schema_change_is_major(pair, change):
    edit_json(pair[1] / "schemas" / "metrics.schema.json", change)
    assert diff_of(pair).bump == "major"


def test_renamed_field_is_reported_as_a_rename(pair):
    edit_json(pair[1] / "schemas" / "metrics.schema.json", lambda s: field(s, "note").update(name="remark"))
    assert [c.kind for c in diff_of(pair).changes] == ["field-renamed"]


def test_removed_or_reordered_resource_is_major(pair):
    edit_json(pair[1] / "datapackage.json", lambda d: d["resources"].reverse())
    assert diff_of(pair).bump == "major"
    edit_json(pair[1] / "datapackage.json", lambda d: d["resources"].pop(0))
    assert "resource-removed" in {c.kind for c in diff_of(pair).changes}


@pytest.mark.parametrize("key,before,after,level", [
    ("required", None, True, "major"), ("required", True, False, "minor"), ("unique", False, None, "none"),
    ("minimum", 0, 1, "major"), ("minimum", 1, 0, "minor"), ("minimum", None, 0, "major"), ("minimum", 0, None, "minor"),
    ("maximum", 10, 5, "major"), ("maximum", 5, 10, "minor"), ("maxLength", 5, 4, "major"),
    ("minimum", "2014-01-01", "2015-01-01", "major"), ("minimum", "2014-01-01", "2013-01-01", "minor"),
    ("enum", ["a"], ["a", "b"], "minor"), ("enum", ["a", "b"], ["a"], "major"), ("enum", ["a", "b"], ["b", "a"], "patch"),
    ("pattern", "m[0-9]{3}", "m[0-9]{4}", "major"), ("pattern", "m[0-9]{3}", None, "minor"),
])
def test_constraint_level(key, before, after, level):
    assert constraint_level(key, before, after) == level


def test_cli_prints_the_bump_and_json(pair):
    edit_csv(pair[1], "metrics", "m001,us-state-2017-03-24,coalition_members,,68,", "m001,us-state-2017-03-24,coalition_members,,69,")
    text = run_script("diff.py", pair[0].parent, pair[1] / "datapackage.json")
    assert text.returncode == 0 and "Bump required: patch" in text.stdout and "'68' -> '69'" in text.stdout
    report = json.loads(run_script("diff.py", pair[0], pair[1], "--json").stdout)
    assert report["bump"] == "patch" and report["rows"]["metrics"]["changed"][0]["key"] == "m001"


def test_reads_a_zip_and_a_git_revision(pair, tmp_path):
    old, new_root = pair
    archive = tmp_path / "old.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in [old] + [p for folder in ("data", "schemas", "archive") for p in (old.parent / folder).iterdir()]:
            handle.write(path, path.relative_to(old.parent).as_posix())
    assert diff_snapshots(load_snapshot(archive, new_root), load_snapshot(new_root, new_root)).bump == "none"
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"]):
        subprocess.run(["git", "-C", str(new_root), *args], check=True)
    edit_csv(new_root, "metrics", "m001,us-state-2017-03-24,coalition_members,,68,", "m001,us-state-2017-03-24,coalition_members,,69,")
    result = run_script("diff.py", "HEAD", new_root, "--repo", new_root)
    assert result.returncode == 0 and "Bump required: patch" in result.stdout


@pytest.mark.parametrize("spec", ["no-such-revision", "missing/datapackage.json"])
def test_unreadable_version_exits_2_without_traceback(pair, spec):
    result = run_script("diff.py", spec, pair[1], "--repo", pair[1])
    assert result.returncode == 2 and "Traceback" not in result.stderr and spec.split("/")[0] in result.stderr


def composite_package(root, rows):
    """A one-table package keyed by two fields, holding rows."""
    root.mkdir()
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "string"}, {"name": "v", "type": "string"}],
              "primaryKey": ["a", "b"]}
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [
        {"name": "t", "path": "t.csv", "schema": schema}]}), encoding="utf-8")
    lines = ["a,b,v"] + [",".join(f'"{cell}"' for cell in row) for row in rows]
    (root / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root / "datapackage.json"


def test_composite_keys_whose_joined_text_collides_stay_apart(tmp_path):
    # ('x, y', 'z') and ('x', 'y, z') joined with ", " are the same text: the removed row went unseen.
    old = composite_package(tmp_path / "old", [("x, y", "z", "1"), ("x", "y, z", "2")])
    new = composite_package(tmp_path / "new", [("x, y", "z", "1")])
    diff = diff_snapshots(read_snapshot(old), read_snapshot(new))
    assert diff.bump == "major" and diff.rows["t"].removed == [("x", "y, z")]
    assert '["x", "y, z"]' in diff.text()
    changed = composite_package(tmp_path / "changed", [("x, y", "z", "1"), ("x", "y, z", "3")])
    rows = diff_snapshots(read_snapshot(old), read_snapshot(changed)).rows["t"]
    assert rows.changed == [{"key": ("x", "y, z"), "cells": {"v": ["2", "3"]}}]
    assert json.loads(diff_snapshots(read_snapshot(old), read_snapshot(changed)).as_json())["rows"]["t"]["changed"][0]["key"] == ["x", "y, z"]


def test_a_self_reference_spelled_either_way_is_the_same_key(pair):
    edit_json(pair[1] / "schemas" / "places.schema.json",
              lambda s: s["foreignKeys"][0]["reference"].update(resource="" if s["foreignKeys"][0]["reference"]["resource"] else "places"))
    assert diff_of(pair).changes == []


def test_a_resource_type_is_major_only_when_it_turns_a_table_into_a_file_or_back(pair):
    edit_json(pair[1] / "datapackage.json", lambda d: d["resources"][-1].update(type="text"))
    edit_json(pair[0], lambda d: d["resources"][-1].pop("type", None))
    assert diff_of(pair).bump == "patch"
    edit_json(pair[1] / "datapackage.json", lambda d: d["resources"][0].pop("schema"))
    edit_json(pair[1] / "datapackage.json", lambda d: d["resources"][0].update(type="text"))
    assert "major" in {c.level for c in diff_of(pair).changes if c.kind == "resource-property"}
def test_an_added_or_removed_field_property_is_seen(pair):
    edit_json(pair[1] / "schemas" / "metrics.schema.json", lambda s: field(s, "value").update(format="default"))
    edit_json(pair[1] / "schemas" / "places.schema.json", lambda s: field(s, "note").pop("description"))
    changes = [(c.level, c.resource, c.kind) for c in diff_of(pair).changes]
    assert changes == [("patch", "places", "field-property"), ("major", "metrics", "field-property")]
    assert diff_of(pair).bump == "major"


def test_an_added_package_or_resource_property_is_seen(pair):
    edit_json(pair[1] / "datapackage.json", lambda d: d.update(homepage="https://example.org/"))
    edit_json(pair[1] / "datapackage.json", lambda d: d["resources"][0].update(title="Sources"))
    assert [(c.level, c.resource, c.kind) for c in diff_of(pair).changes] == [
        ("patch", None, "package-property"), ("patch", "sources", "resource-property")]


def test_an_added_resource_is_minor_with_its_row_count(pair):
    new_root = pair[1]
    shutil.copy2(new_root / "data" / "places.csv", new_root / "data" / "regions.csv")

    def add(descriptor):
        entry = dict(next(r for r in descriptor["resources"] if r["name"] == "places"), name="regions", path="data/regions.csv")
        descriptor["resources"].append(entry)
    edit_json(new_root / "datapackage.json", add)
    diff = diff_of(pair)
    assert [(c.level, c.resource, c.kind, c.message) for c in diff.changes] == [
        ("minor", "regions", "resource-added", "new resource with 5 rows")]
    assert diff.bump == "minor"


def test_a_constraint_added_where_none_was_is_stricter(pair):
    edit_json(pair[1] / "schemas" / "metrics.schema.json", lambda s: field(s, "place").update(constraints={"maxLength": 40}))
    diff = diff_of(pair)
    assert [(c.level, c.kind) for c in diff.changes] == [("major", "constraint")]
    assert "field place constraint maxLength: null -> 40 (stricter)" in diff.changes[0].message
