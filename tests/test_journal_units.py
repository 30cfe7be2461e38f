"""dp/journal.py called in this process on a small git repository: what the journal records, how a
cut-off release is finished or undone, which git locks are cleared, and the messages users read."""
import base64
import json
import locale
import os
import subprocess
import threading
import time
import types
from pathlib import PosixPath

import pytest

from dp import journal
from dp.package import PackageError
from conftest import git, sha

VERSION = "1.2.0"
MESSAGE = f"Release {VERSION}"


@pytest.fixture
def repo(tmp_path):
    """A git repository holding a.txt and notes/b.txt, committed once."""
    root = tmp_path / "package"
    (root / "notes").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"a before\n")
    (root / "notes" / "b.txt").write_bytes(b"b before\n")
    (root / ".gitignore").write_text(".release-journal.json\n")
    git(root, "init", "-q")
    git(root, "config", "user.name", "t")
    git(root, "config", "user.email", "t@example.org")
    git(root, "add", ".")
    git(root, "commit", "-qm", "package")
    return root


@pytest.fixture
def ascii_locale():
    """A locale whose text encoding is ASCII (LANG=C on many systems): text opened without an encoding is ASCII."""
    old = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    yield
    locale.setlocale(locale.LC_CTYPE, old)


def begin(root, writes=None, created=(), steps=("commit", "tag"), paths=("a.txt",)):
    writes = {root / "a.txt": "a after\n"} if writes is None else writes
    return journal.begin(root, VERSION, writes, list(created), steps, MESSAGE, list(paths))


def write_all(record, root, writes):
    for path, content in writes.items():
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def released(root):
    """root with its journal begun and a.txt written: the release cut off before its git steps."""
    writes = {root / "a.txt": "a after\n"}
    record = begin(root, writes)
    write_all(record, root, writes)
    return record


def journal_on_disk(root):
    return json.loads((root / ".release-journal.json").read_text(encoding="utf-8"))


# --- begin, read, end ------------------------------------------------------------------------


def test_begin_records_old_bytes_new_hashes_folders_head_and_git_steps_before_anything_is_written(repo):
    new_dir = repo / "dist"
    writes = {repo / "a.txt": "a é after\n", new_dir / "z.bin": b"\x00zip", repo / "notes" / "b.txt": b"b after\n"}
    before = time.time()
    record = journal.begin(repo, VERSION, writes, [new_dir], ("commit", "tag"), MESSAGE, ["a.txt", "notes/b.txt"])
    assert before <= record.pop("started") <= time.time()
    assert record == {
        "version": VERSION, "direction": "forward", "pid": os.getpid(), "pid_start": journal._process_start(os.getpid()),
        "head": git(repo, "rev-parse", "HEAD"), "git": ["commit", "tag"], "message": MESSAGE,
        "commit_paths": ["a.txt", "notes/b.txt"],
        "files": [
            {"path": "a.txt", "after": sha("a é after\n".encode("utf-8")), "before": base64.b64encode(b"a before\n").decode("ascii")},
            {"path": "dist/z.bin", "after": sha(b"\x00zip"), "before": None},
            {"path": "notes/b.txt", "after": sha(b"b after\n"), "before": base64.b64encode(b"b before\n").decode("ascii")},
        ],
        "created_dirs": ["dist"]}
    on_disk = (repo / ".release-journal.json").read_text(encoding="utf-8")
    assert json.loads(on_disk) == dict(record, started=json.loads(on_disk)["started"])
    assert on_disk.startswith('{\n "version": "1.2.0",\n "direction": "forward",\n') and on_disk.endswith("}\n")
    assert (repo / "a.txt").read_bytes() == b"a before\n" and not new_dir.exists()


def test_begin_without_git_steps_records_no_head(repo):
    assert begin(repo, steps=())["head"] is None
    assert journal_on_disk(repo)["git"] == [] and journal_on_disk(repo)["head"] is None


