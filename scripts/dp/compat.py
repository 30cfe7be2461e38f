"""The compatibility matrix: each frictionless tool, installed in its own cached environment, run on
the package folder and on a release zip, and asked to read the tables with their types.

Each Python tool gets a virtual environment under .compat/ (git-ignored), installed from its lock
file in scripts/dp/compat_locks/; datapackage-js gets an npm folder there, installed with
`npm ci` from its package-lock.json. An environment is reused while its lock file is unchanged.
The probes (compat_probe.py, compat_probe.js) print one JSON row per tool.
"""
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from dp.package import read_descriptor, sha256_of
from dp.dist import build_zip

HERE = Path(__file__).resolve().parent
LOCKS = HERE / "compat_locks"
PYTHON_PROBE = HERE / "compat_probe.py"
JS_PROBE = HERE / "compat_probe.js"
COLUMNS = ("tool", "version", "repo", "zip", "typed load")
INSTALL_TIMEOUT = 600
PROBE_TIMEOUT = 300
WORKS = "works"


@dataclass(frozen=True)
class Tool:
    name: str  # as the matrix shows it
    version: str
    probe: str  # frictionless, datapackage (Python probes) or npm
    why: str  # why the matrix has this row

    @property
    def key(self):
        return f"{self.name}-{self.version}"

    @property
    def lock(self):
        return LOCKS / (self.key if self.probe == "npm" else f"{self.key}.txt")


TOOLS = [
    Tool("frictionless-py", "4.40.11", "frictionless", "the version pandera's frictionless extra pins"),
    Tool("frictionless-py", "5.0.4", "frictionless", "the oldest 5.x on PyPI"),
    Tool("frictionless-py", "5.21.0", "frictionless", "the latest 5.x, which make validate uses"),
    Tool("datapackage-py", "1.15.4", "datapackage", "the last release of the v1 Python library"),
    Tool("datapackage-js", "1.1.10", "npm", "the last release of the JavaScript library"),
]


@dataclass
class Row:
    tool: Tool
    version: str = ""
    repo: str = ""
    zip: str = ""
    typed: str = ""

    @property
    def cells(self):
        return [self.tool.name, self.version or self.tool.version, self.repo, self.zip, self.typed]

    @property
    def works(self):
        return all(cell == WORKS for cell in (self.repo, self.zip, self.typed))


class SetupError(Exception):
    """A tool's environment could not be installed; the message says why."""


def _run(command, timeout, **kwargs):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, **kwargs)
    except subprocess.TimeoutExpired:
        raise SetupError(f"{Path(command[0]).name} took more than {timeout} s") from None


def _last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"


def environment(tool, cache):
    """The folder of tool's environment in cache, installed from its lock file unless already current."""
    folder = cache / tool.key
    stamp = folder / ".lock-sha256"
    lock_file = tool.lock / "package-lock.json" if tool.probe == "npm" else tool.lock
    wanted = sha256_of(lock_file)
    if stamp.is_file() and stamp.read_text() == wanted:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    if tool.probe == "npm":
        folder.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(tool.lock / name, folder / name)
        result = _run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], INSTALL_TIMEOUT, cwd=folder)
    else:
        result = _run([sys.executable, "-m", "venv", str(folder)], INSTALL_TIMEOUT)
        if result.returncode == 0:
            result = _run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--no-input", "-r", str(tool.lock)], INSTALL_TIMEOUT)
    if result.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise SetupError(f"install failed: {_last_line(result.stderr or result.stdout)}")
    stamp.write_text(wanted)
    return folder


def probe(tool, folder, descriptor, zip_path):
    """Run tool's probe on the package and the zip; the Row it reports."""
    if tool.probe == "npm":
        command = ["node", str(JS_PROBE), str(descriptor), str(zip_path)]
        env = {"NODE_PATH": str(folder / "node_modules"), "PATH": "/usr/local/bin:/usr/bin:/bin"}
    else:  # -I: the probe's own folder (this package's modules) must not shadow the tool's imports
        command = [str(folder / "bin" / "python"), "-I", str(PYTHON_PROBE), tool.probe, str(descriptor), str(zip_path)]
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(folder)}
    result = _run(command, PROBE_TIMEOUT, env=env, cwd=folder)
    try:
        cells = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        reason = f"probe failed: {_last_line(result.stderr or result.stdout)}"
        return Row(tool, "", reason, reason, reason)
    return Row(tool, cells["version"], cells["repo"], cells["zip"], cells["typed"])


def row_of(tool, cache, descriptor, zip_path):
    try:
        return probe(tool, environment(tool, cache), descriptor, zip_path)
    except (SetupError, OSError) as err:  # no tool, no node, no disk: the row says so
        reason = str(err) if isinstance(err, SetupError) else f"cannot run: {err}"
        return Row(tool, "", reason, reason, reason)


def build_release_zip(descriptor_path, target):
    """A release zip of the package as dp.release builds it, written into the folder target."""
    descriptor_path = Path(descriptor_path)
    descriptor = read_descriptor(descriptor_path)
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    data = build_zip(descriptor_path.parent, descriptor_path.name, descriptor, today)
    path = Path(target) / f"{descriptor['name']}-{descriptor.get('version')}.zip"
    path.write_bytes(data)
    return path


def has_directory_entries(zip_path):
    with zipfile.ZipFile(zip_path) as archive:
        return any(name.endswith("/") for name in archive.namelist())


def run_matrix(descriptor_path, cache, zip_path=None, tools=TOOLS, workers=3):
    """(rows, notes): one Row per tool, in the order of tools, and what the reader of the table should know."""
    descriptor_path = Path(descriptor_path).resolve()
    cache = Path(cache).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="compat-zip-") as tmp:
        zip_path = Path(zip_path).resolve() if zip_path else build_release_zip(descriptor_path, tmp)
        notes = [f"zip: {zip_path.name}" + ("" if has_directory_entries(zip_path) else " (it has no directory entries)")]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            rows = list(pool.map(lambda tool: row_of(tool, cache, descriptor_path, zip_path), tools))
    return rows, notes


def markdown(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row.cells) + " |")
    return "\n".join(lines)
