"""The readers of the package, in-process and on small inputs: the contained view of a folder, zip or
git revision (dp.source), the descriptor, hashes and atomic writes (dp.package), the typed loader
(dp.load) and the quote spans (dp.spans), each with the exact values and messages users get."""
import io
import json
import os
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pyarrow.csv  # noqa: F401 - pa.csv
import pandas as pd
import pyarrow as pa
import pytest

from dp import load, package, source, spans
from dp.package import PackageError, WriteError
from dp.source import Limits, MissingFile, PackageView, contained, open_package, outside_reason
from conftest import git

# --- dp.source: paths inside the package --------------------------------------------------------


@pytest.mark.parametrize("relative,reason", [
    (None, "is not a relative file path"),
    (3, "is not a relative file path"),
    ("", "is not a relative file path"),
    ("data/a\x00.csv", "is not a relative file path"),
    ("/etc/hostname", "is absolute; use a path relative to datapackage.json"),
    ("\\\\server\\share.csv", "is absolute; use a path relative to datapackage.json"),
    ("c:data.csv", "is absolute; use a path relative to datapackage.json"),
    ("Z:\\data.csv", "is absolute; use a path relative to datapackage.json"),
    ("https://example.org/a.csv", "is a URL; every file must be inside the package"),
    ("s3:bucket/a.csv", "is a URL; every file must be inside the package"),
    ("a+b.c-d:x", "is a URL; every file must be inside the package"),
    ("data/../../x.csv", "contains '..'; every file must be inside the package"),
    ("data\\..\\..\\x.csv", "contains '..'; every file must be inside the package"),
    ("..", "contains '..'; every file must be inside the package"),
    ("data/a..b.csv", None),
    ("data/x:y.csv", None),
    ("1a:b.csv", None),
    ("./data/a.csv", None),
])
def test_a_path_names_a_file_inside_the_package_or_says_why_not(relative, reason):
    assert outside_reason(relative) == reason


@pytest.fixture
def folder(tmp_path):
    """A package folder with a file, a folder, a symlink inside, one outside and a symlink loop."""
    root = tmp_path / "pkg"
    (root / "data").mkdir(parents=True)
    (root / "data" / "t.csv").write_text("id\na\n", encoding="utf-8")
    (root / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [
        {"name": "t", "path": "data/t.csv", "schema": "t.schema.json"}]}), encoding="utf-8")
    (root / "t.schema.json").write_text('{"fields": [{"name": "id"}]}', encoding="utf-8")
    (root / "inside-link.csv").symlink_to(root / "data" / "t.csv")
    (tmp_path / "secret.csv").write_text("secret\n", encoding="utf-8")
    (root / "outside-link.csv").symlink_to(tmp_path / "secret.csv")
    (root / "loop").symlink_to(root / "loop")
    return root


def refusal(call):
    with pytest.raises(PackageError) as caught:
        call()
    return type(caught.value), str(caught.value)


def test_a_contained_file_is_its_real_path(folder):
    assert contained(folder, "data/t.csv") == (folder / "data" / "t.csv").resolve()
    assert contained(str(folder), "inside-link.csv") == (folder / "data" / "t.csv").resolve()
    assert contained(folder / "data" / "..", "./data/t.csv") == (folder / "data" / "t.csv").resolve()


def test_a_file_outside_missing_looping_or_not_regular_is_refused(folder):
    assert refusal(lambda: contained(folder, "../secret.csv")) == (
        PackageError, "'../secret.csv' contains '..'; every file must be inside the package")
    assert refusal(lambda: contained(folder, "data/u.csv")) == (MissingFile, "data/u.csv: file not found")
    assert refusal(lambda: contained(folder, "loop")) == (PackageError, "loop: cannot be resolved (a symlink loop?)")
    assert refusal(lambda: contained(folder, "outside-link.csv")) == (
        PackageError, "outside-link.csv leads outside the package (through a symlink); refused, nothing read")
    assert refusal(lambda: contained(folder, "data")) == (PackageError, "data is not a regular file; refused")


def test_a_folder_view_names_files_by_their_path_on_disk(folder):
    view = PackageView(folder)
    assert view.descriptor_name == "datapackage.json" and view.origin is None and view.left_out == frozenset()
    assert view.descriptor_path == folder / "datapackage.json"
    assert view.name("data/t.csv") == f"{folder}/data/t.csv"
    assert view.shown(f"in {folder}/x") == f"in {folder}/x"
    assert refusal(lambda: view.path("data/u.csv")) == (MissingFile, f"{folder}: data/u.csv: file not found")
    assert refusal(lambda: view.path("/etc/hostname")) == (
        PackageError, f"{folder}: '/etc/hostname' is absolute; use a path relative to datapackage.json")
    assert view.read_bytes("data/t.csv") == b"id\na\n"
    assert view.is_file("data/t.csv") and not view.is_file("data") and not view.is_file("nothing")


