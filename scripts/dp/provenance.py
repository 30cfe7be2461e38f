"""Provenance and coverage: every value traces to the archived briefing, and every figure in it is coded.

- The archived file matches the sha256 and size recorded in sources.csv.
- Every quote occurs verbatim in its source.
- The figure written in a metric's quote equals its value (or, for a vague amount, its bounds),
  and the hedge word before it agrees with its qualifier.
- A date written in a quote agrees with the row's date, and with how the row says it is known.
- Every figure and date in the source lies inside some quote of metrics, events or exclusions.
"""
import re
from pathlib import Path

import pandas as pd

from dp.package import sha256_of
from dp.report import Problem
from dp.safety import unsafe_path_reason

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
DATE = re.compile(rf"\b(?P<month>{MONTH})\.? (?P<day>\d{{1,2}})\b(?:, (?P<year>\d{{4}}))?")
YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
NUMERAL = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.,])\d+(?:\.\d+)?")
# Vague amounts: the bounds they are read as, [lower, upper).
VAGUE_AMOUNTS = {
    "hundreds of thousands": (100_000, 1_000_000),
    "tens of thousands": (10_000, 100_000),
    "thousands": (1_000, 10_000),
    "hundreds": (100, 1_000),
    "dozens": (24, 100),
}
FRACTION_WORDS = {"half": 50, "a third": 100 / 3, "a quarter": 25, "two thirds": 200 / 3, "three quarters": 75}
NUMBER_WORDS = r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|half|third|quarter|dozens?|percent)\b"
# The hedge words that may stand right before a figure, and the qualifier each one means.
HEDGES = {"more than": "more_than", "over": "more_than", "nearly": "nearly", "almost": "nearly"}
# A hedged quantifier with no number ("nearly all of ... deputies") is a claim too.
HEDGED_QUANTIFIER = r"\b(?:nearly|almost|more than|over|about) (?:all|most|none)\b"
FIGURE = re.compile(
    "|".join([DATE.pattern, HEDGED_QUANTIFIER, r"\b(?:" + "|".join(map(re.escape, VAGUE_AMOUNTS)) + r")\b",
              r"\b(?:" + "|".join(map(re.escape, FRACTION_WORDS)) + r")\b", NUMERAL.pattern, NUMBER_WORDS])
)


def month_number(name):
    return next(i for i, month in enumerate(MONTHS, 1) if month.startswith(name[:3]))


def first_figure(quote):
    """The figure a quote states first, ignoring dates: (kind, number or bounds, text before it)."""
    dates = [m.span() for m in DATE.finditer(quote)] + [m.span() for m in YEAR.finditer(quote)]
    candidates = []
    for phrase, bounds in VAGUE_AMOUNTS.items():
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", quote):
            candidates.append((m.start(), -len(phrase), "vague", bounds))
    for phrase, number in FRACTION_WORDS.items():
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", quote):
            candidates.append((m.start(), -len(phrase), "number", number))
    for m in NUMERAL.finditer(quote):
        if not any(start <= m.start() < end for start, end in dates):
            candidates.append((m.start(), 0, "number", float(m.group().replace(",", ""))))
    if not candidates:
        return None
    start, _, kind, number = min(candidates, key=lambda c: (c[0], c[1]))
    return kind, number, quote[:start]


def qualifier_of(kind, before):
    if kind == "vague":
        return "order_of_magnitude"
    for hedge, qualifier in HEDGES.items():
        if re.search(rf"\b{hedge}\s*$", before):
            return qualifier
    return "exact"


def _source_texts(context):
    """{source id: text} for the archived sources that can be read, and problems with the others."""
    sources = context.tables.get("sources")
    if sources is None:
        return {}, []
    texts, problems = {}, []
    for index, row in sources.text.iterrows():
        reason = unsafe_path_reason(row["path"])
        path = context.root / row["path"]
        if reason or not path.is_file():
            problems.append(sources.problem(index, "path", "archive-file", f"archived copy {row['path']!r} {reason or 'does not exist'}"))
            continue
        data = path.read_bytes()
        if sha256_of(path) != row["sha256"]:
            problems.append(sources.problem(index, "sha256", "archive-hash", f"the archived copy's sha256 is {sha256_of(path)}, not {row['sha256']}"))
        if str(len(data)) != row["bytes"]:
            problems.append(sources.problem(index, "bytes", "archive-bytes", f"the archived copy has {len(data)} bytes, not {row['bytes']}"))
        texts[row["id"]] = data.decode("utf-8", errors="replace")
    return texts, problems


def _quoted_tables(context):
    return [t for t in context.tables.values() if {"quote", "source_id"} <= set(t.text.columns)]


