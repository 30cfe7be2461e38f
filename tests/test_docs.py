"""The generated docs are current, say what the schemas and data say, and stay out of validation."""
import json
import subprocess
import sys

import matplotlib
from matplotlib.collections import LineCollection

from conftest import ROOT, run_script
from dp.chart import RC, build_figure, render_chart
from dp.dictionary import render_dictionary
from dp.load import load_resource, schema_of, tabular_resources
from dp.package import read_json

DICTIONARY = ROOT / "docs" / "data-dictionary.md"
CHART = ROOT / "docs" / "figures.svg"
STALE = "out of date: run `make docs` and commit the result"


def replace_in_file(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# The data dictionary

def test_dictionary_is_current():
    assert DICTIONARY.read_text(encoding="utf-8") == render_dictionary(), f"{DICTIONARY.name} is {STALE}"


def test_dictionary_has_a_row_for_every_field():
    text = render_dictionary()
    descriptor = read_json(ROOT / "datapackage.json")
    for resource in tabular_resources(descriptor):
        section = text.split(f"\n## {resource['name']}\n", 1)[1].split("\n## ", 1)[0]
        assert resource["description"] in section
        for field in schema_of(resource, ROOT)["fields"]:
            assert f"| `{field['name']}` | {field['type']} |" in section, (resource["name"], field["name"])


def test_dictionary_shows_constraints_and_examples():
    text = render_dictionary()
    metrics = next(r for r in tabular_resources(read_json(ROOT / "datapackage.json")) if r["name"] == "metrics")
    fields = {field["name"]: field for field in schema_of(metrics, ROOT)["fields"]}
    assert "one of " + ", ".join(f"`{v}`" for v in fields["qualifier"]["constraints"]["enum"]) in text
    assert f"matches `{fields['id']['constraints']['pattern']}`" in text
    first_ids = load_resource("metrics")["id"].head(3)
    assert ", ".join(f"`{value}`" for value in first_ids) in text


def test_dictionary_follows_the_schemas(package_copy):
    schema_path = package_copy.parent / "schemas" / "places.schema.json"
    replace_in_file(schema_path, "English name of the place", "Name of the place in English")
    text = render_dictionary(package_copy)
    assert "Name of the place in English" in text
    assert text != DICTIONARY.read_text(encoding="utf-8")


# The chart

def test_chart_is_current():
    assert CHART.read_bytes() == render_chart(), f"{CHART.name} is {STALE}"


def test_chart_changes_when_the_metrics_change(package_copy):
    replace_in_file(package_copy.parent / "data" / "metrics.csv", "more_than,9000,,", "more_than,9500,,")
    assert render_chart(package_copy) != CHART.read_bytes()


def drawn_points(ax):
    return sorted(x for line in ax.get_lines() if line.get_marker() == "o" for x in line.get_xdata())


def drawn_bands(ax):
    return sorted((min(s[0][0], s[1][0]), max(s[0][0], s[1][0]))
                  for collection in ax.collections if isinstance(collection, LineCollection)
                  for s in collection.get_segments())


def test_chart_draws_exact_figures_as_points_and_hedged_ones_as_bands():
    metrics = load_resource("metrics")
    with matplotlib.rc_context(RC):
        figure = build_figure()
    axes = figure.get_axes()
    assert len(axes) == metrics["unit"].nunique()
    # groupby on the categorical unit follows the schema's enum order, as the panels do
    for ax, (unit, group) in zip(axes, metrics.groupby("unit", observed=True)):
        exact = group[group["qualifier"] == "exact"]
        assert drawn_points(ax) == sorted(exact["value"].astype(float)), unit
        left, right = ax.get_xlim()
        bands = drawn_bands(ax)
        assert len(bands) == len(group) - len(exact), unit
        for row in group[group["qualifier"] != "exact"].itertuples():
            if row.qualifier == "more_than":
                assert (row.lower_bound, right) in bands, row.id  # open-ended: runs to the axis end
            elif row.qualifier == "nearly":
                assert any(start < row.upper_bound and end == row.upper_bound for start, end in bands), row.id
            else:
                assert (row.lower_bound, row.upper_bound) in bands, row.id


def test_docs_check_passes_on_the_repository():
    result = run_script("docs.py", "--check")
    assert result.returncode == 0, result.stderr


# The plotting dependency stays out of validation

def test_validation_never_imports_matplotlib_nor_hypothesis():
    """The chart's library is not a runtime requirement; pandera would import hypothesis (installed
    with the tests) for example strategies the gate never draws."""
    loaded_after_run = ("import os, runpy, sys\n"
                        "sys.argv = sys.argv[1:]\n"
                        "sys.path.insert(0, os.path.dirname(sys.argv[0]))\n"
                        "try:\n    runpy.run_path(sys.argv[0], run_name='__main__')\n"
                        "except SystemExit:\n    pass\n"
                        "print(*[name for name, module in sys.modules.items() if module is not None], file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", loaded_after_run, str(ROOT / "scripts" / "validate.py"), "--json"],
                            cwd=ROOT, capture_output=True, text=True)
    assert json.loads(result.stdout) is not None, result.stderr[-2000:]
    loaded = result.stderr.split()
    assert "dp.validate" in loaded and "pandera.backends.pandas.builtin_checks" in loaded
    assert not [name for name in loaded if name.split(".")[0] in ("matplotlib", "hypothesis")]


def test_runtime_requirements_leave_out_matplotlib():
    """`make validate` installs requirements.txt only; matplotlib comes with requirements-dev.txt."""
    runtime = (ROOT / "requirements.txt").read_text(encoding="utf-8").lower()
    dev = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").lower()
    assert "matplotlib" not in runtime and "\nmatplotlib==" in dev