def test_an_archive_view_names_files_inside_the_archive(folder):
    view = PackageView(folder, origin="git tag v1.0.0", left_out=frozenset({"data/link.csv"}))
    assert view.name("data/t.csv") == "data/t.csv in git tag v1.0.0"
    assert view.shown(f"{folder}{os.sep}data/t.csv and {folder}") == "data/t.csv and git tag v1.0.0"
    assert refusal(lambda: view.path("data/link.csv")) == (
        PackageError, "data/link.csv in git tag v1.0.0 is a symlink in git tag v1.0.0; refused, nothing read")
    assert refusal(lambda: view.path("data/u.csv")) == (MissingFile, "git tag v1.0.0: data/u.csv: file not found")
    assert view.refusal("data/link.csv") == (
        "unsafe-path", "data/link.csv in git tag v1.0.0 is a symlink in git tag v1.0.0; refused, nothing read")
    assert view.refusal("data") == ("unsafe-path", "git tag v1.0.0: data is not a regular file; refused")


def test_a_view_reads_the_descriptor_and_schemas_inline_or_from_their_files(folder):
    view = PackageView(folder)
    descriptor = view.descriptor()
    assert descriptor["name"] == "p"
    assert view.schema(descriptor["resources"][0]) == {"fields": [{"name": "id"}]}
    assert view.schema({"schema": {"fields": []}}) == {"fields": []}
    assert view.read_json("t.schema.json", read=lambda path: path.name) == "t.schema.json"


def test_a_json_error_in_an_archive_names_the_file_inside_it(folder):
    (folder / "bad.json").write_text("[1,", encoding="utf-8")
    (folder / "list.json").write_text("[]", encoding="utf-8")
    zipped = PackageView(folder, origin="p.zip")
    message = refusal(lambda: zipped.read_json("bad.json"))[1]
    assert message.startswith("bad.json in p.zip: not valid JSON (") and str(folder) not in message
    assert refusal(lambda: PackageView(folder, "list.json", "p.zip").descriptor()) == (
        PackageError, "list.json in p.zip: not a data package descriptor (no resources list)")


def test_a_folder_or_its_descriptor_opens_the_same_view(folder):
    for spec in (folder, folder / "datapackage.json", str(folder)):
        view = source.folder_view(spec)
        assert (view.root, view.descriptor_name, view.origin) == (folder.resolve(), "datapackage.json", None)
    other = source.folder_view(folder / "t.schema.json")
    assert other.descriptor_name == "t.schema.json"
    assert source.as_view(other) is other
    assert source.as_view(folder).root == folder.resolve()
    assert refusal(lambda: source.folder_view(folder / "data" / "u.json")) == (
        MissingFile, f"{folder / 'data'}: u.json: file not found")
    assert refusal(lambda: source.folder_view(folder / "outside-link.csv"))[1] == (
        f"{folder}: outside-link.csv leads outside the package (through a symlink); refused, nothing read")


def test_a_folder_reached_through_a_symlink_or_a_relative_path_is_viewed_at_its_real_place(folder, tmp_path, monkeypatch):
    (tmp_path / "alias").symlink_to(folder)
    assert source.folder_view(tmp_path / "alias").root == folder.resolve()
    monkeypatch.chdir(folder / "data")
    assert source.folder_view("..").root == folder.resolve()
    assert source.folder_view("../datapackage.json").root == folder.resolve()


def test_a_zip_opened_in_a_symlinked_temporary_folder_still_hides_that_folder(tmp_path, monkeypatch):
    (tmp_path / "real-tmp").mkdir()
    (tmp_path / "tmp").symlink_to(tmp_path / "real-tmp")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    archive = zip_of(tmp_path / "p.zip", {"datapackage.json": '{"resources": []}', "data/t.csv": "id\n"})
    with open_package(archive) as view:
        assert view.root.is_relative_to(tmp_path / "real-tmp")
        assert view.shown(f"cannot read {view.path('data/t.csv')}") == "cannot read data/t.csv"


def test_opening_a_folder_or_a_plain_file_reads_it_in_place(folder):
    with open_package(folder) as view:
        assert view == PackageView(folder.resolve())
    with open_package(folder / "datapackage.json") as view:
        assert view == PackageView(folder.resolve())


def zip_of(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_opening_a_zip_copies_it_to_a_temporary_folder_removed_afterwards(tmp_path):
    archive = zip_of(tmp_path / "p-1.0.0.zip", {"p/datapackage.json": '{"resources": []}', "p/data/t.csv": "id\n"})
    with open_package(archive) as view:
        assert (view.origin, view.descriptor_name, view.left_out) == ("p-1.0.0.zip", "datapackage.json", frozenset())
        assert view.root.name == "p" and view.root.parent.name == "zip" and view.root.parent.parent.name.startswith("dp-source-")
        assert view.read_bytes("data/t.csv") == b"id\n" and view.descriptor() == {"resources": []}
        temporary = view.root
    assert not temporary.exists()


def test_a_zip_is_extracted_member_by_member_with_its_folders(tmp_path):
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("data/", "")
        handle.writestr("datapackage.json", "{}")
        handle.writestr("data/deep/t.csv", "a\n")
    out = tmp_path / "new" / "out"
    assert source.extract_zip(archive, out) == out
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "data", "data/deep", "data/deep/t.csv", "datapackage.json"]
    assert (out / "data" / "deep" / "t.csv").read_bytes() == b"a\n"


