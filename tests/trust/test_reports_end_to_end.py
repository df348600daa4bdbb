"""The real notebooks end to end for two municipalities (København: every part;
Aabenraa: every part, no trial): the pages in a real headless Chromium (no console errors,
no network requests, the key tables present and visible, screenshots for a person to look
at), and a rerun that gives byte-identical pages apart from the marked timestamp line."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from analysis.reports.batch import RunOptions, run_reports

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip(
            "chromium is not installed and the test setup (scripts/ensure-chromium.sh) could "
            "not install it here (it needs apt-get and root or passwordless sudo)"
        )
    return path


TIMESTAMP = re.compile(r'^<p class="report-timestamp" data-volatile="timestamp">.*$', re.M)


@pytest.fixture(scope="module")
def build(full_isolated_paths):
    options = RunOptions(
        municipalities=(101, 580),
        notebooks=(),
        workers=2,
        output=full_isolated_paths.reports,
        progress=False,
    )
    result = run_reports(options)
    assert result.ok, result.failed
    return options


@pytest.fixture(scope="module")
def built_reports(build):
    return build.output


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    executable = chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 900},
        )
        yield context
        context.close()


def open_page(context, path: Path):
    """Open a report; collect console errors and every request that is not the file."""
    page = context.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    external = [u for u in requests if not u.startswith(("file://", "data:"))]
    return page, errors, external


def screenshot(page, name: str) -> None:
    # the repository's reports/ folder, not the test's isolated one, so a person finds them
    folder = REPO / "reports" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    ("name", "tables"),
    [
        ("101-koebenhavn", ["benchmark-scorecard", "joint-display"]),
        ("580-aabenraa", ["benchmark-scorecard", "joint-display"]),
    ],
)
def test_report_renders_cleanly_offline(built_reports, browser, name, tables):
    page, errors, external = open_page(browser, built_reports / f"{name}.html")
    assert errors == [], errors
    assert external == [], f"the report loaded from the network: {external}"
    for table in tables:
        locator = page.locator(f'table[data-table="{table}"]')
        assert locator.count() == 1, f"{table} missing"
        assert locator.is_visible(), f"{table} not visible"
        assert locator.locator("tbody tr").count() > 0
    assert page.locator("nav.report-toc li").count() >= 4
    assert page.locator("[data-simulated=true]").first.is_visible()
    images = page.locator("figure.analysis-figure img")
    assert images.count() > 0
    widths = images.evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert all(w > 0 for w in widths), "an embedded figure did not decode"
    screenshot(page, name)
    page.close()


def test_index_sorts_and_links(built_reports, browser):
    page, errors, external = open_page(browser, built_reports / "index.html")
    assert errors == [] and external == []
    rows = page.locator("table.sortable tbody tr")
    assert rows.count() == 98
    first = rows.first.get_attribute("data-code")
    page.locator("table.sortable th").first.click()
    page.locator("table.sortable th").first.click()  # descending by code
    assert rows.first.get_attribute("data-code") != first
    assert rows.first.get_attribute("data-code") == "860"
    link = page.locator('a[href="101-koebenhavn.html"]')
    assert link.count() == 1
    screenshot(page, "index")
    page.close()


def without_timestamp(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert len(TIMESTAMP.findall(text)) == 1, "exactly one marked timestamp line"
    return TIMESTAMP.sub("", text)


def test_rerun_gives_identical_pages_apart_from_the_timestamp(build):
    page = build.output / "580-aabenraa.html"
    first = without_timestamp(page)
    again = run_reports(replace(build, municipalities=(580,), workers=1, force=True))
    assert again.ok and [r["code"] for r in again.records] == [580]
    assert without_timestamp(page) == first
    for leak in (str(REPO), "/tmp/", "/home/"):
        assert leak not in first, f"an absolute path ({leak}) reached the report"
