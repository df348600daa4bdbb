"""Reading a tabular contract file: the one reader the caseload and survey contracts share.

A municipality hands in a caseload panel or a survey as CSV, Excel or Parquet. Both
contracts read it the same way, here:

- **text**: UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252; comma,
  semicolon or tab between fields (:func:`analysis.data.parsing.read_csv_text`);
- **rows as a person sees them**: the index of the frame read is the line number in a CSV
  (header = line 1, blank lines counted) or the spreadsheet row number, and
  :attr:`RawTable.row_note` says which;
- **the decimal mark** a format file beside the data states (:func:`format_file_for`:
  ``panel.csv`` -> ``panel_format.yaml``; :func:`read_format_file` reads its
  ``decimal:`` line);
- **the sheet** of a workbook: the first, the one named, or the one whose header fits the
  contract (:func:`read_table_file`), named in every problem when it was chosen;
- **the key cells** of every contract row, municipality, unit and month, parsed the same
  way (:func:`parse_municipalities`, :func:`parse_text`, :func:`parse_months`).

Every problem is an :class:`~analysis.errors.InputProblem` naming the file, row and column.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from analysis.data.parsing import (
    ParseError,
    SheetCells,
    check_office_file,
    decimal_mark,
    parse_number,
    parse_period,
    read_csv_text,
    read_xlsx_sheets,
)
from analysis.data.reference import resolve_municipality
from analysis.errors import InputError, InputProblem

ROWS_CSV = "rows are line numbers in the file (header = line 1)"
ROWS_EXCEL = "rows are spreadsheet row numbers on sheet {sheet!r} (header = row 1)"
ROWS_FRAME = (
    "rows are the 1-based row position + 1, i.e. counted as in a spreadsheet with the "
    "header as row 1 (the first data row is row 2)"
)
CSV_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")

#: What the key columns hold, as a problem's "expected" says it.
KEY_EXPECTED = {
    "municipality_code": "one of the 98 municipality codes in the reference table "
    "(e.g. 101 for København)",
    "unit": "a unit name (department or team; 'all' for the whole job centre)",
    "period": "a month such as 2024-01, 2024M01 or 2024-01-01",
}


@dataclass(frozen=True)
class RawTable:
    """Cells as read (index = the row number a person sees) and how to talk about rows.

    ``delimiter`` is the CSV field separator (None for other formats): a comma-separated
    file without commas inside its values cannot use decimal commas. ``sheet`` is the
    worksheet read from a workbook; ``source`` names the file in problems (with the sheet
    when the reader chose or was told one among several).
    """

    frame: pd.DataFrame
    row_note: str
    delimiter: str | None = None
    sheet: str | None = None
    source: str = ""


#: Scores a worksheet's header (its first row, as text): 0 when it does not fit the
#: contract at all, more the better it fits.
HeaderFit = Callable[[Sequence[str]], int]


def read_table_file(
    path: Path | str,
    *,
    suffixes: Sequence[str],
    sheet: str | None = None,
    header_fit: HeaderFit | None = None,
    sheet_named_in: str | None = None,
) -> RawTable:
    """Read a contract file (CSV, Excel or Parquet, as ``suffixes`` allow) into a
    :class:`RawTable`.

    For a workbook: ``sheet`` names the worksheet to read (``sheet_named_in`` says where
    it was named, for the message when there is no such sheet); else ``header_fit``
    chooses among several sheets the one whose first row fits the contract best; with
    either, every problem names the sheet (``RawTable.source``). Without either, the
    first sheet is read and problems name the file only (as caseload panels always did).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES and suffix in suffixes:
        return read_csv(path)
    if suffix in EXCEL_SUFFIXES and suffix in suffixes:
        return read_excel(path, sheet=sheet, header_fit=header_fit, named_in=sheet_named_in)
    if suffix in PARQUET_SUFFIXES and suffix in suffixes:
        return read_parquet(path)
    shown = [s for s in (".csv", ".xlsx", ".parquet") if s in suffixes]
    expected = ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else shown[0]
    raise InputError.single(path, "unsupported file type", expected=expected, found=suffix)


