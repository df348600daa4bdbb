"""The real notebooks end to end for four municipalities (København: every part;
Aabenraa: interviews, no trial; Læsø and Ærø: no trial, no interviews) and the national
report: the pages in a real headless Chromium at 1280 x 900 (no console errors, no network
requests, the key findings on the first screen, pages short enough to read, a joint
display without sideways scrolling, a print layout with the key findings on page 1,
screenshots for a person to look at), and a rerun that gives byte-identical pages apart
from the marked timestamp line."""

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
        municipalities=(101, 580, 825, 492),
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
            viewport={"width": 1280, "height": 900},
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


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    # the repository's reports/ folder, not the test's isolated one, so a person finds them
    folder = REPO / "reports" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


@pytest.mark.parametrize(
    ("name", "tables"),
    [
        ("101-koebenhavn", ["benchmark-brief", "joint-display"]),
        ("580-aabenraa", ["benchmark-brief", "joint-display"]),
        ("825-laesoe", ["benchmark-brief"]),
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
    scorecard = page.locator('table[data-table="benchmark-scorecard"]')
    assert scorecard.count() == 1 and not scorecard.is_visible(), "the full table is collapsed"
    page.locator("details:has(table[data-table='benchmark-scorecard']) > summary").click()
    assert scorecard.is_visible(), "a reader opens it with one click"
    assert page.locator("nav.report-toc li").count() >= 3
    assert page.locator("[data-simulated=true]").first.is_visible()
    images = page.locator("figure.analysis-figure img")
    assert images.count() > 0
    widths = images.evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert all(w > 0 for w in widths), "an embedded figure did not decode"
    screenshot(page, name)
    page.close()


#: what a reader sees at 1280 x 900 with every <details> closed: page height and words
READING_LIMITS = {"825-laesoe": (4_500, 1_200), "101-koebenhavn": (15_000, None)}
VISIBLE_LINES = """() => document.body.innerText.split("\\n").map(l => l.trim()).filter(l => l)"""


def reading(page) -> dict:
    top = page.evaluate(
        "() => { const k = document.getElementById('key-findings');"
        " return k ? k.getBoundingClientRect().top + window.scrollY : null; }"
    )
    stamp = page.evaluate(
        "() => document.querySelector('.report-timestamp')?.innerText.trim() ?? null"
    )
    # the build time is not reading matter (and two pages built in the same second would
    # share it by chance)
    lines = [line for line in page.evaluate(VISIBLE_LINES) if line != stamp]
    return {
        "height": page.evaluate("document.documentElement.scrollHeight"),
        "lines": lines,
        "words": sum(len(line.split()) for line in lines),
        "key_findings_top": top,
        "key_findings_words": page.evaluate(
            "document.getElementById('key-findings').innerText.split(/\\s+/).length"
        ),
    }


@pytest.mark.parametrize(
    "name", ["101-koebenhavn", "580-aabenraa", "825-laesoe", "492-aeroe", "national"]
)
def test_key_findings_start_on_the_first_screen(built_reports, browser, name):
    """Before, the first screen was the title, a banner and a 20- to 40-line table of
    contents; the findings, if any, came thousands of pixels further down."""
    page, errors, _ = open_page(browser, built_reports / f"{name}.html")
    assert errors == []
    measured = reading(page)
    assert measured["key_findings_top"] is not None, "no key findings section"
    assert measured["key_findings_top"] < 900, measured["key_findings_top"]
    assert measured["key_findings_words"] <= 260, "about 250 words at most"
    assert page.locator("details[open]").count() == 0, "long content starts closed"
    if name in {"101-koebenhavn", "580-aabenraa", "825-laesoe", "national"}:
        screenshot(page, f"{name}-first-screen", full_page=False)
    page.close()


@pytest.mark.parametrize("name", sorted(READING_LIMITS))
def test_pages_are_short_enough_to_read(built_reports, browser, name):
    """Before (1280 px wide): Læsø 14,052 px and 2,988 words, København 38,008 px."""
    page, _, _ = open_page(browser, built_reports / f"{name}.html")
    measured = reading(page)
    max_height, max_words = READING_LIMITS[name]
    assert measured["height"] <= max_height, measured["height"]
    if max_words is not None:
        assert measured["words"] <= max_words, measured["words"]
    page.close()


def test_a_small_municipalitys_page_is_mostly_its_own(built_reports, browser):
    """Before, 89 % of Læsø's visible lines were on Ærø's page too (the national analysis
    repeated in all 98 pages)."""
    page, _, _ = open_page(browser, built_reports / "825-laesoe.html")
    laesoe = reading(page)["lines"]
    page.goto((built_reports / "492-aeroe.html").as_uri(), wait_until="load")
    aeroe = set(reading(page)["lines"])
    shared = sum(1 for line in laesoe if line in aeroe) / len(laesoe)
    assert shared <= 0.5, f"{shared:.0%} of Læsø's visible lines are on Ærø's page"
    page.close()


def test_columns_of_figures_are_right_aligned_and_text_left(built_reports, browser):
    """Before, every cell was left-aligned: the digits of 8.541 and 13.789 did not line
    up. Figures (and their headers) are right-aligned now, words stay left."""
    page, _, _ = open_page(browser, built_reports / "101-koebenhavn.html")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    align = "e => getComputedStyle(e).textAlign"
    savings = page.locator('table[data-table="benchmark-savings"]')
    headers = savings.locator("thead th")
    first_row = savings.locator("tbody tr").first.locator("td")
    assert first_row.nth(0).evaluate(align) == "left"  # the benefit's name
    assert headers.nth(0).evaluate(align) == "left"
    for column in (1, 2, 4):  # full-time persons, rate x workforce, net cost per person
        assert first_row.nth(column).evaluate(align) == "right", column
        assert headers.nth(column).evaluate(align) == "right", column
    frequencies = page.locator('table[data-table="qual-frequencies"] tbody tr').first
    cells = frequencies.locator("td")
    assert cells.nth(0).evaluate(align) == "left"
    assert all(cells.nth(i).evaluate(align) == "right" for i in range(1, cells.count()))
    page.close()


def test_the_joint_display_fits_the_screen(built_reports, browser):
    page, _, _ = open_page(browser, built_reports / "101-koebenhavn.html")
    table = page.locator('table[data-table="joint-display"]')
    width, visible = table.evaluate("t => [t.scrollWidth - t.clientWidth, t.clientWidth]")
    assert width <= 0 and visible <= 1280, "no sideways scrolling at 1280 px"
    assert page.locator("html").evaluate("e => e.scrollWidth") <= 1280
    quotes = table.locator("p.jd-quote").all_inner_texts()
    shown = [q for q in quotes if q.strip()][: table.locator("tbody tr").count()]
    assert shown and all(len(q) <= 202 for q in shown), "one quote of at most 200 characters"
    assert table.locator(".jd-badge").count() == table.locator("tbody tr").count()
    page.close()


def test_printed_page_has_the_key_findings_on_page_one(built_reports, browser, tmp_path):
    """Print -> PDF of København (A4): the print layout puts the key findings inside the
    first page and the browser writes a PDF."""
    page, _, _ = open_page(browser, built_reports / "101-koebenhavn.html")
    page.emulate_media(media="print")
    # A4 at 96 px per inch, less the @page margins (14 mm at the sides, 15 + 16 mm)
    page.set_viewport_size({"width": round((210 - 28) / 25.4 * 96), "height": 1000})
    bottom = page.evaluate(
        "document.getElementById('key-findings').getBoundingClientRect().bottom + scrollY"
    )
    page_height = (297 - 31) / 25.4 * 96
    assert bottom <= page_height, f"key findings end at {bottom:.0f} px of {page_height:.0f}"
    assert not page.locator("nav.report-toc").is_visible(), "no navigation on paper"
    pdf = tmp_path / "101-koebenhavn.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") - data.count(b"/Type /Pages") > 1
    folder = REPO / "reports" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(pdf, folder / "101-koebenhavn-print.pdf")
    page.close()


def test_index_sorts_and_links(built_reports, browser):
    page, errors, external = open_page(browser, built_reports / "index.html")
    assert errors == [] and external == []
    rows = page.locator("table.sortable tbody.index-rows tr")  # not the national row
    assert rows.count() == 98
    first = rows.first.get_attribute("data-code")
    page.locator("table.sortable th").first.click()
    page.locator("table.sortable th").first.click()  # descending by code
    assert rows.first.get_attribute("data-code") != first
    assert rows.first.get_attribute("data-code") == "860"
    link = page.locator('table a[href="101-koebenhavn.html"]')  # the map links it too
    assert link.count() == 1
    assert page.locator('table a[href="national.html"]').count() == 1, "the national row"
    headers = page.locator("table.sortable th").all_inner_texts()
    assert not any("Sagsstammeeffekt" in h for h in headers), "no column the same on every row"
    built = page.locator("table.sortable tbody.index-rows tr:has(a)")
    rows = built.evaluate_all(
        "rows => rows.map(r => [...r.cells].slice(4).map(c => c.textContent))"
    )
    by_column = list(zip(*rows, strict=True))
    titles = headers[4:]
    for title, cells in zip(titles, by_column, strict=True):
        if title in {"Forsøg", "Interviewkilder", "Ledighed, % (seneste 3 mdr.)"}:
            assert len(set(cells)) > 1, f"column {title!r} is the same on every page"
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
    assert again.ok and sorted(r["code"] for r in again.records) == [0, 580]  # 0: national
    assert without_timestamp(page) == first
    for leak in (str(REPO), "/tmp/", "/home/"):
        assert leak not in first, f"an absolute path ({leak}) reached the report"


# --- issue 20: real and simulated separated, text a reader must never see -----------------


@pytest.mark.parametrize(
    "name", ["101-koebenhavn", "580-aabenraa", "825-laesoe", "492-aeroe", "national", "index"]
)
def test_every_number_from_simulated_data_is_marked_and_no_page_shows_forbidden_text(
    built_reports, name
):
    from analysis.reports.pagecheck import reader_text_problems, source_marks, visible_text

    page = (built_reports / f"{name}.html").read_text(encoding="utf-8")
    assert reader_text_problems(page) == []
    if name == "index":
        assert "ja, kun simuleret" in page  # København's trial exists only in the simulation
        return
    marks = source_marks(page)
    assert marks.demo_numbers > 0, "the simulated analyses are in the demonstration"
    assert marks.unmarked_demo_numbers == [], marks.unmarked_demo_numbers[:5]
    assert marks.key_findings_simulated == 0 and marks.simulated_outside_demo == []
    key_findings = page[page.index('id="key-findings"') :].split("</section>")[0]
    assert 'class="kf-caseload"' not in key_findings and 'class="kf-joint"' not in key_findings
    assert key_findings.count('href="#section-demo"') == 1
    assert "forsøgsenheden i " not in visible_text(page).lower()


def test_aabenraa_gets_no_verdict_without_the_compared_groups(built_reports):
    page = (built_reports / "580-aabenraa.html").read_text(encoding="utf-8")
    badges = re.findall(r'<span class="jd-badge[^"]*"[^>]*>([^<]*)</span>', page)
    assert badges and set(badges) == {"Kan ikke vurderes"}
    assert "Under 0/0" not in page and "0/0 under" not in page


def test_every_printed_page_of_the_demonstration_carries_the_mark(built_reports, browser, tmp_path):
    """Chromium's PDF of København: the pages of the method demonstration repeat the mark
    in their top margin (the named page ``simulated``); the pages of real findings do not."""
    from pypdf import PdfReader

    page, _, _ = open_page(browser, built_reports / "101-koebenhavn.html")
    pdf = tmp_path / "101.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
    page.close()
    texts = [" ".join((p.extract_text() or "").split()) for p in PdfReader(str(pdf)).pages]
    mark = "SIMULEREDE DATA – metodedemonstration, ikke resultater"
    marked = [i for i, text in enumerate(texts) if mark in text]
    demo = [i for i, text in enumerate(texts) if any(
        s in text for s in ("Forskel-i-forskelle", "Tal: effekt af lavere sagsstamme",
                            "Metodedemonstration på simulerede data"))]  # fmt: skip
    assert len(marked) >= 2, "the mark repeats on every page of the demonstration"
    assert demo and set(demo) <= set(marked), (demo, marked)
    assert texts[0] and mark not in texts[0], "page 1 holds the real key findings only"
    benchmark = [i for i, text in enumerate(texts) if "Besparelsespotentiale" in text]
    assert benchmark and not set(benchmark) & set(marked)
    assert all(text.strip() for text in texts), "no blank page"


# --- issue 22 §4: the committee page, and printing the full page ---------------------------

#: A4 at 96 px per inch less the full page's @page margins (14 mm at the sides)
A4_CONTENT_WIDTH = round((210 - 28) / 25.4 * 96)
TOO_WIDE = """() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const width = document.documentElement.clientWidth, wide = [];
  document.querySelectorAll('table, figure, .kf-body, .report-heading').forEach(e => {
    const box = e.getBoundingClientRect();
    if (box.width && (box.right > width + 0.5 || e.scrollWidth > e.clientWidth + 1)) {
      wide.push([e.getAttribute('data-table') || e.className, Math.round(box.right),
                 e.scrollWidth]);
    }
  });
  return wide;
}"""


def print_pdf(browser, path: Path, target: Path) -> list[str]:
    """Chromium's PDF of a page (A4, the page's own @page rules); the text of each sheet."""
    from pypdf import PdfReader

    page, errors, _ = open_page(browser, path)
    assert errors == []
    page.pdf(path=str(target), format="A4", prefer_css_page_size=True, print_background=True)
    page.close()
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(str(target)).pages]


