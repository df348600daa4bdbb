"""Parsing primitives added for the outcome loaders (tables inside title lines, area
names, labels) and the decimal-guess fix."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.data.parsing import (
    AmbiguousDecimal,
    delimited_input_rows,
    guess_decimal,
    is_non_municipal_area,
    parse_number,
    read_delimited_rows,
    snake_case,
    sniff_table_delimiter,
)


@pytest.mark.parametrize(
    ("values", "decimal"),
    [
        (["3,9", "16.981"], ","),
        (["4.3", "16981"], "."),
        (["0.125"], "."),  # a leading 0 is never a thousands group
        (["1,234.5"], "."),
        (["1.234,5"], ","),
    ],
)
def test_guess_decimal(values, decimal):
    assert guess_decimal(pd.Series(values)) == decimal


def test_thousands_dots_read_as_thousands_after_guess():
    values = pd.Series(["15.529", "1.439", "3,9"])
    assert [parse_number(v, guess_decimal(values)) for v in values] == [15529.0, 1439.0, 3.9]


def test_thousands_dots_only_are_not_guessed():
    """Before: read the Danish way; now the caller must be told (tests/data/
    test_decimal_marks.py covers the loaders)."""
    with pytest.raises(AmbiguousDecimal):
        guess_decimal(pd.Series(["15.529", "1.439", "93.771"]))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Hele landet", True),
        ("hele  landet", True),
        ("Region Hovedstaden", True),
        ("Landsdel Byen København", True),
        ("RAR Fyn", True),
        ("Jobcenter Aarhus", True),
        ("Uoplyst kommune", True),
        ("København", False),
        ("Regionskommune", False),
        ("Bornholms Regionskommune", False),
        ("Rarhus", False),
    ],
)
def test_is_non_municipal_area(name, expected):
    assert is_non_municipal_area(name) is expected


def test_snake_case_folds_danish_letters():
    assert snake_case("Åbenlys uddannelsesparat") == "aabenlys_uddannelsesparat"
    assert (
        snake_case("Fuldtidsledige i pct. af arbejdsstyrken 16-66 år")
        == "fuldtidsledige_i_pct_af_arbejdsstyrken_16_66_aar"
    )
    assert snake_case("OMRÅDE") == "omraade"
    assert snake_case("KØN") == "koen"


def test_table_delimiter_ignores_commas_in_titles_and_decimals():
    text = "Ledighed, fuldtidsledige\n\nOmråde;Periode;Pct\nAarhus;2026M07;4,3\nLæsø;2026M07;0,3\n"
    assert sniff_table_delimiter(text) == ";"
    assert sniff_table_delimiter("Område,Periode,Pct\nAarhus,2026M07,4.3\n") == ","


def test_read_delimited_rows_keeps_line_numbers_blank_lines_and_encoding(tmp_path):
    path = tmp_path / "table.csv"
    text = "Titel\r\n\r\nOmråde;Periode\r\nKøbenhavn;2026M07\r\n"
    path.write_bytes(text.encode("cp1252"))
    rows, info = read_delimited_rows(path)
    assert rows == [
        (1, ["Titel"]),
        (2, []),
        (3, ["Område", "Periode"]),
        (4, ["København", "2026M07"]),
    ]
    assert info.encoding == "cp1252" and info.delimiter == ";"


def test_read_delimited_rows_counts_lines_of_quoted_newlines(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text('a;b\n"two\nlines";x\nlast;y\n', encoding="utf-8")
    rows, _ = read_delimited_rows(path)
    assert [line for line, _ in rows] == [1, 2, 4]


def test_delimited_input_rows_names_the_file_it_cannot_read(tmp_path):
    """One way for every loader (StatBank, Jobindsats exports) to say a file is missing
    or is not CSV: an input error naming the file."""
    from analysis.errors import InputError

    missing = tmp_path / "ledige.csv"
    with pytest.raises(InputError) as info:
        delimited_input_rows(missing)
    assert f"{missing}: file not found" in str(info.value)
    broken = tmp_path / "bred.csv"
    broken.write_text("a;b\n" + '"' + "x" * 200_000 + '";1\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        delimited_input_rows(broken)
    assert f"{broken}: cannot read line" in str(info.value)
    fine = tmp_path / "fin.csv"
    fine.write_text("Område;Ledige\nKøbenhavn;3,9\n", encoding="utf-8")
    assert delimited_input_rows(fine) == [(1, ["Område", "Ledige"]), (2, ["København", "3,9"])]
