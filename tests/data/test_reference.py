"""The municipality reference table and name matching."""

from __future__ import annotations

import pytest

from analysis.data.reference import (
    REGION_COUNTS,
    load_municipalities,
    resolve_municipality,
    slugify,
    unique_name,
)
from analysis.errors import InputError


def test_98_municipalities_in_five_regions():
    table = load_municipalities()
    assert len(table) == 98
    assert table["code"].is_unique and table["slug"].is_unique
    assert table["region"].value_counts().to_dict() == REGION_COUNTS
    assert table.loc[table["code"] == 580, "name"].item() == "Aabenraa"
    assert table.loc[table["code"] == 400, "region"].item() == "Hovedstaden"
    assert table.loc[table["code"] == 779, "region"].item() == "Midtjylland"
    assert table.loc[table["code"] == 787, "region"].item() == "Nordjylland"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (101, 101),
        ("101", 101),
        ("København", 101),
        ("Københavns Kommune", 101),
        ("koebenhavn", 101),
        ("Høje-Taastrup Kommune", 169),
        ("Bornholms Regionskommune", 400),
        ("Aarhus Kommune", 751),
        ("Ærø", 492),
        ("  Lyngby-Taarbæk  ", 173),
        ("Atlantis", None),
        (999, None),
        ("Hele landet", None),
    ],
)
def test_resolve_municipality(value, code):
    assert resolve_municipality(value) == code


def test_slugify_matches_jobindsats_keys():
    assert slugify("Høje-Taastrup") == "hoeje-taastrup"
    assert slugify("Ringkøbing-Skjern") == "ringkoebing-skjern"
    assert slugify("Ærø") == "aeroe"


def test_broken_reference_file_names_row_and_column(tmp_path):
    good = load_municipalities()
    bad = good.copy()
    bad.loc[5, "code"] = bad.loc[4, "code"]
    bad.loc[10, "region"] = "Vestjylland"
    path = tmp_path / "municipalities.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        load_municipalities(path)
    text = str(info.value)
    assert "row 6, column 'code': duplicate code" in text
    assert "row 7, column 'code': duplicate code" in text
    assert "row 12, column 'region': unknown region" in text and "Vestjylland" in text


def test_incomplete_reference_file_is_rejected(tmp_path):
    path = tmp_path / "municipalities.csv"
    load_municipalities().head(97).to_csv(path, index=False)
    with pytest.raises(InputError, match="98 municipalities"):
        load_municipalities(path)


def test_unique_name_numbers_repeats_from_two_and_remembers_what_it_gave():
    taken = {"interview-1"}
    given = [unique_name(n, taken) for n in ("interview-1", "interview-1", "fokusgruppe")]
    assert given == ["interview-1-2", "interview-1-3", "fokusgruppe"]
    assert taken == {"interview-1", "interview-1-2", "interview-1-3", "fokusgruppe"}
    assert unique_name("ledelse", {"ledelse"}, sep="_") == "ledelse_2"
