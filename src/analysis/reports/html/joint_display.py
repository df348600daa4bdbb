"""Notebook 04's compact joint display as HTML: one row per outcome domain with the
quantitative result, the qualitative signal, a verdict badge and a quote (the results and
texts come from :mod:`analysis.mixed.view`; every data text is escaped here)."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from analysis.labels import t
from analysis.mixed.inference import NOT_ASSESSABLE
from analysis.mixed.view import (
    TABLE_NAME,
    MixedResults,
    category_label,
    compared_text,
    effect_text,
    quote_attribution,
    reason_text,
    shown_count,
    verdict_text,
)
from analysis.qual.view import value_label
from analysis.quant.results import outcome_label

#: a quote is shortened to this many characters in the compact display
QUOTE_CHARACTERS = 200
_GLYPHS = {
    "improvement": "▲",
    "worsening": "▼",
    "increase": "↑",
    "decrease": "↓",
    "no_clear_effect": "○",
    "no_estimate": "–",
}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _effect_line(outcome: Any, label: str, language: str) -> str:
    """'▲ Outcome: +1,2 pp (0,4 til 2,0)': the estimate the meta-inference used (the trial
    where there is one, else 10 fewer cases nationally) with its glyph."""
    if outcome.basis == "trial" and not pd.isna(outcome.trial_effect):
        effect = effect_text(outcome.trial_effect, outcome.trial_ci_low, outcome.trial_ci_high,
                             outcome.outcome, language)  # fmt: skip
    else:
        effect = effect_text(outcome.effect_10, outcome.ci_low_10, outcome.ci_high_10,
                             outcome.outcome, language)  # fmt: skip
    signal = str(outcome.quant_signal)
    glyph = _GLYPHS.get(signal, "")
    return (
        f'<span class="jd-effect" title="{_e(category_label("quant", signal, language))}">'
        f'<span class="jd-glyph quant-{_e(signal)}">{glyph}</span> {_e(label)}: '
        f"{_e(effect)}</span>"
    )


def _theme_line(row: Any, codebook: Any, contrast: Any, language: str, threshold: int) -> str:
    """'Borgerrelation: 4/5 under · 0/4 før' (sources with the theme / sources in group);
    where the compared groups hold no sources at all, that is said in words, with the
    municipality's sources for context ('ingen kilder i de sammenlignede grupper; alle
    kilder 3/7')."""
    label = codebook.label(row.theme, language)
    if int(row.n_contrast) == 0 and int(row.n_reference) == 0:  # see joint_display_markup
        n_with, n = (
            shown_count(int(row.n_municipality_with), threshold),
            shown_count(int(row.n_municipality), threshold),
        )
        return f'<span class="jd-theme">{_e(label)}: {_e(n_with)}/{_e(n)}</span>'
    sides = []
    for side, value in (
        ("contrast", contrast.contrast_group),
        ("reference", contrast.reference_group),
    ):
        n_with, n_all = int(getattr(row, f"n_{side}_with")), int(getattr(row, f"n_{side}"))
        sides.append(
            f"{shown_count(n_with, threshold)}/{shown_count(n_all, threshold)} "
            f"{value_label(value, language).lower()}"
        )
    return f'<span class="jd-theme">{_e(label)}: {_e(" · ".join(sides))}</span>'


def _quote_cell(quotes: Any, language: str) -> str:
    """The first quote, shortened to :data:`QUOTE_CHARACTERS`, with its own attribution
    (role, department, period, type of source, year); then, behind ``<details>``, every
    quote of the row in full, each with its own attribution and source."""
    if len(quotes) == 0:
        return _e(t("mixed.no_quotes", language))
    q = quotes.iloc[0]
    text = str(q["quote"])
    short = text if len(text) <= QUOTE_CHARACTERS else text[: QUOTE_CHARACTERS - 1].rstrip() + "…"
    full = ""
    if short != text or len(quotes) > 1:
        rest = "".join(
            f'<blockquote class="jd-quote-full">“{_e(r["quote"])}”</blockquote>'
            f'<p class="jd-source">— {_e(quote_attribution(r, language))} '
            f"({_e(r['source_name'])})</p>"
            for _, r in quotes.iterrows()
        )
        full = (
            f'<details class="analysis-details"><summary>'
            f"{_e(t('mixed.jd.full_quotes', language, n=len(quotes)))}</summary>{rest}</details>"
        )
    return (
        f'<p class="jd-quote">“{_e(short)}”</p>'
        f'<p class="jd-source">— {_e(quote_attribution(q, language))}</p>{full}'
    )


