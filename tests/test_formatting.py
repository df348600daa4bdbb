"""The one number format of the reports (``analysis.formatting``): Danish and English
marks, one minus sign, signs, percentages, significant digits, missing values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.formatting import (
    MINUS,
    MISSING,
    decimals_for,
    format_number,
    format_percent,
    format_significant,
    localise,
    separators,
    significant,
)
from analysis.labels import LabelError


def test_the_minus_sign_is_the_ascii_hyphen_minus() -> None:
    assert MINUS == "-"  # what pandas' Styler writes in every nb.table too
    assert format_number(-1234.56, "da", decimals=1) == "-1.234,6"
    assert format_number(-1234.56, "en", decimals=1) == "-1,234.6"


@pytest.mark.parametrize(
    ("value", "decimals", "da", "en"),
    [
        (1234.5, 1, "1.234,5", "1,234.5"),
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (0.25, 0, "0", "0"),  # half to even, like Python and pandas
        (12, 0, "12", "12"),
        (np.float64(3.14159), 3, "3,142", "3.142"),
        (np.int64(4000), 0, "4.000", "4,000"),
    ],
)
def test_danish_and_english_marks(value: float, decimals: int, da: str, en: str) -> None:
    assert format_number(value, "da", decimals=decimals) == da
    assert format_number(value, "en", decimals=decimals) == en


@pytest.mark.parametrize("value", [None, math.nan, np.nan, pd.NA, pd.NaT, float("nan")])
def test_missing_values_are_a_dash(value: object) -> None:
    assert MISSING == "–"
    assert format_number(value, "da", decimals=1) == MISSING
    assert format_percent(value, "en", decimals=1) == MISSING
    assert significant(value) == MISSING
    assert format_significant(value, "da") == MISSING


def test_signs_and_zero() -> None:
    """A value that rounds to zero gets no sign, with or without ``sign``: before, the
    benchmark wrote "+0,0" and "-0,0", the joint display "0,0"."""
    assert format_number(13.04, "da", decimals=1, sign=True) == "+13,0"
    assert format_number(-13.04, "da", decimals=1, sign=True) == "-13,0"
    assert format_number(-13.04, "da", decimals=1) == "-13,0"
    for zero in (0.0, -0.0, 0.04, -0.04):
        assert format_number(zero, "da", decimals=1, sign=True) == "0,0"
        assert format_number(zero, "da", decimals=1) == "0,0"


def test_per_cent_as_each_language_writes_it() -> None:
    """Danish with a space, English without, as the label files write "95 %" / "95%"."""
    assert format_percent(12.345, "da", decimals=1) == "12,3 %"
    assert format_percent(12.345, "en", decimals=1) == "12.3%"
    assert format_percent(-0.5, "da", decimals=1, sign=True) == "-0,5 %"
    assert format_percent(2.5, "en", decimals=0, sign=True) == "+2%"


def test_significant_digits_never_use_e_notation() -> None:
    assert significant(0.000123456) == "0.000123"
    assert significant(123456.7) == "123457"
    assert significant(-0.0456) == "-0.0456"
    assert significant(0) == "0"
    assert significant("x") == MISSING
    assert significant(math.inf) == "∞" and significant(-math.inf) == "-∞"
    assert significant(2.0, 2) == "2.0"
    assert format_significant(-0.0456, "da") == "-0,0456"
    assert format_significant(1.5, "en", 2) == "1.5"


def test_decimals_for_two_significant_digits() -> None:
    assert decimals_for(0.44, 0.40, 0.47) == 2
    assert decimals_for(12.3) == 1
    assert decimals_for(0.00012) == 5
    assert decimals_for(math.nan, 0) == 2


def test_localise_swaps_the_marks_of_python_text() -> None:
    assert localise("1,234.5", "da") == "1.234,5"
    assert localise("1,234.5", "en") == "1,234.5"
    assert separators("da") == {"decimal": ",", "thousands": "."}
    assert separators("en") == {"decimal": ".", "thousands": ","}


def test_unknown_language_is_refused() -> None:
    with pytest.raises(LabelError):
        format_number(1.0, "de", decimals=1)
    with pytest.raises(TypeError):
        format_number(1.0, "da", 1)  # decimals is keyword-only: no argument swap
