"""Power and minimum detectable effect (MDE) of a planned caseload trial.

Design: ``n_treated`` units (departments, teams; each a cluster of caseworkers and
their cases) get the lower caseload, ``n_control`` units do not; a monthly outcome is
observed ``months_pre`` months before and ``months_post`` months from the start. The
analysis is the unit-level difference-in-differences (:func:`analysis.quant.fit.
fit_did_collapsed`): each unit's mean after minus its mean before, compared between
groups with a two-sample t-test on ``n_treated + n_control − 2`` degrees of freedom.

Outcome model per unit j and month t: y_jt = a_j + month effect + e_jt, where the unit
effect a_j holds the share ``icc`` (intra-cluster correlation) of the outcome's variance
``sd²`` and e_jt is AR(1) with coefficient ``ar`` and variance sd² · (1 − icc). The unit
effect cancels in a unit's before/after change, so

    Var(change_j) = sd² (1 − icc) · [S(m)/m² + S(r)/r² − 2 C(m, r)/(m r)],
    S(n) = Σ_s Σ_t ar^|s−t| over n months,  C(m, r) = Σ_(s ≤ m) Σ_(t ≤ r) ar^((m − s) + t),
    Var(DiD) = Var(change_j) · (1/n_treated + 1/n_control),
    MDE = (t_(1−α/2, ν) + t_(power, ν)) · sqrt(Var(DiD)),  ν = n_treated + n_control − 2.

With ar = 0 the bracket is 1/m + 1/r (McKenzie 2012, equicorrelated errors). The
t-quantiles (not normal ones) matter with few units: one trial unit against seven
controls has ν = 6. :func:`power_at` gives the exact power from the noncentral t.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class Design:
    """A planned trial (see the module docstring for the model)."""

    n_treated: int
    n_control: int
    months_pre: int
    months_post: int
    icc: float
    sd: float
    ar: float = 0.0
    alpha: float = 0.05
    power: float = 0.80

    def __post_init__(self) -> None:
        if self.n_treated < 1 or self.n_control < 1 or self.n_treated + self.n_control < 3:
            raise ValueError("need at least one treated, one control and three units in all")
        if self.months_pre < 1 or self.months_post < 1:
            raise ValueError("need at least one month before and one from the start")
        if not (0 <= self.icc < 1) or not (-1 < self.ar < 1) or self.sd <= 0:
            raise ValueError("icc in [0, 1), ar in (-1, 1) and sd > 0 required")

    @property
    def df(self) -> int:
        return self.n_treated + self.n_control - 2


def _sum_within(n: int, ar: float) -> float:
    lags = np.arange(1, n)
    return float(n + 2 * np.sum((n - lags) * ar**lags))


def _sum_across(m: int, r: int, ar: float) -> float:
    return float(np.sum(ar ** np.arange(m)) * np.sum(ar ** np.arange(1, r + 1)))


def change_variance(months_pre: int, months_post: int, sd: float, icc: float, ar: float) -> float:
    """Variance of one unit's mean after minus mean before."""
    m, r = months_pre, months_post
    bracket = (
        _sum_within(m, ar) / m**2 + _sum_within(r, ar) / r**2 - 2 * _sum_across(m, r, ar) / (m * r)
    )
    return sd**2 * (1 - icc) * bracket


def did_standard_error(design: Design) -> float:
    """Standard error of the unit-level DiD estimate for ``design``."""
    var = change_variance(design.months_pre, design.months_post, design.sd, design.icc, design.ar)
    return math.sqrt(var * (1 / design.n_treated + 1 / design.n_control))


def mde(design: Design) -> float:
    """Minimum detectable effect at ``design.power`` and two-sided ``design.alpha``."""
    nu = design.df
    multiplier = stats.t.ppf(1 - design.alpha / 2, nu) + stats.t.ppf(design.power, nu)
    return float(multiplier * did_standard_error(design))


def power_at(design: Design, effect: float) -> float:
    """Exact power of the two-sided t-test when the true effect is ``effect``."""
    nu = design.df
    crit = stats.t.ppf(1 - design.alpha / 2, nu)
    shift = effect / did_standard_error(design)
    return float(stats.nct.sf(crit, nu, shift) + stats.nct.cdf(-crit, nu, shift))


