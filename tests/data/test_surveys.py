"""The experience-survey contract: the items file, both layouts, and bad survey files
(each problem naming the file, row and column, and what was expected)."""

from __future__ import annotations

import bisect
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.data.caseloads import SURVEY_OUTCOMES
from analysis.data.survey_items import load_survey_items, parse_survey_items
from analysis.data.surveys import read_survey_file, validate_survey_frame
from analysis.errors import InputError

REPO = Path(__file__).resolve().parents[2]
ITEMS_FILE = REPO / "data" / "raw" / "surveys" / "items.yaml"
SEEDS = REPO.parent / "shared" / "seeds"
STAFF_HEADER = "municipality_code,unit,period,s_recommend,s_stay,s_thrive,s_pressed"
CITIZEN_COLUMNS = [
    "c_goal_clear_mean", "c_goal_clear_agree", "c_course_stuck_mean",
    "c_course_stuck_disagree", "c_respect_mean", "c_respect_agree", "c_listened_to_mean",
    "c_listened_to_agree", "c_way_out_mean", "c_way_out_agree",
]  # fmt: skip


@pytest.fixture(scope="module")
def items():
    return load_survey_items(ITEMS_FILE)


def write(tmp_path: Path, text: str, name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(path: Path, items) -> list:
    with pytest.raises(InputError) as info:
        read_survey_file(path, items)
    return info.value.problems


def staff_rows(values: list[tuple], unit: str = "forsoeg", period: str = "2024-03") -> str:
    lines = [STAFF_HEADER]
    lines += [",".join(["101", unit, period, *map(str, row)]) for row in values]
    return "\n".join(lines) + "\n"


GOOD_STAFF = [(5, 4, 4, 1), (4, 4, 3, 2), (3, 5, 4, 4), (2, 1, 5, 5), (4, "", 4, 2)]


# --- the items file -----------------------------------------------------------------------


def test_committed_items_measure_every_value_goal(items):
    assert set(items.goals) == set(SURVEY_OUTCOMES)
    assert {item.goal for item in items.items.values()} == set(SURVEY_OUTCOMES)
    for item in items.items.values():
        assert item.text_da and item.text_en and item.who == items.goals[item.goal].who
        scale = items.scales[item.scale]
        assert sorted(scale.labels) == [1, 2, 3, 4, 5]
    assert [i.id for i in items.of("staff")] == ["s_recommend", "s_stay", "s_thrive", "s_pressed"]
    assert items.items["c_course_stuck"].reversed and items.items["s_pressed"].reversed


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed documents not available at {SEEDS}")
def test_every_goal_is_quoted_word_for_word_at_its_place_in_seed_003(items):
    text = (SEEDS / items.source_file).read_text(encoding="utf-8")
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    for goal in items.goals.values():
        assert text[goal.offset : goal.offset + len(goal.quote)] == goal.quote, goal.id
        assert bisect.bisect_right(starts, goal.offset) == goal.line, goal.id


BAD_ITEMS = """\
version: "t"
source: {file: 003.txt, title: Handleplan}
scales:
  agree7:
    labels:
      1: {da: a, en: a}
      7: {da: b, en: b}
  agree5:
    labels: {1: {da: a, en: a}, 2: {da: b, en: b}, 3: {da: c, en: c}, 4: {da: d, en: d},
             5: {da: e, en: e}}
goals:
  citizen_goal_direction: {who: staff, quote: "at der er mål", line: 55, offset: 6659}
  citizen_happiness: {who: citizen, quote: "x", line: 1, offset: 0}
items:
  - {id: c_a, who: citizen, goal: citizen_goal_direction, scale: agree5, direction: up,
     text: {da: a, en: a}}
  - {id: c_a, who: citizen, goal: citizen_goal_direction, scale: agree5, direction: positive,
     text: {da: a, en: a}}
  - {id: c_b, who: citizen, goal: staff_wellbeing, scale: agree7, direction: positive,
     text: {da: b}, colour: red}
"""


def test_bad_items_file_names_every_problem_with_its_line():
    with pytest.raises(InputError) as info:
        parse_survey_items(BAD_ITEMS, "items.yaml")
    found = {(p.row, p.column): p.message for p in info.value.problems}
    assert "is not a 1–5 scale" in found[(5, "labels")]
    assert found[(12, "who")] == "goal 'citizen_goal_direction' is a citizen goal"
    assert "unknown value goal 'citizen_happiness'" in found[(13, "goals")]
    assert "direction must say" in found[(15, "direction")]
    assert found[(17, "id")] == "item id 'c_a' given twice"
    assert "unknown goal" in found[(19, "goal")]
    assert "unknown scale" in found[(19, "scale")]
    assert "in both languages" in found[(20, "text")]
    assert "unknown key" in found[(20, "colour")]
    assert all(p.file == "items.yaml" for p in info.value.problems)


def test_items_file_refuses_aliases_and_names_the_line():
    text = BAD_ITEMS.replace("labels: {1:", "labels: &l {1:").replace(
        "  citizen_happiness", "  other: *l\n  citizen_happiness"
    )
    with pytest.raises(InputError, match=r"aliases \(\*l\) are not allowed"):
        parse_survey_items(text, "items.yaml")


def test_items_file_missing(tmp_path):
    with pytest.raises(InputError, match="survey items file not found"):
        load_survey_items(tmp_path / "items.yaml")


# --- one row per respondent ---------------------------------------------------------------


def test_respondent_file_gives_unit_month_aggregates_with_negative_items_reversed(tmp_path, items):
    path = write(tmp_path, staff_rows(GOOD_STAFF))
    survey = read_survey_file(path, items)
    assert (survey.survey, survey.layout, survey.simulated) == ("staff", "respondents", False)
    table = survey.table.set_index("item")
    assert table["respondents"].eq(5).all()
    assert table.loc["s_stay", "answers"] == 4  # one empty answer
    assert table.loc["s_recommend", "share_agree"] == pytest.approx(3 / 5)
    assert table.loc["s_recommend", "mean_score"] == pytest.approx(18 / 5)
    # s_pressed is negative: answers 1, 2, 4, 5, 2 count as 5, 4, 2, 1, 4
    assert table.loc["s_pressed", "mean_score"] == pytest.approx(16 / 5)
    assert table.loc["s_pressed", "share_agree"] == pytest.approx(3 / 5)
    assert table.loc["s_thrive", "goal"] == "staff_wellbeing"
    assert str(table["period"].iloc[0]) == "2024-03"


def test_semicolons_and_month_codes_read_the_same(tmp_path, items):
    comma = read_survey_file(write(tmp_path, staff_rows(GOOD_STAFF), "a.csv"), items)
    text = staff_rows(GOOD_STAFF, period="2024M03").replace(",", ";")
    semicolon = read_survey_file(write(tmp_path, text, "b.csv"), items)
    pd.testing.assert_frame_equal(comma.table, semicolon.table)


@pytest.mark.parametrize(
    ("answers", "scale"),
    [([0, 3, 5, 7, 8, 10, 6, 9, 2, 1], "0–10"), ([1, 2, 3, 4, 5, 6, 7, 7, 6, 4], "1–7")],
)
def test_another_scale_is_named_for_the_column_and_every_bad_value_has_its_rows(
    tmp_path, items, answers, scale
):
    rows = [(4, 4, answer, 2) for answer in answers]
    problems = problems_of(write(tmp_path, staff_rows(rows)), items)
    column = [p for p in problems if p.row is None]
    assert len(column) == 1 and column[0].column == "s_thrive"
    assert f"the survey used a {scale} scale" in column[0].message
    # issue 25: not "recode to 1–5" but how to state the scale the survey used
    assert "state the scale in survey_format.yaml ('scale: " in column[0].message
    cells = {
        (row, p.found)
        for p in problems
        if p.row is not None
        for first, last in p.rows or ((p.row, p.row),)
        for row in range(first, last + 1)
    }
    bad = {(i + 2, str(a)) for i, a in enumerate(answers) if not 1 <= a <= 5}
    assert cells == bad
    assert all(p.column == "s_thrive" and p.file.endswith("survey.csv") for p in problems)
    assert all("expected a whole number 1–5 (1 = Strongly disagree" in str(p) for p in problems)


def test_a_stray_answer_outside_the_scale_is_named_where_it_is(tmp_path, items):
    rows = [(4, 4, 3, 2)] * 30 + [(4, 6, 3, 2)] + [(4, 4, 3, 2)] * 9
    with pytest.raises(InputError) as info:
        read_survey_file(write(tmp_path, staff_rows(rows)), items)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.found) == (32, "s_stay", "6")
    assert problem.message == "answer outside the 1–5 scale"
    assert "survey.csv, row 32, column 's_stay': answer outside the 1–5 scale" in str(info.value)


