"""Few treated units (issue 21 §2): no cluster-robust interval or wild-bootstrap p-value
below 5 treated clusters, placebo inference instead, the ``inference`` column, the
two-stage DiD on a panel with singleton units, and no exception text on a page."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis.data.simulate import simulate_caseloads
from analysis.labels import t
from analysis.paths import LANGUAGES
from analysis.quant import fit, placebo
from analysis.quant import specs as S
from analysis.quant.checks import Skip, skipped_frame
from analysis.quant.results import INFERENCE, skipped_notes, skipped_table
from analysis.quant.specs import SpecConfig, prepare_panel

FAST = SpecConfig(wild_reps=99)
OUTCOME = "exit_job_education"


def _only(config, outcome=OUTCOME):
    return replace(config, outcomes=tuple(e for e in config.outcomes if e.name == outcome))


@pytest.fixture(scope="module")
def koebenhavn(small_config, unemployment) -> pd.DataFrame:
    """København alone: one trial unit against seven (the Copenhagen-like setup)."""
    config = replace(_only(small_config), municipalities=(101,), adopters=())
    panel, _ = simulate_caseloads(config, unemployment)
    return prepare_panel(panel)


def test_placebo_did_estimates_equal_the_fixed_effects_did(koebenhavn):
    """The vectorised placebo estimates are the same regression as fit_did."""
    controls = koebenhavn[koebenhavn["g"] == 0]
    start = int(koebenhavn.loc[koebenhavn["g"] > 0, "g"].iloc[0])
    unit = int(controls["unit_id"].iloc[0])
    fast = placebo.did_estimates(controls, OUTCOME, ["unemployment_rate"], [{unit: start}])
    moved = controls.assign(g=np.where(controls["unit_id"] == unit, start, 0))
    moved = moved.assign(treated_post=((moved["g"] > 0) & (moved["t"] >= moved["g"])).astype(int))
    cfg = SpecConfig(few_clusters=0, min_treated_clusters=0)
    slow = fit.fit_did(moved, [OUTCOME], cfg, "101").estimates.iloc[0]
    assert fast[0] == pytest.approx(slow["estimate"], rel=1e-6)


def test_one_treated_unit_has_no_cluster_robust_interval_but_a_placebo_p(koebenhavn):
    row = fit.fit_did(koebenhavn, [OUTCOME], FAST, "101").estimates.iloc[0]
    assert row["inference"] == "placebo" and row["n_treated"] == 1
    for column in ("std_error", "ci_low", "ci_high", "p_wild"):
        assert np.isnan(row[column]), column
    # seven controls: seven placebo trials, p in {1/8, ..., 8/8}, never below 1/8
    assert row["p_min"] == pytest.approx(1 / 8)
    assert round(row["p_value"] * 8) == pytest.approx(row["p_value"] * 8)
    assert "smallest attainable p-value is 0.125" in row["note"]


def test_five_treated_clusters_keep_cluster_robust_inference(koebenhavn):
    """The rule is about the count: with the threshold at 1, one treated unit is enough."""
    row = fit.fit_did(koebenhavn, [OUTCOME], replace(FAST, min_treated_clusters=1), "101")
    row = row.estimates.iloc[0]
    assert row["inference"] == "crv1" and not np.isnan(row["ci_low"])
    assert 0 <= row["p_wild"] <= 1


def test_placebo_p_is_uniform_under_the_null(small_config, unemployment):
    """Monte Carlo (60 draws): without an effect (beta 0), the placebo p-value of one
    trial unit against seven takes each value k/8 about equally often, so it rejects at
    its smallest value 1/8 about 1 in 8 times; the cluster-robust p-value of the same
    regression (the interval the page no longer shows) rejects far more often at 5 %."""
    null = replace(
        _only(small_config),
        municipalities=(101,),
        adopters=(),
        outcomes=tuple(replace(e, beta_log_caseload=0.0) for e in _only(small_config).outcomes),
    )
    crv1 = replace(FAST, min_treated_clusters=0, few_clusters=0)
    smallest, crv1_rejects, draws = 0, 0, 60
    for seed in range(300, 300 + draws):
        panel, _ = simulate_caseloads(replace(null, seed=seed), unemployment)
        frame = prepare_panel(panel)
        row = fit.fit_did(frame, [OUTCOME], FAST, "101").estimates.iloc[0]
        smallest += row["p_value"] <= 1 / 8 + 1e-9
        crv1_rejects += (
            fit.fit_did(frame, [OUTCOME], crv1, "101").estimates.iloc[0]["p_value"] < 0.05
        )
    assert 0.0 < smallest / draws <= 0.30, smallest
    assert crv1_rejects / draws > 0.15, crv1_rejects


def test_national_two_stage_did_with_one_treated_unit_uses_placebo(small_config, unemployment):
    """Ten municipalities, one adopter: one treated cluster nationally."""
    adopter = small_config.adopters[0]
    others = [c for c in small_config.municipalities if c != 101 and c not in dict(
        small_config.adopters)][:9]  # fmt: skip
    config = replace(_only(small_config), municipalities=(adopter[0], *others), adopters=(adopter,))
    panel, _ = simulate_caseloads(config, unemployment)
    run = fit.fit_staggered(prepare_panel(panel), [OUTCOME], replace(FAST, placebo_draws=19))
    att = run.estimates[run.estimates["term"] == S.TERM_ATT].iloc[0]
    assert att["n_treated"] == 1 and att["inference"] == "placebo"
    assert np.isnan(att["ci_low"]) and np.isnan(att["std_error"])
    assert att["p_min"] == pytest.approx(1 / 20)
    assert 1 / 20 <= att["p_value"] <= 1


def test_two_stage_did_survives_units_with_one_month(committed_panel):
    """A never-treated unit observed in one month only (a survey outcome with one month of
    5 or more respondents) made pyfixest's did2s fail on arrays of different lengths; the
    unit is left out and named in the note."""
    frame = prepare_panel(committed_panel)
    sample, _ = fit.staggered_sample(frame)
    lonely = sample.loc[sample["g"] == 0, "unit_id"].unique()[:3]
    keep = ~sample["unit_id"].isin(lonely) | (sample["t"] == sample["t"].min())
    data = sample.assign(**{OUTCOME: sample[OUTCOME].where(keep)})
    run = fit.fit_staggered(data, [OUTCOME], FAST)
    assert run.skipped.empty, run.skipped["message"].tolist()
    att = run.estimates[run.estimates["term"] == S.TERM_ATT].iloc[0]
    assert "3 unit(s) with fewer than two months without a trial left out" in att["note"]
    kept, dropped = fit.untreated_support(data.dropna(subset=[OUTCOME]))
    assert dropped == 3 and not set(lonely) & set(kept["unit_id"])


def test_every_row_names_its_inference(small_panel):
    panel, _ = small_panel
    run = fit.run_all(panel, [OUTCOME], FAST)
    assert run.estimates["inference"].isin(INFERENCE).all()
    by_spec = run.estimates.groupby("spec")["inference"].agg(set)
    assert by_spec[S.TWFE_LOG] == {"crv1"}
    assert by_spec[S.DID_COLLAPSED] == {"unit-level"}
    assert by_spec[S.EVENT] == {"unit-level"}
    assert by_spec[S.DID] == {"placebo"}  # every trial municipality has one trial unit


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_failed_model_is_one_sentence_without_the_exception(language, caplog):
    error = "operands could not be broadcast together with shapes (2391,) (2395,) (2391,)"
    skips = skipped_frame([Skip(S.STAGGERED, S.NATIONAL, OUTCOME, "estimation_failed", error)])
    notes = skipped_notes(skips, language, [S.NATIONAL])
    table = skipped_table(skips, language, [S.NATIONAL])
    assert len(notes) == 1
    assert t(f"quant.spec.{S.STAGGERED}", language) in notes[0]
    for text in [*notes, *table.astype(str).to_numpy().ravel()]:
        assert "broadcast" not in text and "(2391,)" not in text


def test_the_details_of_a_failed_model_go_to_the_log(caplog):
    def broken(outcome):
        raise ValueError("operands could not be broadcast together with shapes (2,) (3,)")

    with caplog.at_level(logging.WARNING, logger="analysis.quant.fit"):
        run = fit._each_outcome([OUTCOME], S.STAGGERED, S.NATIONAL, broken)
    assert run.skipped.iloc[0]["reason"] == "estimation_failed"
    assert "could not be broadcast" in caplog.text and S.STAGGERED in caplog.text
