"""Rules that no Table Schema can express, run as pandera checks over joined frames.

Each rule is a Rule(resource, name, field, message, holds), where holds(frame) returns a
boolean Series that is True on the rows that obey it. The rules that tie one figure to
another are not written here per row: they are read from relations.csv.
"""
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from dp.pandera_schema import validate_lazily
from dp.report import Problem
from dp.tableschema import PANDAS_DTYPES, fields_by_name, isin, lookup, lookup_columns


# How each qualifier ties value to its bounds: "value" (equals value), "empty", or "present".
QUALIFIER_BOUNDS = {
    "exact": {"value": "present", "lower_bound": "value", "upper_bound": "value"},
    "more_than": {"value": "present", "lower_bound": "value", "upper_bound": "empty"},
    "nearly": {"value": "present", "lower_bound": "empty", "upper_bound": "value"},
    "order_of_magnitude": {"value": "empty", "lower_bound": "present", "upper_bound": "present"},
}
INFERRED_BASES = ("stated_day_inferred_year",)
PERIOD_PRECISION = {"stated_year": 4, "stated_date": 10, "stated_day_inferred_year": 10}


@dataclass(frozen=True)
class Rule:
    resource: str
    name: str
    field: str
    message: str
    holds: Callable[[pd.DataFrame], pd.Series]
    uses: tuple = ()  # the columns it reads besides field: a row where one failed its schema is skipped


def _implies(condition, consequence):
    return (~condition.fillna(False).astype(bool)) | consequence.fillna(True).astype(bool)


def _le(left, right):
    """left <= right wherever both are known."""
    return ((left <= right) | pd.isna(left) | pd.isna(right)).fillna(True).astype(bool)


def _bound_rule(qualifier, column, expected):
    def holds(frame):
        applies = frame["qualifier"] == qualifier
        if expected == "empty":
            ok = frame[column].isna()
        elif expected == "present":
            ok = frame[column].notna()
        else:
            ok = (frame[column] == frame["value"]).fillna(False).astype(bool)
        return _implies(applies, ok)

    wording = {"empty": "must be empty", "present": "must be given", "value": "must equal value"}[expected]
    return Rule("metrics", "qualifier-bounds", column, f"with qualifier {qualifier}, {column} {wording}", holds,
                ("qualifier", "value"))


def _percent_rule(column):
    return Rule("metrics", "percent-range", column, f"a percent {column} must lie between 0 and 100",
                lambda f: _implies(f["unit"] == "percent", _le(f[column], 100)), ("unit",))


def period_start_dates(frame):
    """The first day of each period_start (2014 -> 2014-01-01); NaT where empty or not a real date."""
    text = frame["period_start"].astype("string")
    padded = text.where(text.str.len() != 4, text + "-01-01")
    return pd.to_datetime(padded, format="%Y-%m-%d", errors="coerce")


def _metric_rules(as_of_minimum):
    rules = [_bound_rule(q, column, expected) for q, spec in QUALIFIER_BOUNDS.items() for column, expected in spec.items()]
    rules += [_percent_rule(column) for column in ("value", "lower_bound", "upper_bound")]
    rules += [
        Rule("metrics", "bounds-order", "lower_bound", "lower_bound must not exceed value or upper_bound",
             lambda f: _le(f["lower_bound"], f["value"]) & _le(f["lower_bound"], f["upper_bound"]), ("value", "upper_bound")),
        Rule("metrics", "bounds-order", "upper_bound", "upper_bound must not be below value",
             lambda f: _le(f["value"], f["upper_bound"]), ("value",)),
        Rule("metrics", "unit-matches-indicator", "unit", "unit must equal the unit of the indicator in indicators.csv",
             lambda f: (f["unit"] == f["indicator_unit"]).fillna(True).astype(bool), ("indicator",)),
        Rule("metrics", "not-after-publication", "as_of", "as_of must not be after the source's publication date",
             lambda f: _le(f["as_of"], f["published"]), ("source_id",)),
        Rule("metrics", "publication-date-basis", "as_of", "as_of_basis publication_date means as_of must equal the source's publication date",
             lambda f: _implies(f["as_of_basis"] == "publication_date", (f["as_of"] == f["published"]) | f["published"].isna()),
             ("as_of_basis", "source_id")),
        Rule("metrics", "period-start-date", "period_start", "period_start must be a real calendar date (YYYY or YYYY-MM-DD)",
             lambda f: _implies(f["period_start"].notna(), f["period_start_day"].notna())),
        Rule("metrics", "period-start-before-as-of", "period_start", "period_start must not be after as_of",
             lambda f: _le(f["period_start_day"], f["as_of"]), ("as_of",)),
        Rule("metrics", "period-start-in-span", "period_start", f"period_start must not be before {as_of_minimum}, where the span of as_of starts",
             lambda f: _le(pd.Series(pd.Timestamp(as_of_minimum), index=f.index), f["period_start_day"])),
        Rule("metrics", "period-start-basis", "period_start_basis", "period_start_basis must be given exactly when period_start is, at the precision it names",
             lambda f: (f["period_start"].isna() == f["period_start_basis"].isna())
             & _implies(f["period_start"].notna(), f["period_start"].str.len() == lookup(f["period_start_basis"], PERIOD_PRECISION)),
             ("period_start",)),
        Rule("metrics", "inference-explained", "note", "a date whose year is inferred needs a note that says how",
             lambda f: _implies(f["as_of_basis"].isin(INFERRED_BASES) | f["period_start_basis"].isin(INFERRED_BASES), f["note"].notna()),
             ("as_of_basis", "period_start_basis")),
    ]
    return rules


