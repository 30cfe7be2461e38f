"""The validation gate: each rule, broken on a copy of the real package, is named with its row and field."""
import io
import json
import subprocess
import sys

import pytest

import validate as validate_cli
from breakage import delete_row, edit_descriptor, read_rows, refresh, set_cell, write_rows
from conftest import ROOT, run_script
from dp.tableschema import read_text_frame
from dp.validate import validate_package

# (resource, row id, field, bad value, rule the validator must name)
CELL_BREAKS = [
    # Table Schema: types and constraints
    ("metrics", "m004", "value", "62%", "type"),
    ("metrics", "m003", "value", "9,000", "type"),
    ("events", "e002", "date", "2017-02-30", "type"),
    ("sources", "us-state-2017-03-24", "bytes", "2439.5", "type"),
    ("metrics", "m002", "unit", "troops", "enum"),
    ("metrics", "m005", "qualifier", "roughly", "enum"),
    ("metrics", "m004", "id", "M4", "pattern"),
    ("metrics", "m004", "id", "m003", "unique"),
    ("indicators", "airstrikes", "label", "Coalition members", "unique"),
    ("metrics", "m009", "quote", "", "required"),
    ("metrics", "m001", "as_of", "2013-12-31", "minimum"),
    ("metrics", "m001", "as_of", "0001-01-01", "minimum"),  # a real date, out of datetime64[ns]'s range
    ("metrics", "m007", "lower_bound", "-5", "minimum"),
    ("places", "iraq", "iso3166_1_alpha3", "iq", "pattern"),
    ("metrics", "m007", "indicator", "sorties", "foreign-key"),
    ("events", "e003", "place", "ar_raqqah", "foreign-key"),
    ("places", "mosul", "parent", "nineveh", "foreign-key"),
    ("relations", "r001", "whole", "m099", "foreign-key"),
    # rules no Table Schema can express
    ("metrics", "m002", "unit", "percent", "unit-matches-indicator"),
    ("metrics", "m007", "upper_bound", "19000", "qualifier-bounds"),
    ("metrics", "m010", "lower_bound", "100", "qualifier-bounds"),
    ("metrics", "m008", "value", "50000", "qualifier-bounds"),
    ("metrics", "m008", "lower_bound", "200000", "bounds-order"),
    ("metrics", "m001", "as_of", "2017-03-25", "not-after-publication"),
    ("metrics", "m003", "as_of", "2017-03-23", "publication-date-basis"),
    ("metrics", "m006", "period_start", "2014-13-01", "period-start-date"),
    ("metrics", "m012", "period_start", "2017-11-05", "period-start-before-as-of"),
    ("metrics", "m006", "period_start", "2013", "period-start-in-span"),
    ("metrics", "m006", "period_start_basis", "", "period-start-basis"),
    ("metrics", "m006", "period_start_basis", "stated_date", "period-start-basis"),
    ("metrics", "m012", "note", "", "inference-explained"),
    ("events", "e003", "date", "2017-11-05", "not-after-publication"),
    ("events", "e001", "note", "", "inference-explained"),
    ("places", "iraq", "iso3166_1_alpha3", "", "country-code"),
    ("places", "mosul", "iso3166_1_alpha3", "MSL", "country-code"),
    ("relations", "r002", "whole", "m012", "same-unit"),
    # provenance
    ("sources", "us-state-2017-03-24", "sha256", "0" * 64, "archive-hash"),
    ("sources", "us-state-2017-03-24", "bytes", "2440", "archive-bytes"),
    ("metrics", "m007", "quote", "more than 19,001 strikes on ISIS targets", "quote-verbatim"),
    ("events", "e002", "quote", "liberated eastern Mosul on January 24, 2016", "quote-verbatim"),
    ("exclusions", "x002", "quote", "nearly all of al-Baghdadi's deputies", "quote-verbatim"),
    ("metrics", "m009", "value", "181", "figure-in-quote"),
    ("metrics", "m008", "upper_bound", "1000000", "figure-in-quote"),
    ("metrics", "m009", "qualifier", "exact", "hedge-in-quote"),
    ("events", "e002", "date", "2017-01-25", "date-in-quote"),
    ("events", "e001", "date_basis", "stated_date", "date-in-quote"),
    ("metrics", "m012", "period_start", "2016-11-06", "date-in-quote"),
    ("metrics", "m006", "period_start", "2015", "date-in-quote"),
    # safety
    ("events", "e002", "description", "=HYPERLINK(\"http://x\")", "csv-injection"),
    ("metrics", "m003", "note", "@SUM(A1)", "csv-injection"),
    ("places", "iraq_and_syria", "note", "\tIraq and Syria", "csv-injection"),
]


