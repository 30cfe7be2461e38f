"""What the site's pages show, read from the package through the package's own loaders.

Every table is read twice by the same reader: as text, to show each cell as the CSV writes it,
and typed (dp.load), to sort numbers and dates as numbers and dates.
"""
import re
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path
from urllib.parse import quote as url_quote

import pandas as pd
from markdown_it import MarkdownIt

from dp.dictionary import constraint_summary, example_values, key_lines
from dp.load import read_resource, tabular_resources
from dp.package import read_descriptor
from dp.release import DIFF_HEADING, split_sections
from dp.releases import CHANGELOG, changelog_heading, read_record, released_versions
from dp.safety import unsafe_path_reason
from dp.site.briefing import QUOTED_TABLES, find_quotes, segments
from dp.tableschema import as_list, is_required, is_unique, primary_key, read_text_frame, referenced_resource, schema_of
from dp.wording import figure_text

LONG_CELL = 40  # characters: a longer cell may wrap, a shorter one keeps to one line
NUMERIC_TYPES = {"number", "integer", "date", "datetime", "year"}
SAFE_FILE_PART = re.compile(r"[A-Za-z0-9._-]+")
MARKDOWN = MarkdownIt("commonmark", {"html": False})  # the changelog's own HTML is shown as text


class SiteError(ValueError):
    """The package cannot be shown as it is (say, a quote missing from its source)."""


def markdown(text):
    return MARKDOWN.render(text)


def inline_markdown(text):
    return MARKDOWN.renderInline(text)


def anchor(table, key):
    """The HTML id of a table's row: the table's name and the row's key, without whitespace."""
    return re.sub(r"\s", "_", f"{table}-{key}")


def fragment(anchor_id):
    return "#" + url_quote(anchor_id, safe="-_.~")


def table_page(name):
    return f"table-{name}.html"


def briefing_page(source_id):
    return f"briefing-{source_id}.html" if SAFE_FILE_PART.fullmatch(source_id) else "briefing.html"


@dataclass
class Package:
    descriptor_path: Path
    root: Path
    descriptor: dict
    resources: list
    schemas: dict = dataclass_field(default_factory=dict)
    text: dict = dataclass_field(default_factory=dict)
    typed: dict = dataclass_field(default_factory=dict)


def open_package(descriptor_path):
    descriptor_path = Path(descriptor_path)
    root = descriptor_path.parent
    descriptor = read_descriptor(descriptor_path)
    package = Package(descriptor_path, root, descriptor, tabular_resources(descriptor))
    for resource in package.resources:
        name = resource["name"]
        for key in ("path", "schema"):
            reason = isinstance(resource.get(key), str) and unsafe_path_reason(resource[key])
            if reason:
                raise SiteError(f"resource {name}: {key} {resource[key]!r} {reason}")
        package.schemas[name] = schema_of(resource, root)
        package.text[name] = read_text_frame(root / resource["path"])
        package.typed[name] = read_resource(resource, root)
    return package


def row_key(package, table, index):
    key = primary_key(package.schemas[table])
    text = package.text[table]
    return "-".join(text.at[index, name] for name in key) if key else f"row-{index + 1}"


# --- table pages ------------------------------------------------------------------------


def foreign_links(schema, name):
    """{field: referenced table} for single-field foreign keys (a self-reference names the table itself)."""
    links = {}
    for key in schema.get("foreignKeys", []):
        fields, reference = as_list(key["fields"]), key["reference"]
        if len(fields) == 1 and len(as_list(reference["fields"])) == 1:
            links[fields[0]] = referenced_resource(key, name)
    return links


def sort_value(value):
    if pd.isna(value):  # missing values sort last
        return ""
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)


def quote_link(package, table, index):
    """Where a quoting row's span is in its source's briefing page, or None for other tables."""
    text = package.text[table]
    if table not in QUOTED_TABLES or not {"quote", "source_id"} <= set(text.columns):
        return None
    return briefing_page(text.at[index, "source_id"]) + fragment(f"q-{table}-{row_key(package, table, index)}")


def table_rows(package, table):
    schema, text, typed = package.schemas[table], package.text[table], package.typed[table]
    links = {name: ref for name, ref in foreign_links(schema, table).items() if ref in package.schemas}
    numeric = {f["name"] for f in schema["fields"] if f.get("type", "string") in NUMERIC_TYPES}
    rows = []
    for index in text.index:
        cells = []
        for field in schema["fields"]:
            name, value = field["name"], text.at[index, field["name"]]
            href = None
            if name in links and value:
                href = table_page(links[name]) + fragment(anchor(links[name], value))
            sort = sort_value(typed.at[index, name]) if name in numeric else value
            cells.append({"text": value, "href": href, "sort": sort, "long": len(value) > LONG_CELL})
        rows.append({"anchor": anchor(table, row_key(package, table, index)), "cells": cells,
                     "quote_href": quote_link(package, table, index)})
    return rows


