"""Jobindsats loaders: the real snapshot and exports in Jobindsats' download formats."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.data.jobindsats import (
    EXPORT_COLUMNS,
    MEASURES,
    SNAPSHOT_COLUMNS,
    load_snapshot,
    load_snapshot_national,
    read_jobindsats_export,
    snapshot_ignored,
    snapshot_metadata,
)
from analysis.data.reference import load_municipalities
from analysis.errors import InputError
from analysis.paths import get_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"
KEYS = ["municipality_code", "measure", "benefit_group", "category", "period"]


@pytest.fixture(scope="module")
def snapshot() -> pd.DataFrame:
    return load_snapshot()


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return load_snapshot_national()


@pytest.fixture(scope="module")
def raw_json() -> dict:
    return json.loads(get_paths().jobindsats_snapshot.read_text(encoding="utf-8"))


def snap(frame, code, measure, group, period, category="total") -> float:
    rows = frame[
        (frame["municipality_code"] == code)
        & (frame["measure"] == measure)
        & (frame["benefit_group"] == group)
        & (frame["category"] == category)
        & (frame["period"] == pd.Period(period, freq="M"))
    ]
    assert len(rows) == 1, (code, measure, group, period, category)
    return rows["value"].item()


# --- snapshot ------------------------------------------------------------------------


def test_snapshot_columns_and_types(snapshot):
    assert list(snapshot.columns) == SNAPSHOT_COLUMNS
    assert snapshot["municipality_code"].dtype == "int64"
    assert snapshot["period"].dtype == pd.PeriodDtype("M")
    assert snapshot["value"].dtype == "float64"
    for column in ("measure", "benefit_group", "category", "dataset"):
        assert snapshot[column].dtype == "str", column
    assert set(snapshot["dataset"]) == {"y25i01", "y25i09", "y60a02", "y60c07", "y60c02", "y60j01"}


def test_every_municipality_matched_98_by_60_months(snapshot):
    codes = set(load_municipalities()["code"])
    assert set(snapshot["municipality_code"]) == codes
    months = pd.period_range("2021-08", "2026-07", freq="M")
    for measure in ("unemployed_fulltime", "unemployment_rate"):
        for group in ("total", "dagpenge", "kontanthjaelp"):
            series = snapshot[
                (snapshot["measure"] == measure) & (snapshot["benefit_group"] == group)
            ]
            assert len(series) == 98 * 60
            per_code = series.groupby("municipality_code")["period"].apply(list)
            assert set(per_code.index) == codes
            assert all(list(p) == list(months) for p in per_code), (measure, group)


def test_values_trace_to_the_json(snapshot):
    assert snap(snapshot, 101, "unemployed_fulltime", "total", "2026-07") == 16981
    assert snap(snapshot, 101, "unemployment_rate", "total", "2026-07") == 4.3
    assert snap(snapshot, 751, "unemployed_fulltime", "dagpenge", "2026-07") == 7785
    assert snap(snapshot, 169, "unemployment_rate", "kontanthjaelp", "2026-07") == 0.6
    assert snap(snapshot, 101, "recipients_persons", "kontanthjaelp", "2026-04") == 8987
    assert snap(snapshot, 101, "recipients_fulltime", "kontanthjaelp", "2026-07") == 8194
    assert snap(snapshot, 825, "recipients_workforce_rate", "kontanthjaelp", "2026-04") == 1.4
    assert snap(snapshot, 101, "ordinary_hours_persons", "kontanthjaelp", "2026-06") == 815
    assert snap(snapshot, 400, "ordinary_hours_share", "kontanthjaelp", "2026-06") == 20.7


def test_each_value_equals_the_json_series(snapshot, raw_json):
    """Whole series, not samples: København's dagpenge rate and Aarhus' activation."""
    for slug, code, block, key, measure, group in [
        ("koebenhavn", 101, "unemployment", "dagpengeRate", "unemployment_rate", "dagpenge"),
        ("aarhus", 751, "activation", "degree", "activation_degree", "kontanthjaelp"),
        ("fanoe", 563, "longterm", "kontanthjaelp", "longterm_unemployed", "kontanthjaelp"),
    ]:
        source = raw_json["municipalities"][slug][block]
        rows = snapshot[
            (snapshot["municipality_code"] == code)
            & (snapshot["measure"] == measure)
            & (snapshot["benefit_group"] == group)
        ]
        assert [str(p) for p in rows["period"]] == [
            label.replace("M", "-") for label in source["labels"]
        ]
        expected = [math.nan if v is None else float(v) for v in source[key]]
        np.testing.assert_array_equal(rows["value"].to_numpy(), np.array(expected))


def test_suppressed_values_are_missing_not_zero(snapshot, raw_json):
    # Læsø (825): kontanthjælp unemployment suppressed in 2026M05-M07, 5 in 2026M04.
    assert math.isnan(snap(snapshot, 825, "unemployed_fulltime", "kontanthjaelp", "2026-05"))
    assert snap(snapshot, 825, "unemployed_fulltime", "kontanthjaelp", "2026-04") == 5
    nulls = sum(
        v is None
        for area in raw_json["municipalities"].values()
        for v in area["unemployment"]["kontanthjaelp"]
    )
    series = snapshot[
        (snapshot["measure"] == "unemployed_fulltime")
        & (snapshot["benefit_group"] == "kontanthjaelp")
    ]
    assert nulls == 57
    assert series["value"].isna().sum() == nulls
    assert (series["value"] == 0).sum() == sum(
        v == 0
        for area in raw_json["municipalities"].values()
        for v in area["unemployment"]["kontanthjaelp"]
    )


def test_breakdowns_and_totals(snapshot):
    assert (
        snap(snapshot, 101, "recipients_fulltime", "kontanthjaelp", "2026-07", "jobparat") == 1604
    )
    assert (
        snap(
            snapshot,
            101,
            "recipients_fulltime",
            "kontanthjaelp",
            "2026-07",
            "aabenlys_uddannelsesparat",
        )
        == 4
    )
    assert (
        snap(snapshot, 101, "activation_courses", "kontanthjaelp", "2026-07", "loentilskud") == 176
    )
    assert snap(snapshot, 101, "activation_courses", "kontanthjaelp", "2026-07") == 4907
    assert snap(snapshot, 101, "activated_persons", "kontanthjaelp", "2026-07") == 3809
    assert snap(snapshot, 101, "activation_courses_per_person", "kontanthjaelp", "2026-07") == 1.29
    # Læsø: suppressed offer counts and totals stay missing, the course total is 4.
    assert math.isnan(snap(snapshot, 825, "activated_persons", "kontanthjaelp", "2026-07"))
    assert snap(snapshot, 825, "activation_courses", "kontanthjaelp", "2026-07") == 4
    categories = set(snapshot.loc[snapshot["measure"] == "activation_courses", "category"])
    assert categories == {
        "total",
        "vejledning_og_opkvalificering",
        "loentilskud",
        "virksomhedspraktik",
        "nytteindsats",
        "saerligt_tilrettelagt_nytteindsats",
    }


def test_short_longterm_series_kept_as_given(snapshot):
    laesoe = snapshot[
        (snapshot["municipality_code"] == 825) & (snapshot["measure"] == "longterm_unemployed")
    ]
    assert sorted({str(p) for p in laesoe["period"]}) == ["2024-03", "2024-04"]
    assert snap(snapshot, 825, "longterm_unemployed", "total", "2024-03") == 3


def test_sorted_unique_and_measures_documented(snapshot):
    assert snapshot[KEYS].equals(snapshot.sort_values(KEYS)[KEYS].reset_index(drop=True))
    assert not snapshot.duplicated(KEYS).any()
    for measure, datasets in snapshot.groupby("measure")["dataset"].unique().items():
        assert list(datasets) == [MEASURES[measure].dataset], measure
    assert set(snapshot["measure"]) == set(MEASURES)


def test_national_series(national):
    assert list(national.columns) == [c for c in SNAPSHOT_COLUMNS if c != "municipality_code"]
    row = national[
        (national["measure"] == "unemployed_fulltime")
        & (national["benefit_group"] == "total")
        & (national["period"] == pd.Period("2026-07", freq="M"))
    ]
    assert row["value"].item() == 91583
    assert len(national[national["measure"] == "unemployment_rate"]) == 3 * 60


def test_snapshot_metadata_for_provenance():
    meta = snapshot_metadata()
    assert meta["retrieved_at"] == "2026-08-22T09:50:30+02:00"
    assert meta["source"] == "Jobindsats.dk / STAR"
    assert meta["datasets"]["y60j01"]["latest_period"] == "2026M06"
    assert meta["datasets"]["y25i01"]["latest_period"] == "2026M07"
    assert "Ikke sæsonkorrigeret på kommuneniveau." in meta["datasets"]["y25i01"]["notes"][0]
    assert meta["blocks"]["cashVisitation"]["dataset"] == "y60a02"
    assert len(meta["sha256"]) == 64


def test_loader_returns_a_copy():
    first = load_snapshot()
    first.loc[0, "value"] = -1.0
    assert load_snapshot().loc[0, "value"] != -1.0


# --- snapshot errors -----------------------------------------------------------------


def write_json(tmp_path: Path, data: dict, name: str = "dashboard-data-broken.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def error_text(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_snapshot(path)
    return str(info.value)


def test_malformed_json_names_line_and_column(tmp_path):
    path = tmp_path / "dashboard-data-x.json"
    path.write_text('{\n "meta": {},\n "municipalities": {,\n}\n', encoding="utf-8")
    text = error_text(path)
    assert "dashboard-data-x.json, row 3, column '21': malformed JSON" in text


def test_missing_and_non_utf8_files(tmp_path):
    assert "file not found" in error_text(tmp_path / "nope.json")
    path = tmp_path / "latin.json"
    path.write_bytes('{"name": "Læsø"}'.encode("cp1252"))
    assert "latin.json: not UTF-8 text" in error_text(path)


def test_unknown_key_and_missing_municipality(tmp_path, raw_json):
    data = copy.deepcopy(raw_json)
    data["municipalities"]["kobenhavn"] = data["municipalities"].pop("koebenhavn")
    text = error_text(write_json(tmp_path, data))
    assert "column 'municipalities.kobenhavn': unknown municipality key" in text
    assert "municipality missing from the snapshot" in text and "'koebenhavn'" in text


def test_name_must_match_reference(tmp_path, raw_json):
    data = copy.deepcopy(raw_json)
    data["municipalities"]["aarhus"]["name"] = "Århus"
    text = error_text(write_json(tmp_path, data))
    assert "column 'municipalities.aarhus.name': municipality name does not match" in text
    assert "expected Aarhus, found 'Århus'" in text


def test_structure_problems_are_all_reported(tmp_path, raw_json):
    data = copy.deepcopy(raw_json)
    aarhus = data["municipalities"]["aarhus"]
    aarhus["unemployment"]["total"].pop()
    aarhus["activation"]["degree"][3] = "12,5"
    aarhus["cashAssistance"]["labels"][0] = "2021M13"
    del data["municipalities"]["odense"]["offers"]
    aarhus["longterm"]["name"] = "Odense"
    aarhus["ordinaryHours"]["labels"][1] = aarhus["ordinaryHours"]["labels"][0]
    text = error_text(write_json(tmp_path, data))
    assert "column 'municipalities.aarhus.longterm.name': block name differs" in text
    assert "column 'municipalities.aarhus.ordinaryHours.labels': duplicate labels" in text
    assert "found '2021M07'" in text
    assert (
        "column 'municipalities.aarhus.unemployment.total': labels and values differ in "
        "length (expected 60 values (one per label), found '59 values')"
    ) in text
    assert (
        "column 'municipalities.aarhus.activation.degree': non-numeric value at position 3" in text
    )
    assert "'12,5'" in text
    assert "column 'municipalities.aarhus.cashAssistance.labels': not a month code" in text
    assert "'2021M13'" in text
    assert "column 'municipalities.odense.offers': missing or malformed block" in text
    assert "dashboard-data-broken.json" in text


def test_problems_beyond_the_cap_are_counted_not_lost(tmp_path, raw_json):
    """Every bad value counts, also past the 200 kept (errors.ProblemCollector): the
    error's last line says how many more there are."""
    data = copy.deepcopy(raw_json)
    bad = 0
    for area in data["municipalities"].values():
        for index in range(len(area["unemployment"]["total"])):
            area["unemployment"]["total"][index] = "x"
            bad += 1
    assert bad > 500
    with pytest.raises(InputError) as info:
        load_snapshot(write_json(tmp_path, data))
    assert info.value.count == bad
    assert str(info.value).endswith(
        f"... and {bad - InputError.max_listed} more problem(s) not listed"
    )


