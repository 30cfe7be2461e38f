"""dp.source: every package is opened as one contained view; nothing outside it is read, no archive overruns its limits."""
import io
import json
import os
import shutil
import struct
import subprocess
import zipfile

import pytest

from conftest import run_script
from dp import release
from dp.diff import load_snapshot, read_snapshot
from dp.package import PackageError
from dp.revisions import git_toplevel
from dp.source import Limits, contained, extract_zip, open_package

SECRET = "SECRET-VALUE-4711"


def git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def commit_all(root, message="package"):
    if not (root / ".git").exists():
        git(root, "init", "-q")
        git(root, "config", "user.name", "t")
        git(root, "config", "user.email", "t@example.org")
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


@pytest.fixture
def outside(tmp_path_factory):
    """A file outside the package folder, holding a value that must never be printed."""
    path = tmp_path_factory.mktemp("elsewhere") / "outside.csv"
    path.write_text(f"id,value\n{SECRET},1\n", encoding="utf-8")
    return path


def set_path(descriptor_path, resource, path):
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    next(r for r in descriptor["resources"] if r["name"] == resource)["path"] = path
    descriptor_path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


# --- containment -------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/proc/self/environ", "outside"])
def test_symlinked_data_file_leading_out_is_refused_unread(package_copy, outside, target, monkeypatch):
    monkeypatch.setenv("DP_TEST_SECRET", SECRET)
    data = package_copy.parent / "data" / "metrics.csv"
    data.unlink()
    data.symlink_to(outside if target == "outside" else target)
    with pytest.raises(PackageError, match="leads outside the package") as err:
        read_snapshot(package_copy)
    assert SECRET not in str(err.value)


@pytest.mark.parametrize("path", ["/etc/hostname", "../outside.csv", "data/../../outside.csv", "file:///etc/hostname"])
def test_paths_leaving_the_package_are_refused(package_copy, path):
    set_path(package_copy, "metrics", path)
    with pytest.raises(PackageError, match="absolute|'\\.\\.'|URL"):
        read_snapshot(package_copy)


def test_containment_allows_symlinks_inside_and_refuses_what_is_not_a_file(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x\n")
    (tmp_path / "b.csv").symlink_to(tmp_path / "data" / "a.csv")
    assert contained(tmp_path, "b.csv") == (tmp_path / "data" / "a.csv").resolve()
    os.mkfifo(tmp_path / "pipe.csv")  # reading a FIFO would hang
    for name, message in [("pipe.csv", "not a regular file"), ("data", "not a regular file"), ("none.csv", "not found")]:
        with pytest.raises(PackageError, match=message):
            contained(tmp_path, name)


def test_diff_cli_refuses_a_path_out_and_prints_nothing_of_it(package_copy, outside):
    set_path(package_copy, "metrics", str(outside))
    result = run_script("diff.py", package_copy, package_copy)
    assert result.returncode == 2 and "absolute" in result.stderr and "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr


# --- zips --------------------------------------------------------------------------------


def package_zip(root, target, transform=None):
    """The package at root zipped (stored, so bytes can be patched); transform(name, data) may change members."""
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = path.relative_to(root).as_posix()
            data = path.read_bytes()
            archive.writestr(name, transform(name, data) if transform else data)
    return target


def patch_member(zip_path, member, local_offset, central_offset, value, fmt="<H"):
    """Overwrite a field of member's local header and of its central directory entry."""
    data = bytearray(zip_path.read_bytes())
    with zipfile.ZipFile(zip_path) as archive:
        struct.pack_into(fmt, data, archive.getinfo(member).header_offset + local_offset, value)
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + struct.unpack_from("<H", data, entry + 28)[0]] != member.encode():
        entry = data.find(b"PK\x01\x02", entry + 1)
    struct.pack_into(fmt, data, entry + central_offset, value)
    zip_path.write_bytes(bytes(data))


def test_reads_a_zip_as_a_view(package_copy, tmp_path):
    archive = package_zip(package_copy.parent, tmp_path / "pkg.zip")
    with open_package(archive) as view:
        assert view.origin == "pkg.zip" and view.name("data/metrics.csv") == "data/metrics.csv in pkg.zip"
        assert len(read_snapshot(view).frames["metrics"]) == 12


@pytest.mark.parametrize("corruption,message", [
    ("crc", "Bad CRC"), ("method", "compression method 99"), ("encrypted", "encrypted"),
])
def test_corrupt_zip_is_a_clear_error(package_copy, tmp_path, corruption, message):
    archive = package_zip(package_copy.parent, tmp_path / "pkg.zip")
    if corruption == "crc":
        with zipfile.ZipFile(archive) as handle:
            info = handle.getinfo("data/metrics.csv")
        data = bytearray(archive.read_bytes())
        data[info.header_offset + 30 + len(info.filename) + 5] ^= 0x01
        archive.write_bytes(bytes(data))
    elif corruption == "method":
        patch_member(archive, "data/metrics.csv", 8, 10, 99)
    else:
        patch_member(archive, "data/metrics.csv", 6, 8, 1)
    with pytest.raises(PackageError, match=message):
        load_snapshot(archive, tmp_path)


