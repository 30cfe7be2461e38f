"""The data dictionary (docs/data-dictionary.md), generated from the descriptor and Table Schemas.

One section per tabular resource: its description, keys, and a table of its fields with type,
required/unique, the other constraints, description and a few example values from the CSV.
"""
from pathlib import Path

from dp.load import tabular_resources
from dp.package import DEFAULT_DESCRIPTOR, read_descriptor
from dp.tableschema import as_list, is_required, is_unique, missing_mask, read_text_frame, referenced_resource, schema_of

EXAMPLES_PER_FIELD = 3
EXAMPLE_MAX_CHARS = 40
HEADER = ["Field", "Type", "Required", "Unique", "Constraints", "Description", "Examples"]


def cell(text):
    """Text made safe for one cell of a Markdown table."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def shorten(text, limit=EXAMPLE_MAX_CHARS):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def code(text):
    return f"`{text}`"


def constraint_summary(field):
    """The constraints other than required/unique, in words a reader of the table can use."""
    constraints = field.get("constraints", {})
    parts = []
    if "enum" in constraints:
        parts.append("one of " + ", ".join(code(value) for value in constraints["enum"]))
    if "minimum" in constraints:
        parts.append(f"≥ {constraints['minimum']}")
    if "maximum" in constraints:
        parts.append(f"≤ {constraints['maximum']}")
    if "pattern" in constraints:
        parts.append(f"matches {code(constraints['pattern'])}")
    if constraints.get("minLength") == 1:
        parts.append("not empty")
    elif "minLength" in constraints:
        parts.append(f"at least {constraints['minLength']} characters")
    if "maxLength" in constraints:
        parts.append(f"at most {constraints['maxLength']} characters")
    return "; ".join(parts)


def example_values(column, schema):
    """The first few distinct non-missing values of a text column, as written in the CSV."""
    present = column[~missing_mask(column, schema)]
    return [shorten(value) for value in present.drop_duplicates().head(EXAMPLES_PER_FIELD)]


def field_row(field, schema, text):
    examples = example_values(text[field["name"]], schema) if field["name"] in text else []
    return [
        code(field["name"]),
        field.get("type", "string"),
        "yes" if is_required(field, schema) else "no",
        "yes" if is_unique(field, schema) else "no",
        constraint_summary(field),
        field.get("description", ""),
        ", ".join(code(value) for value in examples),
    ]


def markdown_table(rows):
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return lines


def key_lines(schema, resource_name):
    lines = []
    if schema.get("primaryKey"):
        lines.append("Primary key: " + ", ".join(code(name) for name in as_list(schema["primaryKey"])) + ".")
    for key in schema.get("foreignKeys", []):
        reference = key["reference"]
        table = referenced_resource(key, resource_name)
        target = ", ".join(f"{table}.{name}" for name in as_list(reference["fields"]))
        lines.append(f"Foreign key: {', '.join(code(name) for name in as_list(key['fields']))} → {code(target)}.")
    return lines


def resource_section(resource, root):
    schema = schema_of(resource, root)
    text = read_text_frame(Path(root) / resource["path"])
    rows = f"{len(text)} row" + ("" if len(text) == 1 else "s")
    where = f"`{resource['schema']}`" if isinstance(resource["schema"], str) else "inline in `datapackage.json`"
    lines = [f"## {resource['name']}", "", f"File: `{resource['path']}` ({rows}). Schema: {where}.", "",
             resource.get("description", ""), ""]
    keys = key_lines(schema, resource["name"])
    if keys:
        lines += [" ".join(keys), ""]
    return lines + markdown_table(field_row(field, schema, text) for field in schema["fields"]) + [""]


def render_dictionary(descriptor_path=DEFAULT_DESCRIPTOR):
    """The whole data dictionary as Markdown text."""
    descriptor = read_descriptor(descriptor_path)
    root = Path(descriptor_path).parent
    resources = tabular_resources(descriptor)
    lines = [
        f"# Data dictionary: {descriptor.get('title', descriptor['name'])}",
        "",
        f"Package version {descriptor.get('version', 'unversioned')}. Generated from `datapackage.json` "
        "and `schemas/` by `make docs`; do not edit by hand. An empty cell in a CSV means the value is "
        "missing. Examples are the first distinct values in each column, shortened to "
        f"{EXAMPLE_MAX_CHARS} characters.",
        "",
        "Tables: " + ", ".join(f"[{r['name']}](#{r['name']})" for r in resources) + ".",
        "",
    ]
    for resource in resources:
        lines += resource_section(resource, root)
    return "\n".join(lines)
