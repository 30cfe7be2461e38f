"""Run a script of scripts/ as its own process, without paying for its imports each time.

Each run is a fresh process, with its own arguments, folder, environment, standard output and
error, and exit code (or the signal that ended it), as from the command line. It is forked from
a server process that has already imported the libraries every script imports (about 2 s of
every run otherwise), so it starts with them imported; nothing else is shared with other runs.
"""
import multiprocessing
import os
import runpy
import subprocess
import sys
import tempfile

PRELOAD = ["__main__", "pandas", "pyarrow.compute", "pandera.pandas", "frictionless", "dp.check", "dp.release"]
TIMEOUT_S = 600

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(PRELOAD)


def _run(script, args, cwd, env, out_path, err_path, prepare, module):
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out_path), (2, err_path)):
        os.dup2(os.open(path, os.O_WRONLY | os.O_TRUNC), fd)
    sys.argv = [script, *args]
    if prepare is not None:
        prepare()
    if module:
        runpy.run_module(script, run_name="__main__", alter_sys=True)
    else:
        sys.path.insert(0, os.path.dirname(script))  # as `python scripts/x.py` puts scripts/ first
        runpy.run_path(script, run_name="__main__")


def run(script, *args, cwd, env=None, prepare=None, module=False):
    """subprocess.run([python, script, *args], cwd=cwd, capture_output=True, text=True), forked;
    with module=True, `python -m script ARGS` (scripts/ is on the path).

    prepare, a picklable callable (a module-level function or a functools.partial of one), runs
    in the new process before the script.
    """
    args = [str(arg) for arg in args]
    with tempfile.TemporaryDirectory() as folder:
        out_path, err_path = os.path.join(folder, "stdout"), os.path.join(folder, "stderr")
        for path in (out_path, err_path):
            open(path, "wb").close()
        process = _context.Process(target=_run, args=(str(script), args, str(cwd), dict(os.environ if env is None else env),
                                                      out_path, err_path, prepare, module))
        process.start()
        process.join(TIMEOUT_S)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired([script, *args], TIMEOUT_S)
        with open(out_path, encoding="utf-8") as out, open(err_path, encoding="utf-8") as err:
            return subprocess.CompletedProcess([sys.executable, str(script), *args], process.exitcode, out.read(), err.read())