def frame_table(df: pd.DataFrame, source: str) -> RawTable:
    """A frame already in memory as a :class:`RawTable` (rows named as position + 1)."""
    frame = df.reset_index(drop=True).copy()
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return RawTable(frame, ROWS_FRAME, source=source)


def read_csv(path: Path) -> RawTable:
    """A CSV as text cells, blank lines dropped after numbering the rows."""
    try:
        frame, info = read_csv_text(path, skip_blank_lines=False)
    except ParseError as exc:
        raise InputError.single(path, str(exc)) from None
    except pd.errors.EmptyDataError:
        raise InputError.single(path, "the file is empty", expected="a header line") from None
    except pd.errors.ParserError as exc:
        raise InputError.single(path, f"cannot read as CSV: {exc}") from None
    # Line numbers: header is line 1, so data row i (0-based) is line i + 2, as long as
    # blank lines are kept while reading (they are dropped only now).
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    # A trailing separator (common in Excel exports) gives an empty, unnamed column.
    unnamed_empty = [
        c
        for c in frame.columns
        if str(c).startswith("Unnamed: ") and frame[c].map(is_missing).all()
    ]
    frame = frame.drop(columns=unnamed_empty)
    return RawTable(drop_empty_rows(frame), ROWS_CSV, info.delimiter, source=str(path))


def read_excel(
    path: Path,
    *,
    sheet: str | None = None,
    header_fit: HeaderFit | None = None,
    named_in: str | None = None,
) -> RawTable:
    """One worksheet of an .xlsx as cells (see :func:`read_table_file` for the choice)."""
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        check_office_file(path)
    except ParseError as exc:
        raise InputError.single(path, str(exc), expected="an .xlsx workbook") from None
    choose = sheet is not None or header_fit is not None
    try:
        sheets = read_xlsx_sheets(path, first_only=not choose)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError.single(path, f"cannot read as an Excel workbook: {exc}") from None
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError.single(path, f"cannot read as an Excel workbook: {exc}") from None
    if not choose:
        chosen, source = sheets[0], str(path)
    else:
        chosen = _chosen_sheet(path, sheets, sheet, header_fit, named_in)
        source = f"{path}, sheet '{chosen.title}'"
    return _sheet_table(path, chosen, source, first=not choose)


def _chosen_sheet(
    path: Path,
    sheets: list[SheetCells],
    sheet: str | None,
    header_fit: HeaderFit | None,
    named_in: str | None,
) -> SheetCells:
    titles = ", ".join(f"'{s.title}'" for s in sheets)
    if sheet is not None:
        wanted = sheet.strip().casefold()
        found = [s for s in sheets if s.title.strip().casefold() == wanted]
        if not found:
            where = f" (named in {named_in})" if named_in else ""
            raise InputError.single(
                path,
                f"the workbook has no sheet '{sheet}'{where}",
                expected=f"one of its sheets: {titles}",
                found=sheet,
            )
        return found[0]
    if len(sheets) == 1 or header_fit is None:
        return sheets[0]
    scores = [header_fit(_header_texts(s)) for s in sheets]
    best = max(scores)
    if best > 0:
        return sheets[scores.index(best)]
    described = "; ".join(
        f"'{s.title}' (first row: {', '.join(_header_texts(s)[:6]) or 'empty'})" for s in sheets
    )
    how = f"name the sheet in {named_in} ('sheet: <name>')" if named_in else "name the sheet"
    raise InputError.single(
        path,
        f"none of the {len(sheets)} sheets of the workbook has a header that fits the "
        f"contract: {described}; {how}, and map its columns if they have other names",
        expected="a sheet whose first row holds the contract's column names",
        found=titles,
    )


