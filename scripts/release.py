"""Release a new version of the data package (see dp/release.py for what it writes).

Usage: python scripts/release.py [PATH/TO/datapackage.json] [--bump patch|minor|major] [--dry-run] [--no-tag] [--since SPEC] [--dist-only]
Run it on a clean tree, with the change described under '## [Unreleased]' in CHANGELOG.md; in git it
commits the release and tags it vX.Y.Z (--no-tag: write the files only; you commit them).
Exit codes: 0 released (or planned, with --dry-run), 1 refused (nothing written), 2 unreadable input.
"""
import argparse
import sys

from dp.package import DEFAULT_DESCRIPTOR, PackageError
from dp.release import BUMPS, ReleaseRefused, carry_out, plan_release, plan_text, rebuild_dist


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("descriptor", nargs="?", default=str(DEFAULT_DESCRIPTOR))
    parser.add_argument("--bump", choices=BUMPS, help="release level; refused if less than the change requires")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and write nothing")
    parser.add_argument("--no-tag", action="store_true", help="write the files only: no git commit, no git tag (the tree need not be clean)")
    parser.add_argument("--dist-only", action="store_true", help="rebuild dist/ for the released version datapackage.json claims, and nothing else")
    parser.add_argument("--since", help="where the last release's content is (folder, zip or git revision), if not found")
    args = parser.parse_args(argv)
    try:
        if args.dist_only:
            print(f"Rebuilt {rebuild_dist(args.descriptor)} and its SHA256SUMS.")
            return 0
        plan = plan_release(args.descriptor, bump=args.bump, since=args.since, tag=not args.no_tag)
        print(plan_text(plan))
        if not args.dry_run:
            carry_out(plan)
            print(f"Released {plan.version}.")
    except ReleaseRefused as err:
        print(f"release refused: {err}", file=sys.stderr)
        return 1
    except (PackageError, OSError) as err:
        print(f"error: cannot read the package: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