def test_package_re_exports_the_public_names_of_its_modules():
    """``from analysis.data.jobindsats import X`` works for every public X of the
    catalogue, the snapshot reader and the export reader."""
    import importlib

    import analysis.data.jobindsats as package

    for part in (
        "catalogue",
        "snapshot",
        "export",
        "export_grid",
        "export_layout",
        "export_values",
        "api",
        "expected",
    ):
        module = importlib.import_module(f"analysis.data.jobindsats.{part}")
        public = {
            name
            for name, value in vars(module).items()
            if not name.startswith("_")
            and getattr(value, "__module__", module.__name__) == module.__name__
            and not isinstance(value, type(importlib))
            and name.isupper() | callable(value)
        }
        assert public <= set(package.__all__), (part, public - set(package.__all__))
        assert all(getattr(package, name) is getattr(module, name) for name in public)


def test_missing_series_and_national(tmp_path, raw_json):
    data = copy.deepcopy(raw_json)
    del data["municipalities"]["vejle"]["ordinaryHours"]["share"]
    data["national"] = None
    text = error_text(write_json(tmp_path, data))
    assert "column 'municipalities.vejle.ordinaryHours.share': missing series" in text
    assert "column 'national': malformed entry" in text


def test_metadata_requires_provenance(tmp_path, raw_json):
    data = copy.deepcopy(raw_json)
    del data["meta"]["retrievedAt"]
    with pytest.raises(InputError, match=r"column 'meta': missing provenance"):
        snapshot_metadata(write_json(tmp_path, data))


