"""dp/release.py called in this process on a package of one small table: the bump, the version, the
changelog and citation a release writes, the staged files, the plan users read, carrying it out (with
and without git), undoing it on a failure or a signal, and rebuilding dist/."""
import json
import signal
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dp import journal, release
from dp.dist import build_zip
from dp.package import PackageError, dump_json
from dp.release import Plan, ReleaseRefused
import test_journal_units
from test_release import init_repo
from conftest import git, sha

SCHEMA = {"fields": [{"name": "id"}, {"name": "n", "type": "integer"}], "primaryKey": "id"}
CITATION = "cff-version: 1.2.0\ntitle: tiny\nversion: 0.9.0\ndate-released: 2000-01-01\n"
CHANGELOG = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- first notes\n"
NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
ascii_locale = test_journal_units.ascii_locale  # the fixture, shared
WRITTEN = ["dist/tiny-1.0.0.zip", "dist/tiny-1.0.0.sqlite", "dist/tiny-1.0.0-t.parquet", "dist/SHA256SUMS",
           "CITATION.cff", "CHANGELOG.md", "datapackage.json", "releases/1.0.0.json"]


@pytest.fixture
def tiny(tmp_path):
    """A package of one table t of two rows, at version 1.0.0, never released, with its notes under Unreleased."""
    root = tmp_path / "tiny"
    root.mkdir()
    (root / "t.csv").write_text("id,n\na1,1\na2,2\n", encoding="utf-8")
    (root / "t.schema.json").write_text(json.dumps(SCHEMA, indent=2) + "\n", encoding="utf-8")
    descriptor = {"name": "tiny", "version": "1.0.0", "resources": [{"name": "t", "path": "t.csv", "schema": "t.schema.json"}]}
    (root / "datapackage.json").write_text(dump_json(descriptor), encoding="utf-8")
    (root / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    (root / "LICENSE-DATA").write_text("CC0-1.0\n", encoding="utf-8")
    (root / "CITATION.cff").write_text(CITATION, encoding="utf-8")
    return root


def user_handler(signum, frame):
    """A handler of the user's own, in place before the release starts."""


@pytest.fixture
def own_handlers():
    """SIGINT, SIGTERM and SIGHUP go to user_handler, as a program calling the release may have set them."""
    previous = {sig: signal.signal(sig, user_handler) for sig in release.STOP_SIGNALS}
    yield
    for sig, old in previous.items():
        signal.signal(sig, old)


def in_git(root):
    init_repo(root)
    return root


def refusal(call, *args, **kwargs):
    """The message of the ReleaseRefused that call(*args, **kwargs) raises."""
    with pytest.raises(ReleaseRefused) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def add_row(root, note="- a3 added"):
    with open(root / "t.csv", "a", encoding="utf-8") as handle:
        handle.write("a3,3\n")
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    (root / "CHANGELOG.md").write_text(text.replace("## [Unreleased]\n", f"## [Unreleased]\n\n{note}\n", 1), encoding="utf-8")


def files_of(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


@pytest.fixture
def first(tiny):
    """tiny released once, as 1.0.0, outside git."""
    release.carry_out(release.plan_release(tiny / "datapackage.json", now=NOW))
    return tiny


# --- versions and bumps ----------------------------------------------------------------------


@pytest.mark.parametrize("level,version", [("major", "2.0.0"), ("minor", "1.10.0"), ("patch", "1.9.10"), ("none", "1.9.9")])
def test_bumped_adds_one_to_a_part_and_zeroes_the_lower_ones(level, version):
    assert release.bumped("1.9.9", level) == version


@pytest.mark.parametrize("required,bump,last,chosen", [
    ("minor", None, "1.0.0", "minor"), ("minor", "minor", "1.0.0", "minor"), ("patch", "major", "1.0.0", "major"),
    ("none", "patch", "1.0.0", "patch"), ("none", None, None, "none"),
])
def test_choose_bump_takes_the_asked_level_or_else_the_required_one(required, bump, last, chosen):
    assert release.choose_bump(required, bump, last) == chosen


@pytest.mark.parametrize("required,bump,last,message", [
    ("minor", "patch", "1.0.0", "--bump patch is less than the change requires: minor"),
    ("major", "minor", None, "--bump minor is less than the change requires: major"),
    ("none", None, "1.2.0", "nothing changed since release 1.2.0: nothing to release"),
])
def test_choose_bump_refuses_a_lower_bump_and_an_empty_release(required, bump, last, message):
    assert refusal(release.choose_bump, required, bump, last) == message


def test_next_version_bumps_the_last_release_or_keeps_a_first_releases_version(tiny):
    assert release.next_version(tiny, {"version": "1.0.0"}, None, "none") == "1.0.0"
    assert release.next_version(tiny, {"version": "7.0.0"}, "1.0.0", "minor") == "1.1.0"
    (tiny / "releases").mkdir()
    (tiny / "releases" / "1.1.0.json").write_text("{}")
    assert refusal(release.next_version, tiny, {"version": "7.0.0"}, "1.0.0", "minor") == "version 1.1.0 is already released (releases/1.1.0.json)"


@pytest.mark.parametrize("version,shown", [("1.0", "'1.0'"), (None, "None")])
def test_next_version_refuses_a_version_not_of_the_form_x_y_z(tiny, version, shown):
    assert refusal(release.next_version, tiny, {"version": version}, None, "none") == f"datapackage.json: version {shown} is not of the form X.Y.Z"


# --- changelog and citation ------------------------------------------------------------------


def test_read_changelog_reads_utf8_and_refuses_a_package_without_one(tiny):
    (tiny / "CHANGELOG.md").write_text("## [Unreleased]\n\n- café\n", encoding="utf-8")
    assert release.read_changelog(tiny) == "## [Unreleased]\n\n- café\n"
    (tiny / "CHANGELOG.md").unlink()
    assert refusal(release.read_changelog, tiny) == f"{tiny / 'CHANGELOG.md'}: not found; a release needs its notes under '## [Unreleased]'"


def test_the_changelog_moves_the_unreleased_notes_under_the_version_with_the_diff():
    text = "# Changelog\n\n## [Unreleased]\n\n- new row\n\n## [1.0.0] - 2024-01-01\n\n- first\n\n\n"
    assert release.released_changelog(text, "1.1.0", "2025-03-04", "1.0.0", "minor", ["- t: 1 row(s) added", "- more"]) == (
        "# Changelog\n\n## [Unreleased]\n\n## [1.1.0] - 2025-03-04\n\n- new row\n\n"
        "### Data diff (generated by scripts/diff.py)\n\nAgainst 1.0.0: required bump minor.\n\n- t: 1 row(s) added\n- more\n"
        "\n## [1.0.0] - 2024-01-01\n\n- first\n")


def test_a_first_release_joins_the_notes_already_under_its_version():
    text = "## [Unreleased]\n\n- late note\n\n## [1.0.0] - 2024-01-01\n\n- first\n## [0.1.0]\n\n- draft\n"
    assert release.released_changelog(text, "1.0.0", "2025-03-04", None, "none", ["- first release"]) == (
        "## [Unreleased]\n\n## [1.0.0] - 2025-03-04\n\n- late note\n\n- first\n\n"
        "### Data diff (generated by scripts/diff.py)\n\nFirst release: nothing to compare with.\n\n- first release\n"
        "\n## [0.1.0]\n\n- draft\n")


def test_a_first_release_with_its_notes_only_under_its_version_uses_them():
    text = "## [Unreleased]\n\n## [1.0.0]\n\n- first\n"
    assert release.released_changelog(text, "1.0.0", "2025-03-04", None, "none", []) == (
        "## [Unreleased]\n\n## [1.0.0] - 2025-03-04\n\n- first\n\n"
        "### Data diff (generated by scripts/diff.py)\n\nFirst release: nothing to compare with.\n\n\n")


def test_the_changelog_keeps_the_older_sections_as_written_but_for_their_trailing_blank_lines():
    text = "## [Unreleased]\n\n- new\n## [1.0.0]\n\n- first, with a line break  \n\n\n## [0.1.0]\n\n- draft\t"
    assert release.released_changelog(text, "1.1.0", "2025-03-04", "1.0.0", "minor", []).split(" bump minor.\n\n\n", 1)[1] == (
        "\n## [1.0.0]\n\n- first, with a line break  \n\n## [0.1.0]\n\n- draft\t\n")


def test_only_the_first_unreleased_section_is_released():
    text = "## [Unreleased]\n\n- one\n## [Unreleased]\n\n- two\n"
    assert release.released_changelog(text, "2.0.0", "2025-03-04", "1.0.0", "major", ["- x"]) == (
        "## [Unreleased]\n\n## [2.0.0] - 2025-03-04\n\n- one\n\n### Data diff (generated by scripts/diff.py)\n\n"
        "Against 1.0.0: required bump major.\n\n- x\n\n## [Unreleased]\n\n- two\n")


@pytest.mark.parametrize("text,last,message", [
    ("# Changelog\n\n## [1.0.0]\n\n- first\n", "1.0.0", "CHANGELOG.md has no '## [Unreleased]' section"),
    ("## [Unreleased]\n\n- x\n\n## [1.1.0] - 2025-01-01\n\n- y\n", "1.0.0",
     "CHANGELOG.md already has a section for 1.1.0; move its entries under '## [Unreleased]'"),
    ("## [Unreleased]\n\n\n## [1.0.0]\n\n- first\n", "1.0.0",
     "CHANGELOG.md's '## [Unreleased]' section is empty; describe the change there first"),
    ("## [Unreleased]\n## [1.1.0]\n", None, "CHANGELOG.md's '## [Unreleased]' section is empty; describe the change there first"),
])
def test_the_changelog_refuses_what_it_cannot_release(text, last, message):
    assert refusal(release.released_changelog, text, "1.1.0", "2025-03-04", last, "minor", []) == message


def test_the_citation_sets_the_first_version_and_date_lines(tiny):
    text = "cff-version: 1.2.0\nversion: 0.9.0\ndate-released: 2000-01-01\nversion: kept\n  version: kept too\n"
    (tiny / "CITATION.cff").write_text(text, encoding="utf-8")
    assert release.released_citation(tiny, "1.1.0", "2025-03-04") == (
        "cff-version: 1.2.0\nversion: 1.1.0\ndate-released: 2025-03-04\nversion: kept\n  version: kept too\n")


def test_the_citation_is_none_without_a_citation(tiny):
    (tiny / "CITATION.cff").unlink()
    assert release.released_citation(tiny, "1.1.0", "2025-03-04") is None


@pytest.mark.parametrize("text,key", [("title: x\ndate-released: 2000-01-01\n", "version"),
                                      ("version: 0.9.0\n  date-released: 2000-01-01\n", "date-released")])
def test_the_citation_refuses_a_citation_without_a_line_to_set(tiny, text, key):
    (tiny / "CITATION.cff").write_text(text, encoding="utf-8")
    assert refusal(release.released_citation, tiny, "1.1.0", "2025-03-04") == f"CITATION.cff has no '{key}:' line for the release to set"


# --- the plan --------------------------------------------------------------------------------


def test_a_first_release_plan_stages_every_file_and_writes_none(tiny):
    before = files_of(tiny)
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)
    assert files_of(tiny) == before
    assert (plan.root, plan.name, plan.last, plan.baseline, plan.required, plan.bump, plan.version, plan.date) == (
        tiny, "tiny", None, None, "none", "none", "1.0.0", "2025-03-04")
    assert (plan.summary, plan.git_top, plan.tag, plan.dirty) == (["- first release: 1 resources: t (2 row(s))"], None, False, "")
    assert [plan.relative(path) for path in plan.writes] == WRITTEN
    assert plan.committed_paths() == ["CITATION.cff", "CHANGELOG.md", "datapackage.json", "releases/1.0.0.json"]
    written = {plan.relative(path): content for path, content in plan.writes.items()}
    descriptor = json.loads(written["datapackage.json"])
    assert (descriptor["version"], descriptor["created"]) == ("1.0.0", "2025-03-04T05:06:07Z")
    assert written["datapackage.json"] == dump_json(descriptor)
    assert written["CITATION.cff"] == "cff-version: 1.2.0\ntitle: tiny\nversion: 1.0.0\ndate-released: 2025-03-04\n"
    assert written["CHANGELOG.md"] == ("# Changelog\n\nIntro.\n\n## [Unreleased]\n\n## [1.0.0] - 2025-03-04\n\n- first notes\n\n"
                                       "### Data diff (generated by scripts/diff.py)\n\nFirst release: nothing to compare with.\n\n"
                                       "- first release: 1 resources: t (2 row(s))\n")
    dist = {name: written[f"dist/{name}"] for name in ["tiny-1.0.0.zip", "tiny-1.0.0.sqlite", "tiny-1.0.0-t.parquet"]}
    assert written["dist/SHA256SUMS"] == "".join(f"{sha(data)}  {name}\n" for name, data in sorted(dist.items()))
    record = json.loads(written["releases/1.0.0.json"])
    assert record["dist"] == {"path": "dist/tiny-1.0.0.zip", "sha256": sha(dist["tiny-1.0.0.zip"]), "zip_format": 2, "exports": [
        {"path": "dist/tiny-1.0.0.sqlite", "sha256": sha(dist["tiny-1.0.0.sqlite"])},
        {"path": "dist/tiny-1.0.0-t.parquet", "sha256": sha(dist["tiny-1.0.0-t.parquet"])}]}
    assert (record["version"], record["date"], record["created"]) == ("1.0.0", "2025-03-04", "2025-03-04T05:06:07Z")
    assert record["files"] == [{"resource": "t", "path": "t.csv", "sha256": sha((tiny / "t.csv").read_bytes())},
                               {"resource": "t", "path": "t.schema.json", "sha256": sha((tiny / "t.schema.json").read_bytes())}]


def test_the_zip_holds_the_staged_descriptor_changelog_and_citation(tiny, tmp_path):
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)
    written = {plan.relative(path): content for path, content in plan.writes.items()}
    rebuilt = tmp_path / "rebuilt"
    rebuilt.mkdir()
    for name in ["t.csv", "t.schema.json", "LICENSE-DATA"]:
        (rebuilt / name).write_bytes((tiny / name).read_bytes())
    for name in ["datapackage.json", "CHANGELOG.md", "CITATION.cff"]:
        (rebuilt / name).write_text(written[name], encoding="utf-8")
    descriptor = json.loads(written["datapackage.json"])
    assert written["dist/tiny-1.0.0.zip"] == build_zip(rebuilt, "datapackage.json", descriptor, "2025-03-04")


