"""The release zip and SHA256SUMS (dp/dist.py), built in-process from a small package written here."""
import hashlib
import io
import json
import sys
import zipfile

import pytest

from dp.dist import build_zip, sha256sums, zip_name
from dp.package import PackageError
from dp.zip_readme import render_readme

SCHEMA = "schemas/counts.schema.json"  # two tables share it: the zip carries it once
DESCRIPTOR = {"name": "tiny", "title": "Tiny figures", "version": "2.1.0", "resources": [
    {"name": "counts", "path": "data/counts.csv", "schema": SCHEMA},
    {"name": "deep", "path": "data/more/deep.csv", "schema": SCHEMA},
    {"name": "source", "path": "archive/source.txt"}]}
CHANGELOG_TEXT = "# Changelog\n\n## [Unreleased]\n\n- Next release's note.\n\n## [2.1.0] - 2024-05-06\n\n- Counts.\n"
FILES = {
    "data/counts.csv": b"id\n1\n",
    "data/more/deep.csv": b"id\n2\n",
    "schemas/counts.schema.json": b'{"fields": [{"name": "id", "type": "integer"}]}',
    "archive/source.txt": b"The source.\n",
    "LICENSE-DATA": b"Public domain.\n",
    "CITATION.cff": b"cff-version: 1.2.0\n",
    "CHANGELOG.md": CHANGELOG_TEXT.encode("utf-8"),
    "notes.txt": b"Not released.\n",
}
DESCRIPTOR_BYTES = (json.dumps(DESCRIPTOR, indent=4) + "\n").encode("utf-8")
RELEASED_CHANGELOG = b"# Changelog\n\n## [Unreleased]\n\n## [2.1.0] - 2024-05-06\n\n- Counts.\n"
FILE, FOLDER = 0o100644 << 16, (0o040755 << 16) | 0x10  # rw-r--r-- files; rwxr-xr-x folders, with the MS-DOS folder bit


@pytest.fixture
def package(tmp_path):
    for name, data in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (tmp_path / "datapackage.json").write_bytes(DESCRIPTOR_BYTES)
    return tmp_path


