"""dp.check in process: the check a user runs on a downloaded release zip (intact, valid,
compatible with their pin), on zips of a package of one small table built in a temporary folder;
and scripts/check_release.py's main, its lines and exit codes."""
import hashlib
import json
import locale
from pathlib import Path

import pytest

import check_release as command
from dp import check
from dp.check import Finding
from dp.package import PackageError
from dp.report import Problem
from test_baseline_units import git_history, released_package, write_package, zip_package

TWO_ROWS = b"id,n\na1,1\na2,2\n"


@pytest.fixture(scope="module")
def zips(tmp_path_factory):
    """{version: zip path}: 1.0.0, 1.1.0 (a row added), 2.0.0 (a row removed), and 'invalid' (a bad cell)."""
    tmp = tmp_path_factory.mktemp("zips")
    made = {}
    for version, rows in (("1.0.0", TWO_ROWS), ("1.1.0", TWO_ROWS + b"a3,3\n"), ("2.0.0", b"id,n\na1,1\n")):
        made[version] = zip_package(write_package(tmp / version, rows, version), tmp / f"tiny-{version}.zip")
    made["invalid"] = zip_package(write_package(tmp / "invalid", b"id,n\na1,x\na1,2\n", "1.0.1"), tmp / "tiny-1.0.1.zip")
    made["folder-1.0.0"] = tmp / "1.0.0"
    return made


def sums_file(folder, text):
    (folder / "SHA256SUMS").write_text(text, encoding="utf-8")
    return folder / "SHA256SUMS"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- one finding ----------------------------------------------------------------------------


def test_a_finding_line_starts_with_ok_or_fail_in_one_column():
    assert Finding(True, "gate", "fine").line() == "ok   gate: fine"
    assert Finding(False, "pin", "a major change").line() == "FAIL pin: a major change"


# --- SHA256SUMS -----------------------------------------------------------------------------


def test_sums_are_read_by_name_in_lower_case(tmp_path):
    sums = sums_file(tmp_path, "ABCDEF01  tiny-1.0.0.zip\n\n  0123abcd  tiny-1.1.0.zip  \nnot-a-sum-line\n")
    assert check.read_sums(sums) == {"tiny-1.0.0.zip": "abcdef01", "tiny-1.1.0.zip": "0123abcd"}


def test_sums_written_in_binary_mode_are_read(tmp_path):
    # sha256sum -b (and shasum -b) mark a binary read with '*' before the name.
    sums = sums_file(tmp_path, "abcd *tiny-1.0.0.zip\nef01  tiny-1.1.0.zip\n")
    assert check.read_sums(str(sums)) == {"tiny-1.0.0.zip": "abcd", "tiny-1.1.0.zip": "ef01"}


def test_a_name_holding_spaces_is_read_whole(tmp_path):
    assert check.read_sums(sums_file(tmp_path, "abcd  my copy.zip\n")) == {"my copy.zip": "abcd"}


def test_sums_are_read_as_utf8_whatever_the_locale(tmp_path):
    sums = tmp_path / "SHA256SUMS"
    sums.write_bytes("abcd  données-1.0.0.zip\n".encode("utf-8"))
    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")  # a locale whose encoding is ASCII
    try:
        assert check.read_sums(sums) == {"données-1.0.0.zip": "abcd"}
    finally:
        locale.setlocale(locale.LC_CTYPE, before)


def test_without_sums_the_checksum_is_not_checked(zips):
    assert check.checksum_findings(zips["1.0.0"], None) == [Finding(True, "checksum", "not checked (no --sums given)")]


def test_a_matching_sum_is_ok(zips, tmp_path):
    sums = sums_file(tmp_path, f"{digest(zips['1.1.0'])}  tiny-1.1.0.zip\n{digest(zips['1.0.0']).upper()}  tiny-1.0.0.zip\n")
    assert check.checksum_findings(zips["1.0.0"], sums) == [Finding(True, "checksum", "sha256 of tiny-1.0.0.zip matches SHA256SUMS")]


def test_a_sum_that_differs_means_a_corrupt_download(zips, tmp_path):
    sums = sums_file(tmp_path, f"{digest(zips['1.1.0'])}  tiny-1.0.0.zip\n")
    assert check.checksum_findings(zips["1.0.0"], sums) == [Finding(
        False, "checksum", f"sha256 of tiny-1.0.0.zip is {digest(zips['1.0.0'])}, SHA256SUMS says {digest(zips['1.1.0'])}: "
        "the download is corrupt")]


