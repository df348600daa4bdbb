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
    placebo_draws: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """MDE of one design (treated, control, months before, months after) per outcome,
    with the outcome's estimated variance components, checked by placebo trials on the
    panel itself (:func:`placebo_trials`, ``placebo_draws`` draws): ``power_placebo`` is
    the share of placebo trials that detect the formula's MDE, ``size_placebo`` the share
    that reject without an effect, ``mde_placebo`` the effect that 80 % of them detect
    (``*_display`` in display units)."""
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
        scale = (scales or {}).get(outcome, 1.0)
        checked = placebo_trials(frame, outcome, design, placebo_draws, seed, alpha)
        by_placebo = checked.mde(power)
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
                "mde_display": value * scale,
                "placebo_draws": checked.draws,
                "power_placebo": checked.power(value),
                "size_placebo": checked.power(0.0),
                "mde_placebo": by_placebo,
                "mde_placebo_display": by_placebo * scale,
            }
        )
    return pd.DataFrame(rows)


# --- power by placebo trials on the panel itself --------------------------------------------


@dataclass(frozen=True)
class PlaceboPower:
    """Placebo trials of one design drawn from a panel's untreated units and months: each
    draw's unit-level DiD estimate and standard error (no effect added)."""

    outcome: str
    estimates: np.ndarray
    std_errors: np.ndarray
    df: int
    alpha: float = 0.05

    @property
    def draws(self) -> int:
        return len(self.estimates)

    def power(self, effect: float) -> float:
        """Share of placebo trials whose t-test rejects once ``effect`` is added to the
        trial unit(s)' months from the start."""
        if not self.draws:
            return float("nan")
        crit = stats.t.ppf(1 - self.alpha / 2, self.df)
        return float(np.mean(np.abs(self.estimates + effect) > crit * self.std_errors))

    def mde(self, power: float = 0.80) -> float:
        """The smallest positive effect with at least ``power`` in the placebo trials
        (bisection on the rejection rate; NaN when no effect up to 100 standard errors
        reaches it)."""
        if not self.draws:
            return float("nan")
        high = 100 * float(np.nanmedian(self.std_errors))
        if self.power(high) < power:
            return float("nan")
        low = 0.0
        for _ in range(60):
            middle = (low + high) / 2
            low, high = (middle, high) if self.power(middle) < power else (low, middle)
        return high


def untreated_wide(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Unit × month table of ``outcome`` over units and months without any trial: units
    that never had one, in municipalities where no unit had one (their other units'
    caseloads may have moved with the trial, as in København)."""
    trial_munis = frame.loc[frame["g"] != 0, "municipality_code"].unique()
    rows = frame[(frame["g"] == 0) & ~frame["municipality_code"].isin(trial_munis)]
    wide = rows.pivot_table(index="unit_id", columns="t", values=outcome, aggfunc="mean")
    return wide.reindex(columns=range(int(frame["t"].min()), int(frame["t"].max()) + 1))


def placebo_trials(
    frame: pd.DataFrame,
    outcome: str,
    design: tuple[int, int, int, int] = (1, 7, 24, 24),
    draws: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> PlaceboPower:
    """Placebo trials of ``design`` (trial units, control units, months before, months
    from the start) on the panel itself: each draw picks a window of months and
    ``n_treated + n_control`` units with answers before and after its midpoint among the
    units and months without a trial (:func:`untreated_wide`), calls the first
    ``n_treated`` the trial, and runs the unit-level DiD t-test the power calculation
    assumes. The estimates carry whatever the data hold (persistent noise, unequal
    units, seasonal patterns) that the formula's variance components may miss."""
    n_t, n_c, pre, post = design
    wide = untreated_wide(frame, outcome)
    values = wide.to_numpy(dtype=float)
    months = values.shape[1]
    starts = months - (pre + post) + 1
    rng = np.random.default_rng(seed)
    estimates, errors = [], []
    if starts < 1 or len(values) < n_t + n_c:
        return PlaceboPower(outcome, np.array([]), np.array([]), max(n_t + n_c - 2, 1), alpha)
    # each unit's before and after means for every possible window
    for _ in range(draws * 3):
        if len(estimates) >= draws:
            break
        first = int(rng.integers(0, starts))
        window = values[:, first : first + pre + post]
        before = _nanmean(window[:, :pre])
        after = _nanmean(window[:, pre:])
        usable = np.flatnonzero(np.isfinite(before) & np.isfinite(after))
        if len(usable) < n_t + n_c:
            continue
        pick = rng.choice(usable, size=n_t + n_c, replace=False)
        change = after[pick] - before[pick]
        treated, control = change[:n_t], change[n_t:]
        ss = ((treated - treated.mean()) ** 2).sum() + ((control - control.mean()) ** 2).sum()
        se = math.sqrt(ss / (n_t + n_c - 2) * (1 / n_t + 1 / n_c))
        estimates.append(treated.mean() - control.mean())
        errors.append(se)
    return PlaceboPower(outcome, np.asarray(estimates), np.asarray(errors), n_t + n_c - 2, alpha)


def _nanmean(block: np.ndarray) -> np.ndarray:
    counts = np.isfinite(block).sum(axis=1)
    sums = np.nansum(block, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
