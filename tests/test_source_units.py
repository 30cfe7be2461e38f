"""How a package read from a zip or a folder names its files and refuses members, in-process: the
reasons a user reads when a zip is refused, and file names shown without the private temporary folder."""
import zipfile
from pathlib import Path

import pytest

from dp.package import PackageError
from dp.source import Limits, PackageView, is_zip, unsafe_member_reason, zip_refusals


@pytest.mark.parametrize("name,reason", [
    ("data/metrics.csv", None),
    ("data/", None),
    ("X", None),
    ("dataX/", None),
    ("a\\b.csv", "holds a backslash or NUL"),
    ("a\x00b.csv", "holds a backslash or NUL"),
    ("", "is empty"),
    ("/", "is empty"),
    ("//", "is empty"),
    ("/etc/passwd", "is absolute; use a path relative to datapackage.json"),
    ("../x/", "contains '..'; every file must be inside the package"),
    ("C:x.csv", "is absolute; use a path relative to datapackage.json"),
])
def test_a_zip_member_name_must_stay_inside_the_package(name, reason):
    assert unsafe_member_reason(name) == reason


class Archive:
    def __init__(self, *infos):
        self.infos = list(infos)

    def infolist(self):
        return self.infos


def member(name, size=10, compressed=10, method=zipfile.ZIP_DEFLATED, mode=0o100644, flags=0):
    info = zipfile.ZipInfo(name)
    info.file_size, info.compress_size, info.compress_type, info.flag_bits = size, compressed, method, flags
    info.external_attr = mode << 16
    return info


def test_every_reason_to_refuse_a_zip_is_given_from_its_directory():
    limits = Limits(members=11, total_bytes=5000, ratio=10, ratio_floor=100)
    archive = Archive(
        member("datapackage.json"), member("data/"), member("data"), member("a\\b"), member("link", mode=0o120777),
        member("datapackage.json"), member("secret", flags=1), member("old", method=zipfile.ZIP_BZIP2),
        member("bomb", size=1101, compressed=100), member("big", size=1000, compressed=100), member("tiny", size=99, compressed=0))
    assert zip_refusals(Path("x.zip"), archive, limits) == [
        "member data appears twice",
        "unsafe member name 'a\\\\b': it holds a backslash or NUL",
        "member link is a symlink",
        "member datapackage.json appears twice",
        "member secret is encrypted",
        f"member old uses compression method {zipfile.ZIP_BZIP2}; only stored and deflate are read",
        "member bomb expands 11 times (1101 bytes), more than the limit of 10 (a zip bomb?)",
    ]
    assert zip_refusals(Path("x.zip"), Archive(member("a", size=3000, compressed=3000), member("b", size=2001, compressed=2001)), limits) == [
        "its members hold 5001 bytes uncompressed, more than the limit of 5000"]
    assert zip_refusals(Path("x.zip"), Archive(member("a", size=3000, compressed=3000), member("b", size=2000, compressed=2000)), limits) == []
    assert zip_refusals(Path("x.zip"), Archive(*[member(f"m{i}", mode=0o120777) for i in range(12)]), limits) == [
        "it holds 12 members, more than the limit of 11"]
    assert zip_refusals(Path("x.zip"), Archive(member("stored", method=zipfile.ZIP_STORED)), limits) == []
    assert zip_refusals(Path("x.zip"), Archive(member("data"), member("data/")), limits) == ["member data/ appears twice"]


def test_a_zip_is_known_by_its_name_or_by_its_content(tmp_path):
    with zipfile.ZipFile(tmp_path / "package.bin", "w") as archive:
        archive.writestr("datapackage.json", "{}")
    (tmp_path / "text.csv").write_text("id\n", encoding="utf-8")
    (tmp_path / "broken.ZIP").write_text("not a zip", encoding="utf-8")
    assert is_zip(tmp_path / "package.bin") and is_zip(tmp_path / "broken.ZIP") and not is_zip(tmp_path / "text.csv")


def test_a_file_of_an_archive_is_named_inside_the_archive_and_the_temporary_folder_never_shown(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("id\n", encoding="utf-8")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    zipped = PackageView(tmp_path, origin="v1.zip")
    assert zipped.name("data/t.csv") == "data/t.csv in v1.zip"
    assert zipped.shown(f"cannot read {tmp_path}/data/t.csv or {tmp_path}") == "cannot read data/t.csv or v1.zip"
    assert zipped.refusal("data/t.csv") is None and zipped.is_file("data/t.csv")
    assert zipped.refusal("data/u.csv") == ("missing-file", "data/u.csv does not exist")
    assert zipped.refusal("../t.csv") == ("unsafe-path", "v1.zip: '../t.csv' contains '..'; every file must be inside the package")
    with pytest.raises(PackageError) as refused:
        zipped.read_json("bad.json")
    assert "bad.json in v1.zip" in str(refused.value) and str(tmp_path) not in str(refused.value)
    folder = PackageView(tmp_path)
    assert folder.name("data/t.csv") == str(tmp_path / "data" / "t.csv")
    assert folder.shown(f"{tmp_path}/data/t.csv") == f"{tmp_path}/data/t.csv"
    assert folder.refusal("data/u.csv") == ("missing-file", "data/u.csv does not exist")
