"""Survey non-response and the value goals (issue 21 §4): the warning when response or the
unit-months left out move with caseload, seen working on the simulated demo, and the
bounds that show how far non-response could move the estimates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.caseloads import read_caseload_panel
from analysis.data.simulate import (
    DEFAULT_ADOPTERS,
    SimulationConfig,
    _default_unemployment,
    simulate_caseloads,
)
from analysis.data.simulate_surveys import SurveySimulationConfig, simulate_surveys
from analysis.data.survey_items import load_survey_items
from analysis.data.survey_summaries import (
    bound_outcomes,
    join_survey_outcomes,
    response_table,
)
from analysis.data.surveys import read_survey_file, validate_survey_frame
from analysis.formatting import format_number
from analysis.labels import t
from analysis.paths import LANGUAGES
from analysis.quant import specs as S
from analysis.quant.compute import QuantResults
from analysis.quant.fit import fit_twfe
from analysis.quant.nonresponse import bound_estimates, response_checks
from analysis.quant.view_response import bounds_table, caution, dropped_text, warnings

REPO = Path(__file__).resolve().parents[2]
SURVEYS = REPO / "data" / "raw" / "surveys"
ITEMS = load_survey_items(SURVEYS / "items.yaml")
GOAL = "citizen_goal_direction"


@pytest.fixture(scope="module")
def demo(repo_paths):
    names = ("simulated_citizen_survey.csv", "simulated_staff_survey.csv")
    table = pd.concat(
        [read_survey_file(SURVEYS / n, ITEMS).table.assign(source_file=n) for n in names],
        ignore_index=True,
    )
    panel = read_caseload_panel(repo_paths.simulated_caseloads).assign(
        source_file="simulated_caseloads.csv"
    )
    return table, panel


def _results(response: pd.DataFrame, checks: pd.DataFrame, bounds=None) -> QuantResults:
    empty = pd.DataFrame()
    return QuantResults(None, empty, empty, empty, empty, empty, empty, response=response,
                        response_checks=checks, response_bounds=bounds if bounds is not None
                        else empty)  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_demo_shows_the_warning(demo, language):
    table, panel = demo
    response = response_table(table, panel)
    checks = response_checks(response).set_index(["survey", "measure"])
    assert checks.loc[("citizen", "response_rate"), "moves"]
    assert checks.loc[("staff", "response_rate"), "moves"]
    assert checks.loc[("staff", "dropped"), "moves"]
    assert checks.loc[("staff", "response_rate"), "estimate"] < 0  # fewer answer at high caseload
    results = _results(response, checks.reset_index())
    alerts = warnings(results, language)
    assert len(alerts) == 2
    assert t("data.survey.staff", language).lower() in alerts[1]
    text = dropped_text(results, language)
    dropped = int(response.loc[response["survey"] == "staff", "dropped"].sum())
    total = format_number(3020, language, decimals=0)
    assert f"{dropped} " in text and total in text and total != "3020"
    assert t("quant.response.caution", language) == caution(results, language)


def test_no_warning_when_response_does_not_depend_on_caseload(demo):
    _, panel = demo
    plain = replace(
        SurveySimulationConfig(),
        citizen_response=(0.5, 0.0),
        designs=SurveySimulationConfig().designs[:1],
    )
    (survey,) = simulate_surveys(panel, ITEMS, plain)
    citizen = validate_survey_frame(survey.frame, ITEMS, "draw").table
    checks = response_checks(response_table(citizen, panel)).set_index("measure")
    assert not checks.loc["response_rate", "moves"], checks


@pytest.fixture(scope="module")
def thirty(repo_paths):
    """30 municipalities without trials and the citizen survey design."""
    unemployment = _default_unemployment(repo_paths)
    codes = sorted(set(unemployment["municipality_code"]) - {101, *dict(DEFAULT_ADOPTERS)})[:30]
    config = replace(SimulationConfig(), municipalities=tuple(codes), adopters=())
    panel, _ = simulate_caseloads(config, unemployment)
    return panel, replace(SurveySimulationConfig(), designs=SurveySimulationConfig().designs[:1])


def _goal_rows(panel, config):
    (survey,) = simulate_surveys(panel, ITEMS, config)
    table = validate_survey_frame(survey.frame, ITEMS, "draw").table
    joined = join_survey_outcomes(panel, table)
    return table, joined, bound_estimates(joined, bound_outcomes(table), [GOAL])


def test_bounds_hold_the_slope_among_everyone_when_the_dissatisfied_stop_answering(thirty):
    """The dissatisfied stop answering where caseloads are high: the slope as answered is
    biased towards zero and its interval misses the slope among everyone invited (the
    same persons' answers with everyone answering, same seed), which Manski's bounds hold
    (they need no assumption), however wide."""
    panel, citizen = thirty
    everyone = replace(citizen, citizen_response=(1.0, 0.0), response_clip=(0.05, 1.0))
    _, joined, _ = _goal_rows(panel, everyone)
    population = fit_twfe(S.prepare_panel(joined), [GOAL], S.SpecConfig(few_clusters=0))
    population = population.estimates.iloc[0]["estimate"]
    _, _, rows = _goal_rows(panel, replace(citizen, response_on_agreement=1.0))
    rows = rows.set_index("scenario")
    answered = rows.loc["answered"]
    assert not answered["ci_low"] <= population <= answered["ci_high"], (answered, population)
    assert answered["estimate"] > population  # towards zero (the slope is negative)
    assert rows.loc["worst_low", "estimate"] < population < rows.loc["worst_high", "estimate"]


def test_the_gap_scenario_moves_the_slope_by_the_slope_of_non_response(thirty):
    panel, citizen = thirty
    table, joined, rows = _goal_rows(panel, citizen)
    rows = rows.set_index("scenario")["estimate"]
    bounds = bound_outcomes(table)
    missing = bounds[["municipality_code", "unit", "period"]].assign(
        missing=bounds[f"{GOAL}_high"] - bounds[f"{GOAL}_low"]
    )
    frame = S.prepare_panel(
        joined.merge(missing, on=["municipality_code", "unit", "period"], how="left")
    )
    frame = frame.dropna(subset=[GOAL])
    slope = fit_twfe(frame, ["missing"], S.SpecConfig(few_clusters=0)).estimates.iloc[0]
    assert rows["gap_more"] - rows["answered"] == pytest.approx(0.1 * slope["estimate"], rel=1e-4)
    assert slope["estimate"] > 0  # in the demo, fewer answer where caseloads are high
    assert rows["gap_less"] < rows["answered"] < rows["gap_more"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sensitivity_table_shows_each_scenario(thirty, language):
    panel, citizen = thirty
    _, _, rows = _goal_rows(panel, citizen)
    empty = pd.DataFrame()
    shown = bounds_table(_results(empty, empty, rows), language).frame
    assert list(shown.columns) == [
        t("quant.col.outcome", language),
        t("quant.response.scenario.answered", language),
        t("quant.response.scenario.gap", language),
        t("quant.response.scenario.worst", language),
    ]
    assert t("quant.response.to", language) in shown.iloc[0, 3]
