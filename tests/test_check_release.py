"""scripts/check_release.py end to end: the CI recipe of docs/releasing.md run on releases built in a temporary folder."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, unreleased_copy
from dp import release
from dp.check import check_release

NAME = "global-coalition-defeat-isis-meeting-2017-03-24"


def recipe_step(name):
    """The run command of a step of the GitHub Actions job in docs/releasing.md."""
    text = (ROOT / "docs" / "releasing.md").read_text(encoding="utf-8")
    job = yaml.safe_load(re.search(r"```yaml\n(.*?)```", text, re.DOTALL).group(1))
    steps = next(iter(job["jobs"].values()))["steps"]
    return next(step["run"] for step in steps if step.get("name") == name)


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """{version: dist folder}: 1.0.0 released in a temporary copy, and 2.0.0 released on top of it with a major change."""
    root = tmp_path_factory.mktemp("package")
    descriptor = unreleased_copy(root)
    release.carry_out(release.plan_release(descriptor, tag=False))
    first = root / "dist"
    pinned = tmp_path_factory.mktemp("dist-1.0.0")
    for path in first.iterdir():
        shutil.copy2(path, pinned / path.name)
    schema_path = root / "schemas" / "exclusions.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    next(f for f in schema["fields"] if f["name"] == "reason")["constraints"]["maxLength"] = 1000
    schema_path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    changelog = root / "CHANGELOG.md"
    changelog.write_text(changelog.read_text(encoding="utf-8").replace(
        "## [Unreleased]\n", "## [Unreleased]\n\n### Changed\n- A reason may be at most 1000 characters.\n", 1), encoding="utf-8")
    plan = release.plan_release(descriptor, tag=False)
    assert plan.version == "2.0.0"
    release.carry_out(plan)
    return {"1.0.0": pinned, "2.0.0": root / "dist"}


def run_recipe(tmp_path, dists, version, corrupt=False):
    """Lay out the downloads as the recipe's download step would, then run its check step."""
    candidate, pinned = tmp_path / "candidate", tmp_path / "pinned"
    candidate.mkdir()
    pinned.mkdir()
    shutil.copy2(dists["1.0.0"] / f"{NAME}-1.0.0.zip", pinned)
    shutil.copy2(dists[version] / f"{NAME}-{version}.zip", candidate)
    shutil.copy2(dists[version] / "SHA256SUMS", candidate)
    if corrupt:
        zip_path = candidate / f"{NAME}-{version}.zip"
        data = bytearray(zip_path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        zip_path.write_bytes(bytes(data))
    (tmp_path / "data-package").symlink_to(ROOT)
    env = dict(os.environ, NAME=NAME, PIN="1.0.0", VERSION=version,
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(["bash", "-euo", "pipefail", "-c", recipe_step("Check the new release against the pin")],
                          cwd=tmp_path, env=env, capture_output=True, text=True)


def test_intact_release_passes(tmp_path, dists):
    result = run_recipe(tmp_path, dists, "1.0.0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   checksum: sha256" in result.stdout and result.stdout.rstrip().endswith("VERDICT: PASS: intact, valid and compatible")


def test_corrupted_release_fails(tmp_path, dists):
    result = run_recipe(tmp_path, dists, "1.0.0", corrupt=True)
    assert result.returncode == 1 and "the download is corrupt" in result.stdout and "Traceback" not in result.stderr
    assert "VERDICT: FAIL" in result.stdout


def test_major_change_over_the_pin_fails(tmp_path, dists):
    result = run_recipe(tmp_path, dists, "2.0.0")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ok   gate:" in result.stdout and "field reason constraint maxLength" in result.stdout
    assert "1.0.0 -> 2.0.0: required bump major: a major change over pin" in result.stdout


def test_findings_in_process(dists):
    zip_path = dists["2.0.0"] / f"{NAME}-2.0.0.zip"
    findings, passed = check_release(zip_path, dists["2.0.0"] / "SHA256SUMS", str(dists["1.0.0"] / f"{NAME}-1.0.0.zip"))
    assert not passed and [f.what for f in findings if not f.ok] == ["pin", "pin"]
    findings, passed = check_release(zip_path, dists["1.0.0"] / "SHA256SUMS")
    assert not passed and "lists no" in findings[0].message
