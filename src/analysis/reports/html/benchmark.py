"""The benchmark's markup: the key findings' brief scorecard with its legend, and the
section's opening paragraph for markdown (the tables, symbols and texts come from
:mod:`analysis.benchmark.summaries`; every data text is escaped here)."""

from __future__ import annotations

import html

import pandas as pd

from analysis.benchmark.clusters import ComparisonGroup, GroupFit
from analysis.benchmark.indicators import CATALOGUE
from analysis.benchmark.scorecard import ARROW_SYMBOLS, BETTER, SAME, SMALL_BASE_THRESHOLD, WORSE
from analysis.benchmark.summaries import (
    NO_MARK,
    STATUS_MARKS,
    format_level,
    intro_text,
    status_text,
)
from analysis.labels import t


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def intro_markdown(
    name: str,
    group: ComparisonGroup,
    weighted: bool,
    language: str = "da",
    fit: GroupFit | None = None,
) -> str:
    """:func:`~analysis.benchmark.summaries.intro_text` for ``nb.text`` (markdown): the
    names from the data (municipality, cluster, members) cannot become markup."""
    return html.escape(intro_text(name, group, weighted, language, fit), quote=False)


def _mark(status: str, language: str) -> str:
    """A comparison as a sign in a circle, coloured, named in words for a screen reader
    (``role="img"`` with ``aria-label``); '–' without a judgement."""
    word = _e(status_text(status, language).lstrip("● "))
    sign = STATUS_MARKS.get(status)
    if sign is None:
        return f'<span class="kf-none" role="img" aria-label="{word}">{NO_MARK}</span>'
    return f'<span class="kf-mark" role="img" aria-label="{word}">{sign}</span>'


def _brief_cell(status: str, inner: str, language: str) -> str:
    word = _e(status_text(status, language).lstrip("● "))
    return (
        f'<td class="kf-symbol status-{_e(status)}" data-status="{_e(status)}" '
        f'title="{word}">{inner}</td>'
    )


def _development_brief(row: object, language: str) -> str:
    """The development in one cell: KLK's arrow for the municipality's own development
    (▲ good, ▼ bad, ▶ unchanged), then the sign of its comparison with the cluster's
    development in a circle, both coloured like KLK by that comparison; each named in
    words for a screen reader, and together as the tooltip."""
    arrow = ARROW_SYMBOLS.get(row.arrow, "")
    words = t(f"benchmark.arrow.{row.arrow}", language)
    status = row.development_status
    compared = status_text(status, language).lstrip("● ")
    kind = "kf-arrow" if arrow else "kf-arrow kf-none"
    inner = f'<span class="{kind}" role="img" aria-label="{_e(words)}">'
    inner += f"{_e(arrow or NO_MARK)}</span>"
    if status in STATUS_MARKS:
        inner += _mark(status, language)  # no space: a gap in CSS, one "word" in the text
    tooltip = f"{words}; {compared}" if status in STATUS_MARKS else words
    return (
        f'<td class="kf-symbol status-{_e(status)}" data-arrow="{_e(row.arrow)}" '
        f'data-status="{_e(status)}" title="{_e(tooltip)}">{inner}</td>'
    )


def brief_markup(scorecard: pd.DataFrame, language: str = "da") -> str:
    """The scorecard in brief, as KLK's summary pages show it: one row per indicator with
    the level against the cluster, and the development (KLK's arrow) with its comparison
    against the cluster's. A comparison is a sign in a coloured circle: + better,
    − worse, = the same (green, orange, grey), so it reads without colour too; the
    words are there for a screen reader and as the cell's tooltip (escaped HTML). Rows a
    tally does not count (a part of another outcome, a process measure) are marked with
    an asterisk, which :func:`brief_legend_markup` explains; the legend belongs below
    it on the first screen."""
    head = (
        f"<tr><th>{_e(t('benchmark.col.indicator', language))}</th>"
        f'<th class="num">{_e(t("benchmark.col.level", language))}</th>'
        f'<th class="num">{_e(t("benchmark.col.cluster_level", language))}</th>'
        f"<th>{_e(t('benchmark.brief.level', language))}</th>"
        f"<th>{_e(t('benchmark.brief.development', language))}</th></tr>"
    )
    rows = []
    reason = _e(t("benchmark.brief.not_counted", language))
    mark = f' <sup title="{reason}" aria-label="{reason}">*</sup>'
    for row in scorecard.itertuples(index=False):
        indicator = CATALOGUE[row.indicator]
        counted = indicator.counted
        label = _e(indicator.label(language)) + ("" if counted else mark)
        rows.append(
            f'<tr data-counted="{"true" if counted else "false"}">'
            f"<td>{label}</td>"
            f'<td class="num">{_e(format_level(row.level, row.indicator, language))}</td>'
            f'<td class="num">'
            f"{_e(format_level(row.cluster_level, row.indicator, language))}</td>"
            f"{_brief_cell(row.level_status, _mark(row.level_status, language), language)}"
            f"{_development_brief(row, language)}"
            "</tr>"
        )
    return (
        '<table class="analysis-table kf-benchmark" data-table="benchmark-brief">'
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def brief_legend_markup(language: str = "da") -> str:
    """How to read the brief table, in a few lines for the first screen (escaped HTML):
    the signs in the circles, the arrows (▲ is a good development also when the number
    falls), the colours with their signs, '–' and the asterisk. The same marks as the
    table, so the legend is its key in greyscale and in print too."""

    def sample(status: str) -> str:
        return (
            f'<span class="kf-symbol status-{status}"><span class="kf-mark" aria-hidden="true">'
            f"{STATUS_MARKS[status]}</span></span>"
        )  # the word follows in the text

    def arrow(symbol: str) -> str:
        return f'<span class="kf-symbol">{symbol}</span>'

    items = [
        t(
            "benchmark.brief.legend.compare",
            language,
            better=sample(BETTER),
            worse=sample(WORSE),
            same=sample(SAME),
        ),
        t(
            "benchmark.brief.legend.arrows",
            language,
            up=arrow("▲"),
            down=arrow("▼"),
            flat=arrow("▶"),
        ),
        t("benchmark.brief.legend.colour", language, base=SMALL_BASE_THRESHOLD, none=NO_MARK),
    ]
    title = _e(t("benchmark.brief.legend.title", language))
    items[0] = f'<strong class="kf-legend-title">{title}:</strong> {items[0]}'
    lines = "".join(f"<li>{item}</li>" for item in items)
    return (
        f'<aside class="kf-legend" id="benchmark-legend" aria-label="{title}">'
        f"<ul>{lines}</ul></aside>"
    )