def verbatim_problems(context, texts):
    problems = []
    for table in _quoted_tables(context):
        pairs = table.text[["source_id", "quote"]]
        found = {pair: pair[1] in texts.get(pair[0], pair[1]) for pair in set(pairs.itertuples(index=False, name=None))}
        ok = pd.Series([found[pair] for pair in pairs.itertuples(index=False, name=None)], index=pairs.index)
        for index in ok.index[~ok]:
            problems.append(table.problem(index, "quote", "quote-verbatim",
                                          f"the quote does not occur verbatim in source {pairs.at[index, 'source_id']}; copy it exactly from the archived briefing"))
    return problems


def _expected_from_quote(quote):
    figure = first_figure(quote)
    if figure is None:
        return None
    kind, number, before = figure
    return kind, number, qualifier_of(kind, before)


def figure_problems(table):
    """The figure written in each metric's quote equals its value (or bounds); its hedge, the qualifier."""
    problems = []
    expected = {quote: _expected_from_quote(quote) for quote in table.text["quote"].unique()}
    frame = table.typed
    for index, quote in table.text["quote"].items():
        found = expected[quote]
        if found is None:
            problems.append(table.problem(index, "quote", "figure-in-quote", "the quote states no figure; quote the span that states the number"))
            continue
        kind, number, qualifier = found
        row = frame.loc[index]
        if kind == "vague":
            if (row["lower_bound"], row["upper_bound"]) != number:
                problems.append(table.problem(index, "lower_bound", "figure-in-quote", f"the quote's vague amount means bounds {number[0]:g} to {number[1]:g}"))
        elif pd.isna(row["value"]) or abs(float(row["value"]) - number) > 1e-9:
            problems.append(table.problem(index, "value", "figure-in-quote", f"the quote states {number:g}, not {row['value']}"))
        if row["qualifier"] is not pd.NA and row["qualifier"] != qualifier:
            problems.append(table.problem(index, "qualifier", "hedge-in-quote", f"the quote's wording means qualifier {qualifier}, not {row['qualifier']}"))
    return problems


def _quote_dates(quote):
    return [(month_number(m["month"]), int(m["day"]), m["year"] and int(m["year"])) for m in DATE.finditer(quote)]


def event_date_problems(table):
    problems = []
    for index, row in table.typed.iterrows():
        dates = _quote_dates(str(row["quote"]))
        if not dates or pd.isna(row["date"]):
            continue
        month, day, year = dates[0]
        if (month, day) != (row["date"].month, row["date"].day) or (year and year != row["date"].year):
            problems.append(table.problem(index, "date", "date-in-quote", f"the quote dates the event {MONTHS[month - 1]} {day}{', ' + str(year) if year else ''}"))
        basis = "stated_date" if year else "stated_day_inferred_year"
        if row["date_basis"] is not pd.NA and row["date_basis"] != basis:
            problems.append(table.problem(index, "date_basis", "date-in-quote", f"the quote {'gives' if year else 'gives no'} year, so date_basis must be {basis}"))
    return problems


def period_problems(table):
    """A day or year written in a metric's quote is its period_start."""
    problems = []
    for index, row in table.text.iterrows():
        quote, start = row["quote"], row["period_start"]
        dates = _quote_dates(quote)
        years = [int(m.group()) for m in YEAR.finditer(quote) if not any(d[2] == int(m.group()) for d in dates)]
        if dates:
            month, day, _ = dates[0]
            if not re.fullmatch(rf"\d{{4}}-{month:02d}-{day:02d}", start):
                problems.append(table.problem(index, "period_start", "date-in-quote", f"the quote dates the start {MONTHS[month - 1]} {day}"))
        elif years and start != str(years[0]):
            problems.append(table.problem(index, "period_start", "date-in-quote", f"the quote dates the start to the year {years[0]}"))
    return problems


def _covered_spans(context, source_id, text):
    spans = []
    for table in _quoted_tables(context):
        for quote in table.text.loc[table.text["source_id"] == source_id, "quote"].unique():
            start = text.find(quote) if quote else -1
            while start >= 0:
                spans.append((start, start + len(quote)))
                start = text.find(quote, start + 1)
    return spans


def coverage_problems(context, texts):
    problems = []
    for source_id, text in texts.items():
        spans = _covered_spans(context, source_id, text)
        for m in FIGURE.finditer(text):
            if not any(start <= m.start() and m.end() <= end for start, end in spans):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(Problem("sources", "coverage",
                                        f"{m.group()!r} (line {line} of {source_id}) is in no quote of metrics, events or exclusions; code it, or add it to exclusions.csv with the reason",
                                        row_id=source_id))
    return problems


def problems(context):
    texts, found = _source_texts(context)
    found += verbatim_problems(context, texts)
    tables = context.tables
    if "metrics" in tables:
        found += figure_problems(tables["metrics"]) + period_problems(tables["metrics"])
    if "events" in tables:
        found += event_date_problems(tables["events"])
    return found + coverage_problems(context, texts)
