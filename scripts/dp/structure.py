"""What the descriptor and each Table Schema must look like before anything else reads them.

A package can come from a stranger. Every later step (frictionless, pandas, pandera, our own
rules) reads the descriptor and the schemas as if they were well formed; a shape they do not
expect would crash them, and one they do not support would be skipped in silence. So the shape
is checked here first, and a resource that fails is reported and then left unread:
- every resource is an object with a name of its own;
- a Table Schema has named fields of the types the gate parses (dp.tableschema), constraints
  of those types' value types, keys that name its fields, and patterns RE2 can run;
- a dialect says nothing the CSV reader would ignore;
- a file's header names the schema's fields, in order.
References that would leave the package or the machine are dp.safety's.
"""
import csv
import datetime
import io
import json
import math

from dp.package import PackageError
from dp.report import Problem
from dp.safety import reference_problems, unsafe_path_reason
from dp.tableschema import PANDAS_DTYPES, as_list, is_tabular, pattern_error

# The dialect the reader reads: CSV with a header row, comma-separated, '"'-quoted, quotes doubled.
READ_DIALECT = {
    "header": [True],
    "headerRows": [[1]],
    "delimiter": [","],
    "lineTerminator": ["\r\n", "\n", "\r"],
    "quoteChar": ['"'],
    "doubleQuote": [True],
    "skipInitialSpace": [False],
    "caseSensitiveHeader": [False, True],
}
DIALECT_KEYS_IGNORED = {"$schema", "csvddfVersion", "title", "description", "name"}
CONSTRAINTS = {
    "required": {"string", "number", "integer", "date", "boolean"},
    "unique": {"string", "number", "integer", "date", "boolean"},
    "enum": {"string", "number", "integer", "date", "boolean"},
    "minimum": {"number", "integer", "date"},
    "maximum": {"number", "integer", "date"},
    "pattern": {"string"},
    "minLength": {"string"},
    "maxLength": {"string"},
}
# Field options that change how a cell is read, and the one value the reader reads them with.
FIELD_OPTIONS = {"format": "default", "bareNumber": True, "decimalChar": ".", "groupChar": None}


def named_resources(descriptor):
    """(problems, {name: resource}) of the resources that are objects with a name of their own."""
    problems, resources = [], {}
    for position, resource in enumerate(descriptor["resources"]):
        where = f"resources[{position}]"
        if not isinstance(resource, dict):
            problems.append(Problem(where, "resource-structure", f"{where} is {_kind(resource)}, not an object"))
        elif not isinstance(resource.get("name"), str) or not resource["name"]:
            problems.append(Problem(where, "resource-structure", f"{where} has no name (a non-empty string)"))
        elif resource["name"] in resources:
            problems.append(Problem(resource["name"], "resource-structure", f"{where} repeats the name {resource['name']!r}"))
        else:
            resources[resource["name"]] = resource
    return problems, resources


def _kind(value):
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def load_schema(resource, view, names):
    """(problems, schema) of a tabular resource; schema is None unless the gate can check it all."""
    name = resource["name"]
    schema = resource.get("schema")
    if isinstance(schema, str):
        try:
            schema = view.read_json(schema)
        except (PackageError, OSError) as err:
            return [Problem(name, "schema-structure", f"cannot read its Table Schema: {err}")], None
        problems = reference_problems({"resources": [{"name": name, "schema": schema}]})
    else:
        problems = []
    problems += schema_problems(name, schema, names)
    return problems, None if problems else schema


def schema_problems(name, schema, names):
    """Everything that stops the gate from checking a Table Schema as written; names: the resources."""
    if not isinstance(schema, dict):
        return [Problem(name, "schema-structure", f"its schema is {_kind(schema)}, not a Table Schema object")]
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        return [Problem(name, "schema-structure", "its Table Schema has no list of fields")]
    problems, seen = [], set()
    for position, field in enumerate(fields):
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field["name"]:
            problems.append(Problem(name, "schema-structure", f"fields[{position}] is not an object with a name"))
            continue
        if field["name"] in seen:
            problems.append(Problem(name, "schema-structure", f"fields[{position}] repeats the name {field['name']!r}", field=field["name"]))
        seen.add(field["name"])
        problems += field_problems(name, field)
    missing = schema.get("missingValues", [""])
    if not isinstance(missing, list) or not all(isinstance(value, str) for value in missing):
        problems.append(Problem(name, "schema-structure", "missingValues must be a list of strings"))
    if schema.get("fieldsMatch", "exact") != "exact":
        problems.append(Problem(name, "unsupported-schema", f"fieldsMatch {_short(schema['fieldsMatch'])}: the header must match the fields exactly"))
    problems += key_problems(name, schema, seen, names)
    return problems


