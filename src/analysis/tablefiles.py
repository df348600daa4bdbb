"""Writing CSV and XLSX tables that no spreadsheet can run as formulas.

Cells a spreadsheet would treat as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab
or CR) get a leading apostrophe on export, so opening the file in Excel or LibreOffice
cannot run anything; :func:`unneutralise` removes it again when the project reads the
file back. Files that leave the project are written through :mod:`analysis.publish`
(which gates personal data first); the writers here are for the project's own files.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.fileio import atomic_path, atomic_write_text

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_GUARD = "'"


def neutralise(value: object) -> object:
    """A cell value that no spreadsheet will evaluate (text gets a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return _GUARD + value
    return value


def unneutralise(value: str) -> str:
    """Undo :func:`neutralise` (only an apostrophe followed by a trigger is removed)."""
    if value.startswith(_GUARD) and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` whose text cells cannot be run as formulas."""
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise, na_action="ignore")
    return out


def csv_text(df: pd.DataFrame) -> str:
    """``df`` as CSV text (LF line ends), text cells neutralised.

    A frame with a carriage return inside a text is written with every field quoted: the
    csv module quotes only the line terminator's characters, and an unquoted CR starts a
    new row in Excel and in every CSV reader (where the text after it could run as a
    formula)."""
    safe = neutralise_frame(df)
    texts = [c for c in safe.columns if safe[c].map(lambda v: isinstance(v, str)).any()]
    has_cr = any("\r" in str(c) for c in safe.columns) or any(
        safe[c].map(lambda v: isinstance(v, str) and "\r" in v).any() for c in texts
    )
    quoting = csv.QUOTE_ALL if has_cr else csv.QUOTE_MINIMAL
    return safe.to_csv(index=False, lineterminator="\n", quoting=quoting)


def write_csv(df: pd.DataFrame, path: Path | str) -> Path:
    """Write ``df`` as UTF-8 CSV (atomically), text cells neutralised (see
    :func:`csv_text`)."""
    return atomic_write_text(path, csv_text(df))


def write_xlsx(df: pd.DataFrame, path: Path | str, sheet: str = "data") -> Path:
    """Write ``df`` as XLSX (atomically); every text cell is stored as text, not formula."""
    from openpyxl import Workbook

    book = Workbook()
    sheet_ = book.active
    sheet_.title = sheet
    sheet_.append([str(c) for c in df.columns])
    safe = neutralise_frame(df)
    _check_xlsx_cells(safe, path)
    for row in safe.itertuples(index=False):
        sheet_.append([None if _is_missing(v) else v for v in row])
    for row in sheet_.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never let openpyxl infer a formula
    with atomic_path(path, suffix=".xlsx.partial") as tmp:
        book.save(tmp)
    return Path(path)


#: The most characters an .xlsx cell holds (openpyxl cuts longer texts silently).
XLSX_MAX_CELL = 32_767


def _check_xlsx_cells(df: pd.DataFrame, path: Path | str) -> None:
    """Refuse texts an .xlsx cell cannot hold, rather than cut them (openpyxl keeps the
    first 32,767 characters) or fail with openpyxl's IllegalCharacterError."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for number, column in enumerate(df.columns):
        for index, value in enumerate(df.iloc[:, number]):
            if not isinstance(value, str):
                continue
            problem = (
                f"{len(value)} characters (an .xlsx cell holds at most {XLSX_MAX_CELL})"
                if len(value) > XLSX_MAX_CELL
                else "a control character"
                if ILLEGAL_CHARACTERS_RE.search(value)
                else None
            )
            if problem:
                raise AnalysisError(
                    f"{path}: row {index + 2}, column '{column}' holds {problem}; "
                    "write a .csv file instead"
                )


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
