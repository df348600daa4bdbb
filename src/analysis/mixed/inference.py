"""Meta-inference rules: how a quantitative estimate and qualitative theme contrasts are
read together (convergence, complementarity, divergence; Fetters, Curry & Creswell 2013).

The rules are plain functions with their thresholds as parameters, so a test can pin
every branch and a researcher can see exactly what produced a cell of the joint display.

**Quantitative signal** (:func:`quantitative_signal`), from one estimate of the effect of
a *lower* caseload (the municipality's trial DiD, or the national fixed-effects slope as
the effect of 10 fewer cases per caseworker) and its 95 % interval, in display units:

- ``no_estimate``: no estimate or no interval;
- the interval lies wholly above ``+min_effect`` or wholly below ``-min_effect``: with
  ``higher_is_better`` True/False that is ``improvement`` or ``worsening``; for outcomes
  without a normative direction (``higher_is_better`` None: exits to fleksjob,
  førtidspension, ressourceforløb) it is ``increase`` or ``decrease``;
- otherwise ``no_clear_effect``.

**Theme signal** (:func:`theme_signal`), per linked theme, from the share of sources
mentioning it in the contrast group (e.g. the trial department during the trial) and in
the reference group (before):

- ``not_mentioned``: no source of the municipality mentions the theme at all;
- ``too_few_sources``: either group has fewer than ``min_sources`` sources (a theme
  cannot even be context to a comparison whose groups are empty, as in a municipality
  without a trial department whose sources have no before/during period);
- ``context``: the mapping says the theme has no direction (``more_talk_means: context``);
- ``no_difference``: the shares differ by less than ``min_difference``;
- otherwise ``improvement`` or ``worsening``: more talk in the contrast group means what
  the mapping says (``more_talk_means``), less talk the opposite.

**Qualitative signal** (:func:`qualitative_signal`) of an outcome, from its themes'
signals: ``no_evidence`` when it has no themes or none is mentioned; ``no_comparison``
when every mentioned theme has too few sources in a compared group (the groups cannot be
compared at all); ``improvement`` / ``worsening`` when at least one theme points that way
and none the other; ``mixed`` when themes point both ways; else ``no_contrast`` (themes
are mentioned but show no directional contrast: context only or no difference).

**Meta-inference** (:func:`meta_inference`) of an outcome, in this order:

1. ``no_quantitative_estimate`` if the quantitative signal is ``no_estimate``;
2. ``no_qualitative_evidence`` if the qualitative signal is ``no_evidence``, and
   ``no_qualitative_comparison`` if it is ``no_comparison``;

These three are the verdicts withheld (:data:`NOT_ASSESSABLE`): one side has no evidence,
so the page says "cannot be assessed" and why, never a verdict;

3. quantitative ``improvement``/``worsening``: ``convergence`` when the qualitative
   signal points the same way, ``divergence`` when it points the other way or is
   ``mixed``, ``complementarity`` when it is ``no_contrast`` (the themes speak to
   mechanism or context without contradicting);
4. quantitative ``increase``/``decrease`` (no normative direction): ``complementarity``
   (directions cannot be compared; the themes add mechanism and context);
5. quantitative ``no_clear_effect``: ``complementarity`` when the qualitative signal is
   directional (one side shows a signal, the other does not contradict it), else
   ``inconclusive`` (``no_contrast`` or ``mixed``: neither side shows a clear signal).

**Domain** (:func:`domain_inference`): the first of divergence, convergence,
complementarity, inconclusive, no_qualitative_comparison, no_qualitative_evidence,
no_quantitative_estimate that any of its outcomes has (a contradiction anywhere in a
domain must show in its row; the row lists every outcome's inference).

**Overrides** (:func:`apply_overrides`): a researcher's recorded judgement replaces the
computed inference of an outcome or of a domain row; both are kept, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from analysis.mixed.mapping import Override

QUANT_SIGNALS = (
    "improvement",
    "worsening",
    "increase",
    "decrease",
    "no_clear_effect",
    "no_estimate",
)
THEME_SIGNALS = (
    "improvement",
    "worsening",
    "no_difference",
    "too_few_sources",
    "context",
    "not_mentioned",
)
QUAL_SIGNALS = ("improvement", "worsening", "mixed", "no_contrast", "no_comparison", "no_evidence")
META_INFERENCES = (
    "divergence",
    "convergence",
    "complementarity",
    "inconclusive",
    "no_qualitative_comparison",
    "no_qualitative_evidence",
    "no_quantitative_estimate",
)
#: the meta-inferences that withhold a verdict: one side has no evidence ("cannot be
#: assessed", with the reason each one names)
NOT_ASSESSABLE = (
    "no_qualitative_comparison",
    "no_qualitative_evidence",
    "no_quantitative_estimate",
)
_DIRECTIONAL = ("improvement", "worsening")


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def quantitative_signal(
    effect: float | None,
    ci_low: float | None,
    ci_high: float | None,
    higher_is_better: bool | None,
    *,
    min_effect: float = 0.0,
) -> str:
    """Signal of one estimate of the effect of a lower caseload (display units)."""
    if any(_missing(v) for v in (effect, ci_low, ci_high)):
        return "no_estimate"
    low, high = sorted((float(ci_low), float(ci_high)))
    if low > min_effect:
        up = True
    elif high < -min_effect:
        up = False
    else:
        return "no_clear_effect"
    if higher_is_better is None:
        return "increase" if up else "decrease"
    return "improvement" if up == bool(higher_is_better) else "worsening"


def theme_signal(
    n_contrast_with: int,
    n_contrast: int,
    n_reference_with: int,
    n_reference: int,
    more_talk_means: str,
    *,
    mentioned: bool,
    min_sources: int = 3,
    min_difference: float = 0.25,
) -> str:
    """Signal of one linked theme from the two groups' counts of sources.

    ``mentioned``: whether any source of the municipality mentions the theme (in or out
    of the two groups); ``more_talk_means``: ``improvement``, ``worsening`` or
    ``context``.
    """
    if more_talk_means not in (*_DIRECTIONAL, "context"):
        raise ValueError(
            f"more_talk_means must be improvement/worsening/context: {more_talk_means!r}"
        )
    if not mentioned:
        return "not_mentioned"
    if n_contrast < min_sources or n_reference < min_sources:
        return "too_few_sources"
    if more_talk_means == "context":
        return "context"
    difference = n_contrast_with / n_contrast - n_reference_with / n_reference
    # a tolerance keeps e.g. 3/4 - 2/4 == 0.25 from failing a 0.25 threshold by rounding
    if abs(difference) < min_difference - 1e-9:
        return "no_difference"
    more_talk = difference > 0
    if more_talk == (more_talk_means == "improvement"):
        return "improvement"
    return "worsening"


def qualitative_signal(theme_signals: Sequence[str]) -> str:
    """Signal of an outcome from the signals of its linked themes."""
    mentioned = [s for s in theme_signals if s != "not_mentioned"]
    if not mentioned:
        return "no_evidence"
    if all(s == "too_few_sources" for s in mentioned):
        return "no_comparison"
    better = "improvement" in mentioned
    worse = "worsening" in mentioned
    if better and worse:
        return "mixed"
    if better:
        return "improvement"
    if worse:
        return "worsening"
    return "no_contrast"


def meta_inference(quant: str, qual: str) -> str:
    """Meta-inference of one outcome from its quantitative and qualitative signals."""
    if quant not in QUANT_SIGNALS:
        raise ValueError(f"unknown quantitative signal {quant!r}")
    if qual not in QUAL_SIGNALS:
        raise ValueError(f"unknown qualitative signal {qual!r}")
    if quant == "no_estimate":
        return "no_quantitative_estimate"
    if qual == "no_evidence":
        return "no_qualitative_evidence"
    if qual == "no_comparison":
        return "no_qualitative_comparison"
    if quant in _DIRECTIONAL:
        if qual in _DIRECTIONAL:
            return "convergence" if qual == quant else "divergence"
        if qual == "mixed":
            return "divergence"
        return "complementarity"
    if quant in ("increase", "decrease"):
        return "complementarity"
    # no clear quantitative effect
    return "complementarity" if qual in _DIRECTIONAL else "inconclusive"


def domain_inference(inferences: Iterable[str]) -> str:
    """A domain row's inference: the first of :data:`META_INFERENCES` its outcomes have."""
    present = set(inferences)
    unknown = present - set(META_INFERENCES)
    if unknown:
        raise ValueError(f"unknown meta-inference(s): {', '.join(sorted(unknown))}")
    for inference in META_INFERENCES:
        if inference in present:
            return inference
    return "no_quantitative_estimate"


