"""Provenance and coverage: every value traces to the archived briefing, and every figure in it is coded.

- The archived file matches the sha256 and size recorded in sources.csv.
- Every quote occurs verbatim in its source.
- The figure written in a metric's quote equals its value (or, for a vague amount, its bounds),
  and the hedge word before it agrees with its qualifier.
- A date written in a quote agrees with the row's date, and with how the row says it is known.
- Every figure and date in the source lies inside some quote of metrics, events or exclusions.
"""
from contextlib import contextmanager

import numpy as np
import pandas as pd

from dp import forked
from dp.figures import DATE_OR_YEAR_NEEDS, FIGURE, MONTHS, YEAR, first_date, first_figure, qualifier_of
from dp.package import PackageError, sha256_bytes
from dp.report import Problem
from dp.safety import unsafe_path_reason
from dp.source import MissingFile, contained
from dp.spans import QuoteSpans, line_numbers
from dp.tableschema import is_tabular

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


# Answers per distinct row are gathered this many rows at a time, so that a million distinct
# quotes never stand as a million Python lists at once.
DESCRIBE_CHUNK = 1 << 16


def _each(describe, names):
    """A describe for Table.per_distinct that calls describe(*cells) once per distinct row."""
    def each(rows):
        parts = [pd.DataFrame([describe(*cells) for cells in zip(*(part[column].tolist() for column in part.columns))], columns=names)
                 for part in (rows.iloc[at:at + DESCRIBE_CHUNK] for at in range(0, len(rows), DESCRIBE_CHUNK))]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=names)
    return each


# Sources of at least this many characters in all are searched by forked children, one share of
# the sources each, while this process reads the metrics' quotes (dp.forked).
FORK_FROM_CHARS = 1 << 22


def _quote_pairs(context):
    """{table name: (its distinct (source, quote) pairs, {source id: positions of the pairs that name it})}."""
    pairs = {table.name: table.distinct(["source_id", "quote"])[1] for table in _quoted_tables(context)}
    return {name: (rows, rows.groupby("source_id", sort=False).indices) for name, rows in pairs.items()}


def _search_sources(quote_pairs, texts, coverage):
    """({table name: whether the quote of each distinct (source, quote) pair occurs}, coverage problems),
    for the sources in texts; a pair of another source counts as found here. quote_pairs: _quote_pairs.

    One source at a time: its quotes' occurrences are found, the pairs that name it are marked, its
    figures are checked against the occurrences, and the search is let go before the next source.
    """
    found = {name: np.ones(len(rows), dtype=bool) for name, (rows, _) in quote_pairs.items()}
    uncovered = []
    for source_id, text in texts.items():
        at = {name: of_source.get(source_id, []) for name, (_, of_source) in quote_pairs.items()}
        quotes = {name: rows["quote"].take(at[name]).tolist() for name, (rows, _) in quote_pairs.items()}
        search = QuoteSpans(text, [quote for each in quotes.values() for quote in each])
        for name, each in quotes.items():
            found[name][at[name]] = [search.occurs(quote) for quote in each]
        if coverage:
            uncovered += _coverage_problems(source_id, text, search)
    return found, uncovered


def _shares(texts, count):
    """texts cut, in order, into at most count shares of about as many characters each."""
    total, shares, size = sum(map(len, texts.values())), [{}], 0
    for source_id, text in texts.items():
        if shares[-1] and size + len(text) / 2 >= total * len(shares) / count and len(shares) < count:  # its middle is past the next cut
            shares.append({})
        shares[-1][source_id] = text
        size += len(text)
    return shares


def searching(context, texts, coverage=True):
    """The calls that search the sources for their quotes: one per share of the sources."""
    quote_pairs = _quote_pairs(context)  # found once, here, and shared with every child
    count = forked.cores() if sum(map(len, texts.values())) >= FORK_FROM_CHARS else 1
    return [(_search_sources, quote_pairs, share, coverage) for share in _shares(texts, count)]


