"""Shared fixtures: the real package, and throw-away copies of it to break."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_FILES = ["datapackage.json", "data", "schemas", "archive", "CHANGELOG.md", "releases", "LICENSE-DATA", "CITATION.cff"]


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
    """Run scripts/<name> with this interpreter; returns the CompletedProcess."""
    return subprocess.run([sys.executable, str(ROOT / "scripts" / name), *map(str, args)],
                          cwd=cwd, capture_output=True, text=True)
