"""The index page in a real headless Chromium at 1280 x 900: the table fits (no column cut
off), a keyboard user who tabs onto the map sees the municipality's name and value, the
switch recolours the map and changes the legend, the search box filters the table and
the map, and without script the page still shows the map with its default legend."""

from __future__ import annotations

import shutil

import pytest
from mapdata import columns, index_rows, with_borders

from analysis.reports.export import _css
from analysis.reports.index import index_html

pytestmark = pytest.mark.slow
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", "--disable-component-update", "--disable-sync"]  # fmt: skip


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (scripts/ensure-chromium.sh installs it)")
    return path


@pytest.fixture(scope="module")
def index_file(tmp_path_factory, module_isolated_paths):
    paths = with_borders(module_isolated_paths)
    rows = index_rows(paths)
    target = tmp_path_factory.mktemp("index") / "index.html"
    markup = index_html(rows, columns(), "da", _css(), national_href="national.html", paths=paths)
    target.write_text(markup, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def playwright_browser():
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        yield browser
        browser.close()


def _open(browser, path, *, script: bool = True):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=script
    )
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return context, page, errors, [u for u in requests if not u.startswith(("file:", "data:"))]


def test_the_table_fits_1280_pixels_and_the_page_is_offline(index_file, playwright_browser):
    context, page, errors, external = _open(playwright_browser, index_file)
    assert errors == [] and external == []
    sizes = page.evaluate(
        """() => { const t = document.querySelector('table[data-table="index"]');
        const last = t.querySelector("thead th:last-child").getBoundingClientRect();
        return {scroll: t.scrollWidth, client: t.clientWidth, right: last.right,
                page: document.documentElement.scrollWidth}; }"""
    )
    assert sizes["scroll"] <= sizes["client"], f"the table scrolls sideways: {sizes}"
    assert sizes["right"] <= 1280 and sizes["page"] <= 1280, sizes
    context.close()


def test_keyboard_focus_on_the_map_shows_name_and_value(index_file, playwright_browser):
    context, page, errors, _ = _open(playwright_browser, index_file)
    for _ in range(12):  # the national link, the switch, then the map's first municipality
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('svg')"):
            break
    focused = page.evaluate(
        """() => { const a = document.activeElement;
        return {name: a.getAttribute("data-name"), href: a.getAttribute("href"),
                u: a.getAttribute("data-u"), d: a.querySelector("path").getAttribute("d")}; }"""
    )
    assert focused["href"] and focused["name"], "a municipality of the map has the focus"
    readout = page.locator(".map-readout")
    assert readout.is_visible()
    assert readout.inner_text() == f"{focused['name']}: ledighed {focused['u']} %"
    assert page.locator(".map-hl").get_attribute("d") == focused["d"], "its outline is drawn"
    page.keyboard.press("Tab")
    assert focused["name"] not in readout.inner_text(), "the next one takes its place"
    assert errors == []
    context.close()


def test_the_switch_recolours_the_map_and_swaps_the_legend(index_file, playwright_browser):
    context, page, errors, _ = _open(playwright_browser, index_file)
    legend_u, legend_b = page.locator(".map-legend-u"), page.locator(".map-legend-b")
    assert legend_u.is_visible() and not legend_b.is_visible()
    shape = page.locator("svg.map-svg a[data-code='101'] path")
    page.locator("input[name=map-indicator][value=b]").check()
    assert page.locator("#index-map").get_attribute("data-ind") == "b"
    assert legend_b.is_visible() and not legend_u.is_visible()
    css = shape.get_attribute("class").split()
    swatch = page.locator(f".map-legend-b .sw.{next(c for c in css if c.startswith('b'))}")
    after = shape.evaluate("p => getComputedStyle(p).fill")
    assert after == swatch.evaluate("s => getComputedStyle(s).backgroundColor")
    title = page.locator("svg.map-svg a[data-code='101'] title").text_content()
    assert "bedre" in title and "dårligere end klyngen" in title
    assert errors == []
    context.close()


