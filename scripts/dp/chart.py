"""The chart of the briefing's figures (docs/figures.svg): every metric with the bounds its wording allows.

One panel per unit, since counts, percentages and square kilometres share no axis. An exact
figure is a point; 'more than' is a bar from the lower bound running off the axis; 'nearly'
is a short bar ending at the upper bound with an open lower end; an order of magnitude is a
bar between its bounds. A hedged figure is never drawn as a point.

matplotlib is imported here only, so that validation never needs it (requirements-dev.txt).
"""
import io
import math

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from dp.load import load_resource
from dp.package import DEFAULT_DESCRIPTOR, read_json
from dp.wording import figure_text

# Fixed so that the same data gives the same bytes: the SVG ids and no creation date.
RC = {"svg.hashsalt": "global-coalition-defeat-isis-figures", "svg.fonttype": "path",
      "font.family": "DejaVu Sans", "font.size": 9}
SVG_METADATA = {"Date": None}

UNIT_TITLES = {"count": "Counts (log scale)", "percent": "Percent", "km2": "Square kilometres"}
STYLES = {  # Okabe-Ito colours, distinguishable with colour-blindness
    "exact": {"color": "#000000", "legend": "exact figure (a point)"},
    "more_than": {"color": "#0072B2", "legend": "more than: from the stated figure upwards, no upper bound"},
    "nearly": {"color": "#D55E00", "legend": "nearly: just below the stated figure, no lower bound stated"},
    "order_of_magnitude": {"color": "#CC79A7", "legend": "order of magnitude: somewhere between the bounds"},
}
NEARLY_LENGTH = 0.08  # of the axis width: 'nearly' says a little below, not how far
BAND_WIDTH = 7
ROW_INCHES = 0.42


def metrics_to_plot(descriptor_path):
    """The metrics with their indicator label and place name, in the order of metrics.csv."""
    metrics = load_resource("metrics", descriptor_path)
    labels = load_resource("indicators", descriptor_path).set_index("id")["label"]
    places = load_resource("places", descriptor_path).set_index("id")["name"]
    metrics["label"] = metrics["indicator"].map(labels)
    metrics["place_name"] = metrics["place"].map(places)
    return metrics


def row_label(row):
    parts = [row.label]
    if isinstance(row.place_name, str):
        parts.append(row.place_name)
    if isinstance(row.period_start, str):
        parts.append(f"since {row.period_start}")
    return ", ".join(parts) + f"  [{row.id}]"


def bounds_of(frame):
    return [x for column in ("value", "lower_bound", "upper_bound") for x in frame[column].dropna()]


def axis_limits(unit, frame):
    """(left, right, log scale?) wide enough that open-ended bars visibly run on."""
    if unit == "percent":
        return 0, 100, False
    numbers = [x for x in bounds_of(frame) if x > 0]
    low, high = min(numbers), max(numbers)
    if high / low >= 100:
        return 10 ** math.floor(math.log10(low)), 10 ** (math.ceil(math.log10(high)) + 1), True
    return 0, high * 1.6, False


def shifted(x, fraction, limits):
    """x moved by a fraction of the axis width, in the axis's own scale."""
    left, right, log = limits
    if log:
        return 10 ** (math.log10(x) + fraction * (math.log10(right) - math.log10(left)))
    return x + fraction * (right - left)


def draw_band(ax, start, end, y, color):
    ax.hlines(y, start, end, colors=color, linewidth=BAND_WIDTH, alpha=0.35)


def draw_cap(ax, x, y, color):
    ax.plot([x], [y], marker="|", markersize=16, markeredgewidth=2.5, color=color)


def draw_open_end(ax, x, y, color, pointing):
    ax.plot([x], [y], marker=pointing, markersize=9, color=color, clip_on=False)


def draw_metric(ax, row, y, limits):
    """Draw one metric at height y; returns the x where its text goes."""
    color = STYLES[row.qualifier]["color"]
    if row.qualifier == "exact":
        ax.plot([row.value], [y], marker="o", markersize=7, color=color)
        return row.value
    if row.qualifier == "more_than":
        draw_band(ax, row.lower_bound, limits[1], y, color)
        draw_open_end(ax, limits[1], y, color, ">")
        draw_cap(ax, row.lower_bound, y, color)
        return row.lower_bound
    if row.qualifier == "nearly":
        start = shifted(row.upper_bound, -NEARLY_LENGTH, limits)
        draw_band(ax, start, row.upper_bound, y, color)
        draw_open_end(ax, start, y, color, "<")
        draw_cap(ax, row.upper_bound, y, color)
        return start
    draw_band(ax, row.lower_bound, row.upper_bound, y, color)
    draw_cap(ax, row.lower_bound, y, color)
    draw_cap(ax, row.upper_bound, y, color)
    return row.lower_bound


def draw_panel(ax, unit, frame):
    limits = axis_limits(unit, frame)
    ax.set_xscale("log" if limits[2] else "linear")
    ax.set_xlim(limits[0], limits[1])
    ax.set_ylim(len(frame) - 0.4, -0.8)
    for y, row in enumerate(frame.itertuples(index=False)):
        text_x = draw_metric(ax, row, y, limits)
        ax.annotate(figure_text(row), (text_x, y), xytext=(0, 7), textcoords="offset points",
                    fontsize=8.5, color=STYLES[row.qualifier]["color"], va="bottom")
    ax.set_yticks(range(len(frame)), [row_label(row) for row in frame.itertuples(index=False)])
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.set_title(UNIT_TITLES.get(unit, unit), loc="left", fontsize=10, fontweight="bold")


def legend_handles():
    handles = []
    for qualifier, style in STYLES.items():
        marker = "o" if qualifier == "exact" else "s"
        handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=8, color=style["color"],
                              alpha=1 if qualifier == "exact" else 0.5, label=style["legend"]))
    return handles


def build_figure(descriptor_path=DEFAULT_DESCRIPTOR):
    """The chart of every metric, one panel (Axes) per unit; call under matplotlib.rc_context(RC)."""
    metrics = metrics_to_plot(descriptor_path)
    units = [unit for unit in metrics["unit"].cat.categories if (metrics["unit"] == unit).any()]
    panels = [(unit, metrics[metrics["unit"] == unit].reset_index(drop=True)) for unit in units]
    figure = Figure(figsize=(11, 1.6 + ROW_INCHES * (len(metrics) + 1.2 * len(panels))), layout="constrained")
    axes = figure.subplots(len(panels), 1, height_ratios=[len(frame) + 1 for _, frame in panels], squeeze=False)
    for ax, (unit, frame) in zip(axes[:, 0], panels):
        draw_panel(ax, unit, frame)
    title = read_json(descriptor_path)["title"]
    figure.suptitle(f"{title}, with the bounds the wording allows", x=0.01, ha="left", fontsize=11)
    figure.legend(handles=legend_handles(), loc="outside lower left", ncols=2, frameon=False, fontsize=8.5)
    return figure


def render_chart(descriptor_path=DEFAULT_DESCRIPTOR):
    """The chart as SVG bytes; the same data always gives the same bytes."""
    with matplotlib.rc_context(RC):
        buffer = io.BytesIO()
        build_figure(descriptor_path).savefig(buffer, format="svg", metadata=SVG_METADATA)
    return buffer.getvalue()