def field_problems(name, field):
    where = {"field": field["name"]}
    kind = field.get("type", "string")
    if not isinstance(kind, str) or kind not in PANDAS_DTYPES:
        return [Problem(name, "unsupported-schema", f"type {_short(kind)} is not one the gate checks ({', '.join(PANDAS_DTYPES)})", **where)]
    problems = [Problem(name, "unsupported-schema", f"{option} {_short(field[option])} changes how cells are read; the gate reads only {default!r}", **where)
                for option, default in FIELD_OPTIONS.items() if option in field and field[option] != default]
    for option in ("trueValues", "falseValues"):
        if option in field and (not isinstance(field[option], list) or not all(isinstance(value, str) for value in field[option])):
            problems.append(Problem(name, "schema-structure", f"{option} must be a list of strings", **where))
    constraints = field.get("constraints", {})
    if not isinstance(constraints, dict):
        return problems + [Problem(name, "schema-structure", "constraints must be an object", **where)]
    for rule, value in constraints.items():
        reason = constraint_reason(kind, rule, value)
        if reason:
            applies = rule in CONSTRAINTS and kind in CONSTRAINTS[rule]  # else the gate does not check it: unsupported
            problems.append(Problem(name, "unsupported-schema" if not applies else "unsupported-pattern"
                                    if rule == "pattern" and isinstance(value, str) else "schema-structure",
                                    f"constraint {rule} {_short(value)} {reason}", **where))
    return problems


def constraint_reason(kind, rule, value):
    """Why constraint rule: value cannot be checked on a field of type kind, or None."""
    if rule not in CONSTRAINTS:
        return f"is not one the gate checks ({', '.join(CONSTRAINTS)})"
    if kind not in CONSTRAINTS[rule]:
        return f"does not apply to a {kind} field"
    if rule in ("required", "unique"):
        return None if isinstance(value, bool) else "must be true or false"
    if rule in ("minLength", "maxLength"):
        return None if _is_integer(value) and value >= 0 else "must be a whole number, 0 or more"
    if rule == "pattern":
        return "must be a string" if not isinstance(value, str) else pattern_error(value)
    if rule == "enum":
        if not isinstance(value, list) or not value:
            return "must be a non-empty list"
        return None if all(_is_value(kind, item) for item in value) else f"must list {kind} values"
    return None if _is_value(kind, value) else f"must be a {kind} value"


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_value(kind, value):
    """value is a constraint value of a field of type kind, as JSON writes it."""
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return _is_integer(value)
    if kind == "number":
        return (isinstance(value, (int, float)) and not isinstance(value, bool)) and math.isfinite(value)
    if kind == "boolean":
        return isinstance(value, bool)
    try:  # date: ISO 8601, as the reader parses it
        return isinstance(value, str) and len(value) == 10 and bool(datetime.date.fromisoformat(value))
    except ValueError:
        return False


def key_problems(name, schema, fields, names):
    """primaryKey and foreignKeys name fields of this schema and a resource of the package."""
    problems = []
    key = schema.get("primaryKey", [])
    if not _is_key(key) or not set(as_list(key)) <= fields:
        problems.append(Problem(name, "schema-structure", f"primaryKey {_short(key)} must name fields of this schema"))
    foreign = schema.get("foreignKeys", [])
    if not isinstance(foreign, list):
        return problems + [Problem(name, "schema-structure", "foreignKeys must be a list")]
    for position, key in enumerate(foreign):
        reference = key.get("reference") if isinstance(key, dict) else None
        if not isinstance(reference, dict) or not _is_key(key.get("fields")) or not _is_key(reference.get("fields")) \
                or not set(as_list(key["fields"])) <= fields or len(as_list(key["fields"])) != len(as_list(reference["fields"])) \
                or not isinstance(reference.get("resource", ""), str):
            problems.append(Problem(name, "schema-structure", f"foreignKeys[{position}] must name fields of this schema and as many fields of a resource"))
        elif reference.get("resource") and reference["resource"] not in names:
            problems.append(Problem(name, "foreign-key-resource", f"foreignKeys[{position}] refers to resource {_short(reference['resource'])}, which the package does not have"))
    return problems


def _is_key(key):
    return (isinstance(key, str) and bool(key)) or (isinstance(key, list) and all(isinstance(item, str) for item in key))


def dialect_problems(resource, view):
    """A dialect that asks the reader for anything but the CSV it reads would be ignored: report it."""
    name, dialect = resource["name"], resource.get("dialect")
    if dialect is None:
        return []
    if isinstance(dialect, str):
        if unsafe_path_reason(dialect):
            return []  # reported by dp.safety
        try:
            dialect = view.read_json(dialect)
        except (PackageError, OSError) as err:
            return [Problem(name, "unsupported-dialect", f"cannot read its dialect: {err}")]
    if not isinstance(dialect, dict):
        return [Problem(name, "unsupported-dialect", f"its dialect is {_kind(dialect)}, not an object")]
    return [Problem(name, "unsupported-dialect", f"dialect {key} {_short(value)}: the gate reads only {', '.join(map(repr, READ_DIALECT[key])) if key in READ_DIALECT else 'CSV with the default dialect'}")
            for key, value in dialect.items()
            if key not in DIALECT_KEYS_IGNORED and (key not in READ_DIALECT or not any(_same(value, ok) for ok in READ_DIALECT[key]))]