def test_a_zip_with_too_many_members_says_how_many_it_declares(tmp_path):
    archive = zip_of(tmp_path / "p.zip", {"datapackage.json": "{}", "a": "", "b": ""})
    assert refusal(lambda: source.extract_zip(archive, tmp_path / "out", Limits(members=2))) == (
        PackageError, f"{archive}: refused before extraction: it declares 3 members, more than the limit of 2")
    assert source.extract_zip(archive, tmp_path / "out", Limits(members=3)) == tmp_path / "out"


def test_a_refused_zip_gives_its_first_five_reasons(tmp_path):
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for name in ("../1", "../2", "../3", "../4", "../5", "../6"):
            handle.writestr(zipfile.ZipInfo(name), "")
    message = refusal(lambda: source.extract_zip(archive, tmp_path / "out"))[1]
    assert message == f"{archive}: refused before extraction: " + "; ".join(
        f"unsafe member name '../{i}': it contains '..'; every file must be inside the package" for i in range(1, 6))
    assert not (tmp_path / "out").exists()


def test_bytes_that_are_no_zip_or_a_broken_zip_are_named(tmp_path):
    (tmp_path / "a.zip").write_bytes(b"not a zip at all")
    assert refusal(lambda: source.extract_zip(tmp_path / "a.zip", tmp_path / "out")) == (
        PackageError, f"{tmp_path / 'a.zip'}: not a zip file (no end of central directory record)")
    archive = zip_of(tmp_path / "b.zip", {"datapackage.json": "x" * 1000})
    data = bytearray(archive.read_bytes())
    data[40:60] = bytes(20)  # the deflated stream of the member
    archive.write_bytes(bytes(data))
    message = refusal(lambda: source.extract_zip(archive, tmp_path / "out"))[1]
    assert message.startswith(f"{archive}: not a readable zip (")


def test_a_zip_that_cannot_be_written_out_says_why(tmp_path):
    archive = zip_of(tmp_path / "p.zip", {"datapackage.json": "{}"})
    (tmp_path / "out").mkdir()
    assert refusal(lambda: source.extract_zip(archive, tmp_path / "out")) == (
        PackageError, f"{archive}: cannot be extracted (File exists)")


def test_a_zip_without_a_descriptor_at_its_top_is_refused(tmp_path):
    archive = zip_of(tmp_path / "p.zip", {"a/datapackage.json": "{}", "b/datapackage.json": "{}"})
    assert refusal(lambda: source.extract_zip(archive, tmp_path / "out")) == (
        PackageError, f"{archive}: the archive holds no datapackage.json at its top (or in one folder there)")
    archive = zip_of(tmp_path / "q.zip", {"a/b/datapackage.json": "{}"})
    assert refusal(lambda: source.extract_zip(archive, tmp_path / "out2"))[1].endswith("holds no datapackage.json at its top (or in one folder there)")


def test_a_descriptor_at_the_top_wins_over_one_in_a_folder(tmp_path):
    for name in ("datapackage.json", "a/datapackage.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert source.descriptor_folder(tmp_path, "x") == tmp_path
    (tmp_path / "datapackage.json").unlink()
    assert source.descriptor_folder(tmp_path, "x") == tmp_path / "a"
    (tmp_path / "datapackage.json").mkdir()
    assert source.descriptor_folder(tmp_path, "x") == tmp_path / "a"


class Trickle(io.BytesIO):
    """A stream that records the size of each read."""

    def __init__(self, data):
        super().__init__(data)
        self.asked = []

    def read(self, size=-1):
        self.asked.append(size)
        return super().read(size)


def test_a_member_is_copied_in_chunks_up_to_its_declared_size(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "CHUNK", 4)
    stream = Trickle(b"0123456789")
    source._bounded_copy(stream, tmp_path / "a" / "b.csv", 10, "b.csv in p.zip")
    assert (tmp_path / "a" / "b.csv").read_bytes() == b"0123456789"
    assert stream.asked == [4, 4, 3, 1]


def test_a_member_longer_or_shorter_than_its_header_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "CHUNK", 4)
    assert refusal(lambda: source._bounded_copy(io.BytesIO(b"0123456789"), tmp_path / "long", 9, "x in p.zip")) == (
        PackageError, "x in p.zip holds more bytes than its header declares (9); refused")
    assert (tmp_path / "long").read_bytes() == b"01234567"
    assert refusal(lambda: source._bounded_copy(io.BytesIO(b"0123"), tmp_path / "short", 6, "y in p.zip")) == (
        PackageError, "y in p.zip holds 4 bytes, not the 6 its header declares")
    source._bounded_copy(io.BytesIO(b""), tmp_path / "empty", 0, "e")
    assert (tmp_path / "empty").read_bytes() == b""
    with pytest.raises(FileExistsError):
        source._bounded_copy(io.BytesIO(b""), tmp_path / "empty", 0, "e")


