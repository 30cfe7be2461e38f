"""Paths that leave the package and references a tool would fetch, checked in-process on descriptors:
each is refused with its resource, field and reason, and the standard profiles stay allowed."""
import pytest

from dp.safety import path_problems, reference_problems, unsafe_path_reason

STANDARD = "https://datapackage.org/profiles/2.0/datapackage.json"


@pytest.mark.parametrize("path,reason", [
    ("data/metrics.csv", None),
    ("a..b/c.csv", None),
    ("data/..csv", None),
    ("", "is not a relative file path"),
    (None, "is not a relative file path"),
    (["data/metrics.csv"], "is not a relative file path"),
    ("https://example.org/a.csv", "is a URL; every file must be inside the package"),
    ("file:data.csv", "is a URL; every file must be inside the package"),
    ("s3+x.y-z:bucket/a.csv", "is a URL; every file must be inside the package"),
    ("C:data.csv", "is a URL; every file must be inside the package"),
    ("/etc/passwd", "is absolute; use a path relative to datapackage.json"),
    ("\\\\server\\share\\a.csv", "is absolute; use a path relative to datapackage.json"),
    ("../outside.csv", "contains '..'; every file must be inside the package"),
    ("data/../../outside.csv", "contains '..'; every file must be inside the package"),
    ("data\\..\\..\\outside.csv", "contains '..'; every file must be inside the package"),
    ("data/..", "contains '..'; every file must be inside the package"),
])
def test_a_path_must_stay_inside_the_package(path, reason):
    assert unsafe_path_reason(path) == reason


def test_each_path_schema_and_dialect_that_leaves_the_package_is_reported_once():
    resources = {
        "metrics": {"path": "data/metrics.csv", "schema": "schemas/metrics.json", "dialect": {"delimiter": ","}},
        "out": {"path": "../out.csv", "schema": "/abs.json", "dialect": "../d.json"},
        "remote": {"path": "https://example.org/a.csv", "schema": "https://example.org/s.json", "dialect": "ftp://x/d"},
        "odd": {"path": None, "schema": None, "dialect": None},
        "inline": {"path": ["a.csv"], "schema": {"fields": []}, "dialect": 3},
    }
    assert [(p.resource, p.rule, p.field, p.message) for p in path_problems(resources)] == [
        ("out", "unsafe-path", "path", "path '../out.csv' contains '..'; every file must be inside the package"),
        ("out", "unsafe-path", "schema", "schema '/abs.json' is absolute; use a path relative to datapackage.json"),
        ("out", "unsafe-path", "dialect", "dialect '../d.json' contains '..'; every file must be inside the package"),
        ("remote", "unsafe-path", "path", "path 'https://example.org/a.csv' is a URL; every file must be inside the package"),
        ("odd", "unsafe-path", "path", "path None is not a relative file path"),
        ("inline", "unsafe-path", "path", "path ['a.csv'] is not a relative file path"),
        ("inline", "unsafe-path", "dialect", "dialect 3 is not a relative file path"),
    ]


def test_the_standard_profiles_and_schemas_are_allowed():
    descriptor = {"profile": "tabular-data-package", "$schema": STANDARD, "resources": [
        {"name": "a", "profile": "tabular-data-resource", "$schema": "https://datapackage.org/profiles/1.0/dataresource.json",
         "schema": {"$schema": "https://datapackage.org/profiles/2.0/tableschema.json", "fields": []},
         "dialect": {"$schema": "https://datapackage.org/profiles/1.0/tabledialect.json"}},
        {"name": "b", "profile": "data-resource", "schema": "schemas/b.json", "dialect": "b.json"},
        "not an object",
    ]}
    assert reference_problems(descriptor) == []
    assert reference_problems({"profile": "data-package"}) == []


def test_each_reference_a_tool_would_fetch_is_named_with_where_it_is():
    descriptor = {"profile": "fiscal-data-package", "$schema": "https://datapackage.org/profiles/3.0/datapackage.json", "resources": [
        {"name": "a", "profile": "tabular-data-package", "$schema": None,
         "schema": "https://example.org/schema.json", "dialect": "HTTP://example.org/d.json"},
        {"name": "b", "schema": {"$schema": "http://x/s", "profile": "tabular-data-resource"}, "dialect": {"profile": 3}},
        {"schema": "ftp://x/s"},
    ]}
    profiles = "data-package, tabular-data-package"
    resource_profiles = "data-resource, tabular-data-resource"
    assert [(p.resource, p.rule, p.field, p.message) for p in reference_problems(descriptor)] == [
        ("datapackage.json", "remote-reference", "$schema",
         f"$schema 'https://datapackage.org/profiles/3.0/datapackage.json' is not a standard Data Package profile ({profiles}); the gate fetches and reads no other"),
        ("datapackage.json", "remote-reference", "profile",
         f"profile 'fiscal-data-package' is not a standard Data Package profile ({profiles}); the gate fetches and reads no other"),
        ("a", "remote-reference", "$schema",
         f"$schema None is not a standard Data Package profile ({resource_profiles}); the gate fetches and reads no other"),
        ("a", "remote-reference", "profile",
         f"profile 'tabular-data-package' is not a standard Data Package profile ({resource_profiles}); the gate fetches and reads no other"),
        ("a", "remote-reference", "schema",
         "schema 'https://example.org/schema.json' is a URL; the gate fetches nothing, give it as a file in the package"),
        ("a", "remote-reference", "dialect",
         "dialect 'HTTP://example.org/d.json' is a URL; the gate fetches nothing, give it as a file in the package"),
        ("b", "remote-reference", "$schema",
         "schema $schema 'http://x/s' is not a standard Data Package profile (a datapackage.org/profiles URL); the gate fetches and reads no other"),
        ("b", "remote-reference", "profile",
         "schema profile 'tabular-data-resource' is not a standard Data Package profile (a datapackage.org/profiles URL); the gate fetches and reads no other"),
        ("b", "remote-reference", "profile",
         "dialect profile 3 is not a standard Data Package profile (a datapackage.org/profiles URL); the gate fetches and reads no other"),
        ("None", "remote-reference", "schema",
         "schema 'ftp://x/s' is a URL; the gate fetches nothing, give it as a file in the package"),
    ]
