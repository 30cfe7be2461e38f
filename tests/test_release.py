"""scripts/release.py: bumps, refusals that write nothing, the release record, the dist zip."""
import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from datetime import date

import pandas as pd
import pytest
from frictionless import validate

from conftest import ROOT, run_script, unreleased_copy
from dp import journal, release
from dp.package import PackageError, atomic_write
from dp.validate import validate_package

NAME = "global-coalition-defeat-isis-meeting-2017-03-24"
TODAY = date.today().isoformat()


def files_of(root):
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*")
            if path.is_file() and ".git" not in path.relative_to(root).parts}


def add_unreleased(root, entry):
    path = root / "CHANGELOG.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("## [Unreleased]\n", f"## [Unreleased]\n\n### Changed\n- {entry}\n", 1), encoding="utf-8")


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def version_of(root):
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))["version"]


def patch_change(root):
    replace_in(root / "data" / "metrics.csv", "2017 is inferred from the publication date.", "2017 is inferred from the date of publication.")


def minor_change(root):
    with open(root / "data" / "relations.csv", "a", encoding="utf-8") as handle:
        handle.write("r003,m012,m011,part_of,Area liberated since November 5 is part of all area liberated.\n")


def major_change(root):
    path = root / "schemas" / "exclusions.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    next(f for f in schema["fields"] if f["name"] == "reason")["constraints"]["maxLength"] = 1000
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def fresh_copy(tmp_path):
    """A copy of the package that has never been released (no releases/, no dist/), at version 1.0.0."""
    return unreleased_copy(tmp_path).parent


@pytest.fixture
def released(fresh_copy):
    """A copy of the package released once, here, as 1.0.0."""
    release.carry_out(release.plan_release(fresh_copy / "datapackage.json"))
    return fresh_copy


