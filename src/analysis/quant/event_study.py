"""Event studies: the trial units' outcome bin by bin before and after their start,
against never-treated units, with the joint test that the leads are zero.

One cohort (a municipality's trial) or many (the staggered event study over the national
panel, :data:`analysis.quant.specs.STAGGERED_EVENT`). Units are the independent
observations; see :func:`fit_event_study`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.quant import specs as S
from analysis.quant.checks import ModelSkipped, check_outcome
from analysis.quant.estimation import (
    check_trial,
    each_outcome,
    feols,
    fixed_effect_covariates,
    outcome_sample,
    whole_model_skip,
)
from analysis.quant.results import ModelRun
from analysis.quant.specs import DEFAULT_CONFIG, SpecConfig


def fit_event_study(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    config: SpecConfig = DEFAULT_CONFIG,
    scope: str = S.NATIONAL,
    spec: str = S.EVENT,
) -> ModelRun:
    """Event study with leads and lags at the unit level, one cohort or many.

    For each cohort (start month) c and event-time bin k: the mean change of its trial
    units' outcome from bin −1 to bin k minus the same change of the never-treated units
    over the same calendar months (a DiD per cohort and bin against never-treated units
    with base bin −1, as in Callaway & Sant'Anna 2021). Covariates are partialled out
    with slopes fitted on never-treated units with unit and month fixed effects. Bins are
    averaged over cohorts with weights equal to each cohort's share of the bin's trial
    units (Sun & Abraham 2021).

    Inference treats units as the independent observations and uses the spread of the
    never-treated units' changes as the noise a trial unit would show without a trial
    (valid with a single trial unit; assumes units are alike in noise). The joint test
    that all lead bins (≤ −2) are zero is a Hotelling-type F test with the control
    units' degrees of freedom; with fewer control units than leads it falls back to a
    one-degree-of-freedom test of the average lead (noted in the row).
    """
    try:
        check_trial(frame)
    except ModelSkipped as exc:
        return whole_model_skip(spec, scope, outcomes, exc)
    covariates = fixed_effect_covariates(frame, config)

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = outcome_sample(frame, outcome, covariates)
        check_trial(data)
        n_units = data["unit_id"].nunique()
        if n_units < config.min_clusters:
            raise ModelSkipped("few_clusters", value=n_units, limit=config.min_clusters)
        profiles = event_profiles(data, outcome, covariates, config)
        return _event_rows(
            profiles,
            outcome=outcome,
            spec=spec,
            scope=scope,
            config=config,
            n_obs=len(data),
            caseload_mean=float(data["caseload"].mean()),
        )

    return each_outcome(outcomes, spec, scope, one)


@dataclass(frozen=True)
class EventProfiles:
    """Per cohort × bin DiD estimates, their covariance and the aggregation weights."""

    cells: pd.DataFrame  # cohort, bin, estimate, n_treated
    covariance: np.ndarray  # over the rows of ``cells``
    n_controls: int
    n_treated: int


def _residualised(data: pd.DataFrame, outcome: str, covariates: Sequence[str], config) -> pd.Series:
    """The outcome minus covariate slopes fitted on never-treated units (unit and month
    fixed effects); the outcome itself without covariates."""
    if not covariates:
        return data[outcome].astype(float)
    controls = data[data["g"] == 0]
    cluster = "unit_id"
    fml = f"{outcome} ~ {' + '.join(covariates)} | unit_id + t"
    slopes = feols(fml, controls, cluster, config).model.coef()
    adjustment = sum(slopes.get(c, 0.0) * data[c].astype(float) for c in covariates)
    return data[outcome].astype(float) - adjustment


def event_profiles(
    data: pd.DataFrame, outcome: str, covariates: Sequence[str], config: SpecConfig
) -> EventProfiles:
    """Cohort × bin DiD estimates of ``outcome`` against never-treated units (see
    :func:`fit_event_study`)."""
    frame = data.assign(_r=_residualised(data, outcome, covariates, config))
    controls = frame[frame["g"] == 0]
    n_controls = controls["unit_id"].nunique()
    if n_controls == 0:
        raise ModelSkipped("no_controls")
    cells, treated_blocks, control_blocks = [], [], []
    for cohort in sorted(frame.loc[frame["g"] > 0, "g"].unique()):
        bins = np.floor((frame["t"] - cohort) / config.event_bin_months).clip(*config.event_window)
        changes = _unit_bin_changes(frame.assign(_bin=bins))
        if changes is None:
            continue
        members = frame.loc[frame["g"] == cohort, "unit_id"].unique()
        treated = changes[changes.index.isin(members)]
        control = changes[changes.index.isin(controls["unit_id"].unique())]
        if treated.empty or len(control) < 2:
            continue
        columns = [k for k in changes.columns if k != -1 and treated[k].notna().any()]
        for k in columns:
            cells.append(
                {
                    "cohort": int(cohort),
                    "bin": int(k),
                    "estimate": float(treated[k].mean() - control[k].mean()),
                    "n_treated": int(treated[k].notna().sum()),
                }
            )
        treated_blocks.append((treated[columns], control[columns]))
        control_blocks.append(control[columns])
    if not cells:
        raise ModelSkipped("no_pre_period")
    # noise of a unit's changes: covariance over control units (pairwise complete),
    # for the trial units' means (per cohort) and for the shared control mean
    stacked = pd.concat(control_blocks, axis=1)
    shared = stacked.cov().to_numpy() / n_controls
    covariance = np.nan_to_num(shared)
    offset = 0
    for treated, control in treated_blocks:
        width = treated.shape[1]
        own = control.cov().to_numpy()
        n_t = treated.notna().sum().to_numpy().clip(min=1)
        covariance[offset : offset + width, offset : offset + width] += np.nan_to_num(
            own / np.sqrt(np.outer(n_t, n_t))
        )
        offset += width
    return EventProfiles(
        pd.DataFrame(cells),
        covariance,
        n_controls,
        int(frame.loc[frame["g"] > 0, "unit_id"].nunique()),
    )


def _unit_bin_changes(frame: pd.DataFrame) -> pd.DataFrame | None:
    """Unit × bin mean of the residualised outcome minus the unit's bin −1 mean."""
    means = frame.groupby(["unit_id", "_bin"])["_r"].mean().unstack("_bin")
    if -1 not in means.columns:
        return None
    return means.sub(means[-1], axis=0).dropna(subset=[-1])


def _event_rows(
    profiles: EventProfiles,
    *,
    outcome: str,
    spec: str,
    scope: str,
    config: SpecConfig,
    n_obs: int,
    caseload_mean: float,
) -> list[dict]:
    cells = profiles.cells
    beta = cells["estimate"].to_numpy()
    vcov = profiles.covariance
    nu = max(profiles.n_controls - 1, 1)
    q = stats.t.ppf(1 - config.alpha / 2, nu)
    base = {
        "outcome": outcome,
        "spec": spec,
        "n_obs": n_obs,
        "n_clusters": profiles.n_controls + profiles.n_treated,
        "scope": scope,
        "cluster_var": "unit_id",
        "caseload_mean": caseload_mean,
        "inference": "unit-level",
        "n_treated": profiles.n_treated,
    }
    weights: dict[int, np.ndarray] = {}
    for k, group in cells.groupby("bin"):
        w = np.zeros(len(cells))
        w[group.index] = group["n_treated"] / group["n_treated"].sum()
        weights[int(k)] = w
    rows = [{**base, "term": S.event_term(-1), "estimate": 0.0, "event_time": -1.0,
             "note": "reference bin"}]  # fmt: skip
    for k in sorted(weights):
        w = weights[k]
        est = float(w @ beta)
        se = float(np.sqrt(max(w @ vcov @ w, 0.0)))
        rows.append(
            {
                **base,
                "term": S.event_term(k),
                "estimate": est,
                "std_error": se,
                "ci_low": est - q * se,
                "ci_high": est + q * se,
                "p_value": float(2 * stats.t.sf(abs(est / se), nu)) if se > 0 else np.nan,
                "event_time": float(k),
            }
        )
    leads = sorted(k for k in weights if k <= -2)
    if leads:
        rows.append({**base, **_pretrend(leads, weights, beta, vcov, nu)})
    return rows


def _pretrend(leads, weights, beta, vcov, nu) -> dict:
    """Joint test that all lead bins are zero (Hotelling-type F with ``nu`` df)."""
    r = np.vstack([weights[k] for k in leads])
    b = r @ beta
    v = r @ vcov @ r.T
    n_leads = len(leads)
    if nu - n_leads + 1 >= 1 and np.linalg.matrix_rank(v) == n_leads:
        t2 = float(b @ np.linalg.solve(v, b))
        df2 = nu - n_leads + 1
        f_stat = t2 * df2 / (nu * n_leads)
        p = float(stats.f.sf(f_stat, n_leads, df2))
        note = f"joint F test of {n_leads} lead bins = 0 (F({n_leads}, {df2}))"
    else:
        a = np.full(n_leads, 1.0 / n_leads)
        se = float(np.sqrt(max(a @ v @ a, 0.0)))
        f_stat = float((a @ b / se) ** 2) if se > 0 else np.nan
        p = float(stats.f.sf(f_stat, 1, nu)) if se > 0 else np.nan
        note = (
            f"test of the average of {n_leads} lead bins = 0 (F(1, {nu})): too few "
            "control units for a joint test of every lead"
        )
    return {"term": S.TERM_PRETREND, "estimate": f_stat, "p_value": p, "note": note}
