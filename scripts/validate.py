"""Validate the data package: every rule, every failure, one report.

Usage: python scripts/validate.py [PATH/TO/datapackage.json] [--json]
Exit codes: 0 valid, 1 invalid, 2 the package cannot be read.
"""
import argparse
import sys

from dp.package import DEFAULT_DESCRIPTOR, PackageError
from dp.report import json_report, text_report
from dp.validate import validate_package


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("descriptor", nargs="?", default=str(DEFAULT_DESCRIPTOR))
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    try:
        problems = validate_package(args.descriptor)
    except (PackageError, OSError) as err:
        print(f"error: cannot read the package: {err}", file=sys.stderr)
        return 2
    print(json_report(problems) if args.json else text_report(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
