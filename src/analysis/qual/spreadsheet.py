"""Reading and writing CSV/XLSX tables of text safely.

Cells are read as text, never evaluated: an XLSX cell holding ``=HYPERLINK(...)`` is read
as that text (openpyxl without cached values), and a CSV cell is never interpreted. On
export, cells a spreadsheet would treat as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or CR) get a leading apostrophe, so opening the file in Excel or LibreOffice
cannot run anything; :func:`read_table` removes that apostrophe again.
"""

from __future__ import annotations

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
from analysis.errors import InputError
from analysis.tablefiles import (  # noqa: F401 - re-exported for the qual loaders
    FORMULA_TRIGGERS,
    neutralise,
    neutralise_frame,
    unneutralise,
    write_csv,
    write_xlsx,
)


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
