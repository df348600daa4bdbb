"""Trials that start at different times: the staggered designs over the national panel.

Gardner's two-stage DiD (:func:`fit_staggered`, pyfixest ``did2s``), robust to effects
that differ between cohorts, on a sample without the municipalities whose untreated units
were moved by a trial (:func:`spillover_municipalities`, :func:`staggered_sample`). The
staggered event study is :func:`analysis.quant.event_study.fit_event_study` on the same
sample.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import pandas as pd

from analysis.quant import specs as S
from analysis.quant.checks import ModelSkipped, Skip, check_outcome, choose_cluster
from analysis.quant.estimation import (
    Fitted,
    check_trial,
    crv1_rows,
    each_outcome,
    fixed_effect_covariates,
    outcome_sample,
    whole_model_skip,
)
from analysis.quant.inference import FEW_TREATED_NOTE, placebo_rows
from analysis.quant.results import ModelRun
from analysis.quant.specs import DEFAULT_CONFIG, SpecConfig


def spillover_municipalities(frame: pd.DataFrame, config: SpecConfig = DEFAULT_CONFIG) -> dict:
    """Municipalities whose untreated units' caseload jumps at a trial start.

    For each trial start in a municipality: change in mean log caseload of its untreated
    units from the ``spillover_months`` before to the ``spillover_months`` from the start,
    minus the same change for untreated units elsewhere. Returns {code: change} for
    changes beyond ``spillover_threshold`` (their untreated units are treated too).
    """
    flagged: dict[int, float] = {}
    never = frame[frame["g"] == 0]
    for code, group in frame[frame["g"] > 0].groupby("municipality_code"):
        own = never[never["municipality_code"] == code]
        other = never[never["municipality_code"] != code]
        if own.empty:
            continue
        for start in group["g"].unique():
            window = (int(start), config.spillover_months)
            shift = _caseload_change(own, *window) - (
                _caseload_change(other, *window) if not other.empty else 0.0
            )
            if abs(shift) > config.spillover_threshold:
                flagged[int(code)] = round(shift, 3)
    return flagged


def _caseload_change(rows: pd.DataFrame, start: int, months: int) -> float:
    """Mean log caseload in the ``months`` from ``start`` minus the ``months`` before."""
    before = rows[(rows["t"] >= start - months) & (rows["t"] < start)]
    after = rows[(rows["t"] >= start) & (rows["t"] < start + months)]
    return float(after["log_caseload"].mean() - before["log_caseload"].mean())


def staggered_sample(frame: pd.DataFrame, config: SpecConfig = DEFAULT_CONFIG):
    """The staggered design's sample (spillover municipalities removed) and the skips
    recording what was removed."""
    flagged = spillover_municipalities(frame, config)
    skips = [
        Skip(spec, S.NATIONAL, "", "spillover", str(code), f"{config.spillover_threshold:g}")
        for code in flagged
        for spec in (S.STAGGERED, S.STAGGERED_EVENT)
    ]
    return frame[~frame["municipality_code"].isin(flagged)], skips


def untreated_support(data: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows the two-stage DiD can use, and how many units were left out.

    Its first stage fits unit and month effects on the untreated rows; a unit or a month
    with fewer than two of them is a singleton there, which pyfixest drops, after which
    ``did2s`` fails on arrays of different lengths (the national panel's staff surveys
    have units with one surveyed month). Such units and months carry no information on
    the effects, so they are left out, repeatedly until none is left."""
    out = data
    while True:
        untreated = out[out[S.TERM_TRIAL] == 0]
        units = untreated.groupby("unit_id").size()
        months = untreated.groupby("t").size()
        keep_units = units.index[units >= 2]
        keep_months = months.index[months >= 2]
        kept = out[out["unit_id"].isin(keep_units) & out["t"].isin(keep_months)]
        if len(kept) == len(out):
            break
        out = kept
    return out, int(data["unit_id"].nunique() - out["unit_id"].nunique())