def searched_problems(context, searches):
    """(quote-verbatim problems, coverage problems), from the answers of the searches (dp.forked.Forked)."""
    answers = [search.answer() for search in searches]
    verbatim = []
    for table in _quoted_tables(context):
        codes, _ = table.distinct(["source_id", "quote"])
        found = np.logical_and.reduce([found[table.name] for found, _ in answers])
        for index in table.text.index[~found[codes]]:
            verbatim.append(table.problem(index, "quote", "quote-verbatim",
                                          f"the quote does not occur verbatim in source {table.text.at[index, 'source_id']}; copy it exactly from the archived briefing"))
    return verbatim, [problem for _, uncovered in answers for problem in uncovered]


@contextmanager
def searches_started(context, texts, coverage=True):
    """The searches of the sources, under way (forked when there are several shares) until the block ends."""
    calls = searching(context, texts, coverage)
    with forked.forked_all(calls, fork=len(calls) > 1) as searches:
        yield searches


def quote_search_problems(context, texts, coverage=True):
    """(quote-verbatim problems, coverage problems): every quote in its source, every figure of a source in a quote."""
    with searches_started(context, texts, coverage) as searches:
        return searched_problems(context, searches)


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


def figure_problems(table, want):
    """The figure written in each metric's quote equals its value (or bounds); its hedge, the qualifier."""
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


def event_date_problems(table):
    """The date written in an event's quote is its date; a year left unwritten is marked inferred."""
    want = _per_quote(table, first_date, ["month", "day", "year"])
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
    if not DATE_OR_YEAR_NEEDS.search(quote):
        return [None, None, None]
    month, day, _ = first_date(quote)
    if month:
        return [f"-{month:02d}-{day:02d}", None, f"{MONTHS[month - 1]} {day}"]
    year = YEAR.search(quote)
    return [None, year.group(), f"the year {year.group()}"] if year else [None, None, None]


def period_problems(table, want):
    """A day or year written in a metric's quote is its period_start."""
    start = table.text["period_start"]
    on_day = start.str.slice(4).eq(want["month_day"]) & start.str.slice(0, 4).str.fullmatch(r"\d{4}")
    in_year = start.eq(want["year"])
    ok = (want["month_day"].isna() | on_day) & (want["year"].isna() | in_year)
    return _problems_where(table, ~ok, "period_start", "date-in-quote",
                           lambda i: f"the quote dates the start to {want['label'][i]}")


def _metric_quote(quote):
    return _figure_expectation(quote) + _period_expectation(quote)


def metric_quote_problems(table):
    """The figure and the day or year each metric's quote writes, read once per distinct quote, against its row."""
    want = _per_quote(table, _metric_quote, ["kind", "number", "lower", "upper", "qualifier", "month_day", "year", "label"])
    return figure_problems(table, want) + period_problems(table, want)


def uncovered_figures(text, search):
    """The match of every figure or date in text that no single occurrence of a quote (a QuoteSpans) contains."""
    figures = list(FIGURE.finditer(text))
    covered = search.covers([m.start() for m in figures], [m.end() for m in figures])
    return [m for m, ok in zip(figures, covered) if not ok]


def _coverage_problems(source_id, text, search):
    uncovered = uncovered_figures(text, search)
    return [Problem("sources", "coverage",
                    f"{m.group()!r} (line {line} of {source_id}) is in no quote of metrics, events or exclusions; code it, or add it to exclusions.csv with the reason",
                    row_id=source_id)
            for m, line in zip(uncovered, map(int, line_numbers(text, [m.start() for m in uncovered])))]


def problems(context):
    texts, found = _source_texts(context)
    # Coverage waits until every table is read: the quotes of an unread one are unknown, so every figure they cover would be reported.
    with searches_started(context, texts, coverage=not _unread_tables(context)) as searches:  # while the quotes are read
        tables = context.tables
        quoted = metric_quote_problems(tables["metrics"]) if "metrics" in tables else []
        quoted += event_date_problems(tables["events"]) if "events" in tables else []
        verbatim, uncovered = searched_problems(context, searches)
    return found + verbatim + quoted + uncovered


def _unread_tables(context):
    return [resource.get("name") for resource in context.descriptor.get("resources", [])
            if is_tabular(resource) and resource.get("name") not in context.tables]
