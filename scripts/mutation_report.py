"""Print the mutation score of each module of scripts/dp/ from the last `mutmut run`.

Usage: python scripts/mutation_report.py [--markdown]
Reads mutmut's results (.mutation/mutants/dp/*.py.meta, written by make mutation) and the reviewed list of equivalent mutants
(docs/mutation-equivalents.md). Score = killed / (mutants checked - equivalent); a mutant mutmut
did not check, or that no test covers, is shown in its own column and counts as not killed.
"""
import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / ".mutation" / "mutants" / "dp"
EQUIVALENTS = ROOT / "docs" / "mutation-equivalents.md"
# mutmut 3's exit codes (mutmut/stats.py): 1 and 3 kill, 0 survives, 5 and 33 mean no test covers it.
KILLED, SURVIVED, NO_TESTS, TIMEOUT = {1, 3}, {0}, {5, 33}, {24, -24, 36, 152, 255}
COLUMNS = ["module", "mutants", "killed", "timeout", "survived", "equivalent", "no tests", "not checked", "score"]


def equivalents():
    """{mutant name: reason} from the table rows '| module | mutant | reason |' of the reviewed list."""
    if not EQUIVALENTS.is_file():
        return {}
    rows = re.findall(r"^\|\s*[\w./]+\s*\|\s*`?([\w.]+__mutmut_\d+)`?\s*\|(.+)\|\s*$", EQUIVALENTS.read_text(encoding="utf-8"), re.M)
    return {name: reason.strip() for name, reason in rows}


def module_row(meta_path, equivalent):
    codes = json.loads(meta_path.read_text(encoding="utf-8"))["exit_code_by_key"]
    count = {"killed": 0, "timeout": 0, "survived": 0, "equivalent": 0, "no tests": 0, "not checked": 0}
    for name, code in codes.items():
        if name in equivalent and code not in KILLED:
            count["equivalent"] += 1
        elif code in KILLED:
            count["killed"] += 1
        elif code in TIMEOUT:
            count["timeout"] += 1
        elif code in SURVIVED:
            count["survived"] += 1
        elif code in NO_TESTS:
            count["no tests"] += 1
        else:
            count["not checked"] += 1
    judged = len(codes) - count["equivalent"] - count["not checked"]
    score = f"{100 * (count['killed'] + count['timeout']) / judged:.1f}%" if judged else "-"
    module = meta_path.relative_to(RESULTS).as_posix().removesuffix(".py.meta") + ".py"  # site/build.py in a sub-package
    return [module, len(codes), *count.values(), score]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    metas = sorted(RESULTS.rglob("*.py.meta"))
    if not metas:
        print("error: no mutmut results in .mutation/mutants/; run make mutation first", file=sys.stderr)
        return 2
    equivalent = equivalents()
    rows = [module_row(meta, equivalent) for meta in metas]
    rows = [row for row in rows if row[1]]  # modules left out of mutation have no mutants
    if args.markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
        for row in rows:
            print("| " + " | ".join(map(str, row)) + " |")
    else:
        print("".join(f"{c:>12}" for c in COLUMNS))
        for row in rows:
            print("".join(f"{str(v):>12}" for v in row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
