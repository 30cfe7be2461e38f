"""A package from a stranger: nothing fetched, no pattern that hangs, no traceback, a clear report."""
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from breakage import edit_descriptor, refresh
from conftest import ROOT, current_version, run_script
from dp.package import PackageError
from dp.validate import validate_package


def problems_of(descriptor_path):
    return [p for p in validate_package(descriptor_path) if p.rule != "released-version-changed"]


def rules_of(descriptor_path):
    return {(p.resource, p.rule) for p in problems_of(descriptor_path)}


def edit_schema(descriptor_path, name, change):
    path = Path(descriptor_path).parent / "schemas" / f"{name}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")


# --- no network, ever ------------------------------------------------------------------------

@pytest.fixture
def loopback():
    """A local HTTP server that records every request; yields (base URL, list of requested paths)."""
    requests = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = b'{"delimiter": ";"}' if "dialect" in self.path else b'{"fields": [{"name": "id"}]}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


REMOTE = {
    "package profile": lambda d, url: d.__setitem__("profile", f"{url}/profile"),
    "package $schema": lambda d, url: d.__setitem__("$schema", f"{url}/datapackage.json"),
    "resource profile": lambda d, url: d["resources"][0].__setitem__("profile", f"{url}/profile"),
    "resource $schema": lambda d, url: d["resources"][0].__setitem__("$schema", f"{url}/dataresource.json"),
    "dialect": lambda d, url: d["resources"][0].__setitem__("dialect", f"{url}/dialect"),
    "schema": lambda d, url: d["resources"][0].__setitem__("schema", f"{url}/schema"),
    "inline dialect $schema": lambda d, url: d["resources"][0].__setitem__("dialect", {"$schema": f"{url}/d"}),
    "official v1 profile by URL": lambda d, url: d.__setitem__("profile", f"{url}/schemas/data-package.json"),
    "fiscal profile": lambda d, url: d.__setitem__("profile", "fiscal-data-package"),  # frictionless fetches it
    "profile as a local path": lambda d, url: d.__setitem__("profile", "schemas/sources.schema.json"),
}


@pytest.mark.parametrize("where", REMOTE)
def test_a_remote_reference_is_refused_and_never_fetched(package_copy, loopback, where):
    url, requests = loopback
    edit_descriptor(package_copy, lambda d: REMOTE[where](d, url))
    found = problems_of(package_copy)
    assert "remote-reference" in {p.rule for p in found}, "\n".join(p.line() for p in found)
    assert requests == []


def test_a_schema_file_that_names_a_remote_profile_is_refused(package_copy, loopback):
    url, requests = loopback
    edit_schema(package_copy, "places", lambda s: s.__setitem__("$schema", f"{url}/tableschema.json"))
    assert ("places", "remote-reference") in rules_of(package_copy)
    assert requests == []


def test_the_standard_profiles_stay_allowed(package_copy):
    edit_descriptor(package_copy, lambda d: (d.__setitem__("profile", "tabular-data-package"),
                                             [r.__setitem__("profile", "tabular-data-resource") for r in d["resources"]]))
    assert "remote-reference" not in {p.rule for p in problems_of(package_copy)}


# --- bounded work: schema patterns run through RE2 ----------------------------------------------

