"""Print a seeded random sample of the mutants of some modules, for a shorter `mutmut run`.

Usage: python scripts/mutation_sample.py COUNT MODULE... (as `make mutation MUTATION_SAMPLE=COUNT` runs it)
Reads the mutants that mutmut generated (.mutation/mutants/dp/*.py.meta) and prints at most COUNT
names of each module, one a line, the same names for the same mutants on every run (seed 0).
Every mutant of scripts/dp/ takes hours on two cores; a sample of each module estimates its score
in minutes, and `mutmut run` on the names checks exactly those.
"""
import json
import random
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[1] / ".mutation" / "mutants" / "dp"


def sample(count, module):
    meta = RESULTS / (module.replace(".", "/") + ".py.meta")
    names = sorted(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return sorted(random.Random(0).sample(names, min(count, len(names))))


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or not args[0].isdigit():
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    for module in args[1:]:
        print("\n".join(sample(int(args[0]), module)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
