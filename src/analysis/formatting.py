"""How a number looks in a report, in Danish and English: the one place that decides.

Every text that shows a number (scorecard cells and sentences, the savings table, the
joint display, the regression texts, the index headlines, the footer) formats it here;
tables shown with ``nb.table`` get the same marks from :func:`separators`.

- **Signature**: ``format_number(value, language, *, decimals, sign=False)``; the value
  and the language first, like ``t(key, language)``, and ``decimals`` by keyword so the
  two can never be swapped (the benchmark and the joint display had them in opposite
  orders).
- **Marks**: Danish ``1.234,5``, English ``1,234.5``.
- **Minus sign**: the ASCII hyphen-minus (:data:`MINUS`, ``-13,0``). It is what pandas'
  Styler writes in every report table, what the scorecard, the regression texts and the
  index have always shown, and what a spreadsheet reads back as a number when a reader
  copies a cell (the typographic U+2212 of the joint display is not).
- **Signs**: ``sign=True`` writes ``+`` before a positive value; a value that rounds to
  zero gets no sign either way (``0,0``, never ``-0,0`` or ``+0,0``).
- **Per cent**: ``12,3 %`` in Danish, ``12.3%`` in English, as in the label files (the
  scorecard wrote ``12.3 %`` in English too, the joint display ``12%``).
- **Missing**: ``None``, NaN and NA are an en dash (:data:`MISSING`), as in the tables.
- **Alignment**: a table's columns of figures are right-aligned, words left
  (:func:`right_align_figures`, which ``nb.styled`` applies to every report table).
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from analysis.labels import check_language

MINUS = "-"
MISSING = "–"


def separators(language: str) -> dict[str, str]:
    """Decimal and thousands separators for ``language`` (Danish: 1.234,5), in the form
    pandas' ``Styler.format(decimal=..., thousands=...)`` takes."""
    check_language(language)
    if language == "da":
        return {"decimal": ",", "thousands": "."}
    return {"decimal": ".", "thousands": ","}


def localise(text: str, language: str) -> str:
    """Python's number text (``1,234.5``) with the marks of ``language``."""
    if check_language(language) == "da":
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def is_missing(value: object) -> bool:
    """True for None, NaN, NA and NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is not one missing value
        return False


def format_number(value: object, language: str, *, decimals: int, sign: bool = False) -> str:
    """``value`` rounded to ``decimals`` with thousands separators in the marks of
    ``language``; :data:`MINUS` for a negative value, ``+`` for a positive one when
    ``sign``; a value that rounds to zero has no sign; :data:`MISSING` when missing."""
    check_language(language)
    if is_missing(value):
        return MISSING
    rounded = round(float(value), decimals)  # type: ignore[arg-type]
    text = localise(f"{abs(rounded):,.{decimals}f}", language)
    if rounded < 0:
        return MINUS + text
    return f"+{text}" if sign and rounded > 0 else text


def format_percent(value: object, language: str, *, decimals: int, sign: bool = False) -> str:
    """A percentage: :func:`format_number` and the per cent sign as each language writes
    it and as the label files do: Danish with a space (``12,3 %``), English without
    (``12.3%``); :data:`MISSING` when missing."""
    number = format_number(value, language, decimals=decimals, sign=sign)
    if number == MISSING:
        return number
    return f"{number} %" if language == "da" else f"{number}%"


def significant(value: object, digits: int = 3) -> str:
    """``value`` with about ``digits`` significant digits, never in e-notation, with a
    decimal point and no thousands separator: for ``nb.table`` formats, whose Styler puts
    in the language's marks itself. :data:`MISSING` for anything that is not a number."""
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MISSING
    if math.isnan(x):
        return MISSING
    if math.isinf(x):
        return f"{MINUS if x < 0 else ''}∞"
    if x == 0:
        return "0"
    places = min(max(digits - 1 - math.floor(math.log10(abs(x))), 0), 7)
    text = f"{abs(x):.{places}f}"
    return MINUS + text if x < 0 else text


def format_significant(value: object, language: str, digits: int = 3) -> str:
    """:func:`significant` in the marks of ``language`` (for running text)."""
    return localise(significant(value, digits), language)


def decimals_for(*values: float) -> int:
    """Decimals showing the largest of ``values`` with two significant digits (1-5)."""
    finite = [abs(v) for v in values if not is_missing(v) and math.isfinite(v) and v != 0]
    if not finite:
        return 2
    return min(5, max(1, 1 - math.floor(math.log10(max(finite)))))


#: text that is a figure: digits with separators, signs, per cent, a range or a fraction
_FIGURE_TEXT = re.compile(r"^[+\-−]?\d[\d.,\s]*(?:%|\s?%)?(?:\s?[–/−-]\s?[+\-−]?\d[\d.,\s]*%?)?$")


def numeric_columns(df: pd.DataFrame) -> list[int]:
    """Positions of the columns that hold figures: numbers, or text that is a figure in
    every filled cell ("8.541", "0,0–0,0", "3/9"). They are set right-aligned, so that
    digits line up and a column of figures reads as one."""
    out = []
    for i, (_, column) in enumerate(df.items()):
        if pd.api.types.is_bool_dtype(column):
            continue
        if pd.api.types.is_numeric_dtype(column):
            out.append(i)
            continue
        filled = [str(v).strip() for v in column if not _missing(v)]
        filled = [v for v in filled if v != MISSING]
        if filled and all(_FIGURE_TEXT.match(v) for v in filled):
            out.append(i)
    return out


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are not missing values
        return False


def right_align_figures(
    styler: pd.io.formats.style.Styler, df: pd.DataFrame
) -> pd.io.formats.style.Styler:
    """``styler`` with the figure columns of ``df`` (:func:`numeric_columns`) and their
    headers right-aligned. One rule per column in the table's own style (by position,
    after the index columns that are shown), not a class on every cell: a page of long
    tables stays as light as it was. Apply it after hiding the index."""
    positions = numeric_columns(df)
    if not positions:
        return styler
    shown_index = sum(not hidden for hidden in getattr(styler, "hide_index_", [False]))
    # a header of one row has a cell per column, so ``tr>`` takes header and figures
    # alike (the index's cells come first); a header of several rows spans columns
    row = "tr>" if df.columns.nlevels == 1 else "td"
    selectors = [f"{row}:nth-child({i + 1 + shown_index})" for i in positions]
    rule = {"selector": ", ".join(selectors), "props": "text-align: right"}
    return styler.set_table_styles([rule], overwrite=False)
