"""Released versions by name (1.0.0, v1.0.0, latest) without tags: from releases/*.json and the commit that recorded each."""
import shutil
import subprocess

import pytest

from conftest import run_script, unreleased_copy
from dp import release
from test_release import init_repo
from dp.baseline import find_baseline
from dp.diff import load_snapshot
from dp.package import PackageError
from dp.revisions import resolve_revision


def git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout.strip()


def replace_in(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def released_as_1_0_0(folder):
    """A copy of the package in folder, released there as 1.0.0 whatever version it is at now; its descriptor."""
    descriptor = unreleased_copy(folder)
    release.carry_out(release.plan_release(descriptor))
    return descriptor


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """(origin repo, commit that recorded 1.0.0): release 1.0.0 committed, then a corrected note on top."""
    origin = tmp_path_factory.mktemp("origin")
    released_as_1_0_0(origin)
    init_repo(origin)
    recorded = git(origin, "rev-parse", "HEAD")
    replace_in(origin / "data" / "metrics.csv", "2017 is inferred from the publication date.", "2017 is inferred from the date of publication.")
    replace_in(origin / "CHANGELOG.md", "## [Unreleased]\n", "## [Unreleased]\n\n### Changed\n- A note reworded.\n")
    git(origin, "commit", "-qam", "A note reworded")
    return origin, recorded


def clone(history, tmp_path, *options):
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", *options, f"file://{history[0]}", str(target)], check=True, capture_output=True)
    return target


@pytest.mark.parametrize("name", ["1.0.0", "v1.0.0", "latest"])
def test_version_names_resolve_without_tags(history, tmp_path, name):
    untagged = clone(history, tmp_path, "--no-tags")
    assert git(untagged, "tag") == ""
    label, commit = resolve_revision(name, untagged)
    assert commit == history[1] and label.startswith("git commit") and "releases/1.0.0.json" in label


def test_a_tag_wins_over_the_recording_commit(history, tmp_path):
    tagged = clone(history, tmp_path)
    git(tagged, "tag", "v1.0.0", "HEAD")  # a maintainer's tag, even where it differs
    assert resolve_revision("1.0.0", tagged) == ("git tag v1.0.0", git(tagged, "rev-parse", "HEAD"))


def test_diff_cli_compares_a_version_name_in_a_clone_without_tags(history, tmp_path):
    untagged = clone(history, tmp_path, "--no-tags")
    result = run_script("diff.py", "1.0.0", "HEAD", "--repo", untagged)
    assert result.returncode == 0, result.stderr
    assert "Bump required: patch" in result.stdout and "row m001: note" in result.stdout


def test_dry_run_release_in_a_clone_without_tags_finds_the_last_release(history, tmp_path):
    untagged = clone(history, tmp_path, "--no-tags")
    plan = release.plan_release(untagged / "datapackage.json")
    assert plan.baseline.startswith("git commit") and (plan.required, plan.version) == ("patch", "1.0.1")


def test_shallow_clone_names_the_fix_in_one_line(history, tmp_path):
    shallow = clone(history, tmp_path, "--depth", "1")
    with pytest.raises(PackageError) as err:
        load_snapshot("1.0.0", shallow)
    message = str(err.value)
    assert "git fetch --unshallow" in message and "release zip" in message and "\n" not in message
    with pytest.raises(PackageError, match="git fetch --unshallow"):
        find_baseline(shallow, "1.0.0", None)


def test_unknown_version_and_revision_are_clear_errors(history):
    with pytest.raises(PackageError, match="version 9.9.9 is not released here"):
        resolve_revision("9.9.9", history[0])
    with pytest.raises(PackageError, match="not a directory, datapackage.json, zip, released version or git revision"):
        resolve_revision("--output=/tmp/x", history[0])


def test_since_must_hold_the_release_on_record(tmp_path):
    # A --since that is not the release let a stricter constraint (major) through as a patch.
    (tmp_path / "package").mkdir()
    package_copy = released_as_1_0_0(tmp_path / "package")
    since = tmp_path / "since"
    shutil.copytree(package_copy.parent, since)
    replace_in(since / "schemas" / "exclusions.schema.json", '"required": true', '"required": true, "maxLength": 1000')
    with pytest.raises(PackageError, match=r"--since .* does not hold release 1\.0\.0: schemas/exclusions\.schema\.json"):
        find_baseline(package_copy.parent, "1.0.0", str(since))
    (since / "schemas" / "exclusions.schema.json").write_bytes((package_copy.parent / "schemas" / "exclusions.schema.json").read_bytes())
    label, snapshot = find_baseline(package_copy.parent, "1.0.0", str(since))
    assert label == str(since) and snapshot.descriptor["version"] == "1.0.0"
