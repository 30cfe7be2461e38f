"""Reading a CSV resource into typed pandas columns, driven by its Table Schema.

Every cell is first read as text, so that a cell that does not parse can be named, then each
column is parsed by the type its schema gives it. The parsing follows frictionless-py's
defaults: ISO dates (%Y-%m-%d), plain decimal numbers, integers without a fraction.
"""
import io
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dp.package import read_json

# The plain numbers frictionless reads (no NaN, inf or '1_000'), and integers, with no space around
# them: frictionless trims any Unicode space (a no-break space too), but pandas and spreadsheets then
# read such a cell as text, so the gate is stricter.
PLAIN_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
PLAIN_INTEGER = r"^[+-]?[0-9]+$"
# ISO 8601 calendar dates with two-digit months and days (frictionless' strptime also takes 2017-3-24).
ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

PANDAS_DTYPES = {
    "string": "string",
    "number": "Float64",
    "integer": "Int64",
    "date": "datetime64[us]",  # pandas 3 parses to microseconds, which reach back to year 1
    "boolean": "boolean",
}


def choose_allocator():
    """Make pyarrow allocate with jemalloc (malloc where pyarrow has no jemalloc) for the rest of this
    process, unless ARROW_DEFAULT_MEMORY_POOL names an allocator.

    Validating 1M metric rows (python -m dp.bench ours PATH, three paired runs, 2026-11-29) peaked
    at 866-874 MB with jemalloc and 961-990 MB with malloc, in about the same time; pyarrow's default
    here, mimalloc, took 969 MB and was slower. jemalloc hands the reader's freed blocks back.
    """
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
        except NotImplementedError:
            pa.set_memory_pool(pa.system_memory_pool())


# What pandas.read_csv(dtype=str, keep_default_na=False, engine="pyarrow") asks of pyarrow: every cell
# as text, none null, blank lines skipped. And one thing more: a quoted line break is part of its cell
# wherever it falls. Without newlines_in_values, pyarrow splits the file into 1 MB blocks at a line
# break without looking at quotes: a quoted cell across a block's end lost its row, and the lines
# inside it were read as rows (at 1M rows, about as fast: 0.42-1.06 s without, 0.45-1.08 s with).
CSV_PARSE = pacsv.ParseOptions(delimiter=",", quote_char='"', ignore_empty_lines=True, newlines_in_values=True)
CSV_CONVERT = pacsv.ConvertOptions(null_values=[], strings_can_be_null=False, default_column_type=pa.large_string())
BLOCK_BYTES = 1 << 20  # pyarrow's default block
LARGEST_BLOCK = 2**31 - 1  # pyarrow takes no larger block_size


def read_text_frame(source):
    """Every cell of a CSV as text, nothing converted; the empty cell stays ''. source: see read_text_table.

    Raises ValueError (pyarrow's ArrowInvalid is one) when the bytes are not a CSV of UTF-8 text.
    """
    data = _bytes_of(source)
    table = read_text_table(data)
    names = table.column_names
    if "" in names or len(set(names)) != len(names):
        # A blank or repeated label: pandas names such columns ("Unnamed: 1", "a.1"), pyarrow does not.
        names = pd.read_csv(io.BytesIO(data), nrows=0, dtype=str, keep_default_na=False, encoding="utf-8").columns
        table = table.rename_columns([str(name) for name in names])
    return text_frame(table)


def read_text_table(source):
    """Every cell of a CSV as Arrow text, its header's labels as they are in the file; see read_text_frame.

    source is the file's bytes, its path or a binary file object. pyarrow reads all-text columns about
    three times faster than pandas' C reader. It is called directly: through pandas.read_csv, the same
    read of a 12-row file took 7.5 ms instead of 1.2.
    """
    data = _bytes_of(source)
    return pacsv.read_csv(pa.BufferReader(data), read_options=_read_options(data), parse_options=CSV_PARSE,
                          convert_options=CSV_CONVERT)


def _bytes_of(source):
    if isinstance(source, bytes):
        return source
    return source.read() if hasattr(source, "read") else Path(source).read_bytes()


def _read_options(data):
    """pyarrow's default blocks, unless one would end between the CR and the LF of a line break.

    There pyarrow drops the LF from a quoted cell, without an error (apache/arrow#51368, open in
    pyarrow 26): such a file is read as one block, about 1.7 times slower (1M rows: 0.59 -> 1.01 s).
    """
    if not any(data[end - 1:end + 1] == b"\r\n" for end in range(BLOCK_BYTES, len(data), BLOCK_BYTES)):
        return pacsv.ReadOptions()
    if len(data) >= LARGEST_BLOCK:
        raise ValueError("a file of 2 GB or more with CRLF line ends cannot be read whole; save it with LF line ends")
    return pacsv.ReadOptions(block_size=len(data) + 1)


