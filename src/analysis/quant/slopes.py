"""Caseload slopes: how outcomes move with caseload across the whole panel.

Pooled OLS (the descriptive association), two-way fixed effects in log caseload or in
cases, caseload bands against a reference band (dose-response), and a linear spline in
log caseload (the check of the log form and the effects of realistic moves). Each
estimator takes a prepared panel (:func:`analysis.quant.specs.prepare_panel`), a list of
outcomes and a :class:`~analysis.quant.specs.SpecConfig` and returns a
:class:`~analysis.quant.results.ModelRun`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.quant import specs as S
from analysis.quant.checks import (
    ModelSkipped,
    check_caseload_variation,
    check_outcome,
    check_units,
    choose_cluster,
)
from analysis.quant.estimation import (
    crv1_rows,
    each_outcome,
    feols,
    fixed_effect_covariates,
    outcome_sample,
)
from analysis.quant.inference import linear_combination
from analysis.quant.results import ModelRun
from analysis.quant.specs import DEFAULT_CONFIG, SpecConfig


def fit_pooled(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    config: SpecConfig = DEFAULT_CONFIG,
    scope: str = S.NATIONAL,
) -> ModelRun:
    """Pooled OLS of each outcome on log caseload and covariates (no fixed effects):
    the descriptive association, confounded by whatever differs between units."""
    covariates = S.covariates_in(frame, config)

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = outcome_sample(frame, outcome, ["log_caseload", *covariates])
        if data["caseload"].nunique() < 2:
            raise ModelSkipped("no_caseload_variation")
        cluster, _ = choose_cluster(data, config.min_clusters)
        rhs = " + ".join([S.TERM_LOG, *covariates])
        fitted = feols(f"{outcome} ~ {rhs}", data, cluster, config)
        return crv1_rows(
            fitted,
            [S.TERM_LOG],
            outcome=outcome,
            spec=S.POOLED,
            scope=scope,
            cluster=cluster,
            config=config,
            caseload_mean=float(data["caseload"].mean()),
            wild_terms=[S.TERM_LOG],
            note="descriptive association, not an effect",
        )

    return each_outcome(outcomes, S.POOLED, scope, one)


def fit_twfe(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    config: SpecConfig = DEFAULT_CONFIG,
    scope: str = S.NATIONAL,
    *,
    log: bool = True,
) -> ModelRun:
    """Unit and month fixed effects, caseload in logs (``twfe_log``) or levels
    (``twfe_level``), plus covariates that vary within months."""
    spec, term = (S.TWFE_LOG, S.TERM_LOG) if log else (S.TWFE_LEVEL, S.TERM_LEVEL)
    covariates = fixed_effect_covariates(frame, config)

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = outcome_sample(frame, outcome, [term, *covariates])
        check_units(data)
        check_caseload_variation(data)
        cluster, _ = choose_cluster(data, config.min_clusters)
        rhs = " + ".join([term, *covariates])
        fitted = feols(f"{outcome} ~ {rhs} | unit_id + t", data, cluster, config)
        return crv1_rows(
            fitted,
            [term],
            outcome=outcome,
            spec=spec,
            scope=scope,
            cluster=cluster,
            config=config,
            caseload_mean=float(data["caseload"].mean()),
            wild_terms=[term],
        )

    return each_outcome(outcomes, spec, scope, one)


def fit_dose(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    config: SpecConfig = DEFAULT_CONFIG,
    scope: str = S.NATIONAL,
) -> ModelRun:
    """Caseload bands against the reference band, with unit and month fixed effects."""
    covariates = fixed_effect_covariates(frame, config)
    reference = S.reference_band(config)
    bands = [b.term for b in S.caseload_bands(config) if b.term != reference.term]

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = outcome_sample(frame, outcome, covariates)
        check_units(data)
        within = [
            b
            for b in bands
            if data[b].sum() > 0
            and (data[b] - data.groupby("unit_id")[b].transform("mean")).abs().max() > 0
        ]
        if data[reference.term].sum() == 0 or not within:
            raise ModelSkipped("few_bands", value=reference.label())
        cluster, _ = choose_cluster(data, config.min_clusters)
        rhs = " + ".join([*within, *covariates])
        fitted = feols(f"{outcome} ~ {rhs} | unit_id + t", data, cluster, config)
        return crv1_rows(
            fitted,
            within,
            outcome=outcome,
            spec=S.DOSE,
            scope=scope,
            cluster=cluster,
            config=config,
            caseload_mean=float(data["caseload"].mean()),
            note=f"against caseload {reference.label()}",
        )

    return each_outcome(outcomes, S.DOSE, scope, one)


def _knots_with_support(data: pd.DataFrame, config: SpecConfig) -> list[float]:
    """The band edges the spline can bend at: units in at least
    ``config.min_treated_clusters`` clusters whose caseload lies clearly on both sides of
    the knot (below 0.9 and above 1.1 times it), and 1 % of the rows (at least 30) on each
    side. Units that straddle a knot only by noise (trial units held at 60 ± 2 %) give no
    support: a change of slope resting on them had tests far off their size."""
    need = max(30, int(0.01 * len(data)))
    cluster, _ = choose_cluster(data, config.min_clusters)
    knots = []
    for knot in config.band_edges:
        below = data["caseload"] <= 0.9 * knot
        above = data["caseload"] >= 1.1 * knot
        sides = data.assign(_b=below, _a=above).groupby("unit_id")[["_b", "_a"]].any()
        crossing = sides.index[sides["_b"] & sides["_a"]]
        clusters = data.loc[data["unit_id"].isin(crossing), cluster].nunique()
        if (
            below.sum() >= need
            and above.sum() >= need
            and (clusters >= config.min_treated_clusters)
        ):
            knots.append(float(knot))
    return knots


def fit_spline(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    config: SpecConfig = DEFAULT_CONFIG,
    scope: str = S.NATIONAL,
) -> ModelRun:
    """A linear spline in log caseload with unit and month fixed effects: the
    linearity check of the log specification and the effects of realistic moves.

    Knots at the band edges with support in the data (:func:`_knots_with_support`). The
    ``linearity_joint`` row tests that every change of slope is zero, i.e. that the log
    specification fits; ``move_<from>_<to>`` rows give f(to) − f(from) with its delta-
    method interval for each move of :data:`analysis.quant.specs.MOVES` inside the
    caseloads the panel has (no extrapolation). The ``linearity_joint`` row holds the
    largest |t| of the changes of slope and the Bonferroni p-value of all of them (a Wald
    test on their joint covariance over-rejected badly: see the comment below)."""
    covariates = fixed_effect_covariates(frame, config)

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = outcome_sample(frame, outcome, ["log_caseload", *covariates])
        check_units(data)
        check_caseload_variation(data)
        knots = _knots_with_support(data, config)
        if not knots:
            raise ModelSkipped("few_bands", value=S.reference_band(config).label())
        basis = S.spline_basis(data["caseload"], knots)
        hinges_only = basis.drop(columns=[S.TERM_LOG])
        data = data.drop(columns=list(hinges_only.columns), errors="ignore").join(hinges_only)
        cluster, _ = choose_cluster(data, config.min_clusters)
        terms = list(basis.columns)
        rhs = " + ".join([*terms, *covariates])
        fitted = feols(f"{outcome} ~ {rhs} | unit_id + t", data, cluster, config)
        model = fitted.model
        names = list(model.coef().index)
        if any(term not in names for term in terms):
            raise ModelSkipped("few_bands", value=S.reference_band(config).label())
        index = [names.index(term) for term in terms]
        coef = np.asarray(model.coef(), dtype=float)[index]
        # pyfixest has no public accessor for the coefficients' covariance matrix
        vcov = np.asarray(model._vcov, dtype=float)[np.ix_(index, index)]
        n_clusters = fitted.n_clusters
        df = n_clusters - 1
        base = {
            "outcome": outcome,
            "spec": S.SPLINE,
            "n_obs": fitted.n_obs,
            "n_clusters": n_clusters,
            "scope": scope,
            "cluster_var": cluster,
            "caseload_mean": float(data["caseload"].mean()),
            "inference": "crv1",
        }
        rows = crv1_rows(fitted, terms, outcome=outcome, spec=S.SPLINE, scope=scope,
                         cluster=cluster, config=config, caseload_mean=base["caseload_mean"],
                         note="linear spline in log caseload")  # fmt: skip
        # the test of the log form: every change of slope zero. A Wald test on the hinges'
        # joint CRV1 covariance rejected a true log form in 30-38 % of draws (the hinges
        # are nearly collinear and rest on the few units that cross the knots), while each
        # hinge's own t-test kept its size; so the joint p-value is Bonferroni's: the
        # smallest hinge p-value times the number of hinges (conservative, valid)
        hinge_rows = [r for r in rows if r["term"].startswith("hinge_")]
        p_values = [r["p_value"] for r in hinge_rows if np.isfinite(r["p_value"])]
        p = min(1.0, len(hinge_rows) * min(p_values)) if p_values else np.nan
        largest = max((abs(r["estimate"] / r["std_error"]) for r in hinge_rows
                       if r["std_error"] > 0), default=np.nan)  # fmt: skip
        knot_text = ", ".join(f"{k:g}" for k in knots)
        rows.append({**base, "term": S.TERM_LINEARITY, "estimate": largest, "p_value": p,
                     "note": f"test that the slope of log caseload does not change at "
                             f"{knot_text} cases: the largest |t| of the changes of slope "
                             f"(CRV1, {max(df, 1)} df) and its Bonferroni p-value "
                             f"({len(hinge_rows)} tests): the log specification"})  # fmt: skip
        low, high = float(data["caseload"].min()), float(data["caseload"].max())
        for start, end in S.MOVES:
            if not (low <= min(start, end) and max(start, end) <= high):
                continue
            x = S.spline_basis(np.array([start, end]), knots).to_numpy()
            weights = x[1] - x[0]
            rows.append({**base, "term": S.move_term(start, end),
                         **linear_combination(coef, vcov, weights, df, config.alpha),
                         "note": f"effect of moving from {start:g} to {end:g} cases per "
                                 "caseworker (spline)"})  # fmt: skip
        return rows

    return each_outcome(outcomes, S.SPLINE, scope, one)