# --- exports: fixtures ---------------------------------------------------------------

LONG_MEASURES = {
    "antal_fuldtidsledige": "unemployed_fulltime",
    "fuldtidsledige_i_pct_af_arbejdsstyrken": "unemployment_rate",
    "antal_personer_med_ordinaere_timer": "ordinary_hours_persons",
    "andel_personer_med_ordinaere_timer": "ordinary_hours_share",
}


def assert_matches_snapshot(export, snapshot, national, benefit_group=None):
    """Every value of an export fixture equals the snapshot's value (NaN where null)."""
    for row in export.itertuples(index=False):
        group = benefit_group or row.benefit_group
        measure = LONG_MEASURES[row.measure]
        if pd.isna(row.municipality_code):
            source = national[
                (national["measure"] == measure)
                & (national["benefit_group"] == group)
                & (national["category"] == "total")
                & (national["period"] == row.period)
            ]["value"].item()
        else:
            source = snap(snapshot, int(row.municipality_code), measure, group, str(row.period))
        assert (math.isnan(source) and math.isnan(row.value)) or source == row.value, row


def test_long_csv_fixture(snapshot, national):
    path = FIXTURES / "jobindsats_long.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in path.read_bytes()
    export = read_jobindsats_export(path)
    assert list(export.columns) == EXPORT_COLUMNS
    assert export["municipality_code"].dtype == "Int64"
    assert export["period"].dtype == pd.PeriodDtype("M")
    assert len(export) == 24
    assert_matches_snapshot(export, snapshot, national)
    first = export.iloc[0]
    assert (first["area"], first["municipality_code"], first["measure"], first["value"]) == (
        "Københavns Kommune",
        101,
        "antal_fuldtidsledige",
        15591.0,
    )
    bornholm = export[export["area"] == "Bornholms Regionskommune"]
    assert set(bornholm["municipality_code"]) == {400}
    laesoe = export[(export["area"] == "Læsø") & (export["measure"] == "antal_fuldtidsledige")]
    assert list(laesoe["benefit_group"]) == ["kontanthjaelp", "kontanthjaelp", "dagpenge"]
    assert laesoe["value"].isna().tolist() == [True, True, False]
    whole = export[export["area"] == "Hele landet"]
    assert whole["municipality_code"].isna().all()
    assert whole["value"].tolist() == [91583.0, 3.0]


