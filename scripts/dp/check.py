"""Checking a downloaded release the way its users need: intact, valid, and compatible with their pin.

- intact: the zip's sha256 is the one SHA256SUMS gives for its name;
- valid: the full validation gate, run on the zip read through dp.source;
- compatible: the differ's required bump from the pinned version (a version name or a zip)
  to the zip is not major.
Each finding is one line; the verdict is PASS only when nothing failed.
"""
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from dp.diff import diff_snapshots, read_snapshot
from dp.package import PackageError, sha256_of
from dp.source import open_package
from dp.validate import validate_package


def validate_spec(spec, repo=None):
    """The problems of the package spec names, each named as the user sees it (a zip's members by their path in it)."""
    with open_package(spec, repo) as view:
        try:
            problems = validate_package(view)
        except PackageError as err:
            raise PackageError(view.shown(err)) from None
        if view.origin is None:
            return problems
        paths = {resource.get("name"): resource.get("path") for resource in view.descriptor()["resources"]}
        return [dataclasses.replace(problem, resource=view.name(paths.get(problem.resource) or problem.resource),
                                    message=view.shown(problem.message)) for problem in problems]


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str
    message: str

    def line(self):
        return f"{'ok  ' if self.ok else 'FAIL'} {self.what}: {self.message}"


def read_sums(path):
    """{file name: sha256} from a SHA256SUMS file: '<digest>  <name>' lines, or '<digest> *<name>' (sha256sum -b)."""
    sums = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.strip().partition(" ")
        name = name.removeprefix(" ").removeprefix("*")
        if digest and name:
            sums[name] = digest.lower()
    return sums


def checksum_findings(zip_path, sums_path):
    if sums_path is None:
        return [Finding(True, "checksum", "not checked (no --sums given)")]
    try:
        expected = read_sums(sums_path).get(zip_path.name)
    except (OSError, UnicodeDecodeError) as err:
        raise PackageError(f"{sums_path}: cannot be read ({err})") from None
    if expected is None:
        return [Finding(False, "checksum", f"{Path(sums_path).name} lists no {zip_path.name}")]
    actual = sha256_of(zip_path)
    if actual != expected:
        return [Finding(False, "checksum", f"sha256 of {zip_path.name} is {actual}, {Path(sums_path).name} says {expected}: the download is corrupt")]
    return [Finding(True, "checksum", f"sha256 of {zip_path.name} matches {Path(sums_path).name}")]


def gate_findings(zip_path, repo):
    try:
        problems = validate_spec(zip_path, repo)
    except PackageError as err:
        return [Finding(False, "gate", f"cannot be read: {err}")], None
    if problems:
        return [Finding(False, "gate", problem.line()) for problem in problems], False
    return [Finding(True, "gate", f"{zip_path.name} passes every rule of the validation gate")], True


def pin_findings(zip_path, pin, repo):
    if pin is None:
        return [Finding(True, "pin", "not compared (no --pin given)")]
    try:
        with open_package(pin, repo) as view:
            pinned = read_snapshot(view)
        with open_package(zip_path, repo) as view:
            candidate = read_snapshot(view)
    except PackageError as err:
        return [Finding(False, "pin", f"cannot compare: {err}")]
    diff = diff_snapshots(pinned, candidate)
    head = f"{diff.old_version} -> {diff.new_version}: required bump {diff.bump}"
    changes = [Finding(diff.bump != "major", "pin", line.removeprefix("- ")) for line in diff.summary_lines()]
    if diff.bump == "major":
        return changes + [Finding(False, "pin", f"{head}: a major change over pin {pin}; read the CHANGELOG before moving your pin")]
    return changes + [Finding(True, "pin", f"{head}: compatible with pin {pin}")]


def check_release(zip_path, sums=None, pin=None, repo=None):
    """Every finding about the zip, and whether it passes."""
    zip_path = Path(zip_path)
    if not zip_path.is_file():
        raise PackageError(f"{zip_path}: file not found")
    findings = checksum_findings(zip_path, sums)
    gate, readable = gate_findings(zip_path, repo)
    findings += gate
    if readable is not None:
        findings += pin_findings(zip_path, pin, repo)
    return findings, all(finding.ok for finding in findings)