@pytest.mark.usefixtures("ascii_locale")
def test_a_release_reads_and_writes_utf8_whatever_the_locale(tiny):
    descriptor = json.loads((tiny / "datapackage.json").read_text(encoding="utf-8"))
    (tiny / "datapackage.json").write_text(dump_json(dict(descriptor, title="Réunion")), encoding="utf-8")
    (tiny / "CHANGELOG.md").write_text(CHANGELOG.replace("first notes", "première"), encoding="utf-8")
    (tiny / "CITATION.cff").write_text(CITATION.replace("title: tiny", "title: Réunion"), encoding="utf-8")
    release.carry_out(release.plan_release(tiny / "datapackage.json", now=NOW))
    assert '"title": "Réunion"' in (tiny / "datapackage.json").read_text(encoding="utf-8")
    assert "\n\n- première\n\n### Data diff" in (tiny / "CHANGELOG.md").read_text(encoding="utf-8")
    assert (tiny / "CITATION.cff").read_text(encoding="utf-8") == (
        "cff-version: 1.2.0\ntitle: Réunion\nversion: 1.0.0\ndate-released: 2025-03-04\n")


def test_a_package_without_citation_or_exports_releases_without_them(tiny, monkeypatch):
    (tiny / "CITATION.cff").unlink()
    monkeypatch.setattr(release, "build_zip", lambda *args: b"zip bytes")
    monkeypatch.setattr(release, "export_files", lambda descriptor_path, out: {})
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)
    assert [plan.relative(path) for path in plan.writes] == [
        "dist/tiny-1.0.0.zip", "dist/SHA256SUMS", "CHANGELOG.md", "datapackage.json", "releases/1.0.0.json"]
    record = json.loads(plan.writes[tiny / "releases" / "1.0.0.json"])
    assert record["dist"] == {"path": "dist/tiny-1.0.0.zip", "sha256": sha(b"zip bytes"), "zip_format": 2}
    assert plan.writes[tiny / "dist" / "SHA256SUMS"] == f"{sha(b'zip bytes')}  tiny-1.0.0.zip\n"