def test_wide_cp1252_fixture_takes_measure_from_title(snapshot, national):
    path = FIXTURES / "jobindsats_wide_cp1252.csv"
    assert b"K\xf8benhavn" in path.read_bytes() and b"\r\n" in path.read_bytes()
    export = read_jobindsats_export(path)
    assert set(export["measure"]) == {"antal_fuldtidsledige"}
    assert len(export) == 5 * 4
    assert_matches_snapshot(export, snapshot, national)
    assert export.loc[export["area"] == "Fanø", "value"].tolist() == [5.0, 6.0, 5.0, 4.0]
    assert export.loc[export["area"] == "Høje-Taastrup Kommune", "municipality_code"].iloc[0] == 169
    assert export.loc[export["area"] == "København", "value"].tolist() == [
        15529.0,
        14987.0,
        15591.0,
        16981.0,
    ]


def test_excel_fixture(snapshot, national):
    export = read_jobindsats_export(FIXTURES / "jobindsats_ordinary_hours.xlsx")
    assert len(export) == 7 * 4
    assert set(export["benefit_group"]) == {"total"}  # no Ydelsesgruppe column
    # y60j01 is a kontanthjælp table: compare with the snapshot's kontanthjælp series.
    assert_matches_snapshot(export, snapshot, national, benefit_group="kontanthjaelp")
    whole = export[export["area"] == "Hele landet"]
    assert whole["value"].tolist() == [8405.0, 8620.0, 8956.0, 9029.0]  # text cells "8.405"
    laesoe = export[(export["area"] == "Læsø")]
    assert laesoe["value"].isna().tolist() == [True, False, True, True] + [False] * 4


def test_excel_fixture_is_what_the_script_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make", FIXTURES / "make_xlsx_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = read_jobindsats_export(module.build(tmp_path / "fresh.xlsx"))
    committed = read_jobindsats_export(FIXTURES / "jobindsats_ordinary_hours.xlsx")
    pd.testing.assert_frame_equal(fresh, committed)


# --- exports: formats ------------------------------------------------------------------

ROWS = ["Aarhus;2026M07;8.656;4,3", "Københavns Kommune;2026M07;16.981;4,3"]
HEADER = "Område;Periode;Antal fuldtidsledige;Fuldtidsledige i pct. af arbejdsstyrken"


