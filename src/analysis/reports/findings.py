"""Key findings: what a municipality's page says on its first screen.

Built from the records the sections' notebooks glue (scrapbook), read as typed records
(:mod:`analysis.reports.records`, which refuses a scrap with a missing or renamed field),
not from their text, so
the sentences follow the results: the benchmark in brief (level against the comparison
group and development, with KLK's circles and arrows), the caseload finding that applies
(the municipality's own trial, else its units and the national estimate), its most
frequent interview themes where it has sources, the joint display's verdict per outcome
domain, and which inputs are real and which simulated. At most about 250 words and one
compact table; every text from data is escaped.

**Only findings from real data.** When the caseload panel is simulated (the data
contract's ``data_origin``, as the notebooks record it: :func:`caseload_simulated`), the
caseload sentence and the joint display's verdicts are not findings: the first screen
gives one line pointing to the method demonstration instead (:func:`demo_sentence`), and
no number computed from simulated data.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.formatting import format_number, format_significant
from analysis.labels import t
from analysis.reports.records import (
    BenchmarkHeadline,
    CaseloadOwn,
    PageHeadlines,
    Theme,
    Verdict,
)

#: raw-data folders and what they are, for the sentence on real and simulated inputs
INPUT_KINDS = (
    ("jobindsats/", "reports.kf.input.jobindsats"),
    ("caseloads/", "reports.kf.input.caseloads"),
    ("surveys/", "reports.kf.input.surveys"),
    ("interviews/", "reports.kf.input.interviews"),
    ("benchmark/", "reports.kf.input.costs"),
)
NATIONAL_PAGE = "national.html"
#: the method demonstration's anchor on a page (analysis.reports.export.DEMO_ID)
DEMO_HREF = "#section-demo"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _number(value: float | None, language: str, digits: int = 2) -> str:
    return format_significant(value, language, digits)


def benchmark_sentence(headline: BenchmarkHeadline, name: str, language: str) -> str:
    """The benchmark in one sentence: outcome areas better and worse than the comparison
    group and developments good and bad, each outcome family counted once and process
    measures not at all (``benchmark_headline`` from notebook 03); how many were not
    judged for too few persons, and a warning when the comparison group fits poorly."""
    from analysis.benchmark.scorecard import SMALL_BASE_THRESHOLD
    from analysis.benchmark.summaries import format_period, format_window

    end = str(headline.period)
    start = headline.period_start
    period = format_window(start, end, language) if start else format_period(end, language)
    text = t(
        "benchmark.kf.sentence",
        language,
        name=_e(name),
        cluster=_e(headline.cluster),
        n=int(headline.n_indicators),
        size=int(headline.cluster_size),
        better=int(headline.n_better),
        worse=int(headline.n_worse),
        up=int(headline.n_up),
        down=int(headline.n_down),
        period=_e(period),
    )
    small = int(headline.n_small_base)
    if small:
        text += " " + t("benchmark.kf.small_base", language, n=small, base=SMALL_BASE_THRESHOLD)
    if headline.poor_fit:
        text += " " + t(
            "benchmark.kf.poor_fit",
            language,
            name=_e(name),
            mean=format_number(headline.fit_mean, language, decimals=1),
            typical=format_number(headline.fit_typical_mean, language, decimals=1),
        )
    return text


def caseload_sentence(own: CaseloadOwn, name: str, language: str) -> str:
    """The caseload finding that applies to this municipality (display units): its own
    trial with its pre-trend test and placebo value where it has one; else its units and
    the national estimates, the trials' design-based estimate first and the fixed-effects
    association second (:mod:`analysis.quant.texts`)."""
    from analysis.quant.results import outcome_label, unit_label
    from analysis.quant.texts import brief_national, brief_trial_notes

    outcome = str(own.outcome)
    simulated = t("reports.kf.simulated", language) if own.simulated else ""
    fields = {
        "name": _e(name),
        "outcome": _e(outcome_label(outcome, language).lower()),
        "unit": _e(unit_label(outcome, language)),
        "simulated": simulated,
    }
    national = own.national
    national_design = own.national_design
    if national_design or national.estimate is not None:
        headline = {**national.to_scrap(), "outcome": outcome, "design": national_design}
        national_text = brief_national(headline, language, simulated)
        if not national_design:  # records of old runs: the association alone, as before
            national_text = t(
                "reports.kf.national",
                language,
                estimate=_number(national.estimate, language),
                low=_number(national.ci_low, language),
                high=_number(national.ci_high, language),
                **fields,
            )
    else:
        national_text = ""
    trial = own.trial
    if trial:
        sentence = t(
            "reports.kf.trial",
            language,
            estimate=_number(trial["estimate"], language),
            low=_number(trial["ci_low"], language),
            high=_number(trial["ci_high"], language),
            **fields,
        )
        return f"{sentence} {brief_trial_notes(own.trial_design, language)}".strip()
    if own.n_units:
        n = int(own.n_units)
        count = (
            t("reports.kf.units_one", language)
            if n == 1
            else t("reports.kf.units_many", language, n=n)
        )
        units = t(
            "reports.kf.units",
            language,
            units=count,
            caseload=_number(own.caseload_mean, language, 3),
            **fields,
        )
        return f"{units} {national_text}".strip()
    return f"{t('reports.kf.no_units', language, **fields)} {national_text}".strip()


def themes_sentence(themes: Sequence[Theme], language: str) -> str:
    """The most frequent interview themes with their counts as the tables show them (or,
    without interviews, the themes of most document passages)."""
    documents = any(item.kind == "documents" for item in themes)
    parts = [
        t(
            "reports.kf.doc_theme" if documents else "reports.kf.theme",
            language,
            theme=_e(item.label),
            n=_e(item.shown),
            of=int(item.n_sources_group),
        )
        for item in themes
    ]
    key = "reports.kf.doc_themes" if documents else "reports.kf.themes"
    return t(key, language, themes="; ".join(parts))


def verdicts_sentence(verdicts: Sequence[Verdict], language: str) -> str:
    """The joint display's verdict per domain in plain words; a verdict withheld says
    so, with its reason in short."""
    lines = []
    for v in verdicts:
        if v.assessed:
            shown = _e(v.inference_label).lower()
            kind = _e(v.inference)
        else:
            shown = _e(t("reports.kf.verdict_withheld", language, reason=v.reason_short or ""))
            kind = "not_assessable"
        lines.append(f'{_e(v.label)}: <span class="kf-verdict verdict-{kind}">{shown}</span>')
    return t("reports.kf.verdicts", language, verdicts="; ".join(lines))


def caseload_simulated(scraps: Mapping[str, Any]) -> bool:
    """Whether the page's caseload results rest on a simulated panel: as the caseload
    and joint-display notebooks recorded it from the data contract (the panel's
    ``data_origin``), never from a setting."""
    return PageHeadlines.from_scraps(scraps).simulated_caseloads()


def demo_sentence(language: str, *, name: str = "", national: bool = False) -> str:
    """The one line that points to the method demonstration on simulated data."""
    link = f'<a href="{DEMO_HREF}">{_e(t("reports.kf.demo_link", language))}</a>'
    if national:
        return t("reports.kf.demo_national", language, link=link)
    return t("reports.kf.demo", language, link=link, name=_e(name))


def input_kinds(
    inputs: Sequence[Mapping[str, Any]], *, documents_only: bool = False
) -> tuple[list[str], list[str]]:
    """(real, simulated): the label keys of the kinds of input a page read, by the raw-data
    folder of each file, in the catalogue's order; a kind with any simulated file counts
    as simulated. ``documents_only``: the municipality's corpus holds documents and no
    interviews, so the corpus is named as its documents."""
    found: dict[str, bool] = {}
    for item in inputs:
        file = str(item.get("file", ""))
        key = next((label for prefix, label in INPUT_KINDS if prefix in file), None)
        if key is not None:
            found[key] = found.get(key, False) or bool(item.get("simulated"))
    real, simulated = [], []
    for _, key in INPUT_KINDS:  # in the catalogue's order, not the files'
        if key in found:
            shown = (
                "reports.kf.input.documents"
                if documents_only and key.endswith(".interviews")
                else key
            )
            (simulated if found[key] else real).append(shown)
    return real, simulated


def inputs_sentence(
    inputs: Sequence[Mapping[str, Any]], language: str, *, documents_only: bool = False
) -> str:
    """Which inputs are real and which simulated (:func:`input_kinds`)."""
    real, simulated = input_kinds(inputs, documents_only=documents_only)
    text = t("reports.kf.real", language, inputs=", ".join(t(k, language) for k in real) or "–")
    if simulated:
        text += " " + t(
            "reports.kf.simulated_inputs",
            language,
            inputs=", ".join(t(k, language) for k in simulated),
        )
    return text


def key_findings(
    scraps: Mapping[str, Any], name: str, language: str, *, national_href: str | None = None
) -> str:
    """The key-findings section (HTML) from the merged scrapbook records of a page: with a
    simulated caseload panel only the findings from real data, and one line pointing to
    the method demonstration."""
    items = []
    records = PageHeadlines.from_scraps(scraps)
    simulated = records.simulated_caseloads()
    headline = records.benchmark
    if headline is not None and headline.n_indicators:
        items.append(("benchmark", benchmark_sentence(headline, name, language)))
    if records.caseload is not None and not simulated:
        items.append(("caseload", caseload_sentence(records.caseload, name, language)))
    documents_only = records.documents_only
    if records.themes:
        kind = "documents" if documents_only else "interviews"
        items.append((kind, themes_sentence(records.themes, language)))
    if records.verdicts and not simulated:
        items.append(("joint", verdicts_sentence(records.verdicts, language)))
    if simulated:
        items.append(("demo", demo_sentence(language, name=name)))
    inputs = scraps.get("inputs") or []
    items.append(("data", inputs_sentence(inputs, language, documents_only=documents_only)))
    lines = "".join(
        f'<li class="kf-{key}"><strong>{_e(t(f"reports.kf.label.{key}", language))}:</strong> '
        f"{text}</li>"
        for key, text in items
    )
    table = legend = ""
    scorecard = scraps.get("scorecard")
    if isinstance(scorecard, pd.DataFrame) and not scorecard.empty:
        from analysis.reports.html.benchmark import brief_legend_markup, brief_markup

        table = f'<div class="kf-table">{brief_markup(scorecard, language)}</div>'
        # the table's key, right below the findings on the first screen: no <details>
        # to open (kept outside the section, whose findings stay at about 250 words)
        legend = brief_legend_markup(language)
    link = ""
    if national_href:
        link = (
            f'<p class="kf-national"><a href="{_e(national_href)}">'
            f"{_e(t('reports.kf.national_link', language))}</a></p>"
        )
    return (
        f'<section id="key-findings" class="key-findings" aria-labelledby="key-findings-title">'
        f'<h2 id="key-findings-title">{_e(t("reports.kf.title", language))}</h2>'
        f'<div class="kf-body"><ul class="kf-list">{lines}</ul>{table}</div>{link}</section>'
        f"{legend}"
    )


def national_findings(scraps: Mapping[str, Any], language: str) -> str:
    """The national report's first screen: the trials' design-based estimate with its
    pre-trend test, the fixed-effects association, whether they disagree, and the
    inputs; with a simulated panel one line pointing to the method demonstration
    instead of the estimates."""
    records = PageHeadlines.from_scraps(scraps)
    headline = records.national
    items = []
    if records.simulated_caseloads():
        items.append(("demo", demo_sentence(language, national=True)))
    elif headline is not None and (headline.estimate is not None or headline.design):
        from analysis.quant.texts import brief_national

        simulated = t("reports.kf.simulated", language) if headline.simulated else ""
        items.append(("caseload", brief_national(headline.to_scrap(), language, simulated)))
    items.append(("data", inputs_sentence(scraps.get("inputs") or [], language)))
    lines = "".join(
        f'<li class="kf-{key}"><strong>{_e(t(f"reports.kf.label.{key}", language))}:</strong> '
        f"{text}</li>"
        for key, text in items
    )
    return (
        f'<section id="key-findings" class="key-findings" aria-labelledby="key-findings-title">'
        f'<h2 id="key-findings-title">{_e(t("reports.kf.title", language))}</h2>'
        f'<div class="kf-body"><ul class="kf-list">{lines}</ul></div></section>'
    )