# --- dp.source: limits --------------------------------------------------------------------------


class Archive:
    def __init__(self, *infos):
        self.infos = list(infos)

    def infolist(self):
        return self.infos


def member(name, size, compressed):
    info = zipfile.ZipInfo(name)
    info.file_size, info.compress_size, info.compress_type = size, compressed, zipfile.ZIP_DEFLATED
    info.external_attr = 0o100644 << 16
    return info


def test_the_default_limits_let_a_text_package_through_and_refuse_a_bomb():
    mib = 1 << 20
    assert source.zip_refusals(Path("p.zip"), Archive(member("a", 200 * mib, mib), member("b", mib, 1)), source.LIMITS) == []
    assert source.zip_refusals(Path("p.zip"), Archive(member("a", 201 * mib, mib)), source.LIMITS) == [
        f"member a expands 201 times ({201 * mib} bytes), more than the limit of 200 (a zip bomb?)"]
    assert source.zip_refusals(Path("p.zip"), Archive(member("a", mib + 1, 0)), source.LIMITS) == [
        f"member a expands {mib + 1} times ({mib + 1} bytes), more than the limit of 200 (a zip bomb?)"]
    assert source.zip_refusals(Path("p.zip"), Archive(*[member(f"m{i}", 1, 1) for i in range(1000)]), source.LIMITS) == []
    assert source.zip_refusals(Path("p.zip"), Archive(*[member(f"m{i}", 1, 1) for i in range(1001)]), source.LIMITS) == [
        "it holds 1001 members, more than the limit of 1000"]
    gib = 1 << 30
    assert source.zip_refusals(Path("p.zip"), Archive(member("a", gib // 2, gib), member("b", gib // 2, gib)), source.LIMITS) == []
    assert source.zip_refusals(Path("p.zip"), Archive(member("a", gib // 2, gib), member("b", gib // 2 + 1, gib)), source.LIMITS) == [
        f"its members hold {gib + 1} bytes uncompressed, more than the limit of {gib}"]


def tar_stream(*members):
    """A tar archive, as git archive writes it, of (name, kind, data) members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, kind, data in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = data
                tar.addfile(info)
            elif kind == tarfile.REGTYPE:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    buffer.seek(0)
    return buffer


def test_a_revision_tree_is_copied_and_its_symlinks_left_out(tmp_path):
    stream = tar_stream(("data", tarfile.DIRTYPE, None), ("datapackage.json", tarfile.REGTYPE, b"{}"),
                        ("data/t.csv", tarfile.REGTYPE, b"id\n"), ("data/link.csv", tarfile.SYMTYPE, "/etc/hostname"),
                        ("fifo", tarfile.FIFOTYPE, None))
    left_out = source._untar(stream, tmp_path, Limits(members=5, total_bytes=5), "revision abc")
    assert left_out == frozenset({"data/link.csv", "fifo"})
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["data", "data/t.csv", "datapackage.json"]
    assert (tmp_path / "data" / "t.csv").read_bytes() == b"id\n"


def test_a_revision_over_the_limits_or_with_an_unsafe_path_is_refused(tmp_path):
    files = [("a", tarfile.REGTYPE, b"12"), ("b", tarfile.REGTYPE, b"345")]
    assert refusal(lambda: source._untar(tar_stream(*files), tmp_path / "1", Limits(members=1), "revision abc")) == (
        PackageError, "revision abc: it holds more than 1 files; refused")
    assert refusal(lambda: source._untar(tar_stream(*files), tmp_path / "2", Limits(total_bytes=4), "revision abc")) == (
        PackageError, "revision abc: its files hold more than 4 bytes; refused")
    assert source._untar(tar_stream(*files), tmp_path / "3", Limits(members=2, total_bytes=5), "r") == frozenset()
    assert refusal(lambda: source._untar(tar_stream(("../x", tarfile.REGTYPE, b"")), tmp_path / "4", Limits(), "revision abc")) == (
        PackageError, "revision abc: unsafe path '../x': it contains '..'; every file must be inside the package")
    assert not (tmp_path / "x").exists()


@pytest.fixture
def repo(tmp_path):
    """A git repository holding a one-table package in pkg/, committed, with a symlink in it."""
    root = tmp_path / "repo"
    (root / "pkg" / "data").mkdir(parents=True)
    (root / "pkg" / "datapackage.json").write_text('{"name": "p", "resources": []}', encoding="utf-8")
    (root / "pkg" / "data" / "t.csv").write_text("id\na\n", encoding="utf-8")
    (root / "pkg" / "link").symlink_to("data/t.csv")
    (root / "top.txt").write_text("top\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "top.txt")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "no package yet")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "package")
    return root


def test_a_revision_of_a_package_in_a_subfolder_is_its_folder_in_the_commit(repo, monkeypatch):
    with open_package("HEAD", repo / "pkg") as view:
        assert view.origin == "git revision HEAD" and view.left_out == frozenset({"link"})
        assert view.read_bytes("data/t.csv") == b"id\na\n" and not view.is_file("top.txt")
        assert view.root.name == "tree" and view.root.parent.name.startswith("dp-source-")
        temporary = view.root
    assert not temporary.exists()
    monkeypatch.chdir(repo / "pkg")
    with open_package("HEAD") as view:
        assert view.read_bytes("data/t.csv") == b"id\na\n"


def test_a_revision_without_the_package_folder_names_the_commit_and_gits_reason(repo, tmp_path):
    commit = git(repo, "rev-parse", "HEAD~1")
    message = refusal(lambda: source.extract_revision(commit, repo / "pkg", tmp_path / "t"))[1]
    assert message.startswith(f"git archive {commit[:12]}: fatal: ") and "pkg" in message and message == message.strip()
    assert refusal(lambda: source.extract_revision(commit, repo, tmp_path / "u")) == (
        PackageError, f"revision {commit[:12]}: the archive holds no datapackage.json at its top (or in one folder there)")


def test_a_revision_tree_is_extracted_into_a_new_folder_with_its_parents(repo, tmp_path):
    root, left_out = source.extract_revision("HEAD", repo / "pkg", tmp_path / "a" / "b")
    assert root == tmp_path / "a" / "b" and left_out == frozenset({"link"})
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == ["data", "data/t.csv", "datapackage.json"]


@pytest.mark.parametrize("error", [tarfile.ReadError("unexpected end of data"), EOFError("unexpected end of data")])
def test_a_revision_whose_tar_stream_breaks_is_named_with_the_reading_error(repo, tmp_path, monkeypatch, error):
    def broken(stream, target, limits, label):
        raise error

    monkeypatch.setattr(source, "_untar", broken)
    assert refusal(lambda: source.extract_revision("HEAD", repo, tmp_path / "t")) == (
        PackageError, "git archive HEAD: unexpected end of data")


def test_a_revision_is_read_with_git_in_the_c_locale_and_never_prompting(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "1")
    environments = []
    real_popen = subprocess.Popen

    def recording(*args, **kwargs):
        if "archive" in args[0]:
            environments.append(kwargs.get("env"))
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", recording)
    source.extract_revision("HEAD", repo / "pkg", tmp_path / "t")
    [env] = environments
    assert (env["LC_ALL"], env["GIT_TERMINAL_PROMPT"], env["GIT_PAGER"], env["GIT_NO_LAZY_FETCH"]) == ("C", "0", "cat", "1")
    assert env["HOME"] == os.environ["HOME"]


def test_gits_message_about_a_folder_name_that_is_not_utf8_is_still_shown(repo, tmp_path):
    odd = repo / os.fsdecode(b"pkg\xff")
    odd.mkdir()
    assert refusal(lambda: source.extract_revision("HEAD", odd, tmp_path / "t")) == (
        PackageError, "git archive HEAD: fatal: not a valid object name: HEAD:pkg\ufffd")


def test_a_revision_tree_is_held_to_the_limits(repo, tmp_path):
    assert refusal(lambda: source.extract_revision("HEAD", repo, tmp_path / "t", Limits(members=2))) == (
        PackageError, "revision HEAD: it holds more than 2 files; refused")
    root, left_out = source.extract_revision("HEAD", repo, tmp_path / "u", Limits(members=6))
    assert root == tmp_path / "u" / "pkg" and left_out == frozenset({"pkg/link"})
    assert (root / "datapackage.json").read_text(encoding="utf-8") == '{"name": "p", "resources": []}'


# --- dp.package: JSON, hashes and writes --------------------------------------------------------


def test_json_is_read_strictly_and_each_failure_names_the_file(tmp_path):
    path = tmp_path / "a.json"
    assert refusal(lambda: package.read_json(path)) == (PackageError, f"{path}: file not found")
    path.write_bytes(b'{"a": "\xff"}')
    assert refusal(lambda: package.read_json(path))[1].startswith(f"{path}: not UTF-8 ('utf-8' codec can't decode byte 0xff")
    path.write_text('{"a": NaN}', encoding="utf-8")
    assert refusal(lambda: package.read_json(path)) == (PackageError, f"{path}: not valid JSON (NaN is not a JSON number)")
    path.write_text('[-Infinity]', encoding="utf-8")
    assert refusal(lambda: package.read_json(path)) == (PackageError, f"{path}: not valid JSON (-Infinity is not a JSON number)")
    path.write_text('{"a": 1,}', encoding="utf-8")
    assert refusal(lambda: package.read_json(path))[1].startswith(f"{path}: not valid JSON (Expecting property name")
    path.write_text('{"a": [1.5, "é", null]}', encoding="utf-8")
    assert package.read_json(str(path)) == {"a": [1.5, "é", None]}


def test_json_nested_deeper_than_the_limit_is_refused_however_deep(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 64 + "]" * 64, encoding="utf-8")
    assert package._nesting(package.read_json(path)) == 64
    path.write_text('{"a": ' * 64 + "1" + "}" * 64, encoding="utf-8")
    assert package._nesting(package.read_json(path)) == 64
    path.write_text("[" * 65 + "]" * 65, encoding="utf-8")
    assert refusal(lambda: package.read_json(path)) == (PackageError, f"{path}: JSON nested deeper than 64 levels")
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert refusal(lambda: package.read_json(path)) == (PackageError, f"{path}: JSON nested deeper than 64 levels")


@pytest.mark.parametrize("data,depth", [
    (1, 0), ("a", 0), ([], 1), ({}, 1), ([1, [2]], 2), ({"a": {"b": []}, "c": 1}, 3), ([[], [[[]]], []], 4),
])
def test_nesting_counts_the_levels_of_lists_and_objects(data, depth):
    assert package._nesting(data) == depth


def test_json_is_written_readable_with_two_space_indent_and_a_final_newline():
    assert package.dump_json({"a": ["é", 1]}) == '{\n  "a": [\n    "é",\n    1\n  ]\n}\n'


def test_hashes_are_the_sha256_of_the_bytes(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"hello\n")
    digest = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
    assert package.sha256_bytes(b"hello\n") == digest and package.sha256_of(tmp_path / "a.txt") == digest
    assert package.integrity_of(tmp_path / "a.txt") == {"bytes": 6, "hash": f"sha256:{digest}"}


def test_refreshed_integrity_is_a_new_descriptor_with_each_files_size_and_hash(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_bytes(b"hello\n")
    (tmp_path / "b.txt").write_bytes(b"")
    descriptor = {"name": "p", "resources": [{"name": "a", "path": "data/a.txt", "bytes": 1, "hash": "x"},
                                             {"name": "b", "path": "b.txt"}]}
    fresh = package.refresh_integrity(descriptor, str(tmp_path))
    assert fresh == {"name": "p", "resources": [
        {"name": "a", "path": "data/a.txt", "bytes": 6,
         "hash": "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"},
        {"name": "b", "path": "b.txt", "bytes": 0,
         "hash": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]}
    assert descriptor["resources"][0] == {"name": "a", "path": "data/a.txt", "bytes": 1, "hash": "x"}


@pytest.mark.parametrize("text", ['[]', '{"resources": {}}', '{"name": "p"}', '"resources"'])
def test_a_descriptor_must_be_an_object_with_a_list_of_resources(tmp_path, text):
    (tmp_path / "datapackage.json").write_text(text, encoding="utf-8")
    assert refusal(lambda: package.read_descriptor(tmp_path / "datapackage.json")) == (
        PackageError, f"{tmp_path / 'datapackage.json'}: not a data package descriptor (no resources list)")


def test_a_descriptor_with_a_list_of_resources_is_read(tmp_path):
    (tmp_path / "datapackage.json").write_text('{"resources": []}', encoding="utf-8")
    assert package.read_descriptor(tmp_path / "datapackage.json") == {"resources": []}


def test_a_new_file_gets_the_mode_the_umask_gives_and_an_old_one_keeps_its_own(tmp_path):
    old_umask = os.umask(0o027)
    try:
        assert package._new_file_mode(tmp_path / "new") == 0o640
        package.atomic_write(tmp_path / "new", "é")
        assert (tmp_path / "new").stat().st_mode & 0o7777 == 0o640
        assert (tmp_path / "new").read_bytes() == "é".encode("utf-8")
        os.chmod(tmp_path / "new", 0o604)
        package.atomic_write(tmp_path / "new", b"\x00\xff")
        assert (tmp_path / "new").stat().st_mode & 0o7777 == 0o604 and (tmp_path / "new").read_bytes() == b"\x00\xff"
        assert os.umask(0o027) == 0o027  # the umask is left as it was
    finally:
        os.umask(old_umask)


def test_a_write_goes_through_a_hidden_file_beside_the_target(tmp_path, monkeypatch):
    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append((Path(a), Path(b))), real_replace(a, b)))
    package.atomic_write(tmp_path / "t.csv", "id\n")
    [(temporary, target)] = replaced
    assert target == tmp_path / "t.csv" and temporary.parent == tmp_path
    assert temporary.name.startswith(".t.csv.") and temporary.name.endswith(".tmp")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    (tmp_path / "t.csv").write_text("old\n", encoding="utf-8")

    def interrupted(a, b):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        package.atomic_write(tmp_path / "t.csv", "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == "old\n"


def test_a_failed_write_names_the_file_and_the_reason(tmp_path, monkeypatch):
    with pytest.raises(WriteError) as caught:
        package.atomic_write(tmp_path / "no-folder" / "t.csv", "x")
    assert (caught.value.errno, str(caught.value)) == (2, f"[Errno 2] cannot write {tmp_path / 'no-folder' / 't.csv'}: No such file or directory")

    def full(a, b):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(WriteError) as caught:
        package.atomic_write(tmp_path / "t.csv", "x")
    assert (caught.value.errno, caught.value.strerror) == (28, f"cannot write {tmp_path / 't.csv'}: No space left on device")
    assert list(tmp_path.iterdir()) == []


# --- dp.load: typed tables ---------------------------------------------------------------------------


@pytest.fixture
def typed_package(tmp_path):
    """A package of a keyed table with every type and an enum, a table with an inline schema, and a text file."""
    schema = {"fields": [
        {"name": "id", "type": "string", "description": "The row."},
        {"name": "n", "type": "integer"}, {"name": "x", "type": "number", "constraints": {"required": True}},
        {"name": "d", "type": "date"}, {"name": "b", "type": "boolean"},
        {"name": "unit", "type": "string", "constraints": {"enum": ["km", "m"]}}, {"name": "note"}],
        "primaryKey": "id", "missingValues": ["", "NA"]}
    (tmp_path / "t.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    (tmp_path / "t.csv").write_text("id,n,x,d,b,unit,note\na,1,1.5,2017-03-24,true,m,hi\nb,NA,2,,false,,\n", encoding="utf-8")
    (tmp_path / "u.csv").write_text("k\nz\n", encoding="utf-8")
    (tmp_path / "readme.txt").write_text("hello\n", encoding="utf-8")
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "p", "resources": [
        {"name": "readme", "path": "readme.txt"},
        {"name": "t", "path": "t.csv", "schema": "t.schema.json"},
        {"name": "u", "path": "u.csv", "type": "table", "schema": {"fields": [{"name": "k", "type": "string"}]}},
    ]}), encoding="utf-8")
    return tmp_path / "datapackage.json"


def test_only_tables_are_loaded_and_an_unknown_one_names_the_known(typed_package):
    descriptor = json.loads(typed_package.read_text(encoding="utf-8"))
    assert [r["name"] for r in load.tabular_resources(descriptor)] == ["t", "u"]
    assert load.resource_entry(descriptor, "u")["path"] == "u.csv"
    with pytest.raises(KeyError) as caught:
        load.resource_entry(descriptor, "readme")
    assert caught.value.args[0] == "no tabular resource 'readme' in the package; known: t, u"


def test_each_column_gets_its_schemas_type_and_an_enum_its_categories(typed_package):
    frame = load.load_resource("t", typed_package)
    assert frame.dtypes.astype(str).to_dict() == {
        "id": "string", "n": "Int64", "x": "Float64", "d": "datetime64[us]", "b": "boolean", "unit": "category",
        "note": "string"}
    assert list(frame["unit"].cat.categories) == ["km", "m"]
    assert frame.astype(object).where(frame.notna(), None).to_dict("records") == [
        {"id": "a", "n": 1, "x": 1.5, "d": pd.Timestamp("2017-03-24"), "b": True, "unit": "m", "note": "hi"},
        {"id": "b", "n": None, "x": 2.0, "d": None, "b": False, "unit": None, "note": None}]


def test_the_whole_package_loads_in_descriptor_order(typed_package):
    tables = load.load_package(typed_package)
    assert list(tables) == ["t", "u"] and tables["u"]["k"].tolist() == ["z"]
    assert load.enum_dtypes(load.table_schema("t", typed_package)) == {"unit": pd.CategoricalDtype(["km", "m"])}


def test_cells_that_do_not_parse_or_leave_the_enum_are_each_named(typed_package):
    csv = typed_package.parent / "t.csv"
    csv.write_text("id,n,x,d,b,unit,note\na,1.5,1,2017-13-01,yes,cm,\nb,2,x,,,km,\nc,,,,,mm,\n", encoding="utf-8")
    with pytest.raises(load.LoadError) as caught:
        load.load_resource("t", typed_package)
    assert str(caught.value) == ("t.csv: cells that do not fit their schema's type or enum: "
                                 "row 2 n='1.5'; row 3 x='x'; row 2 d='2017-13-01'; row 2 b='yes'; "
                                 "row 2 unit='cm'; row 4 unit='mm'")


def test_other_tools_get_the_type_of_each_field(typed_package):
    assert load.duckdb_types("t", typed_package) == {
        "id": "VARCHAR", "n": "BIGINT", "x": "DOUBLE", "d": "DATE", "b": "BOOLEAN", "unit": "VARCHAR", "note": "VARCHAR"}
    polars = pytest.importorskip("polars")
    assert load.polars_schema("t", typed_package) == {
        "id": polars.String, "n": polars.Int64, "x": polars.Float64, "d": polars.Date, "b": polars.Boolean,
        "unit": polars.String, "note": polars.String}
    assert [load.tool_types(f).sqlite for f in load.table_schema("t", typed_package)["fields"]] == [
        "TEXT", "INTEGER", "REAL", "TEXT", "INTEGER", "TEXT", "TEXT"]


def test_a_type_other_tools_cannot_be_given_is_refused_by_name():
    with pytest.raises(load.LoadError) as caught:
        load.tool_types({"name": "where", "type": "geopoint"})
    assert str(caught.value) == ("field 'where' has type 'geopoint'; types other tools can be given: "
                                 "string, number, integer, date, boolean")
    assert load.tool_types({"name": "plain"}) == load.TOOL_TYPES["string"]


def test_the_arrow_schema_has_types_nullability_and_descriptions(typed_package):
    arrow = load.arrow_schema(load.table_schema("t", typed_package))
    assert [(f.name, str(f.type), f.nullable, f.metadata) for f in arrow] == [
        ("id", "string", False, {b"description": b"The row."}), ("n", "int64", True, {b"description": b""}),
        ("x", "double", False, {b"description": b""}), ("d", "date32[day]", True, {b"description": b""}),
        ("b", "bool", True, {b"description": b""}), ("unit", "string", True, {b"description": b""}),
        ("note", "string", True, {b"description": b""})]


def test_arrow_reads_the_csv_with_the_schemas_types_and_missing_values(typed_package):
    options = load.arrow_convert_options("t", typed_package)
    assert options.null_values == ["", "NA"] and options.strings_can_be_null is True
    assert {name: str(kind) for name, kind in options.column_types.items()} == {
        "id": "string", "n": "int64", "x": "double", "d": "date32[day]", "b": "bool", "unit": "string", "note": "string"}
    table = pa.csv.read_csv(typed_package.parent / "t.csv", convert_options=options)
    assert table.column("n").to_pylist() == [1, None] and table.column("note").to_pylist() == ["hi", None]
    assert load.arrow_convert_options("u", typed_package).null_values == [""]


# --- dp.spans: quotes in a text -------------------------------------------------------------------------


def test_each_distinct_quote_found_and_empty_ones_ignored():
    found = spans.QuoteSpans("the coalition of 68 members", ["68 members", "", "coalition", "absent", "68 members"])
    assert found.found == {"68 members", "coalition"}
    assert found.occurs("coalition") and found.occurs("") and not found.occurs("absent") and not found.occurs("the")
    assert found.starts.tolist() == [4, 17] and found.reach.tolist() == [13, 27]


def test_a_text_without_any_quote_covers_nothing():
    for quotes in ([], [""], ["zzz"]):
        empty = spans.QuoteSpans("some text", quotes)
        assert empty.found == set() and empty.covers([0, 2], [1, 4]).tolist() == [False, False]
        assert empty.covers([0], [1]).dtype == bool


def test_a_span_is_covered_only_inside_one_occurrence():
    text = "aaa bbb aaa"
    found = spans.QuoteSpans(text, ["aaa", "a bbb"])
    # occurrences [0,3), [2,7), [8,11): the furthest end reached grows with the starts
    assert found.starts.tolist() == [0, 2, 8] and found.reach.tolist() == [3, 7, 11]
    assert found.covers([0, 2, 3, 0, 8, 9, 7, 3], [3, 7, 7, 4, 11, 11, 8, 3]).tolist() == [
        True, True, True, False, True, True, False, True]
    assert found.covers(np.array([1]), np.array([12])).tolist() == [False]


def test_a_span_before_the_first_occurrence_is_not_covered():
    found = spans.QuoteSpans("xx abc", ["abc"])
    assert found.covers([0, 3, 2], [1, 6, 6]).tolist() == [False, True, False]


def test_a_long_occurrence_still_covers_spans_after_a_shorter_later_one():
    found = spans.QuoteSpans("abcdefgh", ["abcdefgh", "cd"])
    assert found.reach.tolist() == [8, 8]
    assert found.covers([5], [8]).tolist() == [True]


def test_line_numbers_start_at_one_and_a_newline_belongs_to_its_line():
    assert spans.line_numbers("ab\ncd\n\nef", [0, 2, 3, 5, 6, 7, 8]).tolist() == [1, 1, 2, 2, 3, 4, 4]
    assert spans.line_numbers("no newline", [0, 9]).tolist() == [1, 1]
    assert spans.line_numbers("", []).tolist() == []


def test_offsets_given_as_floats_count_by_their_whole_part():
    found = spans.QuoteSpans("xx abc", ["abc"])
    assert found.covers(np.array([3.7]), np.array([6.9])).tolist() == [True]
    assert found.covers([2.9], [6.0]).tolist() == [False]
    assert spans.line_numbers("ab\ncd", np.array([2.9, 3.2])).tolist() == [1, 2]
