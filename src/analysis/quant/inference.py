"""Inference beyond a model's cluster-robust (CRV1) interval: the wild cluster bootstrap
when clusters are few, placebo p-values when treated clusters are too few for either,
and the delta-method interval of a linear combination of coefficients.

Every estimate row names the method behind its interval (``inference``: ``crv1``,
``placebo``, ``unit-level`` or ``none``).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from analysis.quant.specs import SpecConfig

ONE_TREATED_NOTE = (
    "one treated unit: cluster-robust and wild-bootstrap inference are unreliable with a "
    "single treated cluster; read did_collapsed for the interval"
)
FEW_TREATED_NOTE = (
    "{n} treated clusters: cluster-robust standard errors rest on few treated clusters "
    "and may be too small"
)


def wild_p(model, term: str, cluster: str, n_clusters: int, config: SpecConfig) -> float:
    """Wild cluster bootstrap p-value (null imposed, Webb weights) when clusters are few.

    The bootstrap runs with the vectorised denominator
    (:func:`analysis.quant.wild_bootstrap.vectorised_denominator`), which is in place for
    this call only."""
    if n_clusters >= config.few_clusters:
        return np.nan
    from analysis.quant.wild_bootstrap import vectorised_denominator

    with warnings.catch_warnings(), vectorised_denominator():
        warnings.simplefilter("ignore")
        result = model.wildboottest(
            reps=config.wild_reps,
            param=term,
            cluster=cluster,
            weights_type="webb",
            seed=config.seed,
        )
    return float(result["Pr(>|t|)"])


def placebo_rows(rows: list[dict], result, note: str | None) -> list[dict]:
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


def linear_combination(coef: np.ndarray, vcov: np.ndarray, weights: np.ndarray, df: int,
                       alpha: float) -> dict:  # fmt: skip
    """``weights @ coef`` with its delta-method standard error, interval and p-value
    (t with ``df`` degrees of freedom)."""
    est = float(weights @ coef)
    se = float(np.sqrt(max(weights @ vcov @ weights, 0.0)))
    q = stats.t.ppf(1 - alpha / 2, max(df, 1))
    p = float(2 * stats.t.sf(abs(est / se), max(df, 1))) if se > 0 else np.nan
    return {"estimate": est, "std_error": se, "ci_low": est - q * se, "ci_high": est + q * se,
            "p_value": p}  # fmt: skip
