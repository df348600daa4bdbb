"""Estimators of the caseload specifications (pyfixest; statsmodels where pyfixest lacks).

Every estimator takes a prepared panel (:func:`analysis.quant.specs.prepare_panel`), a
list of outcomes and a :class:`~analysis.quant.specs.SpecConfig`, and returns a
:class:`~analysis.quant.results.ModelRun`: tidy estimate rows plus a skip record for
each model the data cannot support. Standard errors are cluster-robust (CRV1) by
municipality, or by unit inside one municipality; with fewer than
``config.few_clusters`` clusters the main term also gets a wild cluster bootstrap
p-value. A trial design with fewer than ``config.min_treated_clusters`` treated clusters
gets neither: its p-value comes from placebo trials (:mod:`analysis.quant.placebo`) and
it has no interval. Every row names the method behind its interval (``inference``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.quant import specs as S
from analysis.quant.checks import (
    ModelSkipped,
    Skip,
    check_caseload_variation,
    check_outcome,
    check_units,
    choose_cluster,
    skipped_frame,
)
from analysis.quant.results import ModelRun, adjust_pvalues, empty_estimates, normalise
from analysis.quant.specs import DEFAULT_CONFIG, SpecConfig

LOG = logging.getLogger(__name__)

ONE_TREATED_NOTE = (
    "one treated unit: cluster-robust and wild-bootstrap inference are unreliable with a "
    "single treated cluster; read did_collapsed for the interval"
)
FEW_TREATED_NOTE = (
    "{n} treated clusters: cluster-robust standard errors rest on few treated clusters "
    "and may be too small"
)


# --- pyfixest plumbing -------------------------------------------------------------------


def _feols(fml: str, data: pd.DataFrame, cluster: str, config: SpecConfig):
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.feols(fml, data, vcov={"CRV1": cluster}, fixef_tol=config.fixef_tol)


def _n_clusters(model) -> int:
    g = model._G
    return int(np.min(np.asarray(g))) if np.size(g) else 0


def _wild_p(model, term: str, cluster: str, n_clusters: int, config: SpecConfig) -> float:
    """Wild cluster bootstrap p-value (null imposed, Webb weights) when clusters are few."""
    if n_clusters >= config.few_clusters:
        return np.nan
    from analysis.quant import wild_bootstrap

    wild_bootstrap.install()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.wildboottest(
            reps=config.wild_reps,
            param=term,
            cluster=cluster,
            weights_type="webb",
            seed=config.seed,
        )
    return float(result["Pr(>|t|)"])


def _rows(
    model,
    terms: Sequence[str],
    *,
    outcome: str,
    spec: str,
    scope: str,
    cluster: str,
    config: SpecConfig,
    caseload_mean: float,
    wild_terms: Sequence[str] = (),
    note: str | None = None,
    n_treated: int | None = None,
) -> list[dict]:
    tidy = model.tidy(alpha=config.alpha)
    n_clusters = _n_clusters(model)
    rows = []
    for term in terms:
        if term not in tidy.index:
            continue
        row = tidy.loc[term]
        rows.append(
            {
                "outcome": outcome,
                "spec": spec,
                "term": term,
                "estimate": float(row["Estimate"]),
                "std_error": float(row["Std. Error"]),
                "ci_low": float(row.iloc[4]),
                "ci_high": float(row.iloc[5]),
                "p_value": float(row["Pr(>|t|)"]),
                "n_obs": int(model._N),
                "n_clusters": n_clusters,
                "p_wild": (
                    _wild_p(model, term, cluster, n_clusters, config)
                    if term in wild_terms
                    else np.nan
                ),
                "scope": scope,
                "cluster_var": cluster,
                "caseload_mean": caseload_mean,
                "note": note,
                "inference": "crv1",
                "n_treated": n_treated,
            }
        )
    return rows


def _placebo_rows(rows: list[dict], result, note: str | None) -> list[dict]:
    """Rows of a design with too few treated clusters: the point estimate kept, the
    cluster-robust standard error, interval and p-value (and any wild-bootstrap p-value)
    replaced by the placebo p-value."""
    from analysis.quant.placebo import PlaceboResult

    assert isinstance(result, PlaceboResult)
    text = result.note() if not note else f"{note}; {result.note()}"
    return [
        {
            **row,
            "std_error": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": result.p_value if result.n_placebos else np.nan,
            "p_wild": np.nan,
            "p_min": result.p_min,
            "inference": "placebo" if result.n_placebos else "none",
            "note": text,
        }
        for row in rows
    ]


def _fixed_effect_covariates(frame: pd.DataFrame, config: SpecConfig) -> list[str]:
    """Covariates that vary within months (others are absorbed by month effects)."""
    found = []
    for name in S.covariates_in(frame, config):
        within = frame[name] - frame.groupby("t")[name].transform("mean")
        if np.any(np.abs(within.to_numpy(dtype=float)) > 1e-12):
            found.append(name)
    return found


def _outcome_sample(frame: pd.DataFrame, outcome: str, columns: Sequence[str]) -> pd.DataFrame:
    return frame.dropna(subset=[outcome, *columns])


def _each_outcome(outcomes, spec, scope, fit_one) -> ModelRun:
    """Run ``fit_one(outcome) -> rows`` per outcome, turning skips into records."""
    rows: list[dict] = []
    skips: list[Skip] = []
    for outcome in outcomes:
        try:
            rows += fit_one(outcome)
        except ModelSkipped as exc:
            skips.append(Skip.from_error(exc, spec, scope, outcome))
        except _estimation_errors() as exc:
            # the reader sees one sentence naming the model; the details go to the log
            LOG.warning("%s (%s, %s) failed: %s", spec, scope, outcome, exc, exc_info=True)
            skips.append(Skip(spec, scope, outcome, "estimation_failed", _short(exc)))
    estimates = normalise(pd.DataFrame(rows)) if rows else empty_estimates()
    return ModelRun(estimates, skipped_frame(skips))


def _estimation_errors() -> tuple[type[Exception], ...]:
    """Errors that mean "this model cannot be fitted on these data" (not bugs)."""
    from pyfixest import errors as pe

    return (
        ValueError,
        ZeroDivisionError,
        np.linalg.LinAlgError,
        pe.MatrixNotFullRankError,
        pe.EmptyDesignMatrixError,
        pe.NanInClusterVarError,
        pe.NonConvergenceError,
        pe.EmptyVcovError,
    )


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _whole_model_skip(spec: str, scope: str, outcomes: Sequence[str], exc: ModelSkipped):
    skips = [Skip.from_error(exc, spec, scope, o) for o in outcomes] or [
        Skip.from_error(exc, spec, scope, "")
    ]
    return ModelRun(empty_estimates(), skipped_frame(skips))


# --- caseload slopes ------------------------------------------------------------------------


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
        data = _outcome_sample(frame, outcome, ["log_caseload", *covariates])
        if data["caseload"].nunique() < 2:
            raise ModelSkipped("no_caseload_variation")
        cluster, _ = choose_cluster(data, config.min_clusters)
        rhs = " + ".join([S.TERM_LOG, *covariates])
        model = _feols(f"{outcome} ~ {rhs}", data, cluster, config)
        return _rows(
            model,
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

    return _each_outcome(outcomes, S.POOLED, scope, one)


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
    covariates = _fixed_effect_covariates(frame, config)

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = _outcome_sample(frame, outcome, [term, *covariates])
        check_units(data)
        check_caseload_variation(data)
        cluster, _ = choose_cluster(data, config.min_clusters)
        rhs = " + ".join([term, *covariates])
        model = _feols(f"{outcome} ~ {rhs} | unit_id + t", data, cluster, config)
        return _rows(
            model,
            [term],
            outcome=outcome,
            spec=spec,
            scope=scope,
            cluster=cluster,
            config=config,
            caseload_mean=float(data["caseload"].mean()),
            wild_terms=[term],
        )

    return _each_outcome(outcomes, spec, scope, one)


def fit_dose(
    frame: pd.DataFrame,
    outcomes: Sequence[str],
    config: SpecConfig = DEFAULT_CONFIG,
    scope: str = S.NATIONAL,
) -> ModelRun:
    """Caseload bands against the reference band, with unit and month fixed effects."""
    covariates = _fixed_effect_covariates(frame, config)
    reference = S.reference_band(config)
    bands = [b.term for b in S.caseload_bands(config) if b.term != reference.term]

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = _outcome_sample(frame, outcome, covariates)
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
        model = _feols(f"{outcome} ~ {rhs} | unit_id + t", data, cluster, config)
        return _rows(
            model,
            within,
            outcome=outcome,
            spec=S.DOSE,
            scope=scope,
            cluster=cluster,
            config=config,
            caseload_mean=float(data["caseload"].mean()),
            note=f"against caseload {reference.label()}",
        )

    return _each_outcome(outcomes, S.DOSE, scope, one)


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


def _linear_combination(coef: np.ndarray, vcov: np.ndarray, weights: np.ndarray, df: int,
                        alpha: float) -> dict:  # fmt: skip
    est = float(weights @ coef)
    se = float(np.sqrt(max(weights @ vcov @ weights, 0.0)))
    q = stats.t.ppf(1 - alpha / 2, max(df, 1))
    p = float(2 * stats.t.sf(abs(est / se), max(df, 1))) if se > 0 else np.nan
    return {"estimate": est, "std_error": se, "ci_low": est - q * se, "ci_high": est + q * se,
            "p_value": p}  # fmt: skip


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
    covariates = _fixed_effect_covariates(frame, config)

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = _outcome_sample(frame, outcome, ["log_caseload", *covariates])
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
        model = _feols(f"{outcome} ~ {rhs} | unit_id + t", data, cluster, config)
        names = list(model._coefnames)
        if any(term not in names for term in terms):
            raise ModelSkipped("few_bands", value=S.reference_band(config).label())
        index = [names.index(term) for term in terms]
        coef = np.asarray(model.coef(), dtype=float)[index]
        vcov = np.asarray(model._vcov, dtype=float)[np.ix_(index, index)]
        n_clusters = _n_clusters(model)
        df = n_clusters - 1
        base = {
            "outcome": outcome,
            "spec": S.SPLINE,
            "n_obs": int(model._N),
            "n_clusters": n_clusters,
            "scope": scope,
            "cluster_var": cluster,
            "caseload_mean": float(data["caseload"].mean()),
            "inference": "crv1",
        }
        rows = _rows(model, terms, outcome=outcome, spec=S.SPLINE, scope=scope, cluster=cluster,
                     config=config, caseload_mean=base["caseload_mean"],
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
                         **_linear_combination(coef, vcov, weights, df, config.alpha),
                         "note": f"effect of moving from {start:g} to {end:g} cases per "
                                 "caseworker (spline)"})  # fmt: skip
        return rows

    return _each_outcome(outcomes, S.SPLINE, scope, one)


# --- trials -----------------------------------------------------------------------------------


def _check_trial(frame: pd.DataFrame) -> None:
    treated = frame[frame["g"] > 0]
    if treated.empty:
        raise ModelSkipped("no_trial")
    if not (frame["g"] == 0).any():
        raise ModelSkipped("no_controls")
    if not (treated["t"] < treated["g"]).any():
        raise ModelSkipped("no_pre_period")
    if not (treated["t"] >= treated["g"]).any():
        raise ModelSkipped("no_post_period")


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
        _check_trial(frame)
    except ModelSkipped as exc:
        return _whole_model_skip(S.DID, scope, outcomes, exc)
    covariates = _fixed_effect_covariates(frame, config)
    n_treated = frame.loc[frame["g"] > 0, "unit_id"].nunique()
    note = ONE_TREATED_NOTE if n_treated == 1 else None

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = _outcome_sample(frame, outcome, covariates)
        _check_trial(data)
        cluster, _ = choose_cluster(data, config.min_clusters)
        treated_clusters = int(data.loc[data["g"] > 0, cluster].nunique())
        few = treated_clusters < config.min_treated_clusters
        rhs = " + ".join([S.TERM_TRIAL, *covariates])
        model = _feols(f"{outcome} ~ {rhs} | unit_id + t", data, cluster, config)
        rows = _rows(
            model,
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

        controls = data[data["g"] == 0]
        trials = placebo.assignments(
            controls["unit_id"].unique(),
            data.loc[data["g"] > 0].groupby("unit_id")["g"].first().tolist(),
            config.placebo_draws,
            config.seed,
        )
        estimates = placebo.did_estimates(
            controls, outcome, covariates, trials, tol=config.fixef_tol
        )
        return _placebo_rows(rows, placebo.placebo_p(rows[0]["estimate"], estimates), note)

    return _each_outcome(outcomes, S.DID, scope, one)


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
        _check_trial(frame)
    except ModelSkipped as exc:
        return _whole_model_skip(S.DID_COLLAPSED, scope, outcomes, exc)

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = frame.dropna(subset=[outcome])
        _check_trial(data)
        changes = unit_changes(data, outcome)
        n_units = len(changes)
        if n_units < max(config.min_clusters, 3):
            raise ModelSkipped("few_clusters", value=n_units, limit=max(config.min_clusters, 3))
        design = sm.add_constant(changes["treated"].astype(float))
        fit = sm.OLS(changes["change"].astype(float), design).fit()
        low, high = fit.conf_int(alpha=config.alpha).loc["treated"]
        shift = unit_changes(data, "log_caseload")
        shift = shift[shift["unit_id"].isin(changes["unit_id"])]
        moved = sm.OLS(
            shift["change"].astype(float), sm.add_constant(shift["treated"].astype(float))
        ).fit()
        shift_low, shift_high = moved.conf_int(alpha=config.alpha).loc["treated"]
        return [
            {
                "outcome": outcome,
                "spec": S.DID_COLLAPSED,
                "term": S.TERM_TRIAL,
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
                "note": f"t-test across {n_units} units' pre/post changes, {n_units - 2} df",
                "inference": "unit-level",
                "n_treated": int(changes["treated"].sum()),
            },
            {
                "outcome": outcome,
                "spec": S.DID_COLLAPSED,
                "term": S.TERM_SHIFT,
                "estimate": float(moved.params["treated"]),
                "std_error": float(moved.bse["treated"]),
                "ci_low": float(shift_low),
                "ci_high": float(shift_high),
                "p_value": float(moved.pvalues["treated"]),
                "n_obs": len(data),
                "n_clusters": n_units,
                "scope": scope,
                "cluster_var": "unit_id",
                "caseload_mean": float(data["caseload"].mean()),
                "note": "the trial's change in log caseload, same design (unit-level DiD)",
                "inference": "unit-level",
                "n_treated": int(changes["treated"].sum()),
            },
        ]

    return _each_outcome(outcomes, S.DID_COLLAPSED, scope, one)


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
        _check_trial(frame)
    except ModelSkipped as exc:
        return _whole_model_skip(spec, scope, outcomes, exc)
    covariates = _fixed_effect_covariates(frame, config)

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data = _outcome_sample(frame, outcome, covariates)
        _check_trial(data)
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

    return _each_outcome(outcomes, spec, scope, one)


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
    model = _feols(f"{outcome} ~ {' + '.join(covariates)} | unit_id + t", controls, cluster, config)
    slopes = model.coef()
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
        _check_trial(frame)
    except ModelSkipped as exc:
        return _whole_model_skip(S.STAGGERED, scope, outcomes, exc)
    covariates = _fixed_effect_covariates(frame, config)
    shifts: dict = {}

    def one(outcome: str) -> list[dict]:
        check_outcome(frame, outcome)
        data, dropped = untreated_support(_outcome_sample(frame, outcome, covariates))
        _check_trial(data)
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
        note = "average effect over treated unit-months (two-stage DiD)"
        if dropped:
            note += f"; {dropped} unit(s) with fewer than two months without a trial left out"
        n_treated = int(data.loc[data["g"] > 0, cluster].nunique())
        few = n_treated < config.min_treated_clusters
        if n_treated < config.few_treated_clusters and not few:
            note += "; " + FEW_TREATED_NOTE.format(n=n_treated)
        rows = _rows(
            model,
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

        controls = data[data["g"] == 0]
        trials = placebo.assignments(
            controls["unit_id"].unique(),
            data.loc[data["g"] > 0].groupby("unit_id")["g"].first().tolist(),
            config.placebo_draws,
            config.seed,
        )
        estimates = placebo.imputation_estimates(controls, outcome, covariates, trials)
        result = placebo.placebo_p(rows[0]["estimate"], estimates)
        return _placebo_rows(rows[:1], result, note) + rows[1:]

    return _each_outcome(outcomes, S.STAGGERED, scope, one)


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


# --- runs ---------------------------------------------------------------------------------------


def trial_municipalities(frame: pd.DataFrame) -> list[int]:
    """Municipalities with at least one treated unit that has a trial start."""
    return sorted(int(c) for c in frame.loc[frame["g"] > 0, "municipality_code"].unique())


def run_national(
    frame: pd.DataFrame, outcomes: Sequence[str], config: SpecConfig = DEFAULT_CONFIG
) -> ModelRun:
    """Every model over the whole panel: pooled, TWFE (log, level), dose bands and the
    staggered designs."""
    runs = [
        fit_pooled(frame, outcomes, config),
        fit_twfe(frame, outcomes, config, log=True),
        fit_twfe(frame, outcomes, config, log=False),
        fit_dose(frame, outcomes, config),
        fit_spline(frame, outcomes, config),
    ]
    sample, skips = staggered_sample(frame, config)
    runs.append(ModelRun(empty_estimates(), skipped_frame(skips)))
    runs.append(fit_staggered(sample, outcomes, config))
    runs.append(fit_event_study(sample, outcomes, config, spec=S.STAGGERED_EVENT))
    return ModelRun.combine(runs)


def run_municipality(
    frame: pd.DataFrame, code: int, outcomes: Sequence[str], config: SpecConfig = DEFAULT_CONFIG
) -> ModelRun:
    """The trial designs inside one municipality: its trial unit(s) against its other
    units (DiD, unit-level DiD, event study)."""
    own = frame[frame["municipality_code"] == int(code)]
    scope = str(int(code))
    return ModelRun.combine(
        [
            fit_did(own, outcomes, config, scope),
            fit_did_collapsed(own, outcomes, config, scope),
            fit_event_study(own, outcomes, config, scope),
        ]
    )


def finish(run: ModelRun, simulated: bool) -> ModelRun:
    """Adjust p-values across outcomes and mark simulated rows."""
    estimates = adjust_pvalues(run.estimates)
    estimates["simulated"] = bool(simulated)
    return ModelRun(normalise(estimates), run.skipped.reset_index(drop=True))


def run_all(
    panel: pd.DataFrame,
    outcomes: Sequence[str] | None = None,
    config: SpecConfig = DEFAULT_CONFIG,
    municipalities: Sequence[int] | None = None,
    helpers: Executor | None = None,
) -> ModelRun:
    """National models plus the trial designs of ``municipalities`` (default: every
    municipality with a trial unit), p-values adjusted, on a contract-shaped panel.

    With ``helpers`` (an executor, e.g. other processes) the municipalities' designs are
    offered to it while the national models are fitted here; whichever has not started
    when those are done is fitted here too. The result is the same either way."""
    from analysis.data.caseloads import is_simulated

    frame = S.prepare_panel(panel, config)
    chosen = S.select_outcomes(frame, outcomes)
    if not chosen:
        skips = [Skip(spec, S.NATIONAL, "", "no_outcomes") for spec in S.NATIONAL_SPECS]
        return finish(ModelRun(empty_estimates(), skipped_frame(skips)), is_simulated(panel))
    codes = trial_municipalities(frame) if municipalities is None else municipalities
    offered = {}
    if helpers is not None:
        for code in codes:
            own = frame[frame["municipality_code"] == int(code)]  # only its rows travel
            offered[code] = helpers.submit(run_municipality, own, code, chosen, config)
    runs = [run_national(frame, chosen, config)]
    for code in codes:
        future = offered.get(code)
        if future is None or future.cancel():
            runs.append(run_municipality(frame, code, chosen, config))
        else:
            runs.append(future.result())
    return finish(ModelRun.combine(runs), is_simulated(panel))
