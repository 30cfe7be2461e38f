"""The content of the last release, found and checked against its record (releases/<version>.json).

release.py computes the bump against it. It is read from the first of: --since,
dist/<name>-<version>.zip, the git tag v<version>, the commit that added releases/<version>.json.
Each, --since included, must match the release record: a baseline that is not the release would
let a change through at the wrong level.
"""
from dp.diff import read_snapshot
from dp.dist import DIST, zip_name
from dp.package import PackageError
from dp.releases import read_record, record_mismatches
from dp.revisions import commit_of, git_toplevel, is_shallow, recording_commit
from dp.source import open_package


def find_baseline(root, last, since):
    """(where it was read, Snapshot) of the last release's content."""
    record = read_record(root, last)
    if since:
        snapshot = _load_checked(since, root, record)
        if snapshot is None:
            raise PackageError(f"--since {since} does not hold release {last}: {_mismatch_text(since, root, record)} "
                               f"differ(s) from releases/{last}.json; pass the release's zip, tag or commit")
        return since, snapshot
    for label, spec in baseline_candidates(root, record, last):
        try:
            snapshot = _load_checked(spec, root, record)
        except PackageError:
            continue
        if snapshot is not None:
            return label, snapshot
    shallow = "; this clone is shallow: run 'git fetch --unshallow'" if git_toplevel(root) and is_shallow(root) else ""
    raise PackageError(f"cannot find the content of release {last}: no dist zip, git tag v{last} or commit of "
                       f"releases/{last}.json matches releases/{last}.json{shallow}; "
                       "pass --since with a folder, zip or git revision holding it")


def _mismatches(view, record):
    return record_mismatches(record, view.descriptor(), view.root)


def _mismatch_text(spec, root, record):
    with open_package(spec, root) as view:
        return ", ".join(what for _, what in _mismatches(view, record))


def _load_checked(spec, root, record):
    """The snapshot at spec, or None when it differs from record."""
    with open_package(spec, root) as view:
        if record is not None and _mismatches(view, record):
            return None
        return read_snapshot(view)


def baseline_candidates(root, record, last):
    dist_zip = root / DIST / zip_name(record.get("name"), last)
    if dist_zip.is_file():
        yield f"{DIST}/{dist_zip.name}", str(dist_zip)
    if git_toplevel(root) is None:
        return
    if commit_of(root, f"refs/tags/v{last}"):
        yield f"git tag v{last}", f"refs/tags/v{last}"
    added = recording_commit(root, last)
    if added:
        yield f"git commit {added[:12]}", added
