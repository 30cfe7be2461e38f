"""Compare two versions of the package and name the semantic-version bump the change requires.

A version is opened through dp.source: a directory, a datapackage.json, a dist zip, a git revision
or a released version by name. Rows are matched by the primary key of their Table Schema (a
composite key as a tuple of its cells); cells are compared as the text in the CSV.
The levels follow the Data Package versioning recipe:
  major  a resource or field removed, renamed, added (field) or reordered; a type, format or
         path changed; a constraint made stricter; the primary or a foreign key changed; rows
         removed (any row: primary keys are the ids consumers join on, inside and outside the
         package, and no tool can see the references from outside);
  minor  rows or resources added; a constraint relaxed;
  patch  corrected cell values; descriptive metadata (titles, descriptions, licenses...).
"""
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field as dataclass_field

from dp.package import PackageError, sha256_bytes
from dp.source import as_view, open_package
from dp.tableschema import field_names, is_tabular, primary_key, read_text_frame, referenced_resource

LEVELS = ("none", "patch", "minor", "major")
VOLATILE_PACKAGE_KEYS = {"resources", "version", "created"}
MAJOR_PACKAGE_KEYS = {"name", "$schema"}
RESOURCE_SKIPPED_KEYS = {"name", "bytes", "hash", "schema"}  # the schema is compared by its content
MAJOR_RESOURCE_KEYS = {"path", "type", "format", "mediatype", "encoding", "scheme", "dialect", "$schema"}
DESCRIPTIVE_FIELD_KEYS = {"title", "description", "example", "rdfType"}
MAJOR_SCHEMA_KEYS = {"primaryKey", "missingValues"}
LOWER_LIMITS = {"minimum", "exclusiveMinimum", "minLength"}
UPPER_LIMITS = {"maximum", "exclusiveMaximum", "maxLength"}
FLAG_CONSTRAINTS = {"required", "unique"}
SHOWN_CHARS = 60


def level_rank(level):
    return LEVELS.index(level)


def highest(levels):
    return max(levels, key=level_rank, default="none")


@dataclass(frozen=True)
class Change:
    level: str
    resource: str | None
    kind: str
    message: str

    def line(self):
        where = f"{self.resource}: " if self.resource else ""
        return f"- {where}{self.message} [{self.level}]"


@dataclass
class RowDiff:
    key: list
    added: list = dataclass_field(default_factory=list)
    removed: list = dataclass_field(default_factory=list)
    changed: list = dataclass_field(default_factory=list)  # {"key": ..., "cells": {field: [old, new]}}


@dataclass
class PackageDiff:
    old_version: str | None
    new_version: str | None
    changes: list
    rows: dict

    @property
    def bump(self):
        return highest(change.level for change in self.changes)

    def summary_lines(self):
        return [change.line() for change in self.changes]

    def text(self):
        head = f"Bump required: {self.bump} (old version {self.old_version}, new version {self.new_version})"
        return "\n".join([head] + (self.summary_lines() or ["- no changes"]))

    def as_json(self):
        return json.dumps({
            "old_version": self.old_version,
            "new_version": self.new_version,
            "bump": self.bump,
            "changes": [asdict(change) for change in self.changes],
            "rows": {name: asdict(rows) for name, rows in self.rows.items()},
        }, indent=2, ensure_ascii=False)


@dataclass
class Snapshot:
    """One version of the package, fully read into memory (so temporary copies can go)."""

    descriptor: dict
    schemas: dict  # resource name -> Table Schema
    frames: dict  # resource name -> text frame of a tabular resource
    file_hashes: dict  # resource name -> sha256 of its file

    @property
    def resources(self):
        return {resource["name"]: resource for resource in self.descriptor["resources"]}


# --- reading a version (opened through dp.source, which keeps every read inside the package) ---


def read_snapshot(package):
    """The Snapshot of a PackageView, or of a folder or datapackage.json read in place."""
    view = as_view(package)
    descriptor = view.descriptor()
    schemas, frames, hashes = {}, {}, {}
    for resource in descriptor["resources"]:
        name, path = resource.get("name"), resource.get("path")
        data = view.read_bytes(path)
        hashes[name] = sha256_bytes(data)
        if resource.get("schema") is None:
            continue
        schemas[name] = view.schema(resource)
        frames[name] = _read_frame(data, view.name(path))
    return Snapshot(descriptor, schemas, frames, hashes)


def _read_frame(data, label):
    try:
        return read_text_frame(io.BytesIO(data))
    except ValueError as err:
        raise PackageError(f"{label}: not a readable UTF-8 CSV ({err})") from None


def load_snapshot(spec, repo):
    """The package version named by spec (see dp.source.open_package), git revisions and versions looked up in repo."""
    with open_package(spec, repo) as view:
        return read_snapshot(view)


# --- comparing ---------------------------------------------------------------------------


