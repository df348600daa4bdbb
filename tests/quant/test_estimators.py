"""Each specification against a known data-generating process (the simulated panels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.quant import specs as S
from analysis.quant.fit import (
    fit_dose,
    fit_twfe,
    run_all,
    run_municipality,
    run_national,
    spillover_municipalities,
    unit_changes,
)
from analysis.quant.specs import SpecConfig, prepare_panel
from analysis.quant.validation import staggered_truth, truth_table

OUTCOMES = [
    "exit_job_education",
    "exit_fleksjob",
    "exit_foertidspension",
    "exit_ressourceforloeb",
    "meetings_on_time",
    "company_placements",
    "preparatory_plans",
    "staff_sick_days",
    "staff_turnover",
]
FAST = SpecConfig(wild_reps=199)


def _z(row: pd.Series, truth: float) -> float:
    se = (row["ci_high"] - row["ci_low"]) / 3.92
    return (row["estimate"] - truth) / se


@pytest.fixture(scope="module")
def committed(committed_panel):
    """National models and København's trial designs on the committed panel."""
    frame = prepare_panel(committed_panel)
    national = run_national(frame, OUTCOMES, FAST)
    kbh = run_municipality(frame, 101, OUTCOMES, FAST)
    return frame, national, kbh


def _row(estimates: pd.DataFrame, outcome: str, spec: str, term: str) -> pd.Series:
    rows = estimates[
        (estimates["outcome"] == outcome)
        & (estimates["spec"] == spec)
        & (estimates["term"] == term)
    ]
    assert len(rows) == 1, (outcome, spec, term)
    return rows.iloc[0]


def test_twfe_log_recovers_every_planted_beta(committed, committed_truth):
    _, national, _ = committed
    covered = 0
    for outcome in OUTCOMES:
        beta = committed_truth["outcomes"][outcome]["beta_log_caseload"]
        row = _row(national.estimates, outcome, S.TWFE_LOG, S.TERM_LOG)
        assert abs(_z(row, beta)) < 3, outcome
        covered += row["ci_low"] <= beta <= row["ci_high"]
        assert row["n_clusters"] == 98 and row["cluster_var"] == "municipality_code"
    assert covered >= 8


def test_pooled_ols_is_confounded(committed, committed_truth):
    _, national, _ = committed
    for outcome in OUTCOMES:
        beta = committed_truth["outcomes"][outcome]["beta_log_caseload"]
        pooled = _row(national.estimates, outcome, S.POOLED, S.TERM_LOG)
        twfe = _row(national.estimates, outcome, S.TWFE_LOG, S.TERM_LOG)
        assert not pooled["ci_low"] <= beta <= pooled["ci_high"], outcome
        assert abs(pooled["estimate"] - beta) > 3 * abs(twfe["estimate"] - beta), outcome
        assert pooled["note"].startswith("descriptive")


def test_twfe_level_slope_matches_the_log_slope_at_the_mean(committed, committed_truth):
    _, national, _ = committed
    for outcome in ("exit_job_education", "meetings_on_time", "staff_sick_days"):
        beta = committed_truth["outcomes"][outcome]["beta_log_caseload"]
        level = _row(national.estimates, outcome, S.TWFE_LEVEL, S.TERM_LEVEL)
        # d y / d C = beta / C near the mean caseload; allow for the curvature of the log
        assert level["estimate"] * level["caseload_mean"] == pytest.approx(beta, rel=0.35)


def test_dose_bands_fall_in_order_with_the_true_direction(committed, committed_truth):
    _, national, _ = committed
    for outcome in OUTCOMES:
        beta = committed_truth["outcomes"][outcome]["beta_log_caseload"]
        low = _row(national.estimates, outcome, S.DOSE, "band_le_60")
        mid = _row(national.estimates, outcome, S.DOSE, "band_101_150")
        if beta == 0:
            assert low["ci_low"] <= 0 <= low["ci_high"], outcome
            continue
        # lower caseload than the reference >150: the outcome moves by -beta × (log gap)
        assert np.sign(low["estimate"]) == -np.sign(beta), outcome
        assert abs(low["estimate"]) > abs(mid["estimate"]), outcome
        assert low["p_value"] < 0.01, outcome