def test_begin_in_a_repository_without_commits_records_an_empty_head(tmp_path):
    git(tmp_path, "init", "-q")
    (tmp_path / "a.txt").write_bytes(b"x")
    assert begin(tmp_path)["head"] == ""


def test_read_gives_none_without_a_journal_and_the_record_with_one(repo):
    assert journal.read(repo) is None
    record = begin(repo)
    assert journal.read(repo) == record
    journal.end(repo)
    assert journal.read(repo) is None and not (repo / ".release-journal.json").exists()
    journal.end(repo)  # ending twice is no error


def test_a_journal_is_read_as_utf8_whatever_the_locale(repo, ascii_locale):
    (repo / ".release-journal.json").write_bytes('{"files": [], "message": "Release café"}'.encode("utf-8"))
    assert journal.read(repo) == {"files": [], "message": "Release café"}


def test_a_folder_in_the_journals_place_is_no_journal(repo):
    (repo / ".release-journal.json").mkdir()
    assert journal.read(repo) is None


@pytest.mark.parametrize("content,reason", [
    (b'["files"]', "not a release journal"),
    (b'{"version": "1.2.0"}', "not a release journal"),
    (b'{"files": {}}', "not a release journal"),
    (b'{"files": [', "Expecting value: line 1 column 12 (char 11)"),
    (b'{"files": [], "v": "\xff"}', "'utf-8' codec can't decode byte 0xff in position 20: invalid start byte"),
])
def test_an_unreadable_journal_is_refused_with_the_way_out(repo, content, reason):
    path = repo / ".release-journal.json"
    path.write_bytes(content)
    with pytest.raises(journal.JournalError) as caught:
        journal.read(repo)
    assert str(caught.value) == f"{path}: unreadable ({reason}); restore the files it lists by hand, then delete it"


# --- processes -------------------------------------------------------------------------------


def test_process_start_is_the_start_time_field_of_proc_stat():
    fields = open(f"/proc/{os.getpid()}/stat").read().rsplit(")", 1)[1].split()
    assert journal._process_start(os.getpid()) == fields[19]  # field 22 of proc(5), starttime
    assert fields[0] in "RSDTt"  # field 3, the state: the split starts right after the command name


def test_a_command_name_holding_a_parenthesis_does_not_shift_the_fields(tmp_path):
    (tmp_path / "x) 1 2 3").symlink_to("/bin/sleep")
    child = subprocess.Popen([str(tmp_path / "x) 1 2 3"), "30"])
    try:
        deadline = time.monotonic() + 5
        while "x) 1 2 3" not in open(f"/proc/{child.pid}/stat").read() and time.monotonic() < deadline:
            time.sleep(0.01)  # until the child runs sleep under its new name
        stat = open(f"/proc/{child.pid}/stat").read()
        assert journal._process_start(child.pid) == stat[stat.index("x) 1 2 3) ") + len("x) 1 2 3) "):].split()[19]
    finally:
        child.kill()
        child.wait()


def finished_pid():
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_process_start_of_a_process_that_ended_is_none():
    assert journal._process_start(finished_pid()) is None


def test_alive_needs_the_same_process_not_only_the_same_pid():
    me, start = os.getpid(), journal._process_start(os.getpid())
    assert journal._alive(me, start) is True
    assert journal._alive(me, str(int(start) + 1)) is False  # a later process that got the same pid
    assert journal._alive(me, None) is False
    assert journal._alive(finished_pid(), None) is False


def test_without_proc_alive_asks_the_kernel_whether_the_pid_exists(monkeypatch):
    monkeypatch.setattr(journal, "Path", lambda path: types.SimpleNamespace(exists=lambda: False))
    assert journal._alive(os.getpid(), None) is True
    assert journal._alive(finished_pid(), "1") is False


# --- git locks -------------------------------------------------------------------------------


def test_lock_files_are_the_index_lock_and_every_next_index_lock(repo):
    git_dir = repo / ".git"
    (git_dir / "next-index-42.lock").write_text("")
    (git_dir / "other.lock").write_text("")
    assert journal._lock_files(repo) == [git_dir / "index.lock", git_dir / "next-index-42.lock"]