def write(
    tmp_path: Path, lines: list[str], name="export.csv", encoding="utf-8", newline="\n", bom=b""
) -> Path:
    path = tmp_path / name
    path.write_bytes(bom + (newline.join(lines) + newline).encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "bom", "newline"),
    [
        ("utf-8", b"", "\n"),
        ("utf-8", b"\xef\xbb\xbf", "\r\n"),
        ("cp1252", b"", "\r\n"),
        ("cp1252", b"", "\r"),
    ],
)
def test_encodings_and_line_ends_give_the_same_table(tmp_path, encoding, bom, newline):
    path = write(
        tmp_path,
        ["Titel: Ledighed", "", HEADER, *ROWS],
        encoding=encoding,
        newline=newline,
        bom=bom,
    )
    export = read_jobindsats_export(path)
    assert export["area"].tolist() == ["Aarhus"] * 2 + ["Københavns Kommune"] * 2
    assert export["value"].tolist() == [8656.0, 4.3, 16981.0, 4.3]
    assert export["municipality_code"].tolist() == [751, 751, 101, 101]


def test_comma_separated_with_plain_dots(tmp_path):
    path = write(
        tmp_path,
        [
            "Område,Periode,Antal fuldtidsledige,Fuldtidsledige i pct. af arbejdsstyrken",
            "Aarhus,2026M07,8656,4.3",
            '"Københavns Kommune",2026M07,16981,4.3',
        ],
    )
    export = read_jobindsats_export(path)
    assert export["value"].tolist() == [8656.0, 4.3, 16981.0, 4.3]


@pytest.mark.parametrize(
    ("period", "freq", "text"),
    [("2026K1", "Q-DEC", "2026Q1"), ("2026Q1", "Q-DEC", "2026Q1"), ("2025", "Y-DEC", "2025")],
)
def test_quarter_and_year_periods(tmp_path, period, freq, text):
    path = write(tmp_path, [HEADER, f"Læsø;{period};-;-", f"Hele landet;{period};..;.."])
    export = read_jobindsats_export(path)
    assert export["period"].dtype == pd.PeriodDtype(freq)
    assert {str(p) for p in export["period"]} == {text}
    assert export["value"].isna().all()


def test_non_municipal_areas_kept_with_missing_code(tmp_path):
    path = write(
        tmp_path,
        [
            "Område;Ydelsesgruppe;2026M07",
            "Hele landet;I alt;91.583",
            "Region Hovedstaden;I alt;-",
            "RAR Fyn;I alt;-",
            "Jobcenter Aarhus;I alt;-",
            "Aarhus;I alt;8.656",
        ],
        name="wide.csv",
    )
    with pytest.raises(InputError, match="cannot tell which measure"):
        read_jobindsats_export(path)
    path = write(tmp_path, ["Antal fuldtidsledige", *path.read_text().splitlines()])
    export = read_jobindsats_export(path)
    assert export["area"].tolist()[:4] == [
        "Hele landet",
        "Region Hovedstaden",
        "RAR Fyn",
        "Jobcenter Aarhus",
    ]
    assert export["municipality_code"].isna().tolist() == [True, True, True, True, False]
    assert export["value"].tolist()[0] == 91583.0 and export["value"].tolist()[4] == 8656.0


def test_measure_and_value_columns_in_long_layout(tmp_path):
    path = write(
        tmp_path,
        [
            "Område;Periode;Ydelsesgruppe;Måling;Værdi",
            "Aarhus;2026M07;A-dagpenge;Antal fuldtidsledige;7.785",
            "Aarhus;2026M07;Alle;Antal fuldtidsledige;8.656",
        ],
    )
    export = read_jobindsats_export(path)
    assert export["measure"].tolist() == ["antal_fuldtidsledige"] * 2
    assert export["benefit_group"].tolist() == ["dagpenge", "total"]
    assert export["value"].tolist() == [7785.0, 8656.0]


def test_single_valued_extra_dimension_is_allowed(tmp_path):
    path = write(
        tmp_path,
        [
            "Område;Køn;Periode;Antal fuldtidsledige",
            "Aarhus;I alt;2026M07;8.656",
            "Læsø;I alt;2026M07;16",
        ],
    )
    assert read_jobindsats_export(path)["value"].tolist() == [8656.0, 16.0]


# --- exports: errors name file, row and column ------------------------------------------


def export_error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_jobindsats_export(path)
    return str(info.value)


def test_non_numeric_value(tmp_path):
    path = write(tmp_path, ["Ledighed", HEADER, "Aarhus;2026M07;8x656;4,3"])
    text = export_error(path)
    assert "export.csv, row 3, column 'Antal fuldtidsledige': non-numeric value" in text
    assert "found '8x656'" in text


def test_unknown_municipality_name(tmp_path):
    path = write(tmp_path, [HEADER, *ROWS, "Atlantis Kommune;2026M07;1;1"])
    text = export_error(path)
    assert "row 4, column 'Område': unknown municipality name" in text
    assert "found 'Atlantis Kommune'" in text


