"""Every rule the gate knows: it fails closed when a rule or check raises, and each rule fires on its break."""
import ast
import copy
import dataclasses
import json
import os

import frictionless.errors
import pytest

import validate as validate_cli
from breakage import delete_row, edit_descriptor, refresh, set_cell
from conftest import ROOT, current_version
import test_hostile
import test_release_interrupted
import test_structural_differential
import test_validate
from dp import figures, pandera_schema, provenance, semantics, validate
from dp.pandera_schema import constraint_checks
from dp.report import Problem
from dp import rules
from dp.rules import CATALOGUE, CATEGORIES, RuleInfo
from dp.tableschema import is_tabular, read_text_frame, schema_of, typed_frame
from test_validate import where


def problems_of(descriptor_path):
    """The problems of a broken copy, less the release check's: every break edits released content."""
    return [p for p in validate.validate_package(descriptor_path) if p.rule != "released-version-changed"]


def raising(frame):
    raise RuntimeError("a bug inside the rule")


def with_raising_rule(rules, at):
    return [dataclasses.replace(rule, holds=raising) if i == at else rule for i, rule in enumerate(rules)]


# Fail closed: a rule, a check or a reader that raises is a reported problem, never silence.

def test_a_rule_that_raises_is_reported_and_the_other_rules_still_run(package_copy, monkeypatch):
    monkeypatch.setattr(semantics, "EVENT_RULES", with_raising_rule(semantics.EVENT_RULES, 0))
    line = set_cell(package_copy, "events", "e001", "note", "")  # breaks the other event rule, inference-explained
    found = problems_of(package_copy)
    internal = [p for p in found if p.rule == "internal-error"]
    assert [(p.resource, p.field, p.row) for p in internal] == [("events", "date", None)]
    assert "not-after-publication" in internal[0].message and "a bug inside the rule" in internal[0].message
    assert [(p.rule, p.row, p.row_id, p.field) for p in found if p.rule != "internal-error"] == \
        [("inference-explained", line, "e001", "note")]


def test_a_rule_that_reads_a_renamed_column_is_reported(package_copy, monkeypatch):
    rule = semantics.PLACE_RULES[0]
    renamed = dataclasses.replace(rule, holds=lambda f: (f["kind"] == "country") == f["iso3166_1_alpha3"].notna())
    monkeypatch.setattr(semantics, "PLACE_RULES", [renamed])
    found = problems_of(package_copy)
    assert [(p.resource, p.rule, p.field) for p in found] == [("places", "internal-error", "iso3166_1_alpha3")]
    assert "country-code" in found[0].message and 'KeyError("kind")' in found[0].message


def test_a_metric_rule_that_raises_is_reported(package_copy, monkeypatch):
    rules = semantics._metric_rules
    monkeypatch.setattr(semantics, "_metric_rules", lambda minimum: [
        dataclasses.replace(rule, holds=raising) if rule.name == "percent-range" and rule.field == "value" else rule
        for rule in rules(minimum)])
    found = problems_of(package_copy)
    assert [(p.resource, p.rule, p.field) for p in found] == [("metrics", "internal-error", "value")]
    assert "percent-range" in found[0].message


@pytest.mark.parametrize("module,name,check", [
    (provenance, "problems", "provenance"),
    (semantics, "problems", "semantics"),
    (validate.safety, "injection_problems", "csv-injection"),
    (validate.releases, "problems", "releases"),
    (validate, "foreign_key_problems", "foreign-key"),
    (validate, "descriptor_problems", "descriptor"),
    (validate.safety, "path_problems", "unsafe-path"),
])
def test_a_check_that_raises_is_reported_by_name(package_copy, monkeypatch, module, name, check):
    monkeypatch.setattr(module, name, lambda *args: raising(None))
    found = [p for p in problems_of(package_copy) if p.rule == "internal-error"]
    assert found, "the raising check must be reported"
    assert {f"the {check} check could not run (RuntimeError: a bug inside the rule)" in p.message for p in found} == {True}


def test_a_constraint_check_that_raises_inside_pandera_is_reported_not_passed(package_copy, monkeypatch):
    # pandera's lazy mode records a check that raised as a failure case with no row: dropped, every row would pass.
    monkeypatch.setattr(pandera_schema, "matches_pattern", lambda column, pattern: raising(column))
    found = {(p.resource, p.field): p.message for p in problems_of(package_copy) if p.rule == "internal-error"}
    assert {("metrics", "period_start"), ("events", "id")} <= found.keys()
    assert found["metrics", "period_start"] == ('the pattern constraint on period_start could not be checked '
                                                '(RuntimeError("a bug inside the rule")); no row of metrics is known to obey it')


def test_a_pandera_failure_that_names_no_cell_is_reported_not_passed(package_copy, monkeypatch):
    # pandera's own unique counts repeated missing values, then drops them from its failure cases: places'
    # iso3166_1_alpha3, empty for the cities, fails with no case left. The gate must not read that as a pass.
    column_for = pandera_schema.column_for

    def natively_unique(field, schema):
        column = column_for(field, schema)
        if field["name"] == "iso3166_1_alpha3":
            column.unique, column.checks = True, [check for check in column.checks if check.name != "unique"]
        return column

    monkeypatch.setattr(pandera_schema, "column_for", natively_unique)
    found = [p for p in problems_of(package_copy) if p.resource == "places"]
    assert [(p.rule, p.field, p.message) for p in found] == [
        ("internal-error", None, "pandera found places invalid (SERIES_CONTAINS_DUPLICATES) and named no cell; "
                                 "no row of places is known to obey its schema")]


