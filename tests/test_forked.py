"""Work in forked children: the answer comes back, a failure is an error that says why, and no
child outlives the block, the parent, or a failure."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import contextmanager

import pytest

from conftest import ROOT
from dp import forked

pytestmark = pytest.mark.skipif(not forked.can_fork(), reason="work is forked on Linux only")


def gone(pid, within=5.0):
    """True once pid is no process at all, or a zombie (it has ended), within `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False


def assert_waited_for(pid):
    """pid is no child of this process any more: it was waited for, so no zombie is left either."""
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


@contextmanager
def handled(number, handler):
    """Signal number goes to handler while the block runs."""
    previous = signal.signal(number, handler)
    try:
        yield
    finally:
        signal.signal(number, previous)


@contextmanager
def alarm(seconds, handler):
    """handler runs once, seconds into the block, unless the block has ended."""
    with handled(signal.SIGALRM, handler):
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)


def pid_and_value(value):
    return os.getpid(), value


def test_the_answer_comes_from_another_process():
    with forked.Forked(pid_and_value, {"rows": [1, 2]}) as call:
        pid, value = call.answer()
    assert pid != os.getpid() and value == {"rows": [1, 2]}


def test_without_a_fork_the_work_runs_here_when_asked():
    call = forked.Forked(pid_and_value, 3, fork=False)
    assert call.answer() == (os.getpid(), 3)


def test_the_work_runs_here_when_no_process_can_be_made(monkeypatch):
    def refuse():
        raise BlockingIOError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(os, "fork", refuse)
    with forked.Forked(pid_and_value, 4) as call:
        assert call.answer() == (os.getpid(), 4)


def fail(message):
    raise ValueError(message)


def test_an_error_in_the_child_is_raised_here_with_its_message():
    with forked.Forked(fail, "no such quote") as call, pytest.raises(forked.ChildFailed, match="ValueError: no such quote"):
        call.answer()


def kill_myself():
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_child_killed_before_it_answers_is_an_error_that_names_the_signal():
    with forked.Forked(kill_myself) as call, pytest.raises(forked.ChildFailed, match="ended without an answer .killed by signal SIGKILL"):
        call.answer()


def test_a_child_that_exits_without_an_answer_names_its_exit_code():
    with forked.Forked(os._exit, 3) as call, pytest.raises(forked.ChildFailed, match="exit code 3"):
        call.answer()


def sleep_and_tell(seconds):
    time.sleep(seconds)
    return "slept"


def test_leaving_the_block_kills_a_child_whose_answer_was_not_taken():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="the parent failed"):
        with forked.forked_all([(sleep_and_tell, 60), (sleep_and_tell, 60)]) as calls:
            pids = [call._pid for call in calls]
            raise RuntimeError("the parent failed")
    assert all(pids) and time.monotonic() - start < 10
    for pid in pids:
        assert_waited_for(pid)


def test_every_answer_of_several_children_comes_back_in_order():
    with forked.forked_all([(pid_and_value, n) for n in range(3)]) as calls:
        answers = [call.answer() for call in calls]
    assert [value for _, value in answers] == [0, 1, 2] and len({pid for pid, _ in answers}) == 3


def test_a_child_dies_with_its_parent(tmp_path):
    """A parent killed while its child works (a validation stopped by SIGKILL) takes the child with it."""
    script = textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT / "scripts")!r})
        from dp import forked
        call = forked.Forked(time.sleep, 60)
        print(call._pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert not gone(child, within=0.2)
        parent.kill()
        parent.wait(timeout=10)
        assert gone(child), f"child {child} outlived its parent"
    finally:
        parent.kill()
        parent.stdout.close()


def test_a_signal_handler_of_the_parent_never_runs_in_a_child(tmp_path):
    ran = tmp_path / "handler-ran"
    with handled(signal.SIGTERM, lambda *_: ran.write_text("ran")):
        with forked.Forked(sleep_and_tell, 60) as call:
            os.kill(call._pid, signal.SIGTERM)
            with pytest.raises(forked.ChildFailed, match="killed by signal SIGTERM"):
                call.answer()
    assert not ran.exists()


def test_an_answer_cut_short_is_an_error_that_says_so(monkeypatch):
    monkeypatch.setattr(forked.pickle, "dumps", lambda *args, **kwargs: b"\x80\x05")  # the start of a pickle, and no more
    with forked.Forked(pid_and_value, 5) as call, pytest.raises(forked.ChildFailed, match="cut short .exit code 0"):
        call.answer()


def test_an_interrupt_while_waiting_for_the_answer_is_raised_as_it_is_and_leaves_no_child():
    with alarm(0.2, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt())), pytest.raises(KeyboardInterrupt):
        with forked.Forked(sleep_and_tell, 60) as call:
            pid = call._pid
            call.answer()
    assert_waited_for(pid)


def test_an_interrupt_held_back_across_the_fork_leaves_no_child(monkeypatch):
    """The signal comes as the fork returns. The forking thread holds it back, but another thread
    of the process takes it (as pyarrow's would), so Python would raise it at once: it is only
    noted until the child is known."""
    fork, pids, other_thread_waits = os.fork, [], threading.Event()

    def fork_then_interrupt():
        pid = fork()
        if pid:
            pids.append(pid)
            os.kill(os.getpid(), signal.SIGINT)
        return pid
    other = threading.Thread(target=other_thread_waits.wait, daemon=True)
    other.start()
    monkeypatch.setattr(os, "fork", fork_then_interrupt)
    try:
        with pytest.raises(KeyboardInterrupt):
            with forked.forked_all([(sleep_and_tell, 60)]):
                pass
    finally:
        other_thread_waits.set()
    assert_waited_for(pids[0])


def test_where_sigchld_is_ignored_the_work_runs_here():
    with handled(signal.SIGCHLD, signal.SIG_IGN):
        assert forked.Forked(pid_and_value, 6).answer() == (os.getpid(), 6)


def test_a_signal_the_parent_ignores_stays_ignored_in_a_child():
    with handled(signal.SIGHUP, signal.SIG_IGN), forked.Forked(sleep_and_tell, 0.5) as call:
        os.kill(call._pid, signal.SIGHUP)
        assert call.answer() == "slept"


def stuck():
    lock = threading.Lock()
    lock.acquire()
    lock.acquire()  # as a lock held by a thread that the fork left behind would be


def test_a_child_that_is_stuck_is_stopped_and_named(monkeypatch):
    monkeypatch.setattr(forked, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(forked, "STALL_SECONDS", 0.5)
    with alarm(20, lambda *_: pytest.fail("still waiting for a stuck child after 20 s")):
        with forked.Forked(stuck) as call, pytest.raises(forked.ChildFailed, match="did no work for 0.5 s and was stopped"):
            pid = call._pid
            call.answer()
    assert_waited_for(pid)


def busy(seconds):
    end = time.monotonic() + seconds  # read without a system call: the child's time is all user time
    while time.monotonic() < end:
        pass
    return "done"


def test_a_child_at_work_is_never_stopped_however_long_it_takes(monkeypatch):
    monkeypatch.setattr(forked, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(forked, "STALL_SECONDS", 1.0)
    with forked.Forked(busy, 2.0) as call:
        assert call.answer() == "done"


def test_an_interrupt_right_after_a_child_is_started_leaves_no_child(monkeypatch):
    """The signal, let through at the end of the fork, may land once Forked is built but before
    the block has it: the child is on the started list by then."""
    build, built = forked.Forked.__init__, []

    def built_then_interrupted(self, *args, **kwargs):
        build(self, *args, **kwargs)
        built.append(self._pid)
        raise KeyboardInterrupt
    monkeypatch.setattr(forked.Forked, "__init__", built_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        with forked.forked_all([(sleep_and_tell, 60)]):
            pass
    assert built[0]
    assert_waited_for(built[0])


def test_an_answer_of_many_megabytes_comes_back_whole():
    answer = bytes(range(256)) * (3 << 12)  # 3 MB: read in several chunks
    with forked.Forked(bytes, answer) as call:
        assert call.answer() == answer


def test_the_cores_are_those_this_process_may_run_on():
    assert forked.cores() == len(os.sched_getaffinity(0)) >= 1
