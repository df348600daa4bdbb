"""Sentences about the caseload estimates, built from the headline records.

Which estimate a page puts first follows the evidence (``docs/quant.md``, "Which estimate
to trust"): where trials exist, the design-based estimate (the trials' two-stage DiD, or a
municipality's own trial) with its pre-trend test beside it; the two-way fixed-effects
log-caseload slope second, as the association across all units with its assumption
stated; and, when the two disagree beyond their intervals, a sentence saying so and which
rests on weaker assumptions. The records come from
:func:`analysis.quant.results.headline` and :func:`analysis.quant.results.design_record`;
the notebooks (through :mod:`analysis.quant.view`) and the key findings
(:mod:`analysis.reports.findings`) both use these functions, so the pages say the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from analysis.formatting import MISSING, format_number, format_significant
from analysis.labels import t
from analysis.quant.results import outcome_label, unit_label


def number(value: object, language: str, digits: int = 2) -> str:
    """A number with about ``digits`` significant digits in the language's marks."""
    return format_significant(value, language, digits)


def signed(value: object, language: str, digits: int = 2) -> str:
    """:func:`number` with a plus sign on positive values (a change)."""
    text = number(value, language, digits)
    try:
        positive = float(value) > 0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return text
    return f"+{text}" if positive and text not in (MISSING, "0") else text


def p_text(value: object, language: str) -> str:
    """A p-value as a phrase for running text: "p = 0.012", "p < 0.001" below 0.001."""
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"p = {MISSING}"
    if math.isnan(p):
        return f"p = {MISSING}"
    if p < 0.001:
        return f"p < {format_number(0.001, language, decimals=3)}"
    return f"p = {format_number(p, language, decimals=3)}"


def p_value_text(value: object, language: str) -> str:
    """A p-value as a bare number (three decimals), e.g. the smallest attainable one."""
    return p_text(value, language).removeprefix("p = ").removeprefix("p ")


def shift_percent(shift: float | None, language: str) -> str:
    """A change in log caseload as the percentage by which caseloads were lower
    (a shift of −0.92 log points is about 60 % lower)."""
    if shift is None or not math.isfinite(shift):
        return MISSING
    lower = (1 - math.exp(shift)) * 100
    return (
        f"{format_number(lower, language, decimals=0)} %"
        if language == "da"
        else (f"{format_number(lower, language, decimals=0)}%")
    )


def _interval(design: Mapping[str, Any], language: str) -> str:
    """The design estimate's uncertainty: its 95 % interval, or its placebo p-value."""
    if design.get("ci_low") is not None and design.get("ci_high") is not None:
        return t(
            "quant.text.interval_ci",
            language,
            low=number(design["ci_low"], language),
            high=number(design["ci_high"], language),
        )
    if design.get("inference") == "placebo" and design.get("p_value") is not None:
        placebos = round(1 / design["p_min"] - 1) if design.get("p_min") else 0
        return t(
            "quant.text.interval_placebo_one"
            if design.get("n_treated") == 1
            else "quant.text.interval_placebo",
            language,
            p=p_text(design["p_value"], language),
            pmin=p_value_text(design.get("p_min"), language),
            placebos=placebos,
            n=design.get("n_treated") or 0,
        )
    return t("quant.text.interval_none", language)


def pretrend_sentence(design: Mapping[str, Any], language: str) -> str:
    """The pre-trend test beside the design estimate (empty without one)."""
    p = design.get("pretrend_p")
    if p is None:
        return ""
    key = "quant.text.pretrend_rejected" if p < 0.05 else "quant.text.pretrend"
    return t(key, language, p=p_text(p, language))


def placebo_sentence(design: Mapping[str, Any], language: str) -> str:
    """A municipality's trial by placebo: the fixed-effects DiD's p-value when the trial
    is reassigned to each other unit, and the smallest p-value that allows (empty when
    the trial has enough treated units for cluster-robust inference)."""
    if design.get("placebo_p") is None or not design.get("placebo_p_min"):
        return ""
    placebos = round(1 / design["placebo_p_min"] - 1)
    return t(
        "quant.text.placebo_own",
        language,
        p=p_text(design["placebo_p"], language),
        pmin=p_value_text(design["placebo_p_min"], language),
        placebos=placebos,
    )


def design_sentence(
    design: Mapping[str, Any],
    outcome: str,
    language: str,
    *,
    name: str | None = None,
    simulated: bool = False,
) -> str:
    """The design-based estimate: nationally the trials against units without one, with
    ``name`` a municipality's own trial against its other units (``simulated``: a trial
    unit that exists only in the simulation, never called the municipality's)."""
    key = "quant.text.design_own" if name else "quant.text.design_national"
    if name and simulated:
        key = "quant.text.design_own_simulated"
    return t(
        key,
        language,
        name=name or "",
        outcome=outcome_label(outcome, language).lower(),
        estimate=signed(design["estimate"], language),
        unit=unit_label(outcome, language),
        interval=_interval(design, language),
        n=design.get("n_treated") or 0,
        units=design.get("n_clusters") or 0,
        shift=shift_percent(design.get("shift"), language),
    )


def association_sentence(headline: Mapping[str, Any], language: str) -> str:
    """The two-way fixed-effects slope as the association across all units, with its
    assumption."""
    outcome = str(headline["outcome"])
    return t(
        "quant.text.association",
        language,
        outcome=outcome_label(outcome, language).lower(),
        estimate=signed(headline["estimate"], language),
        low=number(headline["ci_low"], language),
        high=number(headline["ci_high"], language),
        unit=unit_label(outcome, language),
        mean=number(headline.get("caseload_mean"), language, 3),
    )


