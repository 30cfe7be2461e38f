"""validate.py on a release zip: the full gate, read from the zip, its members named by their path inside it."""
import json
import zipfile

import pytest

from conftest import run_script
from dp import release
from dp.check import validate_spec
from dp.package import PackageError

NAME = "global-coalition-defeat-isis-meeting-2017-03-24"


@pytest.fixture
def dist_zip(package_copy):
    """The dist zip of the current version, rebuilt in a temporary copy (byte-identical to its record)."""
    return release.rebuild_dist(package_copy)


def broken_zip(package_copy, target):
    """A release zip of the package in which one cell of metrics is not a number."""
    root = package_copy.parent
    path = root / "data" / "metrics.csv"
    text = path.read_text(encoding="utf-8")
    old = "m001,us-state-2017-03-24,coalition_members,,68,"
    assert old in text
    path.write_text(text.replace(old, old.replace(",68,", ",6x8,"), 1), encoding="utf-8")
    descriptor = json.loads(package_copy.read_text(encoding="utf-8"))
    target.write_bytes(release.build_zip(root, package_copy.name, descriptor, "2026-11-27"))
    return target


def test_the_dist_zip_of_the_current_version_is_valid(dist_zip, package_copy):
    assert dist_zip.name == f"{NAME}-{json.loads(package_copy.read_text(encoding='utf-8'))['version']}.zip"
    assert validate_spec(dist_zip) == []


def test_a_broken_cell_in_a_zip_names_member_row_and_field(package_copy, tmp_path):
    problems = validate_spec(broken_zip(package_copy, tmp_path / "x.zip"))
    cell = [p for p in problems if p.rule == "type"]
    assert [(p.resource, p.row, p.row_id, p.field) for p in cell] == [("data/metrics.csv in x.zip", 2, "m001", "value")]
    assert all(str(tmp_path) not in p.message for p in problems)


def test_cli_validates_zips(package_copy, dist_zip, tmp_path):
    valid = run_script("validate.py", dist_zip)
    assert valid.returncode == 0 and "VALID" in valid.stdout, valid.stdout + valid.stderr
    broken = run_script("validate.py", broken_zip(package_copy, tmp_path / "x.zip"))
    assert broken.returncode == 1 and "data/metrics.csv in x.zip, row 2 (m001), field value: [type]" in broken.stdout


def test_a_truncated_zip_cannot_be_read(dist_zip, tmp_path):
    corrupt = tmp_path / "corrupt.zip"
    corrupt.write_bytes(dist_zip.read_bytes()[:-100])
    with pytest.raises(PackageError, match="corrupt.zip: not a zip file"):
        validate_spec(corrupt)


def test_zip_limits_apply_to_validation(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", bytes(30 << 20))
    with pytest.raises(PackageError, match="refused before extraction"):
        validate_spec(bomb)


def test_symlinked_data_file_is_a_problem_and_nothing_of_it_is_printed(package_copy, tmp_path_factory, monkeypatch):
    secret = "SECRET-VALUE-4711"
    monkeypatch.setenv("DP_TEST_SECRET", secret)
    outside = tmp_path_factory.mktemp("elsewhere") / "outside.txt"
    outside.write_text(f"id,value\n{secret},1\nThe coalition counted 4711 members.\n", encoding="utf-8")
    schema = outside.parent / "schema.json"
    schema.write_text(json.dumps({"fields": [{"name": secret, "type": "string"}]}), encoding="utf-8")
    for path, target in [("data/metrics.csv", "/proc/self/environ"), ("archive/global-coalition-meeting-2017-03-24.txt", outside),
                         ("schemas/events.schema.json", schema)]:
        (package_copy.parent / path).unlink()
        (package_copy.parent / path).symlink_to(target)
    result = run_script("validate.py", package_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "metrics: [unsafe-path]" in result.stdout and "events: [unsafe-path]" in result.stdout
    assert secret not in result.stdout + result.stderr and "4711" not in result.stdout + result.stderr
