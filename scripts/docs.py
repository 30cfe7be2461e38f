"""Regenerate the generated docs: docs/data-dictionary.md and docs/figures.svg.

Usage: python scripts/docs.py [--check]
With --check nothing is written; exit code 1 names the files that are out of date.
"""
import argparse
import sys

from dp.chart import render_chart
from dp.dictionary import render_dictionary
from dp.package import DEFAULT_DESCRIPTOR, atomic_write
from dp.process_exit import exit_with

DOCS = DEFAULT_DESCRIPTOR.parent / "docs"
DICTIONARY = DOCS / "data-dictionary.md"
CHART = DOCS / "figures.svg"


def generated():
    """{path: the bytes it should hold}."""
    return {DICTIONARY: render_dictionary().encode("utf-8"), CHART: render_chart()}


def out_of_date(files):
    return [path for path, content in files.items() if not path.is_file() or path.read_bytes() != content]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    files = generated()
    stale = out_of_date(files)
    if args.check:
        for path in stale:
            print(f"{path.relative_to(DOCS.parent)} is out of date; run make docs", file=sys.stderr)
        return 1 if stale else 0
    DOCS.mkdir(exist_ok=True)
    for path in stale:
        atomic_write(path, files[path])
        print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    exit_with(main())
