"""Where quotes occur in a source text, and which spans of the text they cover.

Every occurrence of every distinct quote, overlapping and nested ones included, is found in one
pass over the text by an Aho-Corasick automaton, instead of one scan of the text per quote. A span
of the text is covered when a single occurrence contains all of it (two overlapping quotes do not
cover a figure that straddles them), which is answered for all spans at once by a binary search
in the occurrences sorted by start, with the furthest end reached so far.
"""
import re

import ahocorasick_rs
import numpy as np


class QuoteSpans:
    """The occurrences in text of a collection of quotes."""

    def __init__(self, text, quotes):
        patterns = list(dict.fromkeys(quote for quote in quotes if quote))  # the automaton refuses an empty pattern
        # The non-contiguous automaton is the quickest to build, and building is most of the work here.
        matches = ahocorasick_rs.AhoCorasick(patterns, implementation=ahocorasick_rs.Implementation.NoncontiguousNFA).find_matches_as_indexes(
            text, overlapping=True) if patterns else []
        found = np.array(matches, dtype=np.int64).reshape(-1, 3)
        order = np.argsort(found[:, 1], kind="stable")
        self.found = {patterns[i] for i in np.unique(found[:, 0])}
        self.starts = found[order, 1]
        self.reach = np.maximum.accumulate(found[order, 2]) if len(found) else found[:, 2]

    def occurs(self, quote):
        """True when quote occurs in the text (the empty quote occurs everywhere)."""
        return quote == "" or quote in self.found

    def covers(self, starts, ends):
        """For each span [start, end) of the text, True when one occurrence of a quote contains it."""
        starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
        if not len(self.starts):
            return np.zeros(len(starts), dtype=bool)
        last = np.searchsorted(self.starts, starts, side="right") - 1  # the last occurrence starting at or before
        return (last >= 0) & (self.reach[np.maximum(last, 0)] >= ends)


def line_numbers(text, offsets):
    """The 1-based line of text on which each offset lies."""
    newlines = np.fromiter((m.start() for m in re.finditer("\n", text)), dtype=np.int64)
    return np.searchsorted(newlines, np.asarray(offsets, dtype=np.int64), side="left") + 1