SOURCE_ID = "us-state-2017-03-24"
# The problems a break in CELL_BREAKS also causes, besides its own, as (resource, rule, row, row_id, field):
# each is a true consequence (a quote changed is no longer the figure, a figure no longer covered...).
ALSO = {
    ("metrics", "m009", "quote", ""): [("metrics", "figure-in-quote", 10, "m009", "quote"),
                                       ("sources", "coverage", None, SOURCE_ID, None)],
    ("metrics", "m002", "unit", "percent"): [("relations", "same-unit", 3, "r002", "whole")],
    ("metrics", "m008", "lower_bound", "200000"): [("metrics", "figure-in-quote", 9, "m008", "lower_bound")],
    ("metrics", "m006", "period_start", "2014-13-01"): [("metrics", "period-start-basis", 7, "m006", "period_start_basis"),
                                                        ("metrics", "date-in-quote", 7, "m006", "period_start")],
    ("metrics", "m006", "period_start", "2013"): [("metrics", "date-in-quote", 7, "m006", "period_start")],
    ("metrics", "m007", "quote", "more than 19,001 strikes on ISIS targets"): [("metrics", "figure-in-quote", 8, "m007", "value"),
                                                                               ("sources", "coverage", None, SOURCE_ID, None)],
    ("events", "e002", "quote", "liberated eastern Mosul on January 24, 2016"): [("events", "date-in-quote", 3, "e002", "date"),
                                                                                 ("sources", "coverage", None, SOURCE_ID, None)],
    ("exclusions", "x002", "quote", "nearly all of al-Baghdadi's deputies"): [("sources", "coverage", None, SOURCE_ID, None)],
    ("metrics", "m009", "value", "181"): [("metrics", "qualifier-bounds", 10, "m009", "lower_bound")],
    ("metrics", "m009", "qualifier", "exact"): [("metrics", "qualifier-bounds", 10, "m009", "upper_bound")],
}


def problems_of(descriptor_path):
    """The problems of a broken copy, less the release check's: every break edits released content."""
    return [p for p in validate_package(descriptor_path) if p.rule != "released-version-changed"]


def where(problems):
    """(resource, rule, row, row_id, field) of each problem, in a stable order."""
    return sorted(((p.resource, p.rule, p.row, p.row_id, p.field) for p in problems), key=repr)


def test_the_untouched_package_passes():
    assert problems_of(ROOT / "datapackage.json") == []


@pytest.mark.parametrize("resource,row_id,field,value,rule", CELL_BREAKS,
                         ids=[f"{c[4]}:{c[0]}.{c[2]}={c[3]!r}" for c in CELL_BREAKS])
def test_a_broken_cell_gives_exactly_its_problems(package_copy, resource, row_id, field, value, rule):
    line = set_cell(package_copy, resource, row_id, field, value)
    named = value if field == "id" else row_id  # a broken key is named as written
    expected = [(resource, rule, line, named, field)] + ALSO.get((resource, row_id, field, value), [])
    assert where(problems_of(package_copy)) == sorted(expected, key=repr)


@pytest.mark.parametrize("resource,row_id,figure", [("metrics", "m009", "'180'"), ("exclusions", "x001", "'Mar 24, 2017'"),
                                                    ("events", "e002", "'January 24, 2017'"), ("exclusions", "x002", "'nearly all'")])
def test_a_deleted_row_leaves_its_figure_uncovered(package_copy, resource, row_id, figure):
    delete_row(package_copy, resource, row_id)
    coverage = [p for p in problems_of(package_copy) if p.rule == "coverage"]
    assert [p.message.split(" (")[0] for p in coverage] == [figure]


def test_a_stale_hash_is_caught(package_copy):
    path = package_copy.parent / "data" / "places.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Raqqa,city", "Raqqa ,city"), encoding="utf-8")
    rules = {(p.resource, p.rule) for p in problems_of(package_copy)}
    assert {("places", "hash-count"), ("places", "byte-count")} <= rules


def test_a_byte_order_mark_is_caught(package_copy):
    path = package_copy.parent / "data" / "indicators.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    refresh(package_copy)
    assert ("indicators", "encoding") in {(p.resource, p.rule) for p in problems_of(package_copy)}


def test_bytes_that_are_not_utf8_are_caught(package_copy):
    path = package_copy.parent / "data" / "places.csv"
    path.write_bytes(path.read_bytes().replace(b"Mosul", b"Mos\xfcl"))
    refresh(package_copy)
    assert ("places", "encoding") in {(p.resource, p.rule) for p in problems_of(package_copy)}


def test_a_table_that_cannot_be_read_gives_its_reason_and_no_cascade(package_copy):
    path = package_copy.parent / "data" / "metrics.csv"
    data = path.read_bytes()
    at = data.rfind(b"Raqqa")
    path.write_bytes(data[:at] + b"R\xe4qqa" + data[at + 5:])
    refresh(package_copy)
    rules = {(p.resource, p.rule) for p in problems_of(package_copy)}
    assert ("metrics", "encoding") in rules
    assert not {rule for _, rule in rules} & {"malformed-csv", "coverage"}


def test_the_reader_rejects_bytes_that_are_not_utf8_anywhere_in_a_file():
    # Validation checks UTF-8 itself only for files it could not read as tables; this is why.
    data = b"a,b\n" + b"x,y\n" * 50_000 + b"x,\xe4\n"
    with pytest.raises(ValueError):
        read_text_frame(io.BytesIO(data))


