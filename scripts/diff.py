"""Compare two versions of the data package and name the version bump the change requires.

Usage: python scripts/diff.py OLD NEW [--json] [--repo DIR]
OLD and NEW are each a directory, a datapackage.json, a dist zip, a git revision or a released
version by name: 1.0.0, v1.0.0 or latest (found by its tag, or without tags by the commit that
added releases/1.0.0.json), of the package in --repo, by default this one.
Exit codes: 0 compared, 2 a version cannot be read (or would be read from outside the package).
"""
import argparse
import sys

from dp.diff import diff_snapshots, load_snapshot
from dp.package import DEFAULT_DESCRIPTOR, PackageError
from dp.process_exit import exit_with


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the earlier version")
    parser.add_argument("new", help="the later version")
    parser.add_argument("--json", action="store_true", help="print the changes as JSON")
    parser.add_argument("--repo", default=str(DEFAULT_DESCRIPTOR.parent),
                        help="the package folder in whose git repository revisions are looked up")
    args = parser.parse_args(argv)
    try:
        old, new = load_snapshot(args.old, args.repo), load_snapshot(args.new, args.repo)
    except (PackageError, OSError) as err:
        print(f"error: cannot read a version: {err}", file=sys.stderr)
        return 2
    diff = diff_snapshots(old, new)
    print(diff.as_json() if args.json else diff.text())
    return 0


if __name__ == "__main__":
    exit_with(main())
