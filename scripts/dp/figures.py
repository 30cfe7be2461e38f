"""What a text states: its figures, the hedge before a figure, its dates, found by regular expressions.

dp.provenance checks each quote against its row, and every figure of a source against the quotes,
with these.
"""
import re

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
# Every figure starts a word: saying so first lets a scan pass over the inside of words, which
# makes it about four times faster on a long source.
WORD_START = r"\b(?=\w)"
# Every pattern below is tried only at a word start (WORD_START), so none needs a \b in front of its own.
DATE_AT_WORD = rf"(?P<month>{MONTH})\.? (?P<day>\d{{1,2}})\b(?:, (?P<year>\d{{4}}))?"
YEAR_DIGITS = r"(?:19|20)\d{2}"
YEAR_AT_WORD = YEAR_DIGITS + r"\b"
DATE = re.compile(WORD_START + DATE_AT_WORD)
YEAR = re.compile(WORD_START + YEAR_AT_WORD)
# What every date or year holds: the first three letters of a month, or a year's four digits. Most
# quotes hold neither, and this search, with no word starts to try, is quick to say so.
DATE_OR_YEAR_NEEDS = re.compile("|".join(sorted({month[:3] for month in MONTHS})) + "|" + YEAR_DIGITS)
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
NUMBER_WORD_LIST = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "twenty",
                    "thirty", "forty", "fifty", "hundreds?", "thousands?", "millions?", "billions?", "half", "third", "quarter",
                    "dozens?", "percent"]
# The hedge words that may stand right before a figure, and the qualifier each one means.
HEDGES = {"more than": "more_than", "over": "more_than", "nearly": "nearly", "almost": "nearly"}
# A hedged quantifier with no number ("nearly all of ... deputies") is a claim too.
QUANTIFIER_HEDGES = ["nearly", "almost", "more than", "over", "about"]
HEDGED_QUANTIFIER = "(?:" + "|".join(QUANTIFIER_HEDGES) + r") (?:all|most|none)\b"


def _words(words):
    return "(?:" + "|".join(words) + r")\b"


def _tried_where_one_starts(words, alternatives):
    """A scan for alternatives at word starts; each alternative starts with a digit or one of words.

    A word start that begins with neither a digit nor the first two letters of one of the words
    is passed over at once: most words of a text are, and trying every alternative on each of
    them is most of a scan's time. The regular expression engine passes over an alternative that
    starts with the wrong letter at once, so the two letters are grouped by the first.
    """
    second = {}
    for word in words:
        second.setdefault(word[0], set()).add(word[1])
    guard = "|".join(first + (letters.pop() if len(letters) == 1 else f"[{''.join(sorted(letters))}]")
                     for first, letters in sorted(second.items()))
    return re.compile(WORD_START + rf"(?={guard}|\d)(?:" + "|".join(alternatives) + ")")


FIGURE = _tried_where_one_starts(
    MONTHS + QUANTIFIER_HEDGES + list(VAGUE_AMOUNTS) + list(FRACTION_WORDS) + NUMBER_WORD_LIST,
    [DATE_AT_WORD, HEDGED_QUANTIFIER, _words(map(re.escape, VAGUE_AMOUNTS)),
     _words(map(re.escape, FRACTION_WORDS)), NUMERAL.pattern, _words(NUMBER_WORD_LIST)])


def month_number(name):
    return next(i for i, month in enumerate(MONTHS, 1) if month.startswith(name[:3]))


# One scan for the first figure of a quote. At one position, a date or year comes first (a numeral
# inside one is not the figure), then the longest phrase; a phrase and a numeral never share a start.
_PHRASES = {**{phrase: ("vague", bounds) for phrase, bounds in VAGUE_AMOUNTS.items()},
            **{phrase: ("number", number) for phrase, number in FRACTION_WORDS.items()}}
_FIRST = _tried_where_one_starts(MONTHS + list(_PHRASES), [
    rf"(?P<date>{DATE_AT_WORD}|{YEAR_AT_WORD})",
    r"(?P<phrase>" + "|".join(map(re.escape, sorted(_PHRASES, key=len, reverse=True))) + r")\b",
    rf"(?P<numeral>{NUMERAL.pattern})",
])
_HEDGE_AT_END = re.compile(r"\b(?:" + "|".join(map(re.escape, HEDGES)) + r")\Z")  # no hedge ends another
_LONGEST_HEDGE = max(map(len, HEDGES))


def first_figure(quote):
    """The figure a quote states first, ignoring dates: (kind, number or bounds, text before it)."""
    m = _FIRST.search(quote)
    while m is not None and m.lastgroup == "date":  # the outer group closes last, so it names the alternative
        m = _FIRST.search(quote, m.end())
    if m is None:
        return None
    if m.lastgroup == "phrase":
        kind, number = _PHRASES[m["phrase"]]
        return kind, number, quote[:m.start()]
    return "number", float(m["numeral"].replace(",", "")), quote[:m.start()]


def qualifier_of(kind, before):
    """The qualifier the hedge word that ends `before` means (whitespace after it aside), else exact."""
    if kind == "vague":
        return "order_of_magnitude"
    # Only the end of the text can hold the hedge and the character before it, which \b reads.
    hedge = _HEDGE_AT_END.search(before.rstrip()[-_LONGEST_HEDGE - 1:])
    return HEDGES[hedge.group()] if hedge else "exact"


def date_of(match):
    return month_number(match["month"]), int(match["day"]), match["year"] and int(match["year"])


def first_date(quote):
    """[month, day, year] of the first date a quote writes (year None if it writes none), or Nones."""
    first = DATE.search(quote)
    return list(date_of(first)) if first else [None, None, None]
