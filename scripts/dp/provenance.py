"""Provenance and coverage: every value traces to the archived briefing, and every figure in it is coded.

- The archived file matches the sha256 and size recorded in sources.csv.
- Every quote occurs verbatim in its source.
- The figure written in a metric's quote equals its value (or, for a vague amount, its bounds),
  and the hedge word before it agrees with its qualifier.
- A date written in a quote agrees with the row's date, and with how the row says it is known.
- Every figure and date in the source lies inside some quote of metrics, events or exclusions.
"""
import re
import weakref

import pandas as pd

from dp.package import PackageError, sha256_bytes
from dp.report import Problem
from dp.safety import unsafe_path_reason
from dp.source import MissingFile, contained
from dp.spans import QuoteSpans, line_numbers
from dp.tableschema import is_tabular

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
# Every figure starts a word: saying so first lets a scan pass over the inside of words, which
# makes it about four times faster on a long source.
WORD_START = r"\b(?=\w)"
DATE = re.compile(rf"{WORD_START}(?P<month>{MONTH})\.? (?P<day>\d{{1,2}})\b(?:, (?P<year>\d{{4}}))?")
YEAR = re.compile(rf"{WORD_START}(?:19|20)\d{{2}}\b")
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
FIGURE = re.compile(WORD_START + "(?:" + "|".join([
    DATE.pattern, HEDGED_QUANTIFIER, r"\b(?:" + "|".join(map(re.escape, VAGUE_AMOUNTS)) + r")\b",
    r"\b(?:" + "|".join(map(re.escape, FRACTION_WORDS)) + r")\b", NUMERAL.pattern, NUMBER_WORDS,
]) + ")")


def month_number(name):
    return next(i for i, month in enumerate(MONTHS, 1) if month.startswith(name[:3]))


# One scan for the first figure of a quote. At one position, a date or year comes first (a numeral
# inside one is not the figure), then the longest phrase; a phrase and a numeral never share a start.
_PHRASES = {**{phrase: ("vague", bounds) for phrase, bounds in VAGUE_AMOUNTS.items()},
            **{phrase: ("number", number) for phrase, number in FRACTION_WORDS.items()}}
_FIRST = re.compile(WORD_START + "(?:" + "|".join([
    rf"(?P<date>{DATE.pattern}|{YEAR.pattern})",
    r"\b(?P<phrase>" + "|".join(map(re.escape, sorted(_PHRASES, key=len, reverse=True))) + r")\b",
    rf"(?P<numeral>{NUMERAL.pattern})",
]) + ")")
_HEDGE_BEFORE = {hedge: re.compile(rf"\b{hedge}\s*$") for hedge in HEDGES}


def first_figure(quote):
    """The figure a quote states first, ignoring dates: (kind, number or bounds, text before it)."""
    for m in _FIRST.finditer(quote):
        if m["phrase"]:
            kind, number = _PHRASES[m["phrase"]]
            return kind, number, quote[:m.start()]
        if m["numeral"]:
            return "number", float(m["numeral"].replace(",", "")), quote[:m.start()]
    return None


def qualifier_of(kind, before):
    if kind == "vague":
        return "order_of_magnitude"
    for hedge, qualifier in HEDGES.items():
        if _HEDGE_BEFORE[hedge].search(before):
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
        try:
            path = None if reason else contained(context.root, row["path"])  # no symlink out of the package
        except PackageError as err:
            reason = "does not exist" if isinstance(err, MissingFile) else f"is refused: {err}"
        if reason:
            problems.append(sources.problem(index, "path", "archive-file", f"archived copy {row['path']!r} {reason}"))
            continue
        data = path.read_bytes()
        digest = sha256_bytes(data)
        if digest != row["sha256"] and not sources.is_bad(index, "sha256"):  # a cell that failed its schema is reported once
            problems.append(sources.problem(index, "sha256", "archive-hash", f"the archived copy's sha256 is {digest}, not {row['sha256']}"))
        if str(len(data)) != row["bytes"] and not sources.is_bad(index, "bytes"):
            problems.append(sources.problem(index, "bytes", "archive-bytes", f"the archived copy has {len(data)} bytes, not {row['bytes']}"))
        texts[row["id"]] = data.decode("utf-8", errors="replace")
    return texts, problems