def text_frame(table):
    """read_text_table's table as the frame pandas.read_csv(dtype=str) reads; its labels are unique and not blank."""
    return table.to_pandas(types_mapper={pa.large_string(): pd.api.types.pandas_dtype("str")}.get)


def missing_mask(column, schema):
    """True where a cell is one of the schema's missingValues (by default, the empty string)."""
    return pd.Series(_numpy(_missing(_arrow_text(column), schema)), index=column.index)


def _missing(text, schema):
    return pc.is_in(text, value_set=pa.array(schema.get("missingValues", [""]), pa.large_string()))


def _arrow_text(column):
    """The column as an Arrow array of text, without a copy when pandas already holds it in Arrow."""
    array = pa.array(column, type=pa.large_string(), from_pandas=True)
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


def empty_rows(frame):
    """True on the rows of a text frame whose every cell is the empty string.

    A column at a time, and only while some row may still be empty: a table's first column (its
    id) rarely is, so the answer usually takes one comparison instead of one per column.
    """
    empty = pa.chunked_array([pa.array(np.ones(len(frame), dtype=bool))])
    for _, column in frame.items():
        if not pc.any(empty).as_py():
            break
        empty = pc.and_(empty, pc.equal(_arrow_text(column), ""))
    return _numpy(empty) if len(frame.columns) else np.zeros(len(frame), dtype=bool)


def _numpy(mask):
    return mask.to_numpy(zero_copy_only=False).astype(bool)


def _cast(text, kind):
    """text cast to kind; a value out of kind's range (a 20-digit integer) becomes null."""
    try:
        return pc.cast(text, kind)
    except pa.ArrowInvalid:
        return pa.chunked_array([pa.array([_cast_one(value, kind) for value in text.to_pylist()], kind)])


def _cast_one(value, kind):
    try:
        return None if value is None else pc.cast(pa.scalar(value), kind).as_py()
    except pa.ArrowInvalid:
        return None


def _parse_numbers(text):
    """Plain decimal numbers as float64; infinities (1e999) are not plain numbers either."""
    well_formed = pc.match_substring_regex(text, PLAIN_NUMBER)
    values = _cast(pc.if_else(well_formed, text, None), pa.float64())
    return values, pc.and_kleene(well_formed, pc.is_finite(values))


def _parse_integers(text):
    well_formed = pc.match_substring_regex(text, PLAIN_INTEGER)
    values = _cast(pc.replace_substring_regex(pc.if_else(well_formed, text, None), r"^\+", ""), pa.int64())
    return values, pc.is_valid(values)


def _to_pandas(values, parsed, kind):
    """Arrow values as the nullable pandas dtype of kind, null wherever a cell did not parse."""
    data = values.fill_null(0).to_numpy(zero_copy_only=False)
    array_type = pd.arrays.FloatingArray if kind == "number" else pd.arrays.IntegerArray
    return array_type(data, ~_numpy(parsed))


def pattern_error(pattern):
    """Why RE2 cannot run a schema pattern (a lookahead, a backreference, bad syntax), or None."""
    try:
        pc.match_substring_regex(pa.array([""], pa.large_string()), _anchored(pattern))
        return None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
        return f"cannot be run: {str(err).splitlines()[0]}"


def matches_pattern(column, pattern):
    """True where a text cell matches a schema pattern as a whole.

    Patterns come from the schema, so from whoever sent the package: they run through pyarrow's
    RE2, whose time is linear in the cell's length (no backtracking, so `^(a+)+$` cannot hang).
    """
    return pd.Series(_numpy(pc.match_substring_regex(_arrow_text(column), _anchored(pattern)).fill_null(False)), index=column.index)


def starts_with_one_of(column, characters):
    """True where a text cell's first character is one of characters (a mask as a NumPy array)."""
    first = pc.utf8_slice_codeunits(_arrow_text(column), 0, 1)
    return _numpy(pc.is_in(first, value_set=pa.array(list(characters), pa.large_string())).fill_null(False))


def _anchored(pattern):
    return f"^(?:{pattern})$"


def _parse_dates(text):
    # pandas parses each distinct date once; a column of dates repeats few values.
    iso = _numpy(pc.match_substring_regex(_arrow_text(text), f"^{ISO_DATE}$").fill_null(False))
    values = pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce")
    return values, values.isna()


def _parse_booleans(text, field):
    true_values = field.get("trueValues", ["true", "True", "TRUE", "1"])
    false_values = field.get("falseValues", ["false", "False", "FALSE", "0"])
    values = pd.Series(pd.NA, index=text.index, dtype="boolean")
    values[text.isin(true_values)] = True
    values[text.isin(false_values)] = False
    return values, values.isna()


