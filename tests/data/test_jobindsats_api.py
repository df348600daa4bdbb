"""Jobindsats API answers (JSON): the reader, STAR's expected-vs-actual benchmark (y30r21),
and every other Jobindsats reader naming the one that takes a JSON file (issue 25, §2).

Before issue 25 such a file gave "no table header found" (saved as .csv),
"unsupported file type" (.json to the export reader), "unexpected JSON" or "row 2,
column '1': malformed JSON" (JSON lines to the snapshot loader)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.jobindsats import (
    API_COLUMNS,
    EXPECTED_COLUMNS,
    expected_vs_actual,
    load_snapshot,
    parse_api_period,
    read_jobindsats_api,
    read_jobindsats_export,
    snapshot_metadata,
)
from analysis.data.statbank import read_statbank_csv
from analysis.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"
Y30R21 = FIXTURES / "jobindsats_api_y30r21.json"


def error_of(reader, path: Path) -> str:
    with pytest.raises(InputError) as info:
        reader(path)
    return str(info.value)


def answer(variables: list[tuple[str, str]], rows: list[list]) -> list[dict]:
    """An API answer: one table of (Name, Label) variables and its Data rows."""
    return [{"Variables": [{"Name": n, "Label": lab} for n, lab in variables], "Data": rows}]


def write(tmp_path: Path, content: object, name: str = "answer.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


AREA, PERIOD = ("area", "Area"), ("period", "Periode")
PERSONS = ("memba02_2", "Antal fuldtidspersoner")


# --- the y30r21 answer --------------------------------------------------------------------


def test_y30r21_answer_is_read_into_a_tidy_table():
    table = read_jobindsats_api(Y30R21)
    assert list(table.columns) == API_COLUMNS
    assert len(table) == 16 * 7  # 16 rows of Data, 7 measures each
    assert table["period"].dtype == pd.PeriodDtype("Q")
    assert set(table["period_code"]) == {"2020QMAT04", "2021QMAT02"}
    assert table["rolling_year"].all()
    assert set(table["benefit_group"]) == {"total", "kontanthjaelp_mv"}  # "Ydelsesgrupper i alt"
    national = table[table["area"] == "Hele landet"]
    assert national["municipality_code"].isna().all()
    codes = table.loc[table["area"] == "København", "municipality_code"]
    assert set(codes) == {101}
    first = table.iloc[7]  # København 2020QMAT04, Ydelsesgrupper i alt, Forventet antal
    assert (first["area"], first["value"], str(first["period"])) == ("København", 71250.0, "2020Q4")
    assert first["measure_label"].endswith(": Forventet antal")
    rank = table[(table["area"] == "Hele landet") & table["measure"].str.contains("placering")]
    assert rank["value"].isna().all()  # null: missing, not 0


def test_expected_vs_actual_per_municipality_latest_period():
    result = expected_vs_actual(read_jobindsats_api(Y30R21), source=Y30R21)
    assert list(result.columns) == EXPECTED_COLUMNS
    assert result["municipality_code"].tolist() == [101, 751, 825]  # no Hele landet
    assert set(result["period_code"]) == {"2021QMAT02"}
    copenhagen = result.iloc[0]
    assert copenhagen["expected_share"] == 14.9 and copenhagen["actual_share"] == 15.3
    assert copenhagen["expected_fulltime"] == 70100 and copenhagen["actual_fulltime"] == 71900
    assert copenhagen["difference_share"] == -0.4 and copenhagen["rank"] == 68
    assert copenhagen["actual_minus_expected_share"] == 0.4  # more on support than expected
    assert result["actual_minus_expected_share"].tolist() == [0.4, -0.6, -0.4]
    assert result["rank"].dtype == "Int64"


def test_expected_vs_actual_for_a_group_and_period_keeps_suppressed_counts_missing():
    table = read_jobindsats_api(Y30R21)
    result = expected_vs_actual(table, benefit_group="kontanthjaelp_mv", period_code="2020qmat04")
    laeso = result[result["municipality_code"] == 825].iloc[0]
    assert math.isnan(laeso["expected_fulltime"]) and math.isnan(laeso["actual_fulltime"])
    assert laeso["expected_share"] == 2.1 and laeso["actual_share"] == 1.8


def test_expected_vs_actual_says_what_is_missing(tmp_path):
    table = read_jobindsats_api(Y30R21)
    with pytest.raises(InputError, match=r"no benefit group 'dagpenge' \(expected one of "):
        expected_vs_actual(table, benefit_group="dagpenge")
    with pytest.raises(InputError, match=r"no period '2019QMAT02' \(expected one of 2020QMAT04, "):
        expected_vs_actual(table, period_code="2019QMAT02")
    other = read_jobindsats_api(
        write(tmp_path, answer([AREA, PERIOD, PERSONS], [["Aarhus", "2026M07", 8656]]))
    )
    with pytest.raises(InputError, match="not the y30r21 table"):
        expected_vs_actual(other)


# --- other shapes of the same rows ------------------------------------------------------


def test_records_and_json_lines_are_read_like_the_answer(tmp_path):
    """Before: the snapshot loader said "row 2, column '1': malformed JSON" for the lines."""
    records = [
        {"Area": "København", "Periode": "2026M06", "Antal fuldtidspersoner": 15591},
        {"Area": "Aarhus", "Periode": "2026M06", "Antal fuldtidspersoner": None},
    ]
    lines = tmp_path / "records.jsonl"
    lines.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    for path in (write(tmp_path, records, "records.json"), lines):
        table = read_jobindsats_api(path)
        assert table["municipality_code"].tolist() == [101, 751]
        assert table["value"].tolist()[0] == 15591.0 and math.isnan(table["value"].iloc[1])
        assert table["period"].dtype == pd.PeriodDtype("M")
        assert not table["rolling_year"].any()
    text = error_of(load_snapshot, lines)
    assert "not the dashboard snapshot: Jobindsats API rows written as JSON records" in text
    assert "read it with analysis.data.jobindsats.read_jobindsats_api" in text


def test_two_answers_in_one_file_are_both_read(tmp_path):
    one = answer([AREA, PERIOD, PERSONS], [["København", "2026M06", 15591]])
    two = answer([AREA, PERIOD, PERSONS], [["København", "2026M07", 16981]])
    path = tmp_path / "both.json"
    path.write_text(
        json.dumps(one, ensure_ascii=False) + "\n" + json.dumps(two, ensure_ascii=False)
    )
    table = read_jobindsats_api(path)
    assert table["period_code"].tolist() == ["2026M06", "2026M07"]
    assert table["value"].tolist() == [15591.0, 16981.0]


def test_numbers_written_as_danish_text(tmp_path):
    rows = [["København", "2026M07", "16.981", "4,3"], ["Aarhus", "2026M07", "-", "4,3"]]
    variables = [AREA, PERIOD, PERSONS, ("memba02_4b", "Fuldtidspersoner i pct. af arbejdsstyrken")]
    table = read_jobindsats_api(write(tmp_path, answer(variables, rows)))
    assert table["value"].tolist()[:2] == [16981.0, 4.3]
    assert math.isnan(table["value"].iloc[2])


# --- periods --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "period", "rolling"),
    [
        ("2021QMAT02", "2021Q2", True),
        ("2020QMAT04", "2020Q4", True),
        ("2024M01", "2024-01", False),
        ("2024Q1", "2024Q1", False),
        ("2024", "2024", False),
    ],
)
def test_period_codes(code, period, rolling):
    parsed, is_rolling = parse_api_period(code)
    assert str(parsed) == period and is_rolling is rolling


def test_bad_periods_and_mixed_kinds_name_the_record(tmp_path):
    rows = [["København", "2021QMAT05", 1], ["Aarhus", "2021QMAT02", 2], ["Læsø", "2021Q2", 3]]
    text = error_of(read_jobindsats_api, write(tmp_path, answer([AREA, PERIOD, PERSONS], rows)))
    assert "answer.json, Data, row 1, column 'Periode': not a period" in text
    assert "rolling year" in text and "found '2021QMAT05'" in text
    assert "row 3: the file mixes kinds of period (expected periods like 2021QMAT02 only" in text


# --- problems -------------------------------------------------------------------------


def test_breakdowns_unknown_areas_and_row_shapes_are_reported_together(tmp_path):
    variables = [AREA, PERIOD, ("_kon", "Køn"), PERSONS]
    rows = [
        ["København", "2026M07", "Mænd", 1],
        ["København", "2026M07", "Kvinder", 2],
        ["Atlantis", "2026M07", "Mænd", 3],
        ["Aarhus", "2026M07"],
    ]
    text = error_of(read_jobindsats_api, write(tmp_path, answer(variables, rows)))
    assert "row 2, column 'Køn': the answer is broken down by Køn" in text
    assert "row 4: wrong number of values (expected a list of 4 values" in text
    assert "row 3, column 'Area': unknown municipality name" in text


def test_variables_without_area_or_period(tmp_path):
    text = error_of(read_jobindsats_api, write(tmp_path, answer([PERSONS], [[1]])))
    assert "column 'Variables': no area variable" in text
    assert "no period variable" in text


def test_other_files_are_named_with_their_reader(tmp_path):
    csv = tmp_path / "download.csv"
    csv.write_text("Område;Periode;Antal\nAarhus;2026M07;1\n", encoding="utf-8")
    assert "not JSON: a CSV or Excel download from jobindsats.dk is read by " in error_of(
        read_jobindsats_api, csv
    )
    snapshot = Path(snapshot_metadata()["file"])
    text = error_of(read_jobindsats_api, snapshot)
    assert "not an answer of the Jobindsats API: the Jobindsats dashboard snapshot" in text
    assert "read it with analysis.data.jobindsats.load_snapshot" in text


# --- the other readers say plainly that a file is JSON ----------------------------------


def test_the_export_reader_names_the_api_reader_for_a_json_file(tmp_path):
    """Before: "unsupported file type" (.json) or "no table header found" (.csv)."""
    content = json.loads(Y30R21.read_text(encoding="utf-8"))
    for name in ("y30r21.json", "y30r21.csv", "y30r21.txt"):
        text = error_of(read_jobindsats_export, write(tmp_path, content, name))
        assert f"{name}: a JSON file, not a CSV or Excel download: an answer of the " in text
        assert "read it with analysis.data.jobindsats.read_jobindsats_api" in text
        assert "no table header found" not in text


def test_the_snapshot_loader_names_the_api_reader(tmp_path):
    """Before: "unexpected JSON (expected an object with meta, national, municipalities)"."""
    text = error_of(load_snapshot, Y30R21)
    assert "not the dashboard snapshot: an answer of the Jobindsats API" in text
    assert "read it with analysis.data.jobindsats.read_jobindsats_api" in text


def test_the_statbank_reader_says_a_jobindsats_answer_is_json(tmp_path):
    """Before: "missing column TID" and "missing column INDHOLD" for a line of JSON."""
    text = error_of(read_statbank_csv, Y30R21)
    assert "a JSON file, not a StatBank CSV: an answer of the Jobindsats API" in text


def test_the_statbank_reader_asks_for_csv_instead_of_json(tmp_path):
    """Another JSON file (here shaped like a JSON-stat answer) is not taken for
    Jobindsats records: the advice is the CSV request."""
    path = write(tmp_path, {"dataset": {"dimension": {"OMRÅDE": {}}, "value": [1]}})
    text = error_of(read_statbank_csv, path)
    assert "a JSON file, not a StatBank CSV: a StatBank JSON answer or another JSON file" in text
    assert "ask the API for /CSV instead of /JSON" in text
    assert "records" not in text
    assert "not an answer of the Jobindsats API: a JSON file" in error_of(read_jobindsats_api, path)


def test_expected_vs_actual_refuses_a_measure_given_twice():
    table = read_jobindsats_api(Y30R21)
    twice = pd.concat([table, table.iloc[[7]]], ignore_index=True)
    with pytest.raises(InputError, match="more than once in one period and benefit group"):
        expected_vs_actual(twice, period_code="2020QMAT04")
