"""Validation on simulated panels: estimates next to the planted truth, and coverage.

The simulated panel's truth file (``<panel>_truth.yaml``, see :mod:`analysis.data.simulate`)
holds the true slope of log caseload per outcome, the effect the København DiD design
implies and the average effect per staggered cohort. :func:`truth_table` lines the
estimates up against them; :func:`coverage_draws` re-simulates a small panel many times
to check that 95 % intervals cover the truth about 95 % of the time.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.quant import specs as S
from analysis.quant.fit import fit_twfe
from analysis.quant.results import display_scale
from analysis.yamlio import load_yaml, read_yaml_text

TRUTH_COLUMNS = ("outcome", "spec", "term", "scope", "truth", "estimate", "ci_low", "ci_high",
                 "covered")  # fmt: skip


def load_truth(path: Path | str) -> dict:
    """The truth YAML of a simulated panel, read by the project's safe YAML reader
    (:mod:`analysis.yamlio`: no aliases, so an alias bomb is refused at once, no tags,
    bounded nesting). Read once per file version in a process (it is read on every
    page); each call gets its own copy."""
    path = Path(path)
    try:
        stat = path.stat()
        stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = None  # _read_truth reports it
    return copy.deepcopy(_read_truth(str(path), stamp))


@cache
def _read_truth(path: str, stamp: tuple[int, int] | None) -> dict:
    text = read_yaml_text(path, missing="truth file not found")
    data = load_yaml(text, path, what="a simulation truth file").data
    if not isinstance(data, dict) or "outcomes" not in data:
        raise InputError.single(path, "not a simulation truth file", expected="key 'outcomes'")
    return data


def staggered_truth(truth: dict, excluded: set[int]) -> dict[str, float]:
    """Average effect over treated unit-months of the cohorts in the staggered design
    (cohorts whose units lie in ``excluded`` municipalities are left out)."""
    total: dict[str, float] = {}
    weight = 0.0
    for cohort in (truth.get("staggered_cohorts") or {}).values():
        codes = {int(str(u).split("/")[0]) for u in cohort["units"]}
        if codes & excluded:
            continue
        n = float(cohort["post_unit_months"])
        weight += n
        for outcome, att in cohort["implied_att"].items():
            total[outcome] = total.get(outcome, 0.0) + n * float(att)
    return {k: v / weight for k, v in total.items()} if weight else {}


def truth_table(estimates: pd.DataFrame, skipped: pd.DataFrame, truth: dict) -> pd.DataFrame:
    """Estimates next to the true values, in display units (pp for shares).

    Rows: the log-caseload slope of ``twfe_log`` and ``pooled_ols`` (truth: beta), the
    København trial DiD (``did``, ``did_collapsed``; truth: the implied effect) and the
    staggered average effect (``staggered_did2s``; truth: cohort effects weighted by
    post-start unit-months, cohorts in spillover municipalities left out). ``covered`` is
    None for a row without an interval (placebo inference with few treated units).
    """
    wanted: list[tuple[str, str, str, str, float]] = []
    for outcome, params in truth.get("outcomes", {}).items():
        beta = float(params["beta_log_caseload"])
        for spec in (S.TWFE_LOG, S.POOLED):
            wanted.append((outcome, spec, S.TERM_LOG, S.NATIONAL, beta))
    did = truth.get("koebenhavn_did") or {}
    for outcome, effect in (did.get("implied_effect") or {}).items():
        for spec in (S.DID, S.DID_COLLAPSED):
            wanted.append((outcome, spec, S.TERM_TRIAL, "101", float(effect)))
    excluded = {
        int(v)
        for v in skipped.loc[
            (skipped["reason"] == "spillover") & (skipped["spec"] == S.STAGGERED), "value"
        ]
    }
    for outcome, effect in staggered_truth(truth, excluded).items():
        wanted.append((outcome, S.STAGGERED, S.TERM_ATT, S.NATIONAL, effect))
    index = estimates.set_index(["outcome", "spec", "term", "scope"])
    rows = []
    for outcome, spec, term, scope, true in wanted:
        key = (outcome, spec, term, scope)
        if key not in index.index:
            continue
        row = index.loc[key]
        row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
        scale = display_scale(outcome)
        rows.append(
            {
                "outcome": outcome,
                "spec": spec,
                "term": term,
                "scope": scope,
                "truth": true * scale,
                "estimate": row["estimate"] * scale,
                "ci_low": row["ci_low"] * scale,
                "ci_high": row["ci_high"] * scale,
                "covered": (
                    None
                    if pd.isna(row["ci_low"]) or pd.isna(row["ci_high"])
                    else bool(row["ci_low"] <= true <= row["ci_high"])
                ),
            }
        )
    frame = pd.DataFrame(rows, columns=list(TRUTH_COLUMNS))
    frame["covered"] = frame["covered"].astype("object")
    return frame


def coverage_draws(
    config,
    unemployment: pd.DataFrame,
    draws: int,
    outcome: str = "exit_job_education",
    first_seed: int = 1,
    spec_config: S.SpecConfig | None = None,
) -> pd.DataFrame:
    """Re-simulate ``config`` with seeds ``first_seed, ...`` and fit the national
    ``twfe_log`` model each time; one row per draw with the estimate, its interval, the
    true beta and whether the interval covers it.

    ``config`` is an :class:`analysis.data.simulate.SimulationConfig` (keep it small: few
    municipalities and only the outcome of interest), ``unemployment`` the frame
    :func:`analysis.data.simulate.simulate_caseloads` expects. The default ``spec_config``
    skips the wild bootstrap (coverage concerns the cluster-robust interval).
    """
    spec_config = spec_config or S.SpecConfig(few_clusters=0)
    from analysis.data.simulate import simulate_caseloads

    rows = []
    for seed in range(first_seed, first_seed + draws):
        panel, truth = simulate_caseloads(replace(config, seed=seed), unemployment)
        beta = float(truth["outcomes"][outcome]["beta_log_caseload"])
        frame = S.prepare_panel(panel)
        est = fit_twfe(frame, [outcome], spec_config).estimates
        if est.empty:
            continue
        row = est.iloc[0]
        rows.append(
            {
                "seed": seed,
                "estimate": row["estimate"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "truth": beta,
                "covered": bool(row["ci_low"] <= beta <= row["ci_high"]),
                "n_clusters": int(row["n_clusters"]),
            }
        )
    return pd.DataFrame(rows)


def coverage_rate(draws: pd.DataFrame) -> float:
    return float(np.mean(draws["covered"])) if len(draws) else float("nan")
