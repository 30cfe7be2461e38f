"""How the gate reads each cell as its Table Schema type, in-process: what parses, what is missing,
and what is reported as not of its type."""
import io

import pandas as pd
import pytest

from dp.tableschema import (as_list, empty_rows, is_required, is_tabular, is_unique, isin, lookup, lookup_columns, matches_pattern, pattern_error,
                            primary_key, read_text_frame, referenced_resource, starts_with_one_of, typed_frame)

NA = pd.NA
CELLS = {  # field: [(text, typed value or NA, not of its type)]
    "n": [("1", 1.0, False), ("-2.5", -2.5, False), ("+3", 3.0, False), ("1e3", 1000.0, False), ("1,000", NA, True),
          (" 4", NA, True), ("", NA, False), ("NA", NA, False), ("1e999", NA, True), (".5", 0.5, False), ("5.", 5.0, False),
          ("abc", NA, True)],
    "i": [("1", 1, False), ("-2", -2, False), ("+3", 3, False), ("1.0", NA, True), ("99999999999999999999", NA, True),
          (" 4", NA, True), ("", NA, False), ("NA", NA, False), ("007", 7, False), ("1e3", NA, True), ("-0", 0, False),
          ("x", NA, True)],
    "d": [("2014-01-01", pd.Timestamp("2014-01-01"), False), ("2014-1-1", NA, True), ("2014-02-30", NA, True),
          ("20140101", NA, True), ("", NA, False), ("NA", NA, False), ("2014-12-31", pd.Timestamp("2014-12-31"), False),
          (" 2014-01-01", NA, True), ("0001-01-01", pd.Timestamp("0001-01-01"), False), ("2014", NA, True),
          ("2014-01-01T00:00", NA, True), ("9999-12-31", pd.Timestamp("9999-12-31"), False)],
    "b": [("true", True, False), ("True", True, False), ("TRUE", True, False), ("1", True, False), ("false", False, False),
          ("False", False, False), ("FALSE", False, False), ("0", False, False), ("yes", NA, True), ("", NA, False),
          ("NA", NA, False), ("t", NA, True)],
    "s": [("a", "a", False), ("", NA, False), ("NA", NA, False), (" ", " ", False)] + [(c, c, False) for c in "bcdefghi"],
}
SCHEMA = {"fields": [{"name": "n", "type": "number"}, {"name": "i", "type": "integer"}, {"name": "d", "type": "date"},
                     {"name": "b", "type": "boolean"}, {"name": "s"}], "missingValues": ["", "NA"]}
DTYPES = {"n": "Float64", "i": "Int64", "d": "datetime64[us]", "b": "boolean", "s": "string"}


def same(a, b):
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)


@pytest.mark.parametrize("name", CELLS)
def test_each_cell_is_read_as_its_type_and_a_cell_that_is_not_is_reported(name):
    text = pd.DataFrame({field: [cell for cell, _, _ in cells] for field, cells in CELLS.items()})
    typed, bad = typed_frame(text, SCHEMA)
    assert str(typed[name].dtype) == DTYPES[name]
    got = [(cell, value, bool(flag)) for cell, value, flag in zip(text[name], typed[name], bad[name])]
    expected = CELLS[name]
    assert [flag for _, _, flag in got] == [flag for _, _, flag in expected]
    assert all(same(value, want) for (_, value, _), (_, want, _) in zip(got, expected)), got


def test_only_the_empty_cell_is_missing_by_default_and_a_field_without_a_column_is_left_out():
    text = pd.DataFrame({"n": ["", "NA", "1"], "s": ["", "NA", "x"]})
    typed, bad = typed_frame(text, {"fields": [{"name": "n", "type": "number"}, {"name": "s"}, {"name": "absent", "type": "date"}]})
    assert list(typed.columns) == ["n", "s"] and list(bad) == ["n", "s"]
    assert list(bad["n"]) == [False, True, False] and typed["n"].isna().tolist() == [True, True, False]
    assert typed["s"].tolist()[1:] == ["NA", "x"] and pd.isna(typed["s"][0])