def parse_column(text, field, schema):
    """Typed values of one column and a mask of the cells that are present but do not parse."""
    kind = field.get("type", "string")
    arrow = _arrow_text(text)
    missing = _missing(arrow, schema)
    if kind == "string":  # every cell is text: the missing ones become null, and none is bad
        values = pc.if_else(missing, None, arrow) if pc.any(missing).as_py() else arrow
        return pd.Series(pd.arrays.ArrowStringArray(values), index=text.index), pd.Series(False, index=text.index)
    present = pc.invert(missing)
    if kind in ("date", "boolean"):
        present_mask = pd.Series(_numpy(present), index=text.index)
        parse = _parse_dates if kind == "date" else lambda cells: _parse_booleans(cells, field)
        values, bad = parse(text.where(present_mask))
        bad &= present_mask
        return values.mask(bad).astype(PANDAS_DTYPES[kind]), bad
    if kind == "number":
        values, parsed = _parse_numbers(pc.if_else(present, arrow, None))
    else:  # integer, the last type dp.structure lets through
        values, parsed = _parse_integers(pc.if_else(present, arrow, None))
    parsed = parsed.fill_null(False)
    bad = pd.Series(_numpy(pc.and_not(present, parsed)), index=text.index)
    return pd.Series(_to_pandas(values, parsed, kind), index=text.index), bad


def typed_frame(text_frame, schema):
    """The typed frame of a text frame, and {field name: mask of cells that do not parse}."""
    fields = [field for field in schema["fields"] if field["name"] in text_frame.columns]
    parsed = in_parallel(lambda field: parse_column(text_frame[field["name"]], field, schema), fields, len(text_frame))
    typed = {field["name"]: values for field, (values, _) in zip(fields, parsed)}
    unparsable = {field["name"]: bad for field, (_, bad) in zip(fields, parsed)}
    return pd.DataFrame(typed, index=text_frame.index), unparsable


# Below this many rows, handing columns to threads costs more than it saves: typing the real
# metrics.csv (12 rows) took 18.2 ms on threads and 13.5 ms in turn; at 2,000 rows, 30.7 and 38.0 ms.
PARALLEL_FROM_ROWS = 1_000


def in_parallel(function, items, rows):
    """[function(item) for item in items], on every core when the items hold many rows (rows, the
    most any of them holds): pyarrow's kernels release the GIL."""
    if rows < PARALLEL_FROM_ROWS:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(function, items))


def schema_of(resource, root):
    """The resource's Table Schema, whether inline or a path relative to the descriptor."""
    schema = resource["schema"]
    return read_json(Path(root) / schema) if isinstance(schema, str) else schema


def as_list(fields):
    """A Table Schema key, 'id' or ['id', ...], as a list of field names."""
    return [fields] if isinstance(fields, str) else list(fields)


def primary_key(schema):
    return as_list(schema.get("primaryKey") or [])


def is_required(field, schema):
    """A field's cells may not be empty: it says so, or it is part of the primary key."""
    return bool(field.get("constraints", {}).get("required") or field["name"] in primary_key(schema))


def is_unique(field, schema):
    """A field's values may not repeat: it says so, or it alone is the primary key."""
    return bool(field.get("constraints", {}).get("unique") or primary_key(schema) == [field["name"]])


def is_tabular(resource):
    """A descriptor's resource entry that is a table, read with a Table Schema."""
    return isinstance(resource, dict) and (resource.get("type") == "table" or "schema" in resource)


def referenced_resource(key, resource_name):
    """The resource a foreign key refers to: an empty or absent resource is the table itself (v2)."""
    return key.get("reference", {}).get("resource") or resource_name


def field_names(schema):
    return [field["name"] for field in schema["fields"]]


def fields_by_name(schema):
    return {field["name"]: field for field in schema["fields"]}


def isin(values, known):
    """values.isin(known) for text; pandas compares a lookup set value by value, pyarrow hashes it."""
    if len(known) > len(values):  # hash the smaller side: first drop the known values that are not among values
        known = pd.Series(known, dtype="str")
        known = known[isin(known, values)]
    found = pc.is_in(_arrow_text(values), value_set=_arrow_text(pd.Series(known, dtype="str")).combine_chunks())
    return pd.Series(_numpy(found.fill_null(False)), index=values.index)


def lookup(values, mapping):
    """values.map(mapping) for text values and a mapping (a dict or a Series indexed by text), hashed by pyarrow."""
    mapping = pd.Series(mapping)
    return _taken(mapping, _positions(values, mapping.index), values.index)


def lookup_columns(values, frame):
    """{column: lookup(values, frame[column])} for each column of a frame indexed by text, the values hashed once."""
    positions = _positions(values, frame.index)
    return {column: _taken(frame[column], positions, values.index) for column in frame.columns}


def _positions(values, keys):
    """The position of each value among keys; -1 where it is none of them."""
    keys = _arrow_text(pd.Series(keys, dtype="str")).combine_chunks()
    return pc.index_in(_arrow_text(values), value_set=keys).fill_null(-1).to_numpy(zero_copy_only=False)


def _taken(column, positions, index):
    return pd.Series(pd.api.extensions.take(column.array, positions, allow_fill=True), index=index)
