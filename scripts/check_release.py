"""Check a downloaded release of the data package: intact, valid, and compatible with your pin.

Usage: python scripts/check_release.py ZIP [--sums SHA256SUMS] [--pin X.Y.Z|PINNED.zip] [--repo DIR]
--sums checks the zip's sha256 against the SHA256SUMS published beside it; --pin compares the
zip with the version you pinned (a release zip, or a version name looked up in --repo, by default
this package's git history) through the differ. One line per finding, then the verdict.
Exit codes: 0 pass; 1 the zip is corrupt, invalid, or a major change over the pin; 2 the check
cannot run (a file cannot be read).
"""
import argparse
import sys

from dp.check import check_release
from dp.package import DEFAULT_DESCRIPTOR, PackageError
from dp.pandera_schema import leave_out_example_strategies
from dp.process_exit import exit_with


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zip", help="the release zip to check")
    parser.add_argument("--sums", help="the SHA256SUMS file published with the release")
    parser.add_argument("--pin", help="the version you depend on: X.Y.Z (or vX.Y.Z, latest) or its release zip")
    parser.add_argument("--repo", default=str(DEFAULT_DESCRIPTOR.parent), help="where a version name is looked up")
    args = parser.parse_args(argv)
    try:
        findings, passed = check_release(args.zip, args.sums, args.pin, args.repo)
    except (PackageError, OSError) as err:
        print(f"error: cannot check the release: {err}", file=sys.stderr)
        return 2
    for finding in findings:
        print(finding.line())
    failed = sum(not finding.ok for finding in findings)
    print("VERDICT: PASS: intact, valid and compatible" if passed else f"VERDICT: FAIL: {failed} finding(s) failed")
    return 0 if passed else 1


if __name__ == "__main__":
    leave_out_example_strategies()
    exit_with(main())