def test_sums_that_do_not_list_the_zip_fail(zips, tmp_path):
    sums = sums_file(tmp_path, f"{digest(zips['1.0.0'])}  tiny-1.1.0.zip\n")
    assert check.checksum_findings(zips["1.0.0"], sums) == [Finding(False, "checksum", "SHA256SUMS lists no tiny-1.0.0.zip")]


def test_sums_that_cannot_be_read_stop_the_check(zips, tmp_path):
    with pytest.raises(PackageError) as err:
        check.checksum_findings(zips["1.0.0"], tmp_path / "SHA256SUMS")
    assert str(err.value) == f"{tmp_path / 'SHA256SUMS'}: cannot be read ([Errno 2] No such file or directory: '{tmp_path / 'SHA256SUMS'}')"
    (tmp_path / "SHA256SUMS").write_bytes(b"\xff\xfe  tiny-1.0.0.zip\n")
    with pytest.raises(PackageError) as err:
        check.checksum_findings(zips["1.0.0"], tmp_path / "SHA256SUMS")
    assert str(err.value) == (f"{tmp_path / 'SHA256SUMS'}: cannot be read ('utf-8' codec can't decode byte 0xff in position 0: "
                              "invalid start byte)")


# --- the validation gate --------------------------------------------------------------------


def test_problems_in_a_zip_name_the_file_in_the_zip(zips):
    assert check.validate_spec(zips["invalid"]) == [
        Problem("data/t.csv in tiny-1.0.1.zip", "type", "'x' is not a valid integer; write a whole number such as 2439 (no spaces)",
                2, "a1", "n"),
        Problem("data/t.csv in tiny-1.0.1.zip", "unique", "'a1' appears in an earlier row; id must be unique", 3, "a1", "id"),
    ]


def test_problems_in_a_folder_keep_the_resource_name(tmp_path):
    folder = write_package(tmp_path, b"id,n\na1,x\n")
    assert check.validate_spec(folder) == [
        Problem("t", "type", "'x' is not a valid integer; write a whole number such as 2439 (no spaces)", 2, "a1", "n")]


def test_a_problem_of_the_descriptor_is_named_in_the_zip(tmp_path):
    folder = write_package(tmp_path / "package")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    (folder / "datapackage.json").write_text(json.dumps(dict(descriptor, licenses="x")), encoding="utf-8")
    assert check.validate_spec(zip_package(folder, tmp_path / "tiny.zip")) == [Problem(
        "datapackage.json in tiny.zip", "package-error", "The data package has an error: 'x' is not of type 'array' at property 'licenses'")]


def test_the_temporary_folder_of_a_zip_never_shows(zips, monkeypatch):
    def validate_package(view):
        return [Problem("t", "rule", f"{view.root}/data/t.csv differs from {view.root}")]
    monkeypatch.setattr(check, "validate_package", validate_package)
    assert check.validate_spec(zips["1.0.0"]) == [Problem("data/t.csv in tiny-1.0.0.zip", "rule", "data/t.csv differs from tiny-1.0.0.zip")]


def test_an_unreadable_zip_is_named_without_its_temporary_folder(zips, monkeypatch):
    def validate_package(view):
        raise PackageError(f"{view.root}/data/t.csv: cannot be read")
    monkeypatch.setattr(check, "validate_package", validate_package)
    with pytest.raises(PackageError) as err:
        check.validate_spec(zips["1.0.0"])
    assert str(err.value) == "data/t.csv: cannot be read"


def test_a_valid_zip_passes_the_gate(zips):
    assert check.gate_findings(zips["1.0.0"], None) == (
        [Finding(True, "gate", "tiny-1.0.0.zip passes every rule of the validation gate")], True)


def test_each_problem_of_an_invalid_zip_is_a_failed_finding(zips):
    assert check.gate_findings(zips["invalid"], None) == ([
        Finding(False, "gate", "data/t.csv in tiny-1.0.1.zip, row 2 (a1), field n: [type] 'x' is not a valid integer; "
                "write a whole number such as 2439 (no spaces)"),
        Finding(False, "gate", "data/t.csv in tiny-1.0.1.zip, row 3 (a1), field id: [unique] 'a1' appears in an earlier row; "
                "id must be unique"),
    ], False)