def lock(repo, name="index.lock", made=None):
    path = repo / ".git" / name
    path.write_text("")
    if made is not None:
        os.utime(path, (made, made))
    return path


def test_a_lock_made_by_the_release_is_removed_and_others_are_left(repo):
    index, next_index = lock(repo, made=1000.0), lock(repo, "next-index-7.lock", made=5000.0)
    journal.clear_stale_locks(repo, {"started": 1000.0}, in_process=True)
    assert not index.exists() and not next_index.exists()
    assert sorted(p.name for p in (repo / ".git").glob("*.lock")) == []


def test_a_lock_from_up_to_a_second_before_the_journal_counts_as_the_releases(repo):
    index = lock(repo, made=999.0)
    journal.clear_stale_locks(repo, {"started": 1000.0}, in_process=True)
    assert not index.exists()


@pytest.mark.parametrize("name", ["index.lock", "next-index-3.lock"])
def test_a_lock_older_than_the_release_is_someone_elses_and_is_refused(repo, name):
    path = lock(repo, name, made=998.5)
    with pytest.raises(journal.JournalError) as caught:
        journal.clear_stale_locks(repo, {"started": 1000.0}, in_process=True)
    assert str(caught.value) == (f"{path} predates the interrupted release: another git process holds it; "
                                 "when none is running, delete it and run release.py again")
    assert path.exists()


class Clock:
    """A stand-in for the time module: sleeping advances the clock at once, and calls the hook."""

    def __init__(self, on_sleep=lambda: None):
        self.now, self.sleeps, self.on_sleep = 0.0, [], on_sleep

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
        self.on_sleep()


def test_a_lock_is_looked_at_every_tenth_of_a_second_until_its_git_removes_it(repo, monkeypatch):
    path = lock(repo, made=100.0)
    clock = Clock(lambda: len(clock.sleeps) == 3 and path.unlink())
    monkeypatch.setattr(journal, "time", clock)
    journal.clear_stale_locks(repo, {"started": 1000.0}, in_process=False)
    assert clock.sleeps == [0.1, 0.1, 0.1] and not path.exists()


def test_a_lock_is_waited_for_lock_wait_seconds_at_the_most(repo, monkeypatch):
    path = lock(repo, made=1000.0)
    clock = Clock()
    monkeypatch.setattr(journal, "time", clock)
    monkeypatch.setattr(journal, "LOCK_WAIT_SECONDS", 0.2)
    journal.clear_stale_locks(repo, {"started": 1000.0}, in_process=False)
    assert clock.sleeps == [0.1, 0.1] and not path.exists()


class VanishingPath(PosixPath):
    """A file that its owner removes right after it is looked at."""

    def stat(self, **kwargs):
        result = super().stat(**kwargs)
        self.unlink()
        return result

    def glob(self, pattern):
        found = list(super().glob(pattern))
        for path in found:
            path.unlink()
        return iter(found)


def test_a_lock_its_git_removes_right_after_it_was_looked_at_is_no_error(repo, monkeypatch):
    path = lock(repo)
    monkeypatch.setattr(journal, "_lock_files", lambda root: [VanishingPath(path)])
    journal.clear_stale_locks(repo, {"started": 0.0}, in_process=True)
    assert not path.exists()


def test_a_temporary_file_removed_while_the_undo_runs_is_no_error(repo):
    record = begin(repo)
    (repo / ".a.txt.x1.tmp").write_bytes(b"half")
    journal.restore_files(VanishingPath(repo), record)
    assert not (repo / ".a.txt.x1.tmp").exists() and (repo / "a.txt").read_bytes() == b"a before\n"


def test_after_a_kill_a_lock_is_waited_for_while_its_git_may_still_be_finishing(repo, monkeypatch):
    monkeypatch.setattr(journal, "LOCK_WAIT_SECONDS", 0.4)
    path = lock(repo)
    start = time.monotonic()
    journal.clear_stale_locks(repo, {"started": time.time() - 5}, in_process=False)
    assert time.monotonic() - start >= 0.4 and not path.exists()


