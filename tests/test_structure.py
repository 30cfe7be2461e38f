"""The shape of a stranger's descriptor and Table Schemas, checked in-process before anything reads them:
each refusal names its resource, field and rule, and says what is wrong in words a user can act on."""

import pytest
from frictionless import Resource

from dp.report import Problem
from dp.source import PackageView
from dp.structure import (_short, dialect_problems, field_problems, file_problems, frictionless_view, header_labels,
                          header_problems, key_problems, load_schema, named_resources, schema_problems)

NAMES = {"metrics", "sources"}


def problem_tuples(found):
    return [(p.resource, p.rule, p.field, p.message) for p in found]


def test_resources_must_be_objects_with_a_name_of_their_own():
    problems, resources = named_resources({"resources": [
        {"name": "a"}, [], "b", True, None, 3, {"name": ""}, {"name": 7}, {}, {"name": "a", "path": "x"}, {"name": "c"}]})
    assert problem_tuples(problems) == [
        ("resources[1]", "resource-structure", None, "resources[1] is a list, not an object"),
        ("resources[2]", "resource-structure", None, "resources[2] is a string, not an object"),
        ("resources[3]", "resource-structure", None, "resources[3] is a boolean, not an object"),
        ("resources[4]", "resource-structure", None, "resources[4] is null, not an object"),
        ("resources[5]", "resource-structure", None, "resources[5] is a number, not an object"),
        ("resources[6]", "resource-structure", None, "resources[6] has no name (a non-empty string)"),
        ("resources[7]", "resource-structure", None, "resources[7] has no name (a non-empty string)"),
        ("resources[8]", "resource-structure", None, "resources[8] has no name (a non-empty string)"),
        ("a", "resource-structure", None, "resources[9] repeats the name 'a'"),
    ]
    assert resources == {"a": {"name": "a"}, "c": {"name": "c"}}


@pytest.mark.parametrize("schema,message", [
    ([], "its schema is a list, not a Table Schema object"),
    ({"fields": {}}, "its Table Schema has no list of fields"),
    ({"fields": []}, "its Table Schema has no list of fields"),
    ({}, "its Table Schema has no list of fields"),
])
def test_a_schema_without_a_list_of_fields_is_one_problem(schema, message):
    assert problem_tuples(schema_problems("metrics", schema, NAMES)) == [("metrics", "schema-structure", None, message)]


def test_each_field_needs_a_name_of_its_own_and_the_others_are_still_checked():
    schema = {"fields": [{"name": "id"}, "id", {"name": ""}, {"type": "string"}, {"name": "id", "type": "integer"},
                         {"name": "x", "type": "geopoint"}], "primaryKey": "id"}
    assert problem_tuples(schema_problems("metrics", schema, NAMES)) == [
        ("metrics", "schema-structure", None, "fields[1] is not an object with a name"),
        ("metrics", "schema-structure", None, "fields[2] is not an object with a name"),
        ("metrics", "schema-structure", None, "fields[3] is not an object with a name"),
        ("metrics", "schema-structure", "id", "fields[4] repeats the name 'id'"),
        ("metrics", "unsupported-schema", "x", "type 'geopoint' is not one the gate checks (string, number, integer, date, boolean)"),
    ]


@pytest.mark.parametrize("extra,expected", [
    ({"missingValues": ["", "NA"]}, []),
    ({"missingValues": "NA"}, [("schema-structure", "missingValues must be a list of strings")]),
    ({"missingValues": ["", None]}, [("schema-structure", "missingValues must be a list of strings")]),
    ({"fieldsMatch": "exact"}, []),
    ({"fieldsMatch": "subset"}, [("unsupported-schema", "fieldsMatch 'subset': the header must match the fields exactly")]),
])
def test_missing_values_and_fields_match(extra, expected):
    schema = {"fields": [{"name": "id"}], **extra}
    assert [(p.rule, p.message) for p in schema_problems("metrics", schema, NAMES)] == expected