def test_a_boolean_field_reads_its_own_true_and_false_values():
    text = pd.DataFrame({"b": ["oui", "non", "true", ""]})
    typed, bad = typed_frame(text, {"fields": [{"name": "b", "type": "boolean", "trueValues": ["oui"], "falseValues": ["non"]}]})
    assert typed["b"].tolist()[:2] == [True, False] and pd.isna(typed["b"][2]) and pd.isna(typed["b"][3])
    assert bad["b"].tolist() == [False, False, True, False]


def test_a_pattern_matches_the_whole_cell_and_one_re2_cannot_run_is_named():
    cells = pd.Series(["a1", "a12", "xa1", "", None], index=[5, 6, 7, 8, 9])
    assert matches_pattern(cells, "a[0-9]|b").tolist() == [True, False, False, False, False]
    assert matches_pattern(cells, "a[0-9]|b").index.tolist() == [5, 6, 7, 8, 9]
    assert pattern_error("a[0-9]+") is None
    assert pattern_error("(?=a)").startswith("cannot be run: ") and "\n" not in pattern_error("(a")


def test_isin_and_lookup_compare_text_whichever_side_is_larger():
    values = pd.Series(["a", "b", "", "c"], index=[3, 4, 5, 6])
    assert isin(values, ["b", "c"]).tolist() == [False, True, False, True]
    assert isin(values, [f"k{i}" for i in range(10)] + ["a"]).tolist() == [True, False, False, False]
    assert isin(values, ["a"]).index.tolist() == [3, 4, 5, 6]
    found = lookup(values, {"a": 1.5, "c": 3.0})
    assert found.index.tolist() == [3, 4, 5, 6] and found[3] == 1.5 and found[6] == 3.0 and found[[4, 5]].isna().all()


def test_several_columns_are_looked_up_as_lookup_looks_up_each():
    values = pd.Series(["m2", None, "x", "m1"], index=[7, 8, 9, 10], dtype="string")
    frame = pd.DataFrame({"value": pd.array([1.5, 2.0], dtype="Float64"), "unit": pd.array(["km2", "count"], dtype="string")},
                         index=pd.Index(["m1", "m2"], dtype="str"))
    found = lookup_columns(values, frame)
    assert list(found) == ["value", "unit"]
    for column, looked_up in found.items():
        pd.testing.assert_series_equal(looked_up, lookup(values, frame[column]))
    assert found["unit"].tolist()[::3] == ["count", "km2"] and found["value"][[8, 9]].isna().all()


def test_keys_and_what_makes_a_field_required_or_unique():
    schema = {"fields": [{"name": "id"}, {"name": "x", "constraints": {"required": True}}, {"name": "y", "constraints": {"unique": True}}],
              "primaryKey": "id"}
    fields = {field["name"]: field for field in schema["fields"]}
    assert [is_required(fields[n], schema) for n in "id x y".split()] == [True, True, False]
    assert [is_unique(fields[n], schema) for n in "id x y".split()] == [True, False, True]
    compound = dict(schema, primaryKey=["id", "x"])
    assert is_required(fields["x"], compound) and not is_unique(fields["id"], compound)
    assert primary_key({"fields": []}) == [] and primary_key(compound) == ["id", "x"] and as_list("id") == ["id"]
    assert as_list(("a", "b")) == ["a", "b"]


def test_what_is_a_table_and_which_table_a_foreign_key_names():
    assert is_tabular({"schema": "s.json"}) and is_tabular({"type": "table"})
    assert not is_tabular({"path": "a.txt"}) and not is_tabular("metrics") and not is_tabular({"type": "file"})
    assert referenced_resource({"reference": {"resource": "sources"}}, "metrics") == "sources"
    assert referenced_resource({"reference": {"resource": ""}}, "metrics") == "metrics"
    assert referenced_resource({}, "metrics") == "metrics"


