"""The README written into the release zip (dp/zip_readme.py), on small packages written here."""
import codecs
import json

from dp import zip_readme
from dp.zip_readme import (citation_section, columns_section, first_sentence, loading_section, qualifier_meanings,
                           qualifier_section, render_readme, row_count, tables)

COUNTS_SCHEMA = {
    "fields": [
        {"name": "id", "type": "string", "constraints": {"required": True}, "description": "Row id. Never reused."},
        {"name": "value", "type": "number", "description": "The figure"},
        {"name": "as_of", "type": "date", "description": "Date | stated."},
        {"name": "qualifier", "constraints": {"required": True, "enum": ["exact", "more_than", "nearly"]},
         "description": "How hedged. exact: stated plainly. more_than (above): the figure is above value. "
                        "nearly: a little | below."},
    ],
    "primaryKey": ["id"],
}
PLACES_SCHEMA = {
    "fields": [{"name": "id", "type": "string", "description": "Place id"}, {"name": "flag", "type": "boolean"},
               {"name": "n", "type": "integer"}, {"name": "seen", "type": "datetime"}],
    "primaryKey": "id",
}
DESCRIPTOR = {
    "name": "tiny",
    "title": "Tiny figures",
    "version": "2.1.0",
    "description": "Two  tables\n of figures.",
    "contributors": [{"title": "Ann"}, "not a contributor", {"title": "Bob"}],
    "licenses": [{"name": "ODC-PDDL-1.0", "title": "Public domain dedication."}, "not a licence", {"name": "CC-BY-4.0"}],
    "resources": [
        {"name": "counts", "path": "data/counts.csv", "schema": "schemas/counts.schema.json",
         "description": "Every figure.  One per row."},
        {"name": "places", "path": "data/places.csv", "schema": "schemas/places.schema.json"},
        {"name": "source", "path": "archive/source.txt", "description": "The source text! Copied."},
    ],
}
FILES = {
    "data/counts.csv": "id,value,as_of,qualifier\na,1,2017-03-24,exact\nb,2,2017-03-24,more_than\nc,,2017-03-24,more_than\n",
    "data/places.csv": "id,flag,n,seen\nx,true,1,2017-03-24T00:00:00Z\n",
    "schemas/counts.schema.json": json.dumps(COUNTS_SCHEMA),
    "schemas/places.schema.json": json.dumps(PLACES_SCHEMA),
    "archive/source.txt": "The source.\n",
}

TINY_README = """\
# Tiny figures

Version 2.1.0, released 2024-05-06. A Frictionless Data Package: `datapackage.json` describes every file.

Two tables of figures.

## Tables and columns

### counts (`data/counts.csv`, 3 rows, key `id`)

Every figure.

| column | type | required | meaning |
|---|---|---|---|
| `id` | string | yes | Row id. |
| `value` | number |  | The figure |
| `as_of` | date |  | Date \\| stated. |
| `qualifier` | string | yes | How hedged. |

### places (`data/places.csv`, 1 row, key `id`)



| column | type | required | meaning |
|---|---|---|---|
| `id` | string |  | Place id |
| `flag` | boolean |  |  |
| `n` | integer |  |  |
| `seen` | datetime |  |  |

Also: `archive/source.txt` (source): The source text!

## How sure each number is

`counts.qualifier` says how the source hedges each figure:

| qualifier | rows | meaning |
|---|---|---|
| `exact` | 1 | stated plainly. |
| `more_than` | 2 | the figure is above value. |
| `nearly` | 0 | a little \\| below. |

## How to load it

Types come from the Table Schemas in `schemas/`; an empty cell is a missing value.

pandas:

```python
import pandas as pd
counts = pd.read_csv("data/counts.csv", keep_default_na=False, na_values=[""],
    dtype={'id': 'string', 'value': 'float64', 'qualifier': 'string'},
    parse_dates=['as_of'])
```

frictionless (checks every constraint as it reads):

```python
from frictionless import Package
rows = Package("datapackage.json").get_resource("counts").read_rows()
```

SQL, with DuckDB:

```sql
SELECT * FROM read_csv('data/counts.csv', header = true, nullstr = '', types = {'id': 'VARCHAR', 'value': 'DOUBLE', 'as_of': 'DATE', 'qualifier': 'VARCHAR'});
```

## Cite it and reuse it

Ann; Bob (2024). *Tiny figures* (version 2.1.0) [Data set].
`CITATION.cff` holds the full citation, with the source it codes.

Licences: ODC-PDDL-1.0: Public domain dedication; CC-BY-4.0. `LICENSE-DATA` says what each covers. `CHANGELOG.md` lists every version.
"""