def joint_display_markup(results: MixedResults, language: str, max_themes: int = 3) -> str:
    """The joint display in the reference form (Guetterman, Fetters & Creswell 2015): one
    row per outcome domain with the quantitative result (effect, interval, a glyph), the
    qualitative signal (the themes that differ most between the groups compared), a
    verdict badge and one exemplar quote of at most 200 characters, the full quotes behind
    ``<details>``. Escaped HTML that fits 1280 pixels without scrolling sideways."""
    threshold = results.evidence.threshold
    codebook = results.evidence.inputs.codebook
    joint = results.joint
    # the estimates' cells carry their provenance (the themes and quotes are the corpus's)
    origin = "simulated" if results.simulated else "real"
    head = "".join(
        f"<th>{_e(t(f'mixed.jd.{key}', language))}</th>"
        for key in ("domain", "quantitative", "qualitative", "verdict", "quote")
    )
    rows = []
    for domain_row in joint.domains.itertuples(index=False):
        domain = results.mapping.domain(domain_row.domain)
        contrast = results.mapping.contrast(domain.contrast)
        outcomes, themes, quotes = joint.of_domain(domain.id)
        themes = themes.reindex(themes["difference"].abs().sort_values(ascending=False).index)
        effects = "".join(
            _effect_line(o, outcome_label(o.outcome, language), language)
            for o in outcomes.itertuples(index=False)
        )
        signals = "".join(
            _theme_line(r, codebook, contrast, language, threshold)
            for r in themes.head(max_themes).itertuples(index=False)
        ) or _e(t("mixed.no_themes", language))
        if len(themes) and (themes["n_contrast"] == 0).all() and (themes["n_reference"] == 0).all():
            # no source in either group (no trial department, no before/during period):
            # said once, then each theme among all the municipality's sources
            note = _e(t("mixed.jd.no_groups", language))
            signals = f'<span class="jd-theme jd-no-groups">{note}</span>{signals}'
        inference = str(domain_row.inference)
        kind = "not_assessable" if inference in NOT_ASSESSABLE else inference
        badge = (
            f'<span class="jd-badge verdict-{_e(kind)}" data-inference="{_e(inference)}">'
            f"{_e(verdict_text(inference, language))}</span>"
        )
        if inference in NOT_ASSESSABLE:
            reason = reason_text(inference, domain_row, results, language, compact=True)
            badge += f'<br><span class="jd-reason">{_e(reason)}</span>'
        if domain_row.inference_override is not None:
            badge += f'<br><span class="jd-override">{_e(t("mixed.jd.override", language))}</span>'
        rows.append(
            "<tr>"
            f"<td><strong>{_e(domain.label(language))}</strong><br>"
            f'<span class="jd-contrast">{_e(compared_text(domain_row, contrast, language))}'
            "</span></td>"
            f'<td data-source="{origin}">{effects}</td>'
            f'<td data-source="real">{signals}</td>'
            f'<td data-source="{origin}">{badge}</td>'
            f'<td data-source="real">{_quote_cell(quotes, language)}</td>'
            "</tr>"
        )
    legend = "".join(
        f"<li><strong>{_e(verdict_text(key, language))}</strong>: "
        f"{_e(t(f'mixed.legend.{key}', language))}</li>"
        for key in ("convergence", "complementarity", "divergence", "inconclusive")
    ) + (
        f"<li><strong>{_e(category_label('inference', 'not_assessable', language))}</strong>: "
        f"{_e(t('mixed.legend.not_assessable', language))}</li>"
    )
    return (
        f'<table class="analysis-table joint-display" data-table="{TABLE_NAME}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="jd-legend-title">{_e(t("mixed.legend.title", language))}</p>'
        f'<ul class="jd-legend">{legend}</ul>'
    )