def test_mixed_frequencies_name_the_row(tmp_path):
    path = write(tmp_path, [HEADER, "Aarhus;2026M07;8.656;4,3", "Aarhus;2026K2;-;-"])
    text = export_error(path)
    assert "row 3, column 'Periode': the file mixes period frequencies" in text
    assert "(expected M periods like 2026-07 (row 2), found '2026Q2')" in text


def test_mixed_frequencies_in_wide_header(tmp_path):
    path = write(tmp_path, ["Antal fuldtidsledige", "Område;2026M06;2026K3", "Aarhus;7.451;-"])
    text = export_error(path)
    assert "row 2, column '2026K3': the file mixes period frequencies" in text


def test_unparsable_period_and_unknown_header(tmp_path):
    text = export_error(write(tmp_path, [HEADER, "Aarhus;2026M13;8.656;4,3"]))
    assert "row 2, column 'Periode': not a period" in text and "'2026M13'" in text
    text = export_error(write(tmp_path, ["Antal", "Område;2026M06;Noget", "Aarhus;1;2"]))
    assert "row 2, column 'Noget': column header is neither a known column nor a period" in text


def test_table_data_after_blank_line(tmp_path):
    path = write(tmp_path, [HEADER, ROWS[0], "", ROWS[1], "Kilde: Jobindsats.dk"])
    assert "row 4: table data after a blank or note line" in export_error(path)


def test_multi_valued_extra_dimension_and_duplicates(tmp_path):
    path = write(
        tmp_path, ["Område;Køn;Periode;Antal", "Aarhus;Mænd;2026M07;1", "Aarhus;Kvinder;2026M07;2"]
    )
    text = export_error(path)
    assert "row 3, column 'Køn': the export is broken down by Køn" in text
    path = write(tmp_path, [HEADER, "København;2026M07;16.981;4,3", ROWS[1]])
    text = export_error(path)
    assert "row 3, column 'Antal fuldtidsledige': duplicate value" in text
    assert "(first in row 2)" in text


def test_whole_file_problems(tmp_path):
    assert "no table header found" in export_error(write(tmp_path, ["a;b", "1;2"]))
    assert "no data rows below the header" in export_error(write(tmp_path, ["Titel", HEADER]))
    assert "unsupported file type" in export_error(write(tmp_path, [HEADER], name="x.dat"))
    assert "a .xls file: open it and save it as .xlsx" in export_error(
        write(tmp_path, [HEADER], name="x.xls")
    )
    broken = write(tmp_path, [HEADER], name="broken.xlsx")
    assert "broken.xlsx: cannot open as an Excel workbook" in export_error(broken)
    assert "file not found" in export_error(tmp_path / "missing.csv")