def test_diff_cli_on_a_bad_crc_exits_2_without_traceback(package_copy, tmp_path):
    archive = package_zip(package_copy.parent, tmp_path / "pkg.zip")
    data = archive.read_bytes()
    archive.write_bytes(data.replace(b"m001,us-state", b"m001,us-stbte", 1))
    result = run_script("diff.py", archive, package_copy)
    assert result.returncode == 2 and "Bad CRC" in result.stderr and "Traceback" not in result.stderr


def zeros_zip(path, size):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("datapackage.json", "w") as member:
            for _ in range(size // (1 << 20)):
                member.write(bytes(1 << 20))
    return path


def test_zip_bomb_is_refused_before_anything_is_written(tmp_path):
    bomb = zeros_zip(tmp_path / "bomb.zip", 50 << 20)
    assert bomb.stat().st_size < 200_000
    with pytest.raises(PackageError, match="refused before extraction.*expands"):
        extract_zip(bomb, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    with pytest.raises(PackageError, match="more than the limit of 10000000"):
        extract_zip(bomb, tmp_path / "out", Limits(total_bytes=10_000_000, ratio=10 ** 6))
    assert not (tmp_path / "out").exists()


def test_zip_with_too_many_members_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(1001):
            archive.writestr(f"f{number}", b"")
    with pytest.raises(PackageError, match="declares 1001 members"):
        extract_zip(path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_member_longer_than_its_header_says_is_cut_off(tmp_path):
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", b"x" * 100_000)
    patch_member(path, "datapackage.json", 22, 24, 10, "<I")
    with pytest.raises(PackageError):
        extract_zip(path, tmp_path / "out")
    written = [p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert all(size <= 10 for size in written)


@pytest.mark.parametrize("name", ["../evil.csv", "/abs.csv", "data\\..\\..\\x.csv"])
def test_unsafe_member_names_are_refused(tmp_path, name):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("datapackage.json", b"{}")
        archive.writestr(zipfile.ZipInfo(name), b"x")
    with pytest.raises(PackageError, match="unsafe member name"):
        extract_zip(path, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil.csv").exists()


def test_symlink_member_is_refused(tmp_path):
    path = tmp_path / "link.zip"
    info = zipfile.ZipInfo("data/metrics.csv")
    info.external_attr = 0o120777 << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("datapackage.json", b"{}")
        archive.writestr(info, "/proc/self/environ")
    with pytest.raises(PackageError, match="is a symlink"):
        extract_zip(path, tmp_path / "out")


# --- git revisions -----------------------------------------------------------------------


def test_revision_with_an_out_of_tree_symlink_is_refused_unread(package_copy, outside):
    root = package_copy.parent
    (root / "stray-link").symlink_to("/etc/hostname")  # not named by the descriptor: left out, no harm
    commit_all(root)
    with open_package("HEAD", root) as view:
        assert len(read_snapshot(view).frames["metrics"]) == 12 and "stray-link" in view.left_out
    (root / "data" / "metrics.csv").unlink()
    (root / "data" / "metrics.csv").symlink_to(outside)
    commit_all(root, "link out")
    with pytest.raises(PackageError, match="data/metrics.csv in git revision HEAD is a symlink") as err:
        load_snapshot("HEAD", root)
    assert SECRET not in str(err.value)
    result = run_script("diff.py", "HEAD~1", "HEAD", "--repo", root)
    assert result.returncode == 2 and "is a symlink" in result.stderr and "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_revision_is_held_to_the_archive_limits(package_copy):
    commit_all(package_copy.parent)
    with pytest.raises(PackageError, match="more than 5 files"):
        load_snapshot_with(Limits(members=5), "HEAD", package_copy.parent)
    with pytest.raises(PackageError, match="more than 10000 bytes"):
        load_snapshot_with(Limits(total_bytes=10_000), "HEAD", package_copy.parent)


def load_snapshot_with(limits, spec, repo):
    with open_package(spec, repo, limits) as view:
        return read_snapshot(view)


def test_revision_of_a_package_in_a_subfolder(package_copy, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(package_copy.parent, repo / "pkg", ignore=shutil.ignore_patterns("repo"))
    commit_all(repo)
    assert len(load_snapshot("HEAD", repo / "pkg").frames["metrics"]) == 12


def test_dubious_ownership_is_not_taken_for_no_repository(package_copy, monkeypatch):
    commit_all(package_copy.parent)
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    with pytest.raises(PackageError, match="dubious ownership.*safe.directory"):
        git_toplevel(package_copy.parent)
    with pytest.raises(PackageError, match="dubious ownership"):
        load_snapshot("HEAD", package_copy.parent)
    with pytest.raises(PackageError, match="dubious ownership"):  # not a release with no clean-tree check, commit or tag
        release.plan_release(package_copy)


def test_zip_built_in_memory_is_read_the_same(package_copy, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in package_copy.parent.rglob("*") if p.is_file()):
            archive.write(path, "pkg-1.0.0/" + path.relative_to(package_copy.parent).as_posix())
    (tmp_path / "nested.zip").write_bytes(buffer.getvalue())
    assert read_snapshot(package_copy).file_hashes == load_snapshot(tmp_path / "nested.zip", tmp_path).file_hashes
