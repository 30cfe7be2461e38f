"""Reading the descriptor and the files it names; atomic writes."""
import contextlib
import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DESCRIPTOR = ROOT / "datapackage.json"


class PackageError(Exception):
    """The package cannot be read at all (missing file, broken JSON)."""


class WriteError(OSError):
    """A file could not be written; its message names the file and says so."""


MAX_JSON_DEPTH = 64  # no descriptor, schema or record needs more; deeper ones exhaust recursive readers


def read_json(path):
    """The JSON at path: strict JSON (no NaN or Infinity), nested at most MAX_JSON_DEPTH levels."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackageError(f"{path}: file not found") from None
    except UnicodeDecodeError as err:
        raise PackageError(f"{path}: not UTF-8 ({err})") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (json.JSONDecodeError, ValueError) as err:
        raise PackageError(f"{path}: not valid JSON ({err})") from None
    except RecursionError:
        raise PackageError(f"{path}: JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    if _nesting(data) > MAX_JSON_DEPTH:
        raise PackageError(f"{path}: JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return data


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _nesting(data):
    """How deep lists and objects nest in data, counted without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((item, depth + 1) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


def dump_json(data):
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_of(path):
    return sha256_bytes(Path(path).read_bytes())


def _new_file_mode(path):
    """The mode a plain open(path, "w") would leave: an existing file's own, else 0666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path, content):
    """Write bytes or text to path so that readers see the old file or the new one, never a part.

    The file gets the mode a plain write would give it (mkstemp's 0600 would hide it from other users)."""
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    mode = _new_file_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise WriteError(err.errno, f"cannot write {path}: {err.strerror}") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException as err:
        # Interrupted (Ctrl-C) after the replace, the temporary file is gone already: nothing to clean.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise WriteError(err.errno, f"cannot write {path}: {err.strerror}") from None
        raise


def integrity_of(path):
    """The bytes and hash that a resource entry records for a file."""
    return {"bytes": Path(path).stat().st_size, "hash": f"sha256:{sha256_of(path)}"}


def refresh_integrity(descriptor, root):
    """Return a copy of descriptor whose resources carry the current bytes and hash of their files."""
    fresh = json.loads(json.dumps(descriptor))
    for resource in fresh["resources"]:
        resource.update(integrity_of(Path(root) / resource["path"]))
    return fresh


def read_descriptor(path):
    """The descriptor at path, which must be a JSON object with a list of resources."""
    descriptor = read_json(path)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise PackageError(f"{path}: not a data package descriptor (no resources list)")
    return descriptor
