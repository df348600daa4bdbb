"""Answer scales, "don't know" codes and the order of header problems in survey files
(issue 25 §1): a file states its scale or is refused when no answer reaches the top of
the expected one; agreeing means the answers above the middle of the stated scale."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analysis.data.survey_items import load_survey_items
from analysis.data.surveys import read_survey_file
from analysis.errors import InputError

REPO = Path(__file__).resolve().parents[2]
ITEMS_FILE = REPO / "data" / "raw" / "surveys" / "items.yaml"
STAFF = ("s_recommend", "s_stay", "s_thrive", "s_pressed")


@pytest.fixture(scope="module")
def items():
    return load_survey_items(ITEMS_FILE)


def staff_file(tmp_path: Path, rows: list[tuple], fmt: str | None = None) -> Path:
    """A staff survey, one row per respondent, in unit forsoeg, 2024-03; ``fmt`` is the
    text of its format file."""
    lines = ["municipality_code,unit,period," + ",".join(STAFF)]
    lines += [",".join(["101", "forsoeg", "2024-03", *map(str, row)]) for row in rows]
    path = tmp_path / "staff.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if fmt is not None:
        (tmp_path / "staff_format.yaml").write_text(textwrap.dedent(fmt), encoding="utf-8")
    return path


def problems_of(path: Path, items) -> list:
    with pytest.raises(InputError) as info:
        read_survey_file(path, items)
    return info.value.problems


def four_point_survey() -> list[tuple]:
    """60 staff on a 1–4 scale: 7 answer 4 (11.7 %) and 14 answer 3, so 35 % agree (3 or
    4); s_pressed (negatively worded) holds 1 for the 21 who agree with the goal."""
    answers = [4] * 7 + [3] * 14 + [2] * 25 + [1] * 14
    return [(a, a, a, 5 - a) for a in answers]


# --- the scale ----------------------------------------------------------------------------


def test_a_four_point_survey_without_its_scale_is_refused(tmp_path, items):
    """Before: read without a word; the share agreeing was the share of 4s (11.7 %)."""
    path = staff_file(tmp_path, four_point_survey())
    (problem,) = problems_of(path, items)
    assert "no answer in the file reaches 5, the top of the 1–5 scale" in problem.message
    assert "staff_format.yaml" in problem.message and "scale: 1-4" in problem.message
    assert problem.file == str(path)


def test_a_stated_four_point_scale_agrees_on_3_and_4_and_reverses_on_it(tmp_path, items):
    """Before: the format file was refused (it could only state the decimal mark)."""
    path = staff_file(tmp_path, four_point_survey(), "scale: 1-4\n")
    survey = read_survey_file(path, items)
    table = survey.table.set_index("item")
    assert table.loc["s_recommend", "share_agree"] == pytest.approx(0.35)
    # s_pressed 1 on a 1–4 scale is 4 after reversing (5 - x), not 5 (6 - x)
    assert table.loc["s_pressed", "share_agree"] == pytest.approx(0.35)
    assert table.loc["s_pressed", "mean_score"] == pytest.approx(table.loc["s_stay", "mean_score"])
    assert table["scale_min"].eq(1).all() and table["scale_max"].eq(4).all()
    assert survey.scale.text == "1–4" and survey.scale.agree == (3, 4)


@pytest.mark.parametrize(
    ("low", "high", "agree"),
    [
        (1, 4, (3, 4)),
        (1, 5, (4, 5)),
        (1, 6, (4, 5, 6)),
        (1, 7, (5, 6, 7)),
        (0, 10, tuple(range(6, 11))),
    ],
)
def test_every_stated_scale_agrees_above_its_middle(tmp_path, items, low, high, agree):
    """Each scale with SurveyXact's don't-know code (its top + 1) declared: two answers
    of it per item are counted and change neither the share nor the mean."""
    points = list(range(low, high + 1))
    rows = [(p, p, p, low + high - p) for p in points for _ in range(2)]
    rows += [(high + 1,) * 4] * 2
    path = staff_file(tmp_path, rows, f"scale: {low}-{high}\ndont_know: [{high + 1}]\n")
    table = read_survey_file(path, items).table.set_index("item")
    expected = len(agree) / len(points)
    assert table.loc["s_thrive", "share_agree"] == pytest.approx(expected)
    assert table.loc["s_pressed", "share_agree"] == pytest.approx(expected)
    assert table.loc["s_thrive", "mean_score"] == pytest.approx((low + high) / 2)
    assert (table["dont_know"] == 2).all() and (table["answers"] == 2 * len(points)).all()


@pytest.mark.parametrize(
    ("high", "phrase"),
    [
        (4, "no answer in the file reaches 5"),
        (6, "6 is one above the top of the 1–5 scale"),
        (7, "the survey used a 1–7 scale"),
    ],
)
def test_an_unstated_scale_other_than_1_to_5_is_refused_saying_how_to_state_it(
    tmp_path, items, high, phrase
):
    """Before: 1–4 was read as 1–5, and 1–6 or 1–7 got 'recode the answers to 1–5'."""
    rows = [(p, p, p, p) for p in range(1, high + 1) for _ in range(3)]
    text = "\n".join(str(p) for p in problems_of(staff_file(tmp_path, rows), items))
    assert phrase in text
    assert f"scale: 1-{high}" in text
    assert "recode" not in text and "reads 1–5 Likert items only" not in text


def test_answers_outside_the_stated_scale_are_refused_naming_it(tmp_path, items):
    rows = [(4, 4, 4, 2)] * 30 + [(4, 5, 4, 2)]
    problems = problems_of(staff_file(tmp_path, rows, "scale: 1-4\n"), items)
    (problem,) = problems
    assert (problem.row, problem.column, problem.found) == (32, "s_stay", "5")
    assert problem.message == "answer outside the 1–4 scale stated in staff_format.yaml"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("scale: 1-3\n", "from 4 to 11 points"),
        ("scale: 2-6\n", "starts at 0 or 1"),
        ("scale: five\n", "a scale such as 1-5"),
        ("scale: 1-5\ncolour: red\n", "unknown key"),
    ],
)
def test_a_bad_scale_statement_is_named_with_its_line(tmp_path, items, text, phrase):
    path = staff_file(tmp_path, [(4, 4, 4, 2)] * 5, text)
    with pytest.raises(InputError) as info:
        read_survey_file(path, items)
    (problem,) = info.value.problems
    assert problem.file == str(tmp_path / "staff_format.yaml") and problem.row is not None
    assert phrase in str(problem)


# --- don't know ---------------------------------------------------------------------------


def surveyxact_rows() -> list[tuple]:
    """40 staff on 1–5 with SurveyXact's "Ikke relevant/ved ikke" as 6 in s_stay for 6 of
    them (15 %): of the 34 who answered s_stay, 17 agree."""
    rows = [(4, 6, 4, 2)] * 6
    rows += [(4, 5, 4, 2)] * 10 + [(4, 4, 4, 2)] * 7 + [(4, 2, 4, 2)] * 17
    return rows


def test_declared_dont_know_codes_are_counted_and_kept_out_of_shares_and_means(tmp_path, items):
    """Before: refused as 'a 1–7 scale', with the advice to recode to 1–5."""
    path = staff_file(tmp_path, surveyxact_rows(), "dont_know: [6]\n")
    survey = read_survey_file(path, items)
    stay = survey.table.set_index("item").loc["s_stay"]
    assert (stay["respondents"], stay["answers"], stay["dont_know"]) == (40, 34, 6)
    assert stay["share_agree"] == pytest.approx(17 / 34)
    assert stay["mean_score"] == pytest.approx((10 * 5 + 7 * 4 + 17 * 2) / 34)
    assert survey.table.set_index("item").loc["s_thrive", "dont_know"] == 0
    assert any("6 answers 'don't know / not relevant' (code 6)" in n for n in survey.notes)


def test_a_text_dont_know_code_and_one_on_another_scale(tmp_path, items):
    rows = [(3, "Ved ikke", 3, 2)] * 3 + [(4, 4, 4, 1)] * 5 + [(1, 2, 1, 4)] * 4
    path = staff_file(tmp_path, rows, "scale: 1-4\ndont_know: [ved ikke, 9]\n")
    stay = read_survey_file(path, items).table.set_index("item").loc["s_stay"]
    assert (stay["answers"], stay["dont_know"]) == (9, 3)
    assert stay["share_agree"] == pytest.approx(5 / 9)


def test_an_undeclared_top_plus_one_is_named_as_surveyxacts_dont_know(tmp_path, items):
    """Before: 'the survey used a 1–7 scale ... recode the answers to 1–5'."""
    problems = problems_of(staff_file(tmp_path, surveyxact_rows()), items)
    (column,) = [p for p in problems if p.row is None]
    assert column.column == "s_stay"
    assert "6 is one above the top of the 1–5 scale" in column.message
    assert "'Ikke relevant/ved ikke'" in column.message
    assert "dont_know: [6]" in column.message and "staff_format.yaml" in column.message
    assert "1–7" not in column.message and "recode" not in column.message


def test_a_dont_know_code_inside_the_scale_is_refused(tmp_path, items):
    path = staff_file(tmp_path, [(4, 4, 4, 2)] * 5, "dont_know: [5]\n")
    with pytest.raises(InputError, match="5 is a point of the 1–5 scale"):
        read_survey_file(path, items)


# --- the order of header problems ---------------------------------------------------------


def test_missing_keys_and_items_come_before_unknown_columns(tmp_path, items):
    """Before: 20 'unknown column' lines, then '... more problem(s) not listed'; the
    missing municipality_code, unit and period were never shown."""
    header = ["respondentid", *(f"s_{i}" for i in range(1, 25)), "statoverall_4"]
    lines = [";".join(header), ";".join(["1", *["4"] * 24, "1"])]
    path = tmp_path / "dataset.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_survey_file(path, items)
    problems = info.value.problems
    assert [p.column for p in problems[:3]] == ["municipality_code", "unit", "period"]
    assert problems[3].message.startswith("no item columns")
    assert "looks like a SurveyXact export" in problems[3].message
    assert "dataset_format.yaml" in problems[3].message
    shown = str(info.value).splitlines()
    assert "missing column 'municipality_code'" in shown[1]
    assert "more problem(s) not listed" not in str(info.value)
    assert len(problems) == 5  # the 26 columns the contract does not know: one problem


def test_missing_item_columns_come_before_unknown_ones(tmp_path, items):
    header = "municipality_code,unit,period,zz_1,zz_2,s_recommend,s_stay,s_thrive"
    path = tmp_path / "staff.csv"
    path.write_text(header + "\n101,forsoeg,2024-03,1,1,4,5,4\n", encoding="utf-8")
    problems = problems_of(path, items)
    assert problems[0].column == "s_pressed" and "missing item column" in problems[0].message
    assert [p.column for p in problems[1:]] == ["zz_1", "zz_2"]


# --- aggregated files on a stated scale ---------------------------------------------------

CITIZEN = ("c_goal_clear", "c_course_stuck", "c_respect", "c_listened_to", "c_way_out")


def citizen_aggregated(tmp_path: Path, goal: tuple, fmt: str) -> Path:
    """One unit-month of 20 respondents; ``goal`` is (mean, share) of c_goal_clear, the
    other items 3.0 with 60 % agreeing (c_course_stuck: 2.0, 60 % disagreeing)."""
    header = ["municipality_code", "unit", "period", "respondents"]
    values = ["101", "forsoeg", "2024-03", "20"]
    for item in CITIZEN:
        share = "disagree" if item == "c_course_stuck" else "agree"
        header += [f"{item}_mean", f"{item}_{share}"]
        mean, part = (
            goal if item == "c_goal_clear" else ("2.0" if share == "disagree" else "3.0", "0.6")
        )
        values += [str(mean), str(part)]
    path = tmp_path / "citizen.csv"
    path.write_text(",".join(header) + "\n" + ",".join(values) + "\n", encoding="utf-8")
    (tmp_path / "citizen_format.yaml").write_text(fmt, encoding="utf-8")
    return path


def test_an_aggregated_file_on_a_stated_four_point_scale(tmp_path, items):
    """With 90 % answering 3 or 4 on 1–4 the mean lies between 2.80 and 3.80: 3.6 is
    right there (on 1–5 it would be refused, 4 or 5 giving 3.70-4.80), and a negatively
    worded mean is reversed on 1–4 (2.0 -> 3.0)."""
    path = citizen_aggregated(tmp_path, ("3.6", "0.9"), "scale: 1-4\n")
    table = read_survey_file(path, items).table.set_index("item")
    assert table.loc["c_goal_clear", "mean_score"] == pytest.approx(3.6)
    assert table.loc["c_course_stuck", "mean_score"] == pytest.approx(3.0)
    assert table["dont_know"].isna().all() and table["scale_max"].eq(4).all()
    (tmp_path / "citizen_format.yaml").write_text("scale: 1-5\n", encoding="utf-8")
    problems = problems_of(path, items)
    assert any("between 3.70 and 4.80" in p.message for p in problems)


def test_an_aggregated_mean_off_the_stated_scale_and_dont_know_codes(tmp_path, items):
    path = citizen_aggregated(tmp_path, ("4.5", "0.9"), "scale: 1-4\n")
    (problem,) = [p for p in problems_of(path, items) if p.column == "c_goal_clear_mean"]
    assert problem.message == "mean outside the 1–4 scale stated in citizen_format.yaml"
    path = citizen_aggregated(tmp_path, ("3.6", "0.9"), "scale: 1-4\ndont_know: [5]\n")
    (problem,) = problems_of(path, items)
    assert "the file is aggregated" in problem.message and problem.column == "dont_know"


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        ("a: &a [1]\nb: [*a, *a]\n", "aliases (*a) are not allowed"),
        ("scale: !!python/object/apply:os.mkdir ['x']\n", "is not allowed"),
        (b"\xff\xfe\x00\x01" * 10, "not UTF-8 text"),
        ("scale: 1-5\n" + "#" * 70_000 + "\n", "larger than"),
        ("scale: 1-5\nscale: 1-4\n", "key given twice"),
    ],
)
def test_a_hostile_format_file_is_refused_naming_it(tmp_path, items, content, phrase):
    """The survey format file is YAML read through analysis.yamlio (a guard, not a fix:
    the old line reader refused these too)."""
    path = staff_file(tmp_path, [(4, 5, 4, 2)] * 5)
    sidecar = tmp_path / "staff_format.yaml"
    sidecar.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    with pytest.raises(InputError) as info:
        read_survey_file(path, items)
    assert str(sidecar) in str(info.value) and phrase in str(info.value)
    assert not (tmp_path / "x").exists()
