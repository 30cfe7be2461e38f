"""CITATION.cff is valid CFF and agrees with datapackage.json; the licence files name the same licences."""
import re
import subprocess

import pytest
import yaml

from conftest import ROOT
from dp.package import read_json

CITATION = ROOT / "CITATION.cff"
CFFCONVERT = ROOT / ".venv-cff" / "bin" / "cffconvert"
DESCRIPTOR = read_json(ROOT / "datapackage.json")
# datapackage.json names licences by Open Definition id, CFF by SPDX id; for the PDDL they differ.
SPDX_OF_OPEN_DEFINITION_ID = {"ODC-PDDL-1.0": "PDDL-1.0"}
DATA_LICENCE = DESCRIPTOR["licenses"][0]["name"]
CODE_LICENCE = "MIT"


@pytest.fixture(scope="module")
def citation():
    return yaml.safe_load(CITATION.read_text(encoding="utf-8"))


def test_cffconvert_validates_the_citation():
    if not CFFCONVERT.exists():
        pytest.fail(f"{CFFCONVERT.relative_to(ROOT)} is missing; run `make test`, which installs it from requirements-cff.txt")
    result = subprocess.run([str(CFFCONVERT), "--validate", "-i", str(CITATION)], capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_citation_matches_the_descriptor(citation):
    assert citation["title"] == DESCRIPTOR["title"]
    assert str(citation["version"]) == DESCRIPTOR["version"]
    assert citation["license"] == SPDX_OF_OPEN_DEFINITION_ID.get(DATA_LICENCE, DATA_LICENCE)
    assert citation["type"] == "dataset"


def test_citation_credits_the_descriptor_creators(citation):
    creators = [c["title"] for c in DESCRIPTOR["contributors"] if "creator" in c.get("roles", [])]
    assert [author["name"] for author in citation["authors"]] == creators


def test_citation_references_the_briefing(citation):
    source = read_json(ROOT / "datapackage.json")["sources"][0]["title"]
    briefing = citation["references"][0]
    assert briefing["title"] in source
    assert str(briefing["date-published"]) == "2017-03-24"


def test_licence_files_name_the_licences():
    data = (ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    code = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert DATA_LICENCE in data and "17 U.S.C. 105" in data
    assert code.startswith(f"{CODE_LICENCE} License\n")


def test_readme_names_both_licences():
    readme = ROOT / "README.md"
    assert readme.exists(), "README.md is missing"
    text = readme.read_text(encoding="utf-8")
    assert DATA_LICENCE in text, f"README must name the data licence {DATA_LICENCE}"
    assert re.search(rf"\b{CODE_LICENCE}\b", text), f"README must name the code licence {CODE_LICENCE}"