def write_files(root, files):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def schema_file(root, name, fields, **rest):
    """A Table Schema file in root/schemas/; returns its path relative to root."""
    path = f"schemas/{name}.schema.json"
    write_files(root, {path: json.dumps(dict(rest, fields=fields))})
    return path


def test_the_readme_of_a_small_package_says_all_a_user_needs(tmp_path):
    write_files(tmp_path, FILES)
    assert render_readme(DESCRIPTOR, tmp_path, "2.1.0", "2024-05-06") == TINY_README


def test_the_readme_takes_version_and_date_as_given_and_root_as_text(tmp_path):
    write_files(tmp_path, FILES)
    text = render_readme(DESCRIPTOR, str(tmp_path), "3.0.0", "2031-01-02")
    assert text.splitlines()[2] == ("Version 3.0.0, released 2031-01-02. "
                                    "A Frictionless Data Package: `datapackage.json` describes every file.")
    assert "Ann; Bob (2031). *Tiny figures* (version 3.0.0) [Data set]." in text.splitlines()


def test_a_package_without_title_description_or_tables_names_itself(tmp_path):
    descriptor = {"name": "bare", "resources": [{"name": "notes", "path": "notes.txt"}]}
    assert render_readme(descriptor, tmp_path, "0.1.0", "2020-02-03") == (
        "# bare\n\n"
        "Version 0.1.0, released 2020-02-03. A Frictionless Data Package: `datapackage.json` describes every file.\n\n\n\n"
        "## Tables and columns\n\n"
        "Also: `notes.txt` (notes): \n\n"
        "## Cite it and reuse it\n\n"
        "bare (2020). *bare* (version 0.1.0) [Data set].\n"
        "`CITATION.cff` holds the full citation, with the source it codes.\n\n"
        "Licences: . `LICENSE-DATA` says what each covers. `CHANGELOG.md` lists every version.\n")


def test_first_sentence_ends_at_the_first_stop_followed_by_a_space_or_the_end():
    assert first_sentence("Stops here! Not here.") == "Stops here!"
    assert first_sentence("Asks? Yes.") == "Asks?"
    assert first_sentence("3.5 million people. More.") == "3.5 million people."
    assert first_sentence("Ends with a stop.") == "Ends with a stop."
    assert first_sentence("No stop at all") == "No stop at all"


def test_first_sentence_joins_lines_and_escapes_table_bars():
    assert first_sentence("One\n  two.\tThree.") == "One two."
    assert first_sentence("a|b and | c") == "a\\|b and \\| c"
    assert first_sentence("  ") == ""
    assert first_sentence(None) == ""
    assert first_sentence(42) == "42"


def test_row_count_counts_records_not_lines_nor_the_header(tmp_path):
    write_files(tmp_path, {"two.csv": 'id,text\n1,"two\nlines"\n2,plain\n', "header.csv": "id\n", "empty.csv": "",
                           "crlf.csv": 'id,text\r\n1,"a\r\nb"\r\n'})
    assert row_count(tmp_path / "two.csv") == 2
    assert row_count(tmp_path / "header.csv") == 0
    assert row_count(tmp_path / "empty.csv") == 0
    assert row_count(tmp_path / "crlf.csv") == 1


def test_row_count_reads_the_file_as_utf8(tmp_path):
    (tmp_path / "accents.csv").write_bytes("id\né\nü\n".encode("utf-8"))
    assert row_count(tmp_path / "accents.csv") == 2