def apply_overrides(
    table: pd.DataFrame,
    overrides: Iterable[Override],
    municipality: int,
    *,
    level: str,
) -> pd.DataFrame:
    """Add the override columns to an outcome table (``level="outcome"``) or a domain table
    (``level="domain"``): ``inference_override``, ``override_reason``, ``override_who``,
    ``override_date`` and the resulting ``inference`` (the override where there is one,
    else ``inference_computed``)."""
    if level not in ("outcome", "domain"):
        raise ValueError("level must be 'outcome' or 'domain'")
    out = table.copy()
    for column in ("inference_override", "override_reason", "override_who", "override_date"):
        out[column] = pd.Series([None] * len(out), index=out.index, dtype="object")
    for item in overrides:
        if item.municipality != int(municipality):
            continue
        if (level == "outcome") != (item.outcome is not None):
            continue
        mask = out["domain"] == item.domain
        if level == "outcome":
            mask &= out["outcome"] == item.outcome
        out.loc[mask, "inference_override"] = item.meta_inference
        out.loc[mask, "override_reason"] = item.reason
        out.loc[mask, "override_who"] = item.who
        out.loc[mask, "override_date"] = item.date
    out["inference"] = out["inference_override"].where(
        out["inference_override"].notna(), out["inference_computed"]
    )
    return out