def test_the_staged_copy_is_validated_and_exported_without_git_or_earlier_build_output(tiny, monkeypatch):
    in_git(tiny)
    for name in ["dist/old.zip", "bench-out/r.json", "__pycache__/m.pyc", "notes.tmp", ".hidden/x", "sub/keep.txt"]:
        (tiny / name).parent.mkdir(exist_ok=True)
        (tiny / name).write_text("x")
    git(tiny, "add", "-f", "sub/keep.txt")
    git(tiny, "commit", "-qm", "sub")
    seen = {}
    real_validate = release.validate_package

    def validate(descriptor_path):
        stage = descriptor_path.parent
        seen["staged"] = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
        seen["changelog"] = (stage / "CHANGELOG.md").read_text(encoding="utf-8")
        return real_validate(descriptor_path)

    def export(descriptor_path, out):
        seen["exported"] = json.loads(descriptor_path.read_text(encoding="utf-8"))["version"]
        return {}
    monkeypatch.setattr(release, "validate_package", validate)
    monkeypatch.setattr(release, "export_files", export)
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)
    assert seen["staged"] == ["CHANGELOG.md", "CITATION.cff", "LICENSE-DATA", "datapackage.json", "sub/keep.txt", "t.csv", "t.schema.json"]
    assert seen["changelog"] == plan.writes[tiny / "CHANGELOG.md"] and seen["exported"] == "1.0.0"


