"""StatBank CSV reader: codes and texts, quarters, encodings, and errors that say where."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.jobindsats import load_snapshot, load_snapshot_national
from analysis.data.statbank import read_statbank_csv
from analysis.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"


@pytest.fixture(scope="module")
def unemployment() -> pd.DataFrame:
    """Snapshot y25i01 series, national rows with code 0, indexed for lookups."""
    municipal = load_snapshot()
    national = load_snapshot_national().assign(municipality_code=0)
    frame = pd.concat([municipal, national[municipal.columns]])
    frame = frame[frame["dataset"] == "y25i01"]
    return frame.set_index(["municipality_code", "measure", "benefit_group", "period"])["value"]


def source(unemployment, code, measure, group, period) -> float:
    return unemployment.loc[(code, measure, group, pd.Period(period, freq="M"))]


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_codes_fixture(unemployment):
    path = FIXTURES / "statbank_codes.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in path.read_bytes()
    table = read_statbank_csv(path)
    assert list(table.columns) == [
        "omraade",
        "ydelsestype",
        "koen",
        "municipality_code",
        "period",
        "value",
    ]
    assert table["municipality_code"].dtype == "Int64"
    assert table["period"].dtype == pd.PeriodDtype("M")
    assert table["value"].dtype == "float64"
    assert table["omraade"].tolist()[:3] == ["000", "000", "101"]  # codes kept as written
    codes = table["municipality_code"]
    assert codes.isna().tolist() == [True, True] + [False] * 7 + [True, True]  # 000, 084, 01
    groups = {"TOT": "total", "KT": "kontanthjaelp"}
    for row in table.itertuples(index=False):
        if row.omraade in ("084", "01"):
            assert math.isnan(row.value)
            continue
        code = 0 if row.omraade == "000" else int(row.municipality_code)
        expected = source(
            unemployment, code, "unemployed_fulltime", groups[row.ydelsestype], str(row.period)
        )
        assert same(expected, row.value), row
    assert table["value"].iloc[3] == 16981.0  # København 2026M07


def test_text_fixture(unemployment):
    table = read_statbank_csv(FIXTURES / "statbank_text.csv")
    assert table["municipality_code"].tolist() == [pd.NA, 101, 169, 825, pd.NA, pd.NA]
    assert table["value"].tolist()[:4] == [3.0, 4.3, 3.8, 0.3]
    assert source(unemployment, 0, "unemployment_rate", "total", "2026-07") == 3.0
    assert source(unemployment, 101, "unemployment_rate", "total", "2026-07") == 4.3
    assert source(unemployment, 169, "unemployment_rate", "total", "2026-07") == 3.8
    assert source(unemployment, 825, "unemployment_rate", "kontanthjaelp", "2026-07") == 0.3
    assert table["value"].iloc[4:].isna().all()


def test_bulk_fixture_with_komk_and_dot_decimals():
    table = read_statbank_csv(FIXTURES / "statbank_bulk.csv")
    assert list(table.columns) == ["komk", "ydelsestype", "municipality_code", "period", "value"]
    assert table["municipality_code"].tolist() == [101, 169, 751, 825]
    assert table["value"].tolist() == [4.3, 3.8, 4.3, 0.3]


def test_quarterly_cp1252_fixture_equals_monthly_means(unemployment):
    path = FIXTURES / "statbank_quarterly_cp1252.csv"
    assert b"K\xf8benhavn" in path.read_bytes() and b"\r\n" in path.read_bytes()
    table = read_statbank_csv(path)
    assert table["period"].dtype == pd.PeriodDtype("Q-DEC")
    assert list(table.columns) == ["omraade", "koen", "municipality_code", "period", "value"]
    assert table["omraade"].iloc[3] == "101 København"
    for row in table.itertuples(index=False):
        if pd.isna(row.municipality_code) and row.omraade != "000 Hele landet":
            assert math.isnan(row.value)  # 04 Landsdel Bornholm
            continue
        code = 0 if pd.isna(row.municipality_code) else int(row.municipality_code)
        months = [str(m) for m in pd.period_range(row.period.start_time, periods=3, freq="M")]
        mean = (
            sum(source(unemployment, code, "unemployed_fulltime", "total", m) for m in months) / 3
        )
        assert row.value == round(mean, 1), row
    assert table.loc[3, "value"] == 13772.7


def write(
    tmp_path: Path, lines: list[str], name="table.csv", encoding="utf-8", newline="\n"
) -> Path:
    path = tmp_path / name
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def test_english_quarters_years_and_no_area_variable(tmp_path):
    table = read_statbank_csv(write(tmp_path, ["OMRÅDE;TID;INDHOLD", "101;2025Q4;13772.7"]))
    assert str(table["period"].iloc[0]) == "2025Q4"
    table = read_statbank_csv(write(tmp_path, ["KØN;TID;INDHOLD", "I alt;2025;..", "M;2024;.."]))
    assert table["period"].dtype == pd.PeriodDtype("Y-DEC")
    assert table["municipality_code"].isna().all()
    assert list(table.columns) == ["koen", "municipality_code", "period", "value"]


def test_header_codes_are_case_insensitive_and_ascii_folded(tmp_path):
    table = read_statbank_csv(
        write(tmp_path, ["Område;Kommune-type;Tid;Indhold", "Aarhus;x;2026M07;4,3"])
    )
    assert list(table.columns)[:2] == ["omraade", "kommune_type"]
    assert table["municipality_code"].tolist() == [751]


# --- errors ----------------------------------------------------------------------------


def statbank_error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_statbank_csv(path)
    return str(info.value)


HEADER = "OMRÅDE;KØN;TID;INDHOLD"


def test_unknown_code_and_name(tmp_path):
    text = statbank_error(
        write(
            tmp_path,
            [HEADER, "101;TOT;2026M07;16981", "999;TOT;2026M07;1", "Atlantis;TOT;2026M07;1"],
        )
    )
    assert "table.csv, row 3, column 'OMRÅDE': unknown area" in text
    assert "found '999'" in text
    assert "row 4, column 'OMRÅDE': unknown area" in text and "found 'Atlantis'" in text


def test_non_numeric_value_and_bad_period(tmp_path):
    text = statbank_error(
        write(tmp_path, [HEADER, "101;TOT;2026M07;16x981", "751;TOT;2026X07;8656"])
    )
    assert "row 2, column 'INDHOLD': non-numeric value" in text and "'16x981'" in text
    assert "row 3, column 'TID': not a period" in text and "'2026X07'" in text


def test_mixed_frequencies(tmp_path):
    text = statbank_error(write(tmp_path, [HEADER, "101;TOT;2026M07;1", "101;TOT;2026K2;1"]))
    assert "row 3, column 'TID': the file mixes period frequencies" in text


def test_header_and_shape_problems(tmp_path):
    text = statbank_error(write(tmp_path, ["OMRÅDE;KØN;TID", "101;TOT;2026M07"]))
    assert "row 1: missing column INDHOLD" in text
    text = statbank_error(write(tmp_path, [HEADER, "101;TOT;2026M07", "751;TOT;2026M07;1"]))
    assert "row 2: wrong number of fields (expected 4 fields like the header, found '3')" in text
    text = statbank_error(write(tmp_path, [HEADER, "101;TOT;2026M07;1", "101;TOT;2026M07;2"]))
    assert "row 3: duplicate row (same variables and period as row 2)" in text
    text = statbank_error(write(tmp_path, ["OMRÅDE;Område;TID;INDHOLD", "101;101;2026M07;1"]))
    assert "row 1: duplicate column names (expected each variable once, found 'omraade')" in text
    assert "the file is empty" in statbank_error(write(tmp_path, [""]))
    assert "row 1: no data rows" in statbank_error(write(tmp_path, [HEADER]))
    assert "file not found" in statbank_error(tmp_path / "missing.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x00\x01\x02")
    assert "binary file" in statbank_error(binary)


def test_all_problems_reported_together(tmp_path):
    lines = [HEADER] + [f"{n};TOT;2026M07;abc" for n in (101, 147, 151)]
    text = statbank_error(write(tmp_path, lines))
    assert text.count("non-numeric value") == 3


def test_problems_past_the_cap_are_counted(tmp_path):
    """Before: the reader kept 200 problems and the last line counted only those
    ("... and 180 more"), although 300 rows were bad."""
    lines = [HEADER] + [f"101;TOT;{2000 + n // 12}M{n % 12 + 1:02d};abc" for n in range(300)]
    text = statbank_error(write(tmp_path, lines))
    assert text.endswith("... and 280 more problem(s) not listed")