def _header_texts(sheet: SheetCells) -> list[str]:
    first = sheet.rows[0] if sheet.rows else []
    return [str(v).strip() for v in first if v is not None and str(v).strip()]


def _sheet_table(path: Path, sheet: SheetCells, source: str, *, first: bool) -> RawTable:
    from openpyxl.utils import get_column_letter

    rows, title = sheet.rows, sheet.title
    if not rows:
        where = "the first sheet" if first else f"sheet '{title}'"
        raise InputError.single(source, f"{where} is empty", expected="a header row")
    header = rows[0]
    width = max(len(r) for r in rows)
    names: list[str] = []
    for i in range(width):
        value = header[i] if i < len(header) else None
        names.append("" if value is None else str(value).strip())
    body = [r + [None] * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=range(width), index=range(2, len(body) + 2), dtype=object)
    keep = [i for i, name in enumerate(names) if name or frame[i].notna().any()]
    unnamed = [get_column_letter(i + 1) for i in keep if not names[i]]
    if unnamed:
        raise InputError(
            [
                InputProblem(
                    source,
                    "a column has values but no name",
                    row=1,
                    column=letter,
                    expected="a column name in the header row",
                )
                for letter in unnamed
            ]
        )
    frame = frame[keep]
    frame.columns = [names[i] for i in keep]
    return RawTable(drop_empty_rows(frame), ROWS_EXCEL.format(sheet=title), None, title, source)


def read_parquet(path: Path) -> RawTable:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for corrupt files
        raise InputError.single(path, f"cannot read as Parquet: {exc}") from None
    frame = frame.reset_index(drop=True)
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return RawTable(frame, ROWS_FRAME, source=str(path))


def drop_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    empty = frame.apply(lambda col: col.map(is_missing)).all(axis=1)
    return frame[~empty]


