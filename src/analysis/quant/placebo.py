"""Placebo (permutation) inference for trials with few treated clusters.

With fewer than five treated clusters, cluster-robust standard errors rest on the
residuals of those few clusters and are far too small (a Monte Carlo with one treated
department of eight covered the truth in 50 % of draws), and the wild cluster bootstrap
cannot reject at all (its smallest p-value was 0.19 in 200 draws). Instead the trial is
reassigned to control units: each placebo gives a control unit (or a set of as many
control units as there are trial units) the real trial's start month(s), with the real
trial units left out, and the design is estimated again. The p-value is the share of
placebo estimates at least as far from zero as the real one, counting the real one:

    p = (1 + #{|placebo| ≥ |estimate|}) / (1 + number of placebos)

so with n placebos no p-value below 1 / (n + 1) is possible (one trial unit against
seven controls: 1/8 = 0.125, never significant at 5 %). Placebo inference gives a
p-value, not an interval. It is exact when units are exchangeable (Fisher's randomisation
test; Conley & Taber 2011 and Abadie, Diamond & Hainmueller 2010 use the same idea).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: relative tolerance when a placebo estimate counts as "as large as" the real one
_TIE = 1e-9


@dataclass(frozen=True)
class PlaceboResult:
    """The placebo p-value of an estimate and what it rests on."""

    p_value: float
    n_placebos: int
    estimates: np.ndarray

    @property
    def p_min(self) -> float:
        """The smallest p-value attainable with this many placebos."""
        return 1.0 / (self.n_placebos + 1)

    def note(self) -> str:
        return (
            f"placebo p-value: the trial reassigned to {self.n_placebos} control unit(s) or "
            f"set(s) of them; the smallest attainable p-value is {self.p_min:.3g}; no "
            "interval"
        )


def placebo_p(estimate: float, placebos: Sequence[float]) -> PlaceboResult:
    """Two-sided permutation p-value of ``estimate`` among ``placebos``."""
    values = np.asarray(placebos, dtype=float)
    values = values[np.isfinite(values)]
    threshold = abs(estimate) * (1 - _TIE)
    extreme = int(np.sum(np.abs(values) >= threshold))
    return PlaceboResult((1 + extreme) / (1 + len(values)), len(values), values)


def assignments(
    controls: Sequence[int], starts: Sequence[int], draws: int, seed: int
) -> list[dict[int, int]]:
    """Placebo trials: each maps as many control units as there are trial units to the
    real trials' start months (unit id -> start). Every set of controls when there are at
    most ``draws`` of them, else ``draws`` distinct sets drawn with ``seed``."""
    controls = sorted(int(c) for c in controls)
    k = len(starts)
    if k == 0 or len(controls) < k:
        return []
    starts = [int(s) for s in starts]
    total = math.comb(len(controls), k)
    if total <= draws:
        sets = list(itertools.combinations(controls, k))
    else:
        rng = np.random.default_rng(seed)
        seen: set[tuple[int, ...]] = set()
        sets = []
        while len(sets) < draws:
            pick = tuple(sorted(int(c) for c in rng.choice(controls, size=k, replace=False)))
            if pick not in seen:
                seen.add(pick)
                sets.append(pick)
    return [dict(zip(units, starts, strict=True)) for units in sets]


def panel_assignments(
    data: pd.DataFrame, draws: int, seed: int
) -> tuple[pd.DataFrame, list[dict[int, int]]]:
    """The never-treated units of a trial panel (``g == 0``) and the placebo trials among
    them (:func:`assignments`) with the real trial units' start months (``g``)."""
    controls = data[data["g"] == 0]
    starts = data.loc[data["g"] > 0].groupby("unit_id")["g"].first().tolist()
    return controls, assignments(controls["unit_id"].unique(), starts, draws, seed)


def _placebo_post(controls: pd.DataFrame, assignment: dict[int, int]) -> np.ndarray:
    start = controls["unit_id"].map(assignment)
    return (start.notna() & (controls["t"] >= start)).to_numpy()


def did_estimates(
    controls: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    placebo_trials: Sequence[dict[int, int]],
    tol: float = 1e-10,
) -> np.ndarray:
    """The two-way fixed-effects DiD estimate of each placebo trial on ``controls`` (rows
    of untreated units only, outcome and covariates complete): the same regression as
    :func:`analysis.quant.fit.fit_did`, computed for all placebos at once by demeaning the
    outcome, the covariates and every placebo indicator by unit and month (Frisch–Waugh–
    Lovell) with pyfixest's alternating projections."""
    from pyfixest.estimation import demean

    if not placebo_trials:
        return np.array([])
    indicators = np.column_stack([_placebo_post(controls, a) for a in placebo_trials])
    columns = [controls[outcome].to_numpy(float)[:, None],
               controls[list(covariates)].to_numpy(float).reshape(len(controls), -1),
               indicators.astype(float)]  # fmt: skip
    x = np.hstack(columns)
    fixed = np.column_stack(
        [pd.factorize(controls["unit_id"])[0], pd.factorize(controls["t"])[0]]
    ).astype(np.uint64)
    demeaned, _ = demean(x, fixed, np.ones(len(controls)), tol=tol)
    y = demeaned[:, 0]
    cov = demeaned[:, 1 : 1 + len(covariates)]
    d = demeaned[:, 1 + len(covariates) :]
    if cov.shape[1]:
        solve = np.linalg.lstsq(cov, np.column_stack([y, d]), rcond=None)[0]
        resid = np.column_stack([y, d]) - cov @ solve
        y, d = resid[:, 0], resid[:, 1:]
    denominator = np.einsum("ij,ij->j", d, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 1e-12, d.T @ y / denominator, np.nan)


def imputation_estimates(
    controls: pd.DataFrame,
    outcome: str,
    covariates: Sequence[str],
    placebo_trials: Sequence[dict[int, int]],
) -> np.ndarray:
    """The two-stage (imputation) DiD estimate of each placebo trial on ``controls``:
    unit and month effects and covariate slopes fitted on the rows without the placebo
    trial, then the mean of outcome minus prediction over the placebo trial's rows (the
    point estimate of ``pyfixest.did2s``, as in :func:`analysis.quant.fit.fit_staggered`)."""
    out = [
        imputation_att(controls, outcome, covariates, _placebo_post(controls, trial))
        for trial in placebo_trials
    ]
    return np.asarray(out, dtype=float)


def imputation_att(
    data: pd.DataFrame, outcome: str, covariates: Sequence[str], treated: np.ndarray
) -> float:
    """The two-stage (imputation) DiD point estimate: unit and month effects and
    covariate slopes fitted on the rows not ``treated``, then the mean of outcome minus
    prediction over the ``treated`` rows (NaN when either set is empty)."""
    import warnings

    import pyfixest as pf

    treated = np.asarray(treated, dtype=bool)
    untreated, chosen = data[~treated], data[treated]
    if chosen.empty or untreated.empty:
        return float("nan")
    rhs = " + ".join(covariates) if covariates else "1"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pf.feols(f"{outcome} ~ {rhs} | unit_id + t", untreated, vcov="iid")
        predicted = np.asarray(model.predict(newdata=chosen), dtype=float)
    residual = chosen[outcome].to_numpy(float) - predicted
    return float(np.nanmean(residual)) if np.isfinite(residual).any() else float("nan")
