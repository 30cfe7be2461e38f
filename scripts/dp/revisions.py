"""Git revisions of the package, and released versions found by name, with or without tags.

A version name (1.0.0, v1.0.0 or latest) resolves to the tag v1.0.0 (or 1.0.0) when there is
one, and otherwise to the commit that added releases/1.0.0.json: release.py writes that record
in the release commit, so the record travels wherever the history does (forks, mirrors, clones
with no tags). In a shallow clone that commit may be missing; the message then names the fix.
"""
import os
import re
import subprocess
from pathlib import Path

from dp.package import PackageError
from dp.releases import parse_version, record_path, released_versions

VERSION_NAME = re.compile(r"v?(\d+\.\d+\.\d+)")
DUBIOUS = "dubious ownership"
# No prompt, no pager, and no fetch from a promisor remote: a partial clone must not reach the network.
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1", "GIT_PAGER": "cat", "LC_ALL": "C"}


def git(repo, *args, text=True):
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=text,
                          stdin=subprocess.DEVNULL, env=dict(os.environ, **GIT_ENV))


def refused_for_ownership(repo, stderr):
    """The PackageError for git's refusal of a repository another user owns, or None."""
    if DUBIOUS not in stderr:
        return None
    return PackageError(f"git refuses to read the repository at {repo}: it detected dubious ownership (another user owns it); "
                        f"if you trust it, run: git config --global --add safe.directory {Path(repo).resolve()}")


def git_toplevel(path):
    """The top of the git work tree holding path, or None outside git.

    Raises PackageError when git refuses the repository for its ownership: that is no reason to
    act as if there were no repository (and, say, release with no commit and no tag).
    """
    result = git(path, "rev-parse", "--show-toplevel")
    if result.returncode == 0:
        return Path(result.stdout.strip())
    error = refused_for_ownership(path, result.stderr)
    if error:
        raise error
    return None


def version_name(spec):
    """The X.Y.Z a spec names (1.0.0, v1.0.0), 'latest', or None for anything else."""
    if spec == "latest":
        return spec
    match = VERSION_NAME.fullmatch(str(spec))
    return match.group(1) if match and parse_version(match.group(1)) else None


def latest_version(package_dir):
    versions = released_versions(package_dir)
    if not versions:
        raise PackageError(f"'latest': no release is recorded in {Path(package_dir) / 'releases'}")
    return versions[-1]


def commit_of(repo, rev):
    """The full commit id rev names in repo, or None."""
    result = git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    return result.stdout.strip() if result.returncode == 0 else None


def release_commit(package_dir, version):
    """(label, commit) of a released version: its tag when there is one, else the commit that recorded it."""
    for tag in (f"v{version}", version):
        commit = commit_of(package_dir, f"refs/tags/{tag}")
        if commit:
            return f"git tag {tag}", commit
    record = record_path(package_dir, version).relative_to(package_dir).as_posix()
    added = recording_commit(package_dir, version)
    if added:
        return f"git commit {added[:12]} (it added {record})", added
    if is_shallow(package_dir):
        raise PackageError(f"version {version}: the commit that recorded it ({record}) is not in this shallow clone; "
                           f"run 'git fetch --unshallow', or pass the release zip instead")
    raise PackageError(f"version {version} is not released here: no git tag v{version} and no commit added {record}")


def recording_commit(package_dir, version):
    """The commit that added releases/<version>.json, or None (also when a shallow clone cut it off)."""
    record = record_path(package_dir, version).relative_to(package_dir).as_posix()
    added = git(package_dir, "log", "--diff-filter=A", "--format=%H", "-1", "--", record).stdout.strip()
    return added if added and not is_shallow_boundary(package_dir, added) else None


def is_shallow(repo):
    return git(repo, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"


def is_shallow_boundary(repo, commit):
    """True for a commit whose parents a shallow clone cut off: every file looks added there."""
    if not is_shallow(repo):
        return False
    shallow = Path(git(repo, "rev-parse", "--path-format=absolute", "--git-path", "shallow").stdout.strip())
    return shallow.is_file() and commit in shallow.read_text(encoding="ascii", errors="replace").split()


def resolve_revision(spec, package_dir):
    """(label, commit) for a version name or any git revision, in the repository holding package_dir."""
    package_dir = Path(package_dir)
    if str(spec).startswith("-"):  # never let a spec reach git as an option
        raise PackageError(f"{spec!r} is not a directory, datapackage.json, zip, released version or git revision")
    top = git_toplevel(package_dir)
    name = version_name(spec)
    if top is None:
        what = "a released version" if name else "a git revision"
        raise PackageError(f"{spec!r} is not a directory, datapackage.json or zip, and {package_dir} is not in a git "
                           f"repository to find it as {what}; pass the release zip instead")
    if name:
        version = latest_version(package_dir) if name == "latest" else name
        return release_commit(package_dir, version)
    commit = commit_of(package_dir, spec)
    if commit is None:
        raise PackageError(f"{spec!r} is not a directory, datapackage.json, zip, released version or git revision in {top}")
    return f"git revision {spec}", commit