def test_koebenhavn_did_recovers_the_implied_effect(committed, committed_truth):
    _, _, kbh = committed
    implied = committed_truth["koebenhavn_did"]["implied_effect"]
    for outcome in OUTCOMES:
        collapsed = _row(kbh.estimates, outcome, S.DID_COLLAPSED, S.TERM_TRIAL)
        twfe = _row(kbh.estimates, outcome, S.DID, S.TERM_TRIAL)
        # the same point estimate: a balanced panel, one start month
        assert twfe["estimate"] == pytest.approx(collapsed["estimate"], rel=1e-8, abs=1e-12)
        assert abs(_z(collapsed, implied[outcome])) < 3, outcome
        assert collapsed["n_clusters"] == 8 and twfe["cluster_var"] == "unit_id"
        # one treated cluster: no cluster-robust interval, no wild bootstrap (issue 21 §2);
        # a placebo p-value from the trial reassigned to each of the 7 other units
        assert np.isnan(twfe["p_wild"]) and np.isnan(twfe["ci_low"]) and np.isnan(twfe["ci_high"])
        assert np.isnan(twfe["std_error"])
        assert twfe["inference"] == "placebo" and twfe["n_treated"] == 1
        assert twfe["p_min"] == pytest.approx(1 / 8)
        assert any(twfe["p_value"] == pytest.approx(k / 8) for k in range(1, 9))
        assert "one treated unit" in twfe["note"] and "smallest attainable p-value" in twfe["note"]
        assert collapsed["inference"] == "unit-level"


def test_collapsed_did_is_the_mean_change_difference(committed):
    frame, _, kbh = committed
    own = frame[frame["municipality_code"] == 101]
    changes = unit_changes(own, "exit_job_education")
    expected = (
        changes.loc[changes["treated"] == 1, "change"].mean()
        - changes.loc[changes["treated"] == 0, "change"].mean()
    )
    row = _row(kbh.estimates, "exit_job_education", S.DID_COLLAPSED, S.TERM_TRIAL)
    assert row["estimate"] == pytest.approx(expected)


def test_staggered_did2s_recovers_the_cohort_effects(committed, committed_truth):
    _, national, _ = committed
    excluded = {
        int(v) for v in national.skipped.loc[national.skipped["reason"] == "spillover", "value"]
    }
    assert excluded == {101}  # København's ordinary units fell to 125 at its start
    truth = staggered_truth(committed_truth, excluded)
    for outcome in OUTCOMES:
        row = _row(national.estimates, outcome, S.STAGGERED, S.TERM_ATT)
        assert abs(_z(row, truth[outcome])) < 3, outcome
        assert row["n_obs"] == 17640  # 302 - 8 København units, 60 months


def test_staggered_event_study_is_flat_before_and_at_the_effect_after(committed, committed_truth):
    _, national, _ = committed
    truth = staggered_truth(committed_truth, {101})
    rows = national.estimates[
        (national.estimates["spec"] == S.STAGGERED_EVENT)
        & (national.estimates["outcome"] == "exit_job_education")
    ]
    post = rows[rows["event_time"] >= 0]
    assert post["estimate"].mean() == pytest.approx(truth["exit_job_education"], rel=0.25)
    leads = rows[rows["event_time"] <= -2]
    assert (leads["estimate"].abs() < 0.005).all()
    pre = rows[rows["term"] == S.TERM_PRETREND].iloc[0]
    assert pre["p_value"] > 0.05 and pre["note"].startswith("joint F test of 7 lead bins")
    reference = rows[rows["event_time"] == -1].iloc[0]
    assert reference["estimate"] == 0 and np.isnan(reference["std_error"])


def test_spillover_is_detected_only_in_koebenhavn(committed):
    frame, _, _ = committed
    flagged = spillover_municipalities(frame)
    assert list(flagged) == [101]
    assert flagged[101] == pytest.approx(np.log(125 / 200), abs=0.05)


