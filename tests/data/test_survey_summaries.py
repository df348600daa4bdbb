"""Survey summaries by unit, month and trial arm, the small-count rule, and the value-goal
outcomes joining the caseload panel (never pooling simulated and real data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.data.survey_items import load_survey_items
from analysis.data.survey_summaries import (
    goal_outcomes,
    join_survey_outcomes,
    summarise_surveys,
    summary_display,
    survey_arm,
)
from analysis.data.surveys import validate_survey_frame
from analysis.errors import AnalysisError, InputError

REPO = Path(__file__).resolve().parents[2]
ITEMS = load_survey_items(REPO / "data" / "raw" / "surveys" / "items.yaml")


STAFF_ITEMS = ["s_recommend", "s_stay", "s_thrive", "s_pressed"]


def staff(rows: list[tuple], origin: str | None = None) -> pd.DataFrame:
    """A staff survey table from (unit, period, s_recommend, s_stay, s_thrive, s_pressed)."""
    frame = pd.DataFrame(
        rows, columns=["unit", "period", "s_recommend", "s_stay", "s_thrive", "s_pressed"]
    )
    frame.insert(0, "municipality_code", 101)
    if origin:
        frame["data_origin"] = origin
    table = validate_survey_frame(frame, ITEMS, "staff.csv").table
    return table.assign(source_file="staff.csv")


# forsoeg, 2024-03: 6 respondents; team_01, 2024-03: 3 respondents (a small count)
ROWS = [
    ("forsoeg", "2024-03", 5, 4, 4, 1),
    ("forsoeg", "2024-03", 4, 4, 5, 2),
    ("forsoeg", "2024-03", 2, 2, 4, 4),
    ("forsoeg", "2024-03", 4, 5, 2, 5),
    ("forsoeg", "2024-03", 5, 3, 4, 1),
    ("forsoeg", "2024-03", 4, 4, 4, 2),
    ("team_01", "2024-03", 1, 2, 2, 5),
    ("team_01", "2024-03", 2, 2, 3, 4),
    ("team_01", "2024-03", 2, 1, 2, 5),
    ("team_01", "2023-09", 4, 4, 4, 2),
    ("team_01", "2023-09", 4, 4, 4, 2),
    ("team_01", "2023-09", 5, 4, 4, 2),
    ("team_01", "2023-09", 3, 3, 4, 2),
    ("team_01", "2023-09", 4, 2, 4, 2),
]


def panel(origin: str = "municipal") -> pd.DataFrame:
    months = pd.period_range("2023-09", "2024-03", freq="M")
    frames = []
    for unit, treated in (("forsoeg", 1), ("team_01", 0)):
        frames.append(
            pd.DataFrame(
                {
                    "source_file": "panel.csv",
                    "municipality_code": 101,
                    "unit": unit,
                    "period": months,
                    "caseload": 100.0,
                    "treated": treated,
                    "trial_start": pd.Period("2024-01", "M") if treated else pd.NaT,
                    "data_origin": origin,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["trial_start"] = out["trial_start"].astype("period[M]")
    return out


def test_item_summary_pools_answers_and_hides_small_counts():
    summary = summarise_surveys(staff(ROWS), by=("unit", "period"), level="item")
    row = summary[(summary["unit"] == "forsoeg") & (summary["item"] == "s_recommend")].iloc[0]
    assert (row["respondents"], row["answers"]) == (6, 6)
    assert row["share_agree"] == pytest.approx(5 / 6)
    assert row["mean_score"] == pytest.approx(24 / 6)
    small = summary[(summary["unit"] == "team_01") & (summary["period"].astype(str) == "2024-03")]
    assert small["suppressed"].all() and small[["share_agree", "mean_score"]].isna().all().all()
    assert small["respondents"].eq(3).all()  # the count is kept for computation only


def test_goal_summary_is_the_mean_of_its_items_and_negative_items_are_reversed():
    summary = summarise_surveys(staff(ROWS), by=("unit",))
    row = summary[(summary["unit"] == "forsoeg") & (summary["goal"] == "staff_wellbeing")]
    # s_thrive agrees 5 of 6; s_pressed 1, 2, 4, 5, 1, 2 reversed: 5, 4, 2, 1, 5, 4 -> 4 of 6
    assert row["share_agree"].iloc[0] == pytest.approx((5 / 6 + 4 / 6) / 2)
    assert row["items"].iloc[0] == 2
    team = summary[(summary["unit"] == "team_01") & (summary["goal"] == "staff_wellbeing")]
    # pooled over both months: 8 responses; 2024-03 adds 3 answers to each item
    assert team["respondents"].iloc[0] == 8
    assert not team["suppressed"].iloc[0]
    assert list(summary["goal"].unique()) == ["staff_attractive_workplace", "staff_wellbeing"]


def test_summary_by_trial_arm_needs_the_panel():
    table = staff(ROWS)
    with pytest.raises(AnalysisError, match="needs the caseload panel"):
        summarise_surveys(table, by=("arm",))
    arms = survey_arm(table, panel())
    assert set(arms[table["unit"] == "forsoeg"]) == {"trial"}
    assert set(arms[table["unit"] == "team_01"]) == {"ordinary"}
    summary = summarise_surveys(table, by=("arm",), panel=panel())
    assert set(summary["arm"]) == {"trial", "ordinary"}
    before = survey_arm(table.assign(unit="forsoeg"), panel())
    months = table["period"].astype(str)
    assert set(before[months == "2023-09"]) == {"before_trial"}
    assert set(survey_arm(table.assign(unit="team_99"), panel())) == {"not_in_panel"}
    with pytest.raises(ValueError, match="summaries group by"):
        summarise_surveys(table, by=("region",))


@pytest.mark.parametrize("language", ["da", "en"])
def test_display_shows_small_counts_as_below_five(language):
    summary = summarise_surveys(staff(ROWS), by=("unit", "period"))
    shown = summary_display(summary, ITEMS, language)
    counts = shown["Besvarelser" if language == "da" else "Responses"].astype(str)
    assert "<5" in set(counts) and "3" not in set(counts)
    assert "København" in set(shown.iloc[:, 1])
    goal_column = "Værdimål" if language == "da" else "Value goal"
    assert ("Medarbejdere: trivsel" if language == "da" else "Staff: well-being") in set(
        shown[goal_column]
    )
    items = summary_display(summarise_surveys(staff(ROWS), by=(), level="item"), ITEMS, language)
    item_column = "Spørgsmål" if language == "da" else "Item"
    assert ITEMS.items["s_thrive"].text(language) in set(items[item_column])


def test_goal_outcomes_leave_out_unit_months_below_five_respondents():
    outcomes = goal_outcomes(staff(ROWS))
    assert list(outcomes.columns) == [
        "municipality_code", "unit", "period", "staff_attractive_workplace", "staff_wellbeing"
    ]  # fmt: skip
    keys = set(zip(outcomes["unit"], outcomes["period"].astype(str), strict=True))
    assert keys == {("forsoeg", "2024-03"), ("team_01", "2023-09")}
    forsoeg = outcomes[outcomes["unit"] == "forsoeg"].iloc[0]
    # s_recommend agrees 5 of 6, s_stay 4 of 6
    assert forsoeg["staff_attractive_workplace"] == pytest.approx((5 / 6 + 4 / 6) / 2)


def test_outcomes_join_the_panel_by_unit_and_month():
    joined = join_survey_outcomes(panel(), staff(ROWS))
    assert len(joined) == len(panel())
    values = joined.set_index(["unit", joined["period"].astype(str)])["staff_wellbeing"]
    assert values[("forsoeg", "2024-03")] == pytest.approx((5 / 6 + 4 / 6) / 2)
    assert np.isnan(values[("team_01", "2024-03")])  # 3 respondents: no value
    assert values.notna().sum() == 2


def test_simulated_and_real_are_never_pooled():
    with pytest.raises(InputError) as info:
        join_survey_outcomes(panel("municipal"), staff(ROWS, origin="simulated"))
    message = str(info.value)
    assert "not both simulated or both real" in message and "pooled" in message
    assert "staff.csv" in message and "panel.csv" in message
    with pytest.raises(InputError, match="not both simulated or both real"):
        join_survey_outcomes(panel("simulated"), staff(ROWS))
    both = join_survey_outcomes(panel("simulated"), staff(ROWS, origin="simulated"))
    assert "staff_wellbeing" in both.columns


def test_a_surveyed_unit_missing_from_the_panel_is_named():
    rows = [("team_1", *row[1:]) if row[0] == "team_01" else row for row in ROWS]
    with pytest.raises(InputError) as info:
        join_survey_outcomes(panel(), staff(rows))
    (problem,) = info.value.problems
    assert problem.file == "staff.csv" and problem.column == "unit"
    assert "unit 'team_1' of municipality 101 has answers but no rows" in problem.message


def test_a_goal_the_panel_already_has_is_refused():
    with pytest.raises(InputError, match="both the caseload panel and the surveys give"):
        join_survey_outcomes(panel().assign(staff_wellbeing=0.5), staff(ROWS))


def test_summaries_count_dont_know_and_never_pool_means_of_two_scales():
    """Issue 25: a 1–4 file and a 1–5 file of the same unit pool their shares agreeing
    (each on its own scale) but not their means; don't-know answers are counted."""
    from analysis.data.survey_format import AnswerScale, SurveyFormat

    five = staff(ROWS[:6])  # forsoeg 2024-03, 1–5
    rows = [("forsoeg", "2024-06", a, a, a, 5 - a) for a in (4, 3, 3, 2, 1)]
    rows += [("forsoeg", "2024-06", 6, 6, 4, 1)]  # "ved ikke" on s_recommend and s_stay
    frame = pd.DataFrame(rows, columns=["unit", "period", *STAFF_ITEMS]).assign(
        municipality_code=101
    )
    fmt = SurveyFormat(scale=AnswerScale(1, 4, "b_format.yaml"), dont_know=(6.0,))
    four = validate_survey_frame(frame, ITEMS, "b.csv", survey_format=fmt).table
    assert four.set_index("item").loc["s_recommend", "dont_know"] == 1
    table = pd.concat([five, four.assign(source_file="b.csv")], ignore_index=True)
    items = summarise_surveys(table, by=("unit",), level="item").set_index("item")
    recommend = items.loc["s_recommend"]
    # 1–5: 5 of 6 agree (4-5); 1–4: 3 of 5 answers agree (3-4), one "ved ikke"
    assert (recommend["answers"], recommend["dont_know"]) == (11, 1)
    assert recommend["share_agree"] == pytest.approx((5 + 3) / 11)
    assert np.isnan(recommend["mean_score"])
    goals = summarise_surveys(table, by=("unit",))
    assert goals["mean_score"].isna().all() and goals["share_agree"].notna().all()
    by_month = summarise_surveys(table, by=("unit", "period"), level="item")
    assert by_month["mean_score"].notna().all()  # one scale per month: means shown
