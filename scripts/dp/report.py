"""One problem found in the package, and how it is printed."""
from dataclasses import asdict, dataclass, fields
import json

# A problem quotes what it found, and what it found can be a 200 MB header label: every text of a
# problem is cut to these many characters, with an ellipsis, in the text and the JSON report alike.
LONGEST_MESSAGE = 1000
LONGEST_NAME = 200


@dataclass(frozen=True)
class Problem:
    resource: str
    rule: str
    message: str
    row: int | None = None  # line number in the CSV file, header = 1, as frictionless counts
    row_id: str | None = None
    field: str | None = None

    def __post_init__(self):
        for item in fields(self):
            value = getattr(self, item.name)
            longest = LONGEST_MESSAGE if item.name == "message" else LONGEST_NAME
            if isinstance(value, str) and len(value) > longest:
                object.__setattr__(self, item.name, cut(value, longest))

    def line(self):
        where = [self.resource]
        if self.row is not None:
            where.append(f"row {self.row}" + (f" ({self.row_id})" if self.row_id else ""))
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: [{self.rule}] {self.message}"


def text_report(problems):
    lines = [problem.line() for problem in problems]
    lines.append("VALID: no problems found" if not problems else f"INVALID: {len(problems)} problem(s)")
    return "\n".join(lines)


def json_report(problems):
    return json.dumps({"valid": not problems, "count": len(problems), "problems": [asdict(p) for p in problems]}, indent=2)


def cut(text, longest):
    """text, or its first characters and an ellipsis saying how much was left out."""
    if len(text) <= longest:
        return text
    return f"{text[:longest]}… ({len(text) - longest} more characters)"
