"""Minimum detectable effect: closed form against known cases and a simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from analysis.quant.power import (
    Design,
    change_variance,
    did_standard_error,
    mde,
    mde_grid,
    power_at,
    variance_components,
)
from analysis.quant.specs import prepare_panel


def test_equicorrelated_case_is_mckenzie():
    # ar = 0: Var(change) = sd^2 (1 - icc) (1/m + 1/r)
    assert change_variance(12, 6, 2.0, 0.3, 0.0) == pytest.approx(4 * 0.7 * (1 / 12 + 1 / 6))
    d = Design(1, 7, 12, 12, icc=0.5, sd=1.0)
    se = math.sqrt(0.5 * (2 / 12) * (1 + 1 / 7))
    assert did_standard_error(d) == pytest.approx(se)
    assert mde(d) == pytest.approx((stats.t.ppf(0.975, 6) + stats.t.ppf(0.8, 6)) * se)


def test_serial_correlation_raises_the_mde():
    base = dict(n_treated=1, n_control=7, months_pre=24, months_post=24, icc=0.5, sd=1.0)
    assert mde(Design(**base, ar=0.5)) > mde(Design(**base, ar=0.0))


def test_more_units_lower_mde_and_grid_shape():
    grid = mde_grid(1.0, 0.5, 0.3, n_treated=(1, 2), n_control=(3, 7), months=((12, 12),))
    assert len(grid) == 4
    one = grid[grid["n_treated"] == 1].set_index("n_control")["mde"]
    assert one[7] < one[3]
    assert grid["power_exact"].between(0.7, 0.81).all()


def _simulated_power(design: Design, effect: float, draws: int, seed: int) -> tuple[float, float]:
    """Rejection rate of the unit-level DiD t-test and sd of its estimate, for unit
    effects plus AR(1) noise as in the formula."""
    rng = np.random.default_rng(seed)
    n_t, n_c = design.n_treated, design.n_control
    units, months = n_t + n_c, design.months_pre + design.months_post
    unit_effect = rng.standard_normal((draws, units, 1)) * design.sd * math.sqrt(design.icc)
    s = design.sd * math.sqrt(1 - design.icc)
    e = np.empty((draws, units, months))
    e[..., 0] = rng.standard_normal((draws, units)) * s
    for t in range(1, months):
        shock = rng.standard_normal((draws, units)) * s * math.sqrt(1 - design.ar**2)
        e[..., t] = design.ar * e[..., t - 1] + shock
    y = unit_effect + e
    y[:, :n_t, design.months_pre :] += effect
    change = y[..., design.months_pre :].mean(-1) - y[..., : design.months_pre].mean(-1)
    treated, control = change[:, :n_t], change[:, n_t:]
    estimate = treated.mean(1) - control.mean(1)
    ss = ((treated - treated.mean(1, keepdims=True)) ** 2).sum(1) + (
        (control - control.mean(1, keepdims=True)) ** 2
    ).sum(1)
    se = np.sqrt(ss / (units - 2) * (1 / n_t + 1 / n_c))
    reject = np.abs(estimate / se) > stats.t.ppf(1 - design.alpha / 2, units - 2)
    return float(reject.mean()), float(estimate.std())


@pytest.mark.parametrize(
    "design",
    [Design(1, 7, 24, 24, icc=0.75, sd=0.0117, ar=0.48), Design(3, 5, 12, 18, icc=0.3, sd=1.0)],
    ids=["one-vs-seven-ar", "three-vs-five-iid"],
)
def test_mde_gives_80_percent_power_in_simulation(design: Design):
    effect = mde(design)
    power, sd = _simulated_power(design, effect, draws=4000, seed=11)
    assert sd == pytest.approx(did_standard_error(design), rel=0.05)
    assert power == pytest.approx(power_at(design, effect), abs=0.035)
    assert 0.75 <= power <= 0.85
    size, _ = _simulated_power(design, 0.0, draws=4000, seed=12)
    assert 0.035 <= size <= 0.065


def test_invalid_designs_are_refused():
    with pytest.raises(ValueError):
        Design(1, 1, 12, 12, icc=0.5, sd=1.0)
    with pytest.raises(ValueError):
        Design(1, 7, 12, 12, icc=1.0, sd=1.0)


def test_variance_components_recover_the_simulated_noise(small_panel):
    panel, truth = small_panel
    comp = variance_components(prepare_panel(panel), "exit_job_education")
    # the panel's rho is 0.5; demeaning short series biases it down a little
    assert 0.35 <= comp.ar <= 0.55
    assert 0.0 < comp.icc < 1.0
    assert comp.sd > truth["outcomes"]["exit_job_education"]["noise_sd"]


# --- power checked by placebo trials (issue 21 §5) ------------------------------------------


def _persistent_panel(units: int, months: int, rho: float, icc: float, seed: int):
    """A prepared-panel-shaped frame of never-treated units: unit effects holding ``icc``
    of the variance plus AR(1) noise with coefficient ``rho`` (sd 1 in all)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    e = np.empty((units, months))
    e[:, 0] = rng.standard_normal(units)
    for k in range(1, months):
        e[:, k] = rho * e[:, k - 1] + math.sqrt(1 - rho**2) * rng.standard_normal(units)
    y = math.sqrt(icc) * rng.standard_normal((units, 1)) + math.sqrt(1 - icc) * e
    return pd.DataFrame(
        {
            "unit_id": np.repeat(np.arange(units), months),
            "municipality_code": np.repeat(np.arange(units), months),
            "t": np.tile(np.arange(months), units),
            "g": 0,
            "y": y.ravel(),
        }
    )


