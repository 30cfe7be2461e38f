"""dp.baseline in process: where the content of the last release is found (--since, the dist zip,
the tag, the commit that recorded it) and how each is held to releases/<version>.json, on a
package of one small table released as 1.0.0 in a temporary folder."""
import json
import shutil
import subprocess
import zipfile

import pytest

from dp import baseline
from dp.package import PackageError
from dp.releases import build_record
from conftest import git

SCHEMA = {"fields": [{"name": "id"}, {"name": "n", "type": "integer"}], "primaryKey": "id"}
ROWS = b"id,n\na1,1\na2,2\n"
FILES = ("datapackage.json", "data/t.csv", "schemas/t.schema.json")
NOT_FOUND = ("cannot find the content of release 1.0.0: no dist zip, git tag v1.0.0 or commit of releases/1.0.0.json "
             "matches releases/1.0.0.json{}; pass --since with a folder, zip or git revision holding it")


def write_package(root, rows=ROWS, version="1.0.0"):
    """A package of one table t (data/t.csv, schemas/t.schema.json) at version in root; returns root."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "schemas").mkdir(exist_ok=True)
    (root / "data" / "t.csv").write_bytes(rows)
    (root / "schemas" / "t.schema.json").write_text(json.dumps(SCHEMA), encoding="utf-8")
    descriptor = {"name": "tiny", "version": version,
                  "resources": [{"name": "t", "path": "data/t.csv", "schema": "schemas/t.schema.json"}]}
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return root


def released_package(root):
    """write_package with its release record releases/1.0.0.json; returns root."""
    write_package(root)
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    (root / "releases").mkdir()
    record = build_record(descriptor, root, "2017-03-24")
    (root / "releases" / "1.0.0.json").write_text(json.dumps(record), encoding="utf-8")
    return root


def zip_package(folder, target):
    """A zip of the package files of folder at target, as a release zip holds them."""
    with zipfile.ZipFile(target, "w") as archive:
        for name in FILES:
            archive.write(folder / name, name)
    return target


def commit_all(root, message):
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD")


def git_history(root):
    """released_package in a new repository: the release commit, then a commit that changes a row; {name: commit}."""
    released_package(root)
    git(root, "init", "-q")
    git(root, "config", "user.name", "t")
    git(root, "config", "user.email", "t@example.org")
    commits = {"release": commit_all(root, "Release 1.0.0")}
    (root / "data" / "t.csv").write_bytes(ROWS + b"a3,3\n")
    commits["later"] = commit_all(root, "A row added")
    return commits


def refusal(root, since=None):
    """The message find_baseline refuses release 1.0.0 with."""
    with pytest.raises(PackageError) as err:
        baseline.find_baseline(root, "1.0.0", since)
    return str(err.value)


def rows_of(snapshot):
    return snapshot.frames["t"].to_dict("records")


def test_a_since_folder_that_holds_the_release_is_the_baseline(tmp_path):
    root = released_package(tmp_path / "package")
    since = shutil.copytree(root, tmp_path / "since")
    (root / "data" / "t.csv").write_bytes(ROWS + b"a3,3\n")  # the working copy moved on
    where, snapshot = baseline.find_baseline(root, "1.0.0", str(since))
    assert where == str(since)
    assert snapshot.descriptor["version"] == "1.0.0" and rows_of(snapshot) == [{"id": "a1", "n": "1"}, {"id": "a2", "n": "2"}]


def other_rows_and_schema(since):
    write_package(since, rows=ROWS + b"a3,3\n")
    (since / "schemas" / "t.schema.json").write_text(json.dumps(SCHEMA, indent=1), encoding="utf-8")


def another_version_without_its_table(since):
    write_package(since, version="1.0.1")
    (since / "data" / "t.csv").unlink()


@pytest.mark.parametrize("make,differing", [
    (other_rows_and_schema, "data/t.csv, schemas/t.schema.json"),
    (another_version_without_its_table, "datapackage.json, data/t.csv (now missing)"),
])
def test_a_since_that_differs_from_the_record_names_each_difference(tmp_path, make, differing):
    root = released_package(tmp_path / "package")
    make(tmp_path / "since")
    assert refusal(root, str(tmp_path / "since")) == (f"--since {tmp_path / 'since'} does not hold release 1.0.0: {differing} "
                                                      "differ(s) from releases/1.0.0.json; pass the release's zip, tag or commit")


def test_a_since_zip_is_read_and_checked(tmp_path):
    root = released_package(tmp_path / "package")
    archive = zip_package(root, tmp_path / "tiny-1.0.0.zip")
    where, snapshot = baseline.find_baseline(root, "1.0.0", str(archive))
    assert where == str(archive) and rows_of(snapshot) == [{"id": "a1", "n": "1"}, {"id": "a2", "n": "2"}]


def test_a_since_revision_is_looked_up_in_the_package_repository(tmp_path):
    root = tmp_path / "package"
    git_history(root)
    where, snapshot = baseline.find_baseline(root, "1.0.0", "HEAD~1")
    assert where == "HEAD~1" and rows_of(snapshot) == [{"id": "a1", "n": "1"}, {"id": "a2", "n": "2"}]
    assert refusal(root, "HEAD") == ("--since HEAD does not hold release 1.0.0: data/t.csv differ(s) from releases/1.0.0.json; "
                                     "pass the release's zip, tag or commit")


def test_the_dist_zip_is_the_baseline_outside_git(tmp_path):
    root = released_package(tmp_path / "package")
    (root / "dist").mkdir()
    zip_package(root, root / "dist" / "tiny-1.0.0.zip")
    (root / "data" / "t.csv").write_bytes(ROWS + b"a3,3\n")
    where, snapshot = baseline.find_baseline(root, "1.0.0", None)
    assert where == "dist/tiny-1.0.0.zip" and rows_of(snapshot) == [{"id": "a1", "n": "1"}, {"id": "a2", "n": "2"}]


def test_a_dist_zip_that_is_not_the_release_is_no_baseline(tmp_path):
    root = released_package(tmp_path / "package")
    (root / "dist").mkdir()
    changed = write_package(tmp_path / "changed", rows=ROWS + b"a3,3\n")
    zip_package(changed, root / "dist" / "tiny-1.0.0.zip")
    assert refusal(root) == NOT_FOUND.format("")


def test_nothing_to_read_outside_git_is_a_clear_error(tmp_path):
    root = released_package(tmp_path / "package")
    assert refusal(root) == NOT_FOUND.format("")
    assert list(baseline.baseline_candidates(root, {"name": "tiny"}, "1.0.0")) == []


def test_every_candidate_in_order_dist_zip_tag_then_recording_commit(tmp_path):
    root = tmp_path / "package"
    commits = git_history(root)
    git(root, "tag", "v1.0.0", commits["later"])
    (root / "dist").mkdir()
    zip_package(root, root / "dist" / "tiny-1.0.0.zip")
    record = json.loads((root / "releases" / "1.0.0.json").read_text(encoding="utf-8"))
    assert list(baseline.baseline_candidates(root, record, "1.0.0")) == [
        ("dist/tiny-1.0.0.zip", str(root / "dist" / "tiny-1.0.0.zip")),
        ("git tag v1.0.0", "refs/tags/v1.0.0"),
        (f"git commit {commits['release'][:12]}", commits["release"]),
    ]


def test_the_commit_that_recorded_the_release_is_the_baseline_without_tags(tmp_path):
    root = tmp_path / "package"
    commits = git_history(root)
    where, snapshot = baseline.find_baseline(root, "1.0.0", None)
    assert where == f"git commit {commits['release'][:12]}"
    assert rows_of(snapshot) == [{"id": "a1", "n": "1"}, {"id": "a2", "n": "2"}]


def test_the_tag_wins_over_the_recording_commit(tmp_path):
    root = tmp_path / "package"
    commits = git_history(root)
    git(root, "tag", "v1.0.0", commits["release"])
    where, _ = baseline.find_baseline(root, "1.0.0", None)
    assert where == "git tag v1.0.0"


def test_a_tag_on_other_content_is_passed_over_for_the_recording_commit(tmp_path):
    root = tmp_path / "package"
    commits = git_history(root)
    git(root, "tag", "v1.0.0", commits["later"])
    where, snapshot = baseline.find_baseline(root, "1.0.0", None)
    assert where == f"git commit {commits['release'][:12]}" and len(rows_of(snapshot)) == 2


def test_an_unreadable_dist_zip_is_passed_over(tmp_path):
    root = tmp_path / "package"
    commits = git_history(root)
    (root / "dist").mkdir()
    (root / "dist" / "tiny-1.0.0.zip").write_bytes(b"not a zip")
    where, _ = baseline.find_baseline(root, "1.0.0", None)
    assert where == f"git commit {commits['release'][:12]}"


def test_a_full_clone_with_no_match_is_not_called_shallow(tmp_path):
    root = tmp_path / "package"
    git_history(root)
    (root / "releases" / "1.0.0.json").write_text(json.dumps({"descriptor_sha256": "0", "files": []}), encoding="utf-8")
    commit_all(root, "The record rewritten")
    assert refusal(root) == NOT_FOUND.format("")


def test_a_shallow_clone_names_the_fix(tmp_path):
    origin = tmp_path / "origin"
    git_history(origin)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{origin}", str(clone)], check=True, capture_output=True)
    assert refusal(clone) == NOT_FOUND.format("; this clone is shallow: run 'git fetch --unshallow'")


def test_a_missing_record_is_an_error_before_any_search(tmp_path):
    root = write_package(tmp_path / "package")
    assert refusal(root, str(root)) == f"{root / 'releases' / '1.0.0.json'}: file not found"
