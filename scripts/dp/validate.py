"""The validation gate: every rule, every failure, one report.

frictionless checks what it does best (the descriptor); the row rules of
the Table Schemas run vectorised through pandas and pandera; then come the rules no Table
Schema can express (dp.semantics), provenance and coverage (dp.provenance), safety
(dp.safety) and the release record (dp.releases).
"""
import csv
import io
import re
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
from frictionless import Package

from dp import provenance, releases, safety, semantics, structure
from dp.package import PackageError, sha256_bytes
from dp.pandera_schema import constraint_checks, to_pandera, validate_lazily
from dp.report import Problem
from dp.source import as_view
from dp.tableschema import (as_list, choose_allocator, empty_rows, fields_by_name, is_tabular, isin, primary_key, read_text_table,
                            referenced_resource, text_frame, typed_frame)

UTF8_BOM = b"\xef\xbb\xbf"
# A line end followed by another: LF then LF or CR (a lone CR ends a line too), or CR then CR.
BLANK_LINE = re.compile(rb"\n[\n\r]|\r\r")
TWO_LINE_FEEDS = re.compile(rb"\n\n")


@dataclass
class Table:
    """One tabular resource as read: its descriptor entry, schema, text and typed frames."""

    name: str
    resource: dict
    schema: dict
    text: pd.DataFrame
    typed: pd.DataFrame
    bad: dict = dataclass_field(default_factory=dict)  # field -> mask of the cells that failed an earlier rule
    numbers: np.ndarray | None = None  # each row's number in the file, when blank lines shift them
    _distinct: dict = dataclass_field(default_factory=dict, repr=False)

    def row_number(self, index):
        """The row's number in the CSV file, header = 1, counting blank rows, as frictionless counts."""
        return int(index) + 2 if self.numbers is None else int(self.numbers[int(index)])

    def row_id(self, index):
        key = primary_key(self.schema)
        if not key or key[0] not in self.text.columns:
            return None
        return str(self.text.at[index, key[0]])

    def unknown(self, columns):
        """True on the rows where one of columns holds a cell that already failed its Table Schema."""
        unknown = np.zeros(len(self.text), dtype=bool)
        for name in set(columns) & self.bad.keys():
            unknown |= self.bad[name]
        return pd.Series(unknown, index=self.text.index)

    def mark_bad(self, name, mask):
        """Count the cells of field name where mask is True as unknown for every later rule."""
        self.bad[name] = self.bad.get(name, np.zeros(len(self.text), dtype=bool)) | np.asarray(mask, dtype=bool)

    def is_bad(self, index, name):
        return name in self.bad and bool(self.bad[name][index])

    def distinct(self, columns):
        """(code of each row, frame of the distinct combinations of the text of columns), computed once.

        Keys, sources and quotes repeat across rows: a check that would hash a column again, or run
        Python for every row, works on the distinct combinations and spreads its answer by code.
        """
        key = tuple(columns)
        if key not in self._distinct:
            if len(key) == 1:
                codes, uniques = pd.factorize(self.text[key[0]], use_na_sentinel=False)
                self._distinct[key] = codes, pd.DataFrame({key[0]: uniques})
            else:
                self._distinct[key] = _combined([self.distinct([name]) for name in key])
        return self._distinct[key]

    def per_distinct(self, columns, describe):
        """describe(frame of distinct combinations), a Series or frame in its order, spread to every row."""
        codes, rows = self.distinct(columns)
        return describe(rows).take(codes).set_axis(self.text.index)

    def problem(self, index, field, rule, message):
        return Problem(self.name, rule, message, self.row_number(index), self.row_id(index), field)


def _combined(parts):
    """The distinct combinations of several columns, from each column's (codes, distinct values)."""
    sizes = [len(rows) for _, rows in parts]
    combination = np.ravel_multi_index([codes for codes, _ in parts], sizes)
    distinct, inverse = np.unique(combination, return_inverse=True)
    positions = np.unravel_index(distinct, sizes)
    rows = pd.concat([rows.iloc[at].reset_index(drop=True) for (_, rows), at in zip(parts, positions)], axis=1)
    return inverse.ravel(), rows