EVENT_RULES = [
    Rule("events", "not-after-publication", "date", "date must not be after the source's publication date",
         lambda f: _le(f["date"], f["published"]), ("source_id",)),
    Rule("events", "inference-explained", "note", "a date whose year is inferred needs a note that says how",
         lambda f: _implies(f["date_basis"].isin(INFERRED_BASES), f["note"].notna()), ("date_basis",)),
]

PLACE_RULES = [
    Rule("places", "country-code", "iso3166_1_alpha3", "a country needs its ISO 3166-1 alpha-3 code, and only a country has one",
         lambda f: (f["type"] == "country") == f["iso3166_1_alpha3"].notna(), ("type",)),
]

RELATION_RULES = [
    Rule("relations", "part-within-whole", "part", "the part's value must not exceed the whole's value",
         lambda f: _le(f["part_value"], f["whole_value"]), ("whole",)),
    Rule("relations", "part-within-whole-bounds", "part", "the part's lower_bound must not exceed the whole's upper_bound",
         lambda f: _le(f["part_lower_bound"], f["whole_upper_bound"]), ("whole",)),
    Rule("relations", "same-unit", "whole", "part and whole must have the same unit",
         lambda f: (f["part_unit"] == f["whole_unit"]).fillna(True).astype(bool), ("part",)),
]


def all_rules(as_of_minimum="the minimum of as_of"):
    """Every rule of this module, for the catalogue in dp.rules."""
    return _metric_rules(as_of_minimum) + EVENT_RULES + PLACE_RULES + RELATION_RULES


def _published(context, table):
    """The publication date of each row's source."""
    sources = context.tables.get("sources")
    if sources is None:
        return pd.Series(pd.NaT, index=table.text.index)
    dates = sources.typed.set_index("id")["published"]
    return table.per_distinct(["source_id"], lambda rows: lookup(rows["source_id"], dates)).astype(PANDAS_DTYPES["date"])


def _metrics_frame(context):
    table = context.tables["metrics"]
    indicators = context.tables.get("indicators")
    units = indicators.typed.set_index("id")["unit"] if indicators is not None else pd.Series(dtype="string")
    metrics = table.typed.copy(deep=False)  # columns are added, none changed
    metrics["indicator_unit"] = table.per_distinct(["indicator"], lambda rows: lookup(rows["indicator"], units)).astype("string")
    metrics["published"] = _published(context, table)
    metrics["period_start_day"] = period_start_dates(metrics)  # parsed once, read by three rules
    return metrics


def _events_frame(context):
    events = context.tables["events"].typed.copy(deep=False)
    events["published"] = _published(context, context.tables["events"])
    return events


def _relations_frame(context):
    relations = context.tables["relations"].typed
    metrics = context.tables["metrics"].typed
    named = isin(metrics["id"], pd.concat([relations["part"], relations["whole"]]).dropna())
    metrics = metrics[named].drop_duplicates("id").set_index("id")
    sides = {}
    for side in ("part", "whole"):
        found = lookup_columns(relations[side], metrics[["value", "lower_bound", "upper_bound", "unit"]])
        sides |= {f"{side}_{column}": values for column, values in found.items()}
    return relations.assign(**sides)


def _run(rules, table, frame):
    """Problems for the rows of frame that break one of rules, through a pandera schema."""
    # ignore_na=False: each rule decides about empty cells itself, and pandera need not scan every row for them.
    checks = [pa.Check(lambda f, rule=rule: rule.holds(f) | table.unknown({rule.field, *rule.uses}), error=rule.message, ignore_na=False)
              for rule in rules]
    try:
        validate_lazily(pa.DataFrameSchema(checks=checks), frame)
        return []
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    found = []
    for case in cases.drop_duplicates(["check_number", "index"]).itertuples(index=False):
        rule = rules[int(case.check_number)]
        if pd.isna(case.index):  # the rule raised: pandera's lazy mode records that as a case with no row
            found.append(internal_error(rule, case.failure_case))
        else:
            found.append(table.problem(int(case.index), rule.field, rule.name, rule.message))
    return found


def internal_error(rule, error):
    """The problem that stands for a rule that could not be checked: the gate fails closed, never open."""
    return Problem(rule.resource, "internal-error",
                   f"rule {rule.name} on {rule.field} could not be checked ({error}); no row of {rule.resource} is known to obey it",
                   field=rule.field)


def problems(context):
    tables = context.tables
    found = []
    if "metrics" in tables:
        minimum = fields_by_name(tables["metrics"].schema)["as_of"].get("constraints", {}).get("minimum", "1900-01-01")
        found += _run(_metric_rules(minimum), tables["metrics"], _metrics_frame(context))
    if "events" in tables:
        found += _run(EVENT_RULES, tables["events"], _events_frame(context))
    if "places" in tables:
        found += _run(PLACE_RULES, tables["places"], tables["places"].typed)
    if "relations" in tables and "metrics" in tables:
        found += _run(RELATION_RULES, tables["relations"], _relations_frame(context))
    return found