def agreement_sentence(design: Mapping[str, Any], outcome: str, language: str) -> str:
    """What the association implies for the trial's move, and whether it agrees with the
    trial estimate (empty when the move is unknown)."""
    if design.get("twfe_implied") is None:
        return ""
    own = design.get("scope") not in (None, "national")
    implied = t(
        "quant.text.association_implied_own" if own else "quant.text.association_implied",
        language,
        implied=signed(design["twfe_implied"], language),
        low=number(design["twfe_implied_low"], language),
        high=number(design["twfe_implied_high"], language),
        unit=unit_label(outcome, language),
    )
    verdict = {
        "agree": "quant.text.agree",
        "disagree": "quant.text.disagree",
    }.get(str(design.get("agreement")), "quant.text.agreement_unknown")
    return f"{implied} {t(verdict, language)}"


def lead_paragraphs(
    headline: Mapping[str, Any],
    language: str,
    *,
    own: Mapping[str, Any] | None = None,
    name: str | None = None,
    simulated: bool = False,
) -> list[str]:
    """What a page says first about caseloads: the design-based estimate (``own``, a
    municipality's own trial record, before the national one) with its pre-trend test,
    then the association across all units, then whether the two agree. Without trials,
    the association alone."""
    outcome = str(headline["outcome"])
    design = own if own is not None else headline.get("design")
    paragraphs = []
    if design is not None:
        parts = [
            design_sentence(design, outcome, language, name=name, simulated=simulated),
            pretrend_sentence(design, language),
            placebo_sentence(design, language),
        ]
        paragraphs.append(" ".join(p for p in parts if p))
    if headline.get("estimate") is not None:
        association = association_sentence(headline, language)
        if design is not None:
            association = f"{association} {agreement_sentence(design, outcome, language)}"
        paragraphs.append(association.strip())
    elif design is None:
        paragraphs.append(t("quant.text.no_headline", language))
    return paragraphs


def linearity_sentence(
    linearity: Mapping[str, Any] | None, outcome: str, language: str, *, rejected: int, tested: int
) -> str:
    """The linearity check of the log specification, as the text uses it."""
    if linearity is None:
        return t("quant.text.linearity_none", language)
    key = "quant.text.linearity_rejected" if linearity["rejected"] else "quant.text.linearity_ok"
    return t(
        key,
        language,
        outcome=outcome_label(outcome, language).lower(),
        p=p_text(linearity["p_value"], language),
        rejected=rejected,
        tested=tested,
    )


# --- key findings (short forms, for analysis.reports.findings) -----------------------------


def brief_trial_notes(design: Mapping[str, Any] | None, language: str) -> str:
    """What the key findings add after a municipality's own trial sentence: its pre-trend
    test, its placebo value and, when they disagree, that the trial estimate rests on
    weaker assumptions than the national association."""
    if not design:
        return ""
    parts = []
    if design.get("pretrend_p") is not None:
        key = "quant.kf.pretrend_rejected" if design["pretrend_p"] < 0.05 else "quant.kf.pretrend"
        parts.append(t(key, language, p=p_text(design["pretrend_p"], language)))
    if design.get("placebo_p") is not None and design.get("placebo_p_min"):
        parts.append(
            t(
                "quant.kf.placebo",
                language,
                p=p_text(design["placebo_p"], language),
                pmin=p_value_text(design["placebo_p_min"], language),
            )
        )
    if design.get("agreement") == "disagree":
        parts.append(t("quant.kf.disagree", language))
    return " ".join(parts)


def brief_national(headline: Mapping[str, Any], language: str, simulated: str = "") -> str:
    """The national estimates in two or three short sentences: the trials' design-based
    estimate with its pre-trend test, the association across all units, and whether they
    disagree. Empty without either."""
    outcome = str(headline.get("outcome", "exit_job_education"))
    label = outcome_label(outcome, language).lower()
    unit = unit_label(outcome, language)
    parts = []
    design = headline.get("design")
    if design:
        if design.get("ci_low") is not None and design.get("ci_high") is not None:
            interval = t(
                "quant.kf.interval",
                language,
                low=number(design["ci_low"], language),
                high=number(design["ci_high"], language),
            )
        else:
            interval = t(
                "quant.kf.interval_placebo", language, p=p_text(design.get("p_value"), language)
            )
        pre = (
            t("quant.kf.pre_part", language, p=p_text(design["pretrend_p"], language))
            if design.get("pretrend_p") is not None
            else ""
        )
        parts.append(
            t(
                "quant.kf.national_design",
                language,
                shift=shift_percent(design.get("shift"), language),
                outcome=label,
                estimate=signed(design["estimate"], language),
                unit=unit,
                interval=interval,
                pre=pre,
                simulated=simulated,
            )
        )
    if headline.get("estimate") is not None:
        parts.append(
            t(
                "quant.kf.association",
                language,
                estimate=signed(headline["estimate"], language),
                low=number(headline.get("ci_low"), language),
                high=number(headline.get("ci_high"), language),
                unit=unit,
            )
        )
    if design and design.get("agreement") == "disagree":
        parts.append(t("quant.kf.disagree", language))
    return " ".join(parts)