@dataclass
class Context:
    """What the checks share: where the package is, its descriptor and its readable tables."""

    root: Path
    descriptor_path: Path
    descriptor: dict
    tables: dict


def descriptor_problems(descriptor):
    """What frictionless finds wrong with a descriptor that references nothing it could fetch (dp.structure)."""
    report = Package.validate_descriptor(descriptor)
    errors = list(report.errors) + [error for task in report.tasks for error in task.errors]
    return [Problem("datapackage.json", error.type, error.message) for error in errors]


def integrity_problems(resource, path, data):
    """Bytes, hash, and no byte order mark, for one file whose content is data."""
    digest = sha256_bytes(data)
    name = resource["name"]
    problems = []
    if "bytes" in resource and resource["bytes"] != len(data):
        problems.append(Problem(name, "byte-count", f"descriptor says {resource['bytes']} bytes, {path.name} has {len(data)}; run scripts/build_datapackage.py after editing"))
    expected = str(resource.get("hash", "")).removeprefix("sha256:")
    if expected and expected != digest:
        problems.append(Problem(name, "hash-count", f"descriptor hash {expected} differs from {path.name}'s sha256 {digest}; run scripts/build_datapackage.py after editing"))
    if data.startswith(UTF8_BOM):
        problems.append(Problem(name, "encoding", f"{path.name} starts with a UTF-8 byte order mark; save it as UTF-8 without BOM"))
    return problems


def utf8_problems(resource, path, data):
    try:
        data.decode("utf-8")
        return []
    except UnicodeDecodeError as err:
        return [Problem(resource["name"], "encoding", f"{path.name} is not UTF-8 at byte {err.start}")]


def type_problems(table, unparsable):
    problems = []
    fields = fields_by_name(table.schema)
    for name, mask in unparsable.items():
        if not mask.any():  # most columns: nothing to name, nothing to mark
            continue
        for index in mask[mask].index:
            value = table.text.at[index, name]
            kind = fields[name].get("type", "string")
            problems.append(table.problem(index, name, "type", f"{value!r} is not a valid {kind}; write {_type_hint(kind)}"))
        table.mark_bad(name, mask)
    return problems


def _type_hint(kind):
    return {
        "number": "a plain number such as 9000 or 62.5 (no thousands separators, no % sign, no spaces)",
        "integer": "a whole number such as 2439 (no spaces)",
        "date": "an ISO 8601 date such as 2017-03-24",
        "boolean": "true or false",
    }.get(kind, f"a {kind}")


def constraint_problems(table):
    """Table Schema constraints, primary key included, through the derived pandera schema."""
    try:
        validate_lazily(to_pandera(table.schema, table.name), table.typed)
        return []
    except pandera.errors.SchemaErrors as errors:
        cases, reasons = errors.failure_cases, sorted({error.reason_code.name for error in errors.schema_errors if error.reason_code})
    fields = fields_by_name(table.schema)
    if cases.empty:  # pandera drops the failures whose value is missing: a failure with none left must not pass
        for name in fields:
            table.mark_bad(name, np.ones(len(table.text), dtype=bool))
        return [Problem(table.name, "internal-error", f"pandera found {table.name} invalid ({', '.join(reasons) or 'no reason given'}) "
                        f"and named no cell; no row of {table.name} is known to obey its schema")]
    problems, failed, repeated, unjudged = [], set(), set(), {}
    checks = {name: constraint_checks(field, table.schema) for name, field in fields.items()}  # built once: a case is one row of one check
    for case in cases.itertuples(index=False):
        rule = _constraint_rule(checks.get(case.column), case.check, case.check_number)
        if pd.isna(case.index) or rule is None:
            # A check that raised (pandera's lazy mode records it as a case with no row), or a failure
            # that is no constraint of the Table Schema: the gate fails closed, never open.
            unjudged.setdefault((case.column, rule or case.check), case.failure_case)
            continue
        index, name = int(case.index), case.column
        if case.check == "multiple_fields_uniqueness":  # a primary key of several fields: one problem per row
            repeated.add(index)
            continue
        if table.is_bad(index, name) or (index, name) in failed:
            continue
        problems.append(table.problem(index, name, rule, _constraint_message(table, fields[name], rule, index)))
        failed.add((index, name))
    key = primary_key(table.schema)
    for index in sorted(index for index in repeated if not any(table.is_bad(index, name) for name in key)):
        values = ", ".join(repr(table.text.at[index, name]) for name in key)
        problems.append(table.problem(index, ",".join(key), "unique",
                                      f"{values} appears in an earlier row; the primary key {', '.join(key)} must be unique"))
        failed |= {(index, name) for name in key}
    for name in {name for _, name in failed}:
        table.mark_bad(name, table.text.index.isin([index for index, field in failed if field == name]))
    for (name, rule), error in unjudged.items():
        problems.append(Problem(table.name, "internal-error", f"the {rule} constraint on {name} could not be checked "
                                f"({error}); no row of {table.name} is known to obey it", field=name if name in fields else None))
        if name in fields:
            table.mark_bad(name, np.ones(len(table.text), dtype=bool))
    return problems