def fit_staggered(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    config: SpecConfig = DEFAULT_CONFIG,
    scope: str = S.NATIONAL,
) -> ModelRun:
    """Gardner's two-stage DiD (pyfixest ``did2s``): unit and month effects (and
    covariates) fitted on untreated observations, then the residualised outcome on the
    trial indicator. The average effect over treated unit-months, robust to effects
    that differ between cohorts (where the TWFE DiD is not).

    With fewer than ``config.min_treated_clusters`` treated clusters the cluster-robust
    interval is not given (it covered the truth in 17 % of draws with one treated unit);
    the p-value comes from placebo trials among the never-treated units."""
    import pyfixest as pf

    try:
        check_trial(frame)
    except ModelSkipped as exc:
        return whole_model_skip(S.STAGGERED, scope, outcomes, exc)
    covariates = fixed_effect_covariates(frame, config)
    shifts: dict = {}

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data, dropped = untreated_support(outcome_sample(frame, outcome, covariates))
        check_trial(data)
        cluster, _ = choose_cluster(data, config.min_clusters)
        first = " + ".join(covariates) if covariates else "0"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = pf.did2s(
                data,
                yname=outcome,
                first_stage=f"~ {first} | unit_id + t",
                second_stage=f"~ {S.TERM_TRIAL}",
                treatment=S.TERM_TRIAL,
                cluster=cluster,
            )
        # the clusters of the second stage's vcov are those of ``data`` (pyfixest's did2s)
        fitted = Fitted(model, len(model.resid()), int(data[cluster].nunique()))
        note = "average effect over treated unit-months (two-stage DiD)"
        if dropped:
            note += f"; {dropped} unit(s) with fewer than two months without a trial left out"
        n_treated = int(data.loc[data["g"] > 0, cluster].nunique())
        few = n_treated < config.min_treated_clusters
        if n_treated < config.few_treated_clusters and not few:
            note += "; " + FEW_TREATED_NOTE.format(n=n_treated)
        rows = crv1_rows(
            fitted,
            [S.TERM_TRIAL],
            outcome=outcome,
            spec=S.STAGGERED,
            scope=scope,
            cluster=cluster,
            config=config,
            caseload_mean=float(data["caseload"].mean()),
            note=note,
            n_treated=n_treated,
        )
        for row in rows:
            row["term"] = S.TERM_ATT
        rows += _staggered_shift(data, outcome, scope, cluster, config, n_treated, shifts)
        if not few or not rows:
            return rows
        from analysis.quant import placebo

        controls, trials = placebo.panel_assignments(data, config.placebo_draws, config.seed)
        estimates = placebo.imputation_estimates(controls, outcome, covariates, trials)
        result = placebo.placebo_p(rows[0]["estimate"], estimates)
        return placebo_rows(rows[:1], result, note) + rows[1:]

    return each_outcome(outcomes, S.STAGGERED, scope, one)


def _staggered_shift(
    data: pd.DataFrame,
    outcome: str,
    scope: str,
    cluster: str,
    config: SpecConfig,
    n_treated: int,
    shifts: dict,
) -> list[dict]:
    """The trials' average change in log caseload on their treated unit-months, by the same
    two-stage DiD (imputation, no covariates): the move the average effect belongs to, so
    that a log-caseload slope can be put on the same scale (slope × shift). A point
    estimate (``inference`` none), computed once per estimation sample (``shifts``)."""
    from analysis.quant.placebo import imputation_att

    key = (len(data), int(data.index.to_numpy().sum()))
    if key not in shifts:
        shifts[key] = imputation_att(data, "log_caseload", [], data[S.TERM_TRIAL].to_numpy() == 1)
    return [
        {
            "outcome": outcome,
            "spec": S.STAGGERED,
            "term": S.TERM_SHIFT,
            "estimate": shifts[key],
            "n_obs": len(data),
            "n_clusters": int(data[cluster].nunique()),
            "scope": scope,
            "cluster_var": cluster,
            "caseload_mean": float(data["caseload"].mean()),
            "note": "the trials' change in log caseload, same design (two-stage DiD, point)",
            "inference": "none",
            "n_treated": n_treated,
        }
    ]