def test_a_linked_file_stays_a_link_in_the_staged_copy(tiny, monkeypatch):
    (tiny / "elsewhere.csv").write_bytes((tiny / "t.csv").read_bytes())
    (tiny / "t.csv").unlink()
    (tiny / "t.csv").symlink_to(tiny / "elsewhere.csv")
    links = []
    monkeypatch.setattr(release, "validate_package", lambda path: links.append((path.parent / "t.csv").is_symlink()) or [])
    release.plan_release(tiny / "datapackage.json", now=NOW)
    assert links == [True]


def test_a_release_whose_content_does_not_validate_is_refused_with_the_report(tiny):
    (tiny / "t.csv").write_text("id,n\na1,1\na1,x\n", encoding="utf-8")
    assert refusal(release.plan_release, tiny / "datapackage.json", now=NOW) == (
        "the content to release does not validate:\n"
        "t, row 3 (a1), field n: [type] 'x' is not a valid integer; write a whole number such as 2439 (no spaces)\n"
        "t, row 3 (a1), field id: [unique] 'a1' appears in an earlier row; id must be unique\n"
        "INVALID: 2 problem(s)")


def test_a_refusal_names_the_packages_own_files_not_the_staged_copy(tiny):
    (tiny / "elsewhere.csv").write_bytes((tiny / "t.csv").read_bytes())
    (tiny / "t.csv").unlink()
    (tiny / "t.csv").symlink_to(tiny / "elsewhere.csv")  # copied as a link, it leads out of the staged copy
    assert refusal(release.plan_release, tiny / "datapackage.json", now=NOW) == (
        "the content to release does not validate:\n"
        f"t: [unsafe-path] {tiny}: t.csv leads outside the package (through a symlink); refused, nothing read\n"
        "INVALID: 1 problem(s)")


