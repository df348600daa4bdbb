"""Monte Carlo: 95 % intervals cover the planted effect in about 95 % of draws."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from analysis.data.simulate import SimulationConfig, simulate_caseloads
from analysis.quant import specs as S
from analysis.quant.fit import fit_did_collapsed, fit_event_study
from analysis.quant.specs import prepare_panel
from analysis.quant.validation import coverage_draws, coverage_rate


def one_outcome_config(config: SimulationConfig, outcome: str = "exit_job_education"):
    """``config`` simulating only ``outcome`` (faster draws)."""
    return replace(config, outcomes=tuple(e for e in config.outcomes if e.name == outcome))


def test_twfe_interval_covers_the_true_beta_in_92_to_98_percent(small_config, unemployment):
    """29 municipalities without trials: caseloads move with unemployment and noise in
    every cluster. (With trials, most caseload variation sits in the few trial
    municipalities and cluster-robust intervals rest on those few clusters.)"""
    codes = tuple(c for c in small_config.municipalities if c != 101)
    config = replace(one_outcome_config(small_config), municipalities=codes, adopters=())
    draws = coverage_draws(config, unemployment, draws=300, first_seed=1)
    assert len(draws) == 300
    assert (draws["n_clusters"] == 29).all()
    rate = coverage_rate(draws)
    assert 0.92 <= rate <= 0.98, rate
    # unbiased too: the mean estimate is within 3 Monte Carlo standard errors of beta
    mc_se = draws["estimate"].std() / np.sqrt(len(draws))
    assert abs(draws["estimate"].mean() - draws["truth"].iloc[0]) < 3 * mc_se


def test_unit_level_did_and_pretrend_test_with_one_trial_unit(unemployment, small_config):
    """København alone: one trial unit against seven. The unit-level DiD interval
    covers the implied effect about 95 % of the time and the pre-trend test rejects
    about 5 % of the time (no pre-trends in the DGP)."""
    config = replace(one_outcome_config(small_config), municipalities=(101,), adopters=())
    covered, rejected, n = 0, 0, 200
    for seed in range(2000, 2000 + n):
        panel, truth = simulate_caseloads(replace(config, seed=seed), unemployment)
        implied = truth["koebenhavn_did"]["implied_effect"]["exit_job_education"]
        frame = prepare_panel(panel)
        did = fit_did_collapsed(frame, ["exit_job_education"], scope="101").estimates.iloc[0]
        covered += did["ci_low"] <= implied <= did["ci_high"]
        event = fit_event_study(frame, ["exit_job_education"], scope="101").estimates
        pre = event[event["term"] == S.TERM_PRETREND].iloc[0]
        rejected += pre["p_value"] < 0.05
    assert 0.91 <= covered / n <= 0.99, covered / n
    assert rejected / n <= 0.10, rejected / n
