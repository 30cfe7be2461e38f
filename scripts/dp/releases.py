"""The release record: released versions never change.

releases/<version>.json, written by scripts/release.py and committed, records the sha256 of
every file a release consists of (each resource's file and Table Schema) and of its descriptor
(as canonical JSON, so re-indenting it is no change). Validation then fails when
datapackage.json claims a released version whose content differs from that record, and when
CHANGELOG.md has no section for the version it claims. Both checks read only files in the
package folder: they work in a fresh clone, offline. A folder without CHANGELOG.md (such as a
downloaded release zip) skips the changelog check; one without releases/ has no record to hold.
"""
import json
import re
import shlex
from pathlib import Path

from dp.package import PackageError, read_json, sha256_bytes, sha256_of
from dp.report import Problem

RELEASES_DIR = "releases"
CHANGELOG = "CHANGELOG.md"
UNRELEASED = "## [Unreleased]"
SECTION_START = re.compile(r"^## ", re.MULTILINE)
CITATION = "CITATION.cff"
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
JOURNAL = ".release-journal.json"  # dp/journal.py writes it; it lives only while a release runs or after one was cut off
NOW_MISSING = " (now missing)"  # after a recorded path, in a mismatch: the file is gone
HOW_TO_BUMP = "record the change under '## [Unreleased]' in CHANGELOG.md and run scripts/release.py to release it as a new version"


def parse_version(text):
    """(major, minor, patch) of a plain X.Y.Z version, or None."""
    match = SEMVER.fullmatch(str(text))
    return tuple(int(part) for part in match.groups()) if match else None


def restore_command(version, paths):
    """The git command that puts back the bytes of version for paths; it needs no tag, only the commit that recorded it."""
    return f'git checkout "$(git log -1 --format=%H --diff-filter=A -- {RELEASES_DIR}/{version}.json)" -- {" ".join(map(shlex.quote, paths))}'


def record_path(root, version):
    return Path(root) / RELEASES_DIR / f"{version}.json"


def released_versions(root):
    """The versions recorded in releases/, oldest first."""
    folder = Path(root) / RELEASES_DIR
    versions = [path.stem for path in folder.glob("*.json") if parse_version(path.stem)] if folder.is_dir() else []
    return sorted(versions, key=parse_version)


def descriptor_sha256(descriptor):
    canonical = json.dumps(descriptor, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sha256_bytes(canonical.encode("utf-8"))


def released_files(descriptor):
    """(resource name, path) of every file a release consists of: data files and schema files."""
    files, seen = [], set()
    for resource in descriptor["resources"]:
        for path in (resource.get("path"), resource.get("schema")):
            if isinstance(path, str) and path not in seen:
                seen.add(path)
                files.append((resource.get("name"), path))
    return files


def build_record(descriptor, root, date, dist=None):
    record = {
        "name": descriptor.get("name"),
        "version": descriptor.get("version"),
        "date": date,
        "created": descriptor.get("created"),
        "descriptor_sha256": descriptor_sha256(descriptor),
        "files": [{"resource": name, "path": path, "sha256": sha256_of(Path(root) / path)}
                  for name, path in released_files(descriptor)],
    }
    if dist:
        record["dist"] = dist
    return record


def read_record(root, version):
    record = read_json(record_path(root, version))
    if not isinstance(record, dict) or not isinstance(record.get("files"), list):
        raise PackageError(f"{record_path(root, version)}: not a release record (no files list)")
    for entry in record["files"]:
        if not (isinstance(entry, dict) and _is_package_path(entry.get("path")) and isinstance(entry.get("sha256"), str)):
            raise PackageError(f"{record_path(root, version)}: a files entry is not a path in the package with its sha256")
    return record


def _is_package_path(path):
    """A relative path that stays in the package folder, as a release record must list."""
    return isinstance(path, str) and bool(path) and ":" not in path and not path.startswith(("/", "\\")) \
        and ".." not in Path(path.replace("\\", "/")).parts


def record_mismatches(record, descriptor, root):
    """(resource, what differs) for every way the package at root differs from a release record."""
    mismatches = []
    if record.get("descriptor_sha256") != descriptor_sha256(descriptor):
        mismatches.append(("datapackage.json", "datapackage.json"))
    for entry in record["files"]:
        path = Path(root) / entry["path"]
        if not path.is_file():
            mismatches.append((entry.get("resource") or entry["path"], entry["path"] + NOW_MISSING))
        elif sha256_of(path) != entry["sha256"]:
            mismatches.append((entry.get("resource") or entry["path"], entry["path"]))
    return mismatches


def released_content_problems(root, descriptor):
    version = descriptor.get("version")
    if not parse_version(version) or not record_path(root, version).is_file():  # records are named X.Y.Z.json
        return []
    try:
        record = read_record(root, version)
    except PackageError as err:
        return [Problem(RELEASES_DIR, "release-record-unreadable", str(err))]
    return [
        Problem(resource, "released-version-changed",
                f"{what} differs from released version {version} (releases/{version}.json); released versions never change: "
                f"{HOW_TO_BUMP}; if only its bytes changed (re-indented, line endings), restore them with "
                f"{restore_command(version, [what.removesuffix(NOW_MISSING)])}, or release them with scripts/release.py --bump patch")
        for resource, what in record_mismatches(record, descriptor, root)
    ]


def split_sections(text):
    """The text before the first '## ' heading, and each section from its heading to the next."""
    starts = [match.start() for match in SECTION_START.finditer(text)]
    if not starts:
        return text, []
    return text[:starts[0]], [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]


def section_body(section):
    return section.partition("\n")[2].strip()


def changelog_as_released(text):
    """CHANGELOG.md as the last release wrote it: without the entries recorded under Unreleased since.

    A release moves those entries under its own heading and leaves '## [Unreleased]' empty, so the
    changelog in its zip is rebuilt byte for byte while the next release's notes are being written.
    """
    head, sections = split_sections(text)
    return head + "".join(f"{UNRELEASED}\n\n" if section.startswith(UNRELEASED) and section_body(section) else section
                          for section in sections)


def changelog_heading(version):
    return re.compile(rf"^## \[{re.escape(str(version))}\]", re.MULTILINE)


def changelog_problems(root, descriptor):
    path = Path(root) / CHANGELOG
    if not path.is_file():
        return []
    version = descriptor.get("version")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        return [Problem(CHANGELOG, "changelog-unreadable", f"CHANGELOG.md is not UTF-8 at byte {err.start}; save it as UTF-8")]
    if changelog_heading(version).search(text):
        return []
    return [Problem(CHANGELOG, "changelog-missing-version",
                    f"CHANGELOG.md has no '## [{version}]' section for the version datapackage.json claims; "
                    "scripts/release.py writes it when it sets the version")]


def interrupted_release_problems(root):
    if not (Path(root) / JOURNAL).exists():
        return []
    return [Problem(JOURNAL, "release-interrupted",
                    f"{JOURNAL}: a release was cut off part-way; run scripts/release.py to finish or undo it")]


def problems(context):
    interrupted = interrupted_release_problems(context.root)
    if interrupted:
        return interrupted
    if not context.descriptor.get("version"):  # nothing is claimed, so nothing to hold it to
        return []
    return released_content_problems(context.root, context.descriptor) + changelog_problems(context.root, context.descriptor)