def test_in_process_a_lock_is_removed_at_once(repo, monkeypatch):
    monkeypatch.setattr(journal, "LOCK_WAIT_SECONDS", 5.0)
    path = lock(repo)
    start = time.monotonic()
    journal.clear_stale_locks(repo, {"started": time.time() - 5}, in_process=True)
    assert time.monotonic() - start < 1.0 and not path.exists()


def test_a_lock_its_git_removes_while_waited_for_is_left_to_it_even_if_old(repo):
    path = lock(repo, made=100.0)
    remover = threading.Timer(0.3, path.unlink)
    remover.start()
    start = time.monotonic()
    journal.clear_stale_locks(repo, {"started": time.time()}, in_process=False)
    remover.join()
    assert time.monotonic() - start < journal.LOCK_WAIT_SECONDS and not path.exists()


def test_checked_gives_gits_output_or_the_error_git_printed(repo):
    assert journal._checked(repo, "rev-parse", "HEAD") == git(repo, "rev-parse", "HEAD")
    with pytest.raises(journal.JournalError) as caught:
        journal._checked(repo, "rev-parse", "--verify", "no-such-commit")
    assert str(caught.value) == "git rev-parse failed: fatal: Needed a single revision"


# --- git steps -------------------------------------------------------------------------------


def test_head_and_tag_commit_are_none_when_absent(tmp_path, repo):
    git(tmp_path, "init", "-q", "empty")
    assert journal._head(tmp_path / "empty") is None
    assert journal._head(repo) == git(repo, "rev-parse", "HEAD")
    assert journal._tag_commit(repo, "v9") is None
    git(repo, "tag", "-a", "v9", "-m", "annotated")
    assert journal._tag_commit(repo, "v9") == git(repo, "rev-parse", "HEAD") != git(repo, "rev-parse", "v9")


def test_the_release_commit_is_a_child_of_head_before_with_the_release_message(repo):
    head = git(repo, "rev-parse", "HEAD")
    record = {"head": head, "message": MESSAGE}
    assert not journal._is_release_commit(repo, record, None)
    assert not journal._is_release_commit(repo, record, "")
    assert not journal._is_release_commit(repo, record, head)
    git(repo, "commit", "-q", "--allow-empty", "-m", "Other")
    assert not journal._is_release_commit(repo, record, git(repo, "rev-parse", "HEAD"))
    git(repo, "reset", "-q", "--hard", head)
    git(repo, "commit", "-q", "--allow-empty", "-m", MESSAGE)
    child = git(repo, "rev-parse", "HEAD")
    assert journal._is_release_commit(repo, record, child)
    git(repo, "commit", "-q", "--allow-empty", "-m", MESSAGE)
    assert not journal._is_release_commit(repo, record, git(repo, "rev-parse", "HEAD"))  # a grandchild
    assert not journal._is_release_commit(repo, {"head": child, "message": MESSAGE}, head)  # the parent of head-before


def test_git_forward_commits_the_listed_paths_and_tags_the_commit(repo):
    head = git(repo, "rev-parse", "HEAD")
    record = released(repo)
    (repo / "notes" / "b.txt").write_bytes(b"edited, not part of the release\n")
    steps = []
    journal.git_forward(repo, record, steps.append)
    assert steps == ["git add", "git commit", "git tag"]
    assert git(repo, "rev-parse", "HEAD^") == head and git(repo, "log", "-1", "--format=%s") == MESSAGE
    assert git(repo, "show", "HEAD:a.txt") == "a after"
    assert git(repo, "status", "--porcelain") == " M notes/b.txt"
    assert git(repo, "rev-parse", f"v{VERSION}^{{commit}}") == git(repo, "rev-parse", "HEAD")
    assert git(repo, "cat-file", "-t", f"v{VERSION}") == "tag"
    assert git(repo, "tag", "-l", "--format=%(contents:subject)", f"v{VERSION}") == MESSAGE


