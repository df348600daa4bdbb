"""Non-linear caseload effects (issue 21 §3): the spline test of the log specification,
the text that uses it, and the effects of realistic moves next to the per-10 figure."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from analysis.data.simulate import simulate_caseloads
from analysis.labels import t
from analysis.quant import fit, texts
from analysis.quant import specs as S
from analysis.quant.results import linearity_record, moves
from analysis.quant.specs import SpecConfig, prepare_panel

OUTCOME = "exit_job_education"
FAST = SpecConfig(wild_reps=99)


def test_the_moves_include_copenhagens_trial():
    # seed 001: the ordinary norm fell from about 200 to 120-130; the trial department: 50
    assert {(150.0, 50.0), (200.0, 125.0), (200.0, 50.0), (125.0, 50.0)} <= set(S.MOVES)


@pytest.fixture(scope="module")
def threshold_panel(small_config, unemployment):
    """The small panel with the outcome rebuilt: a step of +1 pp below 100 cases per
    caseworker and no other effect of caseload (the threshold process of the issue)."""
    config = replace(
        small_config,
        outcomes=tuple(
            replace(e, beta_log_caseload=0.0) for e in small_config.outcomes if e.name == OUTCOME
        ),
    )
    panel, _ = simulate_caseloads(config, unemployment)
    step = np.where(panel["caseload"] < 100, 0.01, 0.0)
    return panel.assign(**{OUTCOME: panel[OUTCOME] + step})


def test_a_threshold_is_caught_by_the_linearity_check(threshold_panel):
    frame = prepare_panel(threshold_panel)
    run = fit.ModelRun.combine(
        [fit.fit_twfe(frame, [OUTCOME], FAST), fit.fit_spline(frame, [OUTCOME], FAST)]
    )
    slope = run.estimates[run.estimates["spec"] == S.TWFE_LOG].iloc[0]
    assert slope["p_value"] < 0.05, "the log headline alone looks like an effect"
    record = linearity_record(run.estimates, OUTCOME)
    assert record is not None and record["rejected"], record
    text = texts.linearity_sentence(record, OUTCOME, "en", rejected=1, tested=1)
    assert text.startswith("Linearity check: a spline in log caseload describes")
    assert "read the effects of realistic changes from the spline" in text
    # 200 -> 125 crosses no threshold: the spline says ~0, the log slope says otherwise
    frame_moves = moves(run.estimates).set_index(["spec", "start", "end"])
    spline = frame_moves.loc[(S.SPLINE, 200.0, 125.0)]
    assert spline["ci_low"] <= 0 <= spline["ci_high"]
    log_move = frame_moves.loc[(S.TWFE_LOG, 200.0, 125.0)]
    assert log_move["ci_low"] > 0


def test_the_log_form_is_not_rejected_on_the_committed_panel(committed_panel, committed_truth):
    frame = prepare_panel(committed_panel)
    run = fit.ModelRun.combine(
        [fit.fit_twfe(frame, [OUTCOME], FAST), fit.fit_spline(frame, [OUTCOME], FAST)]
    )
    record = linearity_record(run.estimates, OUTCOME)
    assert not record["rejected"]
    text = texts.linearity_sentence(record, OUTCOME, "da", rejected=0, tested=1)
    assert "beskriver ikke" in text and "{" not in text
    beta = committed_truth["outcomes"][OUTCOME]["beta_log_caseload"]
    table = moves(run.estimates).set_index(["spec", "start", "end"])
    slope = run.estimates[run.estimates["spec"] == S.TWFE_LOG].iloc[0]["estimate"]
    for start, end in S.MOVES:
        log_move = table.loc[(S.TWFE_LOG, start, end)]
        assert log_move["effect"] == pytest.approx(slope * math.log(end / start) * 100)
        spline = table.loc[(S.SPLINE, start, end)]
        truth = beta * math.log(end / start) * 100
        assert spline["ci_low"] <= truth <= spline["ci_high"], (start, end)


def test_moves_outside_the_panels_caseloads_are_not_extrapolated(committed_panel):
    frame = prepare_panel(committed_panel)
    low = frame[frame["caseload"] > 90]  # no caseload of 50 left
    rows = fit.fit_spline(low, [OUTCOME], FAST).estimates
    terms = set(rows["term"])
    assert S.move_term(200, 125) in terms
    assert S.move_term(150, 50) not in terms and S.move_term(125, 50) not in terms


def test_moves_have_labels_in_both_languages():
    for language in ("da", "en"):
        for start, end in S.MOVES:
            assert "→" in t(f"quant.move.{start:g}_{end:g}", language)
