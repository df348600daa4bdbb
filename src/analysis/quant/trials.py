"""The trial designs: a trial unit against the other units of its municipality.

Difference-in-differences by two-way fixed effects (:func:`fit_did`, cluster-robust, or
placebo inference with too few treated clusters) and the same comparison made on the
units' pre/post changes (:func:`fit_did_collapsed`, valid with a single trial unit). The
event study is in :mod:`analysis.quant.event_study`, the staggered designs in
:mod:`analysis.quant.staggered`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.quant import specs as S
from analysis.quant.checks import ModelSkipped, check_outcome, choose_cluster
from analysis.quant.estimation import (
    check_trial,
    crv1_rows,
    each_outcome,
    feols,
    fixed_effect_covariates,
    outcome_sample,
    whole_model_skip,
)
from analysis.quant.inference import ONE_TREATED_NOTE, placebo_rows
from analysis.quant.results import ModelRun
from analysis.quant.specs import DEFAULT_CONFIG, SpecConfig


def fit_did(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    config: SpecConfig = DEFAULT_CONFIG,
    scope: str = S.NATIONAL,
) -> ModelRun:
    """Difference-in-differences by two-way fixed effects: outcome on the 0/1 trial
    indicator (treated unit from its start) with unit and month fixed effects.

    Cluster-robust (CRV1) interval and, with few clusters, a wild-bootstrap p-value; with
    fewer than ``config.min_treated_clusters`` treated clusters neither (they are far too
    optimistic with one or a few treated clusters) but a placebo p-value from reassigning
    the trial to the control units (:mod:`analysis.quant.placebo`)."""
    try:
        check_trial(frame)
    except ModelSkipped as exc:
        return whole_model_skip(S.DID, scope, outcomes, exc)
    covariates = fixed_effect_covariates(frame, config)
    n_treated = frame.loc[frame["g"] > 0, "unit_id"].nunique()
    note = ONE_TREATED_NOTE if n_treated == 1 else None

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = outcome_sample(frame, outcome, covariates)
        check_trial(data)
        cluster, _ = choose_cluster(data, config.min_clusters)
        treated_clusters = int(data.loc[data["g"] > 0, cluster].nunique())
        few = treated_clusters < config.min_treated_clusters
        rhs = " + ".join([S.TERM_TRIAL, *covariates])
        fitted = feols(f"{outcome} ~ {rhs} | unit_id + t", data, cluster, config)
        rows = crv1_rows(
            fitted,
            [S.TERM_TRIAL],
            outcome=outcome,
            spec=S.DID,
            scope=scope,
            cluster=cluster,
            config=config,
            caseload_mean=float(data["caseload"].mean()),
            wild_terms=[] if few else [S.TERM_TRIAL],
            note=note,
            n_treated=treated_clusters,
        )
        if not few or not rows:
            return rows
        from analysis.quant import placebo

        controls, trials = placebo.panel_assignments(data, config.placebo_draws, config.seed)
        estimates = placebo.did_estimates(
            controls, outcome, covariates, trials, tol=config.fixef_tol
        )
        return placebo_rows(rows, placebo.placebo_p(rows[0]["estimate"], estimates), note)

    return each_outcome(outcomes, S.DID, scope, one)


def unit_changes(frame: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Per unit: mean outcome from the trial start on minus mean before it (one start
    month for all units of the frame), with the unit's treated flag."""
    starts = frame.loc[frame["g"] > 0, "g"].unique()
    if len(starts) != 1:
        raise ModelSkipped("different_starts", value=len(starts))
    post = frame["t"] >= starts[0]
    means = frame.assign(post=post).groupby(["unit_id", "post"])[outcome].mean().unstack("post")
    if True not in means.columns or False not in means.columns:
        raise ModelSkipped("no_pre_period" if False not in means.columns else "no_post_period")
    changes = (means[True] - means[False]).rename("change").to_frame()
    changes["treated"] = frame.groupby("unit_id")["g"].max().gt(0).astype(int)
    return changes.dropna().reset_index()


def fit_did_collapsed(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    config: SpecConfig = DEFAULT_CONFIG,
    scope: str = S.NATIONAL,
) -> ModelRun:
    """The same DiD as a comparison of units' pre/post changes (OLS of each unit's
    change on its treated flag, classical standard error, t with units − 2 df).

    Valid with a single treated unit when units' changes are equally variable: the
    control units' spread stands in for the treated unit's. This is the analysis the
    minimum detectable effect in :mod:`analysis.quant.power` assumes.
    """
    import statsmodels.api as sm

    try:
        check_trial(frame)
    except ModelSkipped as exc:
        return whole_model_skip(S.DID_COLLAPSED, scope, outcomes, exc)

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = frame.dropna(subset=[outcome])
        check_trial(data)
        changes = unit_changes(data, outcome)
        n_units = len(changes)
        if n_units < max(config.min_clusters, 3):
            raise ModelSkipped("few_clusters", value=n_units, limit=max(config.min_clusters, 3))
        shift = unit_changes(data, "log_caseload")
        shift = shift[shift["unit_id"].isin(changes["unit_id"])]

        def row(units: pd.DataFrame, term: str, note: str) -> dict:
            """The OLS of the units' changes on their treated flag, as a tidy row."""
            fit = sm.OLS(
                units["change"].astype(float), sm.add_constant(units["treated"].astype(float))
            ).fit()
            low, high = fit.conf_int(alpha=config.alpha).loc["treated"]
            return {
                "outcome": outcome,
                "spec": S.DID_COLLAPSED,
                "term": term,
                "estimate": float(fit.params["treated"]),
                "std_error": float(fit.bse["treated"]),
                "ci_low": float(low),
                "ci_high": float(high),
                "p_value": float(fit.pvalues["treated"]),
                "n_obs": len(data),
                "n_clusters": n_units,
                "scope": scope,
                "cluster_var": "unit_id",
                "caseload_mean": float(data["caseload"].mean()),
                "note": note,
                "inference": "unit-level",
                "n_treated": int(changes["treated"].sum()),
            }

        return [
            row(
                changes,
                S.TERM_TRIAL,
                f"t-test across {n_units} units' pre/post changes, {n_units - 2} df",
            ),
            row(
                shift,
                S.TERM_SHIFT,
                "the trial's change in log caseload, same design (unit-level DiD)",
            ),
        ]

    return each_outcome(outcomes, S.DID_COLLAPSED, scope, one)
