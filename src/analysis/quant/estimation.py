"""Fitting one model with pyfixest, and the shared steps of every estimator.

:func:`feols` fits a formula with cluster-robust (CRV1) errors and returns a
:class:`Fitted`: the model and the size of the sample it was fitted on, counted from the
data through pyfixest's public API (pyfixest keeps the number of clusters and
observations only in private attributes). :func:`crv1_rows` turns a model into tidy
estimate rows; :func:`each_outcome` runs an estimator per outcome and turns what the data
cannot support into skip records (:mod:`analysis.quant.checks`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.quant import specs as S
from analysis.quant.checks import ModelSkipped, Skip, skipped_frame
from analysis.quant.inference import wild_p
from analysis.quant.results import ModelRun, empty_estimates, normalise
from analysis.quant.specs import SpecConfig

#: the estimators' log: the logger the docs name for failed models (docs/quant.md)
LOG = logging.getLogger("analysis.quant.fit")


@dataclass(frozen=True)
class Fitted:
    """A fitted pyfixest model, the rows it was fitted on and their clusters."""

    model: Any
    n_obs: int
    n_clusters: int


def feols(fml: str, data: pd.DataFrame, cluster: str, config: SpecConfig) -> Fitted:
    """``fml`` fitted by pyfixest with CRV1 errors clustered by ``cluster``.

    ``fml`` names columns of ``data`` only (``y ~ a + b`` or ``y ~ a + b | unit_id + t``).
    Singleton fixed-effect levels are dropped, as pyfixest does by default (stated here
    so that :func:`estimation_sample` counts the same rows)."""
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pf.feols(
            fml, data, vcov={"CRV1": cluster}, fixef_tol=config.fixef_tol, fixef_rm="singleton"
        )
    return Fitted(model, *sample_size(model, fml, data, cluster))


def sample_size(model, fml: str, data: pd.DataFrame, cluster: str) -> tuple[int, int]:
    """The observations and clusters of a model pyfixest fitted as ``fml`` on ``data``:
    the rows of its residuals (public API), and the clusters among the rows
    :func:`estimation_sample` finds (raising if the two disagree on the rows)."""
    sample = estimation_sample(fml, data)
    n_obs = len(model.resid())
    if len(sample) != n_obs:
        raise RuntimeError(
            f"pyfixest fitted {fml!r} on {n_obs} rows, but its sample counts {len(sample)}: "
            "analysis.quant.estimation.estimation_sample no longer matches pyfixest"
        )
    return n_obs, int(sample[cluster].nunique())


def estimation_sample(fml: str, data: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``data`` that pyfixest fits ``fml`` on: rows with a missing or
    infinite value in a variable of the formula left out, then, repeatedly, rows alone in
    a level of a fixed effect (pyfixest's own :func:`pyfixest.estimation.detect_singletons`)."""
    from pyfixest.estimation import detect_singletons

    left, right = fml.split("~", 1)
    terms, _, effects = right.partition("|")
    fixed = [name.strip() for name in effects.split("+") if name.strip()]
    variables = [left.strip(), *(name.strip() for name in terms.split("+")), *fixed]
    values = data[[name for name in dict.fromkeys(variables) if name not in {"0", "1"}]]
    numbers = values.select_dtypes("number").to_numpy(dtype=float, na_value=np.nan)
    keep = values.notna().all(axis=1).to_numpy() & np.isfinite(numbers).all(axis=1)
    sample = data[keep]
    if fixed and len(sample):
        ids = np.column_stack([pd.factorize(sample[name])[0] for name in fixed])
        sample = sample[~detect_singletons(np.asfortranarray(ids, dtype=np.int32))]
    return sample


def crv1_rows(
    fitted: Fitted,
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
    """One estimate row per term of ``terms`` in the model: CRV1 interval and p-value, and
    for ``wild_terms`` the wild-bootstrap p-value when clusters are few."""
    model = fitted.model
    tidy = model.tidy(alpha=config.alpha)
    n_clusters = fitted.n_clusters
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
                "n_obs": fitted.n_obs,
                "n_clusters": n_clusters,
                "p_wild": (
                    wild_p(model, term, cluster, n_clusters, config)
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


def fixed_effect_covariates(frame: pd.DataFrame, config: SpecConfig) -> list[str]:
    """Covariates that vary within months (others are absorbed by month effects)."""
    found = []
    for name in S.covariates_in(frame, config):
        within = frame[name] - frame.groupby("t")[name].transform("mean")
        if np.any(np.abs(within.to_numpy(dtype=float)) > 1e-12):
            found.append(name)
    return found


def outcome_sample(frame: pd.DataFrame, outcome: str, columns: Sequence[str]) -> pd.DataFrame:
    """The rows with the outcome and every column of ``columns``."""
    return frame.dropna(subset=[outcome, *columns])


def each_outcome(outcomes, spec, scope, fit_one) -> ModelRun:
    """Run ``fit_one(outcome) -> rows`` per outcome, turning skips into records."""
    rows: list[dict] = []
    skips: list[Skip] = []
    for outcome in outcomes:
        try:
            rows += fit_one(outcome)
        except ModelSkipped as exc:
            skips.append(Skip.from_error(exc, spec, scope, outcome))
        except estimation_errors() as exc:
            # the reader sees one sentence naming the model; the details go to the log
            LOG.warning("%s (%s, %s) failed: %s", spec, scope, outcome, exc, exc_info=True)
            skips.append(Skip(spec, scope, outcome, "estimation_failed", _short(exc)))
    estimates = normalise(pd.DataFrame(rows)) if rows else empty_estimates()
    return ModelRun(estimates, skipped_frame(skips))


def estimation_errors() -> tuple[type[Exception], ...]:
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


def whole_model_skip(spec: str, scope: str, outcomes: Sequence[str], exc: ModelSkipped):
    """The run of a model the data cannot support at all: one skip per outcome."""
    skips = [Skip.from_error(exc, spec, scope, o) for o in outcomes] or [
        Skip.from_error(exc, spec, scope, "")
    ]
    return ModelRun(empty_estimates(), skipped_frame(skips))


def check_trial(frame: pd.DataFrame) -> None:
    """Raise :class:`ModelSkipped` unless the frame has a trial with controls and months
    before and from its start."""
    treated = frame[frame["g"] > 0]
    if treated.empty:
        raise ModelSkipped("no_trial")
    if not (frame["g"] == 0).any():
        raise ModelSkipped("no_controls")
    if not (treated["t"] < treated["g"]).any():
        raise ModelSkipped("no_pre_period")
    if not (treated["t"] >= treated["g"]).any():
        raise ModelSkipped("no_post_period")