def _true_power(effect: float, rho: float, icc: float, draws: int, seed: int) -> float:
    """Rejection rate of the unit-level DiD (1 trial unit, 7 controls, 24 + 24 months)
    in fresh draws of the persistent process."""
    design = Design(1, 7, 24, 24, icc=icc, sd=1.0, ar=rho)
    rng = np.random.default_rng(seed)
    units, months = 8, 48
    e = np.empty((draws, units, months))
    e[..., 0] = rng.standard_normal((draws, units))
    for k in range(1, months):
        e[..., k] = rho * e[..., k - 1] + math.sqrt(1 - rho**2) * rng.standard_normal(
            (draws, units)
        )
    y = math.sqrt(icc) * rng.standard_normal((draws, units, 1)) + math.sqrt(1 - icc) * e
    y[:, 0, 24:] += effect
    change = y[..., 24:].mean(-1) - y[..., :24].mean(-1)
    est = change[:, 0] - change[:, 1:].mean(1)
    ss = ((change[:, 1:] - change[:, 1:].mean(1, keepdims=True)) ** 2).sum(1)
    se = np.sqrt(ss / 6 * (1 + 1 / 7))
    return float(np.mean(np.abs(est / se) > stats.t.ppf(1 - design.alpha / 2, 6)))


def test_persistent_noise_makes_the_formula_optimistic_and_placebo_trials_catch_it():
    """AR(1) with rho = 0.8 over 60 months: the formula's variance components (ICC from
    unit means, AR from demeaned short series) understate the persistence, so its MDE
    has well under 80 % power in fresh draws of the same process; the MDE found by
    placebo trials on the panel itself has about 80 %."""
    from analysis.quant.power import outcome_mde_table, placebo_trials

    panel = _persistent_panel(units=150, months=60, rho=0.8, icc=0.3, seed=5)
    table = outcome_mde_table(panel, ["y"], (1, 7, 24, 24), placebo_draws=1000, seed=1)
    row = table.iloc[0]
    assert row["icc"] > 0.3, "persistent deviations inflate the ICC"
    formula_power = _true_power(row["mde"], 0.8, 0.3, draws=4000, seed=9)
    placebo_power = _true_power(row["mde_placebo"], 0.8, 0.3, draws=4000, seed=10)
    assert formula_power < 0.72, formula_power
    assert 0.74 <= placebo_power <= 0.88, placebo_power
    assert row["mde_placebo"] > 1.15 * row["mde"]
    assert row["power_placebo"] < 0.72 and 0.02 <= row["size_placebo"] <= 0.09
    checked = placebo_trials(panel, "y", (1, 7, 24, 24), draws=200, seed=3)
    assert checked.draws == 200 and checked.power(0.0) < 0.15


def test_the_committed_panels_mde_is_checked_by_placebo(committed_panel):
    """The formula's MDE for one unit against seven (about 0.98 pp) is detected by fewer
    than 80 % of placebo trials on the panel; the placebo MDE is larger."""
    from analysis.quant.power import outcome_mde_table

    frame = prepare_panel(committed_panel)
    row = outcome_mde_table(frame, ["exit_job_education"], placebo_draws=1000, seed=1).iloc[0]
    assert 0.0085 < row["mde"] < 0.011
    assert row["placebo_draws"] == 1000
    assert 0.6 < row["power_placebo"] < 0.78
    assert row["mde_placebo"] > row["mde"]