def diff_snapshots(old, new):
    changes = package_changes(old.descriptor, new.descriptor)
    changes += resource_list_changes(list(old.resources), list(new.resources))
    rows = {}
    for name in old.resources.keys() & new.resources.keys():
        changes += resource_changes(name, old.resources[name], new.resources[name])
        changes += schema_changes(name, old.schemas.get(name), new.schemas.get(name))
        if name in old.frames and name in new.frames:
            rows[name] = row_diff(old.frames[name], new.frames[name], new.schemas[name])
            changes += row_changes(name, rows[name])
        elif old.file_hashes[name] != new.file_hashes[name]:
            changes.append(Change("patch", name, "content", f"{new.resources[name].get('path')} content changed"))
    for name in new.resources.keys() - old.resources.keys():
        rows_added = len(new.frames[name]) if name in new.frames else None
        detail = f" with {rows_added} rows" if rows_added is not None else ""
        changes.append(Change("minor", name, "resource-added", f"new resource{detail}"))
    return PackageDiff(old.descriptor.get("version"), new.descriptor.get("version"), _ordered(changes, new), rows)


def _ordered(changes, new):
    """Changes to the package and to its list of resources first, then each resource's in the new version's order.

    A change names a resource only when the new version has it (a removed resource is a change to the list)."""
    position = {name: index for index, name in enumerate(new.resources)}
    return sorted(changes, key=lambda c: (c.resource is not None, position.get(c.resource)))


def _show(value):
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 3] + "..."


def _property_changes(resource, old, new, skipped, major_keys, what):
    changes = []
    for key in sorted((old.keys() | new.keys()) - skipped):
        if old.get(key) != new.get(key):
            level = "major" if key in major_keys else "patch"
            changes.append(Change(level, resource, f"{what}-property", f"{what} {key}: {_show(old.get(key))} -> {_show(new.get(key))}"))
    return changes


def package_changes(old, new):
    return _property_changes(None, old, new, VOLATILE_PACKAGE_KEYS, MAJOR_PACKAGE_KEYS, "package")


def resource_changes(name, old, new):
    changes = _property_changes(name, old, new, RESOURCE_SKIPPED_KEYS | {"type"}, MAJOR_RESOURCE_KEYS, "resource")
    if old.get("type") != new.get("type"):
        # Only a change between table and not-a-table changes how tools read the file.
        level = "major" if is_tabular(old) != is_tabular(new) else "patch"
        changes.append(Change(level, name, "resource-property", f"resource type: {_show(old.get('type'))} -> {_show(new.get('type'))}"))
    return changes


def _renames(old_names, new_names):
    """Pairs (old, new) where a removed name and an added name sit at the same position."""
    removed, added = set(old_names) - set(new_names), set(new_names) - set(old_names)
    return [(o, n) for o, n in zip(old_names, new_names) if o in removed and n in added]


def _list_changes(resource, old_names, new_names, what, added_level):
    renames = _renames(old_names, new_names)
    renamed_old, renamed_new = {o for o, _ in renames}, {n for _, n in renames}
    changes = [Change("major", resource, f"{what}-renamed", f"{what} {o!r} renamed to {n!r}") for o, n in renames]
    changes += [Change("major", resource, f"{what}-removed", f"{what} {name!r} removed")
                for name in old_names if name not in new_names and name not in renamed_old]
    changes += [Change(added_level, resource, f"{what}-added", f"{what} {name!r} added")
                for name in new_names if name not in old_names and name not in renamed_new]
    common_old = [name for name in old_names if name in new_names]
    common_new = [name for name in new_names if name in old_names]
    if common_old != common_new:
        changes.append(Change("major", resource, f"{what}-reordered", f"{what}s reordered: {common_old} -> {common_new}"))
    return changes


def resource_list_changes(old_names, new_names):
    # Added resources are reported with their row count in diff_snapshots; only the rest here.
    return [c for c in _list_changes(None, old_names, new_names, "resource", "minor") if c.kind != "resource-added"]


def schema_changes(name, old, new):
    if old is None or new is None:
        return [] if old is new else [Change("major", name, "schema", "Table Schema " + ("added" if new else "removed"))]
    changes = _list_changes(name, field_names(old), field_names(new), "field", "major")
    old_fields = {f["name"]: f for f in old["fields"]}
    for new_field in new["fields"]:
        if new_field["name"] in old_fields:
            changes += field_changes(name, old_fields[new_field["name"]], new_field)
    changes += _property_changes(name, old, new, {"fields", "foreignKeys"}, MAJOR_SCHEMA_KEYS, "schema")
    return changes + foreign_key_changes(name, old.get("foreignKeys", []), new.get("foreignKeys", []))


def _self_named(key, name):
    """A foreign key with a self-reference spelled out: v2 leaves the resource empty, v1 named it."""
    return dict(key, reference=dict(key.get("reference", {}), resource=referenced_resource(key, name)))