def test_first_release_keeps_the_version_and_records_it(fresh_copy):
    result = run_script("release.py", fresh_copy / "datapackage.json")
    assert result.returncode == 0, result.stderr
    assert version_of(fresh_copy) == "1.0.0"
    record = json.loads((fresh_copy / "releases" / "1.0.0.json").read_text(encoding="utf-8"))
    assert {entry["path"] for entry in record["files"]} >= {"data/metrics.csv", "schemas/metrics.schema.json"}
    changelog = (fresh_copy / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.count("## [1.0.0]") == 1 and f"## [1.0.0] - {TODAY}" in changelog
    assert validate_package(fresh_copy / "datapackage.json") == []


@pytest.mark.parametrize("change,level,version", [
    (patch_change, "patch", "1.0.1"), (minor_change, "minor", "1.1.0"), (major_change, "major", "2.0.0"),
])
def test_change_gets_its_bump_and_the_result_validates(released, change, level, version):
    change(released)
    add_unreleased(released, f"a {level} change")
    result = run_script("release.py", released / "datapackage.json")
    assert result.returncode == 0, result.stderr
    assert f"required bump: {level}; chosen: {level}" in result.stdout
    assert version_of(released) == version
    assert validate_package(released / "datapackage.json") == []
    changelog = (released / "CHANGELOG.md").read_text(encoding="utf-8")
    section = changelog.split(f"## [{version}] - {TODAY}\n", 1)[1].split("\n## [", 1)[0]
    assert f"- a {level} change" in section and f"Against 1.0.0: required bump {level}." in section
    assert changelog.split("## [Unreleased]", 1)[1].lstrip().startswith(f"## [{version}]")
    assert (released / "releases" / f"{version}.json").is_file()


def test_bump_higher_than_required_is_allowed(released):
    patch_change(released)
    add_unreleased(released, "note reworded")
    assert run_script("release.py", released / "datapackage.json", "--bump", "minor").returncode == 0
    assert version_of(released) == "1.1.0"


@pytest.mark.parametrize("setup,args,message", [
    (lambda root: (minor_change(root), add_unreleased(root, "r003")), ["--bump", "patch"], "less than the change requires: minor"),
    (minor_change, [], "'## [Unreleased]' section is empty"),
    (lambda root: add_unreleased(root, "nothing"), [], "nothing changed since release 1.0.0"),
    (lambda root: (replace_in(root / "data" / "relations.csv", "r002,m002,m001", "r002,m002,m999"), add_unreleased(root, "x")),
     [], "does not validate"),
], ids=["lower-bump", "empty-unreleased", "no-change", "invalid-content"])
def test_refusal_exits_1_and_leaves_every_file_as_it_was(released, setup, args, message):
    setup(released)
    before = files_of(released)
    result = run_script("release.py", released / "datapackage.json", *args)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert files_of(released) == before


def test_dry_run_prints_the_plan_and_writes_nothing(released):
    minor_change(released)
    add_unreleased(released, "r003")
    before = files_of(released)
    result = run_script("release.py", released / "datapackage.json", "--dry-run")
    assert result.returncode == 0 and "required bump: minor" in result.stdout and "new version:   1.1.0" in result.stdout
    assert files_of(released) == before


def test_failure_half_way_puts_every_file_back(released, monkeypatch):
    minor_change(released)
    add_unreleased(released, "r003")
    plan = release.plan_release(released / "datapackage.json")
    before = files_of(released)
    real_write, calls = release.atomic_write, []

    def failing_write(path, content):
        calls.append(path)
        if len(calls) == 4:
            raise KeyboardInterrupt
        real_write(path, content)

    monkeypatch.setattr(release, "atomic_write", failing_write)
    with pytest.raises(KeyboardInterrupt):
        release.carry_out(plan)
    assert files_of(released) == before


def test_edited_release_with_refreshed_hashes_is_caught(released):
    patch_change(released)
    assert run_script("build_datapackage.py", released / "datapackage.json").returncode == 0
    problems = validate_package(released / "datapackage.json")
    assert {(p.rule, p.resource) for p in problems} == {("released-version-changed", "metrics"), ("released-version-changed", "datapackage.json")}
    assert any("data/metrics.csv" in p.message and "scripts/release.py" in p.message for p in problems)
    result = run_script("validate.py", released / "datapackage.json")
    assert result.returncode == 1 and "released-version-changed" in result.stdout


def test_version_without_changelog_section_is_caught(released):
    replace_in(released / "datapackage.json", '"version": "1.0.0"', '"version": "1.0.1"')
    assert [p.rule for p in validate_package(released / "datapackage.json")] == ["changelog-missing-version"]
    (released / "CHANGELOG.md").unlink()  # a downloaded zip has no changelog to hold it to
    assert validate_package(released / "datapackage.json") == []


def test_release_zip_validates_with_frictionless_and_loads_with_pandas(released):
    archive = released / "dist" / f"{NAME}-1.0.0.zip"
    report = validate(str(archive))
    assert report.valid, report.flatten(["type", "note"])
    with zipfile.ZipFile(archive) as handle:
        assert handle.namelist()[0] == "datapackage.json"
        metrics = pd.read_csv(handle.open("data/metrics.csv"))
    assert len(metrics) == 12 and metrics["value"].dtype.kind == "f"
    sums = (released / "dist" / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive.name}\n" in sums


def git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def init_repo(root):
    git(root, "init", "-q")
    git(root, "config", "user.name", "t")
    git(root, "config", "user.email", "t@example.org")
    (root / ".gitignore").write_text("dist/\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "package")


def test_in_git_it_commits_and_tags_and_finds_the_last_release_by_tag(fresh_copy):
    init_repo(fresh_copy)
    assert run_script("release.py", fresh_copy / "datapackage.json").returncode == 0
    assert git(fresh_copy, "tag").split() == ["v1.0.0"] and git(fresh_copy, "status", "--porcelain") == ""
    minor_change(fresh_copy)
    add_unreleased(fresh_copy, "r003")
    result = run_script("release.py", fresh_copy / "datapackage.json")
    assert result.returncode == 1 and "clean tree" in result.stderr
    result = run_script("release.py", fresh_copy / "datapackage.json", "--no-tag", "--dry-run")
    assert result.returncode == 0 and "uncommitted package files" in result.stdout and "data/relations.csv" in result.stdout
    git(fresh_copy, "commit", "-qam", "r003")
    shutil.rmtree(fresh_copy / "dist")  # so the last release must be read from the tag
    result = run_script("release.py", fresh_copy / "datapackage.json")
    assert result.returncode == 0, result.stderr
    assert "content read from git tag v1.0.0" in result.stdout
    assert git(fresh_copy, "tag").split() == ["v1.0.0", "v1.1.0"] and git(fresh_copy, "status", "--porcelain") == ""
    assert git(fresh_copy, "show", "v1.1.0:datapackage.json").count('"version": "1.1.0"') == 1


def test_no_tag_writes_files_but_leaves_git_alone(fresh_copy):
    init_repo(fresh_copy)
    head = git(fresh_copy, "rev-parse", "HEAD")
    assert run_script("release.py", fresh_copy / "datapackage.json", "--no-tag").returncode == 0
    assert git(fresh_copy, "tag") == "" and git(fresh_copy, "rev-parse", "HEAD") == head
    assert "releases/" in git(fresh_copy, "status", "--porcelain")


def test_unreadable_package_exits_2(tmp_path):
    result = run_script("release.py", tmp_path / "missing" / "datapackage.json")
    assert result.returncode == 2 and "file not found" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_every_file_the_tools_write_is_readable_by_others(fresh_copy, umask_022):
    (fresh_copy / "datapackage.json").chmod(0o644)
    assert run_script("build_datapackage.py", fresh_copy / "datapackage.json").returncode == 0
    assert run_script("release.py", fresh_copy / "datapackage.json").returncode == 0
    written = [fresh_copy / "datapackage.json", fresh_copy / "CHANGELOG.md", fresh_copy / "releases" / "1.0.0.json",
               *(fresh_copy / "dist").iterdir()]
    assert {path.name: oct(path.stat().st_mode & 0o777) for path in written} == {path.name: "0o644" for path in written}
    assert run_script("release.py", fresh_copy / "datapackage.json", "--dist-only").returncode == 0
    assert {oct(path.stat().st_mode & 0o777) for path in (fresh_copy / "dist").iterdir()} == {"0o644"}


def test_atomic_write_gives_a_new_file_the_umask_mode_and_keeps_an_existing_files_mode(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new.txt", "x")
        (tmp_path / "kept.txt").write_text("x")
        (tmp_path / "kept.txt").chmod(0o604)
        atomic_write(tmp_path / "kept.txt", "y")
    finally:
        os.umask(old)
    assert oct((tmp_path / "new.txt").stat().st_mode & 0o777) == "0o640"
    assert oct((tmp_path / "kept.txt").stat().st_mode & 0o777) == "0o604"


def test_byte_only_change_names_the_way_out_and_a_patch_release_is_allowed(released):
    schema = released / "schemas" / "places.schema.json"
    schema.write_text(json.dumps(json.loads(schema.read_text(encoding="utf-8")), indent=4) + "\n", encoding="utf-8")
    assert run_script("build_datapackage.py", released / "datapackage.json").returncode == 0
    messages = [p.message for p in validate_package(released / "datapackage.json")]
    assert any("-- releases/1.0.0.json)\" -- schemas/places.schema.json" in m and "--bump patch" in m for m in messages)
    add_unreleased(released, "places schema re-indented")
    before = files_of(released)
    result = run_script("release.py", released / "datapackage.json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "-- releases/1.0.0.json)\" -- " in result.stderr and "schemas/places.schema.json" in result.stderr
    assert "scripts/release.py --bump patch" in result.stderr and files_of(released) == before
    result = run_script("release.py", released / "datapackage.json", "--bump", "patch")
    assert result.returncode == 0, result.stderr
    assert version_of(released) == "1.0.1" and validate_package(released / "datapackage.json") == []


def test_a_repository_git_refuses_as_another_users_is_refused_not_taken_for_no_git(fresh_copy, monkeypatch):
    init_repo(fresh_copy)
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")  # git's own switch for "owned by another user"
    before = files_of(fresh_copy)
    with pytest.raises(PackageError, match="dubious ownership"):
        release.plan_release(fresh_copy / "datapackage.json")
    assert files_of(fresh_copy) == before


def test_release_zip_has_folder_entries_modes_readme_licence_citation_and_the_same_bytes_when_rebuilt(released):
    archive = released / "dist" / f"{NAME}-1.0.0.zip"
    with zipfile.ZipFile(archive) as handle:
        infos = handle.infolist()
        readme = handle.read("README.md").decode("utf-8")
    names = [info.filename for info in infos]
    assert names[0] == "datapackage.json" and names[1:] == sorted(names[1:])
    assert {"README.md", "LICENSE-DATA", "CITATION.cff", "CHANGELOG.md", "data/metrics.csv"} <= set(names)
    folders = {info.filename for info in infos if info.is_dir()}
    assert folders == {"archive/", "data/", "schemas/"}
    assert all(names.index(name.split("/")[0] + "/") < names.index(name) for name in names if "/" in name.rstrip("/"))
    assert {oct(info.external_attr >> 16) for info in infos if info.is_dir()} == {"0o40755"}
    assert {oct(info.external_attr >> 16) for info in infos if not info.is_dir()} == {"0o100644"}
    assert {info.date_time for info in infos} == {tuple(map(int, TODAY.split("-"))) + (0, 0, 0)}
    for word in ["metrics", "`value`", "more_than", "order_of_magnitude", "pd.read_csv", "frictionless", "read_csv(", "CITATION.cff"]:
        assert word in readme
    listing = subprocess.run(["unzip", "-l", str(archive)], capture_output=True, text=True).stdout
    assert "data/\n" in listing and "schemas/\n" in listing
    first = archive.read_bytes()
    assert release.rebuild_dist(released / "datapackage.json") == archive and archive.read_bytes() == first
    record = json.loads((released / "releases" / "1.0.0.json").read_text(encoding="utf-8"))
    assert record["dist"]["zip_format"] == 2 and record["dist"]["sha256"] == hashlib.sha256(first).hexdigest()


def test_notes_written_under_unreleased_leave_the_released_zip_as_it_was(released):
    """The zip carries the changelog as the release wrote it: the next release's notes, recorded
    under Unreleased in the meantime, are not in it, so the zip still rebuilds byte for byte."""
    archive = released / "dist" / f"{NAME}-1.0.0.zip"
    first = archive.read_bytes()
    changelog = released / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(text.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n- a note for the next release\n", 1), encoding="utf-8")
    assert release.rebuild_dist(released / "datapackage.json") == archive and archive.read_bytes() == first
    with zipfile.ZipFile(archive) as opened:
        assert opened.read("CHANGELOG.md").decode("utf-8") == text


def test_the_1_0_0_zip_is_rebuilt_byte_for_byte_from_its_checkout(tmp_path):
    """1.0.0's record has no zip_format: its zip keeps the old layout, and --dist-only still matches it."""
    repo = ROOT
    if subprocess.run(["git", "-C", str(repo), "rev-parse", "--is-shallow-repository"], capture_output=True, text=True).stdout.strip() != "false":
        pytest.skip("needs the full git history, which holds the 1.0.0 checkout")
    commit = git(repo, "log", "--diff-filter=A", "--format=%H", "-1", "--", "releases/1.0.0.json").strip()
    tar = subprocess.run(["git", "-C", str(repo), "archive", commit], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp_path)], input=tar, check=True)
    record = json.loads((tmp_path / "releases" / "1.0.0.json").read_text(encoding="utf-8"))
    assert "zip_format" not in record["dist"]
    result = run_script("release.py", tmp_path / "datapackage.json", "--dist-only")
    assert result.returncode == 0, result.stderr
    rebuilt = (tmp_path / "dist" / f"{NAME}-1.0.0.zip").read_bytes()
    assert hashlib.sha256(rebuilt).hexdigest() == record["dist"]["sha256"]


def released_in_git(root):
    """root released as 1.0.0 in a git repository, then given a committed minor change noted under Unreleased."""
    init_repo(root)
    release.carry_out(release.plan_release(root / "datapackage.json"))
    minor_change(root)
    add_unreleased(root, "r003")
    git(root, "commit", "-qam", "r003")
    return root


def git_state(root):
    return git(root, "rev-parse", "HEAD"), git(root, "tag"), git(root, "status", "--porcelain"), git(root, "diff", "--cached")


@pytest.mark.parametrize("failing", ["add", "commit", "tag"])
def test_a_failing_git_step_undoes_the_commit_and_every_file(fresh_copy, monkeypatch, failing):
    root = released_in_git(fresh_copy)
    plan = release.plan_release(root / "datapackage.json")
    before, state = files_of(root), git_state(root)
    real_git, ran = journal.git, []

    def git_failing_at(repo, *args, **kwargs):
        ran.append(args[0])
        if args[0] == failing:
            return subprocess.CompletedProcess(args, 1, "", f"{failing} refused here")
        return real_git(repo, *args, **kwargs)

    monkeypatch.setattr(journal, "git", git_failing_at)
    with pytest.raises(journal.JournalError, match=f"git {failing} failed: {failing} refused here"):
        release.carry_out(plan)
    assert files_of(root) == before and git_state(root) == state
    assert ran.count("commit") == (failing != "add") and not (root / ".release-journal.json").exists()


def test_a_refused_commit_exits_1_with_every_file_and_git_as_before(fresh_copy):
    root = released_in_git(fresh_copy)
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'commit refused by hook' >&2\nexit 1\n")
    hook.chmod(0o755)
    before, state = files_of(root), git_state(root)
    result = run_script("release.py", root / "datapackage.json")
    assert result.returncode == 1 and "git commit failed: commit refused by hook" in result.stderr
    assert "Traceback" not in result.stderr and "every file and git are as they were" in result.stderr
    assert files_of(root) == before and git_state(root) == state


def test_since_names_where_the_last_release_is_read_from(released, tmp_path):
    since = tmp_path / "release-1.0.0"
    shutil.copytree(released, since)
    shutil.rmtree(released / "dist")  # no zip and no git: nothing else holds 1.0.0
    minor_change(released)
    add_unreleased(released, "r003")
    with pytest.raises(PackageError, match="cannot find the content of release 1.0.0"):
        release.plan_release(released / "datapackage.json")
    plan = release.plan_release(released / "datapackage.json", since=str(since / "datapackage.json"))
    assert plan.baseline == str(since / "datapackage.json") and plan.required == "minor" and plan.version == "1.1.0"


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "01.0.0", "1.0.0-rc1", ""])
def test_a_malformed_version_is_refused_and_nothing_written(fresh_copy, version):
    replace_in(fresh_copy / "datapackage.json", '"version": "1.0.0"', f'"version": "{version}"')
    before = files_of(fresh_copy)
    with pytest.raises(release.ReleaseRefused, match="is not of the form X.Y.Z"):
        release.plan_release(fresh_copy / "datapackage.json")
    assert files_of(fresh_copy) == before


