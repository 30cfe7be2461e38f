"""dp.revisions in process: git revisions and released versions found by name, in small git
repositories made for each test (a record file per release, no package needed)."""
import os
import subprocess
from pathlib import Path

import pytest

from dp import revisions, source
from dp.package import PackageError
from conftest import git


def new_repo(root):
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    git(root, "config", "user.name", "t")
    git(root, "config", "user.email", "t@example.org")
    return root


def commit_file(root, relative, text, message):
    """Write relative, commit it, and return the new commit id."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD")


def remove_file(root, relative, message):
    git(root, "rm", "-q", relative)
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path):
    """A repository whose first commit holds a README."""
    root = new_repo(tmp_path / "repo")
    commit_file(root, "README.md", "package\n", "start")
    return root


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """(repo, {name: commit}): 1.0.0 recorded, a later commit, then 1.1.0 recorded; no tags."""
    root = new_repo(tmp_path_factory.mktemp("recorded") / "repo")
    commits = {"start": commit_file(root, "README.md", "package\n", "start")}
    commits["1.0.0"] = commit_file(root, "releases/1.0.0.json", "{}\n", "Release 1.0.0")
    commits["fix"] = commit_file(root, "README.md", "package, fixed\n", "A fix")
    commits["1.1.0"] = commit_file(root, "releases/1.1.0.json", "{}\n", "Release 1.1.0")
    return root, commits


def shallow_clone(source, target):
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{source}", str(target)], check=True, capture_output=True)
    return target


# --- git ------------------------------------------------------------------------------------


def test_git_runs_in_the_repository_and_returns_text(repo):
    result = revisions.git(repo, "rev-parse", "--show-toplevel")
    assert result.returncode == 0 and result.stdout == f"{repo.resolve()}\n" and result.stderr == ""


def test_git_returns_bytes_when_asked(repo):
    result = revisions.git(repo, "show", "HEAD:README.md", text=False)
    assert result.stdout == b"package\n"


def test_git_never_prompts_pages_or_fetches_lazily_and_speaks_english(repo, monkeypatch):
    for name in revisions.GIT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    monkeypatch.setenv("DP_KEPT", "yes")
    lines = revisions.git(repo, "-c", "alias.environment=!env", "environment").stdout.splitlines()
    assert {"GIT_TERMINAL_PROMPT=0", "GIT_NO_LAZY_FETCH=1", "GIT_PAGER=cat", "LC_ALL=C", "DP_KEPT=yes"} <= set(lines)


def test_git_reads_nothing_from_the_users_input(repo):
    reader, writer = os.pipe()
    os.write(writer, b"typed by the user\n")
    os.close(writer)
    saved = os.dup(0)
    os.dup2(reader, 0)
    try:
        result = revisions.git(repo, "-c", "alias.echo-input=!cat", "echo-input")
    finally:
        os.dup2(saved, 0)
        os.close(saved)
        os.close(reader)
    assert result.returncode == 0 and result.stdout == ""


# --- ownership and the top of the work tree -----------------------------------------------------


def test_a_refusal_for_ownership_names_the_safe_directory_command(tmp_path):
    error = revisions.refused_for_ownership(tmp_path / "x" / "..", "fatal: detected dubious ownership in repository at '/r'")
    assert isinstance(error, PackageError)
    assert str(error) == (f"git refuses to read the repository at {tmp_path / 'x' / '..'}: it detected dubious ownership "
                          f"(another user owns it); if you trust it, run: git config --global --add safe.directory {tmp_path.resolve()}")


def test_other_git_errors_are_no_refusal_for_ownership(tmp_path):
    assert revisions.refused_for_ownership(tmp_path, "fatal: not a git repository (or any of the parent directories): .git") is None
    assert revisions.refused_for_ownership(tmp_path, "") is None


def test_the_top_of_the_work_tree_is_found_from_a_subfolder(repo):
    (repo / "data").mkdir()
    top = revisions.git_toplevel(repo / "data")
    assert isinstance(top, Path) and top == repo.resolve()


def test_no_top_outside_git(tmp_path):
    (tmp_path / "plain").mkdir()
    assert revisions.git_toplevel(tmp_path / "plain") is None


def test_a_repository_of_another_owner_is_refused_not_taken_for_none(repo, monkeypatch):
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    with pytest.raises(PackageError) as err:
        revisions.git_toplevel(repo)
    assert str(err.value) == (f"git refuses to read the repository at {repo}: it detected dubious ownership (another user "
                              f"owns it); if you trust it, run: git config --global --add safe.directory {repo.resolve()}")


# --- version names --------------------------------------------------------------------------


@pytest.mark.parametrize("spec,name", [
    ("latest", "latest"), ("1.0.0", "1.0.0"), ("v1.2.3", "1.2.3"), ("10.20.30", "10.20.30"), (Path("v2.0.1"), "2.0.1"),
    ("1.0", None), ("1.0.0.0", None), ("01.0.0", None), ("V1.0.0", None), ("vv1.0.0", None), ("x1.0.0", None),
    ("1.0.0-rc1", None), ("HEAD", None), ("Latest", None), ("", None),
])
def test_version_name_of_a_spec(spec, name):
    assert revisions.version_name(spec) == name


def test_latest_version_is_the_highest_recorded(tmp_path):
    (tmp_path / "releases").mkdir()
    for version in ("1.9.0", "1.10.0", "1.2.0"):
        (tmp_path / "releases" / f"{version}.json").write_text("{}", encoding="utf-8")
    assert revisions.latest_version(tmp_path) == "1.10.0"


def test_latest_without_a_release_names_the_folder(tmp_path):
    with pytest.raises(PackageError) as err:
        revisions.latest_version(tmp_path)
    assert str(err.value) == f"'latest': no release is recorded in {tmp_path / 'releases'}"


# --- commits --------------------------------------------------------------------------------


def test_commit_of_gives_the_full_id_or_none(recorded):
    root, commits = recorded
    assert revisions.commit_of(root, "HEAD") == commits["1.1.0"]
    assert revisions.commit_of(root, commits["fix"][:8]) == commits["fix"]
    assert revisions.commit_of(root, "HEAD~2") == commits["1.0.0"]
    assert revisions.commit_of(root, "no-such-branch") is None
    assert revisions.commit_of(root, "HEAD:README.md") is None  # a file, not a commit
    assert revisions.commit_of(root, "HEAD~1..HEAD") is None  # a range, not one commit


def test_commit_of_an_annotated_tag_is_the_tagged_commit(repo):
    git(repo, "tag", "-a", "v1.0.0", "-m", "Release 1.0.0")
    head = git(repo, "rev-parse", "HEAD")
    assert git(repo, "rev-parse", "refs/tags/v1.0.0") != head
    assert revisions.commit_of(repo, "refs/tags/v1.0.0") == head


def test_the_recording_commit_is_the_one_that_added_the_record(recorded):
    root, commits = recorded
    assert revisions.recording_commit(root, "1.0.0") == commits["1.0.0"]
    assert revisions.recording_commit(root, "1.1.0") == commits["1.1.0"]
    assert revisions.recording_commit(root, "2.0.0") is None


def test_the_recording_commit_is_not_a_later_change_of_the_record(repo):
    added = commit_file(repo, "releases/1.0.0.json", "{}\n", "Release 1.0.0")
    commit_file(repo, "releases/1.0.0.json", '{"files": []}\n', "The record rewritten")
    assert revisions.recording_commit(repo, "1.0.0") == added


def test_the_recording_commit_is_found_when_the_record_is_gone_from_the_working_copy(repo):
    added = commit_file(repo, "releases/1.0.0.json", "{}\n", "Release 1.0.0")
    remove_file(repo, "releases/1.0.0.json", "Record removed")
    assert revisions.recording_commit(repo, "1.0.0") == added


def test_a_record_added_again_is_found_at_its_last_addition(repo):
    commit_file(repo, "releases/1.0.0.json", "{}\n", "Release 1.0.0")
    remove_file(repo, "releases/1.0.0.json", "Record removed")
    again = commit_file(repo, "releases/1.0.0.json", "{}\n", "Record restored")
    assert revisions.recording_commit(repo, "1.0.0") == again


def test_a_tag_names_the_release_before_the_record(recorded, tmp_path):
    root = tmp_path / "tagged"
    subprocess.run(["git", "clone", "-q", str(recorded[0]), str(root)], check=True, capture_output=True)
    git(root, "tag", "v1.0.0", recorded[1]["fix"])
    git(root, "tag", "1.1.0", recorded[1]["start"])
    assert revisions.release_commit(root, "1.0.0") == ("git tag v1.0.0", recorded[1]["fix"])
    assert revisions.release_commit(root, "1.1.0") == ("git tag 1.1.0", recorded[1]["start"])


def test_a_v_tag_wins_over_a_bare_tag(repo):
    first = git(repo, "rev-parse", "HEAD")
    second = commit_file(repo, "README.md", "more\n", "more")
    git(repo, "tag", "1.0.0", first)
    git(repo, "tag", "v1.0.0", second)
    assert revisions.release_commit(repo, "1.0.0") == ("git tag v1.0.0", second)


def test_without_a_tag_the_release_is_the_commit_that_recorded_it(recorded):
    root, commits = recorded
    assert revisions.release_commit(root, "1.0.0") == (
        f"git commit {commits['1.0.0'][:12]} (it added releases/1.0.0.json)", commits["1.0.0"])


def test_a_version_never_recorded_is_not_released(recorded):
    with pytest.raises(PackageError) as err:
        revisions.release_commit(recorded[0], "9.9.9")
    assert str(err.value) == "version 9.9.9 is not released here: no git tag v9.9.9 and no commit added releases/9.9.9.json"


# --- shallow clones -------------------------------------------------------------------------


def test_is_shallow_only_in_a_shallow_clone(recorded, tmp_path):
    shallow = shallow_clone(recorded[0], tmp_path / "shallow")
    assert revisions.is_shallow(shallow) is True
    assert revisions.is_shallow(recorded[0]) is False


def test_the_shallow_boundary_is_the_cut_commit_only(recorded, tmp_path):
    root, commits = recorded
    shallow = shallow_clone(root, tmp_path / "shallow")
    assert revisions.is_shallow_boundary(shallow, commits["1.1.0"]) is True
    assert revisions.is_shallow_boundary(shallow, commits["fix"]) is False
    assert revisions.is_shallow_boundary(root, commits["1.1.0"]) is False


def test_a_shallow_clone_hides_records_added_before_its_cut(recorded, tmp_path):
    # Everything looks added in the cut commit: 1.0.0's record was not added there.
    shallow = shallow_clone(recorded[0], tmp_path / "shallow")
    assert revisions.recording_commit(shallow, "1.0.0") is None
    assert revisions.recording_commit(shallow, "1.1.0") is None


def test_a_record_added_after_the_cut_is_found_in_a_shallow_clone(recorded, tmp_path):
    root, commits = recorded
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{root}", str(tmp_path / "deeper")], check=True, capture_output=True)
    assert revisions.recording_commit(tmp_path / "deeper", "1.1.0") == commits["1.1.0"]
    assert revisions.release_commit(tmp_path / "deeper", "1.1.0")[1] == commits["1.1.0"]


def test_a_release_cut_off_by_a_shallow_clone_names_the_fix(recorded, tmp_path):
    shallow = shallow_clone(recorded[0], tmp_path / "shallow")
    with pytest.raises(PackageError) as err:
        revisions.release_commit(shallow, "1.0.0")
    assert str(err.value) == ("version 1.0.0: the commit that recorded it (releases/1.0.0.json) is not in this shallow "
                              "clone; run 'git fetch --unshallow', or pass the release zip instead")


# --- resolving a spec -----------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["--output=/tmp/x", "-1", "-"])
def test_a_spec_like_an_option_never_reaches_git(spec, recorded):
    with pytest.raises(PackageError) as err:
        revisions.resolve_revision(spec, recorded[0])
    assert str(err.value) == f"{spec!r} is not a directory, datapackage.json, zip, released version or git revision"


@pytest.mark.parametrize("spec,what", [("1.0.0", "a released version"), ("latest", "a released version"), ("HEAD", "a git revision")])
def test_outside_git_a_spec_names_what_it_would_be(tmp_path, spec, what):
    with pytest.raises(PackageError) as err:
        revisions.resolve_revision(spec, str(tmp_path))
    assert str(err.value) == (f"{spec!r} is not a directory, datapackage.json or zip, and {tmp_path} is not in a git "
                              f"repository to find it as {what}; pass the release zip instead")


def test_a_version_name_resolves_to_its_release(recorded):
    root, commits = recorded
    label = f"git commit {commits['1.0.0'][:12]} (it added releases/1.0.0.json)"
    assert revisions.resolve_revision("1.0.0", root) == (label, commits["1.0.0"])
    assert revisions.resolve_revision("v1.0.0", str(root)) == (label, commits["1.0.0"])


def test_latest_resolves_to_the_highest_release(recorded):
    root, commits = recorded
    assert revisions.resolve_revision("latest", root) == (
        f"git commit {commits['1.1.0'][:12]} (it added releases/1.1.0.json)", commits["1.1.0"])


def test_a_revision_resolves_to_its_commit(recorded):
    root, commits = recorded
    assert revisions.resolve_revision("HEAD~1", root) == ("git revision HEAD~1", commits["fix"])


def test_an_unknown_revision_names_the_repository(recorded):
    root = recorded[0]
    (root / "releases").mkdir(exist_ok=True)
    with pytest.raises(PackageError) as err:
        revisions.resolve_revision("no-such-branch", root / "releases")
    assert str(err.value) == (f"'no-such-branch' is not a directory, datapackage.json, zip, released version or git "
                              f"revision in {root.resolve()}")


# --- reading a revision -------------------------------------------------------------------


def test_a_revision_is_read_whole_when_git_exits_a_moment_after_its_last_byte(repo, tmp_path, monkeypatch):
    # On a busy machine git archive may still be exiting when its tar has been read: it was killed,
    # and the revision reported unreadable ("git archive <commit>: None").
    commit = commit_file(repo, "datapackage.json", "{}\n", "A descriptor")
    popen = subprocess.Popen

    def slow_exit(args, **kwargs):
        if "archive" not in args:
            return popen(args, **kwargs)
        return popen(["sh", "-c", '"$@"; status=$?; exec >&-; sleep 0.3; exit $status', "sh", *args], **kwargs)
    monkeypatch.setattr(subprocess, "Popen", slow_exit)
    folder, left_out = source.extract_revision(commit, repo, tmp_path / "tree")
    assert (folder / "datapackage.json").read_text(encoding="utf-8") == "{}\n" and left_out == set()
