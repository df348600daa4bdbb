"""Survey response (issue 21 §4): response rates and the unit-months left out for fewer
than 5 respondents, counted (never silently), and the demo in which response falls with
caseload."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.data.caseloads import read_caseload_panel
from analysis.data.survey_items import load_survey_items
from analysis.data.survey_summaries import bound_outcomes, response_summary, response_table
from analysis.data.surveys import read_survey_file, validate_survey_frame

REPO = Path(__file__).resolve().parents[2]
SURVEYS = REPO / "data" / "raw" / "surveys"
ITEMS = load_survey_items(SURVEYS / "items.yaml")
NAMES = ("simulated_citizen_survey.csv", "simulated_staff_survey.csv")


@pytest.fixture(scope="module")
def committed(repo_paths) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = pd.concat(
        [read_survey_file(SURVEYS / n, ITEMS).table.assign(source_file=n) for n in NAMES],
        ignore_index=True,
    )
    return table, read_caseload_panel(repo_paths.simulated_caseloads)


def _truth(name: str) -> dict:
    return yaml.safe_load((SURVEYS / name.replace(".csv", "_truth.yaml")).read_text("utf-8"))


def test_the_demo_files_carry_invited_counts(committed):
    table, _ = committed
    assert table["invited"].notna().all()
    months = table.drop_duplicates(["survey", "municipality_code", "unit", "period"])
    assert (months["invited"] >= months["respondents"]).all()


def test_every_unit_month_left_out_is_counted(committed):
    """57 of 1,080 unit-months were dropped silently before: every one is counted now,
    including the staff unit-months in which nobody answered (no row in the file)."""
    table, panel = committed
    response = response_table(table, panel)
    for name in NAMES:
        truth = _truth(name)
        rows = response[response["survey"] == truth["survey"]]
        assert len(rows) == truth["size"]["unit_months"]
        assert rows["dropped"].sum() == truth["response"]["unit_months_below_5_respondents"]
        assert rows["dropped"].sum() > 0
    assert response["caseload"].notna().all()


def test_response_rates_fall_with_caseload_in_the_demo(committed):
    table, panel = committed
    response = response_table(table, panel)
    response["band"] = pd.cut(response["caseload"], [0, 100, 150, np.inf])
    summary = response_summary(response, ["survey", "band"])
    for _, rows in summary.groupby("survey"):
        rates = rows["response_rate"].to_numpy()
        assert (np.diff(rates) < 0).all(), rows
    staff = summary[summary["survey"] == "staff"]
    assert staff["dropped"].iloc[-1] / staff["unit_months"].iloc[-1] > (
        staff["dropped"].iloc[0] / staff["unit_months"].iloc[0]
    )


def test_a_respondent_file_without_rows_in_a_month_counts_that_month_as_empty():
    rows = [
        {"municipality_code": 101, "unit": "a", "period": "2024-03", "s_recommend": 5,
         "s_stay": 4, "s_thrive": 4, "s_pressed": 2, "invited": 6},
        {"municipality_code": 101, "unit": "b", "period": "2024-09", "s_recommend": 4,
         "s_stay": 4, "s_thrive": 4, "s_pressed": 2, "invited": 6},
    ]  # fmt: skip
    table = validate_survey_frame(pd.DataFrame(rows), ITEMS).table
    response = response_table(table)
    assert len(response) == 4  # 2 units x 2 survey months
    empty = response[response["respondents"] == 0]
    assert len(empty) == 2 and empty["dropped"].all() and empty["invited"].isna().all()


def test_bounds_put_non_respondents_on_either_side(committed):
    table, _ = committed
    goal = "citizen_goal_direction"
    bounds = bound_outcomes(table).dropna(subset=[goal])
    assert len(bounds) > 6000
    assert (bounds[f"{goal}_low"] <= bounds[goal] + 1e-12).all()
    assert (bounds[goal] <= bounds[f"{goal}_high"] + 1e-12).all()
    # with half answering, the two extremes lie about half the share apart
    width = (bounds[f"{goal}_high"] - bounds[f"{goal}_low"]).mean()
    assert 0.3 < width < 0.7
