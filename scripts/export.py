"""Write the typed exports of the data package: a SQLite database and one Parquet file per table.

Usage: python scripts/export.py OUT_DIR [--descriptor PATH/TO/datapackage.json]
Exit codes: 0 written, 1 a table does not fit its schema, 2 the package cannot be read.
"""
import argparse
import sys

from dp.export import ExportError, build_exports
from dp.load import LoadError
from dp.package import DEFAULT_DESCRIPTOR, PackageError
from dp.process_exit import exit_with


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", help="the folder to write the exports into")
    parser.add_argument("--descriptor", default=str(DEFAULT_DESCRIPTOR), help="the package's datapackage.json")
    args = parser.parse_args(argv)
    try:
        paths = build_exports(args.descriptor, args.out_dir)
    except (LoadError, ExportError) as err:
        print(f"error: nothing exported: {err}", file=sys.stderr)
        return 1
    except (PackageError, OSError) as err:
        print(f"error: cannot read the package or write the exports: {err}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    exit_with(main())