def test_a_catastrophic_pattern_finishes_and_reports_the_cell(tmp_path):
    """^(a+)+$ against a long run of a's ending in b backtracks for ever in Python's re."""
    script = f"""
import sys, json
sys.path.insert(0, {str(ROOT / 'scripts')!r}); sys.path.insert(0, {str(ROOT / 'tests')!r})
from pathlib import Path
from conftest import copy_package
from breakage import set_cell
from dp.validate import validate_package
path = copy_package(Path({str(tmp_path)!r}))
schema = path.parent / "schemas" / "places.schema.json"
s = json.loads(schema.read_text()); s["fields"][5]["constraints"] = {{"pattern": "(a+)+"}}; schema.write_text(json.dumps(s))
set_cell(path, "places", "iraq", "note", "a" * 40 + "b")
print(sorted({{(p.field, p.rule) for p in validate_package(path) if p.field == "note"}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[('note', 'pattern')]"


@pytest.mark.parametrize("pattern", ["(?=a)a+", "(a)\\1", "(?<!x)y", "(", "a{1000}{1000}"])
def test_a_pattern_re2_cannot_run_is_a_schema_problem(package_copy, pattern):
    edit_schema(package_copy, "places", lambda s: s["fields"][1]["constraints"].__setitem__("pattern", pattern))
    assert ("places", "unsupported-pattern") in rules_of(package_copy)


# --- no traceback for any input ----------------------------------------------------------------

def _set_field(index, key, value):
    return lambda s: s["fields"][index].__setitem__(key, value)


def _set_constraint(key, value):
    return lambda s: s["fields"][1].setdefault("constraints", {}).__setitem__(key, value)


SCHEMA_BREAKS = {
    "unknown type": (_set_field(1, "type", "geopoint"), "unsupported-schema"),
    "type not a string": (_set_field(1, "type", ["string"]), "unsupported-schema"),
    "date format": (lambda s: [f.__setitem__("format", "%d/%m/%Y") for f in s["fields"] if f.get("type") == "date"] or s["fields"][1].__setitem__("format", "email"), "unsupported-schema"),
    "minLength as text": (_set_constraint("minLength", "1"), "schema-structure"),
    "negative maxLength": (_set_constraint("maxLength", -1), "schema-structure"),
    "required not a boolean": (_set_constraint("required", "yes"), "schema-structure"),
    "enum not a list": (_set_constraint("enum", "a"), "schema-structure"),
    "pattern not a string": (_set_constraint("pattern", 5), "schema-structure"),
    "unknown constraint": (_set_constraint("exclusiveMinimum", 1), "unsupported-schema"),
    "field without a name": (lambda s: s["fields"][1].pop("name"), "schema-structure"),
    "field not an object": (lambda s: s["fields"].__setitem__(1, "name"), "schema-structure"),
    "repeated field name": (lambda s: s["fields"][1].__setitem__("name", s["fields"][0]["name"]), "schema-structure"),
    "no fields": (lambda s: s.__setitem__("fields", {}), "schema-structure"),
    "primaryKey naming a missing field": (lambda s: s.__setitem__("primaryKey", ["nowhere"]), "schema-structure"),
    "primaryKey a number": (lambda s: s.__setitem__("primaryKey", 3), "schema-structure"),
    "foreign key to a missing resource": (lambda s: s.__setitem__("foreignKeys", [{"fields": "id", "reference": {"resource": "nowhere", "fields": "id"}}]), "foreign-key-resource"),
    "foreign key not an object": (lambda s: s.__setitem__("foreignKeys", ["id"]), "schema-structure"),
    "missingValues not strings": (lambda s: s.__setitem__("missingValues", [None]), "schema-structure"),
    "schema a list": (lambda s: s.clear() or s.__setitem__("fields", [[]]), "schema-structure"),
}


@pytest.mark.parametrize("name", SCHEMA_BREAKS)
def test_a_broken_table_schema_is_a_problem_not_a_traceback(package_copy, name):
    change, rule = SCHEMA_BREAKS[name]
    edit_schema(package_copy, "places", change)
    found = problems_of(package_copy)
    assert ("places", rule) in {(p.resource, p.rule) for p in found}, "\n".join(p.line() for p in found)


def test_a_foreign_key_to_a_missing_field_is_a_problem(package_copy):
    edit_schema(package_copy, "metrics", lambda s: s["foreignKeys"][0]["reference"].__setitem__("fields", ["nowhere"]))
    assert ("metrics", "foreign-key-resource") in rules_of(package_copy)


@pytest.mark.parametrize("change", [
    lambda d: d["resources"].append("places"),
    lambda d: d["resources"].append(None),
    lambda d: d["resources"][0].pop("name"),
    lambda d: d["resources"][0].__setitem__("name", 7),
    lambda d: d["resources"].append(dict(d["resources"][1])),
], ids=["a string", "null", "no name", "a number as name", "a repeated name"])
def test_a_resource_that_is_not_a_named_object_is_a_problem(package_copy, change):
    edit_descriptor(package_copy, change)
    assert "resource-structure" in {p.rule for p in problems_of(package_copy)}


@pytest.mark.parametrize("text", ['{"resources": [], "x": NaN}', '{"resources": [], "x": -Infinity}',
                                  '{"resources": [], "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
                                  '{"resources": [], "x": ' + "[" * 70 + "]" * 70 + "}"],
                         ids=["NaN", "-Infinity", "100k levels", "70 levels"])
def test_a_descriptor_that_is_not_plain_json_cannot_be_read(tmp_path, text):
    path = tmp_path / "datapackage.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackageError):
        validate_package(path)


def test_a_schema_nested_too_deep_is_a_problem(package_copy):
    path = package_copy.parent / "schemas" / "places.schema.json"
    path.write_text('{"fields": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    assert ("places", "schema-structure") in rules_of(package_copy)


def test_a_changelog_that_is_not_utf8_is_a_problem(package_copy):
    path = package_copy.parent / "CHANGELOG.md"
    path.write_bytes(path.read_bytes() + b"\n\xff\xfe caf\xe9\n")
    assert ("CHANGELOG.md", "changelog-unreadable") in rules_of(package_copy)


@pytest.mark.parametrize("record", ['{"files": [1]}', '{"files": [{"path": "../../etc/passwd", "sha256": "x"}]}',
                                    '{"files": [{"path": "data/places.csv"}]}', "[]", "{", '{"files": [], "x": NaN}'])
def test_a_malformed_release_record_is_a_problem(package_copy, record):
    (package_copy.parent / "releases" / f"{current_version()}.json").write_text(record, encoding="utf-8")
    assert ("releases", "release-record-unreadable") in rules_of(package_copy)


def test_cli_hostile_schema_exits_1_without_traceback(package_copy):
    edit_schema(package_copy, "places", lambda s: (s["fields"][1].__setitem__("type", "geopoint"),
                                                   s.__setitem__("primaryKey", ["nowhere"])))
    refresh(package_copy)
    done = run_script("validate.py", package_copy)
    assert done.returncode == 1 and done.stderr == "", done.stderr
    assert "[unsupported-schema]" in done.stdout and "[schema-structure]" in done.stdout


# --- small ones: spaces, dates, long cells, long labels, writes ---------------------------------

@pytest.mark.parametrize("value", ["62.5\u00a0", "\u00a062.5", "62.5 ", " 62.5", "62.5\t"])
def test_a_number_with_a_space_around_it_is_not_a_number(package_copy, value):
    from breakage import set_cell
    line = set_cell(package_copy, "metrics", "m009", "value", value)
    assert ("metrics", "type", "value", line) in {(p.resource, p.rule, p.field, p.row) for p in problems_of(package_copy)}


@pytest.mark.parametrize("value", ["2017-3-24", "2017-03-4", "17-03-24", "2017-03-24 "])
def test_a_date_must_be_written_in_full_iso_8601(package_copy, value):
    from breakage import set_cell
    line = set_cell(package_copy, "metrics", "m009", "as_of", value)
    assert ("metrics", "type", "as_of", line) in {(p.resource, p.rule, p.field, p.row) for p in problems_of(package_copy)}


def test_a_row_hidden_in_a_quoted_cell_across_the_readers_block_boundary_is_read_and_judged(package_copy):
    # The reader reads 1 MB blocks: a quoted cell whose line breaks cross a block's end once lost its
    # row (here the planet), and the lines inside the quotes were read as rows, all valid.
    path = package_copy.parent / "data" / "places.csv"
    header, first, hidden = b"id,name,type,iso3166_1_alpha3,parent,note\n", b"iraq,Iraq,country,IRQ,,", b'evil,Evil,planet,,,"start\n'
    rest = (b"syria,Syria,country,SYR,,\niraq_and_syria,Iraq and Syria,region,,,The two countries taken together\n"
            b'mosul,Mosul,city,,iraq,\nraqqa,Raqqa,city,,syria,end"\n')
    path.write_bytes(header + first + b"p" * ((1 << 20) - 10 - len(header) - len(first) - 1 - len(hidden)) + b"\n" + hidden + rest)
    refresh(package_copy)
    found = {(p.resource, p.rule, p.row, p.field) for p in problems_of(package_copy)}
    assert ("places", "enum", 3, "type") in found


def test_a_cell_over_a_megabyte_gets_a_plain_message(package_copy):
    from breakage import set_cell
    set_cell(package_copy, "places", "mosul", "note", "x, " * 1_000_000)  # quoted, as it holds commas
    found = [p for p in problems_of(package_copy) if p.resource == "places"]
    assert [p.rule for p in found] == ["row-too-long"], [p.line()[:300] for p in found]
    assert "straddl" not in found[0].message and "MB" in found[0].message


def test_a_huge_header_label_is_not_echoed_whole(package_copy):
    path = package_copy.parent / "data" / "places.csv"
    path.write_bytes(path.read_bytes().replace(b",note\n", b"," + b"n" * 5_000_000 + b"\n", 1))
    refresh(package_copy)
    from dp.report import json_report, text_report
    found = problems_of(package_copy)
    assert any(p.resource == "places" for p in found)
    assert len(text_report(found)) < 2000 * (len(found) + 1) and len(json_report(found)) < 2500 * (len(found) + 1)
    assert "more characters)" in text_report(found)


def test_an_interrupted_write_leaves_the_old_file_and_no_stray_error(tmp_path, monkeypatch):
    import os
    from dp import package
    target = tmp_path / "datapackage.json"
    target.write_text("old", encoding="utf-8")
    real_replace = os.replace

    def replace_then_interrupt(source, destination):
        real_replace(source, destination)
        raise KeyboardInterrupt

    monkeypatch.setattr(package.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        package.atomic_write(target, "new")
    assert [path.name for path in tmp_path.iterdir()] == ["datapackage.json"]


def test_a_failed_write_says_it_could_not_write(tmp_path):
    from dp.package import WriteError, atomic_write
    with pytest.raises(WriteError, match="cannot write"):
        atomic_write(tmp_path / "missing-folder" / "datapackage.json", "x")


@pytest.mark.parametrize("key,value", [("format", "xlsx"), ("encoding", "latin-1"), ("compression", "gz"), ("scheme", "https")])
def test_a_file_the_reader_would_read_otherwise_is_reported(package_copy, key, value):
    edit_descriptor(package_copy, lambda d: d["resources"][1].__setitem__(key, value))
    assert "unsupported-dialect" in {p.rule for p in problems_of(package_copy)}