def is_missing(value: object) -> bool:
    """An empty cell: None, NaN, NA, NaT or text of only spaces."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def with_source(problems: Sequence[InputProblem], source: str) -> list[InputProblem]:
    """The problems with their file named as ``source`` (e.g. with the sheet)."""
    return [replace(p, file=source) for p in problems]


# --- the format file beside a data file ----------------------------------------------------

DECIMAL_EXPECTED = "numbers that show their decimal mark, or the mark stated"
#: A data file's format file: ``caseloads_2025.csv`` -> ``caseloads_2025_format.yaml``.
FORMAT_FILE_SUFFIX = "_format.yaml"
FORMAT_FILE_MAX_BYTES = 64 * 1024
_FORMAT_EXPECTED = "the line 'decimal: point' or 'decimal: comma'"
_FORMAT_LINE = re.compile(r"""decimal\s*:\s*(["']?)([^"'#\s]+)\1\s*(?:#.*)?""")


def format_file_for(data_file: Path | str) -> Path:
    """Where a data file's format is stated: the same name with ``_format.yaml``."""
    data_file = Path(data_file)
    return data_file.with_name(f"{data_file.stem}{FORMAT_FILE_SUFFIX}")


def read_format_bytes(path: Path | str, expected: str = _FORMAT_EXPECTED) -> str:
    """The text of a format file: at most :data:`FORMAT_FILE_MAX_BYTES`, UTF-8."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > FORMAT_FILE_MAX_BYTES:
            raise InputError.single(
                path, f"is larger than {FORMAT_FILE_MAX_BYTES} bytes", expected=expected
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.single(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(
            path, f"not UTF-8 text (byte {exc.start})", expected=expected
        ) from None


def read_format_file(path: Path | str) -> str:
    """The decimal mark (``"."`` or ``","``) a format file states.

    The file holds one line ``decimal: point`` or ``decimal: comma`` (``"."``, ``","``,
    ``punktum`` and ``komma`` too), optionally with ``#`` comments. It is read line by
    line, not as general YAML, so nothing in it is ever expanded or constructed.
    """
    path = Path(path)
    text = read_format_bytes(path)
    marks: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _FORMAT_LINE.fullmatch(stripped)
        try:
            marks.append((number, decimal_mark(match.group(2) if match else "")))
        except ValueError:
            raise InputError.single(
                path,
                "not a decimal-mark setting",
                row=number,
                expected=_FORMAT_EXPECTED,
                found=stripped[:80],
            ) from None
    if not marks:
        raise InputError.single(path, "states no decimal mark", expected=_FORMAT_EXPECTED)
    if len(marks) > 1:
        raise InputError.single(
            path,
            "states the decimal mark more than once",
            row=marks[1][0],
            expected=f"{_FORMAT_EXPECTED} once",
        )
    return marks[0][1]


# --- the key cells: municipality, unit, month -----------------------------------------------


def parse_municipalities(column: pd.Series, source: str) -> tuple[pd.Series, list[InputProblem]]:
    """Codes as numbers or digit text; a municipality name is accepted too."""
    out: list[object] = []
    problems: list[InputProblem] = []
    resolved: dict[object, int | None] = {}
    for row, value in column.items():
        if is_missing(value):
            out.append(pd.NA)
            continue
        key = (type(value), value)
        if key not in resolved:
            resolved[key] = municipality_code(value)
        code = resolved[key]
        if code is None:
            problems.append(unknown_municipality(source, int(row), value))
        out.append(pd.NA if code is None else code)
    return pd.Series(out, index=column.index, dtype="Int64"), problems


def municipality_code(value: object) -> int | None:
    """An integer code (known or not: the caller checks membership), or the code of a
    recognised name; None if neither."""
    try:
        number = parse_number(value, ".")
    except ParseError:
        number = math.nan
    if math.isfinite(number) and float(number).is_integer() and abs(number) < 1e9:
        return int(number)  # (a 23-digit "code" would overflow the Int64 column)
    if isinstance(value, str):
        return resolve_municipality(value)
    return None


def unknown_municipality(source: str, row: int, value: object) -> InputProblem:
    return InputProblem(
        source,
        "unknown municipality",
        row=row,
        column="municipality_code",
        expected=KEY_EXPECTED["municipality_code"],
        found=str(value),
    )


def parse_text(column: pd.Series) -> pd.Series:
    """Text cells stripped (a whole number read from Excel as 3.0 is ``"3"``); NA if empty."""

    def clean(value: object) -> object:
        if is_missing(value):
            return pd.NA
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return column.map(clean).astype(object)


def parse_months(
    column: pd.Series, name: str, source: str, expected: str | None = None
) -> tuple[pd.Series, list[InputProblem]]:
    """Months (``2024-03``, ``2024M03``, a date or a timestamp) as ``Period[M]``; a cell
    that is no month is a problem (``expected`` says what would be)."""
    if column.dtype == pd.PeriodDtype("M"):
        return column, []
    if pd.api.types.is_datetime64_any_dtype(column):
        naive = column.dt.tz_localize(None) if column.dt.tz is not None else column
        return naive.dt.to_period("M"), []
    expected = expected or KEY_EXPECTED["period"]
    out: list[object] = []
    problems: list[InputProblem] = []
    for row, value in column.items():
        month = pd.NaT if is_missing(value) else month_or_none(value)
        if month is None:
            problems.append(
                InputProblem(
                    source,
                    "not a month",
                    row=int(row),
                    column=name,
                    expected=expected,
                    found=str(value),
                )
            )
            month = pd.NaT
        out.append(month)
    return pd.Series(pd.array(out, dtype="period[M]"), index=column.index), problems


def month_or_none(value: object) -> pd.Period | None:
    if isinstance(value, pd.Period):
        return value if value.freqstr == "M" else None
    try:
        period = parse_period(value)
    except ParseError:
        return None
    return period if period.freqstr == "M" else None