def _quoted_tables(context):
    return [t for t in context.tables.values() if {"quote", "source_id"} <= set(t.text.columns)]


def _each(describe, names):
    """A describe for Table.per_distinct that calls describe(*cells) once per distinct row."""
    def each(rows):
        described = [describe(*cells) for cells in zip(*(rows[column].tolist() for column in rows.columns))]
        return pd.DataFrame(dict(zip(names, zip(*described))) if described else {}, columns=names)
    return each


def verbatim_problems(context, texts):
    searches = _quote_spans(context, texts)

    def occurs(pairs):
        ok = pd.Series(True, index=pairs.index)
        for source_id, quotes in pairs.groupby("source_id", sort=False)["quote"]:
            if source_id in searches:
                ok[quotes.index] = [searches[source_id].occurs(quote) for quote in quotes.tolist()]
        return ok

    problems = []
    for table in _quoted_tables(context):
        ok = table.per_distinct(["source_id", "quote"], occurs)
        for index in ok.index[~ok]:
            problems.append(table.problem(index, "quote", "quote-verbatim",
                                          f"the quote does not occur verbatim in source {table.text.at[index, 'source_id']}; copy it exactly from the archived briefing"))
    return problems


def _per_quote(table, describe, columns):
    """describe(quote) for each distinct quote, aligned with the rows of table."""
    return table.per_distinct(["quote"], _each(describe, columns))


def _figure_expectation(quote):
    figure = first_figure(quote)
    if figure is None:
        return [None, None, None, None, None]
    kind, number, before = figure
    lower, upper = number if kind == "vague" else (None, None)
    return [kind, None if kind == "vague" else number, lower, upper, qualifier_of(kind, before)]


def _differs(actual, expected):
    return ~((actual - expected).abs() <= 1e-9).fillna(False).astype(bool)


def _problems_where(table, mask, field, rule, message):
    return [table.problem(index, field, rule, message(index)) for index in mask.index[mask.fillna(False).astype(bool)]]


def figure_problems(table):
    """The figure written in each metric's quote equals its value (or bounds); its hedge, the qualifier."""
    want = _per_quote(table, _figure_expectation, ["kind", "number", "lower", "upper", "qualifier"])
    got = table.typed
    known = ~table.unknown({"quote", "value", "lower_bound", "upper_bound", "qualifier"})
    vague, numeric = known & (want["kind"] == "vague"), known & (want["kind"] == "number")
    number = want["number"].astype("Float64")
    return (
        _problems_where(table, want["kind"].isna(), "quote", "figure-in-quote",
                        lambda i: "the quote states no figure; quote the span that states the number")
        + _problems_where(table, numeric & _differs(got["value"], number), "value", "figure-in-quote",
                          lambda i: f"the quote states {number[i]:g}, not {got['value'][i]}")
        + _problems_where(table, vague & _differs(got["lower_bound"], want["lower"].astype("Float64")), "lower_bound",
                          "figure-in-quote", lambda i: f"the quote's vague amount means lower_bound {want['lower'][i]:g}")
        + _problems_where(table, vague & _differs(got["upper_bound"], want["upper"].astype("Float64")), "upper_bound",
                          "figure-in-quote", lambda i: f"the quote's vague amount means upper_bound {want['upper'][i]:g}")
        + _problems_where(table, known & want["qualifier"].notna() & got["qualifier"].notna() & (got["qualifier"] != want["qualifier"]),
                          "qualifier", "hedge-in-quote",
                          lambda i: f"the quote's wording means qualifier {want['qualifier'][i]}, not {got['qualifier'][i]}")
    )


def _date_of(match):
    return month_number(match["month"]), int(match["day"]), match["year"] and int(match["year"])


def _first_date(quote):
    """[month, day, year] of the first date a quote writes (year None if it writes none), or Nones."""
    first = DATE.search(quote)
    return list(_date_of(first)) if first else [None, None, None]


