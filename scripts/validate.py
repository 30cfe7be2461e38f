"""Validate the data package: every rule, every failure, one report.

Usage: python scripts/validate.py [PACKAGE] [--json]
PACKAGE is a folder, a datapackage.json, a release zip (each file is then named by its path inside
the zip), a git revision or a released version (1.0.0, latest); by default this package.
Exit codes: 0 valid, 1 invalid, 2 the package cannot be read (or would be read from outside itself),
130 interrupted (Ctrl-C: validation writes nothing, so nothing is left half done).
"""
import argparse
import sys

from dp.check import validate_spec
from dp.package import DEFAULT_DESCRIPTOR, PackageError
from dp.pandera_schema import leave_out_example_strategies
from dp.process_exit import exit_with
from dp.report import json_report, text_report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("descriptor", nargs="?", default=str(DEFAULT_DESCRIPTOR),
                        help="a folder, a datapackage.json or a release zip")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        problems = validate_spec(args.descriptor, DEFAULT_DESCRIPTOR.parent)
    except (PackageError, OSError) as err:
        print(f"error: cannot read the package: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the package was not validated; nothing was written", file=sys.stderr)
        return 130
    print(json_report(problems) if args.json else text_report(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    leave_out_example_strategies()
    exit_with(main())
