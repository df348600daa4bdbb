"""The caseload data contract: readers, normalisation and every validation message."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest
from openpyxl import Workbook

from analysis.data.caseloads import (
    STANDARD_OUTCOMES,
    is_simulated,
    outcome_columns,
    read_caseload_panel,
    validate_caseload_panel,
)
from analysis.errors import MAX_PROBLEMS, InputError, InputProblem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "caseloads"
CP1252_CSV = FIXTURES / "municipal_export_cp1252.csv"
XLSX = FIXTURES / "municipal_export.xlsx"

HEADER = "municipality_code,unit,period,caseload,cases,caseworkers_fte,meetings_on_time"
GOOD_ROWS = [
    "101,team_a,2024-01,150,300,2,0.8",
    "101,team_a,2024-02,140,280,2,0.82",
    "147,all,2024-01,120,600,5,0.75",
]


def write_csv(tmp_path: Path, lines: list[str], name: str = "panel.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def problems_of(path_or_frame: Path | pd.DataFrame) -> tuple[InputError, list[InputProblem]]:
    with pytest.raises(InputError) as info:
        if isinstance(path_or_frame, Path):
            read_caseload_panel(path_or_frame)
        else:
            validate_caseload_panel(path_or_frame, source="my_frame")
    return info.value, info.value.problems


def only(problems: list[InputProblem], column: str) -> InputProblem:
    found = [p for p in problems if p.column == column]
    assert len(found) == 1, problems
    return found[0]


# --- reading ---------------------------------------------------------------------------


def test_reads_semicolon_decimal_comma_windows_1252_export() -> None:
    raw = CP1252_CSV.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the fixture really is Windows-1252
    assert b";" in raw and b"\r\n" in raw

    panel = read_caseload_panel(CP1252_CSV)

    assert list(panel.columns[:10]) == [
        "municipality_code", "unit", "period", "caseload", "cases", "caseworkers_fte",
        "treated", "trial_start", "benefit_group", "data_origin",
    ]  # fmt: skip
    assert set(panel["unit"]) == {
        "Jobcenter Nørrebro",
        "Forsøgsafdelingen Ørestad",
        "Ældreområdet Vest",
    }
    assert panel["period"].dtype == pd.PeriodDtype("M")
    nørrebro = panel[panel["unit"] == "Jobcenter Nørrebro"]
    assert nørrebro["period"].astype(str).tolist() == ["2024-01", "2024-02"]  # 2024M02 parsed
    assert nørrebro["caseload"].tolist() == [187.5, 181.3]  # decimal comma
    assert nørrebro["cases"].tolist() == [1500.0, 1450.0]  # thousands dot
    assert panel["municipality_code"].dtype == "int64"
    assert panel["treated"].dtype == "int64"
    trial = panel[panel["treated"] == 1]
    assert (trial["trial_start"] == pd.Period("2024-01", "M")).all()
    assert panel.loc[panel["treated"] == 0, "trial_start"].isna().all()
    assert panel["benefit_group"].tolist()[0] == "kontanthjælp"
    assert panel["meetings_on_time"].isna().sum() == 1  # empty cell stays missing, not 0
    assert panel["ledighed_pct"].dtype == "float64"
    # sorted by municipality, unit, month
    keys = panel[["municipality_code", "unit", "period"]].astype(str).agg("|".join, axis=1)
    assert keys.tolist() == sorted(keys.tolist())


def test_reads_utf8_bom_comma_separated_dot_decimal(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    text = "\n".join([HEADER, "101,Østerbro,2024-01,150.5,301,2,0.8"]) + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    panel = read_caseload_panel(path)
    assert panel.loc[0, "unit"] == "Østerbro"
    assert panel.loc[0, "caseload"] == 150.5
    assert panel.loc[0, "municipality_code"] == 101


def test_reads_excel_first_sheet() -> None:
    panel = read_caseload_panel(XLSX)
    assert panel["unit"].tolist() == ["Pilot Gellerup"] * 2 + ["Team Århus C"] * 2
    assert panel["period"].astype(str).tolist() == ["2024-01", "2024-02"] * 2
    assert panel["caseload"].tolist() == [60.0, 61.25, 140.0, 142.0]
    assert panel["trial_start"].astype(str).tolist()[:2] == ["2024-01", "2024-01"]


def test_parquet_round_trip_with_periods_as_timestamps(tmp_path: Path) -> None:
    panel = read_caseload_panel(CP1252_CSV)
    stored = panel.assign(
        period=panel["period"].dt.to_timestamp(), trial_start=panel["trial_start"].astype(str)
    )
    stored["trial_start"] = stored["trial_start"].replace("NaT", "")
    path = tmp_path / "panel.parquet"
    stored.to_parquet(path, index=False)
    pd.testing.assert_frame_equal(read_caseload_panel(path), panel)


def test_validate_in_memory_returns_normalised_frame() -> None:
    frame = pd.DataFrame(
        {
            "caseload": [140, 150],
            "period": ["2024-02", "2024M01"],
            "unit": ["a", "a"],
            "municipality_code": ["101", 101],
            "treated": [0, 0],
        }
    )
    panel = validate_caseload_panel(frame)
    assert list(panel.columns) == ["municipality_code", "unit", "period", "caseload", "treated"]
    assert panel["period"].astype(str).tolist() == ["2024-01", "2024-02"]
    assert panel["caseload"].dtype == "float64"
    assert panel["municipality_code"].tolist() == [101, 101]


def test_blank_lines_do_not_shift_line_numbers(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [HEADER, GOOD_ROWS[0], "", "101,team_a,2024-02,0,0,2,0.8"])
    _, problems = problems_of(path)
    assert only(problems, "caseload").row == 4


# --- validation messages -------------------------------------------------------------------


def test_misspelt_column_gets_a_suggestion(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["municipality_code,unit,period,casload", "101,a,2024-01,150"])
    error, problems = problems_of(path)
    problem = only(problems, "casload")
    assert problem.row == 1
    text = str(error)
    assert str(path) in text
    assert "row 1, column 'casload'" in text
    assert "did you mean 'caseload'" in text
    assert "expected the column name 'caseload'" in text
    assert "requires municipality_code, unit, period, caseload" in text  # the expected list
    assert "missing required column(s) caseload" in text


def test_missing_required_column_lists_expected_names(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["municipality_code,unit,caseload", "101,a,150"])
    error, problems = problems_of(path)
    problem = only(problems, "period")
    assert problem.row == 1
    assert problem.expected == "the required columns municipality_code, unit, period, caseload"
    assert "municipality_code, unit, caseload" in problem.found
    assert "missing required column 'period'" in str(error)


def test_misspelt_optional_column_is_reported(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [HEADER.replace("meetings_on_time", "meetings_ontime"), *GOOD_ROWS])
    _, problems = problems_of(path)
    assert "did you mean 'meetings_on_time'" in str(only(problems, "meetings_ontime"))


def test_non_numeric_value(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [HEADER, GOOD_ROWS[0], "101,team_a,2024-02,abc,280,2,0.82"])
    error, problems = problems_of(path)
    problem = only(problems, "caseload")
    assert (problem.row, problem.found) == (3, "abc")
    text = str(error)
    assert f"{path}, row 3, column 'caseload': not a number" in text
    assert "expected a number > 0" in text
    assert "rows are line numbers in the file (header = line 1)" in text


def test_unknown_municipality_code_and_name(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [HEADER, "999,team_a,2024-01,150,300,2,0.8", "Narnia,team_b,2024-01,150,300,2,0.8"],
    )
    error, problems = problems_of(path)
    rows = {p.row: p for p in problems if p.column == "municipality_code"}
    assert set(rows) == {2, 3}
    assert rows[2].found == "999" and rows[3].found == "Narnia"
    assert all(p.message == "unknown municipality" for p in rows.values())
    assert "one of the 98 municipality codes" in rows[2].expected
    assert f"{path}, row 2, column 'municipality_code': unknown municipality" in str(error)


def test_municipality_name_is_accepted(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [HEADER, "Københavns Kommune,a,2024-01,150,300,2,0.8"])
    assert read_caseload_panel(path)["municipality_code"].tolist() == [101]


def test_duplicate_unit_months_name_both_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [HEADER, *GOOD_ROWS, "101,team_a,2024M01,150,300,2,0.8"])
    error, problems = problems_of(path)
    problem = only(problems, "municipality_code, unit, period")
    assert problem.row == 5
    assert "rows 2 and 5" in problem.message
    assert problem.expected == "one row per municipality, unit and month"
    assert f"{path}, row 5, column 'municipality_code, unit, period'" in str(error)


def test_caseload_zero_is_an_error_not_missing(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, ["municipality_code,unit,period,caseload", "101,a,2024-01,0", "101,a,2024-02,-3"]
    )
    error, problems = problems_of(path)
    by_row = {p.row: p for p in problems}
    assert set(by_row) == {2, 3}
    assert by_row[2].column == "caseload" and by_row[2].found == "0"
    assert by_row[3].found == "-3"
    assert "a caseload of 0 is an error, not a missing value" in by_row[2].message
    assert f"{path}, row 2, column 'caseload'" in str(error)
    assert "expected a number > 0" in str(error)


def test_missing_caseload_is_reported(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["municipality_code,unit,period,caseload", "101,a,2024-01,"])
    _, problems = problems_of(path)
    problem = only(problems, "caseload")
    assert (problem.row, problem.message) == (2, "missing value")


def test_share_out_of_range(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [HEADER, GOOD_ROWS[0], "101,team_a,2024-02,140,280,2,82"])
    error, problems = problems_of(path)
    problem = only(problems, "meetings_on_time")
    assert (problem.row, problem.found) == (3, "82")
    assert problem.expected == "a share between 0 and 1 (write 45 % as 0.45)"
    assert f"{path}, row 3, column 'meetings_on_time': share outside 0–1" in str(error)


def test_negative_rate_outcome(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, ["municipality_code,unit,period,caseload,staff_sick_days", "101,a,2024-01,9,-1"]
    )
    _, problems = problems_of(path)
    problem = only(problems, "staff_sick_days")
    assert (problem.row, problem.expected) == (2, "a number from 0 to 31 (days per FTE per month)")


def test_caseload_inconsistent_with_cases_and_fte(tmp_path: Path) -> None:
    # 303 / 2 = 151.5 is within 1 % of 150; 320 / 2 = 160 is not.
    path = write_csv(
        tmp_path, [HEADER, "101,a,2024-01,150,303,2,0.8", "101,a,2024-02,150,320,2,0.8"]
    )
    error, problems = problems_of(path)
    problem = only(problems, "caseload")
    assert problem.row == 3
    assert problem.expected == "320 / 2 = 160.00 (within 1%)"
    assert problem.found == "150"
    assert f"{path}, row 3, column 'caseload': caseload does not equal cases" in str(error)


def test_treated_must_not_switch_off_and_trial_start_only_for_treated(tmp_path: Path) -> None:
    """A treated that changes within a unit is a treatment indicator (see
    test_treatment_layouts.py); one that switches off is refused once for the unit."""
    path = write_csv(
        tmp_path,
        [
            "municipality_code,unit,period,caseload,treated,trial_start",
            "101,forsøg,2024-01,50,1,2024-01",
            "101,forsøg,2024-02,50,0,2024-01",
            "101,team,2024-01,120,0,2023-06",
        ],
    )
    error, problems = problems_of(path)
    treated = only(problems, "treated")
    assert (treated.row, treated.found) == (3, "1 in 2024-01, 0 in 2024-02")
    assert treated.message.startswith("treated switches off (unit 'forsøg' in municipality 101)")
    start = only(problems, "trial_start")
    assert (start.row, start.found) == (4, "2023-06")
    assert start.expected == "empty, because treated = 0"
    assert "unit 'forsøg' in municipality 101" in str(error)


def test_trial_start_must_be_constant_within_unit(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            "municipality_code,unit,period,caseload,treated,trial_start",
            "101,forsøg,2024-01,50,1,",
            "101,forsøg,2024-02,50,1,2024-02",
        ],
    )
    _, problems = problems_of(path)
    problem = only(problems, "trial_start")
    assert (problem.row, problem.expected) == (3, "empty as in row 2")


def test_treated_must_be_zero_or_one(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, ["municipality_code,unit,period,caseload,treated", "101,a,2024-01,50,2"]
    )
    _, problems = problems_of(path)
    assert only(problems, "treated").expected == "0 or 1"


def test_quarter_is_not_a_month(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["municipality_code,unit,period,caseload", "101,a,2024K1,50"])
    _, problems = problems_of(path)
    problem = only(problems, "period")
    assert (problem.row, problem.found, problem.message) == (2, "2024K1", "not a month")


def test_text_extra_column_is_rejected_once(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            "municipality_code,unit,period,caseload,note",
            "101,a,2024-01,50,hej",
            "101,a,2024-02,50,x",
        ],
    )
    _, problems = problems_of(path)
    problem = only(problems, "note")
    assert problem.row == 1 and "numeric" in problem.message


def test_all_problems_are_collected_and_listing_is_capped(tmp_path: Path) -> None:
    lines = ["municipality_code,unit,period,caseload"]
    lines += [f"101,a,{2000 + i}-01,0" for i in range(30)]
    error, problems = problems_of(write_csv(tmp_path, lines))
    assert len(problems) == 30
    assert [p.row for p in problems] == list(range(2, 32))
    assert "30 problem(s)" in str(error)
    assert "... and 10 more problem(s)" in str(error)


def test_problems_past_the_cap_are_counted_not_listed(tmp_path: Path) -> None:
    """Before: 500 problems were kept and the last line said "... and 480 more" for a
    file with 700; now the summary and the last line count all 700."""
    lines = ["municipality_code,unit,period,caseload"]
    lines += [f"101,u{i},2024-01,0" for i in range(700)]
    error, problems = problems_of(write_csv(tmp_path, lines))
    assert len(problems) == MAX_PROBLEMS and error.count == 700
    assert [p.row for p in problems] == list(range(2, 2 + MAX_PROBLEMS))  # the first ones
    assert "700 problem(s)" in str(error)
    assert str(error).endswith("... and 680 more problem(s) not listed")


def test_in_memory_rows_are_positions_plus_one_and_no_pandera_error_escapes() -> None:
    frame = pd.DataFrame(
        {
            "municipality_code": [101, 101, 999],
            "unit": ["a", "a", "b"],
            "period": pd.PeriodIndex(["2024-01", "2024-02", "2024-01"], freq="M"),
            "caseload": [150.0, 0.0, 120.0],
        }
    )
    error, problems = problems_of(frame)
    assert {(p.row, p.column) for p in problems} == {
        (3, "caseload"),
        (4, "municipality_code"),
    }
    text = str(error)
    assert text.startswith("my_frame: 2 problem(s)")
    assert "1-based row position + 1" in text
    assert not isinstance(error, pa.errors.SchemaErrors | pa.errors.SchemaError)
    assert error.__cause__ is None and error.__context__ is None


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unsupported file type"):
        read_caseload_panel(write_csv(tmp_path, [HEADER], name="panel.json"))
    with pytest.raises(InputError, match="file not found"):
        read_caseload_panel(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="no data rows"):
        read_caseload_panel(write_csv(tmp_path, [HEADER]))


def test_excel_errors_use_spreadsheet_rows(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    sheet.append(["municipality_code", "unit", "period", "caseload"])
    sheet.append([101, "a", "2024-01", 150])
    sheet.append([None, None, None, None])  # an empty spreadsheet row keeps its number
    sheet.append([101, "a", "2024-02", "mange"])
    path = tmp_path / "panel.xlsx"
    book.save(path)
    error, problems = problems_of(path)
    problem = only(problems, "caseload")
    assert (problem.row, problem.found) == (4, "mange")
    assert "spreadsheet row numbers on sheet 'Data'" in str(error)


# --- helpers -------------------------------------------------------------------------


def test_outcome_columns_and_simulated_flag() -> None:
    panel = read_caseload_panel(CP1252_CSV)
    assert outcome_columns(panel) == [
        "exit_job_education",
        "meetings_on_time",
        "staff_sick_days",
        "ledighed_pct",
    ]
    assert not is_simulated(panel)
    assert is_simulated(panel.assign(data_origin="simulated"))
    assert not is_simulated(panel.drop(columns="data_origin"))


def test_standard_outcomes_metadata() -> None:
    assert list(STANDARD_OUTCOMES) == [
        "exit_job_education", "exit_fleksjob", "exit_foertidspension",
        "exit_ressourceforloeb", "meetings_on_time", "company_placements",
        "preparatory_plans", "staff_sick_days", "staff_turnover",
        # the survey outcomes (analysis.data.surveys) after the caseload outcomes
        "citizen_goal_direction", "citizen_recognition_respect", "citizen_sees_way_out",
        "staff_attractive_workplace", "staff_wellbeing",
    ]  # fmt: skip
    shares = {name for name, spec in STANDARD_OUTCOMES.items() if spec.is_share}
    assert shares == set(STANDARD_OUTCOMES) - {"preparatory_plans", "staff_sick_days"}
    assert STANDARD_OUTCOMES["meetings_on_time"].label_da == "Samtalerettidighed"
    assert STANDARD_OUTCOMES["staff_turnover"].higher_is_better is False
    assert all(spec.label_da and spec.label_en for spec in STANDARD_OUTCOMES.values())


def test_three_decimal_shares_in_comma_separated_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path, [HEADER, "101,a,2024-01,150,300,2,0.825"])
    assert read_caseload_panel(path).loc[0, "meetings_on_time"] == 0.825


def test_trailing_semicolons_and_thousands_dots(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    lines = [
        "municipality_code;unit;period;caseload;cases;caseworkers_fte;",
        "101;a;2024-01;150;1.500;10;",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    panel = read_caseload_panel(path)
    assert list(panel.columns) == [
        "municipality_code",
        "unit",
        "period",
        "caseload",
        "cases",
        "caseworkers_fte",
    ]
    assert panel.loc[0, "cases"] == 1500.0


def test_trial_start_without_treated_column_derives_the_flag(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        [
            "municipality_code,unit,period,caseload,trial_start",
            "101,pilot,2024-01,60,2024-01",
            "101,pilot,2024-02,60,2024-01",
            "101,team,2024-01,120,",
        ],
    )
    panel = read_caseload_panel(path)
    assert dict(zip(panel["unit"], panel["treated"], strict=True)) == {"pilot": 1, "team": 0}
