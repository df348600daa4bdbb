"""The committee page: one A4 sheet per municipality for a committee paper (issue 22 §4).

It follows the form of the Copenhagen committee note (seed 001): a **resumé**, the
**figures** (each key indicator's level against the comparison group and the whole
country, its development over a year, and a small trend of every month in the snapshot
beside the group's), **what the figures can and cannot say**, and a **conclusion**, with
the data's source and date on the sheet. It is built by the report batch from the same
records as the municipality's page (the notebooks' scrapbook records, and the benchmark's
monthly series from the shared cache, through the functions notebook 03 uses), written
beside the page as ``<code>-<slug>-resume.html`` through the privacy exit and the page
check, and linked from the page and the index.

**Only findings from real data.** When the caseload panel is simulated, the sheet says so
in one line (what the figures cannot say) and shows no number from it; a real panel's
findings appear in the resumé, marked with the files the data contract read them from.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import AnalysisError
from analysis.labels import t
from analysis.reports.records import PageHeadlines

#: the committee page's file name beside the municipality's page (``101-koebenhavn.html``)
SUFFIX = "-resume"
#: the benchmark's notebook (its parameters say which snapshot and weighting it used)
BENCHMARK_NOTEBOOK = "03_benchmark_scorecard"
#: the sparkline's size in CSS pixels (drawn as inline SVG, so it prints sharp)
SPARK_WIDTH, SPARK_HEIGHT = 110, 22


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def committee_path(page: Path | str) -> Path:
    """The committee page beside a municipality's page (``101-koebenhavn-resume.html``)."""
    page = Path(page)
    return page.with_name(f"{page.stem}{SUFFIX}{page.suffix}")


def committee_href(page: Path | str) -> str:
    """The committee page's file name, for a link from its page or the index."""
    return committee_path(page).name


# --- the monthly series -----------------------------------------------------------------


def trend_frame(
    scraps: Mapping[str, Any], parameters: Mapping[str, Any], paths: Any = None
) -> pd.DataFrame | None:
    """Each scorecard indicator month by month for the municipality, its comparison group
    and the country (:func:`analysis.benchmark.trends.trend_series`), from the cached
    monthly values of the snapshot notebook 03 read (its ``parameters``) and the group
    it recorded (``benchmark_headline.members``); None without a benchmark, or when the
    snapshot it read can no longer be read (the sheet then has no trend column)."""
    from analysis.benchmark.trends import trend_series
    from analysis.benchmark.view import BenchmarkInputs, load_trend_values

    scorecard = scraps.get("scorecard")
    if not isinstance(scorecard, pd.DataFrame) or scorecard.empty:
        return None
    headline = PageHeadlines.from_scraps(scraps).benchmark
    if headline is None:
        return None
    inputs = BenchmarkInputs(
        snapshot=parameters.get("snapshot_path"),
        clusters=parameters.get("clusters_path"),
        costs=parameters.get("costs_path"),
    )
    try:
        values = load_trend_values(paths, inputs)
    except AnalysisError:  # the inputs notebook 03 read are gone: the sheet without trends
        return None
    return trend_series(
        values[values["municipality_code"].ne(0)],
        int(scorecard["municipality_code"].iloc[0]),
        headline.members,
        country=values[values["municipality_code"].eq(0)],
        weighted=bool(parameters.get("weighted", False)),
        indicators=list(scorecard["indicator"]),
    )


