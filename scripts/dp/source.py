"""Where a package comes from: one read-only, contained view of it, whatever the user named.

A spec is a folder, a datapackage.json, a release zip, a git revision or a released version by
name (1.0.0, v1.0.0, latest; see dp.revisions). Every tool opens packages only through
open_package, and every file of a package only through PackageView.path, which follows symlinks
and refuses anything that ends outside the package root or is not a regular file. So the safety
rules live here once:
- a folder is read in place, through that one function;
- a zip is checked from its central directory before anything is written (member count, total
  size, compression ratio, names, encryption, compression method), then its regular files are
  copied to a private temporary folder, each read bounded by the size its header declares;
- a git revision is streamed out of `git archive` with the same limits; symlinks in it are left
  out (a symlink committed into the package can only point at something the package is not).
"""
import os
import re
import stat
import subprocess
import tarfile
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path, PurePosixPath

from dp.package import PackageError, read_descriptor, read_json
from dp.revisions import GIT_ENV, git_toplevel, refused_for_ownership, resolve_revision

DESCRIPTOR = "datapackage.json"
CHUNK = 1 << 20
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}


class MissingFile(PackageError):
    """A file the package names is not there."""


@dataclass(frozen=True)
class Limits:
    """What an archive may hold. The package is a few hundred kilobytes; a 1M-row benchmark copy ~100 MB."""

    members: int = 1000
    total_bytes: int = 1 << 30
    ratio: int = 200  # uncompressed / compressed size of one member: text rarely passes 20
    ratio_floor: int = 1 << 20  # members smaller than this are not held to the ratio


LIMITS = Limits()


def outside_reason(relative):
    """Why a path string names no file inside the package whatever the root, or None."""
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        return "is not a relative file path"
    posix = PurePosixPath(relative.replace("\\", "/"))
    if posix.is_absolute() or re.match(r"[A-Za-z]:", relative):
        return "is absolute; use a path relative to datapackage.json"
    if URL.match(relative):
        return "is a URL; every file must be inside the package"
    if ".." in posix.parts:
        return "contains '..'; every file must be inside the package"
    return None


def contained(root, relative):
    """The real path of file relative inside root; PackageError if it is not a regular file inside root.

    The one function through which every file of a package is opened. It resolves symlinks, so
    a link to /proc/self/environ or to a file outside the package is refused without being read.
    """
    reason = outside_reason(relative)
    if reason:
        raise PackageError(f"{relative!r} {reason}")
    root = Path(root).resolve()
    try:
        resolved = (root / relative).resolve(strict=True)
    except FileNotFoundError:
        raise MissingFile(f"{relative}: file not found") from None
    except (OSError, RuntimeError):
        raise PackageError(f"{relative}: cannot be resolved (a symlink loop?)") from None
    if not resolved.is_relative_to(root):
        raise PackageError(f"{relative} leads outside the package (through a symlink); refused, nothing read")
    if not stat.S_ISREG(resolved.stat().st_mode):
        raise PackageError(f"{relative} is not a regular file; refused")
    return resolved


@dataclass(frozen=True)
class PackageView:
    """A package to read: its root folder and descriptor, and where it came from when not read in place."""

    root: Path
    descriptor_name: str = DESCRIPTOR
    origin: str | None = None  # "x.zip" or "git tag v1.0.0"; None for a folder read in place
    left_out: frozenset = dataclass_field(default_factory=frozenset)  # symlinks an archive held

    @property
    def descriptor_path(self):
        return self.path(self.descriptor_name)

    def name(self, relative):
        """How a file is named to the user: its path inside the zip or revision, or on disk."""
        return f"{relative} in {self.origin}" if self.origin else str(self.root / str(relative))

    def shown(self, text):
        """text with the private temporary folder of an archive replaced by the archive's name."""
        return str(text).replace(str(self.root) + os.sep, "").replace(str(self.root), self.origin) if self.origin else str(text)

    def refusal(self, relative):
        """(rule, message) when relative cannot be read from this package: missing-file or unsafe-path; else None."""
        try:
            self.path(relative)
            return None
        except MissingFile:
            return "missing-file", f"{relative} does not exist"
        except PackageError as err:
            return "unsafe-path", str(err)

    def path(self, relative):
        if relative in self.left_out:
            raise PackageError(f"{self.name(relative)} is a symlink in {self.origin}; refused, nothing read")
        try:
            return contained(self.root, relative)
        except PackageError as err:
            raise type(err)(f"{self.origin}: {err}" if self.origin else f"{self.root}: {err}") from None

    def is_file(self, relative):
        return self.refusal(relative) is None

    def read_bytes(self, relative):
        return self.path(relative).read_bytes()

    def read_json(self, relative, read=None):
        """The JSON file at relative, read with read (default: dp.package.read_json)."""
        path = self.path(relative)
        try:
            return (read or read_json)(path)
        except PackageError as err:
            raise PackageError(str(err).replace(str(path), self.name(relative))) from None

    def descriptor(self):
        return self.read_json(self.descriptor_name, read_descriptor)

    def schema(self, resource):
        """The resource's Table Schema, inline or read from its contained path."""
        schema = resource["schema"]
        return self.read_json(schema) if isinstance(schema, str) else schema


