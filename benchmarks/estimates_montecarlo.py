"""Monte Carlo checks of the estimates (issue 21), larger than the tests can afford.

Each part re-simulates a panel with a known truth many times (seeded) and reports how
often the 95 % intervals cover it, how often a true null is rejected, and what the pages
would say. The tests run the same ideas with fewer draws (``tests/quant``).

    .venv/bin/python benchmarks/estimates_montecarlo.py                 # all parts
    .venv/bin/python benchmarks/estimates_montecarlo.py --draws 50 --parts few_treated

Parts:

- ``few_treated``: København alone (one trial unit of eight). Coverage of the unit-level
  DiD; the cluster-robust (CRV1) interval the pages no longer show; the placebo p-value's
  rejection rate at its floor 1/8 under a true null (exact: 12.5 %).
- ``national_one``: ten municipalities, one with a trial unit: the two-stage DiD's CRV1
  coverage with one treated cluster, and the placebo p-value under a true null.
- ``growing``: staggered starts with effects that grow month by month: did2s coverage and
  how often the page says the fixed-effects slope disagrees with it.
- ``threshold``: an effect only below 100 cases: how often the log slope is "significant"
  and how often the spline test rejects the log form; and its size under a log-linear truth.
- ``nonresponse``: the dissatisfied stop answering where caseloads are high: coverage of
  the slope among everyone invited by the slope as answered, and by Manski's bounds.
- ``mde``: persistent noise (AR(1), rho 0.8): true power at the formula's MDE and at the
  placebo MDE, over several panels.

Figures measured on 2026-12-05 with ``--draws 200`` (``national_one`` and
``nonresponse`` use half; two shared cores, about 16 minutes):

| part | measure | value |
|---|---|---|
| few_treated | unit-level DiD coverage | 95.5 % |
| few_treated | CRV1 coverage (no longer shown) | 62.5 % |
| few_treated | CRV1 rejects a true null at 5 % | 39.0 % |
| few_treated | placebo p at its floor 1/8 under the null (exact 12.5 %) | 13.5 % |
| national_one | did2s CRV1 coverage, one treated cluster (no longer shown) | 16 % |
| national_one | placebo p <= 0.05 under the null, 39 placebos (exact 5 %) | 5.0 % |
| growing | did2s coverage | 98.5 % |
| growing | the page says the slope disagrees with the trials | 55 % |
| threshold | log slope "significant" | 100 % |
| threshold | the spline test rejects the log form | 94.5 % |
| threshold | the spline test rejects a true log form (size) | 4.0 % |
| nonresponse | the answered interval covers the slope among everyone | 11 % |
| nonresponse | the ±10 pp gap range holds it | 0 % |
| nonresponse | Manski's bounds hold it | 100 % |
| mde | true power at the formula's MDE (5 panels) | 67 % |
| mde | true power at the placebo MDE | 75 % |
| mde | placebo MDE / formula MDE | 1.11 |
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "quant"))

OUTCOME = "exit_job_education"


def _unemployment():
    from conftest import synthetic_unemployment  # tests/quant/conftest.py

    from analysis.data.reference import load_municipalities
    from analysis.paths import get_paths

    codes = load_municipalities(get_paths().municipalities_csv)["code"].astype(int).tolist()
    from analysis.data.simulate import DEFAULT_ADOPTERS

    adopters = [c for c, _ in DEFAULT_ADOPTERS]
    others = [c for c in codes if c != 101 and c not in adopters][:21]
    chosen = sorted([101, *adopters, *others])
    return chosen, synthetic_unemployment(chosen)


def _only(config, beta=None):
    outcomes = tuple(e for e in config.outcomes if e.name == OUTCOME)
    if beta is not None:
        outcomes = tuple(replace(e, beta_log_caseload=beta) for e in outcomes)
    return replace(config, outcomes=outcomes)


def few_treated(draws: int) -> dict:
    from analysis.data.simulate import SimulationConfig, simulate_caseloads
    from analysis.quant import fit
    from analysis.quant.specs import SpecConfig, prepare_panel

    _, unemployment = _unemployment()
    base = replace(SimulationConfig(municipalities=(101,)), adopters=())
    crv1 = SpecConfig(min_treated_clusters=0, few_clusters=0)
    placebo = SpecConfig(few_clusters=0)
    covered_unit = covered_crv1 = 0
    null_crv1 = null_placebo = 0
    for seed in range(1, draws + 1):
        panel, truth = simulate_caseloads(replace(_only(base), seed=seed), unemployment)
        implied = truth["koebenhavn_did"]["implied_effect"][OUTCOME]
        frame = prepare_panel(panel)
        unit = fit.fit_did_collapsed(frame, [OUTCOME], placebo, "101").estimates
        unit = unit[unit["term"] == "treated_post"].iloc[0]
        covered_unit += unit["ci_low"] <= implied <= unit["ci_high"]
        row = fit.fit_did(frame, [OUTCOME], crv1, "101").estimates.iloc[0]
        covered_crv1 += row["ci_low"] <= implied <= row["ci_high"]
        null_panel, _ = simulate_caseloads(replace(_only(base, 0.0), seed=seed), unemployment)
        null = prepare_panel(null_panel)
        null_crv1 += fit.fit_did(null, [OUTCOME], crv1, "101").estimates.iloc[0]["p_value"] < 0.05
        p = fit.fit_did(null, [OUTCOME], placebo, "101").estimates.iloc[0]["p_value"]
        null_placebo += p <= 1 / 8 + 1e-9
    return {
        "unit-level DiD coverage": covered_unit / draws,
        "CRV1 coverage (not shown any more)": covered_crv1 / draws,
        "CRV1 rejects a true null at 5 %": null_crv1 / draws,
        "placebo p at its floor 1/8 under the null (exact 0.125)": null_placebo / draws,
    }


def national_one(draws: int) -> dict:
    from analysis.data.simulate import SimulationConfig, simulate_caseloads
    from analysis.quant import fit
    from analysis.quant.specs import SpecConfig, prepare_panel

    codes, unemployment = _unemployment()
    config = SimulationConfig(municipalities=tuple(codes))
    adopter = config.adopters[0]
    others = [c for c in codes if c != 101 and c not in dict(config.adopters)][:9]
    config = replace(_only(config), municipalities=(adopter[0], *others), adopters=(adopter,))
    crv1 = SpecConfig(min_treated_clusters=0)
    placebo = SpecConfig(placebo_draws=39)
    covered = rejected = 0
    estimates, truths = [], []
    for seed in range(1, draws + 1):
        panel, truth = simulate_caseloads(replace(config, seed=seed), unemployment)
        cohort = next(iter(truth["staggered_cohorts"].values()))
        att = float(cohort["implied_att"][OUTCOME])
        frame = prepare_panel(panel)
        row = fit.fit_staggered(frame, [OUTCOME], crv1).estimates.iloc[0]
        covered += row["ci_low"] <= att <= row["ci_high"]
        estimates.append(row["estimate"] - att)
        truths.append(row["std_error"])
        null_panel, _ = simulate_caseloads(replace(_only(config, 0.0), seed=seed), unemployment)
        p = fit.fit_staggered(prepare_panel(null_panel), [OUTCOME], placebo).estimates
        rejected += p.iloc[0]["p_value"] <= 0.05
    return {
        "did2s CRV1 coverage, one treated cluster": covered / draws,
        "mean CRV1 standard error": float(np.mean(truths)),
        "true spread of the estimate": float(np.std(estimates)),
        "placebo p <= 0.05 under the null (39 placebos; exact 0.05)": rejected / draws,
    }


def growing(draws: int) -> dict:
    from test_headline import _national, growing_effects_panel

    from analysis.quant.results import design_record
    from analysis.quant.specs import prepare_panel

    covered = disagree = 0
    for seed in range(1, draws + 1):
        panel, truth = growing_effects_panel(seed=seed)
        design = design_record(_national(prepare_panel(panel)), OUTCOME)
        covered += design["ci_low"] <= truth * 100 <= design["ci_high"]
        disagree += design["agreement"] == "disagree"
    return {"did2s coverage": covered / draws, "page says they disagree": disagree / draws}


def threshold(draws: int) -> dict:
    from analysis.data.simulate import SimulationConfig, simulate_caseloads
    from analysis.quant import fit
    from analysis.quant import specs as S
    from analysis.quant.results import linearity_record
    from analysis.quant.specs import SpecConfig, prepare_panel

    codes, unemployment = _unemployment()
    config = _only(SimulationConfig(municipalities=tuple(codes)), 0.0)
    linear = _only(SimulationConfig(municipalities=tuple(codes)))
    cfg = SpecConfig(few_clusters=0)
    significant = rejected = size = 0
    for seed in range(1, draws + 1):
        panel, _ = simulate_caseloads(replace(config, seed=seed), unemployment)
        panel = panel.assign(**{OUTCOME: panel[OUTCOME] + np.where(panel["caseload"] < 100,
                                                                  0.01, 0.0)})  # fmt: skip
        frame = prepare_panel(panel)
        run = fit.ModelRun.combine(
            [fit.fit_twfe(frame, [OUTCOME], cfg), fit.fit_spline(frame, [OUTCOME], cfg)]
        )
        slope = run.estimates[run.estimates["spec"] == S.TWFE_LOG].iloc[0]
        significant += slope["p_value"] < 0.05
        rejected += linearity_record(run.estimates, OUTCOME)["rejected"]
        panel, _ = simulate_caseloads(replace(linear, seed=seed), unemployment)
        spline = fit.fit_spline(prepare_panel(panel), [OUTCOME], cfg).estimates
        size += linearity_record(spline, OUTCOME)["rejected"]
    return {
        "threshold: log slope p < 0.05": significant / draws,
        "threshold: spline test rejects the log form": rejected / draws,
        "log-linear truth: spline test rejects (size)": size / draws,
    }


def nonresponse(draws: int) -> dict:
    from analysis.data.simulate import (
        DEFAULT_ADOPTERS,
        SimulationConfig,
        _default_unemployment,
        simulate_caseloads,
    )
    from analysis.data.simulate_surveys import SurveySimulationConfig, simulate_surveys
    from analysis.data.survey_items import load_survey_items
    from analysis.data.survey_summaries import bound_outcomes, join_survey_outcomes
    from analysis.data.surveys import validate_survey_frame
    from analysis.paths import get_paths
    from analysis.quant import specs as S
    from analysis.quant.fit import fit_twfe
    from analysis.quant.nonresponse import bound_estimates

    paths = get_paths()
    items = load_survey_items(paths.raw / "surveys" / "items.yaml")
    unemployment = _default_unemployment(paths)
    codes = sorted(set(unemployment["municipality_code"]) - {101, *dict(DEFAULT_ADOPTERS)})[:30]
    panel, _ = simulate_caseloads(
        replace(SimulationConfig(), municipalities=tuple(codes), adopters=()), unemployment
    )
    goal = "citizen_goal_direction"
    citizen = replace(SurveySimulationConfig(), designs=SurveySimulationConfig().designs[:1])
    answered_cover = gap_cover = manski_cover = 0
    for seed in range(1, draws + 1):
        everyone = replace(citizen, seed=seed, citizen_response=(1.0, 0.0),
                           response_clip=(0.05, 1.0))  # fmt: skip
        (survey,) = simulate_surveys(panel, items, everyone)
        table = validate_survey_frame(survey.frame, items, "all").table
        frame = S.prepare_panel(join_survey_outcomes(panel, table))
        population = fit_twfe(frame, [goal], S.SpecConfig(few_clusters=0)).estimates
        population = population.iloc[0]["estimate"]
        biased = replace(citizen, seed=seed, response_on_agreement=1.0)
        (survey,) = simulate_surveys(panel, items, biased)
        table = validate_survey_frame(survey.frame, items, "answered").table
        rows = bound_estimates(join_survey_outcomes(panel, table), bound_outcomes(table), [goal])
        rows = rows.set_index("scenario")
        answered_cover += rows.loc["answered", "ci_low"] <= population <= rows.loc[
            "answered", "ci_high"]  # fmt: skip
        gap_cover += rows.loc["gap_less", "estimate"] <= population <= rows.loc[
            "gap_more", "estimate"]  # fmt: skip
        manski_cover += rows.loc["worst_low", "estimate"] <= population <= rows.loc[
            "worst_high", "estimate"]  # fmt: skip
    return {
        "answered 95 % interval covers the slope among everyone": answered_cover / draws,
        "the +-10 pp gap range holds it": gap_cover / draws,
        "Manski's bounds hold it": manski_cover / draws,
    }


def mde(draws: int) -> dict:
    from test_power import _persistent_panel, _true_power

    from analysis.quant.power import outcome_mde_table

    formula, placebo, ratio = [], [], []
    for seed in range(1, max(draws // 40, 3) + 1):
        panel = _persistent_panel(units=150, months=60, rho=0.8, icc=0.3, seed=seed)
        row = outcome_mde_table(panel, ["y"], (1, 7, 24, 24), placebo_draws=1000,
                                seed=seed).iloc[0]  # fmt: skip
        formula.append(_true_power(row["mde"], 0.8, 0.3, draws=4000, seed=100 + seed))
        placebo.append(_true_power(row["mde_placebo"], 0.8, 0.3, draws=4000, seed=200 + seed))
        ratio.append(row["mde_placebo"] / row["mde"])
    return {
        "true power at the formula's MDE (mean over panels)": float(np.mean(formula)),
        "true power at the placebo MDE": float(np.mean(placebo)),
        "placebo MDE / formula MDE": float(np.mean(ratio)),
    }


PARTS = {
    "few_treated": few_treated,
    "national_one": national_one,
    "growing": growing,
    "threshold": threshold,
    "nonresponse": nonresponse,
    "mde": mde,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200, help="draws per part (default 200)")
    parser.add_argument("--parts", nargs="+", choices=list(PARTS), default=list(PARTS))
    args = parser.parse_args()
    rows = []
    for name in args.parts:
        start = time.perf_counter()
        draws = args.draws if name not in ("national_one", "nonresponse") else args.draws // 2
        for measure, value in PARTS[name](draws).items():
            rows.append({"part": name, "draws": draws, "measure": measure, "value": value})
        print(f"{name}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    frame = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.max_colwidth", 70):
        print(frame.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
