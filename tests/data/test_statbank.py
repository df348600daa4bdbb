"""StatBank CSV reader: codes and texts, quarters, encodings, and errors that say where."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.jobindsats import load_snapshot, load_snapshot_national
from analysis.data.reference import resolve_municipality
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
            [HEADER, "101;TOT;2026M07;16981", "555;TOT;2026M07;1", "Atlantis;TOT;2026M07;1"],
        )
    )
    assert "table.csv, row 3, column 'OMRÅDE': unknown area" in text
    assert "found '555'" in text  # (999 is DST's 'Outside regions', not unknown)
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
    lines += ["153;TOT;2026M07;x1"]
    text = statbank_error(write(tmp_path, lines))
    assert "rows 2-4, column 'INDHOLD': non-numeric value" in text and "'abc'" in text
    assert "row 5, column 'INDHOLD': non-numeric value" in text and "'x1'" in text


def test_problems_past_the_cap_are_counted(tmp_path):
    """Before: the reader kept 200 problems and the last line counted only those
    ("... and 180 more"), although 300 rows were bad. Now 300 distinct bad values: 200
    kept, 20 listed, the last line counts the other 280."""
    lines = [HEADER] + [f"101;TOT;{2000 + n // 12}M{n % 12 + 1:02d};a{n}" for n in range(300)]
    with pytest.raises(InputError) as info:
        read_statbank_csv(write(tmp_path, lines))
    assert info.value.count == 300
    assert str(info.value).endswith("... and 280 more problem(s) not listed")


# --- English API downloads (lang=en), grouped problems, the website's matrix (issue 14) ---


def test_english_api_download_reads_copenhagen_and_areas_outside_the_municipalities(
    unemployment,
):
    """Before: every English download was refused: 'Copenhagen' (the one municipality
    whose English name differs), 'Abroad' and 'Not stated municipality' were unknown
    areas, so no English table of AUK01, FOLK1A, ... could be read."""
    path = FIXTURES / "statbank_en_text.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in path.read_bytes()
    table = read_statbank_csv(path)
    codes = table["municipality_code"].tolist()
    assert codes == [pd.NA, pd.NA, pd.NA, pd.NA, 101, 101, 147, 169, 751, 751, 825, pd.NA, pd.NA]
    for row in table.itertuples(index=False):
        if row.omraade == "All Denmark":
            code = 0
        elif pd.isna(row.municipality_code):
            assert math.isnan(row.value), row  # region, province, abroad, not stated
            continue
        else:
            code = int(row.municipality_code)
        expected = source(unemployment, code, "unemployed_fulltime", "total", str(row.period))
        assert row.value == expected, row


def test_english_bopkom_download_with_outside_denmark():
    """Tables with the area in BOPKOM (LBESK69) answer 'Outside Denmark' and 'Not stated
    municipality' in English; before, both were unknown areas."""
    table = read_statbank_csv(FIXTURES / "statbank_en_bopkom.csv")
    assert list(table.columns) == ["bopkom", "koen", "municipality_code", "period", "value"]
    assert table["municipality_code"].tolist() == [pd.NA, 101, 101, 101, 400, 461, pd.NA, pd.NA]
    assert table["value"].iloc[[1, 4, 5]].tolist() == [16981.0, 242.0, 4874.0]


def test_english_code_and_value_download_with_code_and_text_periods(unemployment):
    """valuePresentation=CodeAndValue in English writes the period as code and text
    ('2025K4 2025Q4') and areas as '997 Abroad'; before, the periods were 'not a period'
    and 997/998/950 with their English texts unknown areas."""
    table = read_statbank_csv(FIXTURES / "statbank_en_code_and_value.csv")
    assert table["period"].dtype == pd.PeriodDtype("Q-DEC")
    assert [str(p) for p in table["period"][:3]] == ["2025Q4", "2025Q4", "2026Q1"]
    assert table["municipality_code"].tolist()[:5] == [pd.NA, 101, 101, 751, 825]
    assert table["municipality_code"].iloc[5:].isna().all()
    assert table["value"].iloc[5:].isna().all()
    for row in table.iloc[:5].itertuples(index=False):
        code = 0 if pd.isna(row.municipality_code) else int(row.municipality_code)
        months = [str(m) for m in pd.period_range(row.period.start_time, periods=3, freq="M")]
        mean = (
            sum(source(unemployment, code, "unemployed_fulltime", "total", m) for m in months) / 3
        )
        assert row.value == round(mean, 1), row


@pytest.mark.parametrize(
    "area",
    [
        "Capital Region of Denmark",
        "Region Zealand",
        "Region of Southern Denmark",
        "Central Denmark Region",
        "North Denmark Region",
        "Denmark",
        "Outside regions",
        "Udlandet",
        "Uden for Danmark",
    ],
)
def test_english_region_names_and_danish_areas_abroad_are_not_municipalities(tmp_path, area):
    """The regions' English names, 'Outside regions' (999) and the Danish forms of
    abroad are areas, not unknown municipalities (before: 'unknown area' for all but
    'Region Zealand' and 'Region of Southern Denmark')."""
    table = read_statbank_csv(write(tmp_path, ["OMRÅDE;TID;INDHOLD", f"{area};2026M07;.."]))
    assert table["municipality_code"].isna().all()


