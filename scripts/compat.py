"""Run the compatibility matrix: each frictionless tool on the package folder and on a release zip.

Usage: python scripts/compat.py [--zip PATH] [--cache DIR]
Without --zip, a zip is built the way scripts/release.py builds it. Environments are cached in
.compat/ (git-ignored). Exit codes: 0 every tool works on both, 1 a cell reads other than "works".
"""
import argparse
import time

from dp.compat import markdown, run_matrix
from dp.package import DEFAULT_DESCRIPTOR
from dp.process_exit import exit_with

CACHE = DEFAULT_DESCRIPTOR.parent / ".compat"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", help="a release zip to check instead of one built now")
    parser.add_argument("--cache", default=str(CACHE), help="where the tools' environments are kept")
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows, notes = run_matrix(DEFAULT_DESCRIPTOR, args.cache, args.zip)
    print(markdown(rows))
    for note in notes:
        print(f"\n{note}")
    failing = [row for row in rows if not row.works]
    print(f"\n{len(rows) - len(failing)} of {len(rows)} tools work on the folder, the zip and typed load "
          f"({time.monotonic() - started:.0f} s)")
    return 1 if failing else 0


if __name__ == "__main__":
    exit_with(main())
