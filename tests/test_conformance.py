"""The descriptor and every Table Schema conform to the official Data Package v2 profiles.

The profiles are the JSON Schemas that the `dplib-py` package ships (dplib/profiles/2.0/); they are
read from the installed package, never copied here. Every reference resolves among those local
files: nothing is fetched.
"""
import importlib.util
import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource

from conftest import ROOT
from dp.load import tabular_resources
from dp.package import read_json
from dp.tableschema import as_list, schema_of

PROFILE_URL = "https://datapackage.org/profiles/2.0/{}.json"
PROFILE_NAMES = ("datapackage", "dataresource", "tableschema", "tabledialect")
DESCRIPTOR = read_json(ROOT / "datapackage.json")
# Open Definition ids of data licences (opendefinition.org/licenses); the spec asks licence names to be one.
OPEN_DEFINITION_IDS = {"ODC-PDDL-1.0", "ODC-BY-1.0", "ODC-ODbL-1.0", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0"}


def profile_folder():
    spec = importlib.util.find_spec("dplib")
    if spec is None:
        pytest.fail("dplib-py is not installed; run `make test`, which installs requirements-dev.txt")
    return Path(spec.submodule_search_locations[0]) / "profiles" / "2.0"


PROFILES = {name: json.loads((profile_folder() / f"{name}.json").read_text(encoding="utf-8")) for name in PROFILE_NAMES}
# Every profile under its published URL, and no retrieval: a reference to anything else fails instead of fetching.
REGISTRY = Registry().with_resources(
    (PROFILE_URL.format(name), Resource.from_contents(profile)) for name, profile in PROFILES.items())


def validator(name):
    profile = PROFILES[name]
    cls = validator_for(profile, default=None)
    assert cls is Draft7Validator, f"the {name} profile declares {profile.get('$schema')}; this test expects draft-07"
    cls.check_schema(profile)
    return cls(profile, registry=REGISTRY, format_checker=cls.FORMAT_CHECKER)


def errors(name, instance):
    return [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
            for error in validator(name).iter_errors(instance)]


def test_descriptor_declares_the_v2_profile():
    assert DESCRIPTOR["$schema"] == PROFILE_URL.format("datapackage")


def test_descriptor_conforms_to_the_v2_data_package_profile():
    assert errors("datapackage", DESCRIPTOR) == []


@pytest.mark.parametrize("resource", DESCRIPTOR["resources"], ids=lambda r: r["name"])
def test_each_resource_conforms_to_the_v2_data_resource_profile(resource):
    assert errors("dataresource", resource) == []


@pytest.mark.parametrize("resource", tabular_resources(DESCRIPTOR), ids=lambda r: r["name"])
def test_each_table_schema_conforms_to_the_v2_table_schema_profile(resource):
    schema = schema_of(resource, ROOT)
    assert schema["$schema"] == PROFILE_URL.format("tableschema")
    assert errors("tableschema", schema) == []


def test_the_profiles_catch_what_v2_forbids():
    """The check can fail: a resource type v2 does not define, and a field type it does not know."""
    text_resource = dict(DESCRIPTOR["resources"][-1], type="text")
    assert any("'text' is not one of ['table']" in error for error in errors("dataresource", text_resource))
    bad_schema = {"fields": [{"name": "n", "type": "decimal"}]}
    assert errors("tableschema", bad_schema)


@pytest.mark.parametrize("resource", tabular_resources(DESCRIPTOR), ids=lambda r: r["name"])
def test_a_self_reference_leaves_the_resource_empty(resource):
    """v2: a foreign key into its own table names no resource ("" here, which v1 readers accept too)."""
    for key in schema_of(resource, ROOT).get("foreignKeys", []):
        assert key["reference"].get("resource") != resource["name"], as_list(key["fields"])


def test_licence_names_are_open_definition_ids():
    licences = DESCRIPTOR["licenses"] + [licence for resource in DESCRIPTOR["resources"]
                                         for licence in resource.get("licenses", [])]
    for licence in licences:
        if "name" in licence:
            assert licence["name"] in OPEN_DEFINITION_IDS, licence
        else:
            assert licence.get("path") and licence.get("title"), licence


def test_the_briefing_says_it_is_a_us_government_work():
    """The package's dedication does not cover the briefing: its own licence entry says what does."""
    briefing = next(resource for resource in DESCRIPTOR["resources"] if resource["name"] == "briefing")
    assert [licence.get("name") for licence in briefing["licenses"]] == [None]
    assert "17 U.S.C. 105" in briefing["licenses"][0]["title"]