def test_excel_errors_name_sheet_row_and_column(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Ark1"
    for row in (
        ["Antal fuldtidsledige"],
        [],
        ["Område", "2026M06", "2026M07"],
        ["Aarhus", 7451, "otte"],
    ):
        sheet.append(row)
    path = tmp_path / "bad.xlsx"
    book.save(path)
    text = export_error(path)
    assert "bad.xlsx, sheet 'Ark1', row 4, column '2026M07': non-numeric value" in text
    assert "found 'otte'" in text


def test_default_snapshot_follows_project_paths(isolated_paths):
    meta = snapshot_metadata()
    assert Path(meta["file"]).parent == isolated_paths.jobindsats
    assert meta["file"].endswith("dashboard-data-2026-08-22.json")
    assert load_snapshot_national()["value"].notna().sum() > 900


# --- English names, grouped problems, an older dashboard layout (issue 14) ---------------


def test_export_with_english_area_names(tmp_path):
    """'Copenhagen' and 'All Denmark' (English downloads) are read like 'København' and
    'Hele landet' (before: 'unknown municipality name' for 'Copenhagen')."""
    path = write(
        tmp_path,
        [
            "Area;Period;Antal fuldtidsledige",
            "All Denmark;2026M07;91583",
            "Copenhagen;2026M07;16981",
            "Capital Region of Denmark;2026M07;-",
        ],
    )
    export = read_jobindsats_export(path)
    assert export["municipality_code"].tolist() == [pd.NA, 101, pd.NA]
    assert export["value"].tolist()[:2] == [91583.0, 16981.0]


def test_an_unknown_area_is_one_line_with_all_its_rows(tmp_path):
    """Before: only the first row of an unknown area was named."""
    lines = [HEADER, *ROWS] + [f"Atlantis;2026M{m:02d};1;1" for m in (1, 2, 3, 5)]
    text = export_error(write(tmp_path, lines))
    assert "export.csv, rows 4-7, column 'Område': unknown municipality name" in text
    assert "found 'Atlantis'" in text


def older_layout_snapshot(reference: pd.DataFrame) -> dict:
    """A dashboard file in the layout the source repository wrote before 22 August 2026
    (its data/dashboard-data.json of 19 August 2026): blocks unemployment,
    newlyRegistered, longterm and duration per area, keys also for 'hele landet' and
    'uoplyst område', no cashAssistance, cashVisitation, activation, offers or
    ordinaryHours. Written here, shaped like that file, with made-up numbers."""
    labels = ["2026M06", "2026M07"]

    def area(name: str) -> dict:
        series = {"total": [100, 110], "dagpenge": [80, 85], "kontanthjaelp": [20, 25]}
        rates = {
            "totalRate": [3.0, 3.1],
            "dagpengeRate": [2.4, 2.5],
            "kontanthjaelpRate": [0.4, 0.5],
        }
        return {
            "name": name,
            "unemployment": {"name": name, "labels": labels, **series, **rates},
            "newlyRegistered": {"name": name, "labels": labels, **series},
            "longterm": {"name": name, "labels": labels, **series},
            "duration": {
                "dagpenge": {"name": name, "period": "2026M05", "labels": ["21"], "values": [21.0]}
            },
        }

    status = {
        key: {"state": "ok", "source": "Jobindsats.dk / STAR", "dataset": dataset, "note": ""}
        for key, dataset in [
            ("unemployment", "y25i01"),
            ("registered", "y25i02"),
            ("longterm", "y25i09"),
            ("dagpengeDuration", "y01a21"),
        ]
    }
    areas = {"hele landet": area("Hele landet")}
    areas |= {row.slug: area(row.name) for row in reference.itertuples(index=False)}
    areas["uoplyst område"] = area("Uoplyst område")
    return {
        "meta": {
            "title": "Kommunal beskæftigelsesindsats",
            "retrievedAt": "2026-08-19T13:46:07+02:00",
            "source": "Jobindsats.dk / STAR",
            "sourceStatus": status,
        },
        "municipalities": areas,
        "national": area("Hele landet"),
    }


def test_an_older_dashboard_layout_is_one_sentence_naming_both_layouts(tmp_path):
    """Before: 497 problems ("missing or malformed block" for five blocks of every area,
    "unknown municipality key" for 'hele landet'), 200 kept and 20 listed, and no sentence
    saying that the file has another layout; snapshot_metadata() accepted the file."""
    path = write_json(tmp_path, older_layout_snapshot(load_municipalities()))
    with pytest.raises(InputError) as info:
        load_snapshot(path)
    text = str(info.value)
    assert len(info.value.problems) == 1 and info.value.count == 1, text
    assert "missing or malformed block" not in text
    assert "column 'municipalities': not the dashboard layout this version reads" in text
    assert "no area has the block(s) cashAssistance, cashVisitation, activation, offers, " in text
    assert (
        "expected the layout of dashboard-data-2026-08-22.json (data/raw/jobindsats/"
        "PROVENANCE.md): blocks unemployment, longterm, cashAssistance, cashVisitation, "
        "activation, offers, ordinaryHours in every municipality"
    ) in text
    assert "found 'blocks unemployment, newlyRegistered, longterm, duration'" in text
    with pytest.raises(InputError) as meta:
        snapshot_metadata(path)
    assert str(meta.value) == text


def test_one_municipality_without_a_block_is_still_named(tmp_path, raw_json):
    data = copy.deepcopy(raw_json)
    del data["municipalities"]["odense"]["offers"]
    text = error_text(write_json(tmp_path, data))
    assert "column 'municipalities.odense.offers': missing or malformed block" in text
    assert "layout" not in text


# --- jobindsats.dk website downloads: cross tables (issue 25, §2) -------------------------


def test_site_cross_table_csv_periods_over_measures(snapshot, national):
    """The table view's download: a period over its measures, the period written once
    (its other cells blank), Område on the measures' row. Before: "column header is
    neither a known column nor a period" for every measure column."""
    path = FIXTURES / "jobindsats_site_crosstab.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in path.read_bytes()
    export = read_jobindsats_export(path)
    assert len(export) == 4 * 2 * 2
    assert set(export["measure"]) == {
        "antal_fuldtidsledige",
        "fuldtidsledige_i_pct_af_arbejdsstyrken",
    }
    assert_matches_snapshot(export, snapshot, national)
    row = export.iloc[6]
    assert (row["area"], str(row["period"]), row["value"]) == ("København", "2026-07", 16981.0)


def test_site_cross_table_excel_with_merged_period_cells(snapshot, national):
    """Merged period cells over two measures, Område and Ydelsesgruppe on the periods'
    row, the measures' row below them blank under those two."""
    export = read_jobindsats_export(FIXTURES / "jobindsats_site_crosstab.xlsx")
    assert len(export) == 5 * 2 * 2
    assert set(export["benefit_group"]) == {"total", "kontanthjaelp"}
    assert_matches_snapshot(export, snapshot, national)
    laesoe = export[export["area"] == "Læsø"]
    assert laesoe["value"].isna().tolist() == [True, False, True, False]


def test_site_cross_table_excel_is_what_the_script_writes(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make", FIXTURES / "make_xlsx_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = read_jobindsats_export(module.build_crosstab(tmp_path / "fresh.xlsx"))
    committed = read_jobindsats_export(FIXTURES / "jobindsats_site_crosstab.xlsx")
    pd.testing.assert_frame_equal(fresh, committed)


def test_cross_table_with_measures_over_periods(tmp_path):
    """The other nesting: a measure over its periods. Before: the title line was taken
    for the measure of every column and the file failed on duplicate values."""
    lines = [
        "Fuldtidsledige (y25i01)",
        "",
        ";Antal fuldtidsledige;;Fuldtidsledige i pct. af arbejdsstyrken;",
        "Område;2026M06;2026M07;2026M06;2026M07",
        "Aarhus;7.451;8.656;3,7;4,3",
    ]
    export = read_jobindsats_export(write(tmp_path, lines))
    assert (
        export["measure"].tolist()
        == ["antal_fuldtidsledige"] * 2 + ["fuldtidsledige_i_pct_af_arbejdsstyrken"] * 2
    )
    assert export["value"].tolist() == [7451.0, 8656.0, 3.7, 4.3]
    assert [str(p) for p in export["period"]] == ["2026-06", "2026-07"] * 2


def test_cross_table_errors_name_the_measure_and_period(tmp_path):
    lines = [";2026M06;", "Område;Antal fuldtidsledige;Andel", "Aarhus;otte;3,7"]
    text = export_error(write(tmp_path, lines))
    assert "row 3, column 'Antal fuldtidsledige 2026M06': non-numeric value" in text


def test_an_unreadable_download_says_how_to_get_the_api_format(tmp_path):
    """Before: "no table header found" with no way forward."""
    text = export_error(write(tmp_path, ["Titel", "a;b", "1;2"]))
    assert "no table header found" in text
    assert "https://api.jobindsats.dk/v2/data/<table>/json" in text
    assert "read with analysis.data.jobindsats.read_jobindsats_api" in text


# --- blocks the loader does not read are named, not dropped silently (issue 25, §2) -------


def with_outcomes(raw_json: dict) -> dict:
    """The snapshot with a block of a newer dashboard: ``outcomes`` (Jobindsats table
    y60b15) in every area and in meta.sourceStatus, and one unknown series in a known
    block. Shaped like the blocks of the real file; the numbers are made up."""
    data = copy.deepcopy(raw_json)
    block = {"labels": ["2026M03"], "employed6m": [41.2], "employed12m": [44.0]}
    for area in [*data["municipalities"].values(), data["national"]]:
        area["outcomes"] = {"name": area["name"], **block}
        area["unemployment"]["youthRate"] = [None] * len(area["unemployment"]["labels"])
    data["meta"]["sourceStatus"]["outcomes"] = {
        "state": "ok",
        "source": "Jobindsats.dk / STAR",
        "dataset": "y60b15",
        "latestPeriod": "2026M03",
        "note": "",
    }
    data["generatedBy"] = "a newer dashboard"
    return data


def test_blocks_the_loader_does_not_read_are_listed(tmp_path, raw_json):
    """Before: the outcomes block was dropped without a word."""
    path = write_json(tmp_path, with_outcomes(raw_json))
    assert load_snapshot(path).equals(load_snapshot())  # what it reads is unchanged
    assert snapshot_ignored(path) == (
        "generatedBy (a top-level key)",
        "municipalities.*.unemployment.youthRate (series, in 98 of 98 municipalities)",
        "municipalities.*.outcomes (block, in 98 of 98 municipalities, Jobindsats table "
        "y60b15 in meta.sourceStatus)",
        "national.unemployment.youthRate (series)",
        "national.outcomes (block, Jobindsats table y60b15 in meta.sourceStatus)",
    )
    assert snapshot_ignored() == ()  # the real file: everything is read


def test_metadata_does_not_name_an_unread_table_as_a_source(tmp_path, raw_json):
    """Before: y60b15 was listed among the datasets although no figure comes from it."""
    meta = snapshot_metadata(write_json(tmp_path, with_outcomes(raw_json)))
    assert meta["blocks"]["outcomes"]["read"] is False
    assert meta["blocks"]["unemploymentNational"]["read"] is True
    assert "y60b15" not in meta["datasets"]
    assert set(meta["datasets"]) == {"y25i01", "y25i09", "y60a02", "y60c07", "y60c02", "y60j01"}