def test_a_dont_know_code_is_named_as_one(tmp_path, items):
    rows = [(4, 9, 3, 2)] * 3 + [(4, 4, 3, 2)] * 7
    problems = problems_of(write(tmp_path, staff_rows(rows)), items)
    summary = next(p for p in problems if p.row is None)
    assert "looks like a code for 'don't know'" in summary.message
    grouped = next(p for p in problems if p.row is not None)
    assert (grouped.rows, grouped.count, grouped.found) == (((2, 4),), 3, "9")


def test_missing_items_are_named(tmp_path, items):
    header = STAFF_HEADER.removesuffix(",s_pressed")
    lines = [header] + ["101,forsoeg,2024-03," + ",".join(map(str, row[:3])) for row in GOOD_STAFF]
    (problem,) = problems_of(write(tmp_path, "\n".join(lines) + "\n"), items)
    assert (problem.row, problem.column) == (1, "s_pressed")
    assert "missing item column 's_pressed'" in problem.message
    assert "every staff item: s_recommend, s_stay, s_thrive, s_pressed" in problem.expected


def test_unknown_items_are_named_with_the_nearest_name(tmp_path, items):
    header = STAFF_HEADER.replace("s_thrive", "s_thrve") + ",extra"
    lines = [header] + [
        ",".join(["101", "forsoeg", "2024-03", *map(str, r), "1"]) for r in GOOD_STAFF
    ]
    problems = problems_of(write(tmp_path, "\n".join(lines) + "\n"), items)
    found = {p.column: p.message for p in problems}
    assert found["s_thrve"] == (
        "unknown column 's_thrve': not an item of the items file; did you mean 's_thrive'?"
    )
    assert found["extra"] == "unknown column 'extra': not an item of the items file"
    assert "missing item column 's_thrive'" in found["s_thrive"]
    assert {p.row for p in problems} == {1}