def test_tables_are_the_resources_with_a_path_and_a_schema_file(tmp_path):
    path = schema_file(tmp_path, "t", [{"name": "id"}])
    descriptor = {"resources": [
        {"name": "inline", "path": "a.csv", "schema": {"fields": []}},
        {"name": "chunks", "path": ["a.csv", "b.csv"], "schema": path},
        {"name": "no-path", "schema": path},
        {"name": "t", "path": "t.csv", "schema": path},
    ]}
    assert list(tables(descriptor, tmp_path)) == [(descriptor["resources"][3], {"fields": [{"name": "id"}]})]
    assert list(tables(descriptor, str(tmp_path))) == [(descriptor["resources"][3], {"fields": [{"name": "id"}]})]


def test_qualifier_meanings_follow_the_description_in_its_own_order():
    field = {"constraints": {"enum": ["a", "b", "c"]},
             "description": "Codes. c: third,\n  spread. a (first one): first | only. b: second."}
    assert qualifier_meanings(field) == {"a": "first \\| only.", "b": "second.", "c": "third, spread."}
    assert list(qualifier_meanings(field)) == ["a", "b", "c"]


def test_a_qualifier_value_not_described_has_no_meaning():
    field = {"constraints": {"enum": ["on", "off", "gone"]}, "description": "upon: not a value. off: switched off."}
    assert qualifier_meanings(field) == {"on": "", "off": "switched off.", "gone": ""}
    assert qualifier_meanings({"constraints": {"enum": ["x"]}}) == {"x": ""}


def test_qualifier_values_that_are_not_text_or_hold_regex_characters_are_found():
    assert qualifier_meanings({"constraints": {"enum": [1, 2]}, "description": "1: one. 2: two."}) == {1: "one.", 2: "two."}
    assert qualifier_meanings({"constraints": {"enum": ["a.b", "axb"]}, "description": "axb: literal x. a.b: dotted."}) == {
        "a.b": "dotted.", "axb": "literal x."}


def test_a_field_without_enum_has_no_qualifier_meanings():
    assert qualifier_meanings({"description": "a: b."}) == {}
    assert qualifier_meanings({"constraints": {"enum": None}, "description": "a: b."}) == {}


def test_the_qualifier_section_needs_a_qualifier_field_with_values(tmp_path):
    write_files(tmp_path, {"t.csv": "qualifier,kind\nx,x\n"})
    others = [{"name": "kind", "constraints": {"enum": ["x"]}, "description": "x: a kind."},
              {"name": "qualifier", "description": "x: no enum."},
              {"name": "qualifier", "constraints": {"enum": []}}]
    descriptor = {"resources": [{"name": "t", "path": "t.csv", "schema": schema_file(tmp_path, "t", others)}]}
    assert qualifier_section(descriptor, tmp_path) == []


def test_the_qualifier_section_counts_rows_of_each_table(tmp_path):
    write_files(tmp_path, {"a.csv": "id,qualifier\n1,x\n2,é\n3,x\n", "b.csv": "qualifier\ny\n"})
    qualifier = {"name": "qualifier", "constraints": {"enum": ["x", "é"]}, "description": "x: ex. é: accented."}
    descriptor = {"resources": [
        {"name": "a", "path": "a.csv", "schema": schema_file(tmp_path, "a", [{"name": "id"}, qualifier])},
        {"name": "b", "path": "b.csv", "schema": schema_file(tmp_path, "b", [dict(qualifier, constraints={"enum": ["y"]})])},
    ]}
    assert qualifier_section(descriptor, str(tmp_path)) == [
        "## How sure each number is", "",
        "`a.qualifier` says how the source hedges each figure:", "",
        "| qualifier | rows | meaning |", "|---|---|---|",
        "| `x` | 2 | ex. |", "| `é` | 1 | accented. |", "",
        "`b.qualifier` says how the source hedges each figure:", "",
        "| qualifier | rows | meaning |", "|---|---|---|",
        "| `y` | 1 |  |", ""]