@pytest.mark.parametrize("data", [
    b"a,b\n1,2\n", b"a,b\n1,2", b"a,b\n", b"a\n1\n", b"a,b\n,\n", b"a,b\nNA,null\n", b"a,b\n \t,x\n",
    b"\xef\xbb\xbfa,b\n1,2\n", b"a,b\n\n1,2\n\n", b"\n\na,b\n1,2\n", b"a,b\r1,2\r", b"a,b\r\n1,2\r\n",
    b'a,b\n"x\ny",2\n', b'a,b\n"1""",2\n', b"a,a\n1,2\n", b"a.1,a,a\n1,2,3\n", b"a,\n1,2\n", b",\n1,2\n", b"a,b,\n1,2,\n",
], ids=repr)
def test_the_text_reader_reads_a_csv_as_pandas_read_csv_with_its_pyarrow_engine(data):
    expected = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8", engine="pyarrow")
    read = read_text_frame(io.BytesIO(data))
    pd.testing.assert_frame_equal(read, expected, check_exact=True)
    assert list(read.dtypes) == list(expected.dtypes)


@pytest.mark.parametrize("data,message", [
    (b"a,b\n1,2,3\n", "Expected 2 columns, got 3"),
    (b"a,b\n1\n", "Expected 2 columns, got 1"),
    (b"a,b\n\xff,2\n", "invalid UTF8 data"),
    (b"", "Empty CSV file"),
])
def test_the_text_reader_refuses_what_is_no_csv_of_utf8_text_with_a_value_error(data, message):
    with pytest.raises(ValueError, match=message):
        read_text_frame(io.BytesIO(data))


def test_a_quoted_cell_across_the_readers_block_boundary_keeps_its_row_and_its_line_breaks():
    # pyarrow reads in blocks of 1 MB, split at a line break: a quoted one must stay inside its cell.
    header, first, quoted = b"id,note\n", b"a1,", b'a2,"start\na3,x\na4,"end"\n'.replace(b'"end"', b'end"')
    data = header + first + b"p" * ((1 << 20) - 5 - len(header) - len(first) - 1 - len(b'a2,"start\n')) + b"\n" + quoted
    read = read_text_frame(io.BytesIO(data))
    assert read["id"].tolist() == ["a1", "a2"] and read["note"].tolist()[1] == "start\na3,x\na4,end"


def test_a_quoted_crlf_split_by_the_readers_block_boundary_keeps_both_its_bytes():
    # pyarrow drops the LF of a quoted CRLF whose CR ends a block (apache/arrow#51368): such a file is read whole.
    prefix = b'id,note\na1,"'
    data = prefix + b"q" * ((1 << 20) - 1 - len(prefix)) + b'\r\ntail"\na2,z\n'
    assert data[(1 << 20) - 1:(1 << 20) + 1] == b"\r\n"
    read = read_text_frame(io.BytesIO(data))
    assert read["id"].tolist() == ["a1", "a2"] and read["note"][0].endswith("q\r\ntail")


@pytest.mark.parametrize("header,names", [(b"id,id", ["id", "id.1"]), (b"id,", ["id", "Unnamed: 1"])])
def test_a_file_with_a_blank_or_repeated_label_is_read_as_carefully_as_any(header, names):
    # pandas names such columns; the rows are still read by our reader, quoted line breaks included.
    data = header + b"\na1," + b"p" * ((1 << 20) - 30) + b'\na2,"start\na3,x\na4,end"\n'
    read = read_text_frame(io.BytesIO(data))
    assert list(read.columns) == names and read[names[0]].tolist() == ["a1", "a2"]


def test_a_row_is_empty_only_when_every_cell_is_the_empty_string_whichever_column_holds_text():
    text = pd.DataFrame({"id": ["", "", "x", "", ""], "a": ["", "y", "", "", " "], "b": ["", "", "", "z", ""]}, dtype="str")
    assert empty_rows(text).tolist() == [True, False, False, False, False]
    assert empty_rows(text[["id"]]).tolist() == [True, True, False, True, True]
    assert empty_rows(text[[]]).tolist() == [False] * 5 and empty_rows(text.iloc[:0]).tolist() == []


def test_a_cell_starts_with_one_of_the_characters_only_at_its_first_character():
    cells = pd.Series(["=1", "+", "-x", "@", "\tq", "\rr", "a=", "", " =", "é=", "\n="], dtype="str")
    assert starts_with_one_of(cells, "=+-@\t\r").tolist() == [True] * 6 + [False] * 5
    assert starts_with_one_of(cells, "é").tolist() == [False] * 9 + [True, False]
