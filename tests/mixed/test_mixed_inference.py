"""Every branch and threshold of the meta-inference rules."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.mixed.inference import (
    META_INFERENCES,
    QUAL_SIGNALS,
    QUANT_SIGNALS,
    apply_overrides,
    domain_inference,
    meta_inference,
    qualitative_signal,
    quantitative_signal,
    theme_signal,
)
from analysis.mixed.mapping import Override

# --- quantitative signal -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effect", "low", "high", "better", "expected"),
    [
        (0.5, 0.2, 0.8, True, "improvement"),  # up, higher is better
        (0.5, 0.2, 0.8, False, "worsening"),  # up, higher is worse (sick days)
        (-0.5, -0.8, -0.2, False, "improvement"),  # down, higher is worse
        (-0.5, -0.8, -0.2, True, "worsening"),  # down, higher is better
        (0.5, 0.2, 0.8, None, "increase"),  # no normative direction
        (-0.5, -0.8, -0.2, None, "decrease"),
        (0.1, -0.2, 0.4, True, "no_clear_effect"),  # interval covers zero
        (0.1, 0.0, 0.4, True, "no_clear_effect"),  # touching zero is not excluding it
        (0.5, 0.8, 0.2, True, "improvement"),  # interval given in reverse order
    ],
)
def test_quantitative_signal_directions(effect, low, high, better, expected):
    assert quantitative_signal(effect, low, high, better) == expected


@pytest.mark.parametrize(
    "values",
    [(None, 0.1, 0.2), (0.1, None, 0.2), (0.1, 0.1, None), (math.nan, 0.1, 0.2), (0.1, 0.1, pd.NA)],
)
def test_quantitative_signal_missing_estimate(values):
    assert quantitative_signal(*values, True) == "no_estimate"


def test_quantitative_signal_min_effect_threshold():
    # the whole interval must clear the smallest effect of interest
    assert quantitative_signal(0.5, 0.2, 0.8, True, min_effect=0.1) == "improvement"
    assert quantitative_signal(0.5, 0.2, 0.8, True, min_effect=0.2) == "no_clear_effect"
    assert quantitative_signal(0.5, 0.2, 0.8, True, min_effect=0.3) == "no_clear_effect"
    assert quantitative_signal(-0.5, -0.8, -0.2, False, min_effect=0.19) == "improvement"
    assert quantitative_signal(-0.5, -0.8, -0.2, False, min_effect=0.21) == "no_clear_effect"


# --- theme signal ----------------------------------------------------------------------------


def _theme(c_with, c, r_with, r, valence="improvement", mentioned=True, **kw):
    return theme_signal(c_with, c, r_with, r, valence, mentioned=mentioned, **kw)


def test_theme_not_mentioned_wins_over_everything():
    assert _theme(0, 5, 0, 5, mentioned=False) == "not_mentioned"
    assert _theme(0, 5, 0, 5, "context", mentioned=False) == "not_mentioned"


def test_theme_context_has_no_direction_whatever_the_difference():
    assert _theme(5, 5, 0, 5, "context") == "context"
    assert _theme(0, 3, 3, 3, "context") == "context"


def test_a_context_theme_of_empty_groups_is_too_few_sources_not_context():
    """Aabenraa (no trial department, no before/during period) had every domain read
    "complementarity" from context themes whose groups held 0 and 0 sources."""
    assert _theme(0, 0, 0, 0, "context") == "too_few_sources"
    assert _theme(0, 1, 0, 0, "context") == "too_few_sources"
    assert _theme(0, 2, 1, 5, "context") == "too_few_sources"


@pytest.mark.parametrize(("c", "r"), [(2, 5), (5, 2), (0, 5), (5, 0)])
def test_theme_too_few_sources_in_either_group(c, r):
    assert _theme(min(c, 1), c, 0, r) == "too_few_sources"


def test_theme_min_sources_threshold_is_inclusive():
    assert _theme(3, 3, 0, 3, min_sources=3) == "improvement"
    assert _theme(3, 3, 0, 3, min_sources=4) == "too_few_sources"
    assert _theme(4, 4, 0, 4, min_sources=4) == "improvement"


def test_theme_min_difference_threshold_is_inclusive():
    # 3/4 - 2/4 = 0.25 exactly: counts at 0.25, not above it
    assert _theme(3, 4, 2, 4, min_difference=0.25) == "improvement"
    assert _theme(3, 4, 2, 4, min_difference=0.26) == "no_difference"
    assert _theme(2, 4, 2, 4, min_difference=0.25) == "no_difference"
    assert _theme(4, 5, 2, 4, min_difference=0.3) == "improvement"  # 0.8 - 0.5
    assert _theme(4, 5, 2, 4, min_difference=0.31) == "no_difference"


@pytest.mark.parametrize(
    ("c_with", "r_with", "valence", "expected"),
    [
        (4, 1, "improvement", "improvement"),  # more talk, more talk means better
        (1, 4, "improvement", "worsening"),  # less talk of a good sign
        (4, 1, "worsening", "worsening"),  # more talk of a bad sign
        (1, 4, "worsening", "improvement"),  # less talk of a bad sign
    ],
)
def test_theme_direction_follows_the_stated_valence(c_with, r_with, valence, expected):
    assert _theme(c_with, 5, r_with, 5, valence) == expected


def test_theme_unknown_valence_is_refused():
    with pytest.raises(ValueError, match="more_talk_means"):
        _theme(4, 5, 1, 5, "better")


# --- qualitative signal ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        ([], "no_evidence"),  # an outcome with no linked theme
        (["not_mentioned", "not_mentioned"], "no_evidence"),
        (["improvement", "context"], "improvement"),
        (["worsening", "not_mentioned"], "worsening"),
        (["improvement", "worsening"], "mixed"),
        (["context", "too_few_sources", "no_difference"], "no_contrast"),
        (["context", "not_mentioned"], "no_contrast"),
        (["too_few_sources"], "no_comparison"),
        (["too_few_sources", "not_mentioned"], "no_comparison"),
    ],
)
def test_qualitative_signal(signals, expected):
    assert qualitative_signal(signals) == expected


# --- meta-inference --------------------------------------------------------------------------

EXPECTED = {
    # (quant, qual): meta-inference
    **{("no_estimate", q): "no_quantitative_estimate" for q in QUAL_SIGNALS},
    **{(s, "no_evidence"): "no_qualitative_evidence" for s in QUANT_SIGNALS if s != "no_estimate"},
    **{
        (s, "no_comparison"): "no_qualitative_comparison"
        for s in QUANT_SIGNALS
        if s != "no_estimate"
    },
    ("improvement", "improvement"): "convergence",
    ("worsening", "worsening"): "convergence",
    ("improvement", "worsening"): "divergence",
    ("worsening", "improvement"): "divergence",
    ("improvement", "mixed"): "divergence",
    ("worsening", "mixed"): "divergence",
    ("improvement", "no_contrast"): "complementarity",
    ("worsening", "no_contrast"): "complementarity",
    **{
        (s, q): "complementarity"
        for s in ("increase", "decrease")
        for q in ("improvement", "worsening", "mixed", "no_contrast")
    },
    ("no_clear_effect", "improvement"): "complementarity",
    ("no_clear_effect", "worsening"): "complementarity",
    ("no_clear_effect", "mixed"): "inconclusive",
    ("no_clear_effect", "no_contrast"): "inconclusive",
}


def test_meta_inference_table_covers_every_combination():
    assert set(EXPECTED) == {(s, q) for s in QUANT_SIGNALS for q in QUAL_SIGNALS}


@pytest.mark.parametrize(("pair", "expected"), sorted(EXPECTED.items()))
def test_meta_inference(pair, expected):
    assert meta_inference(*pair) == expected


def test_meta_inference_refuses_unknown_signals():
    with pytest.raises(ValueError):
        meta_inference("better", "improvement")
    with pytest.raises(ValueError):
        meta_inference("improvement", "better")


@pytest.mark.parametrize(
    ("inferences", "expected"),
    [
        (["convergence", "divergence", "complementarity"], "divergence"),
        (["complementarity", "convergence"], "convergence"),
        (["inconclusive", "complementarity"], "complementarity"),
        (["no_qualitative_evidence", "inconclusive"], "inconclusive"),
        (["no_quantitative_estimate", "no_qualitative_evidence"], "no_qualitative_evidence"),
        (["no_quantitative_estimate"], "no_quantitative_estimate"),
        (["no_qualitative_comparison", "no_qualitative_evidence"], "no_qualitative_comparison"),
        (["no_qualitative_comparison", "inconclusive"], "inconclusive"),
    ],
)
def test_domain_inference_priority(inferences, expected):
    assert domain_inference(inferences) == expected


def test_domain_priority_lists_every_meta_inference():
    assert domain_inference(META_INFERENCES) == "divergence"
    with pytest.raises(ValueError):
        domain_inference(["agreement"])


# --- overrides -----------------------------------------------------------------------------


def _outcomes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "domain": ["staff", "staff", "work"],
            "outcome": ["staff_sick_days", "staff_turnover", "exit_job_education"],
            "inference_computed": ["complementarity", "complementarity", "convergence"],
        }
    )


def test_outcome_override_replaces_the_inference_and_keeps_the_computed_one():
    item = Override(
        101, "staff", "staff_turnover", "divergence", "Turnover rose", "AB", "2026-01-02"
    )
    out = apply_overrides(_outcomes(), [item], 101, level="outcome")
    row = out[out["outcome"] == "staff_turnover"].iloc[0]
    assert row["inference_computed"] == "complementarity"
    assert row["inference_override"] == "divergence"
    assert row["inference"] == "divergence"
    assert row["override_reason"] == "Turnover rose"
    assert (row["override_who"], row["override_date"]) == ("AB", "2026-01-02")
    other = out[out["outcome"] != "staff_turnover"]
    assert other["inference_override"].isna().all()
    assert list(other["inference"]) == list(other["inference_computed"])


def test_overrides_of_other_municipalities_and_levels_do_not_apply():
    items = [
        Override(580, "staff", "staff_turnover", "divergence", "elsewhere", "AB", "2026-01-02"),
        Override(101, "staff", None, "divergence", "domain row only", "AB", "2026-01-02"),
    ]
    out = apply_overrides(_outcomes(), items, 101, level="outcome")
    assert out["inference_override"].isna().all()
    domains = pd.DataFrame({"domain": ["staff", "work"], "inference_computed": ["x", "y"]})
    out = apply_overrides(domains, items, 101, level="domain")
    assert list(out["inference"]) == ["divergence", "y"]
    assert list(out["override_reason"].fillna("")) == ["domain row only", ""]
