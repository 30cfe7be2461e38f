"""The site, built once from the package and read in a real browser (Chromium from Debian, via Playwright).

Needs /usr/bin/chromium (apt-get install chromium) and node_modules/axe-core (npm ci), which
.ci/run installs. Without them these tests fail, saying what to install: they never skip.
Screenshots and the axe-core results go to test-artifacts/site/.
"""
import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest

from conftest import ROOT, copy_package, run_script
from dp.load import load_package
from dp.site.briefing import find_quotes, segments
from dp.site.build import SiteError, build_site
from dp.site.content import anchor
from dp.wording import figure_text

CHROMIUM = Path(os.environ.get("SITE_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "site"
QUOTING = ("metrics", "events", "exclusions")
NARROW = {"width": 320, "height": 640}


# --- the site and the browser, once per session ---------------------------------------


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site") / "site"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = build_site(ROOT / "datapackage.json", folder)
    return SimpleNamespace(folder=folder, pages=pages, tables=load_package(ROOT / "datapackage.json"))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with 'apt-get install chromium' (.ci/run does)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is not installed: pip install -r requirements-dev.txt", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visitor:
    """A browser page that records console errors, script errors and every request not to file://."""

    def __init__(self, page, site):
        self.page, self.site, self.errors = page, site, []
        page.on("console", lambda message: message.type == "error" and self.errors.append(f"console: {message.text}"))
        page.on("pageerror", lambda error: self.errors.append(f"script error: {error}"))
        page.on("request", lambda request: urlsplit(request.url).scheme == "file"
                or self.errors.append(f"request not to file://: {request.url}"))
        page.on("requestfailed", lambda request: self.errors.append(f"failed to load: {request.url}"))

    def open(self, name):
        self.page.goto((self.site.folder / name).as_uri())
        return self.page

    def target_id(self):
        return self.page.evaluate("() => document.querySelector(':target') && document.querySelector(':target').id")


@pytest.fixture
def visitor(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    visit = Visitor(context.new_page(), site)
    yield visit
    context.close()


def briefing_page(site):
    [name] = [page for page in site.pages if page.startswith("briefing")]
    return name


def quoting_rows(site):
    return [(table, row.id, row.quote) for table in QUOTING for row in site.tables[table].itertuples()]


# --- every page, from file:// ----------------------------------------------------------


def test_every_page_opens_from_file_with_no_error_no_outside_request_and_no_broken_link(visitor, site):
    ids, links = {}, []
    for name in site.pages:
        page = visitor.open(name)
        page.screenshot(path=str(ARTIFACTS / f"{name.removesuffix('.html')}.png"), full_page=True)
        ids[name] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        links += [(name, href) for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")]
    assert visitor.errors == []
    broken = []
    for name, href in links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            assert parts.scheme == "https" and "://" in href, f"{name}: link {href!r} is neither relative nor an outside https link"
            continue
        target = parts.path or name
        if not (site.folder / target).is_file():
            broken.append(f"{name}: {href} (no file {target})")
        elif parts.fragment and target.endswith(".html") and unquote(parts.fragment) not in ids[target]:
            broken.append(f"{name}: {href} (no id {unquote(parts.fragment)!r} in {target})")
    assert broken == []


def test_every_page_fits_a_320_pixel_screen(browser, site):
    """Nothing but a table or the chart, each in its own scrolling region, may be wider than the screen."""
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    too_wide = {}
    for name in site.pages:
        page.goto((site.folder / name).as_uri())
        if name in ("index.html", "table-metrics.html", briefing_page(site)):
            page.screenshot(path=str(ARTIFACTS / f"{name.removesuffix('.html')}-320px.png"))
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            too_wide[name] = width
    context.close()
    assert too_wide == {}


def test_pages_read_in_full_with_javascript_off(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site.folder / "table-metrics.html").as_uri())
    assert page.locator("#data tbody tr").count() == len(site.tables["metrics"])
    page.goto((site.folder / briefing_page(site)).as_uri())
    assert page.locator("#briefing-text a.marker").count() == len(quoting_rows(site))
    context.close()


# --- the briefing: every span to its row and back ---------------------------------------


def test_each_highlighted_span_leads_to_its_row_and_the_row_back_to_its_span(visitor, site):
    page = visitor.open(briefing_page(site))
    markers = page.eval_on_selector_all("#briefing-text a.marker", "els => els.map(a => [a.id, a.dataset.table, a.dataset.row])")
    assert sorted((table, row) for _, table, row in markers) == sorted((table, row) for table, row, _ in quoting_rows(site))
    for marker_id, table, row in markers:  # each round trip ends on the briefing page, where the next starts
        page.click(f"[id='{marker_id}']")
        page.wait_for_url(f"**/table-{table}.html#*")
        assert visitor.target_id() == anchor(table, row), f"{marker_id} did not land on its row"
        page.click(f"[id='{anchor(table, row)}'] a.back-to-span")
        page.wait_for_url(f"**/{briefing_page(site)}#*")
        assert visitor.target_id() == marker_id, f"row {row} of {table} did not lead back to its span"
        active = page.eval_on_selector_all("mark.span.active", "els => els.map(m => m.textContent).join('')")
        assert active == dict(((t, r), q) for t, r, q in quoting_rows(site))[(table, row)]
    assert visitor.errors == []


def test_every_metric_is_on_its_page_and_every_quote_is_highlighted_exactly_once(visitor, site):
    page = visitor.open("table-metrics.html")
    shown = page.eval_on_selector_all("#data tbody tr", "rows => rows.map(r => r.id)")
    assert shown == [anchor("metrics", metric_id) for metric_id in site.tables["metrics"]["id"]]
    page = visitor.open(briefing_page(site))
    for table, row, quote in quoting_rows(site):
        markers = page.locator(f"#briefing-text a.marker[data-table='{table}'][data-row='{row}']")
        assert markers.count() == 1, f"{table} {row}: {markers.count()} markers"
        marker_id = markers.get_attribute("id")
        covered = page.eval_on_selector_all(
            "#briefing-text mark.span", f"marks => marks.filter(m => m.dataset.quotes.split(' ').includes('{marker_id}')).map(m => m.textContent).join('')")
        assert covered == quote, f"{table} {row}: the highlighted words differ from its quote"
    assert page.locator("#briefing-text mark.uncoded").count() == 0
    assert visitor.errors == []


def test_sorting_a_column_orders_the_rows_by_value_and_back(visitor, site):
    page = visitor.open("table-metrics.html")
    column = [c.strip() for c in page.eval_on_selector_all("#data thead th", "ths => ths.map(th => th.textContent)")].index("value")
    values = site.tables["metrics"].set_index("id")["value"]
    present = values.dropna().sort_values(kind="stable")
    page.click("#data thead th:nth-child(%d) button" % (column + 1))
    assert page.get_attribute("#data thead th:nth-child(%d)" % (column + 1), "aria-sort") == "ascending"
    order = [row_id.removeprefix("metrics-") for row_id in page.eval_on_selector_all("#data tbody tr", "rows => rows.map(r => r.id)")]
    assert [values[i] for i in order[:len(present)]] == list(present)
    assert all(values.isna()[i] for i in order[len(present):])  # missing values last
    page.click("#data thead th:nth-child(%d) button" % (column + 1))
    order = [row_id.removeprefix("metrics-") for row_id in page.eval_on_selector_all("#data tbody tr", "rows => rows.map(r => r.id)")]
    assert [values[i] for i in order[:len(present)]] == list(present)[::-1]
    assert all(values.isna()[i] for i in order[len(present):])
    assert visitor.errors == []


def test_axe_core_finds_no_serious_or_critical_violation(visitor, site):
    if not AXE.is_file():
        pytest.fail(f"axe-core not found at {AXE}: run 'npm ci' in the repository (.ci/run does)", pytrace=False)
    results, serious = {}, []
    for name in site.pages:
        page = visitor.open(name)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("() => axe.run(document, {resultTypes: ['violations'], preload: false}).then(r => r.violations)")
        results[name] = [{"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])} for v in violations]
        serious += [f"{name}: {v['id']} ({v['impact']}): {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
    (ARTIFACTS / "axe.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    assert serious == []
    assert visitor.errors == []


# --- the viewer's model and the build, without a browser --------------------------------


def _covered(quote, pieces):
    return "".join(segment.text for segment in pieces if quote in segment.covering)


def test_nested_and_overlapping_quotes_each_keep_their_own_marker_and_words():
    text = "On the battlefield, 23 partners have over 9,000 troops in Iraq and Syria in support."
    rows = [("metrics", "outer", "23 partners have over 9,000 troops in Iraq and Syria", ""),
            ("metrics", "inner", "over 9,000 troops", ""),
            ("events", "overlap", "troops in Iraq and Syria in support", ""),
            ("exclusions", "x", "On the battlefield", "no figure")]
    quotes = find_quotes(text, rows)
    pieces = segments(text, quotes)
    assert "".join(segment.text for segment in pieces) == text
    for quote in quotes:
        assert _covered(quote, pieces) == text[quote.start:quote.end]
        assert sum(quote in segment.starting for segment in pieces) == 1
    assert max(len(segment.covering) for segment in pieces) == 3  # "troops" lies in all three


def test_a_figure_that_no_row_codes_is_shown_as_uncoded():
    text = "Coalition members: 68. Strikes: more than 19,000."
    pieces = segments(text, find_quotes(text, [("metrics", "m1", "more than 19,000", "")]))
    assert [segment.text for segment in pieces if segment.uncoded] == ["68"]


def test_a_figure_in_a_later_occurrence_of_a_quote_is_coded_as_validation_sees_it():
    text = "Strikes: more than 19,000. Members: 68. Again, more than 19,000."
    pieces = segments(text, find_quotes(text, [("metrics", "m1", "more than 19,000", "")]))
    assert [segment.text for segment in pieces if segment.uncoded] == ["68"]


def test_headline_figures_say_the_hedge_in_words():
    def row(qualifier, value=None, lower=None, upper=None, unit="count"):
        return SimpleNamespace(qualifier=qualifier, value=value, lower_bound=lower, upper_bound=upper, unit=unit)
    assert figure_text(row("more_than", 19000, 19000)) == "more than 19,000"
    assert figure_text(row("nearly", 90000, None, 90000)) == "nearly 90,000"
    assert figure_text(row("exact", 62, 62, 62, "percent")) == "62%"
    assert figure_text(row("order_of_magnitude", None, 10000, 100000)) == "10,000 to under 100,000"


def test_an_uncoded_span_in_the_package_is_marked_on_the_briefing_page(tmp_path):
    descriptor = copy_package(tmp_path)
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    exclusions = tmp_path / "data" / "exclusions.csv"
    exclusions.write_text("".join(exclusions.read_text(encoding="utf-8").splitlines(keepends=True)[:1]) + "".join(
        line for line in exclusions.read_text(encoding="utf-8").splitlines(keepends=True)[1:] if "x001" not in line), encoding="utf-8")
    pages = build_site(descriptor, tmp_path / "out")
    html = (tmp_path / "out" / [p for p in pages if p.startswith("briefing")][0]).read_text(encoding="utf-8")
    assert '<mark class="uncoded">Mar 24, 2017</mark>' in html


def test_a_quote_missing_from_the_briefing_stops_the_build_and_keeps_the_built_site(tmp_path):
    descriptor = copy_package(tmp_path)
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "index.html").write_text("the site as it was", encoding="utf-8")
    metrics = tmp_path / "data" / "metrics.csv"
    metrics.write_text(metrics.read_text(encoding="utf-8").replace("68-member Global Coalition", "69-member Global Coalition"), encoding="utf-8")
    with pytest.raises(SiteError, match="m001"):
        build_site(descriptor, tmp_path / "out")
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["index.html"]
    assert (tmp_path / "out" / "index.html").read_text(encoding="utf-8") == "the site as it was"
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")] == []
    result = run_script("site.py", descriptor, "--out", tmp_path / "out")
    assert result.returncode == 1 and "m001" in result.stderr and "Traceback" not in result.stderr


def test_downloads_match_their_sums_and_the_release_record(site):
    sums = (site.folder / "downloads" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    from dp.package import sha256_of
    from dp.releases import read_record
    listed = dict(reversed(line.split("  ", 1)) for line in sums)
    for path, digest in listed.items():
        assert sha256_of(site.folder / "downloads" / path) == digest
    record = read_record(ROOT, json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"])
    zips = [path for path in listed if path.endswith(".zip")]
    assert [listed[path] for path in zips] == [record["dist"]["sha256"]]
    assert {f"package/{entry['path']}": entry["sha256"] for entry in record["files"]}.items() <= listed.items()
