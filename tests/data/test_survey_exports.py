"""Survey exports as SurveyXact, Qualtrics and REDCap write them (issue 25 §1), read with
the small format file a user writes beside them (column mapping, scale, don't-know codes,
sheet). The fixtures in tests/fixtures/data/surveys/ are written for this project in the
shape of those tools' exports (see the README there)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from analysis.data.survey_items import load_survey_items
from analysis.data.surveys import read_survey_file
from analysis.errors import InputError

REPO = Path(__file__).resolve().parents[2]
ITEMS_FILE = REPO / "data" / "raw" / "surveys" / "items.yaml"
FIXTURES = REPO / "tests" / "fixtures" / "data" / "surveys"
SURVEYXACT_CSV = FIXTURES / "surveyxact_staff_dataset.csv"
SURVEYXACT_XLSX = FIXTURES / "surveyxact_staff_dataset.xlsx"
QUALTRICS = FIXTURES / "qualtrics_citizen_export.csv"
REDCAP = FIXTURES / "redcap_staff_export.csv"
DOCS = REPO / "docs" / "data-inputs.md"


@pytest.fixture(scope="module")
def items():
    return load_survey_items(ITEMS_FILE)


def copy(tmp_path: Path, source: Path, *, with_format: bool = True) -> Path:
    """The fixture (and its format file) copied to ``tmp_path``."""
    target = tmp_path / source.name
    shutil.copy(source, target)
    fmt = source.with_name(f"{source.stem}_format.yaml")
    if with_format:
        shutil.copy(fmt, tmp_path / fmt.name)
    return target


def error_of(path: Path, items) -> InputError:
    with pytest.raises(InputError) as info:
        read_survey_file(path, items)
    return info.value


def row_of(table: pd.DataFrame, unit: str, item: str, period: str = "2024-03") -> pd.Series:
    rows = table[(table["unit"] == unit) & (table["item"] == item)]
    rows = rows[rows["period"].astype(str) == period]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --- SurveyXact ---------------------------------------------------------------------------


def test_surveyxact_dataset_csv_reads_with_its_format_file(items):
    survey = read_survey_file(SURVEYXACT_CSV, items)
    assert (survey.survey, survey.layout, survey.scale.text) == ("staff", "respondents", "1–5")
    table = survey.table
    recommend = row_of(table, "forsoeg", "s_recommend")
    assert (recommend["respondents"], recommend["answers"], recommend["dont_know"]) == (8, 7, 1)
    assert recommend["share_agree"] == pytest.approx(5 / 7)
    assert recommend["mean_score"] == pytest.approx(27 / 7)
    pressed = row_of(table, "forsoeg", "s_pressed")  # negatively worded: 2,1,2,4,2,1,5 (6)
    assert pressed["share_agree"] == pytest.approx(5 / 7)
    team = row_of(table, "team_01", "s_recommend")
    assert (team["answers"], team["dont_know"]) == (6, 2)
    assert team["share_agree"] == pytest.approx(1 / 6)
    assert set(table["municipality_code"]) == {101}
    notes = "\n".join(survey.notes)
    assert "10 answers 'don't know / not relevant' (code 6)" in notes
    assert "4 rows without any answer left out" in notes
    assert "10 columns not in the mapping left out" in notes and "statoverall_1" in notes


def test_surveyxact_without_a_format_file_says_what_is_missing_first(tmp_path, items):
    """Before: 'unknown column' lines first; the missing keys were not among those shown."""
    error = error_of(copy(tmp_path, SURVEYXACT_CSV, with_format=False), items)
    first = error.problems[:4]
    assert [p.column for p in first[:3]] == ["municipality_code", "unit", "period"]
    assert "looks like a SurveyXact export" in first[3].message
    assert "surveyxact_staff_dataset_format.yaml" in first[3].message


def test_surveyxact_workbook_reads_the_dataset_sheet_not_the_labels(items):
    """Before: the first sheet ('Labels') was read, giving columns '0' and 'Ikke valgt'."""
    from_xlsx = read_survey_file(SURVEYXACT_XLSX, items)
    from_csv = read_survey_file(SURVEYXACT_CSV, items)
    assert from_xlsx.sheet == "Dataset"
    pd.testing.assert_frame_equal(from_xlsx.table, from_csv.table)


def test_the_committed_workbook_is_what_the_script_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make", FIXTURES / "make_survey_workbook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.build(tmp_path / "fresh.xlsx")
    for ours, theirs in zip(
        load_workbook(SURVEYXACT_XLSX).worksheets, load_workbook(fresh).worksheets, strict=True
    ):
        assert ours.title == theirs.title
        assert list(ours.values) == list(theirs.values)


def test_every_problem_of_a_workbook_names_its_sheet(tmp_path, items):
    path = copy(tmp_path, SURVEYXACT_XLSX)
    shutil.copy(FIXTURES / "surveyxact_staff_dataset_format.yaml", tmp_path)
    book = load_workbook(path)
    book["Dataset"]["D4"] = 12  # s_2 of the third respondent
    book.save(path)
    error = error_of(path, items)
    (problem,) = error.problems
    assert (problem.row, problem.column, problem.found) == (4, "s_2 (s_stay)", "12")
    assert str(problem).startswith(f"{path}, sheet 'Dataset', row 4, column 's_2 (s_stay)'")


def test_a_sheet_named_in_the_format_file(tmp_path, items):
    path = copy(tmp_path, SURVEYXACT_XLSX)
    fmt = tmp_path / "surveyxact_staff_dataset_format.yaml"
    fmt.write_text("sheet: dataset\n" + fmt.read_text(encoding="utf-8"), encoding="utf-8")
    assert read_survey_file(path, items).sheet == "Dataset"
    fmt.write_text(fmt.read_text(encoding="utf-8").replace("sheet: dataset", "sheet: Data"))
    (problem,) = error_of(path, items).problems
    assert problem.message.startswith("the workbook has no sheet 'Data' (named in ")
    assert problem.expected == "one of its sheets: 'Labels', 'Dataset', 'Variables'"


def test_a_workbook_none_of_whose_sheets_fits_lists_them(tmp_path, items):
    path = copy(tmp_path, SURVEYXACT_XLSX, with_format=False)
    (problem,) = error_of(path, items).problems
    assert "none of the 3 sheets of the workbook has a header that fits" in problem.message
    assert "'Labels' (first row: s_7_1, 0, Ikke valgt)" in problem.message
    assert "'Dataset' (first row: respondentid, afdeling, s_1" in problem.message
    assert "surveyxact_staff_dataset_format.yaml ('sheet: <name>')" in problem.message


def test_a_one_sheet_workbook_names_its_sheet_too(tmp_path, items):
    book = Workbook()
    book.active.title = "svar"
    book.active.append(["municipality_code", "unit", "period", "s_recommend", "s_stay",
                        "s_thrive", "s_pressed"])  # fmt: skip
    book.active.append([101, "forsoeg", "2024-03", 5, 4, "x", 2])
    path = tmp_path / "one.xlsx"
    book.save(path)
    (problem,) = error_of(path, items).problems
    assert str(problem).startswith(f"{path}, sheet 'svar', row 2, column 's_thrive'")


def test_the_sheet_whose_header_fits_is_read_without_a_format_file(tmp_path, items):
    book = Workbook()
    book.active.title = "Forside"
    book.active.append(["Medarbejderundersøgelse 2024"])
    data = book.create_sheet("Svar")
    data.append(["municipality_code", "unit", "period", "s_recommend", "s_stay", "s_thrive",
                 "s_pressed"])  # fmt: skip
    for row in [(5, 4, 4, 2), (4, 4, 3, 2), (3, 5, 4, 4), (2, 1, 5, 5), (4, 11, 4, 2)]:
        data.append([101, "forsoeg", "2024-03", *row])
    path = tmp_path / "svar.xlsx"
    book.save(path)
    (problem,) = error_of(path, items).problems
    assert problem.file == f"{path}, sheet 'Svar'" and problem.row == 6


# --- Qualtrics ----------------------------------------------------------------------------


def test_qualtrics_export_skips_its_two_extra_header_rows_and_reads_dates(items):
    survey = read_survey_file(QUALTRICS, items)
    assert (survey.survey, survey.scale.text, survey.scale.agree) == ("citizen", "1–7", (5, 6, 7))
    table = survey.table
    assert sorted(table["period"].astype(str).unique()) == ["2024-03", "2024-06"]
    goal = row_of(table, "forsoeg", "c_goal_clear")  # 7, 6, 5, 4, 6 on 1–7
    assert goal["respondents"] == 5
    assert goal["share_agree"] == pytest.approx(4 / 5) and goal["mean_score"] == pytest.approx(5.6)
    stuck = row_of(table, "forsoeg", "c_course_stuck")  # 2, 1, 3, 4, 2 reversed: 6, 7, 5, 4, 6
    assert stuck["share_agree"] == pytest.approx(4 / 5)
    assert row_of(table, "team_01", "c_goal_clear")["share_agree"] == pytest.approx(1 / 5)
    assert any("rows 2-3 below the header" in n and "Qualtrics" in n for n in survey.notes)


def test_qualtrics_problems_keep_the_line_numbers_of_the_file(tmp_path, items):
    path = copy(tmp_path, QUALTRICS)
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    assert ",5,3,6,7,4," in lines[5]
    lines[5] = lines[5].replace(",5,3,6,7,4,", ",5,3,9,7,4,")  # line 6: Q1_3 = 9
    path.write_bytes(("\r\n".join(lines)).encode("utf-8"))
    (problem,) = error_of(path, items).problems
    assert (problem.row, problem.column, problem.found) == (6, "Q1_3 (c_respect)", "9")
    assert (
        problem.message
        == "answer outside the 1–7 scale stated in qualtrics_citizen_export_format.yaml"
    )


def test_qualtrics_without_a_mapping_is_recognised(tmp_path, items):
    error = error_of(copy(tmp_path, QUALTRICS, with_format=False), items)
    assert any("looks like a Qualtrics export" in p.message for p in error.problems)
    assert all(p.row in (None, 1) for p in error.problems)  # no row-2/3 cell problems


# --- REDCap -------------------------------------------------------------------------------


def test_redcap_raw_export_with_a_missing_data_code(items):
    survey = read_survey_file(REDCAP, items)
    assert survey.survey == "staff" and set(survey.table["period"].astype(str)) == {"2024-09"}
    stay = row_of(survey.table, "forsoeg", "s_stay", "2024-09")
    assert (stay["respondents"], stay["answers"], stay["dont_know"]) == (5, 4, 1)
    assert stay["share_agree"] == pytest.approx(1.0)
    thrive = row_of(survey.table, "team_01", "s_thrive", "2024-09")
    assert (thrive["answers"], thrive["share_agree"]) == (4, 0.0)
    assert any("2 answers 'don't know / not relevant' (code NASK)" in n for n in survey.notes)


def test_redcap_survey_not_completed_is_named_with_row_and_column(tmp_path, items):
    path = copy(tmp_path, REDCAP)
    text = path.read_text(encoding="utf-8").replace("2024-09-04 14:02:17", "[not completed]")
    path.write_text(text, encoding="utf-8")
    (problem,) = error_of(path, items).problems
    assert (problem.row, problem.column) == (5, "trivsel_timestamp (period)")
    assert (problem.message, problem.found) == ("not a month", "[not completed]")


# --- the format file ----------------------------------------------------------------------


def test_mapping_problems_are_named_in_the_format_file_with_their_line(tmp_path, items):
    path = copy(tmp_path, SURVEYXACT_CSV)
    fmt = tmp_path / "surveyxact_staff_dataset_format.yaml"
    text = fmt.read_text(encoding="utf-8")
    text = text.replace("  s_stay: s_2", "  s_stya: s_2").replace(
        "  s_thrive: s_3", "  s_thrive: s_33"
    )
    fmt.write_text(text, encoding="utf-8")
    problems = {p.column: p for p in error_of(path, items).problems}
    lines = text.splitlines()
    stya = problems["s_stya"]
    assert stya.file == str(fmt) and stya.row == lines.index("  s_stya: s_2") + 1
    assert "did you mean 's_stay'?" in stya.message
    missing = problems["s_thrive"]
    assert missing.row == lines.index("  s_thrive: s_33") + 1
    assert "has no column 's_33'" in missing.message and "did you mean 's_3'?" in missing.message


def test_a_mapped_column_the_file_also_has_under_the_contract_name(tmp_path, items):
    path = copy(tmp_path, SURVEYXACT_CSV)
    text = path.read_bytes().decode("utf-8-sig").replace("respondentid;", "unit;", 1)
    path.write_bytes(text.encode("utf-8"))
    fmt = tmp_path / "surveyxact_staff_dataset_format.yaml"
    fmt.write_text(fmt.read_text(encoding="utf-8").replace("  respondent_id: respondentid\n", ""))
    (problem,) = error_of(path, items).problems
    assert problem.column == "unit" and "maps 'unit' to 'afdeling'" in problem.message


def test_a_value_for_every_row_is_checked_once(tmp_path, items):
    path = copy(tmp_path, SURVEYXACT_CSV)
    fmt = tmp_path / "surveyxact_staff_dataset_format.yaml"
    fmt.write_text(fmt.read_text(encoding="utf-8").replace("period: 2024-03", "period: 2024-13"))
    (problem,) = error_of(path, items).problems
    assert problem.file == str(fmt) and problem.column == "period"
    assert problem.message == "not a month" and problem.found == "2024-13"


def test_the_documented_recipes_are_the_fixtures_format_files():
    docs = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", docs, flags=re.S)
    for name in (
        "surveyxact_staff_dataset_format.yaml",
        "qualtrics_citizen_export_format.yaml",
        "redcap_staff_export_format.yaml",
    ):
        assert (FIXTURES / name).read_text(encoding="utf-8") in blocks, name
