"""The index page: every municipality with region, status, link and headline figures."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.formatting import MISSING, format_number
from analysis.labels import t

SORT_SCRIPT = """
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
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


def index_html(
    rows: Sequence[Mapping[str, Any]],
    headline_columns: Sequence[tuple[str, str]],
    language: str,
    css: str,
    national_href: str | None = None,
) -> str:
    """Render the index. ``rows``: code, name, region, status, href, previous_href and
    headline values; ``headline_columns``: (key, column title) pairs; ``national_href``:
    the national report's page, linked above the table."""
    e = html.escape
    head = [
        t("reports.index.code", language),
        t("reports.index.name", language),
        t("reports.index.region", language),
        t("reports.index.status", language),
        *[title for _, title in headline_columns],
    ]
    counts = {"ok": 0, "failed": 0, "missing": 0}
    body = []
    for row in rows:
        status = row.get("status", "missing")
        counts["ok" if status in {"ok", "skipped"} else status] += 1
        name = e(row["name"])
        name_cell = f'<a href="{e(row["href"])}">{name}</a>' if row.get("href") else name
        cells = [
            f'<td data-sort="{row["code"]:04d}">{row["code"]}</td>',
            f'<td data-sort="{e(row["name"])}">{name_cell}</td>',
            f"<td>{e(row['region'])}</td>",
            f'<td class="status-{e(status)}" title="{e(row.get("error") or "")}">'
            f"{e(t(f'reports.status.{status}', language))}</td>",
        ]
        for key, _ in headline_columns:
            shown, sort = _fmt(row.get(key), language)
            cells.append(f'<td class="num" data-sort="{e(sort)}">{e(shown)}</td>')
        body.append(f'<tr data-code="{row["code"]}">' + "".join(cells) + "</tr>")
    summary = t("reports.index.summary", language, **counts)
    header = "".join(f'<th scope="col">{e(h)}</th>' for h in head)
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{e(t('reports.index.title', language))}</title>\n"
        f'<style type="text/css">\n{css}\n'
        "th { cursor: pointer; } .status-failed { color: #b3261e; font-weight: 600; }\n"
        "</style>\n</head>\n"
        f'<body class="report index">\n<h1>{e(t("reports.index.title", language))}</h1>\n'
        f"<p>{e(t('reports.index.intro', language))}</p>\n<p>{e(summary)}</p>\n"
        + (
            f'<p class="index-national"><a href="{e(national_href)}">'
            f"{e(t('reports.kf.national_link', language))}</a></p>\n"
            if national_href
            else ""
        )
        + f'<table class="analysis-table sortable" data-table="index">\n<thead><tr>{header}'
        f"</tr></thead>\n<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>\n"
        f"<script>{SORT_SCRIPT}</script>\n</body>\n</html>\n"
    )