def test_english_and_danish_municipality_names_resolve_to_one_code():
    from analysis.data.reference import is_known_non_municipal_area

    assert resolve_municipality("Copenhagen") == 101
    assert resolve_municipality("COPENHAGEN") == 101
    assert resolve_municipality("Copenhagen Municipality") == 101
    assert resolve_municipality("Bornholm Regional Municipality") == 400
    assert resolve_municipality("Københavns Kommune") == 101
    assert resolve_municipality("Not stated municipality") is None
    assert is_known_non_municipal_area("Not stated municipality")
    assert not is_known_non_municipal_area("Copenhagen")


def test_one_line_per_distinct_bad_value_with_row_ranges(tmp_path):
    """Before: one line per row, capped at 200 kept: the 20 lines shown were all the
    first value, the second was hidden behind '... and 208 more'."""
    lines = [HEADER] + [f"Atlantis;TOT;{2000 + n // 12}M{n % 12 + 1:02d};1" for n in range(200)]
    lines += [f"Lemuria;TOT;{2000 + n // 12}M{n % 12 + 1:02d};1" for n in range(28)]
    lines += ["Atlantis;TOT;2030M01;1"]
    with pytest.raises(InputError) as info:
        read_statbank_csv(write(tmp_path, lines))
    assert info.value.count == 229
    text = str(info.value)
    assert "table.csv, rows 2-201, 230, column 'OMRÅDE': unknown area" in text
    assert "found 'Atlantis'" in text
    assert "table.csv, rows 202-229, column 'OMRÅDE': unknown area" in text
    assert "found 'Lemuria'" in text
    assert "not listed" not in text


def test_the_websites_matrix_download_is_refused_with_how_to_get_the_long_format():
    """Before: "missing column TID", "missing column INDHOLD" and a spurious "duplicate
    column names" (the blank header cells above the dimension columns)."""
    with pytest.raises(InputError) as info:
        read_statbank_csv(FIXTURES / "statbank_matrix.csv")
    text = str(info.value)
    assert len(info.value.problems) == 1, text
    assert "statbank_matrix.csv, row 1: a matrix download (one column per period)" in text
    assert "found 'periods as columns: 2026M06, 2026M07'" in text
    assert "https://api.statbank.dk/v1/data/" in text and "TID and INDHOLD" in text
    assert "duplicate column names" not in text and "missing column" not in text


def test_a_matrix_below_a_title_line_is_recognised(tmp_path):
    lines = ["Fuldtidsledige efter område og tid", "", ";2025K4;2026K1", "København;13772,7;15824"]
    text = statbank_error(write(tmp_path, lines))
    assert "table.csv, row 3: a matrix download (one column per period)" in text
    assert "'periods as columns: 2025K4, 2026K1'" in text


def test_a_long_table_without_indhold_is_not_taken_for_a_matrix(tmp_path):
    text = statbank_error(write(tmp_path, ["OMRÅDE;KØN;TID", "Hele landet;Mænd;2026M07"]))
    assert "row 1: missing column INDHOLD" in text and "matrix" not in text


# --- statistikbanken.dk's Excel download, a missing TID (issue 25, §3) -------------------


def test_the_websites_excel_download_is_refused_with_how_to_get_the_long_format(tmp_path):
    """Before: "looks like a binary file, not text" and no hint."""
    path = FIXTURES / "statbank_website.xlsx"
    assert path.read_bytes().startswith(b"PK\x03\x04")
    for file in (path, tmp_path / "download.csv"):
        if file != path:
            file.write_bytes(path.read_bytes())  # the workbook under a .csv name
        with pytest.raises(InputError) as info:
            read_statbank_csv(file)
        text = str(info.value)
        assert len(info.value.problems) == 1, text
        assert "an Excel workbook (as statistikbanken.dk downloads a table)" in text
        assert "https://api.statbank.dk/v1/data/<table>/CSV?lang=en&OMRÅDE=*&Tid=*" in text
        assert "binary" not in text


def test_the_statbank_workbook_is_what_the_script_writes(tmp_path):
    import importlib.util

    import openpyxl

    spec = importlib.util.spec_from_file_location("make", FIXTURES / "make_xlsx_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = openpyxl.load_workbook(module.build_statbank(tmp_path / "fresh.xlsx")).active
    committed = openpyxl.load_workbook(FIXTURES / "statbank_website.xlsx").active
    assert list(fresh.values) == list(committed.values)


def test_a_missing_tid_says_add_tid_to_the_request(tmp_path):
    """The API leaves TID out when the request names no time (before: only "missing
    column TID")."""
    text = statbank_error(write(tmp_path, ["OMRÅDE;KØN;INDHOLD", "101;TOT;16981"]))
    assert "row 1: missing column TID: add Tid=* to the request" in text