def test_the_search_box_filters_the_table_and_the_map(index_file, playwright_browser):
    context, page, errors, _ = _open(playwright_browser, index_file)
    rows = page.locator("tbody.index-rows tr")
    box = page.locator("#index-search")
    assert box.is_visible()
    box.fill("aaben")
    assert [r.get_attribute("data-code") for r in rows.all() if r.is_visible()] == ["580"]
    assert page.locator("svg.map-svg .m.dim").count() == 97
    assert page.locator(".index-search-count").inner_text() == "1 af 98 kommuner"
    box.fill("kobenhavn")  # without the ø, as people type it
    assert [r.get_attribute("data-code") for r in rows.all() if r.is_visible()] == ["101"]
    box.fill("0147")
    assert [r.get_attribute("data-code") for r in rows.all() if r.is_visible()] == ["147"]
    box.fill("")
    assert sum(r.is_visible() for r in rows.all()) == 98
    assert page.locator("svg.map-svg .m.dim").count() == 0
    assert page.locator("tbody.index-national-rows tr").is_visible()
    assert errors == []
    context.close()


def test_without_script_the_map_shows_the_default_indicator(index_file, playwright_browser):
    context, page, _, _ = _open(playwright_browser, index_file, script=False)
    assert page.locator(".map-legend-u").is_visible()
    assert not page.locator(".map-choice").is_visible(), "a switch that cannot work is hidden"
    assert not page.locator("#index-search-box").is_visible()
    shape = page.locator("svg.map-svg a[data-code='101'] path")
    css = next(c for c in shape.get_attribute("class").split() if c.startswith("u"))
    swatch = page.locator(f".map-legend-u .sw.{css}")
    fill = shape.evaluate("p => getComputedStyle(p).fill")
    assert fill == swatch.evaluate("s => getComputedStyle(s).backgroundColor")
    assert page.locator("tbody.index-rows tr").count() == 98
    context.close()


def _page_file(folder, paths, name: str, code: int, group: tuple[int, ...]):
    import nbformat

    from analysis.reports.export import ReportMeta, Section, report_html

    meta = ReportMeta(
        municipality_code=code, municipality_name=name, region="Syddanmark", language="da",
        inputs=(), simulated=True, git_commit="abc", package_version="0",
        key_findings='<section id="key-findings" class="key-findings"><h2>Hovedresultater</h2>'
        "<p>Tekst.</p></section>",
        comparison_group=group, comparison_label="Lignende kommuner",
        committee_href=f"{code}-resume.html",  # as every municipality page has
    )  # fmt: skip
    markup = report_html([Section("03_benchmark_scorecard", nbformat.v4.new_notebook())], meta)
    target = folder / f"{code}-{len(group)}.html"
    target.write_text(markup, encoding="utf-8")
    return target


@pytest.mark.parametrize(("name", "code"), [("Aabenraa", 580), ("København", 101)])
def test_the_locator_sits_beside_the_title_without_pushing_the_key_findings(
    tmp_path, module_isolated_paths, playwright_browser, name, code
):
    paths = with_borders(module_isolated_paths)
    group = (510, 540, 550, 561, 563, 573, 575, 621) if code == 580 else (147, 751, 851, 461)
    tops = {}
    for members in ((), group):
        context, page, errors, external = _open(
            playwright_browser, _page_file(tmp_path, paths, name, code, members)
        )
        assert errors == [] and external == []
        tops[bool(members)] = page.locator("#key-findings").bounding_box()["y"]
        if members:
            locator = page.locator("figure.report-locator")
            box, title = locator.bounding_box(), page.locator("h1").bounding_box()
            assert box["x"] > title["x"] + title["width"], "beside the title"
            assert box["height"] < 150 and "klyngen, " in locator.inner_text()
            label = page.locator("figure.report-locator svg").get_attribute("aria-label")
            assert name in label and f"{len(group)} kommuner" in label
        context.close()
    assert tops[True] <= tops[False] + 0.5, "the key findings are not pushed down"
