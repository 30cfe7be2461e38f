"""A metric's figure in words, with the hedge its qualifier codes: 'more than 19,000', 'nearly 90,000'.

Shared by the chart's labels and the site's headline figures, so both say the same thing.
"""
UNIT_SUFFIXES = {"count": "", "percent": "%", "km2": " km²"}


def amount(number, unit):
    return f"{number:,.0f}{UNIT_SUFFIXES.get(unit, ' ' + unit)}"


def figure_text(row):
    """The figure of a metrics row (any object with its columns as attributes), hedged as coded."""
    unit = row.unit
    return {
        "exact": lambda: amount(row.value, unit),
        "more_than": lambda: f"more than {amount(row.lower_bound, unit)}",
        "nearly": lambda: f"nearly {amount(row.upper_bound, unit)}",
        "order_of_magnitude": lambda: f"{amount(row.lower_bound, unit)} to under {amount(row.upper_bound, unit)}",
    }[row.qualifier]()
