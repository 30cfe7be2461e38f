"""Work handed to forked child processes, so that the checks of a large package use every core.

Python runs one regular expression at a time in a process, and the quote checks of a package with
a million distinct quotes are mostly regular expressions. A forked child starts with everything this
process has read, with no copy and no new imports, and sends its answer back pickled through a
pipe. The work is forked only on Linux; elsewhere it runs in this process when its answer is asked
for. A child is killed when this process ends, and when the answer is no longer wanted, so an
interrupted or failed validation leaves no process behind.
"""
import gc
import os
import pickle
import select
import signal
import sys
import threading
import time
from contextlib import contextmanager

PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
POLL_SECONDS = 1
STALL_SECONDS = 60


class ChildFailed(RuntimeError):
    """A child process gave no answer: it raised, or it was killed."""


def can_fork():
    """True where a child can be forked and waited for: Linux, with SIGCHLD not ignored (where it
    is, the kernel reaps a child at once, and its number could be another process's by the time
    it is waited for or killed)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and signal.getsignal(signal.SIGCHLD) != signal.SIG_IGN


class Forked:
    """function(*args), run in a forked child from the start (or here, at answer(), where there is no fork).

    Use it as a context manager: leaving the block kills a child whose answer was not taken.
    """

    def __init__(self, function, *args, fork=True, started=None):
        """started: a list this call is put on as soon as it has a child, before a held-back signal
        can interrupt anything, so that whoever cancels the list's calls reaches this child too."""
        self._work = function, args
        self._pid = self._read_end = None
        if fork and can_fork():
            try:
                self._fork(started if started is not None else [])
            except OSError:  # no process or pipe to be had: the work runs here instead
                self.cancel()
            except BaseException:  # a signal that waited for the fork to end: no child is left behind
                self.cancel()
                raise

    def _fork(self, started):
        parent = os.getpid()
        read_end, write_end = os.pipe()
        self._read_end = read_end  # from here on, cancel() closes it
        with _stop_signals_held() as (mask, ignored):
            try:
                pid = os.fork()
            except OSError:
                os.close(write_end)
                raise
            if pid == 0:  # the child: it never returns from here
                os.close(read_end)
                _answer_and_exit(*self._work, write_end, parent, mask, ignored)
            os.close(write_end)
            self._pid = pid
            started.append(self)

    def answer(self):
        """The value of function(*args); ChildFailed if a child could not give it."""
        if self._pid is None:
            function, args = self._work
            return function(*args)
        try:
            data = self._read_answer()
        except BaseException:
            self.cancel()
            raise
        status = self._reap()
        if not data:
            raise ChildFailed(f"the child process ended without an answer ({_ending(status)})")
        try:
            ok, value = pickle.loads(data)  # written by our own child, above
        except Exception:  # noqa: BLE001 - the child ended part way through writing it
            raise ChildFailed(f"the child process's answer was cut short ({_ending(status)})") from None
        if not ok:
            raise ChildFailed(value)
        return value

    def _read_answer(self):
        """Everything the child writes, to its end; ChildFailed if it stops working without ending.

        A child that is neither writing nor using the CPU for STALL_SECONDS is stuck (say, on a
        lock that another thread of its parent held at the fork), and validation must not hang.
        """
        chunks, poll = [], select.poll()
        poll.register(self._read_end, select.POLLIN)
        cpu, since = None, time.monotonic()
        while True:
            if poll.poll(POLL_SECONDS * 1000):
                chunk = os.read(self._read_end, 1 << 20)
                if not chunk:
                    os.close(self._take_read_end())
                    return b"".join(chunks)
                chunks.append(chunk)
                since = time.monotonic()
                continue
            ticks = _cpu_ticks(self._pid)
            if ticks != cpu:
                cpu, since = ticks, time.monotonic()
            elif time.monotonic() - since > STALL_SECONDS:
                raise ChildFailed(f"the child process did no work for {STALL_SECONDS:g} s and was stopped")

    def cancel(self):
        """Kill the child, if it still runs, and wait for it to be gone."""
        if self._read_end is not None:
            os.close(self._take_read_end())
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()

    def _take_read_end(self):
        read_end, self._read_end = self._read_end, None
        return read_end

    def _reap(self):
        """The child's wait status, once it has ended; None if something else reaped it first."""
        pid, self._pid = self._pid, None
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cancel()
        return False


@contextmanager
def forked_all(calls, fork=True):
    """A Forked for each (function, *args) of calls; leaving the block kills every child still running,
    even one whose Forked an interrupt cut off before it was returned."""
    started = []
    try:
        yield [Forked(*call, fork=fork, started=started) for call in calls]
    finally:
        for call in started:
            call.cancel()


def cores():
    """How many cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@contextmanager
def _stop_signals_held():
    """Hold the stop signals back until the block ends, then let them act as they would have.

    The block forks, and learns and records its child: a signal handled in between (a Ctrl-C as
    KeyboardInterrupt) would lose the child. This thread blocks them; another thread of the
    process may still take one, so in the main thread, where Python runs its handlers, each is
    only noted until the end. Yields the mask to restore in a child, and the signals ignored here.
    """
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    ignored = {stop for stop in STOP_SIGNALS if signal.getsignal(stop) == signal.SIG_IGN}
    noted, handlers = [], {}
    if threading.current_thread() is threading.main_thread():
        handlers = {stop: handler for stop in STOP_SIGNALS if (handler := signal.getsignal(stop)) is not None}  # None: set outside Python
        for stop in handlers:
            signal.signal(stop, lambda number, frame: noted.append(number))
    try:
        yield mask, ignored
    finally:
        for stop, handler in handlers.items():
            signal.signal(stop, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for number in noted:
            signal.raise_signal(number)


def _answer_and_exit(function, args, write_end, parent, mask, ignored):
    status = 1
    try:
        # A collection would write to every object this child shares with its parent, and so copy
        # the page it lies on: the child leaves its inherited objects, and its own, to the exit.
        gc.freeze()
        gc.disable()
        for stop in STOP_SIGNALS:  # a handler of the parent's (a release undoing itself) must never run in a child
            signal.signal(stop, signal.SIG_IGN if stop in ignored else signal.SIG_DFL)  # an ignored one stays ignored
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _die_with(parent)
        try:
            payload = pickle.dumps((True, function(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as err:  # noqa: BLE001 - the parent reports it; the child must only exit
            payload = pickle.dumps((False, f"{type(err).__name__}: {err}"))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        status = 0
    finally:
        os._exit(status)  # no atexit handlers, no flushing of the parent's buffered output


def _die_with(parent):
    """Have the kernel kill this child when its parent ends; exit now if it already has."""
    import ctypes  # here: only a child needs it, and validating a small package forks none

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _cpu_ticks(pid):
    """The user and system CPU time a process has used, in clock ticks (/proc/PID/stat); None if unknown."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def _ending(status):
    if status is None:
        return "its exit status is unknown"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"killed by signal {signal.Signals(number).name}"
        except ValueError:
            return f"killed by signal {number}"
    return f"exit code {os.WEXITSTATUS(status)}"
