"""The compatibility matrix's parts that run in-process: the Python probe (with this environment's
frictionless), the release zip it checks, and the table it prints. `make compat` runs the real matrix."""
import json
import zipfile

import pytest

from breakage import set_cell
from conftest import ROOT
from dp import compat_probe
from dp.compat import TOOLS, Row, build_release_zip, markdown


@pytest.fixture(scope="module")
def release_zip(tmp_path_factory):
    return build_release_zip(ROOT / "datapackage.json", tmp_path_factory.mktemp("zip"))


def probe_row(capsys, descriptor, zip_path):
    compat_probe.main("frictionless", str(descriptor), str(zip_path))
    return json.loads(capsys.readouterr().out)


def test_the_zip_is_the_release_zip(release_zip):
    with zipfile.ZipFile(release_zip) as archive:
        assert "datapackage.json" in archive.namelist() and "data/metrics.csv" in archive.namelist()


def test_frictionless_opens_the_folder_and_the_zip_and_types_every_table(capsys, release_zip):
    row = probe_row(capsys, ROOT / "datapackage.json", release_zip)
    assert row | {"version": ""} == {"version": "", "repo": "works", "zip": "works", "typed": "works"}


def test_the_probe_reports_why_a_package_fails(capsys, package_copy, release_zip):
    set_cell(package_copy, "metrics", "m004", "value", "62%")
    row = probe_row(capsys, package_copy, release_zip)
    assert row["repo"].startswith("invalid: type-error") and "62%" in row["repo"]
    assert row["typed"].startswith("fails: ") and row["zip"] == "works"


def test_the_matrix_prints_one_row_per_tool():
    rows = [Row(tool, tool.version, "works", "works", "works") for tool in TOOLS]
    rows[-1].zip = "fails: a | b"
    table = markdown(rows).splitlines()
    assert table[0] == "| tool | version | repo | zip | typed load |"
    assert len(table) == 2 + len(TOOLS) and table[-1].endswith("| works | fails: a \\| b | works |")
    assert [row.works for row in rows] == [True] * (len(TOOLS) - 1) + [False]
    assert all(tool.lock.exists() for tool in TOOLS)
