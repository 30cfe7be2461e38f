"""The gate's steps on one small table, in-process: file integrity, blank rows and their numbers, types,
constraints, keys, and checks that fail closed. Each problem names its row as frictionless counts it,
its id, field and rule, with the words a user reads."""
import io
from pathlib import Path

import pytest

from dp import validate
from dp.package import PackageError
from dp.report import Problem
from dp.source import folder_view
from dp.tableschema import read_text_frame

SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True, "unique": True, "pattern": "[a-z][0-9]{3}"}},
        {"name": "n", "type": "integer", "constraints": {"minimum": 0, "maximum": 100}},
        {"name": "x", "type": "number", "constraints": {"enum": [1, 2.5]}},
        {"name": "d", "type": "date", "constraints": {"minimum": "2014-01-01"}},
        {"name": "flag", "type": "boolean"},
        {"name": "code", "constraints": {"enum": ["a", "b"], "minLength": 1, "maxLength": 1}},
    ],
    "primaryKey": "id",
}
RESOURCE = {"name": "t", "path": "t.csv", "schema": SCHEMA}
HEADER = b"id,n,x,d,flag,code\n"


def table_of(data, schema=SCHEMA):
    header, (text, blank, numbers) = validate.read_problems(RESOURCE, data, schema)
    assert header == []
    table, unparsable = validate.typed_table(RESOURCE, schema, text, numbers)
    return table, validate.blank_row_problems(table, blank) + validate.row_problems(table, unparsable)


def found(problems):
    return [(p.resource, p.rule, p.row, p.row_id, p.field, p.message) for p in problems]


def test_each_row_of_another_length_than_the_header_is_named_by_its_line():
    data = b'id,n\n"a\n1",2\n\na2,2,3\na3\na4,4\n'  # a quoted line break, then a blank line: numbered as frictionless does
    error = ValueError("CSV parse error: Expected 2 columns, got 3")
    assert found(validate._unreadable_csv(RESOURCE, error, data)) == [
        ("t", "malformed-csv", 4, None, None, "t.csv cannot be parsed as CSV: the row has 3 cells; the header has 2"),
        ("t", "malformed-csv", 5, None, None, "t.csv cannot be parsed as CSV: the row has 1 cell; the header has 2")]
    assert found(validate._unreadable_csv(RESOURCE, error, b'id,n\na1,"2\x00"\n')) == [  # a cell the csv module refuses
        ("t", "malformed-csv", None, None, None, "t.csv cannot be parsed as CSV: CSV parse error: Expected 2 columns, got 3")]
    for end in ("\n", "\r"):  # a quote left open, in a file of LF or of CR line ends
        data = f'id,n,x{end}a1,"2{end}a2,2,3{end}'.encode()
        assert found(validate._unreadable_csv(RESOURCE, error, data)) == [
            ("t", "malformed-csv", 2, None, None, "t.csv cannot be parsed as CSV: the row has 2 cells; the header has 3; "
             "a quoted cell in it runs over several lines: check for a missing closing quote")]


def test_integrity_checks_bytes_hash_and_byte_order_mark():
    data = b"id\na001\n"
    digest = "c2a3b3f1d4b8d2ac49a0ea2e8bfb39c5a9b14d5e90dc78a64bf8c7ce3b0ec3a8"
    ok = {"name": "t", "bytes": len(data), "hash": validate.sha256_bytes(data)}
    assert validate.integrity_problems(ok, Path("t.csv"), data) == []
    assert validate.integrity_problems(dict(ok, hash="sha256:" + ok["hash"]), Path("t.csv"), data) == []
    assert validate.integrity_problems({"name": "t"}, Path("t.csv"), data) == []
    stale, with_bom = {"name": "t", "bytes": 3, "hash": f"sha256:{digest}"}, b"\xef\xbb\xbf" + data
    assert found(validate.integrity_problems(stale, Path("data/t.csv"), with_bom)) == [
        ("t", "byte-count", None, None, None, "descriptor says 3 bytes, t.csv has 11; run scripts/build_datapackage.py after editing"),
        ("t", "hash-count", None, None, None, f"descriptor hash {digest} differs from t.csv's sha256 "
         f"{validate.sha256_bytes(with_bom)}; run scripts/build_datapackage.py after editing"),
        ("t", "encoding", None, None, None, "t.csv starts with a UTF-8 byte order mark; save it as UTF-8 without BOM"),
    ]


