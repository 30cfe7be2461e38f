"""The short README inside the release zip, written from the descriptor and the Table Schemas.

It says what the package is, which tables and columns it has, how sure each number is (the
values of each `qualifier` field), how to load it with pandas, frictionless and SQL (DuckDB),
with the types the schemas give, and how to cite it and under which licence.
"""
import csv
import re
from pathlib import Path

from dp.package import read_json

PANDAS_TYPES = {"number": "float64", "integer": "Int64", "boolean": "boolean", "string": "string"}
DUCKDB_TYPES = {"number": "DOUBLE", "integer": "BIGINT", "boolean": "BOOLEAN", "date": "DATE", "datetime": "TIMESTAMP",
                "string": "VARCHAR"}


def first_sentence(text):
    text = " ".join(str(text or "").split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return (match.group(1) if match else text).replace("|", "\\|")


def row_count(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def tables(descriptor, root):
    """(resource, its schema) of every tabular resource whose schema is a file in the package."""
    for resource in descriptor["resources"]:
        if isinstance(resource.get("schema"), str) and isinstance(resource.get("path"), str):
            yield resource, read_json(Path(root) / resource["schema"])


def qualifier_meanings(field):
    """{value: meaning} from a field whose description explains each enum value as 'value: meaning' or 'value (...): meaning'."""
    values = field.get("constraints", {}).get("enum") or []
    text = " ".join(str(field.get("description", "")).split())
    starts = sorted((match.start(), match.end(), value) for value in values
                    for match in [re.search(rf"\b{re.escape(str(value))}\b(?: \([^)]*\))?:", text)] if match)
    ends = [start for start, _, _ in starts[1:]] + [len(text)]
    meanings = {value: text[end:stop].strip().replace("|", "\\|") for (_, end, value), stop in zip(starts, ends)}
    return {value: meanings.get(value, "") for value in values}


def qualifier_section(descriptor, root):
    lines = []
    for resource, schema in tables(descriptor, root):
        for field in schema.get("fields", []):
            if field.get("name") != "qualifier" or not field.get("constraints", {}).get("enum"):
                continue
            with open(Path(root) / resource["path"], encoding="utf-8", newline="") as handle:
                counts = [row.get("qualifier") for row in csv.DictReader(handle)]
            lines += [f"`{resource['name']}.qualifier` says how the source hedges each figure:", "",
                      "| qualifier | rows | meaning |", "|---|---|---|"]
            lines += [f"| `{value}` | {counts.count(value)} | {meaning} |" for value, meaning in qualifier_meanings(field).items()]
            lines.append("")
    return ["## How sure each number is", "", *lines] if lines else []


def columns_section(descriptor, root):
    lines = ["## Tables and columns", ""]
    for resource, schema in tables(descriptor, root):
        key = ", ".join(schema.get("primaryKey") or []) if isinstance(schema.get("primaryKey"), list) else schema.get("primaryKey")
        rows = row_count(Path(root) / resource["path"])
        lines += [f"### {resource['name']} (`{resource['path']}`, {rows} row{'' if rows == 1 else 's'}"
                  + (f", key `{key}`" if key else "") + ")", "", first_sentence(resource.get("description")), "",
                  "| column | type | required | meaning |", "|---|---|---|---|"]
        lines += [f"| `{f.get('name')}` | {f.get('type', 'string')} | {'yes' if f.get('constraints', {}).get('required') else ''} "
                  f"| {first_sentence(f.get('description'))} |" for f in schema.get("fields", [])]
        lines.append("")
    others = [r for r in descriptor["resources"] if not isinstance(r.get("schema"), str) and isinstance(r.get("path"), str)]
    lines += [f"Also: `{r['path']}` ({r.get('name')}): {first_sentence(r.get('description'))}" for r in others]
    return lines + ([""] if others else [])


def loading_section(descriptor, root):
    typed = [(sum(f.get("type") in ("number", "date") for f in s.get("fields", [])), i, r, s) for i, (r, s) in enumerate(tables(descriptor, root))]
    if not typed:
        return []
    _, _, resource, schema = max(typed, key=lambda item: (item[0], -item[1]))  # the table with the most typed columns
    fields = schema.get("fields", [])
    dtypes = {f["name"]: PANDAS_TYPES[f.get("type", "string")] for f in fields if f.get("type", "string") in PANDAS_TYPES}
    dates = [f["name"] for f in fields if f.get("type") in ("date", "datetime")]
    duck = ", ".join(f"'{f['name']}': '{DUCKDB_TYPES.get(f.get('type', 'string'), 'VARCHAR')}'" for f in fields)
    return ["## How to load it", "", "Types come from the Table Schemas in `schemas/`; an empty cell is a missing value.", "",
            "pandas:", "", "```python", "import pandas as pd",
            f"{resource['name']} = pd.read_csv(\"{resource['path']}\", keep_default_na=False, na_values=[\"\"],",
            f"    dtype={dtypes!r},", f"    parse_dates={dates!r})", "```", "",
            "frictionless (checks every constraint as it reads):", "", "```python", "from frictionless import Package",
            f"rows = Package(\"datapackage.json\").get_resource(\"{resource['name']}\").read_rows()", "```", "",
            "SQL, with DuckDB:", "", "```sql",
            f"SELECT * FROM read_csv('{resource['path']}', header = true, nullstr = '', types = {{{duck}}});", "```", ""]


def citation_section(descriptor, version, date):
    authors = "; ".join(c.get("title", "") for c in descriptor.get("contributors", []) if isinstance(c, dict)) or descriptor.get("name")
    licences = "; ".join(f"{lic.get('name')}: {lic.get('title', '')}".rstrip(": .") for lic in descriptor.get("licenses", []) if isinstance(lic, dict))
    return ["## Cite it and reuse it", "",
            f"{authors} ({date[:4]}). *{descriptor.get('title') or descriptor.get('name')}* (version {version}) [Data set].",
            "`CITATION.cff` holds the full citation, with the source it codes.", "",
            f"Licences: {licences}. `LICENSE-DATA` says what each covers. `CHANGELOG.md` lists every version.", ""]


def render_readme(descriptor, root, version, date):
    """The README's text: deterministic for the same package, version and date."""
    head = [f"# {descriptor.get('title') or descriptor.get('name')}", "",
            f"Version {version}, released {date}. A Frictionless Data Package: `datapackage.json` describes every file.", "",
            " ".join(str(descriptor.get("description", "")).split()), ""]
    text = "\n".join(head + columns_section(descriptor, root) + qualifier_section(descriptor, root)
                     + loading_section(descriptor, root) + citation_section(descriptor, version, date))
    return text.rstrip("\n") + "\n"

