"""How the report pages read: height, visible words, where the key findings start, what
two pages share, the joint display's width; screenshots of the first screen.

Measured in headless Chromium at 1280 x 900 (details closed, as a reader first sees the
page). Prints the figures; asserts nothing (tests in tests/trust check the limits).

    .venv/bin/python benchmarks/report_reading.py [REPORTS_DIR] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
#: the page's rendered text, line by line (closed <details> and hidden elements are not
#: rendered, so they are not in it; a table row is one line, its cells tab-separated)
VISIBLE_TEXT = """() => document.body.innerText.split("\\n").map(l => l.trim()).filter(l => l)"""
STAMP_TEXT = """() => document.querySelector('.report-timestamp')?.innerText.trim() ?? null"""


def measure(page, path: Path) -> dict:
    """Height, words, key-findings top, joint display overflow of one page."""
    page.goto(path.as_uri(), wait_until="load")
    height = page.evaluate("document.documentElement.scrollHeight")
    lines = page.evaluate(VISIBLE_TEXT)
    stamp = page.evaluate(STAMP_TEXT)  # "Dannet <time> ...": not part of the reading
    lines = [line for line in lines if line != stamp]
    words = sum(len(line.split()) for line in lines)
    top = page.evaluate(
        "() => { const k = document.getElementById('key-findings');"
        " return k ? k.getBoundingClientRect().top + window.scrollY : null; }"
    )
    kf_words = page.evaluate(
        "() => { const k = document.getElementById('key-findings');"
        " return k ? k.innerText.split(/\\s+/).filter(Boolean).length : null; }"
    )
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('table.joint-display')]"
        ".map(t => t.scrollWidth - t.clientWidth)"
    )
    return {"height": height, "words": words, "lines": lines, "kf_top": top,
            "kf_words": kf_words, "jd_overflow": overflow}  # fmt: skip


def shared_share(a: list[str], b: list[str]) -> float:
    """Share of the visible lines of ``a`` that also appear in ``b``."""
    other = set(b)
    return sum(1 for line in a if line in other) / max(1, len(a))


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("reports", type=Path, nargs="?", default=REPO / "reports")
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args()
    pages = sorted(p for p in args.reports.resolve().glob("*.html") if p.name != "index.html")
    profile = Path("/tmp/report-reading-profile")
    shutil.rmtree(profile, ignore_errors=True)
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=shutil.which("chromium"), headless=True, args=ARGS,
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        page = context.new_page()
        results = {}
        for path in pages:
            results[path.stem] = measure(page, path)
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.screenshots / f"{path.stem}-first-screen.png"))
        context.close()
    print(f"{'page':<28}{'height px':>10}{'words':>8}{'key findings top':>18}{'kf words':>9}")
    for name, r in results.items():
        print(f"{name:<28}{r['height']:>10}{r['words']:>8}{r['kf_top']!s:>18}"
              f"{r['kf_words']!s:>9}  joint display overflow {r['jd_overflow']}")  # fmt: skip
    if {"825-laesoe", "492-aeroe"} <= set(results):
        share = shared_share(results["825-laesoe"]["lines"], results["492-aeroe"]["lines"])
        print(f"visible lines of Læsø also on Ærø's page: {share:.0%}")
    # the committee summaries (-resume) are one sheet without a key-findings box
    full = {n: r for n, r in results.items() if not n.endswith("-resume")}
    worst = max((r["kf_top"] or 10**6 for r in full.values()), default=None)
    print(f"lowest key-findings top over {len(full)} pages (summaries apart): {worst} px")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