@pytest.mark.parametrize("name", ["101-koebenhavn", "580-aabenraa", "825-laesoe", "national"])
def test_every_printed_table_fits_the_sheet(built_reports, browser, name):
    """Before, København's key-findings table lost its "Udvikling" column on page 1 and
    the full scorecard was 1,258 px wide on a 688 px sheet. Every <details> is opened, so
    a table a reader opens before printing fits too."""
    page, _, _ = open_page(browser, built_reports / f"{name}.html")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
    assert page.evaluate(TOO_WIDE) == []
    if name == "101-koebenhavn":
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
        table = page.locator('.kf-table table[data-table="benchmark-brief"]')
        bottom = table.evaluate("t => t.getBoundingClientRect().bottom + scrollY")
        assert bottom <= (297 - 31) / 25.4 * 96, "the brief table is on page 1"
        heads = table.locator("th").all_inner_texts()
        assert heads[-1].strip() == "Udvikling"
        last = table.locator("th").last.evaluate("e => e.getBoundingClientRect().right")
        assert last <= A4_CONTENT_WIDTH
    page.close()


@pytest.mark.parametrize("name", ["101-koebenhavn", "825-laesoe"])
def test_every_printed_sheet_has_its_number_the_data_date_and_the_source(
    built_reports, browser, tmp_path, name
):
    texts = print_pdf(browser, built_reports / f"{name}.html", tmp_path / f"{name}.pdf")
    assert len(texts) > 1
    for number, text in enumerate(texts, start=1):
        assert f"Side {number} af {len(texts)}" in text, (number, text[-200:])
        assert "Jobindsats.dk / STAR, hentet 22. august 2026" in text, number
        assert "(tal til og med juli 2026)" in text, number