def test_a_qualifier_value_holding_a_line_break_is_counted_as_written(tmp_path):
    (tmp_path / "t.csv").write_bytes(b'qualifier\r\n"a\r\nb"\r\n"a\nb"\r\n')
    fields = [{"name": "qualifier", "constraints": {"enum": ["a\r\nb"]}}]
    descriptor = {"resources": [{"name": "t", "path": "t.csv", "schema": schema_file(tmp_path, "t", fields)}]}
    assert qualifier_section(descriptor, tmp_path)[6] == "| `a\r\nb` | 1 |  |"


def test_a_schema_that_lists_no_fields_gives_a_table_without_columns_nor_qualifiers(tmp_path):
    write_files(tmp_path, {"t.csv": "a\n1\n", "schemas/t.schema.json": "{}"})
    descriptor = {"resources": [{"name": "t", "path": "t.csv", "schema": "schemas/t.schema.json"}]}
    assert columns_section(descriptor, tmp_path) == [
        "## Tables and columns", "", "### t (`t.csv`, 1 row)", "", "", "",
        "| column | type | required | meaning |", "|---|---|---|---|", ""]
    assert qualifier_section(descriptor, tmp_path) == []


def test_a_qualifier_cell_with_a_line_break_is_one_row(tmp_path):
    write_files(tmp_path, {"t.csv": 'note,qualifier\n"a\r\nb",x\n'})
    fields = [{"name": "note"}, {"name": "qualifier", "constraints": {"enum": ["x"]}}]
    descriptor = {"resources": [{"name": "t", "path": "t.csv", "schema": schema_file(tmp_path, "t", fields)}]}
    assert qualifier_section(descriptor, tmp_path)[6] == "| `x` | 1 |  |"


def test_columns_section_lists_tables_keys_and_other_files(tmp_path):
    write_files(tmp_path, {"one.csv": "a,b\n1,2\n", "two.csv": "a\n1\n2\n"})
    descriptor = {"resources": [
        {"name": "one", "path": "one.csv", "description": "First.",
         "schema": schema_file(tmp_path, "one", [{"name": "a", "constraints": {"required": False}}, {"name": "b", "type": "year"}],
                               primaryKey=["a", "b"])},
        {"name": "two", "path": "two.csv", "schema": schema_file(tmp_path, "two", [{"name": "a"}], primaryKey=[])},
        {"name": "inline", "path": "inline.csv", "schema": {"fields": []}, "description": "Inline. Schema."},
        {"name": "remote", "path": ["x.csv"]},
        {"path": "notes.md"},
    ]}
    assert columns_section(descriptor, tmp_path) == [
        "## Tables and columns", "",
        "### one (`one.csv`, 1 row, key `a, b`)", "", "First.", "",
        "| column | type | required | meaning |", "|---|---|---|---|",
        "| `a` | string |  |  |", "| `b` | year |  |  |", "",
        "### two (`two.csv`, 2 rows)", "", "", "",
        "| column | type | required | meaning |", "|---|---|---|---|",
        "| `a` | string |  |  |", "",
        "Also: `inline.csv` (inline): Inline.",
        "Also: `notes.md` (None): ", ""]


def test_columns_section_without_other_files_ends_after_the_last_table(tmp_path):
    write_files(tmp_path, {"t.csv": "a\n"})
    descriptor = {"resources": [{"name": "t", "path": "t.csv", "schema": schema_file(tmp_path, "t", [])}]}
    assert columns_section(descriptor, tmp_path) == [
        "## Tables and columns", "", "### t (`t.csv`, 0 rows)", "", "", "",
        "| column | type | required | meaning |", "|---|---|---|---|", ""]


def test_loading_shows_the_table_with_most_number_and_date_columns_first_listed_on_a_tie(tmp_path):
    resources = []
    for name, types in [("p", ["number"]), ("q", ["number", "date"]), ("r", ["date", "date"]), ("s", ["integer"] * 3)]:
        fields = [{"name": f"c{i}", "type": kind} for i, kind in enumerate(types)]
        resources.append({"name": name, "path": f"{name}.csv", "schema": schema_file(tmp_path, name, fields)})
    lines = loading_section({"resources": resources}, tmp_path)
    assert lines[8] == 'q = pd.read_csv("q.csv", keep_default_na=False, na_values=[""],'
    assert lines[9:11] == ["    dtype={'c0': 'float64'},", "    parse_dates=['c1'])"]


