"""Release records and the changelog (dp/releases.py): what a released version holds, read in-process."""
import codecs
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from dp import releases
from dp.package import PackageError
from dp.releases import (build_record, changelog_as_released, changelog_heading, changelog_problems, descriptor_sha256,
                         interrupted_release_problems, parse_version, read_record, record_mismatches, record_path,
                         released_content_problems, released_files, released_versions, restore_command, section_body,
                         split_sections)
from dp.report import Problem
from conftest import sha

DESCRIPTOR = {
    "name": "tiny",
    "version": "1.2.0",
    "created": "2024-01-02T03:04:05Z",
    "resources": [
        {"name": "counts", "path": "data/counts.csv", "schema": "schemas/counts.schema.json"},
        {"name": "more", "path": "data/more.csv", "schema": "schemas/counts.schema.json"},
        {"name": "inline", "path": "data/inline.csv", "schema": {"fields": []}},
        {"name": "chunked", "path": ["data/a.csv", "data/b.csv"]},
    ],
}
FILES = {"data/counts.csv": b"id\n1\n", "data/more.csv": b"id\n2\n", "data/inline.csv": b"x\n",
         "schemas/counts.schema.json": b'{"fields": [{"name": "id"}]}'}
CHANGELOG_TEXT = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [1.2.0] - 2024-05-06\n\n- Counts.\n"


@pytest.fixture
def package(tmp_path):
    """A small released package: its files, datapackage.json, CHANGELOG.md and releases/1.2.0.json."""
    for name, data in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (tmp_path / "datapackage.json").write_text(json.dumps(DESCRIPTOR), encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG_TEXT, encoding="utf-8")
    (tmp_path / "releases").mkdir()
    record = build_record(DESCRIPTOR, tmp_path, "2024-05-06")
    (tmp_path / "releases" / "1.2.0.json").write_text(json.dumps(record), encoding="utf-8")
    return tmp_path


def write_record(root, version, record):
    (root / "releases").mkdir(exist_ok=True)
    (root / "releases" / f"{version}.json").write_text(json.dumps(record), encoding="utf-8")


@pytest.mark.parametrize("text, version", [
    ("1.2.3", (1, 2, 3)), ("0.0.0", (0, 0, 0)), ("10.20.300", (10, 20, 300)),
    ("01.2.3", None), ("1.02.3", None), ("1.2.03", None), ("1.2", None), ("1.2.3.4", None), ("v1.2.3", None),
    ("1.2.3-rc.1", None), (" 1.2.3", None), ("", None), (None, None), ("a.b.c", None),
])
def test_parse_version_reads_plain_semver_only(text, version):
    assert parse_version(text) == version


def test_restore_command_checks_out_the_paths_from_the_commit_that_added_the_record():
    assert restore_command("1.2.0", ["data/a.csv", "schemas/a.json"]) == (
        'git checkout "$(git log -1 --format=%H --diff-filter=A -- releases/1.2.0.json)" -- data/a.csv schemas/a.json')


def test_restore_command_quotes_paths_the_shell_would_split():
    assert restore_command("1.2.0", ["data/my counts.csv", "it's.csv", "."]) == (
        'git checkout "$(git log -1 --format=%H --diff-filter=A -- releases/1.2.0.json)" -- '
        "'data/my counts.csv' 'it'\"'\"'s.csv' .")


def test_the_restore_command_of_a_changed_or_missing_file_with_spaces_in_its_path_names_the_whole_path(tmp_path):
    descriptor = {"version": "1.0.0", "resources": [{"name": "a", "path": "my a.csv"}, {"name": "b", "path": "my\tb.csv"}]}
    for name in ("my a.csv", "my\tb.csv"):
        (tmp_path / name).write_text("id\n", encoding="utf-8")
    write_record(tmp_path, "1.0.0", build_record(descriptor, tmp_path, "2024-05-06"))
    (tmp_path / "my a.csv").unlink()
    (tmp_path / "my\tb.csv").write_text("id\n1\n", encoding="utf-8")
    command = 'git checkout "$(git log -1 --format=%H --diff-filter=A -- releases/1.0.0.json)" -- '
    assert [(p.resource, p.message.split("; ")[0], p.message.split(command)[1]) for p in released_content_problems(tmp_path, descriptor)] == [
        ("a", "my a.csv (now missing) differs from released version 1.0.0 (releases/1.0.0.json)",
         "'my a.csv', or release them with scripts/release.py --bump patch"),
        ("b", "my\tb.csv differs from released version 1.0.0 (releases/1.0.0.json)",
         "'my\tb.csv', or release them with scripts/release.py --bump patch")]


