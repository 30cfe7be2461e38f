"""A release cut off at any step, even by SIGKILL, ends fully released or fully as before after one more run."""
import functools
import json
import os
import shutil
import signal
import subprocess

import pytest

import forked_scripts
import release as release_cli
from conftest import ROOT, unreleased_copy
from dp import release
from dp.validate import validate_package
from test_release import git, released_in_git

NAME = "global-coalition-defeat-isis-meeting-2017-03-24"
ZIP = f"dist/{NAME}-1.1.0.zip"
WRITES = [ZIP, "dist/SHA256SUMS", "CHANGELOG.md", "datapackage.json", "releases/1.1.0.json"]
# Each step the release takes, and how a SIGKILL just before it must end after a re-run.
STEPS = [("journal", "before")] + [(f"write {path}", "before") for path in WRITES] + [
    ("git add", "released"), ("git commit", "released"), ("git tag", "released"), ("done", "released")]


def signal_at(stops):
    """Make this process send itself a signal at chosen steps of the release: 'step=SIGNAL;...'."""
    stops = dict(item.split("=") for item in stops.split(";"))
    release.STEP_HOOK = lambda step: step in stops and os.kill(os.getpid(), getattr(signal, stops[step]))
    os.environ["DP_TEST_RELEASE_PID"] = str(os.getpid())


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A git repository released once as 1.0.0, then given a minor change described under Unreleased."""
    root = tmp_path_factory.mktemp("template")
    unreleased_copy(root)
    return released_in_git(root)


@pytest.fixture
def repo(template, tmp_path):
    root = tmp_path / "package"
    shutil.copytree(template, root)
    return root


def tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


def run_cut_off(root, stops):
    """scripts/release.py run on root in a process of its own, which signals itself at the steps stops names."""
    return forked_scripts.run(ROOT / "scripts" / "release.py", root / "datapackage.json", cwd=root,
                              prepare=functools.partial(signal_at, stops))


def assert_as_before(root, before, head):
    assert tree(root) == before
    assert git(root, "rev-parse", "HEAD") == head and git(root, "tag").split() == ["v1.0.0"]
    assert git(root, "status", "--porcelain") == ""


def assert_released(root, head):
    assert json.loads((root / "datapackage.json").read_text())["version"] == "1.1.0"
    assert "## [1.1.0]" in (root / "CHANGELOG.md").read_text()
    record = json.loads((root / "releases" / "1.1.0.json").read_text())
    zip_sha = record["dist"]["sha256"]
    assert f"{zip_sha}  {NAME}-1.1.0.zip" in (root / "dist" / "SHA256SUMS").read_text()
    assert subprocess.run(["sha256sum", root / ZIP], capture_output=True, text=True).stdout.split()[0] == zip_sha
    assert git(root, "rev-parse", "HEAD^") == head and git(root, "log", "-1", "--format=%s") == "Release 1.1.0\n"
    assert git(root, "rev-parse", "v1.1.0^{commit}") == git(root, "rev-parse", "HEAD")
    assert git(root, "status", "--porcelain") == "" and not (root / ".release-journal.json").exists()
    assert validate_package(root / "datapackage.json") == []


@pytest.mark.parametrize("step,end", STEPS, ids=[step for step, _ in STEPS])
def test_sigkill_at_any_step_ends_released_or_as_before_after_a_rerun(repo, step, end):
    before, head = tree(repo), git(repo, "rev-parse", "HEAD")
    problems_before = validate_package(repo / "datapackage.json")
    cut = run_cut_off(repo, f"{step}=SIGKILL")
    assert cut.returncode == -9, cut.stderr
    if step == "journal":  # nothing was written yet, not even the journal
        return assert_as_before(repo, before, head)
    assert "release-interrupted" in [p.rule for p in validate_package(repo / "datapackage.json")]
    assert release_cli.main([str(repo / "datapackage.json")]) == 0
    if end == "released":
        assert_released(repo, head)
    else:
        assert_as_before(repo, before, head)
        assert validate_package(repo / "datapackage.json") == problems_before
    assert release_cli.main([str(repo / "datapackage.json")]) == (1 if end == "released" else 0)


@pytest.mark.parametrize("stops", ["git tag=SIGTERM", "git commit=SIGHUP", "write datapackage.json=SIGINT",
                                   "git tag=SIGTERM;undo CHANGELOG.md=SIGKILL"])
def test_a_signal_undoes_the_release_and_a_cut_off_undo_is_undone_again(repo, stops):
    before, head = tree(repo), git(repo, "rev-parse", "HEAD")
    cut = run_cut_off(repo, stops)
    if "SIGKILL" in stops:
        assert cut.returncode == -9
        assert release_cli.main([str(repo / "datapackage.json")]) == 0  # never finished: the undo had begun
    else:
        assert cut.returncode == 1 and "release interrupted by SIG" in cut.stderr and "Traceback" not in cut.stderr
        assert "every file and git are as they were" in cut.stderr
    assert_as_before(repo, before, head)


def test_git_killed_inside_commit_leaves_a_lock_that_the_rerun_clears(repo):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text('#!/bin/sh\nkill -9 "$DP_TEST_RELEASE_PID"; kill -9 "$PPID"\n')
    hook.chmod(0o755)
    head = git(repo, "rev-parse", "HEAD")
    cut = run_cut_off(repo, "none=none")
    assert cut.returncode == -9 and (repo / ".git" / "index.lock").exists()
    hook.unlink()
    assert release_cli.main([str(repo / "datapackage.json")]) == 0
    assert_released(repo, head)
    assert not list((repo / ".git").glob("*.lock"))


def test_sigterm_while_git_commit_runs_undoes_it_and_clears_the_lock_git_leaves(repo):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text('#!/bin/sh\nkill -TERM "$DP_TEST_RELEASE_PID"; sleep 2\n')
    hook.chmod(0o755)
    before, head = tree(repo), git(repo, "rev-parse", "HEAD")
    cut = run_cut_off(repo, "none=none")
    assert cut.returncode == 1 and "release interrupted by SIGTERM" in cut.stderr, cut.stderr
    assert_as_before(repo, before, head)
    assert not list((repo / ".git").glob("*.lock"))


def test_a_file_edited_after_the_cut_is_not_overwritten_by_the_undo(repo):
    assert run_cut_off(repo, "write datapackage.json=SIGKILL").returncode == -9
    (repo / "CHANGELOG.md").write_text("edited by hand\n", encoding="utf-8")
    assert release_cli.main([str(repo / "datapackage.json")]) == 1
    assert (repo / "CHANGELOG.md").read_text(encoding="utf-8") == "edited by hand\n"
    assert (repo / ".release-journal.json").exists()