def test_a_file_whose_name_starts_with_a_dash_is_committed_and_unstaged_as_a_path(repo):
    head = git(repo, "rev-parse", "HEAD")
    (repo / "-n.txt").write_bytes(b"dash before\n")
    git(repo, "add", "--", "-n.txt")
    git(repo, "commit", "-qm", "dash")
    head = git(repo, "rev-parse", "HEAD")
    writes = {repo / "-n.txt": "dash after\n"}
    record = begin(repo, writes, paths=["-n.txt"])
    write_all(record, repo, writes)
    journal.git_forward(repo, record)
    assert git(repo, "show", "HEAD:-n.txt") == "dash after" and git(repo, "rev-parse", "HEAD^") == head
    journal.git_back(repo, record)
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == " M -n.txt"


def test_git_forward_repeated_makes_nothing_twice(repo):
    record = released(repo)
    journal.git_forward(repo, record)
    commit, steps = git(repo, "rev-parse", "HEAD"), []
    journal.git_forward(repo, record, steps.append)
    assert steps == [] and git(repo, "rev-parse", "HEAD") == commit and git(repo, "tag") == f"v{VERSION}"


def test_git_forward_after_a_commit_only_tags(repo):
    record = released(repo)
    git(repo, "commit", "-qam", MESSAGE)
    steps = []
    journal.git_forward(repo, record, steps.append)
    assert steps == ["git tag"] and git(repo, "rev-parse", f"v{VERSION}^{{commit}}") == git(repo, "rev-parse", "HEAD")


def test_git_forward_takes_only_the_steps_the_journal_lists(repo):
    head = git(repo, "rev-parse", "HEAD")
    record = dict(released(repo), git=["tag"])
    journal.git_forward(repo, record)
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "rev-parse", f"v{VERSION}^{{commit}}") == head
    record = dict(record, version="1.3.0", git=["commit"])
    journal.git_forward(repo, record)
    assert git(repo, "rev-parse", "HEAD^") == head and git(repo, "tag") == f"v{VERSION}"


def test_git_forward_refuses_when_head_moved_since_the_release_began(repo):
    record = released(repo)
    git(repo, "commit", "-q", "--allow-empty", "-m", "someone else's")
    moved = git(repo, "rev-parse", "HEAD")
    with pytest.raises(journal.JournalError) as caught:
        journal.git_forward(repo, record)
    assert str(caught.value) == (f"HEAD moved to {moved} since the release began at {record['head']}; "
                                 f"check out {record['head']} and run release.py again")
    assert git(repo, "tag") == ""


def test_git_back_removes_the_tag_and_commit_of_the_release_and_unstages_its_paths(repo):
    head = git(repo, "rev-parse", "HEAD")
    record = released(repo)
    journal.git_forward(repo, record)
    journal.git_back(repo, record)
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "tag") == ""
    assert git(repo, "status", "--porcelain") == " M a.txt"  # the file itself is restore_files' to put back


def test_git_back_unstages_a_release_cut_off_after_git_add(repo):
    head = git(repo, "rev-parse", "HEAD")
    record = released(repo)
    git(repo, "add", "a.txt")
    journal.git_back(repo, record)
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "diff", "--cached") == ""


def test_git_back_leaves_staged_changes_to_other_files_staged(repo):
    record = released(repo)
    journal.git_forward(repo, record)
    (repo / "notes" / "b.txt").write_bytes(b"staged by hand\n")
    git(repo, "add", "notes/b.txt")
    journal.git_back(repo, record)
    assert git(repo, "status", "--porcelain") == " M a.txt\nM  notes/b.txt"


def test_git_back_keeps_a_tag_and_commits_the_release_did_not_make(repo):
    record = released(repo)
    git(repo, "tag", "-a", f"v{VERSION}", "-m", "made by hand")
    git(repo, "commit", "-qam", "a commit by hand")
    mine = git(repo, "rev-parse", "HEAD")
    journal.git_back(repo, record)
    assert git(repo, "rev-parse", "HEAD") == mine and git(repo, "tag") == f"v{VERSION}"