def event_date_problems(table):
    """The date written in an event's quote is its date; a year left unwritten is marked inferred."""
    want = _per_quote(table, _first_date, ["month", "day", "year"])
    date = table.typed["date"]
    stated = want["month"].notna() & date.notna() & ~table.unknown({"quote"})
    wrong_day = stated & ((want["month"] != date.dt.month) | (want["day"] != date.dt.day)
                          | (want["year"].notna() & (want["year"] != date.dt.year)))
    basis = want["year"].notna().map({True: "stated_date", False: "stated_day_inferred_year"})
    wrong_basis = want["month"].notna() & table.typed["date_basis"].notna() & (table.typed["date_basis"] != basis)
    return (
        _problems_where(table, wrong_day, "date", "date-in-quote",
                        lambda i: f"the quote dates the event {MONTHS[int(want['month'][i]) - 1]} {int(want['day'][i])}")
        + _problems_where(table, wrong_basis, "date_basis", "date-in-quote",
                          lambda i: f"the quote {'gives' if pd.notna(want['year'][i]) else 'gives no'} year, so date_basis must be {basis[i]}")
    )


def _period_expectation(quote):
    """What period_start a quote implies: its "-MM-DD" after any year, or its year; and how to say it."""
    month, day, _ = _first_date(quote)
    if month:
        return [f"-{month:02d}-{day:02d}", None, f"{MONTHS[month - 1]} {day}"]
    year = YEAR.search(quote)
    return [None, year.group(), f"the year {year.group()}"] if year else [None, None, None]


def period_problems(table):
    """A day or year written in a metric's quote is its period_start."""
    want = _per_quote(table, _period_expectation, ["month_day", "year", "label"])
    start = table.text["period_start"]
    on_day = start.str.slice(4).eq(want["month_day"]) & start.str.slice(0, 4).str.fullmatch(r"\d{4}")
    in_year = start.eq(want["year"])
    ok = (want["month_day"].isna() | on_day) & (want["year"].isna() | in_year)
    return _problems_where(table, ~ok, "period_start", "date-in-quote",
                           lambda i: f"the quote dates the start to {want['label'][i]}")


# The quote search of the last (context, texts) seen: the verbatim and coverage checks share it.
_last_search = [None, None, None]


def _quote_spans(context, texts):
    """{source id: QuoteSpans of every distinct quote of every quoted table that names it}."""
    context_ref, searched_texts, searches = _last_search
    if context_ref is None or context_ref() is not context or searched_texts is not texts:
        quotes = {}
        for table in _quoted_tables(context):
            _, pairs = table.distinct(["source_id", "quote"])
            for source_id, group in pairs.groupby("source_id", sort=False)["quote"]:
                quotes.setdefault(source_id, set()).update(group)
        searches = {source_id: QuoteSpans(text, quotes.get(source_id, ())) for source_id, text in texts.items()}
        _last_search[:] = [weakref.ref(context), texts, searches]
    return searches


def uncovered_figures(text, search):
    """The match of every figure or date in text that no single occurrence of a quote (a QuoteSpans) contains."""
    figures = list(FIGURE.finditer(text))
    covered = search.covers([m.start() for m in figures], [m.end() for m in figures])
    return [m for m, ok in zip(figures, covered) if not ok]


def coverage_problems(context, texts):
    problems = []
    for source_id, search in _quote_spans(context, texts).items():
        text = texts[source_id]
        uncovered = uncovered_figures(text, search)
        for m, line in zip(uncovered, map(int, line_numbers(text, [m.start() for m in uncovered]))):
            problems.append(Problem("sources", "coverage",
                                    f"{m.group()!r} (line {line} of {source_id}) is in no quote of metrics, events or exclusions; code it, or add it to exclusions.csv with the reason",
                                    row_id=source_id))
    _last_search[:] = [None, None, None]  # the last user of the search: let it go
    return problems


def problems(context):
    texts, found = _source_texts(context)
    found += verbatim_problems(context, texts)
    tables = context.tables
    if "metrics" in tables:
        found += figure_problems(tables["metrics"]) + period_problems(tables["metrics"])
    if "events" in tables:
        found += event_date_problems(tables["events"])
    if _unread_tables(context):  # their quotes are unknown: every figure they cover would be reported
        return found
    return found + coverage_problems(context, texts)


def _unread_tables(context):
    return [resource.get("name") for resource in context.descriptor.get("resources", [])
            if is_tabular(resource) and resource.get("name") not in context.tables]
