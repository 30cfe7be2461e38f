"""The release journal: how a release cut off at any instant, even by SIGKILL, is finished or undone.

Before the release changes anything, it writes .release-journal.json in the package root (atomically,
then fsync'd): the version, every file it will write with the bytes it had before (or that it did
not exist) and the sha256 of its new bytes, the folders it will create, HEAD before, and the git
steps it plans (commit, tag). Only then are the files written, the commit made and the tag set; the
journal is removed last. Whatever instant the release stops at, the journal and the tree say how far
it got, and the next run of release.py settles it before doing anything else:

- finish: every file holds its new bytes, and the release was not being undone. The commit is made
  unless HEAD already is the release commit, the tag set unless it exists; then the journal goes.
- undo: anything else. A release commit on HEAD that was made by this release is reset away (and its
  tag, if any, deleted), the index is put back, every file gets its old bytes again, the folders
  made for the release are removed if empty, and stray temporary files go; the journal goes last.

Undoing first marks the journal "undo", so an undo that is itself cut off is undone again, never
finished. A git index.lock left by a git process that died with the release is removed only when it
was made after the journal and no process of the release is alive.
"""
import base64
import json
import os
import time
from pathlib import Path

from dp.revisions import git
from dp.package import PackageError, atomic_write, sha256_bytes, sha256_of
from dp.releases import JOURNAL
LOCK_WAIT_SECONDS = 3.0


class JournalError(Exception):
    """An interrupted release cannot be settled automatically."""


def journal_path(root):
    return Path(root) / JOURNAL


def _process_start(pid):
    """A token that tells a process from a later one with the same pid (Linux: its start time)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(pid, start):
    if Path("/proc/self/stat").exists():
        return start is not None and _process_start(pid) == start
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def _write_durably(path, data):
    atomic_write(path, data)
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def begin(root, version, writes, created_dirs, git_steps, message, commit_paths):
    """Record the release before any file changes; writes is {path: new content}, commit_paths relative."""
    root = Path(root)
    files = []
    for path, content in writes.items():
        new = content.encode("utf-8") if isinstance(content, str) else content
        old = path.read_bytes() if path.is_file() else None
        files.append({"path": path.relative_to(root).as_posix(), "after": sha256_bytes(new),
                      "before": None if old is None else base64.b64encode(old).decode("ascii")})
    head = git(root, "rev-parse", "--verify", "--quiet", "HEAD").stdout.strip() if git_steps else None
    record = {"version": version, "direction": "forward", "pid": os.getpid(), "pid_start": _process_start(os.getpid()),
              "started": time.time(), "head": head, "git": list(git_steps), "message": message, "commit_paths": list(commit_paths),
              "files": files, "created_dirs": [d.relative_to(root).as_posix() for d in created_dirs]}
    _write_durably(journal_path(root), json.dumps(record, indent=1) + "\n")
    return record


def read(root):
    """The journal of an interrupted release at root, or None."""
    path = journal_path(root)
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or not isinstance(record.get("files"), list):
            raise ValueError("not a release journal")
        return record
    except (ValueError, UnicodeDecodeError) as err:
        raise JournalError(f"{path}: unreadable ({err}); restore the files it lists by hand, then delete it") from None


def end(root):
    path = journal_path(root)
    path.unlink(missing_ok=True)


# --- git -------------------------------------------------------------------------------------


def _checked(root, *args):
    result = git(root, *args)
    if result.returncode != 0:
        raise JournalError(f"git {args[0]} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def _lock_files(root):
    git_dir = Path(_checked(root, "rev-parse", "--absolute-git-dir"))
    return [git_dir / "index.lock", *git_dir.glob("next-index-*.lock")]


def clear_stale_locks(root, record, in_process):
    """Remove git locks left by a git process that died with this release; refuse anyone else's."""
    for lock in _lock_files(root):
        if not lock.exists():
            continue
        if not in_process:  # a git child of a killed release may still be finishing
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while lock.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        try:
            made = lock.stat().st_mtime
        except FileNotFoundError:
            continue
        if made + 1 < record["started"]:
            raise JournalError(f"{lock} predates the interrupted release: another git process holds it; "
                               "when none is running, delete it and run release.py again")
        lock.unlink(missing_ok=True)


def _head(root):
    return git(root, "rev-parse", "--verify", "--quiet", "HEAD").stdout.strip() or None


def _tag_commit(root, tag):
    return git(root, "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}").stdout.strip() or None


