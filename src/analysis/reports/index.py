"""The index page: a map of the municipalities and a table of every municipality with
region, link and headline figures, a national row and a search box.

One set of rows feeds both the map (:mod:`analysis.reports.maps`) and the table, so they
always show the same figures. The table has a "Status" column only while some page is not
finished; pages that failed are listed above the table. The month of the benchmark's
figures is said once above the map when every page has the same month (else it is a
column). Sorting, searching and the map's switch are a few lines of inline script; the
page reads the same without script (the search box and the switch are then hidden).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.formatting import MISSING, format_number
from analysis.labels import t
from analysis.paths import ProjectPaths
from analysis.reports import maps

SORT_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var body = table.querySelector("tbody.index-rows") || table.tBodies[0];
  table.querySelectorAll("thead th").forEach(function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort") || a.cells[col].textContent;
        var y = b.cells[col].getAttribute("data-sort") || b.cells[col].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y, "da");
        return asc ? r : -r;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""

SEARCH_SCRIPT = """
(function () {
  var box = document.getElementById("index-search-box");
  if (!box) { return; }
  var input = box.querySelector("input"), count = box.querySelector(".index-search-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tbody.index-rows tr"));
  var shapes = document.querySelectorAll("#index-map .m");
  function fold(s) {
    return s.toLowerCase().replace(/æ/g, "ae").replace(/ø/g, "oe").replace(/å/g, "aa")
      .normalize("NFD").replace(/[\\u0300-\\u036f]/g, "");
  }
  function loose(s) { return fold(s).replace(/ae/g, "a").replace(/oe/g, "o").replace(/aa/g, "a"); }
  rows.forEach(function (r) {
    var code = r.getAttribute("data-code"), text = ("000" + code).slice(-4) + " " + code +
      " " + r.cells[1].textContent;
    r.searchKeys = [fold(text), loose(text)];
  });
  box.hidden = false;
  input.addEventListener("input", function () {
    var q = input.value.trim(), f = fold(q), l = loose(q), hits = {}, n = 0;
    rows.forEach(function (r) {
      var hit = !q || r.searchKeys[0].indexOf(f) >= 0 || r.searchKeys[1].indexOf(l) >= 0;
      r.hidden = !hit;
      if (hit) { n += 1; hits[r.getAttribute("data-code")] = true; }
    });
    shapes.forEach(function (m) {
      m.classList.toggle("dim", q !== "" && !hits[m.getAttribute("data-code")]);
    });
    count.textContent = q ? count.getAttribute("data-template").replace("{n}", n) : "";
  });
})();
"""

INDEX_CSS = """
body.report.index { max-width: 80rem; }
.index-failures { border-left: 4px solid #b3261e; padding: 0.2rem 0.9rem; background: #fdecea; }
.index-failures h2 { margin: 0.3rem 0; padding: 0; border: 0; font-size: 1.1rem; }
.index-search { margin: 1.2rem 0 0.4rem; }
.index-search input { font: inherit; padding: 0.2rem 0.4rem; width: 16rem; max-width: 100%; }
.index-search-count { color: var(--muted); margin-left: 0.6rem; }
table.analysis-table[data-table="index"] { display: table; width: 100%; font-size: 0.88rem; }
table[data-table="index"] th { cursor: pointer; font-size: 0.8rem; vertical-align: bottom; }
table[data-table="index"] th, table[data-table="index"] td { padding: 0.25rem 0.4rem; }
table[data-table="index"] .index-national-row td { background: #f5f7f9; font-weight: 600; }
.status-failed { color: #b3261e; font-weight: 600; }
@media (max-width: 60rem) {
  table.analysis-table[data-table="index"] { display: block; overflow-x: auto; }
}
"""


def _fmt(value: Any, language: str, digits: int = 1) -> tuple[str, str]:
    """(shown text, sort key) for a headline value: yes/no for a flag, whole numbers as
    such, other numbers with ``digits`` decimals."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return MISSING, ""
    if isinstance(value, bool):
        return t("reports.yes" if value else "reports.no", language), str(int(value))
    if isinstance(value, int):
        return format_number(value, language, decimals=0), f"{value:08d}"
    if isinstance(value, float):
        return format_number(value, language, decimals=digits), repr(value)
    return str(value), str(value)


def _period_note(rows: Sequence[Mapping[str, Any]], language: str) -> tuple[str, bool]:
    """The sentence on the month of the benchmark's figures, and whether the table needs
    a month column (the pages' months differ)."""
    months = {str(r[maps.PERIOD_COLUMN]) for r in rows if r.get(maps.PERIOD_COLUMN)}
    if not months:
        return "", False
    window = maps.period_text(rows, language)
    if window is None:
        return t("reports.index.period_mixed", language), True
    return t("reports.index.period", language, month=window[0], before=window[1]), False


def _failures(rows: Sequence[Mapping[str, Any]], language: str) -> str:
    """The pages that failed, listed above the table (their error is for the person who
    runs the batch: it is in the run's summary and state record, not on the page)."""
    failed = [r for r in rows if r.get("status") == "failed"]
    if not failed:
        return ""
    e = html.escape
    items = "".join(
        f"<li><strong>{e(r['name'])} ({r['code']})</strong>: "
        f"{e(t('reports.index.failure', language, code=r['code']))}</li>"
        for r in failed
    )
    return (
        f'<section class="index-failures"><h2>{e(t("reports.index.failures", language))}'
        f"</h2><ul>{items}</ul></section>\n"
    )


def _committee_cell(row: Mapping[str, Any], language: str) -> str:
    """A link to the municipality's one-page committee summary (A4), when it was built."""
    href = row.get("committee_href")
    if not href:
        return f"<td>{MISSING}</td>"
    title = html.escape(t("reports.cm.link", language, name=row["name"]))
    return (
        f'<td><a class="index-committee" href="{html.escape(str(href))}" title="{title}">'
        f"{html.escape(t('reports.index.committee_link', language))}</a></td>"
    )


def index_html(
    rows: Sequence[Mapping[str, Any]],
    headline_columns: Sequence[tuple[str, str]],
    language: str,
    css: str,
    national_href: str | None = None,
    *,
    paths: ProjectPaths | None = None,
) -> str:
    """Render the index. ``rows``: code, name, region, status, href, previous_href and
    headline values; ``headline_columns``: (key, column title) pairs; ``national_href``:
    the national report's page (linked above the table and in its first row); ``paths``:
    the project whose borders the map draws (None: no map)."""
    e = html.escape
    counts = {"ok": 0, "failed": 0, "missing": 0}
    for row in rows:
        status = row.get("status", "missing")
        counts["ok" if status in {"ok", "skipped"} else status] += 1
    all_done = counts["failed"] == 0 and counts["missing"] == 0
    period_text, month_column = _period_note(rows, language)
    committees = any(row.get("committee_href") for row in rows)
    columns = [
        (key, title)
        for key, title in headline_columns
        if key != maps.PERIOD_START_COLUMN and (key != maps.PERIOD_COLUMN or month_column)
    ]
    head = [
        t("reports.index.code", language),
        t("reports.index.name", language),
        t("reports.index.region", language),
        *([] if all_done else [t("reports.index.status", language)]),
        *[title for _, title in columns],
        *([t("reports.index.headline.committee", language)] if committees else []),
    ]
    body = []
    for row in rows:
        status = row.get("status", "missing")
        name = e(row["name"])
        name_cell = f'<a href="{e(row["href"])}">{name}</a>' if row.get("href") else name
        cells = [
            f'<td data-sort="{row["code"]:04d}">{row["code"]}</td>',
            f'<td data-sort="{e(row["name"])}">{name_cell}</td>',
            f"<td>{e(row['region'])}</td>",
        ]
        if not all_done:
            cells.append(
                f'<td class="status-{e(status)}">{e(t(f"reports.status.{status}", language))}</td>'
            )
        for key, _ in columns:
            shown, sort = _fmt(row.get(key), language)
            cells.append(f'<td class="num" data-sort="{e(sort)}">{e(shown)}</td>')
        if committees:
            cells.append(_committee_cell(row, language))
        body.append(f'<tr data-code="{row["code"]}">' + "".join(cells) + "</tr>")
    national = ""
    if national_href:
        link = f'<a href="{e(national_href)}">{e(t("reports.index.national_row", language))}</a>'
        blanks = "".join(f"<td>{MISSING}</td>" for _ in head[2:])
        national = (
            f'<tbody class="index-national-rows"><tr class="index-national-row"><td>{MISSING}</td>'
            f"<td>{link}</td>{blanks}</tr></tbody>\n"
        )
    summary = t("reports.index.summary", language, **counts)
    header = "".join(f'<th scope="col">{e(h)}</th>' for h in head)
    total = len(body)
    search_template = t("reports.index.search_count", language, n="{n}", total=total)
    search = (
        f'<p class="index-search" id="index-search-box" hidden>'
        f'<label for="index-search">{e(t("reports.index.search", language))}</label> '
        f'<input type="search" id="index-search" autocomplete="off"> '
        f'<span class="index-search-count" aria-live="polite" '
        f'data-template="{e(search_template)}"></span></p>\n'
    )
    drawn = (
        maps.index_map(rows, language, paths, codes=[int(r["code"]) for r in rows])
        if paths is not None
        else None
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{e(t('reports.index.title', language))}</title>\n"
        f'<style type="text/css">\n{css}\n{INDEX_CSS}\n'
        + (drawn.css if drawn else "")
        + "\n</style>\n</head>\n"
        f'<body class="report index">\n<h1>{e(t("reports.index.title", language))}</h1>\n'
        f"<p>{e(t('reports.index.intro', language))}</p>\n<p>{e(summary)}</p>\n"
        + (
            f'<p class="index-national"><a href="{e(national_href)}">'
            f"{e(t('reports.kf.national_link', language))}</a></p>\n"
            if national_href
            else ""
        )
        + (f'<p class="index-period">{e(period_text)}</p>\n' if period_text else "")
        + _failures(rows, language)
        + (drawn.html if drawn else "")
        + search
        + f'<table class="analysis-table sortable" data-table="index">\n<thead><tr>{header}'
        f"</tr></thead>\n{national}"
        '<tbody class="index-rows">\n' + "\n".join(body) + "\n</tbody>\n</table>\n"
        f"<script>{SORT_SCRIPT}{SEARCH_SCRIPT}"
        + (maps.MAP_SCRIPT if drawn else "")
        + "</script>\n</body>\n</html>\n"
    )
