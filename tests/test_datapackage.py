"""The package as published: frictionless says VALID, every CSV loads, quotes and keys hold."""
import csv
import json

import pandas as pd
import pytest
from frictionless import validate

from breakage import edit_descriptor
from conftest import ROOT
from dp.dictionary import render_dictionary
from dp.package import integrity_of
from dp.tableschema import is_tabular

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
TABLES = [r for r in DESCRIPTOR["resources"] if is_tabular(r)]
SOURCE = (ROOT / "archive" / "global-coalition-meeting-2017-03-24.txt").read_text(encoding="utf-8")


def schema_of(resource):
    return json.loads((ROOT / resource["schema"]).read_text(encoding="utf-8"))


def test_frictionless_says_valid():
    report = validate(str(ROOT / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_briefing_is_a_file_not_a_table_and_frictionless_checks_its_hash(package_copy):
    """With no resource type (v2 allows only 'table'), the briefing is still no table, and its hash still counts."""
    briefing = next(r for r in DESCRIPTOR["resources"] if r["name"] == "briefing")
    assert "type" not in briefing and not is_tabular(briefing)
    edit_descriptor(package_copy, lambda d: d["resources"][-1].update(hash="sha256:" + "0" * 64))
    report = validate(str(package_copy))
    assert [task.name for task in report.tasks if not task.valid] == ["briefing"]
    assert report.flatten(["type"]) == [["hash-count"]]


@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_each_table_says_it_is_one_to_v2_and_v1_readers(resource):
    """v2 readers go by type, v1 readers such as datapackage-py by profile: without it they read no table."""
    assert resource["type"] == "table" and resource["profile"] == "tabular-data-resource"


@pytest.mark.parametrize("resource", DESCRIPTOR["resources"], ids=lambda r: r["name"])
def test_bytes_and_hash_are_current(resource):
    assert integrity_of(ROOT / resource["path"]) == {"bytes": resource["bytes"], "hash": resource["hash"]}


# The sha256 of the briefing's text as first archived (the copy kept beside the first checkout, in
# ../shared/source), written here so that the archive and sources.csv are held to it in every checkout.
BRIEFING_SHA256 = "17b288dfc9ed5132839f0a5f94730b0ec26079647c52413e770b289b205ed0fc"


def test_archive_is_the_briefing_byte_for_byte():
    sources = pd.read_csv(ROOT / "data" / "sources.csv", dtype=str)
    archived = ROOT / sources.loc[0, "path"]
    assert sources.loc[0, "sha256"] == BRIEFING_SHA256
    assert integrity_of(archived)["hash"] == f"sha256:{BRIEFING_SHA256}"


@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_plain_read_csv_gives_numbers_and_dates(resource):
    schema = schema_of(resource)
    dates = [f["name"] for f in schema["fields"] if f["type"] == "date"]
    frame = pd.read_csv(ROOT / resource["path"], parse_dates=dates, date_format="%Y-%m-%d")
    assert list(frame.columns) == [f["name"] for f in schema["fields"]]
    for field in schema["fields"]:
        column = frame[field["name"]]
        if field["type"] in ("number", "integer"):
            assert pd.api.types.is_numeric_dtype(column), field["name"]
        elif field["type"] == "date":
            assert pd.api.types.is_datetime64_any_dtype(column), field["name"]


@pytest.mark.parametrize("resource", TABLES, ids=lambda r: r["name"])
def test_csv_is_utf8_lf_plain(resource):
    data = (ROOT / resource["path"]).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data and data.endswith(b"\n")
    data.decode("utf-8")


@pytest.mark.parametrize("resource", [r for r in TABLES if "quote" in [f["name"] for f in schema_of(r)["fields"]]],
                         ids=lambda r: r["name"])
def test_every_quote_is_verbatim_in_the_archived_briefing(resource):
    with open(ROOT / resource["path"], encoding="utf-8", newline="") as handle:
        quotes = [row["quote"] for row in csv.DictReader(handle)]
    assert quotes
    assert [q for q in quotes if q not in SOURCE] == []


def _foreign_keys():
    for resource in TABLES:
        for key in schema_of(resource).get("foreignKeys", []):
            yield resource, key


@pytest.mark.parametrize("resource,key", list(_foreign_keys()),
                         ids=lambda x: x["name"] if "path" in x else x["fields"][0])
def test_every_foreign_key_resolves(resource, key):
    frame = pd.read_csv(ROOT / resource["path"], dtype=str)
    target_name = key["reference"]["resource"] or resource["name"]
    target = next(r for r in TABLES if r["name"] == target_name)
    known = set(pd.read_csv(ROOT / target["path"], dtype=str)[key["reference"]["fields"][0]])
    values = frame[key["fields"][0]].dropna()
    assert not values.empty
    assert set(values) <= known


def test_dictionary_names_the_self_reference_by_its_table():
    """places.parent refers to places itself ("resource": ""); the dictionary says so in full."""
    section = render_dictionary().split("\n## places\n", 1)[1].split("\n## ", 1)[0]
    assert "Foreign key: `parent` → `places.id`." in section