@pytest.mark.parametrize("change,rule", [
    (lambda rows: [row + ["extra"] for row in rows], "extra-label"),
    (lambda rows: [row[:-1] for row in rows], "missing-label"),
    (lambda rows: [[row[1], row[0], *row[2:]] for row in rows], "incorrect-label"),
])
def test_missing_extra_or_reordered_columns_are_caught(package_copy, change, rule):
    path = package_copy.parent / "data" / "metrics.csv"
    write_rows(path, change(read_rows(path)))
    refresh(package_copy)
    found = problems_of(package_copy)
    assert ("metrics", rule) in {(p.resource, p.rule) for p in found}, [p.line() for p in found]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_a_file_with_another_delimiter_has_its_header_reported(package_copy, delimiter):
    # No dialect says so: the file is read with commas, as the gate reads it, not with a delimiter guessed from it.
    path = package_copy.parent / "data" / "places.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", delimiter), encoding="utf-8")
    refresh(package_copy)
    found = {(p.resource, p.rule) for p in problems_of(package_copy)}
    assert {("places", "incorrect-label"), ("places", "missing-label")} <= found
    assert ("places", "internal-error") not in found


@pytest.mark.parametrize("path", ["../data/metrics.csv", "/etc/hostname", "https://example.org/metrics.csv", "data/../../x.csv"])
def test_a_path_outside_the_package_is_refused(package_copy, path):
    edit_descriptor(package_copy, lambda d: d["resources"][3].update(path=path))
    found = problems_of(package_copy)
    assert ("metrics", "unsafe-path", "path") in {(p.resource, p.rule, p.field) for p in found}


def test_an_invalid_descriptor_is_reported(package_copy):
    edit_descriptor(package_copy, lambda d: d.update(licenses="public domain"))
    assert any(p.resource == "datapackage.json" for p in problems_of(package_copy))


def test_every_failure_is_reported_not_only_the_first(package_copy):
    lines = {set_cell(package_copy, "metrics", "m004", "value", "62%"),
             set_cell(package_copy, "metrics", "m009", "unit", "troops")}
    delete_row(package_copy, "exclusions", "x001")
    found = problems_of(package_copy)
    assert {p.row for p in found if p.resource == "metrics"} == lines
    assert any(p.rule == "coverage" for p in found)


# The command line: report lines, JSON, exit codes, never a traceback.

def test_cli_valid_package_exits_0():
    result = run_script("validate.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("VALID")
    assert result.stderr == ""


def test_cli_invalid_package_exits_1_with_one_line_per_problem(package_copy):
    set_cell(package_copy, "metrics", "m004", "value", "62%")
    set_cell(package_copy, "metrics", "m002", "unit", "troops")
    result = run_script("validate.py", package_copy)
    assert result.returncode == 1
    assert result.stderr == ""  # nothing on stderr, not even an "Exception ignored" at exit
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "INVALID: 4 problem(s)"  # the two cells, and the release check for the descriptor and metrics.csv
    assert "metrics, row 5 (m004), field value: [type]" in lines[0] + lines[1]


def test_cli_json_report_matches_the_text_report(package_copy, capsys):
    set_cell(package_copy, "events", "e002", "date", "2017-02-30")
    assert validate_cli.main([str(package_copy), "--json"]) == 1  # in-process: the subprocess tests above cover the exit
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert [p["rule"] for p in report["problems"]] == ["type", "released-version-changed", "released-version-changed"]
    assert report["problems"][0] | {"message": ""} == {"resource": "events", "rule": "type", "message": "",
                                                         "row": 3, "row_id": "e002", "field": "date"}


def test_cli_unreadable_package_exits_2_without_traceback(tmp_path):
    result = run_script("validate.py", tmp_path / "datapackage.json")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "datapackage.json" in result.stderr


@pytest.mark.parametrize("content", ["{not json", "[]"])
def test_cli_unreadable_descriptor_exits_2(tmp_path, capsys, content):
    path = tmp_path / "datapackage.json"
    path.write_text(content, encoding="utf-8")
    assert validate_cli.main([str(path)]) == 2
    assert "datapackage.json" in capsys.readouterr().err


def test_cli_resolves_files_relative_to_the_descriptor(package_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path.parent)
    assert validate_cli.main([str(package_copy.relative_to(tmp_path.parent))]) == 0


def test_an_interrupted_validation_says_so_in_one_line_and_exits_130(monkeypatch, capsys):
    def interrupted(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(validate_cli, "validate_spec", interrupted)
    assert validate_cli.main([]) == 130
    assert capsys.readouterr().err == "interrupted: the package was not validated; nothing was written\n"


def test_the_command_line_ends_with_its_objects_frozen_for_the_collector():
    # A process of its own, not a fork: Python's exit (atexit, the last collections) runs only there.
    watch = ("import atexit, gc, runpy, sys; sys.path.insert(0, 'scripts'); sys.argv = ['scripts/validate.py']; "
             "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0)); "
             "runpy.run_path('scripts/validate.py', run_name='__main__')")
    finished = subprocess.run([sys.executable, "-c", watch], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.splitlines()[-2:] == ["VALID: no problems found", "frozen at exit: True"]
