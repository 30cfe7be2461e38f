"""pandera schemas derived from the Table Schemas, which stay the one source of the rules.

This replaces pandera.io.pandas_io.from_frictionless_schema, which reads `date` as a string,
makes every integer non-nullable and drops missingValues. Here each Table Schema type maps to
the nullable pandas dtype that dp.tableschema parses it into, and `required` alone decides
whether a column may hold nulls. Foreign keys are checked in dp.validate, across frames.
"""
import sys

import pandas as pd
import pandera.pandas as pa
from pandera.engines import numpy_engine, pandas_engine

from dp.tableschema import PANDAS_DTYPES, is_required, is_unique, matches_pattern, primary_key


class WholeColumnString(pandas_engine.STRING):
    """pandera's string dtype, judged for the column as a whole.

    pandera's own answers a column of the right dtype with one True per cell, and then builds, for
    every such column of every validation, a table of the cells that failed (none) and prints it into
    a message no one reads: about 2 ms a column at 12 rows, 45% of pandera's time on metrics.csv.
    """

    def check(self, pandera_dtype, data_container=None):
        # Without the cells, pandera would take any column of Python objects: dp.tableschema never
        # types a string column so, so such a column is refused outright.
        return super().check(pandera_dtype) and not isinstance(pandas_engine.Engine.dtype(pandera_dtype), numpy_engine.Object)


def pandera_dtype(kind):
    """The dtype pandera expects of a column of Table Schema type kind: the one dp.tableschema parses it into."""
    dtype = PANDAS_DTYPES.get(kind, "string")
    return WholeColumnString() if dtype == "string" else dtype


def leave_out_example_strategies():
    """Keep pandera from importing hypothesis in this process; for command lines only.

    The gate draws no examples, yet pandera imports hypothesis, when it is installed (as by
    make test), at its first check: about 0.15 s of every run on the real package.
    """
    sys.modules.setdefault("hypothesis", None)


def _bound(field, value):
    return pd.Timestamp(value) if field.get("type") == "date" else value


def first_of_their_value(column):
    """True for each value not seen in an earlier row: a Table Schema's unique, which takes no missing
    value for a repeat (pandera drops them before a check, as it does not before its own unique)."""
    return True if column.is_unique else ~column.duplicated(keep="first")


def constraint_checks(field, schema):
    """(Table Schema constraint name, pandera check) for each constraint of field other than required.

    pandera reports a failed check by its position in this list (failure_cases.check_number).
    """
    constraints = field.get("constraints", {})
    checks = [("unique", pa.Check(first_of_their_value, name="unique"))] if is_unique(field, schema) else []
    if "enum" in constraints:
        checks.append(("enum", pa.Check.isin(constraints["enum"])))
    if "minimum" in constraints:
        checks.append(("minimum", pa.Check.ge(_bound(field, constraints["minimum"]))))
    if "maximum" in constraints:
        checks.append(("maximum", pa.Check.le(_bound(field, constraints["maximum"]))))
    if "pattern" in constraints:
        checks.append(("pattern", pa.Check(lambda column, pattern=constraints["pattern"]: matches_pattern(column, pattern), name="pattern")))
    if "minLength" in constraints:
        checks.append(("minLength", pa.Check.str_length(min_value=constraints["minLength"])))
    if "maxLength" in constraints:
        checks.append(("maxLength", pa.Check.str_length(max_value=constraints["maxLength"])))
    return checks


def column_for(field, schema):
    return pa.Column(
        pandera_dtype(field.get("type", "string")),
        checks=[check for _, check in constraint_checks(field, schema)],
        nullable=not is_required(field, schema),
        required=True,
        name=field["name"],
    )


def to_pandera(schema, name=None):
    """The pandera DataFrameSchema that checks a typed frame against a Table Schema."""
    key = primary_key(schema)
    return pa.DataFrameSchema(
        {field["name"]: column_for(field, schema) for field in schema["fields"]},
        unique=key if len(key) > 1 else None,
        report_duplicates="exclude_first",
        strict=True,
        ordered=True,
        name=name,
    )


def validate_lazily(schema, frame):
    """schema.validate(frame, lazy=True) without pandera's deep copy of frame.

    pandera copies the frame unless inplace=True. It is given a shallow copy (no data copied;
    nothing is coerced), because pandera remembers the frames it validated in place: remembering
    a frame that lives until exit printed "Exception ignored" on stderr at exit.
    """
    return schema.validate(frame.copy(deep=False), lazy=True, inplace=True)
