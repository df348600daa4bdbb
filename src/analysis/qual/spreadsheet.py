"""Reading and writing CSV/XLSX tables of text safely.

Cells are read as text, never evaluated: an XLSX cell holding ``=HYPERLINK(...)`` is read
as that text (openpyxl without cached values), and a CSV cell is never interpreted. On
export, cells a spreadsheet would treat as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or CR) get a leading apostrophe, so opening the file in Excel or LibreOffice
cannot run anything; :func:`read_table` removes that apostrophe again.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from analysis.data.parsing import (
    ParseError,
    check_no_implicit_index,
    check_office_file,
    read_text,
    sniff_delimiter,
)
from analysis.errors import AnalysisError, InputError
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


def read_table(path: Path | str) -> pd.DataFrame:
    """A CSV (any encoding ``read_text`` knows, ``,``/``;``/tab) or XLSX sheet as text.

    Every cell is a string ('' for empty); row ``i`` of the frame is spreadsheet/file row
    ``i + 2`` (header = row 1).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError.single(path, "file not found")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        frame = _read_xlsx(path)
    elif suffix in {".csv", ".tsv", ".txt"}:
        frame = _read_csv(path)
    else:
        raise InputError.single(path, "unsupported table format", expected=".csv or .xlsx")
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].map(unneutralise)
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        text, _ = read_text(path)
    except ParseError as exc:
        raise InputError.single(path, str(exc)) from None
    if not text.strip():
        raise InputError.single(path, "the file is empty", expected="a header row")
    delimiter = sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, na_filter=False
        )
        check_no_implicit_index(frame, delimiter)
    except (pd.errors.ParserError, ValueError) as exc:  # ParseError is a ValueError
        raise InputError.single(path, f"cannot read as CSV: {exc}") from None
    return frame


def _read_xlsx(path: Path) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        check_office_file(path)
    except ParseError as exc:
        raise InputError.single(path, str(exc), expected="an .xlsx file") from None
    try:
        # data_only=False: formulas come back as their text and are never evaluated
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise InputError.single(path, f"cannot read as XLSX: {exc}") from None
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    except Exception as exc:  # damaged sheet data (zlib, XML, ...)
        raise InputError.single(path, f"cannot read the first sheet: {exc}") from None
    finally:
        book.close()
    if not rows:
        raise InputError.single(path, "the sheet is empty", expected="a header row")
    header = ["" if h is None else str(h).strip() for h in rows[0]]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise InputError.single(
            path,
            "duplicate column names",
            row=1,
            expected="each column name once",
            found=", ".join(duplicated),
        )
    width = max(len(header), *(len(row) for row in rows))
    header += [""] * (width - len(header))
    body = [["" if v is None else _cell_text(v) for v in row] for row in rows[1:]]
    body = [row + [""] * (width - len(row)) for row in body]
    unnamed = [i for i, h in enumerate(header) if not h]
    for i in unnamed:
        if any(row[i].strip() for row in body):
            from openpyxl.utils import get_column_letter

            raise InputError.single(
                path,
                "a column has values but no name",
                row=1,
                column=get_column_letter(i + 1),
                expected="a column name in the header row",
            )
    keep = [i for i, h in enumerate(header) if h]
    return pd.DataFrame(
        [[row[i] for i in keep] for row in body], columns=[header[i] for i in keep], dtype=str
    )


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_csv(df: pd.DataFrame, path: Path | str) -> Path:
    """Write ``df`` as UTF-8 CSV (atomically), text cells neutralised.

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
    return atomic_write_text(path, safe.to_csv(index=False, lineterminator="\n", quoting=quoting))


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
