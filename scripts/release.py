"""Release a new version of the data package (see dp/release.py for what it writes).

Usage: python scripts/release.py [PATH/TO/datapackage.json] [--bump patch|minor|major] [--dry-run] [--no-tag] [--since SPEC] [--dist-only]
Run it on a clean tree, with the change described under '## [Unreleased]' in CHANGELOG.md; in git it
commits the release and tags it vX.Y.Z (--no-tag: write the files only; you commit them).
A release that was cut off (even by SIGKILL) is finished or undone by the next run, before anything
else; that run then stops and says which it did.
Exit codes: 0 released (or planned, with --dry-run, or an interrupted release settled), 1 refused or
interrupted (every file as it was), 2 unreadable input.
"""
import argparse
import sys
from pathlib import Path

from dp import journal
from dp.package import DEFAULT_DESCRIPTOR, PackageError
from dp.pandera_schema import leave_out_example_strategies
from dp.process_exit import exit_with
from dp.release import BUMPS, ReleaseRefused, carry_out, plan_release, plan_text, rebuild_dist, settle_interrupted

SETTLE_HINT = "a release was cut off; run scripts/release.py again to finish or undo it"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("descriptor", nargs="?", default=str(DEFAULT_DESCRIPTOR))
    parser.add_argument("--bump", choices=BUMPS, help="release level; refused if less than the change requires")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and write nothing")
    parser.add_argument("--no-tag", action="store_true", help="write the files only: no git commit, no git tag (the tree need not be clean)")
    parser.add_argument("--dist-only", action="store_true", help="rebuild dist/ for the released version datapackage.json claims, and nothing else")
    parser.add_argument("--since", help="where the last release's content is (folder, zip or git revision), if not found")
    args = parser.parse_args(argv)
    pending = journal.journal_path(Path(args.descriptor).resolve().parent)
    try:
        if args.dry_run and pending.exists():
            raise ReleaseRefused(f"{pending.name}: {SETTLE_HINT}")
        settled = settle_interrupted(args.descriptor)
        if settled:
            print(f"{settled[0].upper()}{settled[1:]}; nothing else was done.")
            return 0
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
    except KeyboardInterrupt as err:
        print(f"release interrupted{f' by {err}' if str(err) else ''}: {stop_state(pending)}", file=sys.stderr)
        return 1
    except journal.JournalError as err:
        print(f"release stopped: {err}; {stop_state(pending)}", file=sys.stderr)
        return 1
    except (PackageError, OSError) as err:
        if pending.exists():
            print(f"release stopped: {err}; {SETTLE_HINT}", file=sys.stderr)
            return 1
        print(f"error: cannot read the package: {err}", file=sys.stderr)
        return 2
    return 0


def stop_state(pending):
    return SETTLE_HINT if pending.exists() else "every file and git are as they were before it"


if __name__ == "__main__":
    leave_out_example_strategies()
    exit_with(main())