def mde_grid(
    sd: float,
    icc: float,
    ar: float = 0.0,
    *,
    n_treated: Iterable[int] = (1, 2, 4),
    n_control: Iterable[int] = (3, 7, 15, 30),
    months: Iterable[tuple[int, int]] = ((12, 12), (24, 24)),
    alpha: float = 0.05,
    power: float = 0.80,
    scale: float = 1.0,
) -> pd.DataFrame:
    """MDE over a grid of designs; ``scale`` converts to display units (100 for pp).

    Columns: n_treated, n_control, months_pre, months_post, icc, ar, sd, se, mde,
    mde_display, power_exact (exact power at the closed-form MDE).
    """
    rows = []
    for treated in n_treated:
        for control in n_control:
            for pre, post in months:
                design = Design(treated, control, pre, post, icc, sd, ar, alpha, power)
                value = mde(design)
                rows.append(
                    {
                        **{k: v for k, v in asdict(design).items() if k not in {"alpha", "power"}},
                        "se": did_standard_error(design),
                        "mde": value,
                        "mde_display": value * scale,
                        "power_exact": power_at(design, value),
                    }
                )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class VarianceComponents:
    """Baseline sd, intra-cluster correlation and AR(1) coefficient of an outcome."""

    outcome: str
    sd: float
    icc: float
    ar: float
    n_units: int
    n_months: int


def variance_components(frame: pd.DataFrame, outcome: str) -> VarianceComponents:
    """Estimate sd, ICC and AR(1) of ``outcome`` from untrialled unit-months (raises
    ``ValueError`` with fewer than two units).

    Uses never-treated units and the months before a unit's trial (columns of
    :func:`analysis.quant.specs.prepare_panel`). Month means are removed (the design
    has month effects); ICC is the share of the remaining variance between unit means;
    ar is the pooled lag-1 autocorrelation of deviations from unit means (slightly
    biased towards zero in short series).
    """
    data = frame[(frame["g"] == 0) | (frame["t"] < frame["g"])].dropna(subset=[outcome])
    n_units = int(data["unit_id"].nunique())
    if n_units < 2 or len(data) < 3:
        raise ValueError(f"variance components of {outcome} need two units or more")
    y = data[outcome].astype(float)
    resid = y - data.groupby("t")[outcome].transform("mean")
    unit_mean = resid.groupby(data["unit_id"]).transform("mean")
    within = resid - unit_mean
    total = float(resid.var(ddof=1))
    between = float(unit_mean.groupby(data["unit_id"]).first().var(ddof=1))
    icc = min(max(between / total, 0.0), 0.99) if total > 0 else 0.0
    ordered = pd.DataFrame({"u": data["unit_id"], "t": data["t"], "e": within}).sort_values(
        ["u", "t"]
    )
    lagged = ordered.groupby("u")["e"].shift(1)
    consecutive = ordered["t"] - ordered.groupby("u")["t"].shift(1) == 1
    pairs = ordered.assign(lag=lagged)[consecutive]
    ar = 0.0
    if len(pairs) > 2 and pairs["e"].std() > 0 and pairs["lag"].std() > 0:
        ar = float(np.corrcoef(pairs["e"], pairs["lag"])[0, 1])
    return VarianceComponents(
        outcome=outcome,
        sd=math.sqrt(total) if total > 0 else 0.0,
        icc=icc,
        ar=min(max(ar, 0.0), 0.95),
        n_units=n_units,
        n_months=int(data["t"].nunique()),
    )


def outcome_mde_table(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    design: tuple[int, int, int, int] = (1, 7, 24, 24),
    scales: dict[str, float] | None = None,
    alpha: float = 0.05,
    power: float = 0.80,
) -> pd.DataFrame:
    """MDE of one design (treated, control, months before, months after) per outcome,
    with the outcome's estimated variance components."""
    rows = []
    for outcome in outcomes:
        if outcome not in frame.columns or frame[outcome].notna().sum() < 3:
            continue
        try:
            comp = variance_components(frame, outcome)
        except ValueError:
            continue
        if comp.sd <= 0:
            continue
        d = Design(*design, icc=comp.icc, sd=comp.sd, ar=comp.ar, alpha=alpha, power=power)
        value = mde(d)
        rows.append(
            {
                "outcome": outcome,
                "n_treated": d.n_treated,
                "n_control": d.n_control,
                "months_pre": d.months_pre,
                "months_post": d.months_post,
                "sd": comp.sd,
                "icc": comp.icc,
                "ar": comp.ar,
                "mde": value,
                "mde_display": value * (scales or {}).get(outcome, 1.0),
            }
        )
    return pd.DataFrame(rows)