def test_loading_gives_each_schema_type_its_pandas_and_duckdb_type(tmp_path):
    fields = [{"name": "id"}, {"name": "flag", "type": "boolean"}, {"name": "n", "type": "integer"},
              {"name": "seen", "type": "datetime"}, {"name": "year", "type": "year"}]
    descriptor = {"resources": [{"name": "t", "path": "t.csv", "schema": schema_file(tmp_path, "t", fields)}]}
    lines = loading_section(descriptor, tmp_path)
    assert lines[9:11] == ["    dtype={'id': 'string', 'flag': 'boolean', 'n': 'Int64'},", "    parse_dates=['seen'])"]
    assert lines[-3] == ("SELECT * FROM read_csv('t.csv', header = true, nullstr = '', types = {'id': 'VARCHAR', "
                         "'flag': 'BOOLEAN', 'n': 'BIGINT', 'seen': 'TIMESTAMP', 'year': 'VARCHAR'});")


def test_loading_a_table_whose_schema_lists_no_fields_gives_no_types(tmp_path):
    descriptor = {"resources": [{"name": "t", "path": "t.csv", "schema": schema_file(tmp_path, "t", [])}]}
    (tmp_path / "schemas" / "t.schema.json").write_text("{}", encoding="utf-8")
    lines = loading_section(descriptor, tmp_path)
    assert lines[8:11] == ['t = pd.read_csv("t.csv", keep_default_na=False, na_values=[""],', "    dtype={},", "    parse_dates=[])"]
    assert lines[-3] == "SELECT * FROM read_csv('t.csv', header = true, nullstr = '', types = {});"


def test_loading_is_left_out_without_a_table(tmp_path):
    assert loading_section({"resources": [{"name": "n", "path": "n.txt"}]}, tmp_path) == []


def test_cite_line_names_contributors_or_else_the_package():
    descriptor = {"name": "pkg", "contributors": [{"title": "Ann"}, {"roles": ["creator"]}, {"title": "Cy"}]}
    assert citation_section(descriptor, "1.0.0", "2019-12-31")[2] == "Ann; ; Cy (2019). *pkg* (version 1.0.0) [Data set]."
    assert citation_section({"name": "pkg", "title": "", "contributors": ["Ann"]}, "1.2.3", "2020-01-01")[2] == (
        "pkg (2020). *pkg* (version 1.2.3) [Data set].")


def test_licences_line_lists_each_licence_without_a_trailing_stop():
    descriptor = {"name": "pkg", "licenses": [{"name": "A", "title": "First."}, {"title": "Untitled"}, {"name": "B", "title": ""},
                                              {"name": "X", "title": "Licence of project X"}]}
    assert citation_section(descriptor, "1.0.0", "2019-12-31")[5] == (
        "Licences: A: First; None: Untitled; B; X: Licence of project X. `LICENSE-DATA` says what each covers. "
        "`CHANGELOG.md` lists every version.")


def test_the_readme_reads_the_csv_files_as_utf8_whatever_the_locale(tmp_path, monkeypatch):
    opened = []
    real_open = open

    def recording_open(path, *args, **kwargs):
        encoding = kwargs.get("encoding")
        opened.append((str(path), codecs.lookup(encoding).name if encoding else None))
        return real_open(path, *args, **kwargs)

    write_files(tmp_path, FILES)
    monkeypatch.setattr(zip_readme, "open", recording_open, raising=False)
    render_readme(DESCRIPTOR, tmp_path, "2.1.0", "2024-05-06")
    assert sorted(set(opened)) == [(str(tmp_path / "data" / "counts.csv"), "utf-8"),
                                   (str(tmp_path / "data" / "places.csv"), "utf-8")]