def test_bytes_that_are_not_utf8_are_named_by_position():
    assert validate.utf8_problems(RESOURCE, Path("t.csv"), "id\né\n".encode()) == []
    assert found(validate.utf8_problems(RESOURCE, Path("data/t.csv"), b"id\na\xff\n")) == [
        ("t", "encoding", None, None, None, "t.csv is not UTF-8 at byte 4")]


def test_a_clean_table_has_no_problem_and_rows_count_from_two():
    table, problems = table_of(HEADER + b"a001,0,1,2014-01-01,true,a\nb002,100,2.5,,false,\n")
    assert problems == []
    assert [table.row_number(i) for i in table.text.index] == [2, 3] and table.row_id(1) == "b002"
    assert validate.blank_records(HEADER + b"a001,0,1,2014-01-01,true,a\n", 1) == ([], None)


@pytest.mark.parametrize("data,blank,numbers", [
    (HEADER + b"a001,1,,,,\n\nb002,2,,,,\n", [3], [2, 4]),
    (HEADER + b"a001,1,,,,\r\n\r\n\r\nb002,2,,,,\r\n", [3, 4], [2, 5]),
    (HEADER + b"a001,1,,,,\r\rb002,2,,,,\r", [3], [2, 4]),
    (b"\n" + HEADER + b"a001,1,,,,\n", [1], None),
    (HEADER + b"a001,1,,,,\n\n", [3], [2]),
])
def test_blank_lines_are_reported_and_the_rows_after_them_keep_their_numbers(data, blank, numbers):
    table, problems = table_of(data)
    assert found(problems) == [("t", "blank-row", line, None, None, "a blank line; delete it") for line in blank]
    if numbers is not None:
        assert [table.row_number(i) for i in table.text.index] == numbers


def test_a_row_of_empty_cells_is_a_blank_row_with_its_number():
    table, problems = table_of(HEADER + b"\"\",,,,,\n")
    assert ("t", "blank-row", 2, "", None, "every cell of this row is empty; delete it") in found(problems)


def test_each_broken_cell_gives_one_problem_with_its_row_id_field_and_words():
    data = HEADER + (b"a001,-1,3,2013-12-31,yes,c\n"
                     b"a001,101,1,2014-1-1,true,ab\n"
                     b",x,1.5e,2014-01-01,true,b\n"
                     b"A9,5,1,2014-01-01,true,\n")
    _, problems = table_of(data)
    assert sorted(found(problems), key=repr) == sorted([
        ("t", "minimum", 2, "a001", "n", "'-1' must be at least 0"),
        ("t", "enum", 2, "a001", "x", "'3' must be one of [1, 2.5]"),
        ("t", "minimum", 2, "a001", "d", "'2013-12-31' must be at least 2014-01-01"),
        ("t", "type", 2, "a001", "flag", "'yes' is not a valid boolean; write true or false"),
        ("t", "enum", 2, "a001", "code", "'c' must be one of ['a', 'b']"),
        ("t", "unique", 3, "a001", "id", "'a001' appears in an earlier row; id must be unique"),
        ("t", "maximum", 3, "a001", "n", "'101' must be at most 100"),
        ("t", "type", 3, "a001", "d", "'2014-1-1' is not a valid date; write an ISO 8601 date such as 2017-03-24"),
        ("t", "enum", 3, "a001", "code", "'ab' must be one of ['a', 'b']"),
        ("t", "required", 4, "", "id", "id is required and may not be empty"),
        ("t", "type", 4, "", "n", "'x' is not a valid integer; write a whole number such as 2439 (no spaces)"),
        ("t", "type", 4, "", "x", "'1.5e' is not a valid number; write a plain number such as 9000 or 62.5 "
         "(no thousands separators, no % sign, no spaces)"),
        ("t", "pattern", 5, "A9", "id", "'A9' must match the pattern [a-z][0-9]{3}"),
    ], key=repr)