def table_context(package, resource):
    name, schema = resource["name"], package.schemas[resource["name"]]
    columns = [{"name": f["name"], "type": f.get("type", "string"), "description": f.get("description", ""),
                "numeric": f.get("type", "string") in NUMERIC_TYPES,
                "dictionary": "dictionary.html" + fragment(f"dict-{name}-{f['name']}")} for f in schema["fields"]]
    return {"name": name, "resource": resource, "columns": columns, "rows": table_rows(package, name),
            "key_text": [inline_markdown(line) for line in key_lines(schema, name)]}


# --- the data dictionary ----------------------------------------------------------------


def dictionary_context(package):
    sections = []
    for resource in package.resources:
        name, schema, text = resource["name"], package.schemas[resource["name"]], package.text[resource["name"]]
        fields = [{
            "name": f["name"], "anchor": f"dict-{name}-{f['name']}", "type": f.get("type", "string"),
            "required": is_required(f, schema), "unique": is_unique(f, schema),
            "constraints": inline_markdown(constraint_summary(f)), "description": f.get("description", ""),
            "examples": example_values(text[f["name"]], schema) if f["name"] in text else [],
        } for f in schema["fields"]]
        sections.append({"name": name, "resource": resource, "rows": len(text), "fields": fields,
                         "key_text": [inline_markdown(line) for line in key_lines(schema, name)]})
    return sections


# --- the briefing -----------------------------------------------------------------------


def quoting_rows(package, source_id):
    """(table, row id, quote, reason) of every row that quotes the source."""
    rows = []
    for table in QUOTED_TABLES:
        text = package.text.get(table)
        if text is None or not {"quote", "source_id"} <= set(text.columns):
            continue
        for index in text.index[text["source_id"] == source_id]:
            reason = text.at[index, "reason"] if "reason" in text.columns else ""
            rows.append((table, row_key(package, table, index), text.at[index, "quote"], reason))
    return rows


def briefing_contexts(package):
    """One provenance viewer per archived source."""
    pages = []
    sources = package.text.get("sources")
    for index in ([] if sources is None else sources.index):
        source_id, path = sources.at[index, "id"], sources.at[index, "path"]
        reason = unsafe_path_reason(path)
        if reason:
            raise SiteError(f"sources {source_id}: path {path!r} {reason}")
        text = (package.root / path).read_bytes().decode("utf-8")
        try:
            quotes = find_quotes(text, quoting_rows(package, source_id))
        except ValueError as err:
            raise SiteError(str(err)) from None
        pages.append({"source": sources.loc[index].to_dict(), "page": briefing_page(source_id), "text": text, "quotes": quotes,
                      "segments": segments(text, quotes),
                      "row_hrefs": {q.anchor: table_page(q.table) + fragment(anchor(q.table, q.row_id)) for q in quotes}})
    return pages


# --- home -------------------------------------------------------------------------------


def date_words(value):
    return "" if pd.isna(value) else f"{value.day} {value.strftime('%B %Y')}"


def headline_figures(package):
    """Every metric in words: its hedged figure, what it counts, where and when, and the words it quotes."""
    metrics, typed = package.text.get("metrics"), package.typed.get("metrics")
    if metrics is None or "indicators" not in package.text:
        return []
    labels = package.text["indicators"].set_index("id")["label"]
    places = package.text["places"].set_index("id")["name"] if "places" in package.text else {}
    figures = []
    for index, row in zip(metrics.index, typed.itertuples(index=False)):
        figures.append({
            "id": row.id, "figure": figure_text(row), "label": labels.get(row.indicator, row.indicator),
            "place": places.get(row.place, "") if isinstance(row.place, str) else "",
            "as_of": date_words(row.as_of), "quote": row.quote,
            "row_href": table_page("metrics") + fragment(anchor("metrics", row.id)),
            "quote_href": quote_link(package, "metrics", index),
        })
    return figures


# --- versions ---------------------------------------------------------------------------


def changelog_sections(root):
    path = Path(root) / CHANGELOG
    return split_sections(path.read_text(encoding="utf-8"))[1] if path.is_file() else []


def notes_and_diff(section):
    """A changelog section's notes and its generated data diff, each as HTML."""
    body = section.partition("\n")[2]
    notes, _, diff = body.partition(DIFF_HEADING)
    return markdown(notes.strip()), markdown(diff.strip())


def versions_context(package):
    sections = changelog_sections(package.root)
    versions = []
    for version in reversed(released_versions(package.root)):
        record = read_record(package.root, version)
        section = next((s for s in sections if changelog_heading(version).match(s)), None)
        notes, diff = notes_and_diff(section) if section else ("", "")
        versions.append({"version": version, "date": record.get("date", ""), "record": record, "notes": notes,
                         "diff": diff, "files": len(record["files"])})
    unreleased = next((s for s in sections if s.startswith("## [Unreleased]")), "")
    pending = markdown(unreleased.partition("\n")[2].strip()) if unreleased.partition("\n")[2].strip() else ""
    return {"versions": versions, "unreleased": pending}
