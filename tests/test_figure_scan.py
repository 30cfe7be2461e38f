"""The scans for figures pass over a word that cannot start one; what they find is what the same
alternatives find when every word start is tried."""
import re

import pytest
from hypothesis import given, settings, strategies as st

from dp import figures

# Every guard reads (?=Ab|C[de]|...|\d): the first two letters of a word, or a digit.
GUARD = re.compile(r"\(\?=(?:[A-Za-z ](?:[A-Za-z ]|\[[A-Za-z ]+\])\|)+\\d\)")
WORDS = (figures.MONTHS + figures.QUANTIFIER_HEDGES + list(figures.VAGUE_AMOUNTS) + list(figures.FRACTION_WORDS)
         + [word.rstrip("?") for word in figures.NUMBER_WORD_LIST] + ["Mar.", "Sept", "all", "most", "none", "of", "s"])
PIECES = st.sampled_from(WORDS) | st.sampled_from(["1", "19", "2014", "5,000", "3.5", ".", ",", " ", "\n", "٣", "x", "ISIS", "()"])
TEXTS = st.lists(st.tuples(PIECES, st.sampled_from(["", " ", ", "])), max_size=30).map(lambda parts: "".join(a + b for a, b in parts))
GUARDED = {"FIGURE": figures.FIGURE, "first figure": figures._FIRST}


def unguarded(pattern):
    return re.compile(GUARD.sub("", pattern.pattern))


@pytest.mark.parametrize("name", GUARDED)
def test_each_figure_scan_has_a_guard_to_take_away(name):
    assert GUARD.search(GUARDED[name].pattern) and unguarded(GUARDED[name]).pattern != GUARDED[name].pattern


@pytest.mark.parametrize("name", GUARDED)
@settings(max_examples=300, deadline=None, database=None)
@given(text=TEXTS)
def test_a_guarded_scan_finds_what_trying_every_word_start_finds(name, text):
    found = [(m.span(), m.groupdict()) for m in GUARDED[name].finditer(text)]
    assert found == [(m.span(), m.groupdict()) for m in unguarded(GUARDED[name]).finditer(text)]


def test_every_kind_of_figure_is_found_in_a_sentence():
    text = "In June over 5 and nearly all, hundreds of thousands, a third, two thirds, twelve percent, dozens, 2014."
    assert [m.group() for m in figures.FIGURE.finditer(text)] == [
        "5", "nearly all", "hundreds of thousands", "a third", "two thirds", "twelve", "percent", "dozens", "2014"]


@settings(max_examples=300, deadline=None, database=None)
@given(text=TEXTS)
def test_a_text_without_what_every_date_or_year_needs_has_neither(text):
    if not figures.DATE_OR_YEAR_NEEDS.search(text):
        assert figures.DATE.search(text) is None and figures.YEAR.search(text) is None


def test_every_spelling_of_a_month_starts_with_three_letters_the_search_needs():
    spellings = re.findall(r"[A-Z][a-z]+", figures.MONTH.replace("(?:", ""))
    assert all(figures.DATE_OR_YEAR_NEEDS.match(spelling) for spelling in spellings) and len(spellings) >= 12