def test_a_package_without_the_licence_the_zip_carries_is_refused_naming_it(tiny):
    (tiny / "LICENSE-DATA").unlink()
    with pytest.raises(PackageError) as caught:
        release.plan_release(tiny / "datapackage.json", now=NOW)
    assert str(caught.value) == f"{tiny / 'LICENSE-DATA'}: not found; the release zip carries it"


def test_exports_that_cannot_be_built_refuse_the_release(tiny, monkeypatch):
    def failing(descriptor_path, out):
        raise ValueError("t: key id does not hold")
    monkeypatch.setattr(release, "export_files", failing)
    assert refusal(release.plan_release, tiny / "datapackage.json", now=NOW) == "the typed exports cannot be built: t: key id does not hold"


def test_a_descriptor_named_relative_to_the_working_folder_plans_for_its_absolute_folder(tiny, monkeypatch):
    monkeypatch.chdir(tiny)
    plan = release.plan_release("datapackage.json", now=NOW)
    assert plan.root == tiny and plan.root.is_absolute() and tiny / "datapackage.json" in plan.writes


def test_the_plan_is_dated_now_in_utc_when_no_time_is_given(tiny, monkeypatch):
    monkeypatch.setattr(release, "staged_writes", lambda root, name, descriptor, changelog, date: {"descriptor": descriptor})
    before = datetime.now(timezone.utc)
    plan = release.plan_release(tiny / "datapackage.json")
    after = datetime.now(timezone.utc)
    created = datetime.strptime(plan.writes["descriptor"]["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert before.replace(microsecond=0) <= created <= after and plan.date == created.strftime("%Y-%m-%d")


def test_a_second_release_is_bumped_against_the_first(first):
    add_row(first)
    plan = release.plan_release(first / "datapackage.json", now=NOW)
    assert (plan.last, plan.baseline, plan.required, plan.bump, plan.version) == ("1.0.0", "dist/tiny-1.0.0.zip", "minor", "minor", "1.1.0")
    assert plan.summary == ["- t: 1 row(s) added: a3 [minor]"]
    assert "Against 1.0.0: required bump minor.\n\n- t: 1 row(s) added: a3 [minor]\n" in plan.writes[first / "CHANGELOG.md"]
    assert release.plan_release(first / "datapackage.json", bump="major", now=NOW).version == "2.0.0"


def test_a_release_without_change_is_refused(first):
    (first / "CHANGELOG.md").write_text(CHANGELOG.replace("- first notes", "- more"), encoding="utf-8")
    assert refusal(release.plan_release, first / "datapackage.json", now=NOW) == "nothing changed since release 1.0.0: nothing to release"


def test_a_byte_only_change_is_refused_naming_both_ways_out_and_released_as_a_patch_if_asked(first):
    (first / "t.csv").write_bytes(b"id,n\r\na1,1\r\na2,2\r\n")
    assert refusal(release.plan_release, first / "datapackage.json", now=NOW) == (
        "nothing changed in content since release 1.0.0, but the bytes of t.csv differ from releases/1.0.0.json "
        "(re-indented, other line endings or key order). Either restore the released bytes: "
        "git checkout \"$(git log -1 --format=%H --diff-filter=A -- releases/1.0.0.json)\" -- t.csv (or take them from its dist zip); "
        "or release the new bytes as a patch: describe it under '## [Unreleased]' in CHANGELOG.md and run scripts/release.py --bump patch")
    (first / "CHANGELOG.md").write_text(CHANGELOG.replace("- first notes", "- line endings"), encoding="utf-8")
    assert release.plan_release(first / "datapackage.json", bump="patch", now=NOW).version == "1.0.1"


def test_refuse_byte_only_lets_through_a_package_that_matches_its_record(first):
    descriptor = json.loads((first / "datapackage.json").read_text(encoding="utf-8"))
    assert release.refuse_byte_only(first, "1.0.0", descriptor) is None
    with pytest.raises(ReleaseRefused, match=r"the bytes of datapackage.json, t.csv \(now missing\) differ") as refused:
        (first / "t.csv").unlink()
        release.refuse_byte_only(first, "1.0.0", dict(descriptor, title="x"))
    assert ("--diff-filter=A -- releases/1.0.0.json)\" -- datapackage.json t.csv (or take them from its dist zip)"
            in str(refused.value))  # the command restores the missing file by its path alone


def test_in_git_a_plan_commits_and_tags_on_a_clean_tree(tiny):
    in_git(tiny)
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)
    assert (plan.git_top, plan.tag, plan.dirty) == (tiny, True, "")
    assert not release.plan_release(tiny / "datapackage.json", tag=False, now=NOW).tag


def test_in_git_uncommitted_package_files_refuse_a_tagged_release_and_are_listed_without_one(tiny):
    in_git(tiny)
    add_row(tiny)
    (tiny / "unrelated.txt").write_text("not part of the package\n")
    assert refusal(release.plan_release, tiny / "datapackage.json", now=NOW) == ("release.py runs on a clean tree; commit the package's changes first:\n"
                                 " M CHANGELOG.md\n M t.csv")
    plan = release.plan_release(tiny / "datapackage.json", tag=False, now=NOW)
    assert (plan.tag, plan.dirty, plan.git_top) == (False, " M CHANGELOG.md\n M t.csv", tiny)


def test_uncommitted_files_looks_at_the_descriptor_changelog_records_and_released_files_only(tiny):
    in_git(tiny)
    descriptor = json.loads((tiny / "datapackage.json").read_text(encoding="utf-8"))
    assert release.uncommitted_files(tiny, descriptor, "datapackage.json") == ""
    for name in ["t.schema.json", "datapackage.json", "releases/1.0.0.json", "LICENSE-DATA", "other.txt"]:
        (tiny / name).parent.mkdir(exist_ok=True)
        (tiny / name).write_text("changed\n")
    assert release.uncommitted_files(tiny, descriptor, "datapackage.json") == " M datapackage.json\n M t.schema.json\n?? releases/"


def test_a_file_named_like_the_tag_is_no_tag(tiny):
    in_git(tiny)
    (tiny / "refs" / "tags").mkdir(parents=True)
    (tiny / "refs" / "tags" / "v1.0.0").write_text("not a tag\n")
    assert release.plan_release(tiny / "datapackage.json", now=NOW).tag


def test_uncommitted_files_takes_a_file_whose_name_starts_with_a_dash_as_a_path(tiny):
    in_git(tiny)
    (tiny / "-t.csv").write_text("changed\n")
    assert release.uncommitted_files(tiny, {"resources": [{"path": "-t.csv"}]}, "datapackage.json") == "?? -t.csv"


def test_an_existing_tag_refuses_the_release(tiny):
    in_git(tiny)
    git(tiny, "tag", "v1.0.0")
    assert refusal(release.plan_release, tiny / "datapackage.json", now=NOW) == "git tag v1.0.0 already exists"
    assert release.plan_release(tiny / "datapackage.json", tag=False, now=NOW).version == "1.0.0"


# --- the plan as users read it ---------------------------------------------------------------


def a_plan(root, **changes):
    fields = dict(root=root, name="tiny", last="1.0.0", baseline="git tag v1.0.0", required="minor", bump="major",
                  version="2.0.0", date="2025-03-04", summary=["- t: 1 row(s) added: a3 [minor]", "- t: note"],
                  writes={root / "dist" / "tiny-2.0.0.zip": b"", root / "CHANGELOG.md": "", root / "releases" / "2.0.0.json": ""},
                  git_top=root, tag=True)
    return Plan(**dict(fields, **changes))


def test_plan_text_of_a_tagged_release(tmp_path):
    assert release.plan_text(a_plan(tmp_path)) == "\n".join([
        "Release plan for tiny",
        "  last release:  1.0.0 (content read from git tag v1.0.0)",
        "  required bump: minor; chosen: major",
        "  new version:   2.0.0, dated 2025-03-04",
        "  writes:        dist/tiny-2.0.0.zip, CHANGELOG.md, releases/2.0.0.json",
        "  git:           commit CHANGELOG.md, releases/2.0.0.json and tag v2.0.0",
        "Changes:",
        "- t: 1 row(s) added: a3 [minor]",
        "- t: note"])


def test_plan_text_without_tag_names_why_and_the_files_to_commit(tmp_path):
    lines = release.plan_text(a_plan(tmp_path, tag=False, dirty=" M t.csv\n M CHANGELOG.md")).split("\n")
    assert lines[5:8] == ["  git:           no commit, no tag (--no-tag); uncommitted package files, commit them with the release:",
                          " M t.csv", " M CHANGELOG.md"]
    lines = release.plan_text(a_plan(tmp_path, tag=False, git_top=None, last=None, baseline=None)).split("\n")
    assert lines[1] == "  last release:  none: first release"
    assert lines[5] == "  git:           no commit, no tag (not a git repository)"
    assert release.plan_text(a_plan(tmp_path, tag=False)).split("\n")[5:7] == ["  git:           no commit, no tag (--no-tag)", "Changes:"]


# --- carrying it out -------------------------------------------------------------------------


def test_carry_out_writes_every_planned_file_in_order_and_removes_its_journal(tiny, monkeypatch):
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)
    steps = []

    def step(name):
        steps.append(name)
        if name == "write dist/tiny-1.0.0.zip":
            recorded = json.loads((tiny / ".release-journal.json").read_text(encoding="utf-8"))
            steps.append((recorded["version"], recorded["git"], recorded["commit_paths"], recorded["created_dirs"],
                          recorded["message"], [f["path"] for f in recorded["files"]]))
    monkeypatch.setattr(release, "STEP_HOOK", step)
    release.carry_out(plan)
    assert steps == ["journal", "write dist/tiny-1.0.0.zip", ("1.0.0", [], [], ["dist", "releases"], "Release 1.0.0", WRITTEN)] + [
        f"write {name}" for name in WRITTEN[1:]] + ["done"]
    for path, content in plan.writes.items():
        assert path.read_bytes() == (content.encode("utf-8") if isinstance(content, str) else content)
    assert not (tiny / ".release-journal.json").exists()


