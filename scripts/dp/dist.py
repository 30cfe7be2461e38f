"""The release zip and SHA256SUMS in dist/: the same bytes every time they are rebuilt.

A release record's dist entry says which layout its zip has (zip_format; records without one
are format 1), so that an old version's zip is rebuilt byte for byte as it was released.
- format 1 (1.0.0): the descriptor, then each data and schema file, then CHANGELOG.md; no folder
  entries; files 0644.
- format 2: the descriptor, then every other member in sorted order, each folder with its own
  entry (0755), files 0644; adds a README.md written from the descriptor and schemas
  (dp/zip_readme.py), LICENSE-DATA and CITATION.cff next to CHANGELOG.md.
Members carry the release date at midnight, so the bytes depend on the content alone.
"""
import io
import zipfile
from pathlib import PurePosixPath

from dp.package import PackageError, sha256_bytes, sha256_of
from dp.releases import CHANGELOG, CITATION, changelog_as_released, released_files
from dp.zip_readme import render_readme

DIST = "dist"
ZIP_FORMAT = 2
SUMS = "SHA256SUMS"
README = "README.md"
ZIP_EXTRAS = ("LICENSE-DATA", CITATION, CHANGELOG)
UNIX = 3  # ZipInfo.create_system: the mode bits in external_attr are Unix modes
FILE_MODE, FOLDER_MODE = 0o100644, 0o040755
MSDOS_DIRECTORY = 0x10


def zip_name(name, version):
    return f"{name}-{version}.zip"


def _info(name, stamp, mode):
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.create_system = UNIX
    info.external_attr = mode << 16
    return info


def _format_1(folder, descriptor_name, descriptor, stamp):
    names = [descriptor_name] + [path for _, path in released_files(descriptor)] + [CHANGELOG]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, _member_bytes(folder, name))
    return buffer.getvalue()


def _member_bytes(folder, name):
    """A file's bytes as the release carries it: the changelog without entries recorded since."""
    data = (folder / name).read_bytes()
    if name != CHANGELOG:
        return data
    try:
        return changelog_as_released(data.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError as err:
        raise PackageError(f"{folder / name}: not UTF-8 at byte {err.start}") from None


def _format_2(folder, descriptor_name, descriptor, stamp, date):
    members = {path: (folder / path).read_bytes() for _, path in released_files(descriptor)}
    for name in ZIP_EXTRAS:
        if not (folder / name).is_file():
            raise PackageError(f"{folder / name}: not found; the release zip carries it")
        members[name] = _member_bytes(folder, name)
    members[README] = render_readme(descriptor, folder, descriptor["version"], date).encode("utf-8")
    folders = {str(parent) + "/" for name in members for parent in PurePosixPath(name).parents if str(parent) != "."}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_info(descriptor_name, stamp, FILE_MODE), (folder / descriptor_name).read_bytes(), zipfile.ZIP_DEFLATED)
        for name in sorted(set(members) | folders):
            if name in folders:
                info = _info(name, stamp, FOLDER_MODE)
                info.external_attr |= MSDOS_DIRECTORY
                archive.writestr(info, b"")
            else:
                archive.writestr(_info(name, stamp, FILE_MODE), members[name], zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def build_zip(folder, descriptor_name, descriptor, date, zip_format=ZIP_FORMAT):
    """The release zip of the package in folder, in the given layout."""
    stamp = tuple(int(part) for part in date.split("-")) + (0, 0, 0)
    if zip_format == 1:
        return _format_1(folder, descriptor_name, descriptor, stamp)
    if zip_format == 2:
        return _format_2(folder, descriptor_name, descriptor, stamp, date)
    raise PackageError(f"zip_format {zip_format!r} is unknown to this version of the tools")


def sha256sums(dist, new_files):
    """SHA256SUMS for every file in dist/ and the new ones ({name: bytes}), new ones winning."""
    sums = {path.name: sha256_of(path) for path in dist.iterdir()
            if path.is_file() and path.name != SUMS and not path.name.startswith(".")} if dist.is_dir() else {}
    sums.update({name: sha256_bytes(data) for name, data in new_files.items()})
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(sums.items()))

