"""The sentences of notebook 02 and of each page's caseload section, from a
:class:`~analysis.quant.view_select.View` or the shared results: the data, the lead
paragraphs, the moves, linearity, power, the own trial's record and the national summary.
Plain text (the notebook's ``nb.text``/``nb.note`` show it). Re-exported by
:mod:`analysis.quant.view`, the one module the notebooks import."""

from __future__ import annotations

import pandas as pd

from analysis.formatting import format_number, format_percent
from analysis.labels import t
from analysis.quant import specs as S
from analysis.quant import texts
from analysis.quant.compute import QuantResults
from analysis.quant.results import (
    HEADLINE_OUTCOME,
    display_scale,
    linearity_record,
    moves,
    outcome_label,
    per_ten_fewer,
    skipped_notes,
    unit_label,
)
from analysis.quant.view_select import View, number


def counted(n: int, key: str, language: str) -> str:
    """ "1 enhed", "302 enheder": a count with its noun in the right number (labels
    ``<key>_one`` and ``<key>_many``), never "enhed(er)"."""
    return t(
        f"{key}_one" if n == 1 else f"{key}_many",
        language,
        n=f"{n:,}".replace(",", "." if language == "da" else ","),
    )


def data_text(view: View) -> str:
    """The panel in one sentence (a municipality's page adds how many units it has)."""
    p, lang = view.panel, view.language
    return t(
        "quant.text.data" if view.municipality is not None else "quant.text.data_all",
        lang,
        rows=f"{int(p.get('rows', 0)):,}".replace(",", "." if lang == "da" else ","),
        units=counted(int(p.get("units", 0)), "quant.count.units", lang),
        municipalities=counted(int(p.get("municipalities", 0)), "quant.count.municipalities", lang),
        first=p.get("first_month", ""),
        last=p.get("last_month", ""),
        own_units=counted(len(view.units), "quant.count.units", lang),
        name=view.name,
    )


def trial_heading(view: View) -> str:
    """The heading of the municipality's own trial: a trial that exists only in the
    simulated panel is named as simulated, never as the municipality's trial."""
    key = "quant.h.trial_simulated" if view.simulated else "quant.h.trial"
    return t(key, view.language, name=view.name)


def dose_text(view: View) -> str:
    return t("quant.assume.dose", view.language, reference=S.reference_band(view.config).label())


def per_ten_text(view: View) -> str:
    mean = view.panel.get("caseload_mean", float("nan"))
    return t("quant.text.per10", view.language, mean=number(mean, view.language))


def scopes(view: View) -> list[str]:
    """The scopes a page shows: national, and the municipality's own."""
    return [S.NATIONAL] if view.municipality is None else [S.NATIONAL, str(view.municipality)]


def skipped_messages(view: View) -> list[str]:
    return skipped_notes(view.skipped, view.language, scopes(view))


def headline_text(view: View) -> str:
    """The national report's opening on caseloads (paragraphs joined): the trials'
    design-based estimate with its pre-trend test first, then the fixed-effects slope
    as the association across all units, and whether they agree
    (:func:`analysis.quant.texts.lead_paragraphs`)."""
    return "\n\n".join(texts.lead_paragraphs(view.headline, view.language))


def lead_paragraphs(view: View) -> list[str]:
    """What a page says first: for a municipality with its own trial, that trial (with
    its pre-trend test and placebo p-value) against the national association; else the
    national trials and association."""
    if view.own_design is not None:
        return texts.lead_paragraphs(
            view.headline,
            view.language,
            own=view.own_design,
            name=view.name,
            simulated=view.simulated,
        )
    return texts.lead_paragraphs(view.headline, view.language)


def moves_text(view: View) -> str:
    """The headline outcome's realistic moves in one sentence, by the log slope and the
    spline (next to the per-10 figure; empty without them)."""
    lang, outcome = view.language, view.headline["outcome"]
    frame = moves(view.estimates)
    frame = frame[frame["outcome"] == outcome]
    if frame.empty:
        return ""
    parts = []
    for start, end in S.MOVES:
        own = frame[(frame["start"] == start) & (frame["end"] == end)].set_index("spec")
        if S.TWFE_LOG not in own.index:
            continue
        fields = {
            "move": t(f"quant.move.{start:g}_{end:g}", lang),
            "log": texts.signed(own.loc[S.TWFE_LOG, "effect"], lang),
            "unit": unit_label(outcome, lang),
        }
        if S.SPLINE in own.index:
            spline = texts.signed(own.loc[S.SPLINE, "effect"], lang)
            parts.append(t("quant.text.move_pair", lang, spline=spline, **fields))
        else:
            parts.append(t("quant.text.move_log", lang, **fields))
    if not parts:
        return ""
    return t(
        "quant.text.moves_headline",
        lang,
        outcome=outcome_label(outcome, lang).lower(),
        moves="; ".join(parts),
    )


def linearity_text(view: View) -> str:
    """The linearity check for the headline outcome, with how many outcomes reject it."""
    rows = view.estimates[
        (view.estimates["spec"] == S.SPLINE)
        & (view.estimates["term"] == S.TERM_LINEARITY)
        & (view.estimates["scope"] == S.NATIONAL)
        & view.estimates["p_value"].notna()
    ]
    outcome = view.headline["outcome"]
    return texts.linearity_sentence(
        linearity_record(view.estimates, outcome),
        outcome,
        view.language,
        rejected=int((rows["p_value"] < 0.05).sum()),
        tested=len(rows),
    )


