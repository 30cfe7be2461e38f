"""The small shared parts, in-process: how a problem is reported, how a figure is worded, and how
the package's JSON files are read and written."""
import errno
import gc
import importlib
import json
import os
import sys
from types import SimpleNamespace

import pytest

from dp.package import (MAX_JSON_DEPTH, PackageError, WriteError, atomic_write, dump_json, integrity_of, read_descriptor, read_json,
                        refresh_integrity, sha256_bytes)
from dp.process_exit import exit_with
from dp.report import LONGEST_MESSAGE, LONGEST_NAME, Problem, cut, json_report, text_report
from dp.wording import amount, figure_text


def test_the_text_report_has_a_line_per_problem_and_a_verdict():
    problems = [Problem("metrics", "type", "bad", 3, "m001", "value"), Problem("sources", "coverage", "'9' is in no quote")]
    assert text_report(problems) == ("metrics, row 3 (m001), field value: [type] bad\n"
                                     "sources: [coverage] '9' is in no quote\nINVALID: 2 problem(s)")
    assert text_report([]) == "VALID: no problems found"
    assert Problem("t", "r", "m", 4, None, "f").line() == "t, row 4, field f: [r] m"


def test_the_json_report_holds_every_field_of_every_problem():
    report = json.loads(json_report([Problem("metrics", "type", "bad", 3, "m001", "value")]))
    assert report == {"valid": False, "count": 1, "problems": [
        {"resource": "metrics", "rule": "type", "message": "bad", "row": 3, "row_id": "m001", "field": "value"}]}
    assert json.loads(json_report([])) == {"valid": True, "count": 0, "problems": []}
    assert json_report([]) == '{\n  "valid": true,\n  "count": 0,\n  "problems": []\n}'


def test_a_long_text_is_cut_and_says_how_much_was_left_out():
    assert cut("abc", 3) == "abc" and cut("abcd", 3) == "abc… (1 more characters)"
    problem = Problem("r" * (LONGEST_NAME + 5), "rule", "m" * (LONGEST_MESSAGE + 2), field="f" * (LONGEST_NAME + 1))
    assert problem.resource == "r" * LONGEST_NAME + "… (5 more characters)"
    assert problem.message == "m" * LONGEST_MESSAGE + "… (2 more characters)"
    assert problem.field == "f" * LONGEST_NAME + "… (1 more characters)"
    assert Problem("r" * LONGEST_NAME, "x", "m" * LONGEST_MESSAGE).message == "m" * LONGEST_MESSAGE


@pytest.mark.parametrize("qualifier,unit,text", [
    ("exact", "count", "19,000"),
    ("exact", "percent", "62%"),
    ("more_than", "km2", "more than 4,000 km²"),
    ("nearly", "count", "nearly 90,000"),
    ("order_of_magnitude", "count", "10,000 to under 100,000"),
    ("exact", "hectares", "19,000 hectares"),
])
def test_a_figure_is_worded_with_the_hedge_its_qualifier_codes(qualifier, unit, text):
    bounds = {"exact": (19000, None, None), "more_than": (None, 4000, None), "nearly": (None, None, 90000),
              "order_of_magnitude": (None, 10000, 100000)}[qualifier]
    if unit == "percent":
        bounds = (62.4, None, None)
    row = SimpleNamespace(qualifier=qualifier, unit=unit, value=bounds[0], lower_bound=bounds[1], upper_bound=bounds[2])
    assert figure_text(row) == text
    assert amount(1234.5, "count") == "1,234"


@pytest.mark.parametrize("text,error", [
    ("{", "not valid JSON"),
    ('{"a": NaN}', "not valid JSON (NaN is not a JSON number)"),
    ('[Infinity]', "not valid JSON (Infinity is not a JSON number)"),
    ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), f"JSON nested deeper than {MAX_JSON_DEPTH} levels"),
    ('{"a": ' * MAX_JSON_DEPTH + "[]" + "}" * MAX_JSON_DEPTH, f"JSON nested deeper than {MAX_JSON_DEPTH} levels"),
])
def test_json_that_is_not_strict_or_nests_too_deep_cannot_be_read(tmp_path, text, error):
    (tmp_path / "a.json").write_text(text, encoding="utf-8")
    with pytest.raises(PackageError) as refused:
        read_json(tmp_path / "a.json")
    assert str(refused.value).startswith(f"{tmp_path / 'a.json'}: {error}")