def test_text_in_an_item_column(tmp_path, items):
    rows = [*GOOD_STAFF, (4, "Enig", 3, 2), (4, "ved ikke", 3, 2), (4, "-", 3, 2)]
    problems = problems_of(write(tmp_path, staff_rows(rows)), items)
    by_row = {p.row: p for p in problems}
    assert set(by_row) == {7, 8, 9} and all(p.column == "s_stay" for p in problems)
    assert by_row[7].message == "an answer written as its label; write its number"
    assert by_row[7].expected == "4, the number of 'Enig' on the item's scale"
    assert (by_row[8].message, by_row[8].found) == ("not a number", "ved ikke")
    assert (by_row[9].message, by_row[9].found) == ("not a number", "-")


@pytest.mark.parametrize("dropped", [("unit",), ("period",), ("unit", "period")])
def test_a_respondent_file_without_unit_or_month_is_refused(tmp_path, items, dropped):
    frame = pd.read_csv(write(tmp_path, staff_rows(GOOD_STAFF)), dtype=str)
    path = tmp_path / "no_keys.csv"
    frame.drop(columns=list(dropped)).to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        read_survey_file(path, items)
    named = {p.column: p for p in info.value.problems}
    assert set(named) == set(dropped)
    for column in dropped:
        assert named[column].row == 1
        assert f"missing column '{column}'" in named[column].message
        assert named[column].expected == "the columns municipality_code, unit, period"
    assert str(path) in str(info.value)


def test_half_answers_empty_rows_and_repeated_respondents(tmp_path, items):
    text = staff_rows([*GOOD_STAFF, (3.5, 4, 4, 4), ("", "", "", "")])
    text = text.replace("s_pressed\n", "s_pressed,respondent_id\n")
    lines = text.splitlines()
    lines = [lines[0]] + [f"{line},r{min(i, 5)}" for i, line in enumerate(lines[1:], 1)]
    problems = problems_of(write(tmp_path, "\n".join(lines) + "\n"), items)
    by_row = {(p.row, p.column): p.message for p in problems}
    assert by_row[(7, "s_recommend")].startswith("not a whole number")
    assert by_row[(8, "s_recommend, s_stay, s_thrive, s_pressed")] == (
        "a respondent without any answer"
    )
    assert by_row[(7, "respondent_id")] == "respondent_id given twice (first in row 6)"


