"""The value goals measured by the experience surveys enter the caseload regressions like
the other outcomes: estimates, labels in both languages, the simulated flag, the truth
table, ``python -m analysis regress``; and real and simulated data are never pooled."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.data.caseloads import SURVEY_OUTCOMES
from analysis.data.store import prepare
from analysis.errors import InputError
from analysis.quant import compute
from analysis.quant import specs as S
from analysis.quant.results import effects_table, outcome_label, unit_label

REPO = Path(__file__).resolve().parents[2]
SURVEYS = REPO / "data" / "raw" / "surveys"
GOALS = list(SURVEY_OUTCOMES)


@pytest.fixture(scope="module")
def demo(module_isolated_paths, repo_paths):
    """The committed simulated caseload panel and surveys, prepared."""
    paths = module_isolated_paths
    shutil.copytree(repo_paths.caseloads, paths.caseloads)
    shutil.copytree(SURVEYS, paths.raw / "surveys")
    done = prepare(paths)
    assert done.ok, done.summary()
    return paths


@pytest.fixture(scope="module")
def results(demo):
    return compute.load_results(outcomes=GOALS, paths=demo)


def test_the_processed_panel_carries_the_value_goals_and_models_them_by_default(demo):
    source = compute.panel_source(None, demo)
    assert source.surveys == demo.processed_file("surveys")
    panel = compute.load_panel(source, demo)
    assert set(GOALS) <= set(S.select_outcomes(panel))
    assert panel["citizen_goal_direction"].notna().sum() > 6000
    key = compute._key(source, demo, None, S.DEFAULT_CONFIG)
    assert demo.processed_file("surveys") in key.inputs, "survey changes must reach the cache"


def test_the_national_models_run_on_the_committed_panel_with_its_surveys(results):
    """Issue 21 §2: the two-stage DiD failed on the staff goals of the committed panel
    (units with one surveyed month; numpy's broadcast error reached the national page)."""
    assert "estimation_failed" not in set(results.skipped["reason"])
    did2s = results.estimates[
        (results.estimates["spec"] == S.STAGGERED) & (results.estimates["term"] == S.TERM_ATT)
    ]
    assert set(did2s["outcome"]) == set(GOALS)
    assert did2s["inference"].eq("crv1").all() and did2s["n_treated"].ge(5).all()


def test_value_goals_get_estimates_labels_and_the_simulated_flag(results):
    estimates = compute.value_goal_estimates(results)
    assert set(estimates["outcome"]) == set(GOALS)
    national = estimates[(estimates["spec"] == S.TWFE_LOG) & (estimates["scope"] == S.NATIONAL)]
    # a municipality whose staff never reach 5 respondents has no staff goals
    assert len(national) == len(GOALS) and national["n_clusters"].between(95, 98).all()
    assert estimates["simulated"].all()
    assert {"101", "751"} <= set(estimates.loc[estimates["spec"] == S.DID, "scope"])
    for goal in GOALS:
        assert outcome_label(goal, "da") == SURVEY_OUTCOMES[goal].label_da != goal
        assert outcome_label(goal, "en") == SURVEY_OUTCOMES[goal].label_en
        assert unit_label(goal, "da") == "procentpoint"
    table = effects_table(results.estimates, [S.TWFE_LOG], "en")
    assert "Citizens: a goal and a direction in their course" in set(table.iloc[:, 0])


def test_the_simulated_effect_is_recovered(results, demo):
    truth = compute.value_goal_truth_table(results, demo)
    twfe = truth[truth["spec"] == S.TWFE_LOG].set_index("outcome")
    assert set(twfe.index) == set(GOALS)
    # five 95 % intervals: each within 3 standard errors of the truth, at least four cover
    # it (the Monte Carlo in tests/data/test_survey_simulation.py checks the rate)
    se = (twfe["ci_high"] - twfe["ci_low"]) / 3.92
    assert ((twfe["estimate"] - twfe["truth"]).abs() < 3 * se).all(), twfe
    assert twfe["covered"].astype(bool).sum() >= 4, twfe
    assert twfe.loc["citizen_goal_direction", "truth"] == pytest.approx(-12.0)  # pp per log point
    pooled = truth[truth["spec"] == S.POOLED]
    assert not pooled["covered"].astype(bool).any(), "the pooled slope is confounded by design"
    collapsed = truth[(truth["spec"] == S.DID_COLLAPSED) & (truth["scope"] == "101")]
    assert set(collapsed["outcome"]) == set(GOALS) and collapsed["covered"].astype(bool).all()
    # the fixed-effects DiD of one trial unit has a placebo p-value and no interval
    did = truth[(truth["spec"] == S.DID) & (truth["scope"] == "101")]
    assert set(did["outcome"]) == set(GOALS) and did["covered"].isna().all()


def test_regress_lists_the_value_goals(results, demo, tmp_path, capsys):
    output = tmp_path / "estimates.csv"
    assert cli.main(["regress", "--outcomes", *GOALS, "--output", str(output)]) == 0
    table = pd.read_csv(output)
    assert set(table["outcome"]) == set(GOALS)
    assert "(SIMULATED data)" in capsys.readouterr().out


def test_no_truth_without_simulated_surveys(isolated_paths):
    assert compute.value_goal_truth(isolated_paths) is None


def test_a_real_caseload_panel_is_not_pooled_with_simulated_surveys(isolated_paths, repo_paths):
    paths = isolated_paths
    paths.caseloads.mkdir(parents=True, exist_ok=True)
    text = repo_paths.simulated_caseloads.read_text(encoding="utf-8")
    (paths.caseloads / "own_panel.csv").write_text(
        text.replace(",simulated,", ",municipal,"), encoding="utf-8"
    )
    shutil.copytree(SURVEYS, paths.raw / "surveys")
    assert prepare(paths).ok
    with pytest.raises(InputError) as info:
        compute.load_results(outcomes=GOALS, paths=paths)
    message = str(info.value)
    assert "not both simulated or both real" in message
    assert "simulated_citizen_survey.csv" in message and "own_panel.csv" in message
