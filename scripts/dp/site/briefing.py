"""The provenance viewer's model: the archived text cut into segments at every quote's edges.

Quotes nest ("23 coalition partners have over 9,000 troops in Iraq and Syria" holds "over 9,000
troops in Iraq and Syria") and may overlap without nesting, so no single tree of elements fits
them all. The text is cut at every place a quote (or an uncoded figure) starts or ends; each
segment then lists every quote that covers it, and each quote starts with a marker of its own.
Every quote is reachable through its marker, whatever else covers the same words.
"""
from dataclasses import dataclass

from dp.provenance import uncovered_figures
from dp.spans import QuoteSpans

QUOTED_TABLES = ("metrics", "events", "exclusions")


class BriefingError(ValueError):
    """A quote that does not occur in its source: the package does not validate."""


@dataclass(frozen=True)
class Quote:
    table: str
    row_id: str
    start: int
    end: int
    reason: str = ""  # exclusions only: why the span is coded as no row

    @property
    def anchor(self):
        """The id of the quote's marker in the briefing page."""
        return f"q-{self.table}-{self.row_id}"

    @property
    def excluded(self):
        return self.table == "exclusions"


@dataclass(frozen=True)
class Segment:
    text: str
    covering: tuple  # the quotes whose span holds this segment, outermost first
    starting: tuple  # the quotes that start where this segment starts: their markers go here
    uncoded: bool  # part of a figure or date that no quote covers


def _outermost_first(quote):
    return quote.start, -quote.end, QUOTED_TABLES.index(quote.table), quote.row_id


def find_quotes(text, rows):
    """Quotes at their first occurrence in text; rows are (table, row id, quote, reason)."""
    quotes = []
    for table, row_id, quote, reason in rows:
        start = text.find(quote) if quote else -1
        if start < 0:
            raise BriefingError(f"{table} {row_id}: its quote {quote!r} does not occur in the archived briefing; run make validate")
        quotes.append(Quote(table, row_id, start, start + len(quote), reason or ""))
    return sorted(quotes, key=_outermost_first)


def uncoded_figures(text, quotes):
    """(start, end) of every figure or date in text that lies inside no occurrence of a quote, as validation finds them."""
    return [m.span() for m in uncovered_figures(text, QuoteSpans(text, {text[q.start:q.end] for q in quotes}))]


def segments(text, quotes):
    """The text cut at every edge of a quote or an uncoded figure; joined, the segments are the text."""
    uncoded = uncoded_figures(text, quotes)
    edges = {0, len(text)}
    for start, end in [(q.start, q.end) for q in quotes] + uncoded:
        edges.update((start, end))
    cuts = sorted(edges)
    result = []
    for start, end in zip(cuts, cuts[1:]):
        result.append(Segment(
            text=text[start:end],
            covering=tuple(q for q in quotes if q.start <= start and end <= q.end),
            starting=tuple(q for q in quotes if q.start == start),
            uncoded=any(a <= start and end <= b for a, b in uncoded),
        ))
    return result