@pytest.mark.parametrize("field,expected", [
    ({"name": "f"}, []),
    ({"name": "f", "type": ["string"]}, [("unsupported-schema", "type ['string'] is not one the gate checks (string, number, integer, date, boolean)")]),
    ({"name": "f", "type": "number", "format": "default", "bareNumber": True, "decimalChar": ".", "groupChar": None}, []),
    ({"name": "f", "type": "date", "format": "%d/%m/%Y"},
     [("unsupported-schema", "format '%d/%m/%Y' changes how cells are read; the gate reads only 'default'")]),
    ({"name": "f", "type": "number", "bareNumber": False, "groupChar": ","},
     [("unsupported-schema", "bareNumber False changes how cells are read; the gate reads only True"),
      ("unsupported-schema", "groupChar ',' changes how cells are read; the gate reads only None")]),
    ({"name": "f", "type": "number", "decimalChar": ","},
     [("unsupported-schema", "decimalChar ',' changes how cells are read; the gate reads only '.'")]),
    ({"name": "f", "type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]}, []),
    ({"name": "f", "type": "boolean", "trueValues": "yes", "falseValues": ["no", 0]},
     [("schema-structure", "trueValues must be a list of strings"), ("schema-structure", "falseValues must be a list of strings")]),
    ({"name": "f", "constraints": []}, [("schema-structure", "constraints must be an object")]),
    ({"name": "f", "type": "geopoint", "constraints": []},
     [("unsupported-schema", "type 'geopoint' is not one the gate checks (string, number, integer, date, boolean)")]),
])
def test_a_field_is_read_only_as_the_gate_reads_it(field, expected):
    assert [(p.rule, p.message) for p in field_problems("metrics", field)] == expected
    assert {(p.resource, p.field) for p in field_problems("metrics", field)} <= {("metrics", "f")}


ALL = "is not one the gate checks (required, unique, enum, minimum, maximum, pattern, minLength, maxLength)"


@pytest.mark.parametrize("kind,constraints,expected", [
    ("string", {"required": True, "unique": False, "enum": ["a"], "pattern": "[a-z]+", "minLength": 0, "maxLength": 3}, []),
    ("number", {"minimum": 0, "maximum": 1.5, "enum": [1, 2.5]}, []),
    ("integer", {"minimum": -1, "maximum": 10, "enum": [1]}, []),
    ("date", {"minimum": "2014-01-01", "maximum": "2026-12-31", "enum": ["2014-06-10"]}, []),
    ("boolean", {"enum": [True], "required": False}, []),
    ("string", {"exclusiveMinimum": 1}, [("unsupported-schema", f"constraint exclusiveMinimum 1 {ALL}")]),
    ("string", {"minimum": "a"}, [("unsupported-schema", "constraint minimum 'a' does not apply to a string field")]),
    ("boolean", {"maximum": True}, [("unsupported-schema", "constraint maximum True does not apply to a boolean field")]),
    ("number", {"pattern": "1"}, [("unsupported-schema", "constraint pattern '1' does not apply to a number field")]),
    ("date", {"minLength": 1}, [("unsupported-schema", "constraint minLength 1 does not apply to a date field")]),
    ("string", {"required": "yes"}, [("schema-structure", "constraint required 'yes' must be true or false")]),
    ("integer", {"unique": 1}, [("schema-structure", "constraint unique 1 must be true or false")]),
    ("string", {"minLength": -1}, [("schema-structure", "constraint minLength -1 must be a whole number, 0 or more")]),
    ("string", {"maxLength": 2.0}, [("schema-structure", "constraint maxLength 2.0 must be a whole number, 0 or more")]),
    ("string", {"maxLength": True}, [("schema-structure", "constraint maxLength True must be a whole number, 0 or more")]),
    ("string", {"pattern": 5}, [("schema-structure", "constraint pattern 5 must be a string")]),
    ("string", {"pattern": "(?=a)"}, [("unsupported-pattern", "constraint pattern '(?=a)' cannot be run: ")]),
    ("string", {"enum": []}, [("schema-structure", "constraint enum [] must be a non-empty list")]),
    ("string", {"enum": "a"}, [("schema-structure", "constraint enum 'a' must be a non-empty list")]),
    ("string", {"enum": ["a", 1]}, [("schema-structure", "constraint enum ['a', 1] must list string values")]),
    ("integer", {"enum": [1, 2.0]}, [("schema-structure", "constraint enum [1, 2.0] must list integer values")]),
    ("integer", {"minimum": True}, [("schema-structure", "constraint minimum True must be a integer value")]),
    ("integer", {"maximum": "9"}, [("schema-structure", "constraint maximum '9' must be a integer value")]),
    ("number", {"minimum": float("nan")}, [("schema-structure", "constraint minimum nan must be a number value")]),
    ("number", {"maximum": float("inf")}, [("schema-structure", "constraint maximum inf must be a number value")]),
    ("number", {"maximum": False}, [("schema-structure", "constraint maximum False must be a number value")]),
    ("number", {"maximum": "1"}, [("schema-structure", "constraint maximum '1' must be a number value")]),
    ("boolean", {"enum": [1]}, [("schema-structure", "constraint enum [1] must list boolean values")]),
    ("date", {"minimum": "2014-1-1"}, [("schema-structure", "constraint minimum '2014-1-1' must be a date value")]),
    ("date", {"minimum": "20140101"}, [("schema-structure", "constraint minimum '20140101' must be a date value")]),
    ("date", {"minimum": "2014-02-30"}, [("schema-structure", "constraint minimum '2014-02-30' must be a date value")]),
    ("date", {"maximum": 2014}, [("schema-structure", "constraint maximum 2014 must be a date value")]),
])
def test_each_constraint_is_checked_against_its_field_type(kind, constraints, expected):
    found = field_problems("metrics", {"name": "f", "type": kind, "constraints": constraints})
    assert [(p.rule, p.message[:len(m)]) for p, (_, m) in zip(found, expected)] == expected
    assert len(found) == len(expected) and {(p.resource, p.field) for p in found} <= {("metrics", "f")}


def test_a_field_without_a_type_is_a_string():
    assert field_problems("metrics", {"name": "f", "constraints": {"pattern": "a", "minimum": 1}}) == [
        Problem("metrics", "unsupported-schema", "constraint minimum 1 does not apply to a string field", field="f")]


@pytest.mark.parametrize("keys,expected", [
    ({}, []),
    ({"primaryKey": "id"}, []),
    ({"primaryKey": ["id", "name"]}, []),
    ({"primaryKey": "nope"}, [("schema-structure", "primaryKey 'nope' must name fields of this schema")]),
    ({"primaryKey": ""}, [("schema-structure", "primaryKey '' must name fields of this schema")]),
    ({"primaryKey": ["id", 1]}, [("schema-structure", "primaryKey ['id', 1] must name fields of this schema")]),
    ({"primaryKey": {"id": 1}}, [("schema-structure", "primaryKey {'id': 1} must name fields of this schema")]),
    ({"foreignKeys": {}}, [("schema-structure", "foreignKeys must be a list")]),
    ({"primaryKey": "x", "foreignKeys": "y"}, [("schema-structure", "primaryKey 'x' must name fields of this schema"),
                                               ("schema-structure", "foreignKeys must be a list")]),
    ({"foreignKeys": [{"fields": "name", "reference": {"resource": "sources", "fields": "id"}},
                      {"fields": ["id", "name"], "reference": {"resource": "", "fields": ["id", "name"]}},
                      {"fields": "id", "reference": {"fields": "id"}}]}, []),
])
def test_keys_name_fields_of_the_schema(keys, expected):
    assert [(p.rule, p.message) for p in key_problems("metrics", keys, {"id", "name"}, NAMES)] == expected


BAD_FOREIGN = "foreignKeys[0] must name fields of this schema and as many fields of a resource"


@pytest.mark.parametrize("key", [
    "name",
    {"fields": "name"},
    {"fields": "name", "reference": "sources"},
    {"fields": "nope", "reference": {"resource": "sources", "fields": "id"}},
    {"fields": "", "reference": {"resource": "sources", "fields": "id"}},
    {"fields": "name", "reference": {"resource": "sources", "fields": ""}},
    {"fields": "name", "reference": {"resource": "sources", "fields": 3}},
    {"fields": "name", "reference": {"resource": "sources"}},
    {"fields": ["id", "name"], "reference": {"resource": "sources", "fields": "id"}},
    {"fields": "name", "reference": {"resource": 3, "fields": "id"}},
])
def test_a_foreign_key_that_names_no_field_is_a_problem(key):
    assert [(p.rule, p.message) for p in key_problems("metrics", {"foreignKeys": [key]}, {"id", "name"}, NAMES)] == \
        [("schema-structure", BAD_FOREIGN)]


def test_a_foreign_key_to_a_resource_the_package_lacks_names_it():
    keys = {"foreignKeys": [{"fields": "id", "reference": {"resource": "sources", "fields": "id"}},
                            {"fields": "id", "reference": {"resource": "places", "fields": "id"}}]}
    assert problem_tuples(key_problems("metrics", keys, {"id"}, NAMES)) == [
        ("metrics", "foreign-key-resource", None, "foreignKeys[1] refers to resource 'places', which the package does not have")]


class Files:
    """A package view whose files are a dictionary: {relative path: JSON value, or an exception to raise}."""

    def __init__(self, files):
        self.files = files

    def read_json(self, relative):
        value = self.files[relative]
        if isinstance(value, Exception):
            raise value
        return value


@pytest.mark.parametrize("dialect,expected", [
    (None, []),
    ({}, []),
    ({"header": True, "delimiter": ",", "lineTerminator": "\n", "quoteChar": '"', "doubleQuote": True,
      "skipInitialSpace": False, "caseSensitiveHeader": True, "headerRows": [1], "$schema": "x", "csvddfVersion": 1.2,
      "title": "t", "description": "d", "name": "n"}, []),
    ({"lineTerminator": "\r\n", "caseSensitiveHeader": False}, []),
    ({"delimiter": ";"}, ["dialect delimiter ';': the gate reads only ','"]),
    ({"header": 1}, ["dialect header 1: the gate reads only True"]),
    ({"doubleQuote": 1, "skipInitialSpace": 0}, ["dialect doubleQuote 1: the gate reads only True",
                                                 "dialect skipInitialSpace 0: the gate reads only False"]),
    ({"lineTerminator": "\t"}, ["dialect lineTerminator '\\t': the gate reads only '\\r\\n', '\\n', '\\r'"]),
    ({"commentChar": "#"}, ["dialect commentChar '#': the gate reads only CSV with the default dialect"]),
    ([], ["its dialect is a list, not an object"]),
    ("dialect.json", ["dialect delimiter ';': the gate reads only ','"]),
    ("missing.json", ["cannot read its dialect: no such file"]),
    ("https://example.org/dialect.json", []),
    ("../dialect.json", []),
])
def test_a_dialect_must_describe_the_csv_the_gate_reads(dialect, expected):
    view = Files({"dialect.json": {"delimiter": ";"}, "missing.json": OSError("no such file")})
    resource = {"name": "metrics"} if dialect is None else {"name": "metrics", "dialect": dialect}
    found = dialect_problems(resource, view)
    assert [p.message for p in found] == expected
    assert {(p.resource, p.rule) for p in found} <= {("metrics", "unsupported-dialect")}


def test_a_file_read_other_than_as_utf8_csv_is_reported_by_key():
    resource = {"name": "metrics", "scheme": "file", "format": "csv", "mediatype": "text/csv", "encoding": "UTF-8", "compression": "no"}
    assert file_problems(resource) == []
    resource = {"name": "metrics", "format": "tsv", "encoding": "latin-1", "compression": ["zip"], "mediatype": "text/csv"}
    assert problem_tuples(file_problems(resource)) == [
        ("metrics", "unsupported-dialect", "format", "format 'tsv': the gate reads only 'csv'"),
        ("metrics", "unsupported-dialect", "encoding", "encoding 'latin-1': the gate reads only 'utf-8', 'utf8', 'UTF-8'"),
        ("metrics", "unsupported-dialect", "compression", "compression ['zip']: the gate reads only 'no'"),
    ]


def test_a_schema_file_is_read_through_the_view_and_checked(tmp_path):
    (tmp_path / "s.json").write_text('{"fields": [{"name": "id"}], "primaryKey": "id"}', encoding="utf-8")
    (tmp_path / "bad.json").write_text('{"fields": []}', encoding="utf-8")
    (tmp_path / "remote.json").write_text('{"fields": [{"name": "id"}], "$schema": "https://example.org/s"}', encoding="utf-8")
    view = PackageView(tmp_path, "datapackage.json")
    assert load_schema({"name": "m", "schema": "s.json"}, view, NAMES) == ([], {"fields": [{"name": "id"}], "primaryKey": "id"})
    assert load_schema({"name": "m", "schema": {"fields": [{"name": "id"}]}}, view, NAMES) == ([], {"fields": [{"name": "id"}]})
    problems, schema = load_schema({"name": "m", "schema": "bad.json"}, view, NAMES)
    assert (problem_tuples(problems), schema) == ([("m", "schema-structure", None, "its Table Schema has no list of fields")], None)
    problems, schema = load_schema({"name": "m", "schema": "absent.json"}, view, NAMES)
    assert [(p.resource, p.rule) for p in problems] == [("m", "schema-structure")] and schema is None
    assert problems[0].message.startswith("cannot read its Table Schema: ") and "absent.json" in problems[0].message
    problems, schema = load_schema({"name": "m", "schema": "remote.json"}, view, NAMES)
    assert [(p.resource, p.rule) for p in problems] == [("m", "remote-reference")] and schema is None


def test_frictionless_sees_only_what_was_checked_and_nothing_to_fetch():
    descriptor = {"name": "p", "profile": "tabular-data-package", "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
                  "resources": []}
    resources = {
        "a": {"name": "a", "path": "a.csv", "schema": "a.json", "dialect": {"delimiter": ","}, "profile": "tabular-data-resource",
              "$schema": "x"},
        "b": {"name": "b", "path": "b.csv", "schema": "b.json", "profile": "tabular-data-resource"},
        "c": {"name": "c", "path": "c.txt", "profile": "data-resource"},
        "d": {"name": "d", "path": "d.txt", "profile": "https://example.org/profile"},
    }
    view = frictionless_view(descriptor, resources, {"a": {"fields": [{"name": "id"}]}, "b": None})
    assert view == {"name": "p", "profile": "tabular-data-package", "$schema": descriptor["$schema"], "resources": [
        {"name": "a", "path": "a.csv", "profile": "tabular-data-resource", "schema": {"fields": [{"name": "id"}]}},
        {"name": "b", "path": "b.csv"},
        {"name": "c", "path": "c.txt", "profile": "data-resource"},
        {"name": "d", "path": "d.txt"},
    ]}
    view = frictionless_view({"profile": "fiscal-data-package", "$schema": "https://example.org/s", "resources": []}, {}, {})
    assert view == {"resources": []}
    assert frictionless_view({"profile": "data-package", "$schema": 3}, {}, {}) == {"profile": "data-package", "resources": []}


def test_a_long_value_is_cut_in_a_message():
    assert _short("a" * 78) == repr("a" * 78)
    assert _short("a" * 79) == "'" + "a" * 79 + "…"
    assert _short([1]) == "[1]"


FIELDS = [{"name": "id"}, {"name": "n"}, {"name": "note"}]


@pytest.mark.parametrize("labels,expected", [
    (["id", "n", "note"], []),
    ([], []),  # no header at all: the reader reports the empty file
    (["id", "n", "note", "x", ""], [
        ("t", "extra-label", None, "column 4 is headed 'x', and the schema has 3 fields; delete the column or add a field for it"),
        ("t", "extra-label", None, "column 5 is headed '', and the schema has 3 fields; delete the column or add a field for it")]),
    (["id"], [("t", "missing-label", "n", "the header has no column 2 for field 'n'"),
              ("t", "missing-label", "note", "the header has no column 3 for field 'note'")]),
    (["id", "", "note"], [("t", "blank-label", "n", "the label of column 2 is blank; name it 'n'")]),
    (["id", "id", "id"], [("t", "duplicate-label", "n", "the label 'id' of column 2 repeats column 1; name it 'n'"),
                          ("t", "duplicate-label", "note", "the label 'id' of column 3 repeats column 1, 2; name it 'note'")]),
    (["id", "note", "n"], [("t", "incorrect-label", "n", "the label 'note' of column 2 should be 'n', the schema's name for that field"),
                           ("t", "incorrect-label", "note", "the label 'n' of column 3 should be 'note', the schema's name for that field")]),
    (["ID", "n", "note"], [("t", "incorrect-label", "id", "the label 'ID' of column 1 should be 'id', the schema's name for that field")]),
])
def test_each_label_of_a_header_is_the_name_of_the_field_at_its_position(labels, expected):
    assert problem_tuples(header_problems("t", labels, FIELDS)) == expected


@pytest.mark.parametrize("data,labels", [
    (b"id,n,note\r\n1,2,3\r\n", ["id", "n", "note"]),
    (b"\n\r\n\nid,n\n1,2\n", ["id", "n"]),  # blank lines before the header, as the reader skips them
    (b'"id","a, b","c\nd",""\n', ["id", "a, b", "c\nd", ""]),
    (b"\xef\xbb\xbfid,n\n", ["id", "n"]),  # the byte order mark is reported on its own
    (b"id;n;note\n1;2;3\n", ["id;n;note"]),  # read with commas, as the gate reads
    (b"id,n", ["id", "n"]),
    (b"", []),
    (b"\n\n", []),
    (b"id,n\xff\n", []),  # not UTF-8: the reader reports it
    (b"id," + b"n" * 200_000 + b"\n", ["id", "n" * 200_000]),  # over the csv module's default limit
])
def test_the_labels_of_a_header_are_its_first_record_that_is_not_a_blank_line(data, labels):
    assert header_labels(data) == labels


@pytest.mark.parametrize("header", ["id,n,note", "id,n", "id,n,note,x", "id,,note", "id,id,note", "id,note,n", "n,id,x,y",
                                    "id", "x,y,z", ",,", "id,n,n,n"])
def test_a_header_has_the_problems_frictionless_finds_in_it(tmp_path, header):
    # frictionless stays the reference: the same codes for the same header, in the same order.
    (tmp_path / "t.csv").write_text(header + "\n" + ",".join(["1"] * len(header.split(","))) + "\n", encoding="utf-8")
    with Resource({"name": "t", "path": "t.csv", "schema": {"fields": FIELDS}, "dialect": {"header": True}}, basepath=str(tmp_path)) as table:
        theirs = [(error.type, error.field_name or None) for error in table.header.errors]
    ours = [(problem.rule, problem.field) for problem in header_problems("t", header_labels((tmp_path / "t.csv").read_bytes()), FIELDS)]
    assert ours == theirs