def test_git_back_does_nothing_when_the_release_had_no_git_steps(repo):
    record = dict(released(repo), git=[])
    git(repo, "add", "a.txt")
    journal.git_back(repo, record)
    assert git(repo, "status", "--porcelain") == "M  a.txt"


# --- files -----------------------------------------------------------------------------------


def test_all_written_only_when_every_file_holds_its_new_bytes(repo):
    writes = {repo / "a.txt": "a after\n", repo / "new" / "c.txt": b"c\n"}
    record = begin(repo, writes, created=[repo / "new"])
    assert not journal.all_written(repo, record)
    (repo / "a.txt").write_bytes(b"a after\n")
    assert not journal.all_written(repo, record)
    (repo / "new").mkdir()
    (repo / "new" / "c.txt").write_bytes(b"c, other\n")
    assert not journal.all_written(repo, record)
    (repo / "new" / "c.txt").write_bytes(b"c\n")
    assert journal.all_written(repo, record)


def test_restore_files_puts_back_old_bytes_removes_new_files_folders_and_cut_off_temporary_files(repo):
    writes = {repo / "a.txt": "a after\n", repo / "new" / "deep" / "c.txt": b"c\n"}
    record = begin(repo, writes, created=[repo / "new", repo / "new" / "deep"])
    (repo / "new" / "deep").mkdir(parents=True)
    write_all(record, repo, writes)
    for stray in [repo / ".a.txt.x1y2.tmp", repo / "new" / "deep" / ".c.txt.k.tmp"]:
        stray.write_bytes(b"half")
    (repo / "other.tmp").write_bytes(b"kept")
    (repo / ".b.txt.q.tmp").write_bytes(b"kept")
    steps = []
    journal.restore_files(repo, record, steps.append)
    assert steps == ["undo new/deep/c.txt", "undo a.txt"]
    assert (repo / "a.txt").read_bytes() == b"a before\n" and not (repo / "new").exists()
    assert sorted(p.name for p in repo.iterdir()) == [".b.txt.q.tmp", ".git", ".gitignore", ".release-journal.json", "a.txt", "notes", "other.tmp"]


def test_restore_files_leaves_a_created_folder_that_holds_other_files(repo):
    writes = {repo / "new" / "c.txt": b"c\n"}
    record = begin(repo, writes, created=[repo / "new"])
    (repo / "new").mkdir()
    write_all(record, repo, writes)
    (repo / "new" / "mine.txt").write_bytes(b"x")
    journal.restore_files(repo, record)
    assert sorted(p.name for p in (repo / "new").iterdir()) == ["mine.txt"]


def test_restore_files_leaves_untouched_a_file_holding_its_old_bytes(repo):
    record = begin(repo)
    inode = (repo / "a.txt").stat().st_ino
    journal.restore_files(repo, record)
    assert (repo / "a.txt").stat().st_ino == inode and (repo / "a.txt").read_bytes() == b"a before\n"


def test_restore_files_writes_back_a_removed_file(repo):
    record = begin(repo)
    (repo / "a.txt").unlink()
    journal.restore_files(repo, record)
    assert (repo / "a.txt").read_bytes() == b"a before\n"


def test_edited_since_lists_files_holding_neither_old_nor_new_bytes(repo):
    writes = {repo / "a.txt": "a after\n", repo / "notes" / "b.txt": "b after\n", repo / "c.txt": "c\n", repo / "d.txt": "d\n"}
    record = begin(repo, writes)
    (repo / "notes" / "b.txt").write_bytes(b"b after\n")
    (repo / "c.txt").write_bytes(b"c by hand\n")
    assert journal.edited_since(repo, record) == ["c.txt"]
    (repo / "a.txt").write_bytes(b"a by hand\n")
    assert journal.edited_since(repo, record) == ["a.txt", "c.txt"]


# --- undo and settle -------------------------------------------------------------------------