def test_a_unique_field_may_leave_several_cells_empty_but_not_repeat_a_value(package_copy):
    path = package_copy.parent / "data" / "places.csv"
    path.write_bytes(path.read_bytes().replace(b"syria,Syria,country,SYR,", b"syria,Syria,country,IRQ,"))
    refresh(package_copy)
    assert [(p.resource, p.rule, p.row, p.field) for p in problems_of(package_copy) if p.resource == "places"] == [
        ("places", "unique", 3, "iso3166_1_alpha3")]


@pytest.mark.parametrize("expected", ["Int64", "string"])
def test_a_constraint_failure_that_is_no_table_schema_rule_is_reported_not_passed(package_copy, monkeypatch, expected):
    # pandera expects another dtype than the one the column was typed to (string: our WholeColumnString
    # still tells a column of numbers from one of text): pandera fails the column, and the gate says so.
    monkeypatch.setattr(pandera_schema, "PANDAS_DTYPES", dict(pandera_schema.PANDAS_DTYPES, number=expected))
    found = {(p.resource, p.field) for p in problems_of(package_copy) if p.rule == "internal-error"}
    assert ("metrics", "value") in found


def test_a_reader_that_raises_is_reported_for_its_resource(package_copy, monkeypatch):
    read_problems = validate.read_problems

    def read_or_raise(resource, data, schema):
        if resource["name"] == "places":
            raise MemoryError("out of memory")
        return read_problems(resource, data, schema)

    monkeypatch.setattr(validate, "read_problems", read_or_raise)
    found = problems_of(package_copy)
    # places is unread: the rules and foreign keys that need it wait; coverage waits for every table.
    assert [(p.resource, p.rule) for p in found] == [("places", "internal-error")]
    assert "resource places" in found[0].message and "MemoryError" in found[0].message


def test_the_command_line_exits_1_on_a_raising_rule(package_copy, monkeypatch, capsys):
    monkeypatch.setattr(semantics, "EVENT_RULES", with_raising_rule(semantics.EVENT_RULES, 1))
    assert validate_cli.main([str(package_copy)]) == 1
    out, err = capsys.readouterr()
    assert "events, field note: [internal-error] rule inference-explained" in out
    assert out.strip().splitlines()[-1] == "INVALID: 1 problem(s)" and err == ""


def test_a_file_that_cannot_be_read_still_exits_2(package_copy, monkeypatch, capsys):
    def unreadable(resource, data, schema):
        raise PermissionError(f"{resource['path']}: permission denied")

    monkeypatch.setattr(validate, "read_problems", unreadable)
    assert validate_cli.main([str(package_copy)]) == 2
    assert "cannot read the package: data/sources.csv: permission denied" in capsys.readouterr().err


def test_internal_error_problem_shape():
    rule = semantics.PLACE_RULES[0]
    assert semantics.internal_error(rule, 'KeyError("x")') == Problem(
        "places", "internal-error",
        'rule country-code on iso3166_1_alpha3 could not be checked (KeyError("x")); no row of places is known to obey it',
        field="iso3166_1_alpha3")


# Every rule fires: one table of minimal breaks, each with exactly the problems it must give.

SID = "us-state-2017-03-24"


def cells(*edits):
    """An edit that sets each (resource, row id, field, value) cell."""
    def edit(descriptor_path):
        for resource, row_id, field, value in edits:
            set_cell(descriptor_path, resource, row_id, field, value)
    edit.cells = edits
    return edit


def replace_in(relative, old, new, keep_integrity=False):
    """An edit that replaces old with new in one file, and refreshes bytes and hashes unless told not to."""
    def edit(descriptor_path):
        path = descriptor_path.parent / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
        if not keep_integrity:
            refresh(descriptor_path)
    return edit


def resource_entry(name, change):
    return lambda descriptor_path: edit_descriptor(
        descriptor_path, lambda d: change(next(r for r in d["resources"] if r["name"] == name)))


def constraint(resource, field, **added):
    def change(schema):
        next(f for f in schema["fields"] if f["name"] == field).setdefault("constraints", {}).update(added)
    return lambda descriptor_path: edit_json(descriptor_path.parent / "schemas" / f"{resource}.schema.json", change)


