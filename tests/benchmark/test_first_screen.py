"""Issue 22 §3: the brief table's key on the first screen, and no signal in colour alone.

Before, the first screen's table marked every level comparison with the same ⊙ in green,
orange or grey (nearly identical in greyscale), coloured the arrows the same way, and
explained neither outside a closed <details>."""

from __future__ import annotations

import tempfile
from pathlib import Path

import lxml.html
import pytest

from analysis.benchmark import scorecard as sc
from analysis.benchmark.batch import precompute
from analysis.benchmark.view import benchmark_view
from analysis.reports.findings import key_findings
from analysis.reports.html import benchmark as summaries

REPO = Path(__file__).resolve().parents[2]
SIGNS = {sc.BETTER: "+", sc.WORSE: "\u2212", sc.SAME: "="}


@pytest.fixture(scope="module")
def cards(benchmark_paths):
    precompute(benchmark_paths)
    return {code: benchmark_view(code, paths=benchmark_paths).scorecard for code in (101, 825)}


def test_every_colour_has_a_sign_twin_in_the_brief_table(cards):
    seen = set()
    for card in cards.values():
        for language in ("da", "en"):
            root = lxml.html.fromstring(summaries.brief_markup(card, language))
            for cell in root.xpath("//td[contains(@class, 'kf-symbol')]"):
                colour = next(c for c in cell.get("class").split() if c.startswith("status-"))
                status = colour.removeprefix("status-")
                marks = cell.xpath(".//span[contains(@class, 'kf-mark')]")
                if status in SIGNS:
                    # the colour's twin: a sign in a circle, named in words
                    assert [m.text for m in marks] == [SIGNS[status]], (
                        status,
                        lxml.html.tostring(cell),
                    )
                    assert marks[0].get("role") == "img" and marks[0].get("aria-label")
                    seen.add(status)
                else:
                    assert marks == [], status  # no colour, no sign: '–'
    assert seen == set(SIGNS), "København and Læsø show all three comparisons"


def test_the_development_cell_holds_the_arrow_and_its_comparison(cards):
    root = lxml.html.fromstring(summaries.brief_markup(cards[101], "da"))
    rows = root.xpath("//tbody/tr")
    card = cards[101]
    for tr, row in zip(rows, card.itertuples(index=False), strict=True):
        development = tr.xpath("./td")[-1]
        arrow = development.xpath(".//span[contains(@class, 'kf-arrow')]")[0]
        assert arrow.text == (sc.ARROW_SYMBOLS[row.arrow] or "–")
        assert arrow.get("aria-label")  # 'god udvikling', 'dårlig udvikling', ...
        assert development.get("data-status") == row.development_status
    first = rows[0].xpath("./td")[-1]  # unemployment: ▼ and worse than the cluster
    assert first.text_content() == "▼\u2212" and first.get("title") == "dårlig udvikling; Dårligere"


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_legend_explains_the_symbols_without_a_details(cards, language):
    legend = summaries.brief_legend_markup(language)
    root = lxml.html.fromstring(legend)
    text = root.text_content()
    if language == "da":
        assert "▲ god · ▼ dårlig · ▶ uændret" in text
        assert "▲ betyder god udvikling, også når tallet falder" in text
        assert (
            "+ bedre · \u2212 dårligere · = samme som klyngens gennemsnit (grøn, orange, grå)"
            in text
        )
        assert "– ingen vurdering: under 20 personer" in text and "* tælles ikke for sig" in text
    else:
        assert "▲ means a good development, also when the number falls" in text
        assert "+ better · \u2212 worse · = the same as the cluster average" in text
    # the legend's samples are the table's marks
    for status, sign in SIGNS.items():
        sample = root.xpath(f"//span[contains(@class, 'status-{status}')]/span[@class='kf-mark']")
        assert [s.text for s in sample] == [sign]
    page = key_findings({"scorecard": cards[101], "inputs": []}, "København", language)
    assert 'id="benchmark-legend"' in page and "<details" not in page
    assert page.index("</section>") < page.index('id="benchmark-legend"'), (
        "after the findings (their ~250 words), on the first screen"
    )
    assert 'id="benchmark-legend"' not in key_findings({"inputs": []}, "København", language)


# --- in a real browser ------------------------------------------------------------------------


def _chromium() -> str:
    import shutil

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (scripts/ensure-chromium.sh installs it)")
    return path


@pytest.fixture(scope="module")
def pages(full_isolated_paths):
    """Real pages, all four notebooks: København (the longest first screen) in Danish,
    Aabenraa in Danish and English."""
    from analysis.reports.batch import RunOptions, run_reports

    built = {}
    for language, codes in (("da", (101, 580)), ("en", (580,))):
        output = full_isolated_paths.reports / language
        options = RunOptions(
            municipalities=codes,
            notebooks=(),
            language=language,
            workers=2,
            output=output,
            progress=False,
        )
        result = run_reports(options)
        assert result.ok, result.failed
        for html in output.glob("*-*.html"):
            if not html.stem.endswith("-resume"):  # the committee summary: its own tests
                built[(html.stem, language)] = html
    return built


@pytest.mark.slow
def test_legend_is_on_the_first_screen_and_reads_in_greyscale(pages):
    from PIL import Image, ImageOps
    from playwright.sync_api import sync_playwright

    folder = REPO / "reports" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tempfile.mkdtemp(prefix="chromium-profile-"),
            executable_path=_chromium(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
            ],
            viewport={"width": 1280, "height": 900},
        )
        try:
            for (stem, language), html in sorted(pages.items()):
                page = context.new_page()
                page.goto(html.as_uri(), wait_until="load")
                legend = page.locator("#benchmark-legend")
                assert legend.count() == 1 and legend.is_visible(), stem
                box = legend.bounding_box()
                assert box["y"] + box["height"] <= 900, (stem, language, box)
                assert legend.evaluate("e => e.closest('details') === null")
                # every coloured cell of the brief table shows its sign on the first screen
                cells = page.locator("table[data-table='benchmark-brief'] td.kf-symbol")
                signs = cells.evaluate_all(
                    "cs => cs.map(c => [c.dataset.status, "
                    "[...c.querySelectorAll('.kf-mark')].map(m => m.textContent)])"
                )
                for status, marks in signs:
                    assert marks == ([SIGNS[status]] if status in SIGNS else []), (stem, status)
                shot = folder / f"{stem}-{language}-first-screen-legend.png"
                page.screenshot(path=str(shot))
                grey = ImageOps.grayscale(Image.open(shot))
                grey.save(folder / f"{stem}-{language}-first-screen-grey.png")
                # in greyscale, "better" and "worse" still look different (before: the same
                # ⊙ in green and orange, nearly the same grey)
                masks = {}
                for status in (sc.BETTER, sc.WORSE):
                    mark = page.locator(
                        f"table[data-table='benchmark-brief'] td[data-status='{status}'] .kf-mark"
                    ).first
                    b = mark.bounding_box()
                    crop = grey.crop(
                        (round(b["x"]), round(b["y"]), round(b["x"]) + 15, round(b["y"]) + 15)
                    )
                    masks[status] = [value < 200 for value in crop.tobytes()]  # ink
                both = sum(a and b for a, b in zip(*masks.values(), strict=True))
                either = sum(a or b for a, b in zip(*masks.values(), strict=True))
                assert both / either < 0.9, f"{stem}: better and worse look alike in greyscale"
                page.close()
        finally:
            context.close()