def _is_release_commit(root, record, commit):
    """Whether commit is the one this release made: a child of HEAD-before, with the release message."""
    if not commit or commit == record["head"]:
        return False
    parent = git(root, "rev-parse", "--verify", "--quiet", f"{commit}^").stdout.strip()
    subject = git(root, "log", "-1", "--format=%s", commit).stdout.strip()
    return parent == record["head"] and subject == record["message"]


def git_forward(root, record, step=lambda name: None):
    """Commit (unless HEAD already is the release commit) and tag (unless the tag exists): safe to repeat."""
    tag, head, paths = f"v{record['version']}", _head(root), record["commit_paths"]
    if "commit" in record["git"] and not _is_release_commit(root, record, head):
        if head != record["head"]:
            raise JournalError(f"HEAD moved to {head} since the release began at {record['head']}; "
                               f"check out {record['head']} and run release.py again")
        step("git add")
        _checked(root, "add", "--", *paths)
        step("git commit")
        _checked(root, "commit", "-q", "-m", record["message"], "--", *paths)
    if "tag" in record["git"] and _tag_commit(root, tag) is None:
        step("git tag")
        _checked(root, "tag", "-a", tag, "-m", record["message"])


def git_back(root, record):
    """Remove this release's tag and commit, if made, and put the index back."""
    if not record["git"]:
        return
    tag, head = f"v{record['version']}", _head(root)
    if _tag_commit(root, tag) and _is_release_commit(root, record, _tag_commit(root, tag)):
        _checked(root, "tag", "-d", tag)
    if _is_release_commit(root, record, head):
        _checked(root, "reset", "-q", "--soft", record["head"])
    _checked(root, "reset", "-q", "--", *record["commit_paths"])


# --- files -----------------------------------------------------------------------------------


def all_written(root, record):
    return all((Path(root) / f["path"]).is_file() and sha256_of(Path(root) / f["path"]) == f["after"] for f in record["files"])


def restore_files(root, record, step=lambda name: None):
    root = Path(root)
    for entry in reversed(record["files"]):
        path = root / entry["path"]
        step(f"undo {entry['path']}")
        if entry["before"] is None:
            path.unlink(missing_ok=True)
        else:
            old = base64.b64decode(entry["before"])
            if not path.is_file() or path.read_bytes() != old:
                atomic_write(path, old)
        if path.parent.is_dir():
            for tmp in path.parent.glob(f".{path.name}.*.tmp"):  # an atomic write cut off before its rename
                tmp.unlink(missing_ok=True)
    for folder in reversed(record["created_dirs"]):
        folder = root / folder
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def edited_since(root, record):
    """Files that hold neither their old nor their new bytes: edited by hand since the release was cut off."""
    edited = []
    for entry in record["files"]:
        path = Path(root) / entry["path"]
        old = None if entry["before"] is None else sha256_bytes(base64.b64decode(entry["before"]))
        if path.is_file() and sha256_of(path) not in (entry["after"], old):
            edited.append(entry["path"])
    return edited


def undo(root, record, in_process, step=lambda name: None):
    """Put the package and git back as they were before the release; safe to repeat."""
    edited = [] if in_process else edited_since(root, record)
    if edited:
        raise JournalError(f"{', '.join(edited)} changed since the release of {record['version']} was cut off, so it is "
                           "not undone by itself: copy your changes elsewhere and delete those files, then run release.py "
                           "again, which puts them back as they were before the release")
    if record["direction"] != "undo":
        record = dict(record, direction="undo")
        _write_durably(journal_path(root), json.dumps(record, indent=1) + "\n")
    if record["git"]:
        clear_stale_locks(root, record, in_process)
        git_back(root, record)
    restore_files(root, record, step)
    end(root)


def settle(root):
    """Finish or undo an interrupted release at root; returns what was done, or None if there was none."""
    record = read(root)
    if record is None:
        return None
    if record.get("pid") != os.getpid() and _alive(record.get("pid"), record.get("pid_start")):
        raise JournalError(f"a release of {record['version']} is running (process {record['pid']}); "
                           f"wait for it, or if there is none, run release.py again in a moment")
    try:
        if record["direction"] == "forward" and all_written(root, record):
            if record["git"]:
                clear_stale_locks(root, record, in_process=False)
                git_forward(root, record)
            end(root)
            return f"finished the interrupted release of {record['version']}"
        undo(root, record, in_process=False)
    except (OSError, PackageError) as err:
        raise JournalError(f"cannot settle the interrupted release of {record['version']}: {err}") from None
    return f"undid the interrupted release of {record['version']}: every file is as it was before it"