# How a tabular resource's file is reached and decoded, as the reader reads it.
READ_FILE = {"scheme": ["file"], "format": ["csv"], "mediatype": ["text/csv"], "encoding": ["utf-8", "utf8", "UTF-8"],
             "compression": ["no"]}


def file_problems(resource):
    """A tabular resource whose file the reader would read other than it says (format, encoding, compression)."""
    return [Problem(resource["name"], "unsupported-dialect", f"{key} {_short(resource[key])}: the gate reads only {', '.join(map(repr, accepted))}", field=key)
            for key, accepted in READ_FILE.items()
            if key in resource and not (isinstance(resource[key], str) and resource[key] in accepted)]


def _same(value, ok):
    return type(value) is type(ok) and value == ok


def frictionless_view(descriptor, resources, schemas):
    """A copy of the descriptor that frictionless can validate without reading or fetching anything.

    Each usable Table Schema is given inline, as read; a schema, dialect or profile that was
    refused is left out (it is reported already), so that frictionless never dereferences it.
    """
    view = {key: value for key, value in descriptor.items() if key not in ("profile", "$schema", "resources")}
    if isinstance(descriptor.get("$schema"), str) and not reference_problems({"$schema": descriptor["$schema"], "resources": []}):
        view["$schema"] = descriptor["$schema"]
    if descriptor.get("profile") in ("data-package", "tabular-data-package"):
        view["profile"] = descriptor["profile"]
    view["resources"] = []
    for name, resource in resources.items():
        entry = {key: value for key, value in resource.items() if key not in ("schema", "dialect", "profile", "$schema")}
        # A tabular profile needs the schema, which a refused resource's entry goes without (reported already).
        if resource.get("profile") == "data-resource" or (resource.get("profile") == "tabular-data-resource" and schemas.get(name) is not None):
            entry["profile"] = resource["profile"]
        if schemas.get(name) is not None:
            entry["schema"] = schemas[name]
        view["resources"].append(entry)
    return json.loads(json.dumps(view))


def tabular(resources):
    return {name: resource for name, resource in resources.items() if is_tabular(resource)}


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def header_problems(name, labels, fields):
    """Each label of a table's header against the field the schema puts at its position.

    The rules are frictionless's (its default, exact matching): extra-label, missing-label, and per
    position blank-label, duplicate-label or incorrect-label. No label at all is no header problem:
    the reader reports an empty file.
    """
    if not labels:
        return []
    names = [field["name"] for field in fields]
    problems = [Problem(name, "extra-label", f"column {number} is headed {label!r}, and the schema has "
                        f"{len(names)} field{'s' * (len(names) != 1)}; delete the column or add a field for it")
                for number, label in enumerate(labels[len(names):], start=len(names) + 1)]
    problems += [Problem(name, "missing-label", f"the header has no column {number} for field {field_name!r}", field=field_name)
                 for number, field_name in enumerate(names[len(labels):], start=len(labels) + 1)]
    positions = {}  # label: the columns it heads so far, so that a repeat is found in one pass
    for number, (label, field_name) in enumerate(zip(labels, names), start=1):
        earlier = positions.setdefault(label, [])[:]
        positions[label].append(number)
        if not label:
            problems.append(Problem(name, "blank-label", f"the label of column {number} is blank; name it {field_name!r}", field=field_name))
        elif earlier:
            problems.append(Problem(name, "duplicate-label", f"the label {label!r} of column {number} repeats column "
                                    f"{', '.join(map(str, earlier))}; name it {field_name!r}", field=field_name))
        elif label != field_name:
            problems.append(Problem(name, "incorrect-label", f"the label {label!r} of column {number} should be {field_name!r}, "
                                    "the schema's name for that field", field=field_name))
    return problems


def header_labels(data):
    """The labels of a CSV's header, as the csv module reads them in the dialect the gate reads: the
    first record that is not a blank line. [] when there is none or it cannot be read (not UTF-8 in
    its first 8 KB): the reader reports that.

    For a file the reader refused, whose header may still be the reason (a semicolon-separated file).
    """
    allow_cells_as_long_as(data)
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        return next((record for record in csv.reader(text, delimiter=READ_DIALECT["delimiter"][0],
                                                       quotechar=READ_DIALECT["quoteChar"][0]) if record), [])
    except (UnicodeDecodeError, csv.Error):
        return []


def allow_cells_as_long_as(data):
    """Let the csv module read a cell as long as data: its default limit (128 KB) is no rule of the package."""
    csv.field_size_limit(max(csv.field_size_limit(), len(data)))