def foreign_key_changes(name, old, new):
    old_keys, new_keys = ({_canonical(_self_named(k, name)) for k in keys} for keys in (old, new))
    changes = [Change("major", name, "foreign-key-added", f"foreign key added: {k}") for k in sorted(new_keys - old_keys)]
    return changes + [Change("minor", name, "foreign-key-removed", f"foreign key removed: {k}") for k in sorted(old_keys - new_keys)]


def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def field_changes(resource, old, new):
    name = new["name"]
    changes = []
    for key in sorted((old.keys() | new.keys()) - {"name", "constraints"}):
        if old.get(key) != new.get(key):
            level = "patch" if key in DESCRIPTIVE_FIELD_KEYS else "major"
            changes.append(Change(level, resource, "field-property", f"field {name} {key}: {_show(old.get(key))} -> {_show(new.get(key))}"))
    return changes + constraint_changes(resource, name, old.get("constraints", {}), new.get("constraints", {}))


def constraint_changes(resource, field_name, old, new):
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        level = constraint_level(key, before, after)
        if level == "none":
            continue
        verdict = {"major": "stricter", "minor": "relaxed", "patch": "reworded"}[level]
        changes.append(Change(level, resource, "constraint",
                              f"field {field_name} constraint {key}: {_show(before)} -> {_show(after)} ({verdict})"))
    return changes


def constraint_level(key, before, after):
    """major if the new constraint rejects values the old one allowed, minor if it only allows more."""
    if key in FLAG_CONSTRAINTS:
        before, after = bool(before), bool(after)
        return "none" if before == after else ("major" if after else "minor")
    if before is None:
        return "major"
    if after is None:
        return "minor"
    if key == "enum":
        if set(after) == set(before):
            return "patch"
        return "minor" if set(before) <= set(after) else "major"
    if key in LOWER_LIMITS | UPPER_LIMITS:
        try:
            raised = after > before
        except TypeError:
            return "major"
        return "major" if raised == (key in LOWER_LIMITS) else "minor"
    return "major"  # a changed pattern (or unknown constraint) cannot be shown to be looser


def _key_fields(schema, old_frame, new_frame):
    key = primary_key(schema)
    return key if key and all(k in old_frame.columns and k in new_frame.columns for k in key) else []


def _key_of(values):
    """A row's key: its one cell, or the tuple of its cells (joined text would let ('a, b', 'c') meet ('a', 'b, c'))."""
    return values[0] if len(values) == 1 else tuple(values)


def _key_label(key):
    return key if isinstance(key, str) else json.dumps(list(key), ensure_ascii=False)


def _rows_by_key(frame, key, columns):
    rows = {}
    for record in frame[columns].to_dict("records"):
        rows.setdefault(_key_of([record[k] for k in key]), record)
    return rows


def row_diff(old_frame, new_frame, schema):
    columns = [c for c in new_frame.columns if c in old_frame.columns]
    key = _key_fields(schema, old_frame, new_frame)
    if not key:  # no primary key: rows can only be matched whole
        old_rows = Counter(map(tuple, old_frame[columns].itertuples(index=False)))
        new_rows = Counter(map(tuple, new_frame[columns].itertuples(index=False)))
        return RowDiff([], [list(r) for r in (new_rows - old_rows).elements()], [list(r) for r in (old_rows - new_rows).elements()])
    old_rows, new_rows = _rows_by_key(old_frame, key, columns), _rows_by_key(new_frame, key, columns)
    diff = RowDiff(key, [k for k in new_rows if k not in old_rows], [k for k in old_rows if k not in new_rows])
    for row_key, new_row in new_rows.items():
        old_row = old_rows.get(row_key)
        if old_row is not None:
            cells = {c: [old_row[c], new_row[c]] for c in columns if old_row[c] != new_row[c]}
            if cells:
                diff.changed.append({"key": row_key, "cells": cells})
    return diff


def _labels(items):
    labels = [_key_label(item) if isinstance(item, (str, tuple)) else json.dumps(item, ensure_ascii=False) for item in items]
    shown = ", ".join(labels[:10])
    return shown + (f" and {len(labels) - 10} more" if len(labels) > 10 else "")


def row_changes(name, rows):
    changes = []
    if rows.added:
        changes.append(Change("minor", name, "rows-added", f"{len(rows.added)} row(s) added: {_labels(rows.added)}"))
    if rows.removed:
        changes.append(Change("major", name, "rows-removed", f"{len(rows.removed)} row(s) removed: {_labels(rows.removed)}"))
    for changed in rows.changed:
        cells = "; ".join(f"{field} {_show(old)} -> {_show(new)}" for field, (old, new) in changed["cells"].items())
        changes.append(Change("patch", name, "row-changed", f"row {_key_label(changed['key'])}: {cells}"))
    return changes


def first_release_lines(snapshot):
    """What a first release holds, for the changelog where there is nothing to compare with."""
    parts = [f"{name} ({len(snapshot.frames[name])} row(s))" if name in snapshot.frames else name
             for name in snapshot.resources]
    return [f"- first release: {len(parts)} resources: {', '.join(parts)}"]
