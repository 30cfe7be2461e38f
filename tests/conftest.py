"""Shared fixtures: the real package, and throw-away copies of it to break."""
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

import forked_scripts

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_FILES = ["datapackage.json", "data", "schemas", "archive", "CHANGELOG.md", "releases", "LICENSE-DATA", "CITATION.cff"]


def git(root, *args):
    """What git prints for a command run in root (its last line break dropped); fails the test when git fails."""
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout.rstrip("\n")


def sha(data):
    """The sha256 of bytes, or of text as UTF-8, worked out here rather than by the code under test."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def copy_package(folder):
    """Copy the package's files into folder; returns the copied datapackage.json."""
    for name in PACKAGE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        elif source.exists():
            shutil.copy2(source, folder / name)
    return folder / "datapackage.json"


@pytest.fixture
def package_copy(tmp_path):
    """A copy of the package's files in a temporary folder; returns the copied datapackage.json."""
    return copy_package(tmp_path)


def run_script(name, *args, cwd=ROOT):
    """Run scripts/<name> as its own process, forked with its libraries imported; returns the CompletedProcess."""
    return forked_scripts.run(ROOT / "scripts" / name, *args, cwd=cwd)


def current_version():
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]


def unreleased_copy(folder):
    """A copy of the package in folder as it would be before its first release, at version 1.0.0:
    no releases/, and no changelog section after 1.0.0's, whatever version the package is at now."""
    descriptor = copy_package(folder)
    shutil.rmtree(folder / "releases")
    data = json.loads(descriptor.read_text(encoding="utf-8"))
    descriptor.write_text(json.dumps(dict(data, version="1.0.0"), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    changelog = folder / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n## [Unreleased]")
    later = rest.split("\n## [1.0.0]", 1)
    changelog.write_text(head + "\n## [Unreleased]\n\n## [1.0.0]" + later[1], encoding="utf-8")
    return descriptor
