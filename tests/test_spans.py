"""The one-pass quote search agrees with a scan of the text per quote, on small random texts
whose quotes overlap, nest and repeat."""
from hypothesis import given, settings, strategies as st

from dp.spans import QuoteSpans, line_numbers

ALPHABET = "ab é\n😀"  # few letters, so that quotes overlap and nest; one accented and one astral character
texts = st.text(ALPHABET, max_size=40)
quotes = st.lists(st.text(ALPHABET, max_size=6), max_size=8)


def every_occurrence(text, quote):
    """[start, end) of every occurrence of quote in text, overlapping ones included, one find at a time."""
    spans, start = [], text.find(quote) if quote else -1
    while start >= 0:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return spans


@settings(max_examples=400, deadline=None)
@given(texts, quotes)
def test_a_span_is_covered_exactly_when_one_occurrence_of_a_quote_contains_it(text, quote_list):
    occurrences = [span for quote in set(quote_list) for span in every_occurrence(text, quote)]
    spans = [(start, end) for start in range(len(text) + 2) for end in range(start, len(text) + 2)]  # every one
    starts, ends = [start for start, _ in spans], [end for _, end in spans]
    expected = [any(s <= start and end <= e for s, e in occurrences) for start, end in zip(starts, ends)]
    assert QuoteSpans(text, quote_list).covers(starts, ends).tolist() == expected


@settings(max_examples=400, deadline=None)
@given(texts, quotes)
def test_a_quote_is_found_exactly_when_it_occurs_in_the_text(text, quote_list):
    search = QuoteSpans(text, quote_list)
    assert [search.occurs(quote) for quote in quote_list] == [quote in text for quote in quote_list]


def test_a_figure_straddling_two_overlapping_quotes_is_not_covered():
    search = QuoteSpans("more than 19,000 strikes", ["more than 19,0", "9,000 strikes"])
    assert search.covers([10], [16]).tolist() == [False]  # '19,000' lies in the union of the two, in neither
    assert search.covers([0, 11], [14, 24]).tolist() == [True, True]


@given(texts, st.lists(st.integers(0, 40), max_size=5))
def test_line_numbers_count_the_newlines_before_each_offset(text, offsets):
    assert line_numbers(text, offsets).tolist() == [text.count("\n", 0, offset) + 1 for offset in offsets]