def _constraint_rule(checks, check, check_number):
    """The Table Schema constraint a pandera check stands for, given its field's constraint_checks
    (None: no field of the schema); None for any other check."""
    if check == "multiple_fields_uniqueness":
        return "primaryKey"
    if checks is None:
        return None
    if check == "not_nullable":
        return "required"
    if pd.isna(check_number) or not 0 <= int(check_number) < len(checks) or str(check).partition("(")[0] != checks[int(check_number)][1].name:
        return None
    return checks[int(check_number)][0]


def _constraint_message(table, field, rule, index):
    name, constraints = field["name"], field.get("constraints", {})
    value = table.text.at[index, name]
    if rule == "required":
        return f"{name} is required and may not be empty"
    if rule == "unique":
        return f"{value!r} appears in an earlier row; {name} must be unique"
    detail = {
        "enum": f"must be one of {constraints.get('enum')}",
        "minimum": f"must be at least {constraints.get('minimum')}",
        "maximum": f"must be at most {constraints.get('maximum')}",
        "pattern": f"must match the pattern {constraints.get('pattern')}",
        "minLength": f"must be at least {constraints.get('minLength')} characters long",
        "maxLength": f"must be at most {constraints.get('maxLength')} characters long",
    }[rule]
    return f"{value!r} {detail}"


def foreign_key_problems(table, tables):
    problems = []
    for key in table.schema.get("foreignKeys", []):
        local, reference = as_list(key["fields"]), key["reference"]
        target = tables.get(referenced_resource(key, table.name))
        if target is None:
            continue
        remote = as_list(reference["fields"])
        if not set(remote) <= set(target.text.columns):
            problems.append(Problem(table.name, "foreign-key-resource", f"a foreign key refers to {'/'.join(remote)}, which {target.name} does not have"))
            continue
        known = _key_values(target.text, remote)
        dangling = table.per_distinct(local, lambda rows: (rows != "").any(axis=1) & ~isin(_key_values(rows, local), known))
        for index in dangling.index[dangling]:
            value = ", ".join(repr(cell) for cell in table.text.loc[index, local])
            problems.append(table.problem(index, ",".join(local), "foreign-key",
                                          f"{value} is not an {'/'.join(remote)} in {target.name}"))
    return problems


def _key_values(frame, fields):
    """One value per row for a key of one or more fields, comparable across frames."""
    values = frame[fields[0]]
    for name in fields[1:]:
        values = values + "\x1f" + frame[name]
    return values


def typed_table(resource, schema, text, numbers):
    typed, unparsable = typed_frame(text, schema)
    return Table(resource["name"], resource, schema, text, typed, numbers=numbers), unparsable


def _may_hold_blank_line(data):
    if data.startswith((b"\n", b"\r")):
        return True
    if b"\r" in data:  # a file with CR line ends: the regular expression, which is slower
        return bool(BLANK_LINE.search(data))
    # A search for the one pair is about 7 times faster than BLANK_LINE on a large file, and through re
    # twice as fast as `in` (238 MB: 0.10-0.13 s against 0.25-0.26 s).
    return TWO_LINE_FEEDS.search(data) is not None


