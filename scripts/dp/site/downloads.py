"""The site's downloads: the release zip, the package's files and the typed exports, each with its sha256.

The release zip is rebuilt from the package (dp.release.build_zip) and offered only when its
bytes match the sha256 its release record holds, so the site never offers a zip that differs
from the released one. A SHA256SUMS file lists every download, for `sha256sum -c`.
"""
import shutil
from dataclasses import dataclass
from pathlib import Path

from dp.package import sha256_bytes, sha256_of
from dp.dist import SUMS, build_zip, zip_name
from dp.export import build_exports
from dp.releases import CHANGELOG, read_record, record_path, released_files

FOLDER = "downloads"


@dataclass(frozen=True)
class Download:
    kind: str  # "release", "package" or "export"
    path: str  # relative to the downloads folder, with forward slashes
    bytes: int
    sha256: str

    @property
    def href(self):
        return f"{FOLDER}/{self.path}"


def _download(kind, file, folder):
    return Download(kind, file.relative_to(folder).as_posix(), file.stat().st_size, sha256_of(file))


def release_zip(package, folder):
    """(Download or None, why not) for the zip of the version datapackage.json claims."""
    descriptor, version = package.descriptor, package.descriptor.get("version")
    if not version or not record_path(package.root, version).is_file():
        return None, f"version {version or '(none)'} of this package is not released yet, so there is no release zip."
    record = read_record(package.root, version)
    zip_bytes = build_zip(package.root, package.descriptor_path.name, descriptor, record["date"])
    expected = record.get("dist", {}).get("sha256")
    if expected and expected != sha256_bytes(zip_bytes):
        return None, (f"the zip rebuilt from these files differs from the one recorded for release {version} "
                      f"(releases/{version}.json), so it is not offered here.")
    target = folder / zip_name(descriptor["name"], version)
    target.write_bytes(zip_bytes)
    return _download("release", target, folder), ""


def package_files(package, folder):
    """datapackage.json and every file it names, copied at their paths in the package."""
    names = [package.descriptor_path.name] + [path for _, path in released_files(package.descriptor)]
    if (package.root / CHANGELOG).is_file():
        names.append(CHANGELOG)
    downloads = []
    for name in names:
        target = folder / "package" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package.root / name, target)
        downloads.append(_download("package", target, folder))
    return downloads


def typed_exports(package, folder):
    """The typed exports (dp.export) of the package as it is."""
    target = folder / "exports"
    target.mkdir()
    paths = build_exports(package.descriptor_path, target)
    return [_download("export", Path(path), folder) for path in sorted(paths)]


def write_downloads(package, site):
    """Write every download into site/downloads; returns (downloads, why no release zip)."""
    folder = site / FOLDER
    folder.mkdir()
    release, no_release = release_zip(package, folder)
    downloads = ([release] if release else []) + package_files(package, folder) + typed_exports(package, folder)
    (folder / SUMS).write_text("".join(f"{d.sha256}  {d.path}\n" for d in downloads), encoding="utf-8")
    return downloads, no_release