def members(data):
    """(name, date_time, external_attr, create_system, compress_type, bytes) of each member, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, info.date_time, info.external_attr, info.create_system, info.compress_type, archive.read(info))
                for info in archive.infolist()]


def test_zip_name_is_package_name_and_version():
    assert zip_name("tiny", "2.1.0") == "tiny-2.1.0.zip"


def test_format_2_holds_descriptor_then_sorted_folders_and_files_with_unix_modes(package):
    readme = render_readme(DESCRIPTOR, package, "2.1.0", "2024-05-06").encode("utf-8")
    stamp, unix, deflated, stored = (2024, 5, 6, 0, 0, 0), 3, zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED
    assert members(build_zip(package, "datapackage.json", DESCRIPTOR, "2024-05-06")) == [
        ("datapackage.json", stamp, FILE, unix, deflated, DESCRIPTOR_BYTES),
        ("CHANGELOG.md", stamp, FILE, unix, deflated, RELEASED_CHANGELOG),
        ("CITATION.cff", stamp, FILE, unix, deflated, FILES["CITATION.cff"]),
        ("LICENSE-DATA", stamp, FILE, unix, deflated, FILES["LICENSE-DATA"]),
        ("README.md", stamp, FILE, unix, deflated, readme),
        ("archive/", stamp, FOLDER, unix, stored, b""),
        ("archive/source.txt", stamp, FILE, unix, deflated, FILES["archive/source.txt"]),
        ("data/", stamp, FOLDER, unix, stored, b""),
        ("data/counts.csv", stamp, FILE, unix, deflated, FILES["data/counts.csv"]),
        ("data/more/", stamp, FOLDER, unix, stored, b""),
        ("data/more/deep.csv", stamp, FILE, unix, deflated, FILES["data/more/deep.csv"]),
        ("schemas/", stamp, FOLDER, unix, stored, b""),
        ("schemas/counts.schema.json", stamp, FILE, unix, deflated, FILES["schemas/counts.schema.json"]),
    ]


def test_the_readme_in_the_zip_names_the_descriptor_version_and_the_release_date(package):
    descriptor = dict(DESCRIPTOR, version="3.0.0")
    with zipfile.ZipFile(io.BytesIO(build_zip(package, "datapackage.json", descriptor, "2031-12-25"))) as archive:
        readme = archive.read("README.md").decode("utf-8")
    assert readme == render_readme(descriptor, package, "3.0.0", "2031-12-25")
    assert "Version 3.0.0, released 2031-12-25." in readme


def test_the_same_package_and_date_give_the_same_bytes_and_another_date_other_bytes(package):
    first = build_zip(package, "datapackage.json", DESCRIPTOR, "2024-05-06")
    assert build_zip(package, "datapackage.json", DESCRIPTOR, "2024-05-06") == first
    assert build_zip(package, "datapackage.json", DESCRIPTOR, "2024-05-07") != first


def test_format_1_holds_descriptor_files_and_changelog_without_folders(package):
    default_system = 0 if sys.platform == "win32" else 3
    stamp, mode, deflated = (2017, 3, 24, 0, 0, 0), 0o644 << 16, zipfile.ZIP_DEFLATED
    assert members(build_zip(package, "datapackage.json", DESCRIPTOR, "2017-03-24", zip_format=1)) == [
        ("datapackage.json", stamp, mode, default_system, deflated, DESCRIPTOR_BYTES),
        ("data/counts.csv", stamp, mode, default_system, deflated, FILES["data/counts.csv"]),
        ("schemas/counts.schema.json", stamp, mode, default_system, deflated, FILES["schemas/counts.schema.json"]),
        ("data/more/deep.csv", stamp, mode, default_system, deflated, FILES["data/more/deep.csv"]),
        ("archive/source.txt", stamp, mode, default_system, deflated, FILES["archive/source.txt"]),
        ("CHANGELOG.md", stamp, mode, default_system, deflated, RELEASED_CHANGELOG),
    ]


def test_a_descriptor_under_another_name_is_read_from_that_file(package):
    (package / "other.json").write_bytes(b'{"renamed": true}\n')
    for zip_format in (1, 2):
        data = build_zip(package, "other.json", DESCRIPTOR, "2024-05-06", zip_format=zip_format)
        assert members(data)[0][0::5] == ("other.json", b'{"renamed": true}\n')


@pytest.mark.parametrize("name", ["LICENSE-DATA", "CITATION.cff", "CHANGELOG.md"])
def test_format_2_needs_each_file_it_carries_next_to_the_data(package, name):
    (package / name).unlink()
    with pytest.raises(PackageError) as err:
        build_zip(package, "datapackage.json", DESCRIPTOR, "2024-05-06")
    assert str(err.value) == f"{package / name}: not found; the release zip carries it"


def test_a_folder_in_place_of_a_carried_file_is_not_found(package):
    (package / "CITATION.cff").unlink()
    (package / "CITATION.cff").mkdir()
    with pytest.raises(PackageError) as err:
        build_zip(package, "datapackage.json", DESCRIPTOR, "2024-05-06")
    assert str(err.value) == f"{package / 'CITATION.cff'}: not found; the release zip carries it"


@pytest.mark.parametrize("zip_format", [1, 2])
def test_a_changelog_that_is_not_utf8_stops_the_zip_at_its_first_bad_byte(package, zip_format):
    (package / "CHANGELOG.md").write_bytes(b"# Changelog\n\n\xe9t\xe9\n")
    with pytest.raises(PackageError) as err:
        build_zip(package, "datapackage.json", DESCRIPTOR, "2024-05-06", zip_format=zip_format)
    assert str(err.value) == f"{package / 'CHANGELOG.md'}: not UTF-8 at byte 13"


def test_only_the_changelog_loses_its_unreleased_notes(package):
    (package / "LICENSE-DATA").write_text("## [Unreleased]\n\n- kept\n", encoding="utf-8")
    with zipfile.ZipFile(io.BytesIO(build_zip(package, "datapackage.json", DESCRIPTOR, "2024-05-06"))) as archive:
        assert archive.read("LICENSE-DATA") == b"## [Unreleased]\n\n- kept\n"
        assert archive.read("CHANGELOG.md") == RELEASED_CHANGELOG


@pytest.mark.parametrize("zip_format, shown", [(3, "3"), ("2", "'2'"), (None, "None")])
def test_an_unknown_zip_format_is_refused_by_name(package, zip_format, shown):
    with pytest.raises(PackageError) as err:
        build_zip(package, "datapackage.json", DESCRIPTOR, "2024-05-06", zip_format=zip_format)
    assert str(err.value) == f"zip_format {shown} is unknown to this version of the tools"


def sums_line(data, name):
    return f"{hashlib.sha256(data).hexdigest()}  {name}\n"


def test_sha256sums_lists_dist_files_and_new_ones_by_name_new_ones_winning(tmp_path):
    dist = tmp_path / "dist"
    (dist / "sub").mkdir(parents=True)
    for name, data in {"b.zip": b"old b", "a.csv": b"a", "SHA256SUMS": b"old sums", ".hidden": b"h", "sub/c": b"c"}.items():
        (dist / name).write_bytes(data)
    assert sha256sums(dist, {"b.zip": b"new b", "C.txt": b"C"}) == (
        sums_line(b"C", "C.txt") + sums_line(b"a", "a.csv") + sums_line(b"new b", "b.zip"))


def test_sha256sums_without_a_dist_folder_lists_the_new_files(tmp_path):
    assert sha256sums(tmp_path / "dist", {"z.zip": b"z", "y.zip": b""}) == sums_line(b"", "y.zip") + sums_line(b"z", "z.zip")
    assert sha256sums(tmp_path / "dist", {}) == ""
    (tmp_path / "file").write_bytes(b"not a folder")
    assert sha256sums(tmp_path / "file", {"a": b"a"}) == sums_line(b"a", "a")