def test_undo_refuses_to_overwrite_a_file_edited_since_the_cut(repo):
    record = released(repo)
    (repo / "a.txt").write_bytes(b"edited by hand\n")
    before = (repo / ".release-journal.json").read_bytes()
    with pytest.raises(journal.JournalError) as caught:
        journal.undo(repo, record, in_process=False)
    assert str(caught.value) == (
        "a.txt changed since the release of 1.2.0 was cut off, so it is not undone by itself: copy your changes "
        "elsewhere and delete those files, then run release.py again, which puts them back as they were before the release")
    assert (repo / "a.txt").read_bytes() == b"edited by hand\n" and (repo / ".release-journal.json").read_bytes() == before


def test_undo_in_process_puts_back_even_a_differing_file(repo):
    record = released(repo)
    (repo / "a.txt").write_bytes(b"half written\n")
    journal.undo(repo, record, in_process=True)
    assert (repo / "a.txt").read_bytes() == b"a before\n" and not (repo / ".release-journal.json").exists()


def test_undo_marks_the_journal_undo_before_it_changes_anything(repo, monkeypatch):
    head = git(repo, "rev-parse", "HEAD")
    record = released(repo)
    journal.git_forward(repo, record)
    lock(repo)
    clock = Clock()
    monkeypatch.setattr(journal, "time", clock)
    seen = []
    journal.undo(repo, record, in_process=True, step=lambda name: seen.append((name, (repo / ".release-journal.json").read_text())))
    assert seen == [("undo a.txt", json.dumps(dict(record, direction="undo"), indent=1) + "\n")] and record["direction"] == "forward"
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "tag") == "" and git(repo, "status", "--porcelain") == ""
    assert not (repo / ".git" / "index.lock").exists() and not (repo / ".release-journal.json").exists()
    assert clock.sleeps == []  # in the process of the release, no git of its own can still be running


def test_undo_of_an_undo_leaves_its_journal_as_it_is(repo):
    record = dict(released(repo), direction="undo", git=[])
    (repo / ".release-journal.json").write_text("as written\n")
    seen = []
    journal.undo(repo, record, in_process=False, step=lambda name: seen.append((repo / ".release-journal.json").read_text()))
    assert seen == ["as written\n"] and (repo / "a.txt").read_bytes() == b"a before\n"


def test_undo_without_git_steps_leaves_git_and_its_locks_alone(repo):
    record = dict(released(repo), git=[])
    git(repo, "add", "a.txt")
    index_lock = lock(repo, made=100.0)  # someone else's: refused if looked at
    journal.undo(repo, record, in_process=False)
    index_lock.unlink()
    assert git(repo, "status", "--porcelain") == "MM a.txt" and (repo / "a.txt").read_bytes() == b"a before\n"


def test_settle_without_a_journal_does_nothing(repo):
    assert journal.settle(repo) is None


def test_settle_finishes_a_release_whose_files_were_all_written(repo):
    head = git(repo, "rev-parse", "HEAD")
    released(repo)
    assert journal.settle(repo) == "finished the interrupted release of 1.2.0"
    assert git(repo, "rev-parse", "HEAD^") == head and git(repo, "tag") == f"v{VERSION}"
    assert (repo / "a.txt").read_bytes() == b"a after\n" and not (repo / ".release-journal.json").exists()


def test_settle_finishes_a_release_without_git_and_leaves_git_alone(repo):
    head = git(repo, "rev-parse", "HEAD")
    writes = {repo / "a.txt": "a after\n"}
    write_all(begin(repo, writes, steps=()), repo, writes)
    lock(repo, made=100.0)
    assert journal.settle(repo) == "finished the interrupted release of 1.2.0"
    assert git(repo, "rev-parse", "HEAD") == head and (repo / "a.txt").read_bytes() == b"a after\n"


def test_settle_undoes_a_release_cut_off_before_its_last_file(repo):
    writes = {repo / "a.txt": "a after\n", repo / "notes" / "b.txt": "b after\n", repo / "dist" / "z.zip": b"never written"}
    begin(repo, writes, created=[repo / "dist"])
    (repo / "a.txt").write_bytes(b"a after\n")
    assert journal.settle(repo) == "undid the interrupted release of 1.2.0: every file is as it was before it"
    assert (repo / "a.txt").read_bytes() == b"a before\n" and git(repo, "status", "--porcelain") == ""
    assert not (repo / ".release-journal.json").exists() and not (repo / "dist").exists()