def test_the_committee_page_is_one_a4_sheet_of_real_findings(built_reports, browser, tmp_path):
    """København (interviews, a simulated trial), Aabenraa (interviews, no trial), Læsø
    (small bases, a poor group) and Ærø: one sheet each, its number and its data."""
    from analysis.reports.pagecheck import reader_text_problems

    for name in ("101-koebenhavn", "580-aabenraa", "825-laesoe", "492-aeroe"):
        path = built_reports / f"{name}-resume.html"
        markup = path.read_text(encoding="utf-8")
        assert reader_text_problems(markup) == []
        assert markup.count('data-source="simulated"') == 1
        texts = print_pdf(browser, path, tmp_path / f"{name}-resume.pdf")
        assert len(texts) == 1, f"{name}: {len(texts)} sheets"
        for words in ("Resumé", "Nøgletal", "Hvad tallene kan og ikke kan sige", "Konklusion",
                      "Side 1 af 1", "hentet 22. august 2026"):  # fmt: skip
            assert words in texts[0], (name, words)
        page = (built_reports / f"{name}.html").read_text(encoding="utf-8")
        assert f'href="{name}-resume.html"' in page
        printed, _, _ = open_page(browser, path)  # the sheet has the page's side margins
        printed.emulate_media(media="print")
        printed.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
        assert printed.evaluate(TOO_WIDE) == [], name
        printed.close()
    index = (built_reports / "index.html").read_text(encoding="utf-8")
    assert 'href="101-koebenhavn-resume.html"' in index
    page, _, _ = open_page(browser, built_reports / "101-koebenhavn-resume.html")
    screenshot(page, "101-koebenhavn-resume")
    page.close()


@pytest.fixture(scope="module")
def english_reports(build, tmp_path_factory):
    out = tmp_path_factory.mktemp("en")
    options = replace(build, municipalities=(580,), language="en", output=out, workers=1)
    result = run_reports(options)
    assert result.ok, result.failed
    return out


def test_the_english_committee_page_is_one_a4_sheet(english_reports, browser, tmp_path):
    path = english_reports / "580-aabenraa-resume.html"
    texts = print_pdf(browser, path, tmp_path / "580-en.pdf")
    assert len(texts) == 1
    printed, _, _ = open_page(browser, path)
    printed.emulate_media(media="print")
    printed.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
    assert printed.evaluate(TOO_WIDE) == []
    printed.close()
    for words in ("Summary", "Key figures", "What the figures can and cannot say",
                  "Conclusion", "Page 1 of 1", "retrieved 22 August 2026"):  # fmt: skip
        assert words in texts[0], words