def folder_view(descriptor_path):
    """A folder read in place, through the containment check; descriptor_path is the folder or its descriptor."""
    path = Path(descriptor_path)
    if path.is_dir():
        path = path / DESCRIPTOR
    view = PackageView(path.parent.resolve(), path.name)
    view.path(path.name)  # the descriptor itself must be a regular file inside the folder
    return view


def as_view(package):
    """A PackageView for a view, a folder or a datapackage.json path."""
    return package if isinstance(package, PackageView) else folder_view(package)


def is_zip(path):
    return path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)


@contextmanager
def open_package(spec, repo=None, limits=LIMITS):
    """Yield a PackageView of spec; archives are copied to a private temporary folder removed afterwards."""
    path = Path(spec)
    if path.is_dir() or (path.is_file() and not is_zip(path)):
        yield folder_view(path)
        return
    with tempfile.TemporaryDirectory(prefix="dp-source-") as tmp:
        if path.is_file():
            root, left_out = extract_zip(path, Path(tmp) / "zip", limits), frozenset()
            origin = path.name
        else:
            repo = Path(repo if repo is not None else Path.cwd())
            label, commit = resolve_revision(str(spec), repo)
            root, left_out = extract_revision(commit, repo, Path(tmp) / "tree", limits)
            origin = label
        yield PackageView(root.resolve(), DESCRIPTOR, origin, left_out)


# --- zips --------------------------------------------------------------------------------


def unsafe_member_reason(name):
    if "\\" in name or "\x00" in name:
        return "holds a backslash or NUL"
    reason = outside_reason(name.rstrip("/")) if name.rstrip("/") else "is empty"
    return reason


def zip_refusals(path, archive, limits):
    """Every reason to refuse a zip, judged from its central directory alone."""
    infos = archive.infolist()
    if len(infos) > limits.members:
        return [f"it holds {len(infos)} members, more than the limit of {limits.members}"]
    reasons, seen, total = [], set(), 0
    for info in infos:
        reason = unsafe_member_reason(info.filename)
        mode = info.external_attr >> 16
        if reason:
            reasons.append(f"unsafe member name {info.filename!r}: it {reason}")
        elif stat.S_ISLNK(mode):
            reasons.append(f"member {info.filename} is a symlink")
        elif info.filename.rstrip("/") in seen:
            reasons.append(f"member {info.filename} appears twice")
        elif info.flag_bits & 0x1:
            reasons.append(f"member {info.filename} is encrypted")
        elif info.compress_type not in ZIP_METHODS:
            reasons.append(f"member {info.filename} uses compression method {info.compress_type}; only stored and deflate are read")
        elif info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(info.compress_size, 1):
            reasons.append(f"member {info.filename} expands {info.file_size // max(info.compress_size, 1)} times "
                           f"({info.file_size} bytes), more than the limit of {limits.ratio} (a zip bomb?)")
        seen.add(info.filename.rstrip("/"))
        total += info.file_size
    if total > limits.total_bytes:
        reasons.append(f"its members hold {total} bytes uncompressed, more than the limit of {limits.total_bytes}")
    return reasons


def _entry_count(path):
    """The member count the zip's end record declares, read before zipfile loads its directory."""
    with open(path, "rb") as handle:
        end = zipfile._EndRecData(handle)  # noqa: SLF001 - the standard library's own end-record parser
    if end is None:
        raise PackageError(f"{path}: not a zip file (no end of central directory record)")
    return end[zipfile._ECD_ENTRIES_TOTAL]


