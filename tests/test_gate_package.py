"""validate_package on a package of one small table, written in a temporary folder: a tenth of a second
each, so every refusal of the gate can be checked end to end, with exactly the problems a user reads."""
import json

import pytest

from dp import structure, validate

SCHEMA = {"fields": [{"name": "id"}, {"name": "n", "type": "integer"}], "primaryKey": "id"}


@pytest.fixture
def tiny(tmp_path):
    """make(change to the descriptor, CSV bytes) -> the descriptor path of a package of one table t."""
    def make(change=lambda descriptor: None, data=b"id,n\na1,1\na2,2\n"):
        (tmp_path / "t.csv").write_bytes(data)
        descriptor = {"name": "tiny", "resources": [{"name": "t", "path": "t.csv", "schema": json.loads(json.dumps(SCHEMA))}]}
        change(descriptor)
        (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
        return tmp_path / "datapackage.json"
    return make


def problems(path):
    return [(p.resource, p.rule, p.row, p.field, p.message) for p in validate.validate_package(path)]


def test_a_valid_package_has_no_problem(tiny):
    assert problems(tiny()) == []
    assert problems(tiny(lambda d: d["resources"].append({"name": "notes", "path": "t.csv"}))) == []


@pytest.mark.parametrize("key", ["path", "schema"])
def test_a_missing_file_is_reported_once_and_its_table_left_unread(tiny, key):
    assert problems(tiny(lambda d: d["resources"][0].update({key: "u.csv"}))) == [("t", "missing-file", None, None, "u.csv does not exist")]


def test_a_path_out_of_the_package_is_refused_and_never_read(tiny):
    assert problems(tiny(lambda d: d["resources"][0].update(path="../t.csv"))) == [
        ("t", "unsafe-path", None, "path", "path '../t.csv' contains '..'; every file must be inside the package"),
        ("datapackage.json", "resource-error", None, None, 'The data resource has an error: path "../t.csv" is not safe'),
    ]


def test_a_table_in_a_file_not_named_csv_is_read_as_csv(tiny, tmp_path):
    (tmp_path / "t.data").write_bytes(b"id,n\na1,x\n")
    assert problems(tiny(lambda d: d["resources"][0].update(path="t.data"))) == [
        ("t", "type", 2, "n", "'x' is not a valid integer; write a whole number such as 2439 (no spaces)")]


def test_a_refused_resource_stays_unread_when_another_is_refused_after_it(tiny):
    def two(descriptor):
        descriptor["resources"][0]["path"] = "../t.csv"
        descriptor["resources"].append({"name": "u", "path": "t.csv", "schema": {"fields": []}})
    assert [(p[0], p[1]) for p in problems(tiny(two))] == [
        ("t", "unsafe-path"), ("u", "schema-structure"), ("datapackage.json", "resource-error")]


def test_a_descriptor_frictionless_rejects_is_reported_on_datapackage_json(tiny):
    assert problems(tiny(lambda d: d.update(licenses="x"))) == [
        ("datapackage.json", "package-error", None, None, "The data package has an error: 'x' is not of type 'array' at property 'licenses'")]


def test_a_header_that_differs_from_the_schema_is_reported_and_the_rows_left_unread(tiny):
    assert problems(tiny(data=b"id,n,x\na1,1,2\na1,y,3\n")) == [
        ("t", "extra-label", None, None, "column 3 is headed 'x', and the schema has 2 fields; delete the column or add a field for it")]


@pytest.mark.parametrize("data", [b"id,n\na1,1\n\ra2,2\n", b"id,n\r\na1,1\r\n\ra2,2\r\n", b"id,n\ra1,1\r\ra2,2\r"])
def test_a_blank_line_between_line_ends_of_any_kind_is_a_blank_row_and_the_rows_after_keep_their_numbers(tiny, data):
    # Python's csv module and frictionless read a lone CR as a line end: LF then CR is a blank line.
    found = problems(tiny(data=data.replace(b"a2,2", b"a2,x")))
    assert [(rule, row) for _, rule, row, _, _ in found] == [("blank-row", 3), ("type", 4)]


@pytest.mark.parametrize("data", [b"id,n\xff\na1,1\n", b"id,n\na1,1\xff\n"])
def test_a_file_that_is_not_utf8_is_reported_as_such_in_its_header_or_its_rows(tiny, data):
    at = data.index(b"\xff")
    assert problems(tiny(data=data)) == [("t", "encoding", None, None, f"t.csv is not UTF-8 at byte {at}")]


def test_a_short_first_row_is_a_malformed_csv_not_a_header_problem(tiny):
    assert problems(tiny(data=b"id,n\na1\na2,2\n")) == [
        ("t", "malformed-csv", 2, None, "t.csv cannot be parsed as CSV: the row has 1 cell; the header has 2")]


def test_every_failure_of_the_rows_is_reported(tiny):
    assert problems(tiny(data=b"id,n\na1,x\na1,2\n\n")) == [
        ("t", "blank-row", 4, None, "a blank line; delete it"),
        ("t", "type", 2, "n", "'x' is not a valid integer; write a whole number such as 2439 (no spaces)"),
        ("t", "unique", 3, "id", "'a1' appears in an earlier row; id must be unique"),
    ]


@pytest.mark.parametrize("module,name,check", [
    (structure, "load_schema", "schema of t"),
    (structure, "dialect_problems", "dialect of t"),
    (structure, "file_problems", "file of t"),
    (validate, "resource_problems", "resource t"),
])
def test_a_step_that_fails_with_an_error_is_reported_for_its_resource_and_the_table_is_not_passed(tiny, monkeypatch, module, name, check):
    monkeypatch.setattr(module, name, lambda *args: 1 / 0)
    assert problems(tiny(data=b"id,n\na1,x\n")) == [
        ("t", "internal-error", None, None,
         f"the {check} check could not run (ZeroDivisionError: division by zero); the package is not known to be valid")]


@pytest.mark.parametrize("module,name,check,resource", [
    (structure, "named_resources", "resource-structure", "datapackage.json"),
    (validate.safety, "path_problems", "unsafe-path", "datapackage.json"),
    (validate.safety, "reference_problems", "remote-reference", "datapackage.json"),
    (validate, "descriptor_problems", "descriptor", "datapackage.json"),
    (validate, "foreign_key_problems", "foreign-key", "t"),
    (validate.safety, "injection_problems", "csv-injection", "datapackage.json"),
    (validate.semantics, "problems", "semantics", "datapackage.json"),
    (validate.provenance, "problems", "provenance", "datapackage.json"),
    (validate.releases, "problems", "releases", "datapackage.json"),
])
def test_each_check_of_the_package_that_fails_with_an_error_is_reported_by_name(tiny, monkeypatch, module, name, check, resource):
    monkeypatch.setattr(module, name, lambda *args: 1 / 0)
    assert problems(tiny()) == [
        (resource, "internal-error", None, None,
         f"the {check} check could not run (ZeroDivisionError: division by zero); the package is not known to be valid")]


def test_the_header_of_a_table_is_checked_whatever_its_file_is_called(tiny):
    descriptor = tiny(lambda d: d["resources"][0].update(path="t.txt"))
    (descriptor.parent / "t.txt").write_bytes(b"id,x\na1,1\n")
    assert problems(descriptor) == [
        ("t", "incorrect-label", None, "n", "the label 'x' of column 2 should be 'n', the schema's name for that field")]
