"""The catalogue of every rule the gate knows: the code a Problem names, and what it means.

One row per code. The semantic rules are read from dp.semantics, where each is a Rule, so their
wording lives in one place; the frictionless errors our descriptor check passes on are read
from frictionless's own catalogue. tests/test_rules.py holds this table to the code
(no check may name a code that is not here) and to the tests (every code here has a break).
"""
import inspect
from dataclasses import dataclass

import frictionless.errors

from dp import semantics

CATEGORIES = ("structure", "table-schema", "semantic", "provenance", "coverage", "safety", "release")


@dataclass(frozen=True)
class RuleInfo:
    code: str
    category: str
    title: str
    description: str
    where: tuple = ()  # the (resource, field) pairs it is tied to; empty when it applies to any
    origin: str = "ours"  # or "frictionless": passed on from frictionless's validation of the descriptor


_OURS = [
    # structure: the descriptor and the files it names
    ("missing-file", "structure", "Missing file", "a resource's path names no file in the package"),
    ("byte-count", "structure", "Byte count", "a resource's bytes differ from its file's size"),
    ("hash-count", "structure", "Hash", "a resource's hash differs from its file's sha256"),
    ("encoding", "structure", "Encoding", "a file starts with a byte order mark, or is not UTF-8"),
    ("malformed-csv", "structure", "Malformed CSV", "a tabular file cannot be parsed as CSV"),
    ("resource-structure", "structure", "Resource structure", "a resource is not an object with a name of its own"),
    ("schema-structure", "structure", "Schema structure",
     "a Table Schema cannot be read, or a field, constraint or key is not of the shape the spec gives it"),
    ("unsupported-schema", "structure", "Unsupported schema",
     "a Table Schema asks for a type, format or option the gate does not parse, so it could not check it"),
    ("unsupported-pattern", "structure", "Unsupported pattern",
     "a pattern RE2 cannot run (a lookahead, a backreference): patterns must run in time linear in the cell"),
    ("unsupported-dialect", "structure", "Unsupported dialect",
     "a dialect, format, encoding, compression or scheme other than the UTF-8 CSV the reader reads"),
    ("foreign-key-resource", "structure", "Foreign key resource", "a foreign key refers to a resource the package does not have"),
    # the header, against the schema's fields in order; frictionless's codes for the same problems
    ("extra-label", "structure", "Extra label", "the header has a column the schema has no field for"),
    ("missing-label", "structure", "Missing label", "the header has no column for a field of the schema"),
    ("blank-label", "structure", "Blank label", "a column of the header has no label"),
    ("duplicate-label", "structure", "Duplicate label", "a label of the header repeats an earlier one"),
    ("incorrect-label", "structure", "Incorrect label", "a label of the header is not the name the schema gives that column's field"),
    ("blank-row", "structure", "Blank row", "a CSV holds an empty line, which frictionless also rejects"),
    ("row-too-long", "structure", "Row too long", "a CSV row of about 1 MB or more, longer than the reader takes"),
    ("changelog-unreadable", "release", "Changelog unreadable", "CHANGELOG.md is not UTF-8 text"),
    ("release-interrupted", "release", "Release interrupted",
     "a release was cut off part-way; running scripts/release.py finishes or undoes it"),
    ("internal-error", "structure", "Internal error",
     "a rule or check raised instead of answering; the package is not known to be valid (the gate fails closed)"),
    # Table Schema: each is a constraint written in schemas/
    ("type", "table-schema", "Type", "a cell does not parse as its field's type"),
    ("required", "table-schema", "Required", "a required cell is empty"),
    ("unique", "table-schema", "Unique", "a value of a unique field or primary key repeats"),
    ("enum", "table-schema", "Enum", "a cell is not one of its field's allowed values"),
    ("minimum", "table-schema", "Minimum", "a cell is below its field's minimum"),
    ("maximum", "table-schema", "Maximum", "a cell is above its field's maximum"),
    ("pattern", "table-schema", "Pattern", "a cell does not match its field's pattern"),
    ("minLength", "table-schema", "Minimum length", "a cell is shorter than its field's minLength"),
    ("maxLength", "table-schema", "Maximum length", "a cell is longer than its field's maxLength"),
    ("foreign-key", "table-schema", "Foreign key", "a key names no row of the resource it refers to"),
    # provenance: every value traces to the archived briefing
    ("archive-file", "provenance", "Archived file", "a source's archived copy is missing, or its path leaves the package",
     (("sources", "path"),)),
    ("archive-hash", "provenance", "Archived hash", "a source's archived copy differs from its recorded sha256", (("sources", "sha256"),)),
    ("archive-bytes", "provenance", "Archived size", "a source's archived copy differs from its recorded size", (("sources", "bytes"),)),
    ("quote-verbatim", "provenance", "Verbatim quote", "a quote does not occur verbatim in its source",
     (("metrics", "quote"), ("events", "quote"), ("exclusions", "quote"))),
    ("figure-in-quote", "provenance", "Figure in quote",
     "the quote states no figure, or a figure other than the value (or the bounds a vague amount means)",
     (("metrics", "quote"), ("metrics", "value"), ("metrics", "lower_bound"), ("metrics", "upper_bound"))),
    ("hedge-in-quote", "provenance", "Hedge in quote", "the hedge word before the quote's figure means another qualifier",
     (("metrics", "qualifier"),)),
    ("date-in-quote", "provenance", "Date in quote", "a date written in the quote disagrees with the row's date or its basis",
     (("events", "date"), ("events", "date_basis"), ("metrics", "period_start"))),
    # coverage
    ("coverage", "coverage", "Coverage", "a figure or date in the source lies in no quote of metrics, events or exclusions",
     (("sources", None),)),
    # safety
    ("unsafe-path", "safety", "Unsafe path", "a resource's path or schema is a URL, absolute, or leaves the package"),
    ("remote-reference", "safety", "Remote reference",
     "a schema, dialect or profile given as a URL or an unknown profile: refused before anything could fetch it"),
    ("csv-injection", "safety", "CSV injection", "a text cell starts with a character spreadsheets run as a formula"),
    # release
    ("released-version-changed", "release", "Released version changed",
     "the content of a released version differs from its record in releases/"),
    ("changelog-missing-version", "release", "Changelog", "CHANGELOG.md has no section for the version claimed"),
    ("release-record-unreadable", "release", "Release record", "the record of the version claimed cannot be read"),
]


def _semantic_rules():
    """RuleInfo for each rule dp.semantics builds, with every (resource, field) it checks."""
    found = {}
    for rule in semantics.all_rules():
        info = found.setdefault(rule.name, {"where": [], "messages": []})
        info["where"].append((rule.resource, rule.field))
        if rule.message not in info["messages"]:
            info["messages"].append(rule.message)
    return [RuleInfo(name, "semantic", name.replace("-", " ").capitalize(), "; ".join(info["messages"]),
                     tuple(dict.fromkeys(info["where"])))
            for name, info in found.items()]


def _frictionless_rules(taken):
    """frictionless's error types our descriptor check can pass on: those not tied to a row."""
    found = {}
    for _, error in inspect.getmembers(frictionless.errors, inspect.isclass):
        code = getattr(error, "type", None)
        if isinstance(code, str) and "#row" not in error.tags and code not in taken:
            found[code] = RuleInfo(code, "structure", error.title, error.description, origin="frictionless")
    return list(found.values())


def _catalogue():
    ours = [RuleInfo(*row) for row in _OURS] + _semantic_rules()
    return {info.code: info for info in ours + _frictionless_rules({info.code for info in ours})}


CATALOGUE = _catalogue()