def test_both_surveys_in_one_file_and_no_items_at_all(tmp_path, items):
    text = staff_rows(GOOD_STAFF).replace("s_recommend", "c_respect")
    (problem,) = [p for p in problems_of(write(tmp_path, text), items) if p.column is None]
    assert "items of both surveys in one file" in problem.message
    assert "c_respect (citizen)" in problem.found
    empty = "municipality_code,unit,period,answer\n101,forsoeg,2024-03,4\n"
    problems = problems_of(write(tmp_path, empty, "empty.csv"), items)
    assert any(p.message.startswith("no item columns") for p in problems)


def test_keys_are_checked_like_the_caseload_contract(tmp_path, items):
    text = staff_rows(GOOD_STAFF[:2]) + "999,forsoeg,2024-03,4,4,4,4\n101,,2024-13,4,4,4,4\n"
    problems = problems_of(write(tmp_path, text), items)
    found = {(p.row, p.column): p.message for p in problems}
    assert found[(4, "municipality_code")] == "unknown municipality"
    assert found[(5, "unit")] == "missing value"
    assert found[(5, "period")] == "not a month"


def test_excel_problems_use_spreadsheet_rows_and_good_rows_read_as_in_csv(tmp_path, items):
    book = Workbook()
    sheet = book.active
    sheet.title = "svar"
    sheet.append(STAFF_HEADER.split(","))
    for row in GOOD_STAFF:
        sheet.append([101, "forsoeg", "2024-03", *(None if v == "" else v for v in row)])
    good = tmp_path / "good.xlsx"
    book.save(good)
    from_csv = read_survey_file(write(tmp_path, staff_rows(GOOD_STAFF)), items).table
    pd.testing.assert_frame_equal(read_survey_file(good, items).table, from_csv)
    sheet.append([101, "forsoeg", "2024-03", 4, 12, 3, 2])
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    with pytest.raises(InputError) as info:
        read_survey_file(bad, items)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.found) == (7, "s_stay", "12")
    assert "spreadsheet row numbers on sheet 'svar'" in str(info.value)


def test_data_origin_marks_a_simulated_file(tmp_path, items):
    text = staff_rows(GOOD_STAFF).replace("s_pressed\n", "s_pressed,data_origin\n")
    text = "\n".join(line + ",simulated" if i else line for i, line in
                     enumerate(text.splitlines())) + "\n"  # fmt: skip
    survey = read_survey_file(write(tmp_path, text), items)
    assert survey.simulated and (survey.table["data_origin"] == "simulated").all()


# --- one row per unit and month -----------------------------------------------------------


def citizen_line(values: list, unit: str = "forsoeg", period: str = "2024-03", n="20") -> str:
    return ",".join(["101", unit, period, str(n), *map(str, values)])


CITIZEN_HEADER = "municipality_code,unit,period,respondents," + ",".join(CITIZEN_COLUMNS)
GOOD_CITIZEN = [3.8, 0.7, 2.1, 0.75, 4.1, 0.8, 3.9, 0.65, 3.2, 0.4]