def test_carry_out_in_git_commits_the_release_and_tags_it(tiny, monkeypatch):
    in_git(tiny)
    head = git(tiny, "rev-parse", "HEAD")
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)
    steps = []
    monkeypatch.setattr(release, "STEP_HOOK", lambda name: steps.append(
        (name, json.loads((tiny / ".release-journal.json").read_text())["commit_paths"]) if name == "git add" else name))
    release.carry_out(plan)
    assert steps[-4:] == [("git add", plan.committed_paths()), "git commit", "git tag", "done"]
    assert git(tiny, "rev-parse", "HEAD^") == head and git(tiny, "log", "-1", "--format=%s") == "Release 1.0.0"
    assert git(tiny, "rev-parse", "v1.0.0^{commit}") == git(tiny, "rev-parse", "HEAD") and git(tiny, "status", "--porcelain") == ""
    assert git(tiny, "show", "--name-only", "--format=", "HEAD").split("\n") == ["CHANGELOG.md", "CITATION.cff", "datapackage.json", "releases/1.0.0.json"]


@pytest.mark.parametrize("stop", ["write CHANGELOG.md", "git tag", "done"])
def test_a_failure_at_any_step_puts_every_file_and_git_back(tiny, monkeypatch, stop, own_handlers):
    in_git(tiny)
    before, head = files_of(tiny), git(tiny, "rev-parse", "HEAD")
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)
    undo_handlers = []

    def step(name):
        if name == stop:
            raise OSError(f"disk full at {name}")
        if name.startswith("undo "):
            undo_handlers.append(tuple(signal.getsignal(sig) for sig in release.STOP_SIGNALS))
    monkeypatch.setattr(release, "STEP_HOOK", step)
    with pytest.raises(OSError, match=f"disk full at {stop}"):
        release.carry_out(plan)
    assert files_of(tiny) == before and not (tiny / "dist").exists() and not (tiny / "releases").exists()
    assert git(tiny, "rev-parse", "HEAD") == head and git(tiny, "tag") == "" and git(tiny, "status", "--porcelain") == ""
    assert undo_handlers and set(undo_handlers) == {(signal.SIG_IGN,) * 3}
    assert tuple(signal.getsignal(sig) for sig in release.STOP_SIGNALS) == (user_handler,) * 3


