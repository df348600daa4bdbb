"""Survey non-response and the value goals: does response move with caseload, and how far
could it move the estimates?

The value goals are shares agreeing among those who answered. If fewer people answer
where caseloads are high — and those who stop answering are the dissatisfied — the
respondents' share overstates agreement exactly where caseloads are high, and the
caseload slope is biased towards zero (a Monte Carlo with such a process covered the
truth in 18–30 % of draws). Unit-months with fewer than 5 respondents are left out
(small counts); if they are the high-caseload ones, the sample is selected on caseload.

- :func:`response_checks`: per survey, the two-way fixed-effects slope (unit and month
  effects, CRV1) of the response rate and of the 0/1 "dropped" flag on log caseload. A
  slope with p < 0.05 is the page's warning that response moves with caseload.
- :func:`bound_estimates`: the value goals' slopes as answered, and bounds on the slope
  among everyone invited: whatever the non-respondents would have answered (Manski's
  worst case), and if they differ from the respondents by at most 10 percentage points:
  how much non-response could matter (a sensitivity result).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.quant import specs as S
from analysis.quant.checks import ModelSkipped, choose_cluster
from analysis.quant.specs import DEFAULT_CONFIG, SpecConfig

#: the columns of :func:`response_checks`
CHECK_COLUMNS = ("survey", "measure", "estimate", "ci_low", "ci_high", "p_value", "n_obs",
                 "n_clusters", "moves")  # fmt: skip
#: the columns of :func:`bound_estimates`
BOUND_COLUMNS = ("outcome", "scenario", "estimate", "ci_low", "ci_high", "p_value",
                 "caseload_mean", "n_obs")  # fmt: skip
SCENARIOS = ("answered", "gap_less", "gap_more", "worst_low", "worst_high")
#: the gap between non-respondents' and respondents' share agreeing in the sensitivity
#: result (10 percentage points, in every unit-month)
MARGIN = 0.10
MEASURES = ("response_rate", "dropped")


def response_checks(
    response: pd.DataFrame, config: SpecConfig = DEFAULT_CONFIG, alpha: float = 0.05
) -> pd.DataFrame:
    """Per survey: does the response rate (where invited counts exist) and does the
    chance that a unit-month is dropped (< 5 respondents) move with log caseload within
    units over time? Slopes per log point of caseload with their 95 % interval and
    p-value; ``moves`` when p < ``alpha``. Surveys or measures the data cannot support
    (no invited counts, no caseload variation, too few clusters) have no row."""
    import warnings

    import pyfixest as pf

    from analysis.quant.estimation import estimation_errors, sample_size

    rows = []
    data = response.dropna(subset=["caseload"])
    data = data[data["caseload"] > 0]
    for survey, block in data.groupby("survey", sort=True):
        for measure in MEASURES:
            sample = block.assign(
                y=block[measure].astype(float),
                log_caseload=np.log(block["caseload"].astype(float)),
                unit_key=block["municipality_code"].astype(str) + "/" + block["unit"],
                t=block["period"].astype("period[M]").map(lambda p: p.ordinal),
            ).dropna(subset=["y"])
            sample = sample.assign(unit_id=pd.factorize(sample["unit_key"])[0])
            if sample["y"].nunique() < 2 or sample["unit_id"].nunique() < 2:
                continue
            try:
                cluster, _ = choose_cluster(sample, config.min_clusters)
            except ModelSkipped:
                continue
            fml = "y ~ log_caseload | unit_id + t"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    model = pf.feols(fml, sample, vcov={"CRV1": cluster})
                except estimation_errors():  # a check that cannot be made is left out
                    continue
            n_obs, n_clusters = sample_size(model, fml, sample, cluster)
            tidy = model.tidy(alpha=alpha)
            if "log_caseload" not in tidy.index:
                continue
            row = tidy.loc["log_caseload"]
            p = float(row["Pr(>|t|)"])
            rows.append(
                {
                    "survey": survey,
                    "measure": measure,
                    "estimate": float(row["Estimate"]),
                    "ci_low": float(row.iloc[4]),
                    "ci_high": float(row.iloc[5]),
                    "p_value": p,
                    "n_obs": n_obs,
                    "n_clusters": n_clusters,
                    "moves": bool(p < alpha),
                }
            )
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))


def bound_estimates(
    panel: pd.DataFrame,
    bounds: pd.DataFrame,
    goals: Sequence[str],
    config: SpecConfig = DEFAULT_CONFIG,
    margin: float = MARGIN,
) -> pd.DataFrame:
    """Each value goal's two-way fixed-effects log-caseload slope as answered (with its
    CRV1 interval), and what the slope among *everyone invited* would be under
    assumptions about those who did not answer.

    The slope is a weighted sum of the unit-months' outcomes, β = Σ wᵢ yᵢ (wᵢ the
    residualised log caseload over its sum of squares, Frisch–Waugh–Lovell). Among the
    invited, a unit-month's share agreeing is yᵢ = sᵢ + mᵢ (qᵢ − sᵢ), with sᵢ the
    respondents' share, mᵢ the share not answering and qᵢ the non-respondents' share.

    - ``gap_less`` / ``gap_more``: the non-respondents agree ``margin`` less (more) than
      the respondents in every unit-month: β ∓ margin · Σ wᵢ mᵢ, i.e. the answered slope
      moved by the margin times the slope of the non-response share on log caseload. When
      non-response rises with caseload and those who stop answering are less satisfied,
      the slope among all is steeper than the answered one.
    - ``worst_low`` / ``worst_high``: whatever the non-respondents think (qᵢ anywhere in
      [0, 1], unit-month by unit-month): Σ min(wᵢlᵢ, wᵢhᵢ) and Σ max(...), with lᵢ, hᵢ the
      shares if all of them disagreed or agreed (Manski's bounds: no assumption at all).

    ``bounds`` comes from :func:`analysis.data.survey_summaries.bound_outcomes`; ``panel``
    is the caseload panel in contract form with its covariates. Rows: outcome, scenario
    (:data:`SCENARIOS`), estimate, ci_low, ci_high (answered only), caseload_mean,
    n_obs."""
    from pyfixest.estimation import demean

    from analysis.quant.estimation import fixed_effect_covariates
    from analysis.quant.slopes import fit_twfe

    present = [g for g in goals if g in bounds.columns]
    if not present:
        return pd.DataFrame(columns=list(BOUND_COLUMNS))
    keys = ["municipality_code", "unit", "period"]
    base = panel.drop(
        columns=[c for c in panel.columns if any(c.startswith(g) for g in present)],
        errors="ignore",
    ).assign(
        municipality_code=panel["municipality_code"].astype("int64"),
        unit=panel["unit"].astype(str),
        period=panel["period"].astype("period[M]"),
    )
    frame = S.prepare_panel(base.merge(bounds, on=keys, how="left", validate="1:1"), config)
    covariates = fixed_effect_covariates(frame, config)
    quiet = SpecConfig(**{**config.as_params(), "few_clusters": 0})
    rows = []
    for goal in present:
        low, high = f"{goal}_low", f"{goal}_high"
        data = frame.dropna(subset=[goal, low, high, *covariates])
        if data["unit_id"].nunique() < 2:
            continue
        fitted = fit_twfe(data, [goal], quiet).estimates
        if fitted.empty:
            continue
        answered = fitted.iloc[0]
        x = data[["log_caseload", *covariates]].to_numpy(float)
        fixed = np.column_stack(
            [pd.factorize(data["unit_id"])[0], pd.factorize(data["t"])[0]]
        ).astype(np.uint64)
        demeaned, _ = demean(x, fixed, np.ones(len(data)), tol=config.fixef_tol)
        resid = demeaned[:, 0]
        if covariates:
            cov = demeaned[:, 1:]
            resid = resid - cov @ np.linalg.lstsq(cov, resid, rcond=None)[0]
        weights = resid / float(resid @ resid)
        lows, highs = data[low].to_numpy(float), data[high].to_numpy(float)
        missing = highs - lows  # the share of the invited not answering
        moved = float(weights @ missing)  # the slope of the non-response share
        first, second = weights * lows, weights * highs
        common = {"outcome": goal, "caseload_mean": float(answered["caseload_mean"]),
                  "n_obs": len(data)}  # fmt: skip
        values = {
            "gap_less": answered["estimate"] - margin * moved,
            "gap_more": answered["estimate"] + margin * moved,
            "worst_low": float(np.minimum(first, second).sum()),
            "worst_high": float(np.maximum(first, second).sum()),
        }
        rows.append({**common, "scenario": "answered", "estimate": answered["estimate"],
                     "ci_low": answered["ci_low"], "ci_high": answered["ci_high"],
                     "p_value": answered["p_value"]})  # fmt: skip
        rows += [{**common, "scenario": k, "estimate": v} for k, v in values.items()]
    return pd.DataFrame(rows, columns=list(BOUND_COLUMNS))