def test_length_constraints_have_their_own_words():
    schema = {"fields": [{"name": "id", "constraints": {"minLength": 2, "maxLength": 3}}]}
    _, problems = table_of(b"id\na\nabcd\nab\n", schema)
    assert found(problems) == [
        ("t", "minLength", 2, None, "id", "'a' must be at least 2 characters long"),
        ("t", "maxLength", 3, None, "id", "'abcd' must be at most 3 characters long"),
    ]


def test_a_cell_that_failed_its_type_is_unknown_to_the_later_rules():
    table, _ = table_of(HEADER + b"a001,x,1,2014-01-01,true,a\na002,5,1,2014-01-01,true,a\n")
    assert list(table.unknown({"n"})) == [True, False] and list(table.unknown({"x", "id"})) == [False, False]
    assert table.is_bad(0, "n") and not table.is_bad(1, "n") and not table.is_bad(0, "x")
    assert table.typed["n"].isna().tolist() == [True, False]


def test_a_foreign_key_names_each_dangling_value_and_an_empty_key_is_no_reference():
    target, _ = table_of(HEADER + b"a001,1,1,2014-01-01,true,a\n")
    schema = {"fields": [{"name": "id"}, {"name": "ref"}, {"name": "other"}], "primaryKey": "id",
              "foreignKeys": [{"fields": "ref", "reference": {"resource": "absent", "fields": "id"}},
                              {"fields": "ref", "reference": {"resource": "t", "fields": "id"}},
                              {"fields": ["ref", "other"], "reference": {"resource": "t", "fields": ["id", "code"]}},
                              {"fields": "ref", "reference": {"resource": "t", "fields": "nope"}}]}
    text = read_text_frame(io.BytesIO(b"id,ref,other\ns1,a001,a\ns2,a002,a\ns3,,\ns4,a001,b\n"))
    source = validate.Table("s", {"name": "s"}, schema, text, text)
    assert found(validate.foreign_key_problems(source, {"t": target, "s": source})) == [
        ("s", "foreign-key", 3, "s2", "ref", "'a002' is not an id in t"),
        ("s", "foreign-key", 3, "s2", "ref,other", "'a002', 'a' is not an id/code in t"),
        ("s", "foreign-key", 5, "s4", "ref,other", "'a001', 'b' is not an id/code in t"),
        ("s", "foreign-key-resource", None, None, None, "a foreign key refers to nope, which t does not have"),
    ]


def test_a_csv_the_reader_cannot_parse_is_named_and_a_too_long_row_says_why():
    assert found(validate._unreadable_csv(RESOURCE, ValueError("CSV parse error: Expected 2 columns, got 3\nmore"))) == [
        ("t", "malformed-csv", None, None, None, "t.csv cannot be parsed as CSV: CSV parse error: Expected 2 columns, got 3")]
    assert found(validate._unreadable_csv(RESOURCE, ValueError("straddling object straddles two block boundaries"))) == [
        ("t", "row-too-long", None, None, None, "t.csv has a row of about 1 MB or more, longer than the reader takes and than "
         "any cell of this package needs; check for a missing closing quote")]


def test_a_header_that_does_not_match_the_schema_stops_the_table(tmp_path):
    (tmp_path / "t.csv").write_bytes(b"id,n,extra\na001,1,2\n")
    schema = {"fields": [{"name": "id"}, {"name": "n", "type": "integer"}]}
    problems, read = validate.read_problems(RESOURCE, (tmp_path / "t.csv").read_bytes(), schema)
    assert read is None and [p.rule for p in problems] == ["extra-label"]
    (tmp_path / "t.csv").write_bytes(b"id,n\na001,x\n\n")
    problems, (text, blank, numbers) = validate.read_problems(RESOURCE, (tmp_path / "t.csv").read_bytes(), schema)
    assert problems == [] and text.to_dict("list") == {"id": ["a001"], "n": ["x"]} and blank == [3]
    assert validate.read_problems({"name": "b", "path": "b.txt"}, b"", schema) == ([], None)


