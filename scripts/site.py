"""Build the package's static site into site/: home, briefing viewer, tables, dictionary, downloads, versions.

Usage: python scripts/site.py [PATH/TO/datapackage.json] [--out DIR]
Exit codes: 0 built, 1 the package cannot be shown as it is (run make validate), 2 unreadable input.
"""
import argparse
import sys

from dp.package import DEFAULT_DESCRIPTOR, PackageError
from dp.process_exit import exit_with
from dp.site.build import SiteError, build_site


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("descriptor", nargs="?", default=str(DEFAULT_DESCRIPTOR))
    parser.add_argument("--out", help="folder to build into (default: site/ next to datapackage.json)")
    args = parser.parse_args(argv)
    try:
        pages = build_site(args.descriptor, args.out)
    except SiteError as err:
        print(f"site not built: {err}", file=sys.stderr)
        return 1
    except (PackageError, OSError, ValueError) as err:
        print(f"error: cannot read the package: {err}", file=sys.stderr)
        return 2
    print(f"Built {len(pages)} pages into {args.out or 'site/'}")
    return 0


if __name__ == "__main__":
    exit_with(main())