def blank_records(data, rows):
    """(numbers of the blank lines, number of each row read), or ([], None) when the file has no blank line.

    The reader skips blank lines, so the rows it reads would be numbered wrong after one; frictionless
    reports each as a blank-row. Only a file that may hold one is walked record by record.
    """
    if not _may_hold_blank_line(data):
        return [], None
    blank, numbers = [], []
    for number, record in _numbered_records(data):
        (numbers if record else blank).append(number)
    return blank, np.array(numbers[1:]) if len(numbers) == rows + 1 else None


def _numbered_records(data):
    """(number, cells) of each CSV record of data, the header first and blank lines counted, as frictionless numbers rows."""
    structure.allow_cells_as_long_as(data)
    return enumerate(csv.reader(io.StringIO(data.decode("utf-8", errors="replace"), newline="")), start=1)


def _rows_of_another_length(data):
    """(row number, cells, whether a cell spans lines) of each row whose number of cells differs from the header's."""
    width, found = None, []
    try:
        for number, record in _numbered_records(data):
            if record and width is None:
                width = len(record)
            elif record and len(record) != width:
                found.append((number, len(record), any("\n" in cell or "\r" in cell for cell in record)))
    except csv.Error:  # what the reader refused, this reader may refuse too: then the reader's words are all there is
        return None, []
    return width, found


def blank_row_problems(table, blank_lines):
    """A blank line, or a row whose every cell is empty, is a blank-row, as frictionless reports it."""
    problems = [Problem(table.name, "blank-row", "a blank line; delete it", number) for number in blank_lines]
    problems += [table.problem(index, None, "blank-row", "every cell of this row is empty; delete it")
                 for index in table.text.index[empty_rows(table.text)]]
    return problems


def row_problems(table, unparsable):
    """Type and constraint problems; the cells they name then count as unknown for the later rules."""
    problems = type_problems(table, unparsable) + constraint_problems(table)
    for name, mask in table.bad.items():
        table.typed[name] = table.typed[name].mask(mask)
    return problems


def resource_problems(resource, view, schema):
    """The problems of one resource's file, and its Table when it is a table that could be read."""
    path = view.path(resource["path"])  # contained: nothing outside the package is read
    data = path.read_bytes()  # read once: hashed, then parsed
    problems = integrity_problems(resource, path, data)
    found, read = read_problems(resource, data, schema)
    if read is None:
        encoding = utf8_problems(resource, path, data)
        if encoding:  # the reason the CSV could not be read, if it could not
            found = [problem for problem in found if problem.rule != "malformed-csv"]
        return problems + encoding + found, None
    del data  # pyarrow checked UTF-8 as it read every cell; the bytes, the largest object, go before typing
    text, blank, numbers = read
    table, unparsable = typed_table(resource, schema, text, numbers)
    return problems + found + blank_row_problems(table, blank) + row_problems(table, unparsable), table


def read_problems(resource, data, schema):
    """(problems, (text, blank lines, row numbers)) of a tabular resource's file that holds data: its
    header's problems, or what makes it no CSV, or every cell as text (None when it cannot be read)."""
    if not is_tabular(resource):
        return [], None
    try:
        table = read_text_table(data)
        labels = table.column_names  # pyarrow checks a label's UTF-8 only here
    except ValueError as err:  # UnicodeDecodeError is one
        # A header that is not the schema's may be why (another delimiter): it is what to fix first.
        return structure.header_problems(resource["name"], structure.header_labels(data), schema["fields"]) or \
            _unreadable_csv(resource, err, data), None
    found = structure.header_problems(resource["name"], labels, schema["fields"])
    if found:
        return found, None
    text = text_frame(table)
    blank, numbers = blank_records(data, len(text))
    return [], (text, blank, numbers)