def extract_zip(path, target, limits=LIMITS):
    """Copy a zip's regular files under target after checking it; returns the folder holding datapackage.json."""
    try:
        if _entry_count(path) > limits.members:
            raise PackageError(f"{path}: refused before extraction: it declares {_entry_count(path)} members, "
                               f"more than the limit of {limits.members}")
        with zipfile.ZipFile(path) as archive:
            reasons = zip_refusals(path, archive, limits)
            if reasons:
                raise PackageError(f"{path}: refused before extraction: " + "; ".join(reasons[:5]))
            target.mkdir(parents=True)
            for info in archive.infolist():
                if not info.is_dir():
                    with archive.open(info) as source:
                        _bounded_copy(source, target / info.filename, info.file_size, f"{info.filename} in {path.name}")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as err:
        raise PackageError(f"{path}: not a readable zip ({err})") from None
    except OSError as err:
        raise PackageError(f"{path}: cannot be extracted ({err.strerror or err})") from None
    return descriptor_folder(target, path)


def _bounded_copy(source, target, size, label):
    """Copy at most size bytes from source to a new file; a member longer than its header says is refused."""
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with open(target, "xb") as out:
        while chunk := source.read(min(CHUNK, size - written + 1)):
            written += len(chunk)
            if written > size:
                raise PackageError(f"{label} holds more bytes than its header declares ({size}); refused")
            out.write(chunk)
    if written != size:
        raise PackageError(f"{label} holds {written} bytes, not the {size} its header declares")


def descriptor_folder(target, origin):
    if (target / DESCRIPTOR).is_file():
        return target
    found = sorted(target.glob(f"*/{DESCRIPTOR}"))
    if len(found) != 1:
        raise PackageError(f"{origin}: the archive holds no {DESCRIPTOR} at its top (or in one folder there)")
    return found[0].parent


# --- git revisions -----------------------------------------------------------------------


def extract_revision(commit, package_dir, target, limits=LIMITS):
    """(folder, symlinks left out) of the package folder's tree at commit, streamed from git archive."""
    top = git_toplevel(package_dir)
    subdir = Path(package_dir).resolve().relative_to(top.resolve()).as_posix()
    treeish = commit if subdir == "." else f"{commit}:{subdir}"
    target.mkdir(parents=True)
    failure, left_out = None, None
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(["git", "-C", str(top), "archive", "--format=tar", treeish], stdout=subprocess.PIPE,
                                   stderr=errors, stdin=subprocess.DEVNULL, env=dict(os.environ, **GIT_ENV))
        try:
            left_out = _untar(process.stdout, target, limits, f"revision {commit[:12]}")
            while process.stdout.read(CHUNK):  # the padding after the end of the archive: git then exits by itself
                pass
        except (tarfile.TarError, EOFError) as err:
            failure = err
        finally:
            process.stdout.close()
            if left_out is None and process.poll() is None:  # reading stopped early: git need not write the rest
                process.kill()
            process.wait()
        errors.seek(0)
        stderr = errors.read().decode("utf-8", errors="replace").strip()
    if process.returncode != 0 or left_out is None:
        raise refused_for_ownership(top, stderr) or PackageError(f"git archive {commit[:12]}: {stderr or failure}")
    return descriptor_folder(target, f"revision {commit[:12]}"), left_out


def _untar(stream, target, limits, label):
    left_out, count, total = set(), 0, 0
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            count += 1
            if count > limits.members:
                raise PackageError(f"{label}: it holds more than {limits.members} files; refused")
            reason = unsafe_member_reason(member.name)
            if reason:
                raise PackageError(f"{label}: unsafe path {member.name!r}: it {reason}")
            if member.isdir():
                continue
            if not member.isreg():  # symlinks and anything else that is not a plain file
                left_out.add(member.name)
                continue
            total += member.size
            if total > limits.total_bytes:
                raise PackageError(f"{label}: its files hold more than {limits.total_bytes} bytes; refused")
            _bounded_copy(tar.extractfile(member), target / member.name, member.size, f"{member.name} in {label}")
    return frozenset(left_out)