def test_a_failure_puts_back_even_files_changed_while_the_release_ran(tiny, monkeypatch):
    before = files_of(tiny)
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)

    def step(name):
        if name == "done":
            (tiny / "CHANGELOG.md").write_text("changed meanwhile\n")
            raise OSError("stopped at the end")
    monkeypatch.setattr(release, "STEP_HOOK", step)
    with pytest.raises(OSError, match="stopped at the end"):
        release.carry_out(plan)
    assert files_of(tiny) == before


def test_a_signal_while_writing_stops_the_release_and_undoes_it(tiny, monkeypatch):
    before = files_of(tiny)
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)
    monkeypatch.setattr(release, "STEP_HOOK", lambda name: name == "write datapackage.json" and signal.raise_signal(signal.SIGTERM))
    with pytest.raises(release.ReleaseInterrupted) as caught:
        release.carry_out(plan)
    assert str(caught.value) == "SIGTERM" and files_of(tiny) == before


def test_a_signal_stops_the_release_as_an_interruption_named_after_it():
    with pytest.raises(release.ReleaseInterrupted) as caught:
        release._raise_interrupted(signal.SIGHUP, None)
    assert str(caught.value) == "SIGHUP" and isinstance(caught.value, KeyboardInterrupt)


def test_signal_handlers_hold_only_inside_the_block(own_handlers):
    outside = [user_handler] * 3
    handler = lambda signum, frame: None  # noqa: E731
    with release.signal_handlers(handler):
        assert [signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)] == [handler] * 3
    assert [signal.getsignal(sig) for sig in release.STOP_SIGNALS] == outside