def test_typed_exports_join_dist_sha256sums_and_the_record(fresh_copy, monkeypatch):
    monkeypatch.setattr(release, "export_files", lambda descriptor_path, out_dir: {"tables.sqlite": b"typed tables"})
    release.carry_out(release.plan_release(fresh_copy / "datapackage.json"))
    digest = hashlib.sha256(b"typed tables").hexdigest()
    assert (fresh_copy / "dist" / "tables.sqlite").read_bytes() == b"typed tables"
    assert f"{digest}  tables.sqlite\n" in (fresh_copy / "dist" / "SHA256SUMS").read_text(encoding="utf-8")
    record = json.loads((fresh_copy / "releases" / "1.0.0.json").read_text(encoding="utf-8"))
    assert record["dist"]["exports"] == [{"path": "dist/tables.sqlite", "sha256": digest}]


def test_the_citation_carries_the_released_version_and_date(released):
    minor_change(released)
    add_unreleased(released, "r003")
    release.carry_out(release.plan_release(released / "datapackage.json"))
    citation = (released / "CITATION.cff").read_text(encoding="utf-8")
    assert "\nversion: 1.1.0\n" in citation and f"\ndate-released: {TODAY}\n" in citation
    with zipfile.ZipFile(released / "dist" / f"{NAME}-1.1.0.zip") as archive:
        assert archive.read("CITATION.cff").decode("utf-8") == citation