def test_record_path_is_the_version_file_in_releases(tmp_path):
    assert record_path(str(tmp_path), "1.2.0") == tmp_path / "releases" / "1.2.0.json"


def test_recorded_versions_are_the_semver_records_in_version_order(tmp_path):
    assert released_versions(tmp_path) == []
    (tmp_path / "releases").mkdir()
    for name in ["1.10.0.json", "1.2.0.json", "0.9.9.json", "notes.json", "1.2.json", "2.0.0.txt", "2.0.0.json.bak"]:
        (tmp_path / "releases" / name).write_text("{}", encoding="utf-8")
    assert released_versions(str(tmp_path)) == ["0.9.9", "1.2.0", "1.10.0"]


def test_no_versions_are_recorded_without_a_releases_folder(tmp_path):
    (tmp_path / "releases").write_text("not a folder", encoding="utf-8")
    assert released_versions(tmp_path) == []


def test_descriptor_sha256_is_that_of_canonical_json():
    assert descriptor_sha256({"b": "é", "a": [1, {"d": 2, "c": None}]}) == sha('{"a":[1,{"c":null,"d":2}],"b":"é"}'.encode("utf-8"))


def test_files_of_a_release_are_each_path_and_schema_once_in_order():
    assert released_files(DESCRIPTOR) == [("counts", "data/counts.csv"), ("counts", "schemas/counts.schema.json"),
                                          ("more", "data/more.csv"), ("inline", "data/inline.csv")]
    assert released_files({"resources": [{"path": "x.csv"}]}) == [(None, "x.csv")]


def test_build_record_holds_the_hash_of_every_released_file(package):
    assert build_record(DESCRIPTOR, str(package), "2024-05-06") == {
        "name": "tiny", "version": "1.2.0", "date": "2024-05-06", "created": "2024-01-02T03:04:05Z",
        "descriptor_sha256": descriptor_sha256(DESCRIPTOR),
        "files": [{"resource": "counts", "path": "data/counts.csv", "sha256": sha(b"id\n1\n")},
                  {"resource": "counts", "path": "schemas/counts.schema.json", "sha256": sha(FILES["schemas/counts.schema.json"])},
                  {"resource": "more", "path": "data/more.csv", "sha256": sha(b"id\n2\n")},
                  {"resource": "inline", "path": "data/inline.csv", "sha256": sha(b"x\n")}],
    }


def test_build_record_keeps_a_dist_entry_only_when_given(package):
    dist = {"zip": "tiny-1.2.0.zip", "zip_format": 2}
    assert build_record(DESCRIPTOR, package, "2024-05-06", dist)["dist"] == dist
    assert "dist" not in build_record(DESCRIPTOR, package, "2024-05-06", {})
    assert "dist" not in build_record(DESCRIPTOR, package, "2024-05-06")
    bare = build_record({"resources": []}, package, "2024-05-06")
    assert (bare["name"], bare["version"], bare["created"], bare["files"]) == (None, None, None, [])