def _points(values: Sequence[float], low: float, high: float, step: float) -> str:
    """An SVG path through the values (a gap where one is missing), y downwards."""
    span = (high - low) or 1.0
    parts, pen = [], "M"
    for index, value in enumerate(values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            pen = "M"
            continue
        x = index * step
        y = 1 + (SPARK_HEIGHT - 2) * (high - value) / span
        parts.append(f"{pen}{x:.1f} {y:.1f}")
        pen = "L"
    return "".join(parts)


def sparkline(
    series: pd.DataFrame,
    indicator: str,
    language: str,
    *,
    name: str,
    window: tuple[str, str] | None = None,
) -> str:
    """A small trend as inline SVG: the municipality (black line) and its group's average
    (blue, dashed) month by month on one scale, the months the level averages shaded,
    a break in the series as a vertical line; named in words for a screen reader."""
    from analysis.benchmark.summaries import format_level
    from analysis.benchmark.trends import series_breaks

    part = series[series["indicator"].eq(indicator)].sort_values("period")
    own = part["municipality"].astype(float).tolist()
    group = part["group"].astype(float).tolist()
    periods = part["period"].astype(str).tolist()
    known = [v for v in own + group if not math.isnan(v)]
    if len(periods) < 2 or not [v for v in own if not math.isnan(v)]:
        return f'<span class="cm-none">{_e(t("reports.cm.no_trend", language))}</span>'
    low, high = min(known), max(known)
    step = SPARK_WIDTH / (len(periods) - 1)
    shapes = []
    if window is not None and window[0] in periods and window[1] in periods:
        first, last = periods.index(window[0]), periods.index(window[1])
        x = max(0.0, first * step - step / 2)
        width = min(SPARK_WIDTH, last * step + step / 2) - x
        shapes.append(
            f'<rect class="cm-window" x="{x:.1f}" y="0" width="{width:.1f}" '
            f'height="{SPARK_HEIGHT}"/>'
        )
    for month in series_breaks(indicator, periods):
        x = periods.index(month) * step
        shapes.append(
            f'<line class="cm-break" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{SPARK_HEIGHT}"/>'
        )
    shapes.append(f'<path class="cm-group" d="{_points(group, low, high, step)}"/>')
    shapes.append(f'<path class="cm-own" d="{_points(own, low, high, step)}"/>')

    def ends(values: list[float]) -> tuple[str, str, str, str]:
        pairs = [(p, v) for p, v in zip(periods, values, strict=True) if not math.isnan(v)]
        (p0, v0), (p1, v1) = pairs[0], pairs[-1]
        return (
            format_level(v0, indicator, language),
            _month(p0, language),
            format_level(v1, indicator, language),
            _month(p1, language),
        )

    start, start_month, end, end_month = ends(own)
    label = t(
        "reports.cm.spark_own",
        language,
        name=name,
        start=start,
        start_month=start_month,
        end=end,
        end_month=end_month,
    )
    if [v for v in group if not math.isnan(v)]:
        g_start, g_start_month, g_end, g_end_month = ends(group)
        label += " " + t(
            "reports.cm.spark_group",
            language,
            start=g_start,
            start_month=g_start_month,
            end=g_end,
            end_month=g_end_month,
        )
    return (
        f'<svg class="cm-spark" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" width="{SPARK_WIDTH}" '
        f'height="{SPARK_HEIGHT}" role="img" aria-label="{_e(label)}">'
        f"<title>{_e(label)}</title>{''.join(shapes)}</svg>"
    )


def _month(period: str, language: str) -> str:
    from analysis.reports.datasource import format_month

    return format_month(str(period), language)


# --- the figures table ------------------------------------------------------------------


def _mark(status: str, language: str) -> str:
    """A comparison as KLK's sign in a circle (+ better, − worse, = the same), coloured,
    named in words; '–' without a judgement."""
    from analysis.benchmark.summaries import NO_MARK, STATUS_MARKS

    sign = STATUS_MARKS.get(status)
    if sign is None:
        return f'<span class="kf-none">{NO_MARK}</span>'
    word = _e(t(f"benchmark.status.{status}", language).lstrip("● "))
    return (
        f'<span class="kf-mark status-{_e(status)}" role="img" aria-label="{word}" '
        f'title="{word}">{sign}</span>'
    )


def figures_table(
    scorecard: pd.DataFrame,
    gaps: pd.DataFrame | None,
    series: pd.DataFrame | None,
    language: str,
    *,
    name: str,
) -> str:
    """The key figures: per indicator the level (and the persons behind it) against the
    group's and the country's with KLK's sign, the development over a year with KLK's
    arrow and the sign against the group's development, the trend month by month
    (:func:`sparkline`) and whether the distance to the group grew or shrank."""
    from analysis.benchmark.indicators import CATALOGUE
    from analysis.benchmark.scorecard import ARROW_SYMBOLS
    from analysis.benchmark.summaries import format_development, format_level, persons_text
    from analysis.formatting import MISSING

    movements = {}
    if isinstance(gaps, pd.DataFrame) and not gaps.empty:
        movements = dict(zip(gaps["indicator"], gaps["movement"], strict=False))
    heads = ["indicator", "level", "group", "country", "development", "trend", "distance"]
    if not isinstance(series, pd.DataFrame):
        heads.remove("trend")
    numeric = {"level", "group", "country"}
    head = "".join(
        f'<th class="cm-{key}{" num" if key in numeric else ""}">'
        f"{_e(t(f'reports.cm.col.{key}', language))}</th>"
        for key in heads
    )
    reason = _e(t("benchmark.brief.not_counted", language))
    rows = []
    for row in scorecard.itertuples(index=False):
        indicator = CATALOGUE[row.indicator]
        star = "" if indicator.counted else f' <sup title="{reason}">*</sup>'
        persons = persons_text(row, language)
        level = _e(format_level(row.level, row.indicator, language))
        if persons:
            level += f'<span class="cm-persons">{_e(persons)}</span>'
        arrow = ARROW_SYMBOLS.get(row.arrow, "")
        development = format_development(row.development, row.indicator, language)
        if row.arrow in ("no_data", "small_base", "no_direction") or not arrow:
            shown = "" if development == MISSING else f" {_e(development)}"
            development_cell = f'<span class="kf-none">{MISSING}</span>{shown}'
        else:
            words = _e(t(f"benchmark.arrow.{row.arrow}", language))
            development_cell = (
                f'<span class="kf-arrow status-{_e(row.development_status)}" role="img" '
                f'aria-label="{words}">{arrow}</span>{_mark(row.development_status, language)} '
                f"{_e(development)}"
            )
        window = (str(row.period_start), str(row.period)) if hasattr(row, "period_start") else None
        trend = (
            f'<td class="cm-trend">'
            f"{sparkline(series, row.indicator, language, name=name, window=window)}</td>"
            if isinstance(series, pd.DataFrame)
            else ""
        )
        moved = movements.get(row.indicator, "no_data")
        rows.append(
            f'<tr data-indicator="{_e(row.indicator)}">'
            f"<td>{_e(indicator.label(language))}{star}</td>"
            f'<td class="num">{level}</td>'
            f'<td class="num">{_e(format_level(row.cluster_level, row.indicator, language))}'
            f"{_mark(row.level_status, language)}</td>"
            f'<td class="num">{_e(format_level(row.country_level, row.indicator, language))}</td>'
            f'<td class="cm-dev">{development_cell}</td>'
            f"{trend}"
            f'<td class="cm-move">{_e(t(f"benchmark.trends.short.{moved}", language))}</td>'
            "</tr>"
        )
    return (
        f'<table class="cm-figures" data-table="committee-figures"><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def figures_key(
    scorecard: pd.DataFrame, series: pd.DataFrame | None, language: str, name: str
) -> str:
    """How to read the table, in three short lines: the signs and arrows (as on the page's
    first screen), the trend's lines and shading, and the asterisk."""
    from analysis.benchmark.scorecard import SMALL_BASE_THRESHOLD

    lines = [
        t("reports.cm.key.marks", language),
        t("reports.cm.key.arrows", language),
    ]
    if isinstance(series, pd.DataFrame) and not series.empty:
        periods = sorted(series["period"].astype(str).unique())
        lines.append(
            t(
                "reports.cm.key.trend",
                language,
                name=_e(name),
                start=_month(periods[0], language),
                end=_month(periods[-1], language),
            )
        )
    lines.append(t("reports.cm.key.none", language, base=SMALL_BASE_THRESHOLD))
    return '<p class="cm-key">' + " ".join(lines) + "</p>"


# --- resumé, what the figures can and cannot say, conclusion ------------------------------


def short_name(indicator: str, language: str) -> str:
    """An indicator's name inside a sentence ("ledighed", "kontanthjælp"): the
    committee page's short name (``reports.cm.short.<id>``), else its catalogue label."""
    from analysis.benchmark.indicators import CATALOGUE
    from analysis.labels import label_table

    key = f"reports.cm.short.{indicator}"
    return t(key, language) if key in label_table() else CATALOGUE[indicator].label(language)


def _names(indicators: Sequence[str], language: str) -> str:
    """'a, b og c' / 'a, b and c' of the indicators' short names."""
    labels = [short_name(i, language) for i in indicators]
    if len(labels) <= 1:
        return _e("".join(labels))
    last = t("reports.cm.and", language)
    return _e(", ".join(labels[:-1]) + f" {last} " + labels[-1])


def _caseload_files(inputs: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        str(item.get("file"))
        for item in inputs
        if "caseloads/" in str(item.get("file", "")) and not item.get("simulated")
    ]


def resume_items(scraps: Mapping[str, Any], name: str, language: str) -> list[tuple[str, str]]:
    """(kind, sentence) of the resumé: the benchmark in brief, the interview themes (or
    the documents'), and with a real caseload panel its finding and the joint display's
    verdicts, marked with the files they rest on."""
    from analysis.reports.findings import (
        benchmark_sentence,
        caseload_sentence,
        themes_sentence,
        verdicts_sentence,
    )

    items = []
    records = PageHeadlines.from_scraps(scraps)
    headline = records.benchmark
    if headline is not None and headline.n_indicators:
        items.append(("benchmark", benchmark_sentence(headline, name, language)))
    if records.themes:
        kind = "documents" if records.documents_only else "interviews"
        items.append((kind, themes_sentence(records.themes, language)))
    if not records.simulated_caseloads():
        files = ", ".join(_caseload_files(scraps.get("inputs") or []))
        own = records.caseload
        if own is not None:
            source = t("reports.cm.real_source", language, files=_e(files or "–"))
            items.append(("caseload", f"{caseload_sentence(own, name, language)} {source}"))
        if records.verdicts:
            items.append(("joint", verdicts_sentence(records.verdicts, language)))
    return items


def limits(
    scraps: Mapping[str, Any], name: str, language: str, *, page_href: str = ""
) -> tuple[list[str], list[str]]:
    """(can, cannot): what the figures on the sheet can say and what they cannot, each a
    sentence true of this municipality's data (the group and its fit, small bases,
    interviews or documents, and whether the caseload figures are simulated; that line
    links to the method demonstration on the full page, ``page_href``)."""
    from analysis.benchmark.scorecard import SMALL_BASE_THRESHOLD
    from analysis.reports.findings import DEMO_HREF

    records = PageHeadlines.from_scraps(scraps)
    headline = records.benchmark
    can, cannot = [], []
    if headline is not None:
        can.append(
            t(
                "reports.cm.can.compare",
                language,
                name=_e(name),
                size=int(headline.cluster_size),
                cluster=_e(headline.cluster),
            )
        )
        can.append(t("reports.cm.can.trend", language))
    themes = records.themes
    if themes:
        documents = records.documents_only
        can.append(
            t("reports.cm.can.documents" if documents else "reports.cm.can.themes", language)
        )
    if headline is not None:
        cannot.append(t("reports.cm.cannot.cause", language))
        cannot.append(t("reports.cm.cannot.season", language))
        scorecard = scraps.get("scorecard")
        small = (  # the table's rows without a judgement (the tally counts outcome areas)
            int(scorecard["small_base"].fillna(False).astype(bool).sum())
            if isinstance(scorecard, pd.DataFrame) and "small_base" in scorecard
            else int(headline.n_small_base)
        )
        if small:
            key = "reports.cm.cannot.small_base" + ("_one" if small == 1 else "")
            cannot.append(t(key, language, n=small, base=SMALL_BASE_THRESHOLD))
        if headline.poor_fit:
            from analysis.formatting import format_number

            cannot.append(
                t(
                    "reports.cm.cannot.poor_fit",
                    language,
                    name=_e(name),
                    mean=format_number(headline.fit_mean, language, decimals=1),
                    typical=format_number(headline.fit_typical_mean, language, decimals=1),
                )
            )
    if themes:
        documents = records.documents_only
        cannot.append(
            t("reports.cm.cannot.documents" if documents else "reports.cm.cannot.themes", language)
        )
    if records.simulated_caseloads():
        # the one line on the simulated caseload analysis: no number, marked simulated
        cannot.append(
            '<span data-source="simulated">'
            + t(
                "reports.cm.cannot.caseloads",
                language,
                name=_e(name),
                href=_e(page_href + DEMO_HREF),
            )
            + "</span>"
        )
    return can, cannot


def conclusion(
    scorecard: pd.DataFrame | None, gaps: pd.DataFrame | None, name: str, language: str
) -> list[str]:
    """The conclusion in plain sentences from the scorecard: where the municipality is
    better and worse than its group, which indicators moved the good and the bad way
    over the year, and where it is worse and the distance to the group grew (or shrank).
    Like the resumé's tally, only the indicators a tally counts (each outcome once, no
    process measure: :attr:`analysis.benchmark.indicators.Indicator.counted`)."""
    from analysis.benchmark.indicators import CATALOGUE

    if not isinstance(scorecard, pd.DataFrame) or scorecard.empty:
        return [t("reports.cm.no_benchmark", language, name=_e(name))]
    counted = [i for i in scorecard["indicator"] if CATALOGUE[i].counted]
    card = scorecard.set_index("indicator").loc[counted]
    better = [i for i in card.index if card.loc[i, "level_status"] == "better"]
    worse = [i for i in card.index if card.loc[i, "level_status"] == "worse"]
    up = [i for i in card.index if card.loc[i, "arrow"] == "up"]
    down = [i for i in card.index if card.loc[i, "arrow"] == "down"]
    sentences = []
    lists = {"better": better, "worse": worse}
    shown = {key: _names(value, language) for key, value in lists.items()}
    if better or worse:
        kind = "both" if better and worse else ("better" if better else "worse")
        sentences.append(t(f"reports.cm.end.level_{kind}", language, name=_e(name), **shown))
    else:
        sentences.append(t("reports.cm.end.level_same", language, name=_e(name)))
    if up or down:
        kind = "both" if up and down else ("up" if up else "down")
        moved_names = {"up": _names(up, language), "down": _names(down, language)}
        sentences.append(t(f"reports.cm.end.development_{kind}", language, **moved_names))
    moved = {}
    if isinstance(gaps, pd.DataFrame) and not gaps.empty:
        moved = dict(zip(gaps["indicator"], gaps["movement"], strict=False))
    away = [i for i in worse if moved.get(i) == "away"]
    towards = [i for i in worse if moved.get(i) == "towards"]
    if away:
        sentences.append(t("reports.cm.end.away", language, list=_names(away, language)))
    if towards:
        sentences.append(t("reports.cm.end.towards", language, list=_names(towards, language)))
    sentences.append(t("reports.cm.end.describe", language))
    return sentences


# --- the page ---------------------------------------------------------------------------


def _css() -> str:
    from analysis.reports.export import TEMPLATE_DIR
    from analysis.reports.html.markup import minify_css

    return minify_css((TEMPLATE_DIR / "caseload" / "committee.css").read_text(encoding="utf-8"))


def committee_html(
    scraps: Mapping[str, Any],
    meta: Any,
    series: pd.DataFrame | None,
    *,
    page_href: str,
    national_href: str | None = None,
) -> str:
    """The committee page (self-contained HTML, one A4 sheet when printed) from the
    page's merged scrapbook records, its :class:`analysis.reports.export.ReportMeta` and
    the monthly series (:func:`trend_frame`)."""
    from analysis.reports.datasource import register_line, snapshot_source, source_line
    from analysis.reports.export import css_string, page_counter

    language, name = meta.language, meta.municipality_name
    inputs = list(meta.inputs)
    scorecard = scraps.get("scorecard")
    scorecard = scorecard if isinstance(scorecard, pd.DataFrame) and not scorecard.empty else None
    gaps = scraps.get("benchmark_gaps")
    gaps = gaps if isinstance(gaps, pd.DataFrame) else None
    register = snapshot_source(inputs)
    date_line = (
        t("reports.print.data", language, sources=register_line(register, language))
        if register
        else source_line(inputs, language)
    )
    items = "".join(
        f'<li class="cm-{kind}"{_source_attribute(kind)}><strong>'
        f"{_e(t(f'reports.kf.label.{kind}', language))}:</strong> {text}</li>"
        for kind, text in resume_items(scraps, name, language)
    )
    figures = ""
    if scorecard is not None:
        figures = (
            f'<section class="cm-figures-section"><h2>{_e(t("reports.cm.figures", language))}</h2>'
            f"{figures_table(scorecard, gaps, series, language, name=name)}"
            f"{figures_key(scorecard, series, language, name)}</section>"
        )
    can, cannot = limits(scraps, name, language, page_href=page_href)
    two = "".join(
        f"<div><h3>{_e(t(f'reports.cm.{key}', language))}</h3><ul>"
        + "".join(f"<li>{line}</li>" for line in lines)
        + "</ul></div>"
        for key, lines in (("can", can), ("cannot", cannot))
        if lines
    )
    end = f"<p>{' '.join(conclusion(scorecard, gaps, name, language))}</p>"
    links = [f'<a href="{_e(page_href)}">{_e(t("reports.cm.full_page", language))}</a>']
    if national_href:
        links.append(
            f'<a href="{_e(national_href)}">{_e(t("reports.national.link", language))}</a>'
        )
    made = t("reports.cm.made", language, version=meta.package_version, commit=meta.git_commit)
    links.append(_e(made))
    documents = PageHeadlines.from_scraps(scraps).documents_only
    sources = source_line(inputs, language, documents_only=documents)
    footer = f"<p>{_e(sources)}</p><p>{' · '.join(links)}</p>"
    margin = " · ".join([name, t("reports.cm.kicker_short", language)])
    print_css = (
        f"@page {{ @bottom-left {{ content: {css_string(margin)}; }} "
        f"@bottom-right {{ content: {page_counter(language)}; }} }}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f'<meta name="generator" content="caseload-analysis {_e(meta.package_version)}">\n'
        f"<title>{_e(t('reports.cm.title', language, name=name))}</title>\n"
        f'<style type="text/css">{_css()}{print_css}</style>\n</head>\n'
        f'<body class="committee" data-municipality="{int(meta.municipality_code)}" '
        f'data-language="{_e(language)}">\n<header>'
        f'<p class="cm-kicker">{_e(t("reports.cm.kicker", language, region=meta.region))}</p>'
        f"<h1>{_e(t('reports.cm.title', language, name=name))}</h1>"
        f'<p class="cm-date">{_e(date_line)}</p></header>\n'
        f'<section class="cm-resume"><h2>{_e(t("reports.cm.resume", language))}</h2>'
        f"<ul>{items}</ul></section>\n{figures}\n"
        f'<section class="cm-limits"><h2>{_e(t("reports.cm.limits", language))}</h2>'
        f'<div class="cm-two">{two}</div></section>\n'
        f'<section class="cm-conclusion"><h2>{_e(t("reports.cm.conclusion", language))}</h2>'
        f"{end}</section>\n<footer>{footer}</footer>\n</body>\n</html>\n"
    )


def _source_attribute(kind: str) -> str:
    """A resumé line from the caseload panel carries its provenance (only a real panel's
    findings reach the sheet)."""
    return ' data-source="real"' if kind in ("caseload", "joint") else ""


@dataclass(frozen=True)
class CommitteePage:
    """A built committee page and where it goes."""

    path: Path
    markup: str


def build_committee_page(
    page: Path | str,
    scraps: Mapping[str, Any],
    meta: Any,
    runs: Sequence[tuple[str, Mapping[str, Any], Any]],
) -> CommitteePage:
    """A municipality's committee page, to go beside its ``page``, after the page check
    (:func:`analysis.reports.pagecheck.check_reader_text`: a sheet that would show an
    exception or a placeholder fails the municipality before anything is written).
    ``runs``: the batch's (notebook, parameters, run) of the page, for the benchmark's
    parameters."""
    from analysis.reports.pagecheck import check_reader_text

    parameters = next((p for key, p, _ in runs if key == BENCHMARK_NOTEBOOK), {})
    series = trend_frame(scraps, parameters)
    markup = committee_html(
        scraps, meta, series, page_href=Path(page).name, national_href=meta.national_href
    )
    check_reader_text(markup, f"the committee page of {meta.municipality_name}")
    return CommitteePage(committee_path(page), markup)


def write_committee_page(page: CommitteePage, policy: Any) -> Path:
    """Write a built committee page through the privacy exit
    (:func:`analysis.publish.publish_html`, atomically); a failed write names the file."""
    from analysis.publish import publish_html
    from analysis.reports.outputs import OutputWriteError

    try:
        publish_html(page.path, page.markup, policy)
    except OSError as exc:
        raise OutputWriteError(page.path, exc) from None
    return page.path