def _unreadable_csv(resource, err, data=b""):
    """The problems of a CSV the reader refused: each row of the wrong length, or the reader's words."""
    if "straddling" in str(err):  # pyarrow reads in blocks of 1 MB, and no row may span two
        return [Problem(resource["name"], "row-too-long", f"{resource['path']} has a row of about 1 MB or more, "
                        "longer than the reader takes and than any cell of this package needs; check for a missing closing quote")]
    width, rows = _rows_of_another_length(data)
    if rows:
        return [Problem(resource["name"], "malformed-csv", f"{resource['path']} cannot be parsed as CSV: the row has "
                        f"{cells} cell{'s' * (cells != 1)}; the header has {width}"
                        + ("; a quoted cell in it runs over several lines: check for a missing closing quote" * spans_lines),
                        number) for number, cells, spans_lines in rows]
    return [Problem(resource["name"], "malformed-csv", f"{resource['path']} cannot be parsed as CSV: {str(err).splitlines()[0]}")]


def validate_package(package):
    """Every problem of a package: a dp.source PackageView, or a datapackage.json read in place.

    Raises PackageError if it cannot be read. Switches pyarrow's allocator for the rest of the
    process (see choose_allocator).
    """
    choose_allocator()
    view = as_view(package)
    descriptor, root, descriptor_path = view.descriptor(), view.root, view.descriptor_path
    problems, resources = run_check("resource-structure", structure.named_resources, descriptor,
                                    failed=lambda internal: (internal, {}))
    problems += run_check("unsafe-path", safety.path_problems, resources)
    problems += run_check("remote-reference", safety.reference_problems, descriptor)
    refused = {problem.resource for problem in problems}
    for name, resource in resources.items():
        # A file that is missing or leads out of the package (a symlink out) is reported and never read.
        found = [refusal for refusal in map(view.refusal, _files_of(resource)) if refusal] if name not in refused else []
        if found:
            problems.append(Problem(name, *found[0]))
            refused.add(name)
    schemas = {}
    for name, resource in structure.tabular(resources).items():
        if name not in refused:
            found, schemas[name] = run_check(f"schema of {name}", structure.load_schema, resource, view, resources,
                                             resource=name, failed=lambda internal: (internal, None))
            found += run_check(f"dialect of {name}", structure.dialect_problems, resource, view, resource=name)
            found += run_check(f"file of {name}", structure.file_problems, resource, resource=name)
            problems += found
            refused |= {name} if found else set()
    problems += run_check("descriptor", lambda: descriptor_problems(structure.frictionless_view(descriptor, resources, schemas)))
    tables = {}
    for name, resource in resources.items():
        if name in refused:
            continue
        found, table = run_check(f"resource {name}", resource_problems, resource, view, schemas.get(name),
                                 resource=str(name), failed=lambda internal: (internal, None))
        problems += found
        if table is not None:
            tables[name] = table
    for table in tables.values():
        problems += run_check("foreign-key", foreign_key_problems, table, tables, resource=table.name)
    context = Context(root, descriptor_path, descriptor, tables)
    problems += run_check("csv-injection", safety.injection_problems, tables)
    problems += run_check("semantics", semantics.problems, context)
    problems += run_check("provenance", provenance.problems, context)
    problems += run_check("releases", releases.problems, context)
    return problems


def _files_of(resource):
    """The file a resource names, and its schema and dialect files when they are not inline."""
    return [str(resource.get("path", ""))] + [resource[key] for key in ("schema", "dialect") if isinstance(resource.get(key), str)]


def run_check(name, check, *args, resource="datapackage.json", failed=lambda internal: internal):
    """check(*args); if it raises, failed([an internal-error problem naming it]) instead.

    The gate fails closed: a check that cannot run reports that it could not, so a bug or an
    input no check foresaw never reads as a valid package. A file that cannot be read still
    stops validation (PackageError, OSError): the command line exits 2 and names it.
    """
    try:
        return check(*args)
    except (PackageError, OSError):
        raise
    except Exception as err:  # noqa: BLE001 - any other error must become a reported problem
        return failed([Problem(resource, "internal-error",
                               f"the {name} check could not run ({type(err).__name__}: {err}); the package is not known to be valid")])