def test_signal_handlers_leave_signals_alone_outside_the_main_thread(own_handlers):
    outside, inside = [user_handler] * 3, []

    def run():
        with release.signal_handlers(signal.SIG_IGN):
            inside.append([signal.getsignal(sig) for sig in release.STOP_SIGNALS])
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert inside == [outside]


def test_settle_interrupted_settles_the_journal_next_to_the_descriptor_with_signals_ignored(tiny, monkeypatch, own_handlers):
    monkeypatch.chdir(tiny)
    assert release.settle_interrupted("datapackage.json") is None
    seen = []
    monkeypatch.setattr(journal, "settle", lambda root: seen.append((root, signal.getsignal(signal.SIGINT))) or "settled")
    assert release.settle_interrupted("datapackage.json") == "settled"
    assert seen == [(tiny, signal.SIG_IGN)] and signal.getsignal(signal.SIGINT) == user_handler


def test_settle_interrupted_finishes_a_release_cut_off_after_its_files(tiny, monkeypatch):
    plan = release.plan_release(tiny / "datapackage.json", now=NOW)
    monkeypatch.setattr(journal, "end", lambda root: None)  # the release stops before removing its journal
    release.carry_out(plan)
    monkeypatch.undo()
    assert release.settle_interrupted(tiny / "datapackage.json") == "finished the interrupted release of 1.0.0"
    assert not (tiny / ".release-journal.json").exists() and (tiny / "releases" / "1.0.0.json").is_file()


# --- dist/ rebuilt ---------------------------------------------------------------------------


def test_rebuild_dist_writes_the_released_zip_exports_and_sums_again(first):
    dist = {p.name: p.read_bytes() for p in (first / "dist").iterdir()}
    for path in (first / "dist").iterdir():
        path.unlink()
    (first / "dist").rmdir()
    assert release.rebuild_dist(first / "datapackage.json") == first / "dist" / "tiny-1.0.0.zip"
    assert {p.name: p.read_bytes() for p in (first / "dist").iterdir()} == dist


def test_rebuild_dist_without_exports_in_the_record_writes_the_zip_and_keeps_other_files_in_the_sums(first):
    record_file = first / "releases" / "1.0.0.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    del record["dist"]["exports"]
    record_file.write_text(json.dumps(record), encoding="utf-8")
    zip_bytes = (first / "dist" / "tiny-1.0.0.zip").read_bytes()
    (first / "dist" / "tiny-1.0.0.sqlite").unlink()
    (first / "dist" / "tiny-1.0.0-t.parquet").write_bytes(b"kept as it is")
    release.rebuild_dist(first / "datapackage.json")
    assert sorted(p.name for p in (first / "dist").iterdir()) == ["SHA256SUMS", "tiny-1.0.0-t.parquet", "tiny-1.0.0.zip"]
    assert (first / "dist" / "tiny-1.0.0.zip").read_bytes() == zip_bytes
    assert (first / "dist" / "SHA256SUMS").read_text() == (f"{sha(b'kept as it is')}  tiny-1.0.0-t.parquet\n"
                                                          f"{sha(zip_bytes)}  tiny-1.0.0.zip\n")


def test_rebuild_dist_of_a_record_without_dist_builds_the_first_zip_layout(first):
    record_file = first / "releases" / "1.0.0.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    record_file.write_text(json.dumps(dict(record, dist="none")), encoding="utf-8")
    release.rebuild_dist(first / "datapackage.json")
    descriptor = json.loads((first / "datapackage.json").read_text(encoding="utf-8"))
    assert (first / "dist" / "tiny-1.0.0.zip").read_bytes() == build_zip(first, "datapackage.json", descriptor, "2025-03-04", 1)


def test_rebuild_dist_refuses_a_zip_that_differs_from_its_record(first):
    (first / "LICENSE-DATA").write_text("another licence\n")
    assert refusal(release.rebuild_dist, first / "datapackage.json") == (
        f"the rebuilt zip differs from the one recorded in {first / 'releases' / '1.0.0.json'}; check out the commit that recorded it: "
        "git checkout \"$(git log -1 --format=%H --diff-filter=A -- releases/1.0.0.json)\" -- .")


def test_rebuild_dist_refuses_a_version_never_released(tiny):
    assert refusal(release.rebuild_dist, tiny / "datapackage.json") == f"version 1.0.0 has no release record ({tiny / 'releases' / '1.0.0.json'}); release it first"
    assert not (tiny / "dist").exists()


def test_committed_paths_leave_out_dist(tmp_path):
    plan = a_plan(tmp_path, writes={tmp_path / "dist" / "x.zip": b"", tmp_path / "a" / "dist.csv": "", tmp_path / "b.json": ""})
    assert plan.committed_paths() == ["a/dist.csv", "b.json"]
    assert plan.relative(tmp_path / "a" / "dist.csv") == "a/dist.csv" and isinstance(plan.root, Path)
