"""Table Schema rules: the pandera translation, and our verdict against frictionless's on broken copies."""
import functools
import json
import re
import tempfile
from pathlib import Path

import pandas as pd
import pandera.errors
import pytest
from frictionless import validate as frictionless_validate
from hypothesis import given, settings, strategies as st

from breakage import set_cell
from conftest import ROOT, copy_package
from dp import structure
from dp.pandera_schema import to_pandera
from dp.source import as_view
from dp.tableschema import read_text_frame, typed_frame
from dp.validate import foreign_key_problems, resource_problems, validate_package
from test_validate import CELL_BREAKS

SCHEMA_RULES = {"type", "enum", "pattern", "unique", "required", "minimum", "maximum", "minLength", "maxLength", "foreign-key"}


def schema(name):
    return json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))


def test_dates_become_datetimes_and_optional_numbers_stay_nullable():
    typed, _ = typed_frame(read_text_frame(ROOT / "data" / "metrics.csv"), schema("metrics"))
    to_pandera(schema("metrics")).validate(typed)
    assert pd.api.types.is_datetime64_any_dtype(typed["as_of"])
    assert typed["value"].isna().sum() == 1 and str(typed["value"].dtype) == "Float64"


@pytest.mark.parametrize("column", [pd.Series(["a", "b"], dtype=object), pd.Series([1, 2], dtype=object),
                                    pd.Series([1.5, 2.0], dtype="Float64"), pd.Series(["a", "b"], dtype="category")],
                         ids=["object text", "object numbers", "Float64", "category"])
def test_a_string_field_takes_a_column_of_the_string_dtype_only(column):
    table = {"fields": [{"name": "s", "type": "string"}]}
    to_pandera(table).validate(pd.DataFrame({"s": column.astype("string")}))
    with pytest.raises(pandera.errors.SchemaError, match="to have type"):
        to_pandera(table).validate(pd.DataFrame({"s": column}))


def test_integers_are_nullable_when_not_required():
    table = {"fields": [{"name": "n", "type": "integer"}], "missingValues": [""]}
    typed, _ = typed_frame(pd.DataFrame({"n": ["1", ""]}), table)
    to_pandera(table).validate(typed)
    assert str(typed["n"].dtype) == "Int64" and typed["n"].isna().tolist() == [False, True]


@pytest.mark.parametrize("constraint,good,bad", [
    ({"enum": ["a", "b"]}, "a", "c"),
    ({"pattern": "m[0-9]{3}"}, "m001", "m001x"),
    ({"minLength": 2}, "ab", "a"),
    ({"required": True}, "a", ""),
])
def test_each_string_constraint_is_translated(constraint, good, bad):
    table = {"fields": [{"name": "s", "type": "string", "constraints": constraint}], "missingValues": [""]}
    schema_ = to_pandera(table)
    schema_.validate(typed_frame(pd.DataFrame({"s": [good]}), table)[0])
    with pytest.raises(pandera.errors.SchemaError):
        schema_.validate(typed_frame(pd.DataFrame({"s": [bad]}), table)[0])


def test_date_bounds_are_compared_as_dates():
    table = {"fields": [{"name": "d", "type": "date", "constraints": {"minimum": "2014-01-01"}}], "missingValues": [""]}
    schema_ = to_pandera(table)
    schema_.validate(typed_frame(pd.DataFrame({"d": ["2014-01-01"]}), table)[0])
    with pytest.raises(pandera.errors.SchemaError):
        schema_.validate(typed_frame(pd.DataFrame({"d": ["2013-12-31"]}), table)[0])


def ours(descriptor_path):
    return {(p.resource, p.row) for p in validate_package(descriptor_path) if p.rule in SCHEMA_RULES}


def frictionless_verdict(descriptor_path, **options):
    report = frictionless_validate(str(descriptor_path), **options)
    return {(task.name, error.row_number) for task in report.tasks for error in task.errors
            if getattr(error, "row_number", None) is not None}


SCHEMA_BREAKS = [case for case in CELL_BREAKS if case[4] in SCHEMA_RULES]


@pytest.mark.parametrize("resource,row_id,field,value,rule", SCHEMA_BREAKS,
                         ids=[f"{c[4]}:{c[0]}.{c[2]}={c[3]!r}" for c in SCHEMA_BREAKS])
def test_our_verdict_equals_frictionless_on_each_broken_copy(package_copy, resource, row_id, field, value, rule):
    set_cell(package_copy, resource, row_id, field, value)
    expected = frictionless_verdict(package_copy)
    assert expected, "the break must be one frictionless sees"
    assert ours(package_copy) == expected


TYPED_FIELDS = [(resource, f["name"], f["type"]) for resource in ("metrics", "events", "places", "sources")
                for f in schema(resource)["fields"] if f["name"] != "id"]
# Bad (and good) cells a person might type; NaN/inf and Python's '1_000' are left out on purpose:
# frictionless reads them as numbers, this package's plain-number rule does not.
CELLS = st.one_of(
    st.sampled_from(["", "x", "9,000", "62%", "-1", "0", "101", "1e3", "2017-02-30", "2017-3-4", "2013-12-31",
                     "2017-03-25", "count", "more_than", "IRQ", "iraq", "m001", "true", " 5", "12.5"]),
    st.from_regex(r"[a-z0-9 .,%-]{1,8}", fullmatch=True),
)


@functools.cache
def real_tables():
    """The real package's tables as the gate reads them: the targets of the swept table's foreign keys."""
    view = as_view(ROOT / "datapackage.json")
    _, resources = structure.named_resources(view.descriptor())
    return {name: resource_problems(resource, view, structure.load_schema(resource, view, resources)[1])[1]
            for name, resource in structure.tabular(resources).items()}


def ours_on_resource(descriptor_path, name):
    """Our Table Schema verdict on one resource of a package: its cells and its foreign keys."""
    view = as_view(descriptor_path)
    _, resources = structure.named_resources(view.descriptor())
    found, table = resource_problems(resources[name], view, structure.load_schema(resources[name], view, resources)[1])
    if table is not None:
        found += foreign_key_problems(table, real_tables() | {name: table})
    return {(p.resource, p.row) for p in found if p.rule in SCHEMA_RULES}


@settings(max_examples=30, deadline=None)
@given(target=st.sampled_from(TYPED_FIELDS), row=st.integers(0, 1), value=CELLS)
def test_swept_bad_values_get_frictionless_verdict(target, row, value):
    """Only the resource changed is validated, by both: the other resources are the real ones."""
    resource, field, kind = target
    ids = read_text_frame(ROOT / "data" / f"{resource}.csv")["id"]
    with tempfile.TemporaryDirectory() as folder:
        copied = copy_package(Path(folder))
        line = set_cell(copied, resource, ids.iloc[row % len(ids)], field, value)
        found = ours_on_resource(copied, resource)
        theirs = frictionless_verdict(copied, resource_name=resource)
        assert theirs <= found, "we must be at least as strict as frictionless"
        expected = theirs | ({(resource, line)} if stricter_on_purpose(kind, value) else set())
        assert found == expected


def stricter_on_purpose(kind, value):
    """Cells frictionless reads and this package does not (docs/validation.md): a number or date with
    spaces around it, and a date whose month or day is not written with two digits."""
    if kind not in ("number", "integer", "date") or not value.strip():
        return False
    return value != value.strip() or (kind == "date" and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value) is not None
                                      and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is None)
