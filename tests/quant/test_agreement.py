"""pyfixest and statsmodels agree on a shared specification (point estimate and
cluster-robust standard error), once their small-sample corrections are the same."""

from __future__ import annotations

import warnings

import numpy as np
import pyfixest as pf
import pytest
import statsmodels.formula.api as smf

from analysis.quant.specs import prepare_panel


@pytest.fixture(scope="module")
def data(small_panel):
    frame = prepare_panel(small_panel[0])
    # a subset keeps the dummy regression small: 10 municipalities, 24 months
    codes = sorted(frame["municipality_code"].unique())[:10]
    keep = frame["municipality_code"].isin(codes) & (frame["t"] < frame["t"].min() + 24)
    return frame[keep].reset_index(drop=True)


def _statsmodels(formula: str, data):
    # use_correction: G/(G-1) · (N-1)/(N-K), with K counting every estimated column
    return smf.ols(formula, data).fit(
        cov_type="cluster",
        cov_kwds={"groups": data["municipality_code"], "use_correction": True,
                  "df_correction": True},
    )  # fmt: skip


def test_pooled_ols_agrees(data):
    fml = "exit_job_education ~ log_caseload + unemployment_rate"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fx = pf.feols(fml, data, vcov={"CRV1": "municipality_code"})
    sm = _statsmodels(fml, data)
    for term in ("log_caseload", "unemployment_rate"):
        assert fx.coef()[term] == pytest.approx(sm.params[term], rel=1e-6)
        assert fx.se()[term] == pytest.approx(sm.bse[term], rel=1e-6)


def test_two_way_fixed_effects_agree_with_dummies(data):
    # pyfixest absorbs the fixed effects; counting them in k (k_fixef="full") gives
    # statsmodels' N - K with explicit unit and month dummies
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fx = pf.feols(
            "exit_job_education ~ log_caseload + unemployment_rate | unit_id + t",
            data,
            vcov={"CRV1": "municipality_code"},
            ssc=pf.ssc(k_adj=True, k_fixef="full", G_adj=True),
            fixef_tol=1e-12,
        )
    sm = _statsmodels(
        "exit_job_education ~ log_caseload + unemployment_rate + C(unit_id) + C(t)", data
    )
    for term in ("log_caseload", "unemployment_rate"):
        assert fx.coef()[term] == pytest.approx(sm.params[term], rel=1e-6)
        assert fx.se()[term] == pytest.approx(sm.bse[term], rel=1e-6)
    assert int(fx._N) == int(sm.nobs)
    assert np.unique(data["municipality_code"]).size == 10