def test_settle_undoes_an_undo_even_when_every_file_holds_its_new_bytes(repo):
    released(repo)
    journal_file = repo / ".release-journal.json"
    journal_file.write_text(json.dumps(dict(journal_on_disk(repo), direction="undo")))
    assert journal.settle(repo) == "undid the interrupted release of 1.2.0: every file is as it was before it"
    assert (repo / "a.txt").read_bytes() == b"a before\n"


def test_settle_leaves_a_file_edited_since_the_cut_and_the_journal_as_they_are(repo):
    writes = {repo / "a.txt": "a after\n", repo / "notes" / "b.txt": "b after\n"}
    begin(repo, writes)
    (repo / "a.txt").write_bytes(b"edited by hand\n")
    with pytest.raises(journal.JournalError, match="^a.txt changed since the release of 1.2.0 was cut off"):
        journal.settle(repo)
    assert (repo / "a.txt").read_bytes() == b"edited by hand\n" and journal_on_disk(repo)["direction"] == "forward"


def test_settle_waits_for_a_release_still_running_in_another_process(repo):
    released(repo)
    other = subprocess.Popen(["sleep", "30"])
    try:
        journal_file = repo / ".release-journal.json"
        journal_file.write_text(json.dumps(dict(journal_on_disk(repo), pid=other.pid, pid_start=journal._process_start(other.pid))))
        with pytest.raises(journal.JournalError) as caught:
            journal.settle(repo)
    finally:
        other.kill()
        other.wait()
    assert str(caught.value) == (f"a release of 1.2.0 is running (process {other.pid}); "
                                 "wait for it, or if there is none, run release.py again in a moment")
    assert journal_file.exists() and (repo / "a.txt").read_bytes() == b"a after\n"


def test_settle_takes_over_the_journal_of_a_release_that_died(repo):
    released(repo)
    journal_file = repo / ".release-journal.json"
    journal_file.write_text(json.dumps(dict(journal_on_disk(repo), pid=finished_pid(), pid_start="1")))
    assert journal.settle(repo) == "finished the interrupted release of 1.2.0"


def test_settle_reports_a_file_it_cannot_put_back(repo):
    (repo / "blocker").write_bytes(b"a file where a folder was\n")
    record = begin(repo)
    record["files"].append({"path": "blocker/c.txt", "after": sha(b"c"), "before": base64.b64encode(b"old c").decode("ascii")})
    (repo / ".release-journal.json").write_text(json.dumps(record))
    with pytest.raises(journal.JournalError) as caught:
        journal.settle(repo)
    assert str(caught.value) == ("cannot settle the interrupted release of 1.2.0: "
                                 f"[Errno 20] Not a directory: '{repo / 'blocker' / 'c.txt'}'")


def test_settle_reports_a_package_error_on_the_way(repo, monkeypatch):
    released(repo)

    def unreadable(root, record):
        raise PackageError("a.txt: unreadable")
    monkeypatch.setattr(journal, "all_written", unreadable)
    with pytest.raises(journal.JournalError) as caught:
        journal.settle(repo)
    assert str(caught.value) == "cannot settle the interrupted release of 1.2.0: a.txt: unreadable"


def test_settle_waits_for_a_lock_whose_git_is_still_finishing_before_it_finishes_the_release(repo):
    head = git(repo, "rev-parse", "HEAD")
    released(repo)
    path = lock(repo, made=100.0)  # older than the journal: were it still there after the wait, it would be refused
    remover = threading.Timer(0.3, path.unlink)
    remover.start()
    assert journal.settle(repo) == "finished the interrupted release of 1.2.0"
    remover.join()
    assert git(repo, "rev-parse", "HEAD^") == head and git(repo, "tag") == f"v{VERSION}"