def citizen_text(*lines: str, header: str = CITIZEN_HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def test_aggregated_file_in_either_decimal_mark(tmp_path, items):
    point = citizen_text(citizen_line(GOOD_CITIZEN), citizen_line(GOOD_CITIZEN, "team_01"))
    a = read_survey_file(write(tmp_path, point, "point.csv"), items)
    comma = point.replace(",", ";").replace(".", ",")
    b = read_survey_file(write(tmp_path, comma, "comma.csv"), items)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert (a.survey, a.layout) == ("citizen", "aggregated")
    table = a.table[a.table["unit"] == "forsoeg"].set_index("item")
    assert table.loc["c_respect", "share_agree"] == pytest.approx(0.8)
    assert table.loc["c_respect", "mean_score"] == pytest.approx(4.1)
    # negative item: 75 % answered 1 or 2, the mean as worded 2.1 is 3.9 on the goal's side
    assert table.loc["c_course_stuck", "share_agree"] == pytest.approx(0.75)
    assert table.loc["c_course_stuck", "mean_score"] == pytest.approx(3.9)
    assert table["respondents"].eq(20).all() and table["answers"].eq(20).all()


def test_aggregated_values_that_cannot_be_right(tmp_path, items):
    lines = [
        citizen_line([5.5, 0.7, *GOOD_CITIZEN[2:]]),  # row 2: mean above 5
        citizen_line([3.8, 45, *GOOD_CITIZEN[2:]], "b"),  # row 3: 45 for 45 %
        citizen_line(GOOD_CITIZEN, "c", n="2.5"),  # row 4: respondents not whole
        citizen_line([3.8, "", *GOOD_CITIZEN[2:]], "d"),  # row 5: a mean without its share
        citizen_line([1.5, 0.9, *GOOD_CITIZEN[2:]], "e"),  # row 6: 90 % agree, mean 1.5
        citizen_line(GOOD_CITIZEN, "f", n="0"),  # row 7: values without respondents
        citizen_line(GOOD_CITIZEN, "g"),
        citizen_line(GOOD_CITIZEN, "g"),  # row 9: the unit-month twice
    ]
    problems = problems_of(write(tmp_path, citizen_text(*lines)), items)
    found = {(p.row, p.column): p for p in problems}
    assert found[(2, "c_goal_clear_mean")].message == "mean outside the 1–5 scale"
    assert found[(3, "c_goal_clear_agree")].message == "share outside 0–1"
    assert "write 45 % as 0.45" in found[(3, "c_goal_clear_agree")].expected
    assert found[(4, "respondents")].message == "respondents must be a whole number >= 0"
    assert "give both the mean and the share" in found[(5, "c_goal_clear_agree")].message
    swapped = found[(6, "c_goal_clear_mean")]
    assert (
        "the mean cannot go with the share: with 90% answering 4 or 5, the mean lies "
        "between 3.70 and 4.80" in swapped.message
    )
    assert found[(7, "respondents")].message.endswith("for a unit-month without respondents")
    assert found[(9, "municipality_code, unit, period")].message.startswith(
        "duplicate unit-month: municipality 101, unit 'g', 2024-03 appears in rows 8 and 9"
    )


def test_a_negative_item_needs_its_disagree_share(tmp_path, items):
    header = CITIZEN_HEADER.replace("c_course_stuck_disagree", "c_course_stuck_agree")
    problems = problems_of(write(tmp_path, citizen_text(citizen_line(GOOD_CITIZEN),
                                                        header=header)), items)  # fmt: skip
    found = {p.column: p.message for p in problems}
    assert "item 'c_course_stuck' is negatively worded" in found["c_course_stuck_agree"]
    assert "give c_course_stuck_disagree" in found["c_course_stuck_agree"]
    assert "missing item column 'c_course_stuck_disagree'" in found["c_course_stuck_disagree"]


def test_aggregated_means_of_another_scale(tmp_path, items):
    lines = [citizen_line([m, 0.5, *GOOD_CITIZEN[2:]], f"u{i}") for i, m in
             enumerate([6.2, 7.5, 5.9, 8.1, 4.0])]  # fmt: skip
    problems = problems_of(write(tmp_path, citizen_text(*lines)), items)
    (column,) = [p for p in problems if p.row is None]
    assert column.column == "c_goal_clear_mean" and "1–10 (or 0–10) scale" in column.message


def test_ambiguous_decimals_ask_for_the_mark_and_a_format_file_gives_it(tmp_path, items):
    # every number with a mark reads both ways: 4.125 is 4.125 or 4125
    values = ["4.125", "1", "1.875", "1", "4.250", "1", "4.375", "1", "4.500", "1"]
    text = citizen_text(",".join(["101", "forsoeg", "2024-03", "20", *values]))
    path = write(tmp_path, text.replace(",", ";"), "means.csv")
    with pytest.raises(InputError) as info:
        read_survey_file(path, items)
    problem = info.value.problems[0]
    assert (problem.row, problem.found) == (2, "4.125")
    assert "cannot tell the decimal mark" in problem.message
    assert "means_format.yaml" in problem.message
    assert "mean outside" not in str(info.value), "not read with a mark it could not tell"
    (tmp_path / "means_format.yaml").write_text("decimal: point\n", encoding="utf-8")
    table = read_survey_file(path, items).table.set_index("item")
    assert table.loc["c_goal_clear", "mean_score"] == pytest.approx(4.125)
    (tmp_path / "means_format.yaml").write_text("decimal: comma\n", encoding="utf-8")
    with pytest.raises(InputError, match="mean outside the 1–5 scale"):
        read_survey_file(path, items)


def test_in_memory_frames_are_validated_the_same_way(items):
    frame = pd.DataFrame(GOOD_STAFF, columns=["s_recommend", "s_stay", "s_thrive", "s_pressed"])
    frame.insert(0, "period", "2024-03")
    frame.insert(0, "unit", "forsoeg")
    frame.insert(0, "municipality_code", 101)
    frame["s_stay"] = frame["s_stay"].replace("", None)
    survey = validate_survey_frame(frame, items, "frame")
    assert survey.table["respondents"].eq(5).all()
    with pytest.raises(InputError, match=r"frame, row 3, column 's_thrive'"):
        validate_survey_frame(frame.assign(s_thrive=[4, 11, 4, 4, 4]), items, "frame")


# --- invited (or eligible) counts: response rates (issue 21 §4) ---------------------------


def test_files_without_invited_stay_valid_and_give_no_count(tmp_path, items):
    survey = read_survey_file(write(tmp_path, staff_rows(GOOD_STAFF)), items)
    assert "invited" in survey.table.columns and survey.table["invited"].isna().all()


def test_invited_in_an_aggregated_file(tmp_path, items):
    header = CITIZEN_HEADER.replace("respondents,", "respondents,invited,")
    lines = [
        ",".join(["101", "forsoeg", "2024-03", "20", "50", *map(str, GOOD_CITIZEN)]),
        ",".join(["101", "team_01", "2024-03", "20", "", *map(str, GOOD_CITIZEN)]),
    ]
    table = read_survey_file(write(tmp_path, citizen_text(*lines, header=header)), items).table
    invited = table.drop_duplicates("unit").set_index("unit")["invited"]
    assert invited["forsoeg"] == 50 and pd.isna(invited["team_01"])


def test_bad_invited_counts_are_named_with_row_and_column(tmp_path, items):
    header = CITIZEN_HEADER.replace("respondents,", "respondents,invited,")
    lines = [
        ",".join(["101", "a", "2024-03", "20", "12", *map(str, GOOD_CITIZEN)]),  # row 2
        ",".join(["101", "b", "2024-03", "20", "30.5", *map(str, GOOD_CITIZEN)]),  # row 3
        ",".join(["101", "c", "2024-03", "20", "-1", *map(str, GOOD_CITIZEN)]),  # row 4
    ]
    found = problems_of(write(tmp_path, citizen_text(*lines, header=header)), items)
    by_row = {(p.row, p.column): p for p in found}
    assert "fewer persons invited (12) than answered (20)" in by_row[(2, "invited")].message
    assert "whole number" in by_row[(3, "invited")].message
    assert "whole number" in by_row[(4, "invited")].message


def test_invited_in_a_respondent_file_is_one_number_per_unit_month(tmp_path, items):
    header = STAFF_HEADER + ",invited"
    good = "\n".join(
        [header, *[",".join(["101", "forsoeg", "2024-03", *map(str, r), "9"]) for r in GOOD_STAFF]]
    )
    table = read_survey_file(write(tmp_path, good + "\n", "good.csv"), items).table
    assert table["invited"].eq(9).all() and table["respondents"].eq(5).all()
    rows = [",".join(["101", "forsoeg", "2024-03", *map(str, r), n]) for r, n in
            zip(GOOD_STAFF, ["9", "9", "8", "9", "9"], strict=True)]  # fmt: skip
    rows += [",".join(["101", "team_01", "2024-03", *map(str, r), "3"]) for r in GOOD_STAFF]
    found = problems_of(write(tmp_path, "\n".join([header, *rows]) + "\n", "bad.csv"), items)
    messages = {p.row: p for p in found}
    assert "differs between the rows of one unit-month" in messages[2].message
    assert messages[2].found == "8 to 9"
    assert "fewer persons invited (3) than answered (5)" in messages[7].message
    assert all(p.column == "invited" for p in found)


def test_invited_cannot_be_an_item_id():
    from analysis.data.survey_items import RESERVED

    assert "invited" in RESERVED
