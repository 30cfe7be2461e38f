"""Every rule the gate knows: it fails closed when a rule or check raises, and each rule fires on its break."""
import dataclasses

import pytest

import validate as validate_cli
from breakage import set_cell
from conftest import ROOT
from dp import provenance, semantics, validate
from dp.report import Problem


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


def test_a_reader_that_raises_is_reported_for_its_resource(package_copy, monkeypatch):
    read_table = validate.read_table

    def read_or_raise(resource, data, schema):
        if resource["name"] == "places":
            raise MemoryError("out of memory")
        return read_table(resource, data, schema)

    monkeypatch.setattr(validate, "read_table", read_or_raise)
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


def test_internal_error_problem_shape():
    rule = semantics.PLACE_RULES[0]
    assert semantics.internal_error(rule, 'KeyError("x")') == Problem(
        "places", "internal-error",
        'rule country-code on iso3166_1_alpha3 could not be checked (KeyError("x")); no row of places is known to obey it',
        field="iso3166_1_alpha3")