def test_read_record_returns_a_well_formed_record(package):
    record = read_record(str(package), "1.2.0")
    assert record == json.loads((package / "releases" / "1.2.0.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("record", [[], {"files": {}}, {"name": "x"}, "files"])
def test_a_record_without_a_files_list_is_refused(tmp_path, record):
    write_record(tmp_path, "1.0.0", record)
    with pytest.raises(PackageError) as err:
        read_record(tmp_path, "1.0.0")
    assert str(err.value) == f"{tmp_path / 'releases' / '1.0.0.json'}: not a release record (no files list)"


@pytest.mark.parametrize("entry", [
    "data/a.csv", {"sha256": "ab"}, {"path": "data/a.csv"}, {"path": "data/a.csv", "sha256": 1},
    {"path": "", "sha256": "ab"}, {"path": "/etc/passwd", "sha256": "ab"}, {"path": "\\share\\a.csv", "sha256": "ab"},
    {"path": "C:data.csv", "sha256": "ab"}, {"path": "data/../../a.csv", "sha256": "ab"},
    {"path": "data\\..\\..\\a.csv", "sha256": "ab"}, {"path": "..", "sha256": "ab"}, {"path": 7, "sha256": "ab"},
])
def test_a_record_entry_outside_the_package_or_without_a_hash_is_refused(tmp_path, entry):
    write_record(tmp_path, "1.0.0", {"files": [{"path": "data/ok.csv", "sha256": "ab"}, entry]})
    with pytest.raises(PackageError) as err:
        read_record(tmp_path, "1.0.0")
    assert str(err.value) == f"{tmp_path / 'releases' / '1.0.0.json'}: a files entry is not a path in the package with its sha256"


@pytest.mark.parametrize("path", ["a.csv", "data/a.csv", "data\\a.csv", "..data/a.csv", "data/a..csv", "./a.csv"])
def test_record_entries_inside_the_package_are_read(tmp_path, path):
    write_record(tmp_path, "1.0.0", {"files": [{"path": path, "sha256": "ab"}]})
    assert read_record(tmp_path, "1.0.0")["files"] == [{"path": path, "sha256": "ab"}]


def test_an_unchanged_package_matches_its_record(package):
    record = read_record(package, "1.2.0")
    assert record_mismatches(record, DESCRIPTOR, str(package)) == []
    assert released_content_problems(package, DESCRIPTOR) == []


def test_record_mismatches_name_the_descriptor_and_each_changed_or_missing_file(package):
    record = read_record(package, "1.2.0")
    record["files"][2]["resource"] = ""
    del record["files"][1]["resource"]
    (package / "data" / "counts.csv").write_bytes(b"id\n9\n")
    (package / "schemas" / "counts.schema.json").write_bytes(b"{}")
    (package / "data" / "more.csv").unlink()
    changed = dict(DESCRIPTOR, title="Now titled")
    assert record_mismatches(record, changed, package) == [
        ("datapackage.json", "datapackage.json"), ("counts", "data/counts.csv"),
        ("schemas/counts.schema.json", "schemas/counts.schema.json"), ("data/more.csv", "data/more.csv (now missing)")]
    (package / "data" / "inline.csv").unlink()
    (package / "data" / "inline.csv").mkdir()
    assert record_mismatches(record, DESCRIPTOR, package)[-1] == ("inline", "data/inline.csv (now missing)")


def test_a_changed_released_file_is_a_problem_that_says_how_to_restore_or_release_it(package):
    (package / "data" / "more.csv").unlink()
    (package / "schemas" / "counts.schema.json").write_bytes(b'{"fields": []}')
    assert released_content_problems(str(package), DESCRIPTOR) == [
        Problem("counts", "released-version-changed",
                "schemas/counts.schema.json differs from released version 1.2.0 (releases/1.2.0.json); released versions "
                "never change: record the change under '## [Unreleased]' in CHANGELOG.md and run scripts/release.py to "
                "release it as a new version; if only its bytes changed (re-indented, line endings), restore them with "
                'git checkout "$(git log -1 --format=%H --diff-filter=A -- releases/1.2.0.json)" -- schemas/counts.schema.json, '
                "or release them with scripts/release.py --bump patch"),
        Problem("more", "released-version-changed",
                "data/more.csv (now missing) differs from released version 1.2.0 (releases/1.2.0.json); released versions "
                "never change: record the change under '## [Unreleased]' in CHANGELOG.md and run scripts/release.py to "
                "release it as a new version; if only its bytes changed (re-indented, line endings), restore them with "
                'git checkout "$(git log -1 --format=%H --diff-filter=A -- releases/1.2.0.json)" -- data/more.csv, '
                "or release them with scripts/release.py --bump patch"),
    ]


def test_a_version_without_its_record_or_not_semver_has_nothing_to_hold(package):
    (package / "data" / "counts.csv").write_bytes(b"changed\n")
    assert released_content_problems(package, dict(DESCRIPTOR, version="1.3.0")) == []
    write_record(package, "v1.2.0", read_record(package, "1.2.0"))
    assert released_content_problems(package, dict(DESCRIPTOR, version="v1.2.0")) == []
    assert released_content_problems(package, {k: v for k, v in DESCRIPTOR.items() if k != "version"}) == []
    assert [p.resource for p in released_content_problems(package, DESCRIPTOR)] == ["counts"]


def test_an_unreadable_record_is_one_problem(package):
    (package / "releases" / "1.2.0.json").write_text('{"files": "none"}', encoding="utf-8")
    assert released_content_problems(package, DESCRIPTOR) == [
        Problem("releases", "release-record-unreadable",
                f"{package / 'releases' / '1.2.0.json'}: not a release record (no files list)")]


def test_split_sections_cuts_at_each_second_level_heading():
    text = "# Title\nIntro\n## [Unreleased]\n- a\n### Sub\n## [1.0.0]\n- b"
    assert split_sections(text) == ("# Title\nIntro\n", ["## [Unreleased]\n- a\n### Sub\n", "## [1.0.0]\n- b"])
    assert split_sections("No sections\n ## not at a line start\n") == ("No sections\n ## not at a line start\n", [])
    assert split_sections("## [1.0.0]\n") == ("", ["## [1.0.0]\n"])


def test_section_body_is_the_text_after_the_heading_line():
    assert section_body("## [1.0.0] - 2024-01-01\n\n- a\n- b\n\n") == "- a\n- b"
    assert section_body("## [Unreleased]") == ""


def test_changelog_as_released_empties_the_unreleased_section_only():
    text = "# Changelog\n\n## [Unreleased]\n\n- next\n\n## [1.0.0] - 2024-01-01\n\n- first\n"
    assert changelog_as_released(text) == "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2024-01-01\n\n- first\n"
    assert changelog_as_released(CHANGELOG_TEXT) == CHANGELOG_TEXT
    assert changelog_as_released("## [Unreleased]\n- next") == "## [Unreleased]\n\n"
    assert changelog_as_released("No sections.\n") == "No sections.\n"
    later = "## [1.0.0]\n\n- first\n## [Unreleased] notes\n- x\n"
    assert changelog_as_released(later) == "## [1.0.0]\n\n- first\n## [Unreleased]\n\n"


def test_changelog_heading_matches_the_version_literally_at_a_line_start():
    assert changelog_heading("1.2.0").search("x\n## [1.2.0] - 2024") is not None
    assert changelog_heading("1.2.0").search("## [1x2y0]") is None
    assert changelog_heading("1.2.0").search("x ## [1.2.0]") is None
    assert changelog_heading(None).search("## [None]") is not None


def test_the_changelog_must_have_a_section_for_the_claimed_version(package):
    assert changelog_problems(str(package), DESCRIPTOR) == []
    assert changelog_problems(package, dict(DESCRIPTOR, version="1.3.0")) == [
        Problem("CHANGELOG.md", "changelog-missing-version",
                "CHANGELOG.md has no '## [1.3.0]' section for the version datapackage.json claims; "
                "scripts/release.py writes it when it sets the version")]


def test_a_changelog_that_is_not_utf8_is_one_problem(package):
    (package / "CHANGELOG.md").write_bytes(b"# Changelog\n\xff\n## [1.2.0]\n")
    assert changelog_problems(package, DESCRIPTOR) == [
        Problem("CHANGELOG.md", "changelog-unreadable", "CHANGELOG.md is not UTF-8 at byte 12; save it as UTF-8")]


def test_the_changelog_is_read_as_utf8_whatever_the_locale(package, monkeypatch):
    encodings = []
    real_read_text = Path.read_text

    def recording_read_text(path, *args, **kwargs):
        encoding = kwargs.get("encoding")
        encodings.append((path, codecs.lookup(encoding).name if encoding else None))
        return real_read_text(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", recording_read_text)
    assert changelog_problems(package, DESCRIPTOR) == []
    assert encodings == [(package / "CHANGELOG.md", "utf-8")]


def test_without_a_changelog_there_is_no_changelog_check(package):
    (package / "CHANGELOG.md").unlink()
    assert changelog_problems(package, DESCRIPTOR) == []
    (package / "CHANGELOG.md").mkdir()
    assert changelog_problems(package, DESCRIPTOR) == []


def test_a_journal_left_behind_says_a_release_was_cut_off(package):
    assert interrupted_release_problems(str(package)) == []
    (package / ".release-journal.json").write_text("{}", encoding="utf-8")
    assert interrupted_release_problems(package) == [
        Problem(".release-journal.json", "release-interrupted",
                ".release-journal.json: a release was cut off part-way; run scripts/release.py to finish or undo it")]


def test_problems_report_record_then_changelog_and_only_the_journal_when_cut_off(package):
    (package / "data" / "counts.csv").write_bytes(b"changed\n")
    (package / "CHANGELOG.md").write_text("# Changelog\n", encoding="utf-8")
    context = SimpleNamespace(root=package, descriptor=DESCRIPTOR)
    assert [(p.resource, p.rule) for p in releases.problems(context)] == [
        ("counts", "released-version-changed"), ("CHANGELOG.md", "changelog-missing-version")]
    (package / ".release-journal.json").mkdir()
    assert [p.rule for p in releases.problems(context)] == ["release-interrupted"]


def test_a_package_that_claims_no_version_is_held_to_nothing(package):
    (package / "CHANGELOG.md").write_text("# Changelog\n", encoding="utf-8")
    assert releases.problems(SimpleNamespace(root=package, descriptor=dict(DESCRIPTOR, version=""))) == []
    assert releases.problems(SimpleNamespace(root=package, descriptor={"resources": []})) == []