def test_a_zip_that_cannot_be_read_is_one_failed_finding_and_no_verdict(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    assert check.gate_findings(tmp_path / "broken.zip", None) == ([Finding(
        False, "gate", f"cannot be read: {tmp_path / 'broken.zip'}: not a zip file (no end of central directory record)")], None)


# --- the pin --------------------------------------------------------------------------------


def test_without_a_pin_nothing_is_compared(zips):
    assert check.pin_findings(zips["1.1.0"], None, None) == [Finding(True, "pin", "not compared (no --pin given)")]


def test_a_minor_change_over_the_pin_is_compatible(zips):
    pin = str(zips["1.0.0"])
    assert check.pin_findings(zips["1.1.0"], pin, None) == [
        Finding(True, "pin", "t: 1 row(s) added: a3 [minor]"),
        Finding(True, "pin", f"1.0.0 -> 1.1.0: required bump minor: compatible with pin {pin}"),
    ]


def test_the_same_content_as_the_pin_is_compatible(zips):
    pin = str(zips["folder-1.0.0"])
    assert check.pin_findings(zips["1.0.0"], pin, None) == [
        Finding(True, "pin", f"1.0.0 -> 1.0.0: required bump none: compatible with pin {pin}")]


def test_a_major_change_over_the_pin_fails_each_change(zips):
    pin = str(zips["1.1.0"])
    assert check.pin_findings(zips["2.0.0"], pin, None) == [
        Finding(False, "pin", "t: 2 row(s) removed: a2, a3 [major]"),
        Finding(False, "pin", f"1.1.0 -> 2.0.0: required bump major: a major change over pin {pin}; "
                "read the CHANGELOG before moving your pin"),
    ]


def test_a_pin_that_cannot_be_read_cannot_be_compared(zips, tmp_path):
    (tmp_path / "pinned.zip").write_bytes(b"not a zip")
    assert check.pin_findings(zips["1.1.0"], str(tmp_path / "pinned.zip"), tmp_path) == [Finding(
        False, "pin", f"cannot compare: {tmp_path / 'pinned.zip'}: not a zip file (no end of central directory record)")]


def test_a_pin_by_version_name_is_looked_up_in_the_repository(zips, tmp_path):
    assert check.pin_findings(zips["1.1.0"], "1.0.0", tmp_path) == [Finding(
        False, "pin", f"cannot compare: '1.0.0' is not a directory, datapackage.json or zip, and {tmp_path} is not in a git "
        "repository to find it as a released version; pass the release zip instead")]


def test_a_candidate_that_cannot_be_read_as_a_snapshot_cannot_be_compared(zips, tmp_path):
    folder = write_package(tmp_path / "package", version="1.1.0")
    (folder / "data" / "t.csv").write_bytes(b"id,n\n\xff,1\n")
    findings = check.pin_findings(zip_package(folder, tmp_path / "tiny-1.1.0.zip"), str(zips["1.0.0"]), None)
    assert [(f.ok, f.what, f.message.split(" (")[0]) for f in findings] == [
        (False, "pin", "cannot compare: data/t.csv in tiny-1.1.0.zip: not a readable UTF-8 CSV")]


def test_revisions_are_looked_up_in_the_repository_given(tmp_path):
    root = tmp_path / "package"
    commits = git_history(root)
    assert check.pin_findings("HEAD", "1.0.0", root) == [
        Finding(True, "pin", "t: 1 row(s) added: a3 [minor]"),
        Finding(True, "pin", "1.0.0 -> 1.0.0: required bump minor: compatible with pin 1.0.0"),
    ]
    (root / "data" / "t.csv").write_bytes(b"id,n\na1,x\n")  # the working copy is not what is read
    assert [(p.resource, p.rule) for p in check.validate_spec("HEAD", root)] == [
        ("data/t.csv in git revision HEAD", "released-version-changed")]
    assert check.validate_spec(commits["release"], root) == []
    assert check.gate_findings(Path(commits["release"]), root) == (
        [Finding(True, "gate", f"{commits['release']} passes every rule of the validation gate")], True)


def test_a_pin_by_version_name_is_found_in_the_repository_given(zips, tmp_path):
    root = tmp_path / "package"
    git_history(root)
    findings, passed = check.check_release(zips["1.1.0"], None, "1.0.0", root)
    assert passed is True and [f.line() for f in findings][-2:] == [
        "ok   pin: t: 1 row(s) added: a3 [minor]", "ok   pin: 1.0.0 -> 1.1.0: required bump minor: compatible with pin 1.0.0"]


# --- the whole check ------------------------------------------------------------------------


def test_a_missing_zip_stops_the_check(tmp_path):
    with pytest.raises(PackageError) as err:
        check.check_release(tmp_path / "tiny-1.0.0.zip")
    assert str(err.value) == f"{tmp_path / 'tiny-1.0.0.zip'}: file not found"
    with pytest.raises(PackageError, match="file not found"):
        check.check_release(tmp_path)  # a folder is no downloaded zip


def test_an_intact_valid_compatible_zip_passes(zips, tmp_path):
    sums = sums_file(tmp_path, f"{digest(zips['1.1.0'])}  tiny-1.1.0.zip\n")
    assert check.check_release(str(zips["1.1.0"]), sums, str(zips["1.0.0"])) == ([
        Finding(True, "checksum", "sha256 of tiny-1.1.0.zip matches SHA256SUMS"),
        Finding(True, "gate", "tiny-1.1.0.zip passes every rule of the validation gate"),
        Finding(True, "pin", "t: 1 row(s) added: a3 [minor]"),
        Finding(True, "pin", f"1.0.0 -> 1.1.0: required bump minor: compatible with pin {zips['1.0.0']}"),
    ], True)


def test_nothing_given_but_the_zip_checks_the_gate_only(zips):
    assert check.check_release(zips["1.0.0"]) == ([
        Finding(True, "checksum", "not checked (no --sums given)"),
        Finding(True, "gate", "tiny-1.0.0.zip passes every rule of the validation gate"),
        Finding(True, "pin", "not compared (no --pin given)"),
    ], True)


def test_one_failed_finding_fails_the_check(zips, tmp_path):
    sums = sums_file(tmp_path, f"{digest(zips['1.0.0'])}  tiny-1.1.0.zip\n")
    findings, passed = check.check_release(zips["1.1.0"], sums)
    assert passed is False and [f.ok for f in findings] == [False, True, True]


def test_an_invalid_zip_is_still_compared_with_the_pin(zips):
    findings, passed = check.check_release(zips["invalid"], None, str(zips["1.0.0"]))
    assert passed is False
    assert [f.line() for f in findings if f.what == "pin"] == [
        "FAIL pin: t: 1 row(s) removed: a2 [major]",
        "FAIL pin: t: row a1: n '1' -> 'x' [patch]",
        f"FAIL pin: 1.0.0 -> 1.0.1: required bump major: a major change over pin {zips['1.0.0']}; read the CHANGELOG before moving your pin",
    ]
    assert [(f.ok, f.what) for f in findings][:3] == [(True, "checksum"), (False, "gate"), (False, "gate")]


def test_an_unreadable_zip_is_not_compared_with_the_pin(tmp_path, zips):
    (tmp_path / "tiny-1.1.0.zip").write_bytes(b"not a zip")
    findings, passed = check.check_release(tmp_path / "tiny-1.1.0.zip", None, str(zips["1.0.0"]))
    assert passed is False and [(f.ok, f.what) for f in findings] == [(True, "checksum"), (False, "gate")]


# --- scripts/check_release.py ---------------------------------------------------------------


def test_main_prints_each_finding_and_passes_with_exit_0(zips, capsys):
    assert command.main([str(zips["1.0.0"])]) == 0
    assert capsys.readouterr().out == ("ok   checksum: not checked (no --sums given)\n"
                                       "ok   gate: tiny-1.0.0.zip passes every rule of the validation gate\n"
                                       "ok   pin: not compared (no --pin given)\n"
                                       "VERDICT: PASS: intact, valid and compatible\n")


def test_main_counts_the_failed_findings_and_exits_1(zips, capsys):
    assert command.main([str(zips["2.0.0"]), "--pin", str(zips["1.1.0"])]) == 1
    assert capsys.readouterr().out.splitlines()[-3:] == [
        "FAIL pin: t: 2 row(s) removed: a2, a3 [major]",
        f"FAIL pin: 1.1.0 -> 2.0.0: required bump major: a major change over pin {zips['1.1.0']}; read the CHANGELOG before moving your pin",
        "VERDICT: FAIL: 2 finding(s) failed",
    ]


def test_main_exits_2_when_the_check_cannot_run(tmp_path, capsys):
    assert command.main([str(tmp_path / "tiny.zip")]) == 2
    assert capsys.readouterr() == ("", f"error: cannot check the release: {tmp_path / 'tiny.zip'}: file not found\n")


def test_a_release_on_record_passes_against_its_own_folder(tmp_path, capsys):
    folder = released_package(tmp_path / "package")
    archive = zip_package(folder, tmp_path / "tiny-1.0.0.zip")
    assert command.main([str(archive), "--pin", str(folder), "--repo", str(folder)]) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        f"ok   pin: 1.0.0 -> 1.0.0: required bump none: compatible with pin {folder}", "VERDICT: PASS: intact, valid and compatible"]
