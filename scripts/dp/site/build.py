"""Build the static site from the package: plain HTML pages that read with JavaScript off.

Pages link to each other by relative paths only and load nothing from outside the site folder,
so it works from file:// as well as from any web server. The site is built in a temporary
folder next to its destination and moved into place only when complete: a failed build leaves
the previous site as it was.
"""
import shutil
import tempfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from dp.package import DEFAULT_DESCRIPTOR
from dp.site.content import (SiteError, briefing_contexts, dictionary_context, headline_figures, open_package,
                             table_context, table_page, versions_context)
from dp.site.downloads import write_downloads

HERE = Path(__file__).resolve().parent
CHART = Path("docs") / "figures.svg"


def environment():
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["table_page"] = table_page
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def copy_chart(package, static):
    """The committed chart (make docs), so that building the site needs no plotting library."""
    chart = package.root / CHART
    if not chart.is_file():
        raise SiteError(f"{CHART} is missing; run make docs to draw the chart of the figures")
    shutil.copyfile(chart, static / "figures.svg")


def render_pages(package, site):
    env = environment()
    briefings = briefing_contexts(package)
    downloads, no_release = write_downloads(package, site)
    common = {"package": package.descriptor, "tables": [r["name"] for r in package.resources], "briefings": briefings}
    pages = {
        "index.html": ("home.html", {"figures": headline_figures(package),
                                     "counts": {name: len(frame) for name, frame in package.text.items()}}),
        "downloads.html": ("downloads.html", {"downloads": downloads, "no_release": no_release}),
        "versions.html": ("versions.html", versions_context(package)),
        "dictionary.html": ("dictionary.html", {"sections": dictionary_context(package)}),
    }
    for resource in package.resources:
        pages[table_page(resource["name"])] = ("table.html", {"table": table_context(package, resource)})
    for briefing in briefings:
        pages[briefing["page"]] = ("briefing.html", {"briefing": briefing})
    for name, (template, context) in pages.items():
        html = env.get_template(template).render(page=name, **common, **context)
        (site / name).write_text(html, encoding="utf-8")
    return sorted(pages)


def build_site(descriptor_path=DEFAULT_DESCRIPTOR, out=None):
    """Build the site into out (default: site/ next to datapackage.json); returns the page names."""
    descriptor_path = Path(descriptor_path)
    out = Path(out) if out else descriptor_path.parent / "site"
    package = open_package(descriptor_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", suffix=".tmp", dir=out.parent))
    try:
        shutil.copytree(HERE / "static", staging / "static")
        copy_chart(package, staging / "static")
        pages = render_pages(package, staging)
        _replace(out, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return pages


def _replace(out, staging):
    """Move the finished site into place; the old one goes only once the new one is there."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-old-{staging.name}")
        out.rename(old)
    staging.rename(out)
    if old:
        shutil.rmtree(old)