def edit_json(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def bytes_plus_one(resource):
    return resource.update(bytes=resource["bytes"] + 1)


# (id, edit, the problems it must give exactly: (resource, rule, row, row_id, field)), released-version-changed aside.
BREAKS = [
    ("percent-range", cells(*[("metrics", "m004", f, "100.0001") for f in ("value", "lower_bound", "upper_bound")]),
     [("metrics", "percent-range", 5, "m004", f) for f in ("value", "lower_bound", "upper_bound")]
     + [("metrics", "figure-in-quote", 5, "m004", "value")]),
    ("percent-100-passes", cells(*[("metrics", "m004", f, "100") for f in ("value", "lower_bound", "upper_bound")]),
     [("metrics", "figure-in-quote", 5, "m004", "value")]),
    ("part-within-whole", cells(("relations", "r001", "part", "m011"), ("relations", "r001", "whole", "m012")),
     [("relations", "part-within-whole", 2, "r001", "part")]),
    ("part-within-whole-bounds", cells(("relations", "r002", "part", "m008")),
     [("relations", "part-within-whole-bounds", 3, "r002", "part")]),
    ("exact-lower", cells(("metrics", "m004", "lower_bound", "61")), [("metrics", "qualifier-bounds", 5, "m004", "lower_bound")]),
    ("exact-upper", cells(("metrics", "m004", "upper_bound", "63")), [("metrics", "qualifier-bounds", 5, "m004", "upper_bound")]),
    ("bound-equals-value", cells(("metrics", "m007", "lower_bound", "18000")),
     [("metrics", "qualifier-bounds", 8, "m007", "lower_bound")]),
    ("bounds-order-upper", cells(("metrics", "m010", "upper_bound", "80000")),
     [("metrics", "bounds-order", 11, "m010", "upper_bound"), ("metrics", "qualifier-bounds", 11, "m010", "upper_bound")]),
    ("plain-figure-coded-hedged", cells(("metrics", "m004", "qualifier", "more_than"), ("metrics", "m004", "upper_bound", "")),
     [("metrics", "hedge-in-quote", 5, "m004", "qualifier")]),
    ("quote-states-no-figure", cells(("metrics", "m001", "quote", "Global Coalition")),
     [("metrics", "figure-in-quote", 2, "m001", "quote"), ("sources", "coverage", None, SID, None)]),
    ("archive-file-missing", cells(("sources", SID, "path", "archive/missing.txt")),
     [("sources", "archive-file", 2, SID, "path")]),
    ("archive-file-outside", cells(("sources", SID, "path", "archive/..")), [("sources", "archive-file", 2, SID, "path")]),
    ("int64-overflow", cells(("sources", SID, "bytes", "99999999999999999999")), [("sources", "type", 2, SID, "bytes")]),
    ("maximum", constraint("sources", "bytes", maximum=2000), [("sources", "maximum", 2, SID, "bytes")]),
    ("minLength", constraint("sources", "title", minLength=100), [("sources", "minLength", 2, SID, "title")]),
    ("maxLength", constraint("sources", "title", maxLength=3), [("sources", "maxLength", 2, SID, "title")]),
    ("missing-file", lambda p: (p.parent / "data" / "places.csv").unlink(), [("places", "missing-file", None, None, None)]),
    ("missing-file-in-descriptor", resource_entry("places", lambda r: r.update(path="data/nowhere.csv")),
     [("places", "missing-file", None, None, None)]),
    ("list-path", resource_entry("places", lambda r: r.update(path=["data/places.csv", "data/places.csv"])),
     [("places", "unsafe-path", None, None, "path")]),
    ("backslash-path", resource_entry("places", lambda r: r.update(path="data\\..\\..\\places.csv")),
     [("places", "unsafe-path", None, None, "path")]),
    ("backslash-absolute-path", resource_entry("places", lambda r: r.update(path="\\data\\places.csv")),
     [("places", "unsafe-path", None, None, "path")]),
    ("malformed-csv", replace_in("data/places.csv", "Mosul,city", '"Mosul,city'), [("places", "malformed-csv", 5, None, None)]),
    ("byte-and-hash-count", replace_in("data/places.csv", "taken together", "taken  together", keep_integrity=True),
     [("places", "byte-count", None, None, None), ("places", "hash-count", None, None, None)]),
    ("hash-count", replace_in("data/places.csv", "taken together", "taken_together", keep_integrity=True),
     [("places", "hash-count", None, None, None)]),
    ("byte-count", resource_entry("places", bytes_plus_one), [("places", "byte-count", None, None, None)]),
    ("encoding-bom", lambda p: ((p.parent / "data" / "indicators.csv").write_bytes(
        b"\xef\xbb\xbf" + (p.parent / "data" / "indicators.csv").read_bytes()), refresh(p)),
     [("indicators", "encoding", None, None, None)]),
    ("package-error", lambda p: edit_descriptor(p, lambda d: d.update(licenses="public domain")),
     [("datapackage.json", "package-error", None, None, None)]),
    ("duplicate-label", replace_in("data/places.csv", "id,name,", "id,id,"), [("places", "duplicate-label", None, None, "name")]),
    ("blank-label", replace_in("data/places.csv", ",note\n", ",\n"), [("places", "blank-label", None, None, "note")]),
    ("coverage", lambda p: delete_row(p, "exclusions", "x001"), [("sources", "coverage", None, SID, None)]),
    ("changelog-missing-version", lambda p: edit_descriptor(p, lambda d: d.update(version="99.0.0")),
     [("CHANGELOG.md", "changelog-missing-version", None, None, None)]),
    ("stated-date-precision", cells(("metrics", "m012", "period_start_basis", "stated_date")), []),
    ("more-than-lower-bound-empty", cells(("metrics", "m007", "lower_bound", "")),
     [("metrics", "qualifier-bounds", 8, "m007", "lower_bound")]),
    ("exact-value-empty", cells(("metrics", "m004", "value", "")),
     [("metrics", "qualifier-bounds", 5, "m004", f) for f in ("value", "lower_bound", "upper_bound")]
     + [("metrics", "figure-in-quote", 5, "m004", "value")]),
    ("part-and-whole-differ", cells(("relations", "r001", "whole", "m001")),
     [("relations", "part-within-whole", 2, "r001", "part"), ("relations", "part-within-whole-bounds", 2, "r001", "part"),
      ("relations", "same-unit", 2, "r001", "whole")]),
    # a table that cannot be read: the rules that need it wait, none reports a row it cannot judge
    ("missing-sources", lambda p: (p.parent / "data" / "sources.csv").unlink(), [("sources", "missing-file", None, None, None)]),
    ("missing-indicators", lambda p: (p.parent / "data" / "indicators.csv").unlink(),
     [("indicators", "missing-file", None, None, None)]),
    ("missing-metrics", lambda p: (p.parent / "data" / "metrics.csv").unlink(), [("metrics", "missing-file", None, None, None)]),
    ("release-record-unreadable", lambda p: (p.parent / "releases" / f"{current_version()}.json").write_text("[]", encoding="utf-8"),
     [("releases", "release-record-unreadable", None, None, None)]),
]


@pytest.mark.parametrize("edit,expected", [case[1:] for case in BREAKS], ids=[case[0] for case in BREAKS])
def test_each_break_gives_exactly_its_problems(package_copy, edit, expected):
    edit(package_copy)
    assert where(problems_of(package_copy)) == sorted(expected, key=repr)


def test_released_content_that_changed_is_named_per_file(package_copy):
    set_cell(package_copy, "places", "iraq", "note", "A country.")
    assert where(validate.validate_package(package_copy)) == [
        ("datapackage.json", "released-version-changed", None, None, None),
        ("places", "released-version-changed", None, None, None)]


# The catalogue (dp.rules) holds every rule the code can name, and every rule in it has a break.

# Rules whose break is a test of its own rather than a row of BREAKS or CELL_BREAKS.
BROKEN_ELSEWHERE = {
    "internal-error": test_a_rule_that_raises_is_reported_and_the_other_rules_still_run,
    "released-version-changed": test_released_content_that_changed_is_named_per_file,
    "extra-label": test_validate.test_missing_extra_or_reordered_columns_are_caught,
    "missing-label": test_validate.test_missing_extra_or_reordered_columns_are_caught,
    "incorrect-label": test_validate.test_missing_extra_or_reordered_columns_are_caught,
    "remote-reference": test_hostile.test_a_remote_reference_is_refused_and_never_fetched,
    "resource-structure": test_hostile.test_a_resource_that_is_not_a_named_object_is_a_problem,
    "schema-structure": test_hostile.test_a_broken_table_schema_is_a_problem_not_a_traceback,
    "unsupported-schema": test_hostile.test_a_broken_table_schema_is_a_problem_not_a_traceback,
    "unsupported-pattern": test_hostile.test_a_pattern_re2_cannot_run_is_a_schema_problem,
    "unsupported-dialect": test_hostile.test_a_file_the_reader_would_read_otherwise_is_reported,
    "foreign-key-resource": test_hostile.test_a_foreign_key_to_a_missing_field_is_a_problem,
    "row-too-long": test_hostile.test_a_cell_over_a_megabyte_gets_a_plain_message,
    "changelog-unreadable": test_hostile.test_a_changelog_that_is_not_utf8_is_a_problem,
    "blank-row": test_structural_differential.test_rows_after_a_blank_line_keep_their_numbers_in_the_file,
    "release-interrupted": test_release_interrupted.test_sigkill_at_any_step_ends_released_or_as_before_after_a_rerun,
}
# Where the code names a rule with a variable, and where that name comes from (checked below).
DYNAMIC_RULE_SITES = {
    ("validate.py", "problem"): "Table.problem passes on the rule its caller names",
    ("validate.py", "descriptor_problems"): "frictionless's error type",
    ("validate.py", "constraint_problems"): "a Table Schema constraint, from _constraint_rule",
    ("semantics.py", "_run"): "a Rule's name",
    ("provenance.py", "_problems_where"): "the rule its caller names",
    ("validate.py", "validate_package"): "missing-file or unsafe-path, from PackageView.refusal",
    ("structure.py", "field_problems"): "unsupported-pattern or schema-structure, for a constraint's value",
}
RULE_ARGUMENT = {"Problem": 1, "problem": 2, "_problems_where": 3, "Rule": 1}


def rule_arguments():
    """(file, enclosing function, rule argument node) for each place scripts/dp names a rule."""
    for path in sorted((ROOT / "scripts" / "dp").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        enclosing = {}  # call -> the innermost named function around it: ast.walk visits outer ones first
        for function in [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]:
            enclosing.update({call: function.name for call in ast.walk(function) if isinstance(call, ast.Call)})
        for call in [node for node in ast.walk(tree) if isinstance(node, ast.Call)]:
            callee = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)
            if callee not in RULE_ARGUMENT:
                continue
            keyword = {"Problem": "rule", "Rule": "name"}.get(callee)
            given = [k.value for k in call.keywords if k.arg == keyword]
            at = RULE_ARGUMENT[callee]
            argument = given[0] if given else (call.args[at] if len(call.args) > at else None)
            if argument is not None:
                yield path.name, enclosing.get(call, "<module>"), argument


def test_every_rule_the_code_names_is_in_the_catalogue():
    named, dynamic = set(), set()
    for file, function, argument in rule_arguments():
        if isinstance(argument, ast.Constant):
            named.add(argument.value)
        else:
            dynamic.add((file, function))
    assert named - CATALOGUE.keys() == set()
    assert dynamic <= DYNAMIC_RULE_SITES.keys(), "a new place names a rule with a variable: add its source here and check it"
    constraints = {"enum": ["a"], "minimum": 1, "maximum": 2, "pattern": "a", "minLength": 1, "maxLength": 2}
    every_constraint = {rule for rule, _ in constraint_checks({"name": "x", "constraints": dict(constraints, unique=True)}, {})}
    assert every_constraint | {"required", "unique"} <= CATALOGUE.keys()
    assert {rule.name for rule in semantics.all_rules()} <= CATALOGUE.keys()


def test_the_catalogue_has_no_rule_without_a_break():
    broken = {case[4] for case in test_validate.CELL_BREAKS} | set(BROKEN_ELSEWHERE)
    broken |= {problem[1] for _, _, expected in BREAKS for problem in expected}
    ours = {code for code, info in CATALOGUE.items() if info.origin == "ours"}
    assert ours - broken == set(), "each rule needs a break in BREAKS or CELL_BREAKS"
    assert broken - CATALOGUE.keys() == set()


def test_each_catalogue_entry_is_described():
    for code, info in CATALOGUE.items():
        assert info.category in CATEGORIES and info.title and info.description, code


# The catalogue built afresh (CATALOGUE is built once, when dp.rules is imported).

def test_the_catalogue_gives_each_semantic_rule_every_wording_once_and_where_it_applies():
    built = {info.code: info for info in rules._semantic_rules()}
    assert list(built) == list(dict.fromkeys(rule.name for rule in semantics.all_rules()))
    assert built["not-after-publication"] == RuleInfo(
        "not-after-publication", "semantic", "Not after publication",
        "as_of must not be after the source's publication date; date must not be after the source's publication date",
        (("metrics", "as_of"), ("events", "date")))
    assert built["inference-explained"].description == "a date whose year is inferred needs a note that says how"
    assert built["inference-explained"].where == (("metrics", "note"), ("events", "note"))
    assert built["bounds-order"].where == (("metrics", "lower_bound"), ("metrics", "upper_bound"))
    assert built["percent-range"].description.count("; ") == 2 and built["qualifier-bounds"].description.count("; ") == 11
    assert built["period-start-before-as-of"].title == "Period start before as of"


def test_the_catalogue_passes_on_only_the_frictionless_errors_not_tied_to_a_row():
    passed = {info.code: info for info in rules._frictionless_rules({"hash-count"})}
    assert passed["extra-label"] == RuleInfo("extra-label", "structure", "Extra Label",
                                             frictionless.errors.ExtraLabelError.description, origin="frictionless")
    assert {"missing-label", "package-error", "resource-error", "encoding-error", "blank-header"} <= passed.keys()
    assert not {"hash-count", "type-error", "constraint-error", "missing-cell", "blank-row", "primary-key"} & passed.keys()
    assert all(info.origin == "frictionless" and info.category == "structure" and info.title for info in passed.values())


def test_in_the_catalogue_our_rules_stand_before_frictionless_errors_of_the_same_code():
    built = rules._catalogue()
    assert built.keys() == CATALOGUE.keys()
    assert (built["byte-count"].origin, built["encoding"].origin, built["extra-label"].origin) == ("ours", "ours", "ours")
    assert (built["package-error"].origin, built["extra-label"].title) == ("frictionless", "Extra label")
    assert built["missing-file"] == RuleInfo("missing-file", "structure", "Missing file", "a resource's path names no file in the package")
    assert built["archive-hash"].where == (("sources", "sha256"),) and built["same-unit"].category == "semantic"


# The pieces the rules are built from, in-process and fast.

@pytest.mark.parametrize("quote,figure", [
    ("On March 22, 68 members met", ("number", 68.0, "On March 22, ")),  # the day of a date is no figure
    ("since its peak in 2014, 30 percent", ("number", 30.0, "since its peak in 2014, ")),  # nor is a year
    ("on Mar. 5, 2016 over 1,200 strikes", ("number", 1200.0, "on Mar. 5, 2016 over ")),
    ("more than half since 2014", ("number", 50, "more than ")),
    ("tens of thousands of fighters", ("vague", (10_000, 100_000), "")),
    ("hundreds of thousands of people", ("vague", (100_000, 1_000_000), "")),
    ("nearly 90,000.5 members", ("number", 90000.5, "nearly ")),
    ("on November 5", None),
    ("Global Coalition", None),
], ids=lambda value: None if isinstance(value, str) and " " not in value else "case")
def test_first_figure_skips_dates_and_prefers_the_longest_phrase(quote, figure):
    assert figures.first_figure(quote) == figure


@pytest.mark.parametrize("kind,before,qualifier", [
    ("vague", "nearly ", "order_of_magnitude"), ("number", "more than ", "more_than"), ("number", "killing over ", "more_than"),
    ("number", "trained nearly ", "nearly"), ("number", "almost", "nearly"), ("number", "liberated ", "exact"),
    ("number", "moreover ", "exact"), ("number", "nearly all of the ", "exact"),
    # Only the end is read: the hedge, with the character before it, and any whitespace after it.
    ("number", "xmore than ", "exact"), ("number", "a long sentence that runs on and then more than\t\n ", "more_than"),
    ("number", "over\u00a0", "more_than"), ("number", "more than nearly", "nearly"), ("number", "", "exact"),
])
def test_the_hedge_right_before_a_figure_is_its_qualifier(kind, before, qualifier):
    assert figures.qualifier_of(kind, before) == qualifier


def test_month_names_and_abbreviations_are_numbered():
    assert [figures.month_number(name) for name in ("January", "Feb", "Sept", "May", "December")] == [1, 2, 9, 5, 12]
    assert [figures.date_of(m) for m in figures.DATE.finditer("from Mar. 5, 2016 to June 7")] == [(3, 5, 2016), (6, 7, None)]


def test_an_integer_beyond_int64_is_unparsable_and_its_neighbours_are_kept():
    import pyarrow as pa
    from dp.tableschema import _cast
    values = _cast(pa.chunked_array([pa.array(["1", "99999999999999999999", None, "-3"])]), pa.int64())
    assert values.to_pylist() == [1, None, None, -3]


# The same cell breaks, checked in-process on frames without copying files: the rules, keys and
# provenance checks of validate_package, less the header check and the file checks.
# About twenty times faster, so that mutation testing (make mutation) runs them first.

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
TEXT = {r["name"]: read_text_frame(ROOT / r["path"]) for r in DESCRIPTOR["resources"] if is_tabular(r)}


def checked_table(resource, text):
    """A table read from its text frame, and its type and constraint problems."""
    schema = schema_of(resource, ROOT)
    typed, unparsable = typed_frame(text, schema)
    table = validate.Table(resource["name"], resource, schema, text, typed)
    return table, validate.row_problems(table, unparsable)


# An untouched table is checked once per test process, and once per mutant under make mutation
# (mutmut names the mutant it runs in MUTANT_UNDER_TEST), then copied for each break.
UNTOUCHED = {}


def untouched_table(resource):
    key = (resource["name"], os.environ.get("MUTANT_UNDER_TEST"))
    if key not in UNTOUCHED:
        UNTOUCHED[key] = checked_table(resource, TEXT[resource["name"]].copy())
    table, problems = UNTOUCHED[key]
    return copy.deepcopy(table), list(problems)


def in_process_context(edits, without=()):
    """The Context of the package with edits, and the problems of its tables and keys."""
    tables, problems = {}, []
    for resource in DESCRIPTOR["resources"]:
        if not is_tabular(resource) or resource["name"] in without:
            continue
        if any(name == resource["name"] for name, *_ in edits):
            text = TEXT[resource["name"]].copy()
            for name, row_id, field, value in edits:
                if name == resource["name"]:
                    text.loc[text["id"] == row_id, field] = value
            table, found = checked_table(resource, text)
        else:
            table, found = untouched_table(resource)
        problems += found
        tables[table.name] = table
    for table in tables.values():
        problems += validate.foreign_key_problems(table, tables)
    context = validate.Context(ROOT, ROOT / "datapackage.json", DESCRIPTOR, tables)
    return context, problems


def in_process_problems(edits, without=()):
    context, problems = in_process_context(edits, without)
    return problems + validate.safety.injection_problems(context.tables) + semantics.problems(context) + provenance.problems(context)


IN_PROCESS_BREAKS = [
    ([case[:4]], [(case[0], case[4], None, case[3] if case[2] == "id" else case[1], case[2])]
     + [(r, rule, None, row_id, f) for r, rule, _, row_id, f in test_validate.ALSO.get(case[:4], [])])
    for case in test_validate.CELL_BREAKS
] + [(edit.cells, [(r, rule, None, row_id, f) for r, rule, _, row_id, f in expected])
     for _, edit, expected in BREAKS if hasattr(edit, "cells")] + [
    # In-process only: a bound that failed its type is not compared with the quote's vague amount too.
    ([("metrics", "m008", "lower_bound", "lots")], [("metrics", "type", None, "m008", "lower_bound")]),
    ([("metrics", "m008", "upper_bound", "lots")], [("metrics", "type", None, "m008", "upper_bound")]),
    # Two rows of one column break two ways: both cells stay unknown to the later rules.
    ([("metrics", "m001", "value", "abc"), ("metrics", "m002", "value", "-1")],
     [("metrics", "type", None, "m001", "value"), ("metrics", "minimum", None, "m002", "value")]),
    # A period_start that breaks its pattern is not also reported as missing for its basis.
    ([("metrics", "m006", "period_start", "2014x")],
     [("metrics", "pattern", None, "m006", "period_start"), ("metrics", "date-in-quote", None, "m006", "period_start")]),
]


@pytest.mark.parametrize("edits,expected", IN_PROCESS_BREAKS,
                         ids=[f"{n}-" + "-".join(f"{r}.{i}.{f}" for r, i, f, _ in e) for n, (e, _) in enumerate(IN_PROCESS_BREAKS)])
def test_each_cell_break_in_process(edits, expected):
    found = sorted(((p.resource, p.rule, None, p.row_id, p.field) for p in in_process_problems(edits)), key=repr)
    assert found == sorted(expected, key=repr)


def test_the_untouched_tables_pass_in_process():
    assert in_process_problems([]) == []


# The wording a user reads for each rule no Table Schema can express (reviewed; change it here on purpose).
RULE_WORDING = [
    ("metrics", "qualifier-bounds", "value", "with qualifier exact, value must be given"),
    ("metrics", "qualifier-bounds", "lower_bound", "with qualifier exact, lower_bound must equal value"),
    ("metrics", "qualifier-bounds", "upper_bound", "with qualifier exact, upper_bound must equal value"),
    ("metrics", "qualifier-bounds", "value", "with qualifier more_than, value must be given"),
    ("metrics", "qualifier-bounds", "lower_bound", "with qualifier more_than, lower_bound must equal value"),
    ("metrics", "qualifier-bounds", "upper_bound", "with qualifier more_than, upper_bound must be empty"),
    ("metrics", "qualifier-bounds", "value", "with qualifier nearly, value must be given"),
    ("metrics", "qualifier-bounds", "lower_bound", "with qualifier nearly, lower_bound must be empty"),
    ("metrics", "qualifier-bounds", "upper_bound", "with qualifier nearly, upper_bound must equal value"),
    ("metrics", "qualifier-bounds", "value", "with qualifier order_of_magnitude, value must be empty"),
    ("metrics", "qualifier-bounds", "lower_bound", "with qualifier order_of_magnitude, lower_bound must be given"),
    ("metrics", "qualifier-bounds", "upper_bound", "with qualifier order_of_magnitude, upper_bound must be given"),
    ("metrics", "percent-range", "value", "a percent value must lie between 0 and 100"),
    ("metrics", "percent-range", "lower_bound", "a percent lower_bound must lie between 0 and 100"),
    ("metrics", "percent-range", "upper_bound", "a percent upper_bound must lie between 0 and 100"),
    ("metrics", "bounds-order", "lower_bound", "lower_bound must not exceed value or upper_bound"),
    ("metrics", "bounds-order", "upper_bound", "upper_bound must not be below value"),
    ("metrics", "unit-matches-indicator", "unit", "unit must equal the unit of the indicator in indicators.csv"),
    ("metrics", "not-after-publication", "as_of", "as_of must not be after the source's publication date"),
    ("metrics", "publication-date-basis", "as_of", "as_of_basis publication_date means as_of must equal the source's publication date"),
    ("metrics", "period-start-date", "period_start", "period_start must be a real calendar date (YYYY or YYYY-MM-DD)"),
    ("metrics", "period-start-before-as-of", "period_start", "period_start must not be after as_of"),
    ("metrics", "period-start-in-span", "period_start", "period_start must not be before 2014-01-01, where the span of as_of starts"),
    ("metrics", "period-start-basis", "period_start_basis",
     "period_start_basis must be given exactly when period_start is, at the precision it names"),
    ("metrics", "inference-explained", "note", "a date whose year is inferred needs a note that says how"),
    ("events", "not-after-publication", "date", "date must not be after the source's publication date"),
    ("events", "inference-explained", "note", "a date whose year is inferred needs a note that says how"),
    ("places", "country-code", "iso3166_1_alpha3", "a country needs its ISO 3166-1 alpha-3 code, and only a country has one"),
    ("relations", "part-within-whole", "part", "the part's value must not exceed the whole's value"),
    ("relations", "part-within-whole-bounds", "part", "the part's lower_bound must not exceed the whole's upper_bound"),
    ("relations", "same-unit", "whole", "part and whole must have the same unit"),
]


def test_each_semantic_rule_says_what_it_checks():
    assert [(r.resource, r.name, r.field, r.message) for r in semantics.all_rules("2014-01-01")] == RULE_WORDING
    assert semantics.all_rules()[22].message == "period_start must not be before the minimum of as_of, where the span of as_of starts"


def test_a_broken_rule_reports_its_wording_and_the_span_from_the_schema():
    found = in_process_problems([("metrics", "m006", "period_start", "2013")])
    assert [p.message for p in found if p.rule == "period-start-in-span"] == [RULE_WORDING[22][3]]


def test_in_process_a_crashing_rule_is_reported_with_the_others(monkeypatch):
    monkeypatch.setattr(semantics, "PLACE_RULES", with_raising_rule(semantics.PLACE_RULES, 0))
    monkeypatch.setattr(semantics, "RELATION_RULES", with_raising_rule(semantics.RELATION_RULES, 2))
    found = in_process_problems([("relations", "r001", "part", "m011"), ("relations", "r001", "whole", "m012")])
    assert [(p.resource, p.rule, p.row, p.field, p.message) for p in found] == [
        ("places", "internal-error", None, "iso3166_1_alpha3",
         'rule country-code on iso3166_1_alpha3 could not be checked (RuntimeError("a bug inside the rule")); '
         'no row of places is known to obey it'),
        ("relations", "part-within-whole", 2, "part", "the part's value must not exceed the whole's value"),
        ("relations", "internal-error", None, "whole",
         'rule same-unit on whole could not be checked (RuntimeError("a bug inside the rule")); no row of relations is known to obey it'),
    ]


@pytest.mark.parametrize("unread", ["indicators", "sources", "metrics", "places"])
def test_in_process_a_table_left_unread_makes_no_rule_report_a_row(unread):
    assert in_process_problems([], without=(unread,)) == []


@pytest.mark.parametrize("path,reason", [
    ("archive/missing.txt", "does not exist"),
    ("archive/..", "contains '..'; every file must be inside the package"),
])
def test_an_archived_copy_that_cannot_be_read_says_why_and_is_not_read(path, reason):
    found = in_process_problems([("sources", test_validate.SOURCE_ID, "path", path)])
    assert [(p.resource, p.rule, p.row, p.row_id, p.field, p.message) for p in found] == [
        ("sources", "archive-file", 2, test_validate.SOURCE_ID, "path", f"archived copy {path!r} {reason}")]


ARCHIVED = "17b288dfc9ed5132839f0a5f94730b0ec26079647c52413e770b289b205ed0fc"


@pytest.mark.parametrize("edits,expected", [
    ([("events", "e001", "date_basis", "stated_date")],
     [("events", "date-in-quote", 2, "e001", "date_basis", "the quote gives no year, so date_basis must be stated_day_inferred_year")]),
    ([("events", "e002", "date_basis", "stated_day_inferred_year")],
     [("events", "inference-explained", 3, "e002", "note", "a date whose year is inferred needs a note that says how"),
      ("events", "date-in-quote", 3, "e002", "date_basis", "the quote gives year, so date_basis must be stated_date")]),
    ([("sources", test_validate.SOURCE_ID, "bytes", "1")],
     [("sources", "archive-bytes", 2, test_validate.SOURCE_ID, "bytes", "the archived copy has 2439 bytes, not 1")]),
    ([("sources", test_validate.SOURCE_ID, "sha256", "0" * 64)],
     [("sources", "archive-hash", 2, test_validate.SOURCE_ID, "sha256", f"the archived copy's sha256 is {ARCHIVED}, not {'0' * 64}")]),
])
def test_a_date_basis_or_an_archived_copy_that_disagrees_says_what_is_expected(edits, expected):
    assert [(p.resource, p.rule, p.row, p.row_id, p.field, p.message) for p in in_process_problems(edits)] == expected


def test_the_quote_search_is_made_again_for_other_texts_of_the_same_package():
    context, _ = in_process_context([])
    texts, _ = provenance._source_texts(context)
    assert provenance.quote_search_problems(context, texts, coverage=False)[0] == []
    found = provenance.quote_search_problems(context, {source: "" for source in texts}, coverage=False)[0]
    quoted = sum(len(table.text) for table in context.tables.values() if "quote" in table.text.columns)
    assert {p.rule for p in found} == {"quote-verbatim"} and len(found) == quoted


@pytest.mark.parametrize("edits,expected", [
    ([("metrics", "m009", "quote", "")],
     [("metrics", "required", 10, "quote", "quote is required and may not be empty"),
      ("metrics", "figure-in-quote", 10, "quote", "the quote states no figure; quote the span that states the number"),
      ("sources", "coverage", None, None, "'180' (line 11 of us-state-2017-03-24) is in no quote of metrics, events or exclusions; "
       "code it, or add it to exclusions.csv with the reason")]),
    ([("events", "e002", "date", "2017-02-24")], [("events", "date-in-quote", 3, "date", "the quote dates the event January 24")]),
    ([("events", "e001", "quote", "U.S. Secretary of State")],  # a quote with no date: only what it no longer covers
     [("sources", "coverage", None, None, "'March 22' (line 5 of us-state-2017-03-24) is in no quote of metrics, events or exclusions; "
       "code it, or add it to exclusions.csv with the reason")]),
])
def test_a_quote_without_its_figure_or_date_says_what_it_misses(edits, expected):
    assert [(p.resource, p.rule, p.row, p.field, p.message) for p in in_process_problems(edits)] == expected


@pytest.mark.parametrize("edits,expected", [
    ([("metrics", "m012", "period_start", "2016-11-06")], [("metrics", "date-in-quote", 13, "period_start", "the quote dates the start to November 5")]),
    ([("metrics", "m012", "period_start", "2017-11-05")], []),  # the quote gives no year: any year holds for the day
    ([("metrics", "m006", "period_start", "2015")], [("metrics", "date-in-quote", 7, "period_start", "the quote dates the start to the year 2014")]),
    ([("metrics", "m006", "period_start", "2014-05-01")], [("metrics", "date-in-quote", 7, "period_start", "the quote dates the start to the year 2014")]),
])
def test_a_period_start_is_the_day_or_year_its_quote_writes(edits, expected):
    found = [(p.resource, p.rule, p.row, p.field, p.message) for p in in_process_problems(edits) if p.rule == "date-in-quote"]
    assert found == expected


def test_quotes_read_a_few_at_a_time_give_what_reading_them_at_once_gives(monkeypatch):
    """Each distinct quote is read in chunks of rows; a chunk of one row, whose answers all differ
    in type from the next one's (None here, a number there), changes nothing."""
    edits = [("metrics", "m007", "value", "19001"), ("metrics", "m004", "qualifier", "more_than"), ("metrics", "m004", "upper_bound", ""),
             ("metrics", "m009", "quote", ""),
             ("metrics", "m006", "period_start", "2015"), ("events", "e002", "date", "2017-02-24")]
    whole = [dataclasses.astuple(p) for p in in_process_problems(edits)]
    monkeypatch.setattr(provenance, "DESCRIBE_CHUNK", 1)
    assert [dataclasses.astuple(p) for p in in_process_problems(edits)] == whole
    assert {p[1] for p in whole} >= {"figure-in-quote", "hedge-in-quote", "date-in-quote"}
