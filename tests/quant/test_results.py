"""Tidy table helpers: multiple-testing adjustments, per-10-cases effects, headline."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from analysis.quant import specs as S
from analysis.quant.results import (
    ESTIMATE_COLUMNS,
    TIDY_COLUMNS,
    adjust_pvalues,
    benjamini_hochberg,
    headline,
    holm,
    normalise,
    per_ten_fewer,
    ten_fewer_factor,
)


def test_holm_matches_hand_computation():
    # sorted: .005 (x4 = .02), .01 (x3 = .03), .03 (x2 = .06), .04 (x1 = .04 -> max .06)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])  # capped at 1


def test_benjamini_hochberg_matches_hand_computation():
    # sorted: .005*4/1 = .02, .01*4/2 = .02, .03*4/3 = .04, .04*4/4 = .04
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg([0.5, 0.6]) == pytest.approx([0.6, 0.6])  # step-up minimum


def test_adjustments_agree_with_statsmodels():
    p = np.random.default_rng(3).uniform(0, 0.2, size=9)
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1])
    assert benjamini_hochberg(p) == pytest.approx(multipletests(p, method="fdr_bh")[1])


def _rows(scope: str, ps: list[float]) -> list[dict]:
    return [
        {"outcome": f"y{i}", "spec": S.TWFE_LOG, "term": S.TERM_LOG, "scope": scope, "p_value": p}
        for i, p in enumerate(ps)
    ]


def test_adjust_pvalues_within_scope_spec_and_term_only():
    frame = normalise(pd.DataFrame(_rows("national", [0.01, 0.04]) + _rows("101", [0.01, np.nan])))
    out = adjust_pvalues(frame)
    national = out[out["scope"] == "national"]
    assert national["p_holm"].tolist() == pytest.approx([0.02, 0.04])
    local = out[out["scope"] == "101"]
    # one valid p-value in its family: unchanged; the missing one stays missing
    assert local["p_holm"].iloc[0] == pytest.approx(0.01)
    assert math.isnan(local["p_holm"].iloc[1])


def test_normalised_table_starts_with_the_tidy_columns():
    frame = normalise(pd.DataFrame(_rows("national", [0.5])))
    assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert tuple(frame.columns) == ESTIMATE_COLUMNS


def test_ten_fewer_cases_factor():
    assert ten_fewer_factor(S.TERM_LEVEL, 150.0) == -10.0
    assert ten_fewer_factor(S.TERM_LOG, 150.0) == pytest.approx(math.log(140 / 150))
    assert math.isnan(ten_fewer_factor(S.TERM_LOG, 8.0))


def test_per_ten_fewer_in_percentage_points_with_ordered_interval():
    row = {
        "outcome": "exit_job_education",  # a share: shown in percentage points
        "spec": S.TWFE_LOG,
        "term": S.TERM_LOG,
        "estimate": -0.012,
        "ci_low": -0.014,
        "ci_high": -0.010,
        "p_value": 0.001,
        "scope": S.NATIONAL,
        "caseload_mean": 150.0,
    }
    effect = per_ten_fewer(normalise(pd.DataFrame([row]))).iloc[0]
    factor = math.log(140 / 150) * 100
    assert effect["effect"] == pytest.approx(-0.012 * factor)
    assert effect["ci_low"] == pytest.approx(-0.010 * factor)  # sign flips the bounds
    assert effect["ci_high"] == pytest.approx(-0.014 * factor)
    record = headline(normalise(pd.DataFrame([row])), simulated=True)
    assert record["estimate"] == pytest.approx(effect["effect"])
    assert record["spec"] == S.TWFE_LOG and record["scope"] == S.NATIONAL
    assert record["simulated"] is True


def test_headline_without_estimate_is_empty_not_wrong():
    record = headline(normalise(pd.DataFrame(_rows("national", [0.5]))).iloc[0:0])
    assert record["estimate"] is None and record["ci_low"] is None
