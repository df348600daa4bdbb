"""Finding the table in a file downloaded from jobindsats.dk: the file read into rows
(CSV, or every sheet of an .xlsx), refused with what reads it when it is JSON or an old
Excel format, the header row located below any title lines (the row with an area column),
the data rows below it up to the first blank or note line, and the title above it.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from openpyxl.utils.exceptions import InvalidFileException

from analysis.data.jobindsats.jsonfiles import API_READER as _API_READER
from analysis.data.jobindsats.jsonfiles import API_URL as _API_URL
from analysis.data.jobindsats.jsonfiles import kind_of_file, what_it_is
from analysis.data.parsing import (
    ParseError,
    check_office_file,
    delimited_input_rows,
    read_xlsx_sheets,
    snake_case,
)
from analysis.errors import InputError, ProblemCollector

#: Header texts (snake_case) that name a column's role in an export.
AREA_HEADERS = frozenset({"omraade", "area", "kommune", "kommuner", "jobcenter", "geografi"})
PERIOD_HEADERS = frozenset({"periode", "period", "tid", "maaned", "kvartal", "aar"})
BENEFIT_HEADERS = frozenset({"ydelsesgruppe", "ydelsesgrupper", "ydelse", "ydelser", "ydelsestype"})
MEASURE_NAME_HEADERS = frozenset({"maaling", "maalinger", "measure", "noegletal", "indikator"})
VALUE_HEADERS = frozenset({"vaerdi", "value", "indhold"})
#: Breakdowns Jobindsats offers that this loader does not keep: allowed with one value only.
OTHER_DIMENSIONS = frozenset(
    {
        "koen",
        "alder",
        "herkomst",
        "oprindelse",
        "visitationskategori",
        "maalgruppe",
        "varighed",
        "a_kasse",
        "branche",
        "uddannelse",
    }
)
_NOTE_START = re.compile(r"^(kilde|source|note|noter|anm|anmærkning|\*)", re.IGNORECASE)

Grid = list[tuple[int, list[object]]]


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return str(cell).replace("\u00a0", " ").strip()


def _is_blank(cells: list[object]) -> bool:
    return not any(_text(c) for c in cells)


def _csv_grid(file: Path) -> tuple[str, Grid]:
    return str(file), [(line, list(fields)) for line, fields in delimited_input_rows(file)]


def _excel_grids(file: Path) -> list[tuple[str, Grid]]:
    try:
        check_office_file(file)
    except ParseError as exc:
        raise InputError.single(file, str(exc), expected="an .xlsx file") from None
    try:
        sheets = read_xlsx_sheets(file)
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError.single(
            file, f"cannot open as an Excel workbook ({exc})", expected="an .xlsx file"
        ) from None
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError.single(
            file, f"cannot read as an Excel workbook ({exc})", expected="an .xlsx file"
        ) from None
    return [
        (f"{file}, sheet '{sheet.title}'", list(enumerate(sheet.rows, start=1))) for sheet in sheets
    ]


def _header_index(grid: Grid) -> int | None:
    for index, (_, cells) in enumerate(grid):
        if any(snake_case(_text(c)) in AREA_HEADERS for c in cells):
            return index
    return None


#: How to get a Jobindsats table in the one layout that is fully specified: the API.
_API_HINT = (
    f"the table as the Jobindsats API gives it ({_API_URL}, with a key from "
    f"jobindsats@star.dk), read with {_API_READER}; or a download with one header row: "
    "Område, then Periode and one column per measure, or the periods as columns"
)


def _refuse_other_kinds(file: Path) -> None:
    """JSON (an API answer or the snapshot) and old or disguised Excel files, each named
    with what reads it or how to get a file this reader takes."""
    kind = kind_of_file(file)
    if kind is not None:
        raise InputError.single(
            file,
            f"a JSON file, not a CSV or Excel download: {what_it_is(kind)}",
            expected="a .csv or .xlsx download from jobindsats.dk",
        )
    suffix = file.suffix.lower()
    if suffix in {".xls", ".ods", ".xlsb"}:
        raise InputError.single(
            file,
            f"a {suffix} file: open it and save it as .xlsx or CSV (UTF-8), or get {_API_HINT}",
            expected=".csv or .xlsx",
            found=suffix,
        )


def _locate_table(file: Path) -> tuple[str, Grid, int]:
    """The sheet (or CSV) holding the table, its rows and the index of the header row."""
    _refuse_other_kinds(file)
    suffix = file.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        grids = _excel_grids(file)
    elif suffix in {".csv", ".txt"}:
        grids = [_csv_grid(file)]
    else:
        raise InputError.single(
            file,
            "unsupported file type",
            expected=".csv or .xlsx (a download from jobindsats.dk), or .json (an API "
            f"answer, read with {_API_READER})",
            found=file.suffix or "no extension",
        )
    for name, grid in grids:
        index = _header_index(grid)
        if index is not None:
            return name, grid, index
    raise InputError.single(
        file,
        "no table header found",
        expected="a header row with an area column (Område/Kommune) and either a period "
        "column (Periode) or period codes such as 2024M01 as column headers; if this is "
        f"a jobindsats.dk download in another layout, get {_API_HINT}",
    )


def _data_rows(grid: Grid, header_index: int, width: int, problems: ProblemCollector) -> Grid:
    """Rows between the header and the first blank or note line; data after that is an
    error (a blank line inside the table would otherwise drop rows silently)."""
    body: Grid = []
    rest = iter(grid[header_index + 1 :])
    for line, cells in rest:
        if _is_blank(cells) or (_NOTE_START.match(_text(cells[0])) and _is_blank(cells[1:])):
            break
        body.append((line, cells))
    for line, cells in rest:
        if sum(bool(_text(c)) for c in cells) >= 2:
            problems.add(
                "table data after a blank or note line",
                row=line,
                expected="one contiguous table; notes only below it",
            )
            break
    for line, cells in body:
        if any(_text(c) for c in cells[width:]):
            problems.add(
                "more fields than header columns",
                row=line,
                expected=f"{width} fields",
                found=len(cells),
            )
    return body


def _title(grid: Grid, header_index: int) -> str | None:
    """The last non-empty line above the header (an export's title names the measure)."""
    for _, cells in reversed(grid[:header_index]):
        texts = [_text(c) for c in cells if _text(c)]
        if texts:
            return texts[0]
    return None