def mde_text(results: QuantResults, language: str) -> str:
    grid = results.mde_grid
    if grid.empty:
        return t("quant.text.no_mde", language)
    pick = grid[(grid["n_treated"] == 1) & (grid["n_control"] == 7) & (grid["months_pre"] == 24)]
    row = pick.iloc[0] if not pick.empty else grid.iloc[0]
    return t(
        "quant.text.mde",
        language,
        treated=counted(int(row["n_treated"]), "quant.count.trial_units", language),
        control=int(row["n_control"]),
        months=int(row["months_pre"]),
        mde=number(row["mde_display"], language, 2),
        unit=unit_label(str(row["outcome"]), language),
        outcome=outcome_label(str(row["outcome"]), language),
        icc=number(row["icc"], language, 2),
        ar=number(row["ar"], language, 2),
    )


def mde_texts(results: QuantResults, language: str) -> list[str]:
    """The power section's paragraphs: the formula's MDE and its check by placebo trials."""
    return [text for text in (mde_text(results, language), mde_placebo_text(results, language))
            if text]  # fmt: skip


def mde_placebo_text(results: QuantResults, language: str, outcome: str | None = None) -> str:
    """The formula's MDE checked by placebo trials on the panel (empty without them), for
    ``outcome`` (default: the outcome of the power curves)."""
    if outcome is None:
        grid = results.mde_grid
        outcome = str(grid["outcome"].iloc[0]) if not grid.empty else HEADLINE_OUTCOME
    m = results.mde_outcomes
    if m.empty or "power_placebo" not in m.columns:
        return ""
    rows = m[m["outcome"] == outcome]
    if rows.empty or not rows.iloc[0]["placebo_draws"]:
        return ""
    row = rows.iloc[0]
    low = row["power_placebo"] < 0.75
    return t(
        "quant.text.mde_placebo" if low else "quant.text.mde_placebo_ok",
        language,
        mde=number(row["mde_display"], language, 2),
        unit=unit_label(outcome, language),
        power=format_percent(row["power_placebo"] * 100, language, decimals=0),
        placebo=number(row["mde_placebo_display"], language, 2),
        draws=format_number(int(row["placebo_draws"]), language, decimals=0),
        size=format_percent(row["size_placebo"] * 100, language, decimals=1),
    )


def trial_effect(view: View, outcome: str | None = None) -> dict | None:
    """The municipality's own trial effect on ``outcome`` (default: the view's outcome;
    unit-level DiD, display units: percentage points for shares), or None without a
    trial or an estimate."""
    if not view.has_trial:
        return None
    outcome = outcome or view.outcome
    rows = view.estimates[
        (view.estimates["spec"] == S.DID_COLLAPSED)
        & (view.estimates["scope"] == str(view.municipality))
        & (view.estimates["outcome"] == outcome)
        & (view.estimates["term"] == "treated_post")
    ]
    if rows.empty or pd.isna(rows.iloc[0]["estimate"]):
        return None
    row, scale = rows.iloc[0], display_scale(outcome)
    return {
        "outcome": outcome,
        "spec": S.DID_COLLAPSED,
        "estimate": float(row["estimate"]) * scale,
        "ci_low": float(row["ci_low"]) * scale,
        "ci_high": float(row["ci_high"]) * scale,
    }


def own_finding(view: View) -> dict:
    """What this municipality's page says up front about caseloads (scrapbook record
    ``caseload_own``): its own trial where it has one, its units, else the national
    estimate; all in display units, with the simulated flag."""
    units = view.units
    return {
        "municipality": view.municipality,
        "has_trial": bool(view.has_trial),
        "n_units": len(units),
        "caseload_mean": float(units["caseload_mean"].mean()) if len(units) else None,
        "outcome": view.outcome,
        "trial": trial_effect(view),
        "national": {k: view.headline.get(k) for k in ("estimate", "ci_low", "ci_high")},
        "simulated": bool(view.simulated),
        # the index's "trial" column: a trial that exists only in the simulated panel is
        # shown as simulated (text in the page's language), a real one as yes/no
        "trial_index": (
            t("quant.index.trial_simulated", view.language)
            if view.has_trial and view.simulated
            else bool(view.has_trial)
        ),
        # issue 21: the design-based estimates lead, the association comes second
        "lead": "trial" if view.own_design is not None else view.headline.get("lead"),
        "trial_design": view.own_design,
        "national_design": view.headline.get("design"),
    }


def national_summary_text(view: View) -> str:
    """The national analysis in a few sentences, for each municipality's page (the full
    analysis is in the national report, ``national.html``): the trials' estimate first
    where there are trials, then the association across all units, the plain comparison
    without fixed effects and the link."""
    lang, h = view.language, view.headline
    if h["estimate"] is None and h.get("design") is None:
        return t("quant.text.national_none", lang)
    parts = list(texts.lead_paragraphs(h, lang))
    pooled = per_ten_fewer(view.estimates)
    pooled = pooled[
        (pooled["spec"] == S.POOLED)
        & (pooled["scope"] == S.NATIONAL)
        & (pooled["outcome"] == h["outcome"])
    ]
    if not pooled.empty:
        parts.append(
            t(
                "quant.text.national_pooled",
                lang,
                pooled=number(pooled.iloc[0]["effect"], lang, 2),
                unit=unit_label(h["outcome"], lang),
            )
        )
    return " ".join(parts) + " " + t("quant.text.national_link", lang)


def literature_text(view: View) -> str:
    """What the published effects are next to the project's own estimates, and why
    they are not converted."""
    origin = "quant.text.literature_simulated" if view.simulated else "quant.text.literature_real"
    return t("quant.text.literature", view.language, simulated=t(origin, view.language))