def test_small_simulation_recovers_beta_and_trial_effects(small_panel):
    """A second draw of the DGP (30 municipalities, synthetic unemployment)."""
    panel, truth = small_panel
    run = run_all(panel, ["exit_job_education", "meetings_on_time"], FAST)
    estimates = run.estimates
    assert estimates["simulated"].all()
    table = truth_table(estimates, run.skipped, truth)
    twfe = table[table["spec"] == S.TWFE_LOG]
    assert len(twfe) == 2
    for row in table[table["spec"].isin([S.TWFE_LOG, S.DID_COLLAPSED, S.STAGGERED])].itertuples():
        se = (row.ci_high - row.ci_low) / 3.92
        assert abs(row.estimate - row.truth) < 3 * se, (row.outcome, row.spec)
    pooled = table[table["spec"] == S.POOLED]
    assert not pooled["covered"].any()
    # p-values are adjusted across the two outcomes
    holm = estimates[(estimates["spec"] == S.TWFE_LOG)]
    assert (holm["p_holm"] >= holm["p_value"]).all()


def test_trial_designs_handed_to_helper_processes_give_the_same_run(small_panel):
    """The batch offers the municipalities' designs to other processes (spawned, as the
    batch does); taken there or fitted here when still waiting, the run is identical."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    panel, _ = small_panel
    outcomes = ["exit_job_education"]
    alone = run_all(panel, outcomes, FAST)
    assert alone.estimates["scope"].ne(S.NATIONAL).any()  # there are designs to hand on
    with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn")) as helpers:
        shared = run_all(panel, outcomes, FAST, helpers=helpers)
    pd.testing.assert_frame_equal(shared.estimates, alone.estimates)
    pd.testing.assert_frame_equal(shared.skipped, alone.skipped)


def test_covariate_absorbed_within_one_municipality(committed):
    frame, _, _ = committed
    aarhus = frame[frame["municipality_code"] == 751]
    run = fit_twfe(aarhus, ["exit_job_education"], FAST, scope="751")
    row = run.estimates.iloc[0]
    # one municipality: clustered by unit, wild bootstrap added
    assert row["cluster_var"] == "unit_id" and row["n_clusters"] == 8
    assert 0 <= row["p_wild"] <= 1


def test_dose_reference_band_is_configurable(committed):
    frame, _, _ = committed
    config = SpecConfig(reference_band=2, wild_reps=199)  # 101–150 as the reference
    est = fit_dose(frame, ["exit_job_education"], config).estimates
    assert set(est["term"]) == {"band_le_60", "band_61_100", "band_gt_150"}
    high = est.set_index("term").loc["band_gt_150"]
    assert high["estimate"] < 0  # higher caseload than the reference: fewer exits


def test_a_unit_treated_in_every_month_is_neither_treated_nor_control():
    """A unit coded treated in every month without a trial start has no before and after;
    before, prepare_panel gave it g = 0 and the staggered and event designs used it as a
    never-treated control."""
    from analysis.quant.specs import ALWAYS_TREATED, prepare_panel

    months = pd.period_range("2024-01", periods=4, freq="M")
    rows = [
        {"municipality_code": 101, "unit": unit, "period": m, "caseload": 50.0 + i,
         "treated": flag, "trial_start": start}
        for unit, flag, start in [("always", 1, pd.NaT), ("never", 0, pd.NaT),
                                  ("trial", 1, pd.Period("2024-03", "M"))]
        for i, m in enumerate(months)
    ]  # fmt: skip
    prepared = prepare_panel(pd.DataFrame(rows))
    g = prepared.groupby("unit")["g"].first()
    assert g["always"] == ALWAYS_TREATED and g["never"] == 0 and g["trial"] > 0
    controls = set(prepared.loc[prepared["g"] == 0, "unit"])
    assert controls == {"never"}
    assert prepared.loc[prepared["unit"] == "always", "treated_post"].eq(0).all()