def test_bytes_not_utf8_are_reported_as_such_and_not_as_malformed(tmp_path):
    (tmp_path / "datapackage.json").write_text("{}", encoding="utf-8")
    (tmp_path / "t.csv").write_bytes(b"id,n\n" + b"a001,1\n" * 20000 + b"a\xff01,1\n")
    schema = {"fields": [{"name": "id"}, {"name": "n", "type": "integer"}]}
    problems, table = validate.resource_problems(RESOURCE, folder_view(tmp_path), schema)
    assert table is None
    assert [(p.resource, p.rule, p.message) for p in problems] == [("t", "encoding", "t.csv is not UTF-8 at byte 140006")]


def test_the_files_of_a_resource_are_its_path_and_its_schema_and_dialect_files():
    assert validate._files_of({"path": "a.csv", "schema": "s.json", "dialect": "d.json"}) == ["a.csv", "s.json", "d.json"]
    assert validate._files_of({"schema": {"fields": []}, "dialect": {}}) == [""]


def test_a_failing_check_becomes_a_problem_and_an_unreadable_file_stops_validation():
    def broken(value):
        raise KeyError(value)

    assert validate.run_check("sums", lambda a, b: a + b, 1, 2) == 3
    assert found(validate.run_check("sums", broken, "x", resource="metrics")) == [
        ("metrics", "internal-error", None, None, None,
         "the sums check could not run (KeyError: 'x'); the package is not known to be valid")]
    assert validate.run_check("sums", broken, "x", failed=lambda internal: (internal, None))[1] is None
    assert validate.run_check("sums", broken, "x")[0].resource == "datapackage.json"
    for error in (PackageError("unreadable"), OSError("disk")):
        with pytest.raises(type(error)):
            validate.run_check("sums", lambda: (_ for _ in ()).throw(error))


def test_a_problem_line_says_where_and_which_rule():
    assert Problem("t", "type", "bad", 3, "a1", "n").line() == "t, row 3 (a1), field n: [type] bad"
    assert Problem("t", "blank-row", "blank", 4).line() == "t, row 4: [blank-row] blank"


def test_a_repeated_primary_key_of_several_fields_is_one_problem_per_row():
    schema = {"fields": [{"name": "a"}, {"name": "b"}, {"name": "n", "type": "integer"}], "primaryKey": ["a", "b"]}
    table, problems = table_of(b"a,b,n\nx,1,1\nx,2,2\nx,1,3\n,1,4\nx,1,5\n", schema)
    assert found(problems) == [
        ("t", "required", 5, "", "a", "a is required and may not be empty"),
        ("t", "unique", 4, "x", "a,b", "'x', '1' appears in an earlier row; the primary key a, b must be unique"),
        ("t", "unique", 6, "x", "a,b", "'x', '1' appears in an earlier row; the primary key a, b must be unique"),
    ]
    assert list(table.unknown({"b"})) == [False, False, True, False, True]


def test_an_event_quote_that_failed_its_schema_is_not_read_for_its_date():
    from dp import provenance
    from dp.tableschema import typed_frame
    schema = {"fields": [{"name": "id"}, {"name": "quote"}, {"name": "date", "type": "date"}, {"name": "date_basis"}], "primaryKey": "id"}
    text = read_text_frame(io.BytesIO(b"id,quote,date,date_basis\n"
                                               b"e1,on March 5,2017-03-06,stated_day_inferred_year\n"
                                               b"e2,on March 5,2017-03-06,stated_day_inferred_year\n"))
    table = validate.Table("events", {"name": "events"}, schema, text, typed_frame(text, schema)[0])
    table.mark_bad("quote", text["id"] == "e2")  # as a quote that broke a constraint of its schema
    assert found(provenance.event_date_problems(table)) == [("events", "date-in-quote", 2, "e1", "date", "the quote dates the event March 5")]