def test_json_nested_to_the_limit_is_read_and_a_missing_or_non_utf8_file_is_named(tmp_path):
    deep = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    (tmp_path / "deep.json").write_text(deep, encoding="utf-8")
    assert read_json(tmp_path / "deep.json") == json.loads(deep)
    with pytest.raises(PackageError, match="absent.json: file not found"):
        read_json(tmp_path / "absent.json")
    (tmp_path / "latin.json").write_bytes(b'{"a": "\xe9"}')
    with pytest.raises(PackageError, match="latin.json: not UTF-8"):
        read_json(tmp_path / "latin.json")


@pytest.mark.parametrize("text", ["[]", '{"resources": {}}', '{"name": "x"}'])
def test_a_descriptor_needs_a_list_of_resources(tmp_path, text):
    (tmp_path / "datapackage.json").write_text(text, encoding="utf-8")
    with pytest.raises(PackageError, match="not a data package descriptor"):
        read_descriptor(tmp_path / "datapackage.json")


def test_a_write_replaces_the_file_whole_with_a_plain_files_mode(tmp_path):
    path = tmp_path / "a.json"
    atomic_write(path, dump_json({"é": [1]}))
    assert path.read_text(encoding="utf-8") == '{\n  "é": [\n    1\n  ]\n}\n'
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o640)
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new" and path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_the_integrity_of_each_resource_is_its_files_size_and_hash(tmp_path):
    data = b"id\n1\n"
    (tmp_path / "a.csv").write_bytes(data)
    assert integrity_of(tmp_path / "a.csv") == {"bytes": 5, "hash": f"sha256:{sha256_bytes(data)}"}
    descriptor = {"resources": [{"name": "a", "path": "a.csv", "bytes": 1}]}
    fresh = refresh_integrity(descriptor, tmp_path)
    assert fresh["resources"][0] == {"name": "a", "path": "a.csv", "bytes": 5, "hash": f"sha256:{sha256_bytes(data)}"}
    assert descriptor["resources"][0] == {"name": "a", "path": "a.csv", "bytes": 1}


def test_a_write_that_fails_says_which_file_and_why(tmp_path):
    with pytest.raises(WriteError) as failed:
        atomic_write(tmp_path / "absent" / "a.json", "{}")
    assert (failed.value.errno, failed.value.strerror) == (errno.ENOENT, f"cannot write {tmp_path / 'absent' / 'a.json'}: No such file or directory")
    (tmp_path / "folder").mkdir()
    with pytest.raises(WriteError) as failed:
        atomic_write(tmp_path / "folder", "{}")
    assert (failed.value.errno, failed.value.strerror) == (errno.EISDIR, f"cannot write {tmp_path / 'folder'}: Is a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]


def test_the_gate_keeps_pandera_from_importing_hypothesis_unless_it_is_imported_already():
    from dp.pandera_schema import leave_out_example_strategies
    saved = sys.modules.pop("hypothesis", None)
    try:
        leave_out_example_strategies()
        assert "hypothesis" in sys.modules and sys.modules["hypothesis"] is None
        with pytest.raises(ImportError):
            importlib.import_module("hypothesis")
        imported = sys.modules["hypothesis"] = SimpleNamespace()
        leave_out_example_strategies()
        assert sys.modules["hypothesis"] is imported
    finally:  # put back before pytest's plugins look for hypothesis again
        sys.modules.pop("hypothesis", None)
        if saved is not None:
            sys.modules["hypothesis"] = saved


def test_a_command_line_exits_with_its_code_and_its_objects_frozen_for_the_collector():
    assert gc.get_freeze_count() == 0
    try:
        with pytest.raises(SystemExit) as exited:
            exit_with(3)
        assert exited.value.code == 3
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
