"""One problem found in the package, and how it is printed."""
from dataclasses import asdict, dataclass
import json


@dataclass(frozen=True)
class Problem:
    resource: str
    rule: str
    message: str
    row: int | None = None  # line number in the CSV file, header = 1, as frictionless counts
    row_id: str | None = None
    field: str | None = None

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
