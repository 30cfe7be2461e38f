"""Refresh every resource's bytes and hash in datapackage.json from the files on disk.

Usage: python scripts/build_datapackage.py [PATH/TO/datapackage.json]
"""
import sys
from pathlib import Path

from dp.package import DEFAULT_DESCRIPTOR, PackageError, atomic_write, dump_json, read_json, refresh_integrity
from dp.process_exit import exit_with


def main(argv):
    path = Path(argv[0]) if argv else DEFAULT_DESCRIPTOR
    try:
        descriptor = read_json(path)
        fresh = refresh_integrity(descriptor, path.parent)
    except (PackageError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if fresh != descriptor:
        atomic_write(path, dump_json(fresh))
        print(f"{path}: bytes and hashes refreshed")
    return 0


if __name__ == "__main__":
    exit_with(main(sys.argv[1:]))
