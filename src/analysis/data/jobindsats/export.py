"""Tables analysts download from jobindsats.dk themselves (CSV or .xlsx).

:func:`read_jobindsats_export` finds the table below any title lines, reads the long or
the wide layout into a tidy long table (``EXPORT_COLUMNS``) and reports every problem with
file (and sheet), row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from analysis.data.jobindsats.jsonfiles import API_READER as _API_READER
from analysis.data.jobindsats.jsonfiles import API_URL as _API_URL
from analysis.data.jobindsats.jsonfiles import kind_of_file, what_it_is
from analysis.data.parsing import (
    ParseError,
    UnsavedFormula,
    ambiguous_decimal_text,
    check_office_file,
    decimal_evidence,
    decimal_mark,
    parse_number,
    parse_period,
    read_delimited_rows,
    read_xlsx_sheets,
    snake_case,
    whole_number_mark,
)
from analysis.data.reference import is_known_non_municipal_area, resolve_municipality
from analysis.errors import InputError, ProblemCollector

EXPORT_COLUMNS = ["municipality_code", "area", "period", "measure", "benefit_group", "value"]

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
_BENEFIT_GROUPS = {
    "i_alt": "total",
    "alle": "total",
    "total": "total",
    "alle_ydelsesgrupper": "total",
    "ydelsesgrupper_i_alt": "total",
    "a_dagpenge": "dagpenge",
    "dagpenge": "dagpenge",
    "kontanthjaelp": "kontanthjaelp",
}
_NOTE_START = re.compile(r"^(kilde|source|note|noter|anm|anmærkning|\*)", re.IGNORECASE)
_PERIOD_EXPECTED = "a period code such as 2024M01, 2024K1, 2024Q1 or 2024"
_NUMBER_EXPECTED = "a number such as 1.234 or 3,5, or - / .. for a suppressed value"

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
    try:
        rows, _ = read_delimited_rows(file)
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    except ParseError as exc:
        raise InputError.single(file, str(exc)) from None
    return str(file), [(line, list(fields)) for line, fields in rows]


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


# --- cross tables: periods over measures (or measures over periods) ---------------------

_ROLE_HEADERS = (
    AREA_HEADERS | PERIOD_HEADERS | BENEFIT_HEADERS | MEASURE_NAME_HEADERS | VALUE_HEADERS
)


def _is_period(text: str) -> bool:
    try:
        parse_period(text)
    except ParseError:
        return False
    return True


def _is_label(text: str) -> bool:
    """A measure name: text that is neither a period, a number nor a missing mark."""
    if not text or _is_period(text):
        return False
    try:
        parse_number(text)
    except ParseError:
        return True
    return False


def _filled(cells: list[object], columns: list[int]) -> dict[int, str] | None:
    """The texts of a spanning header row over ``columns``, blanks (merged cells) taking
    the text on their left; None when the first column is blank."""
    texts: dict[int, str] = {}
    last = ""
    for index in columns:
        text = _text(cells[index]) if index < len(cells) else ""
        last = text or last
        if not last:
            return None
        texts[index] = last
    return texts


@dataclass(frozen=True)
class _CrossHeader:
    header: list[object]  # role columns as written, value columns their period
    measures: dict[int, str]  # value column -> measure
    first: int  # index of the upper header row (the title is above it)
    last: int  # index of the lower header row (the data are below it)


def _cross_header(grid: Grid, index: int) -> _CrossHeader | None:
    """A header of two rows, as the table view of jobindsats.dk shows several measures
    over several periods: one row with the periods (a period over all its measures, in
    merged cells or repeated), the other with the measures, the area header (Område) on
    either row and nothing above or below it. None for a one-row header."""
    header = grid[index][1]
    texts = [_text(c) for c in header]
    roles = {i for i, t in enumerate(texts) if snake_case(t) in _ROLE_HEADERS}

    def at(row: list[object], i: int) -> str:
        return _text(row[i]) if i < len(row) else ""

    for upper, lower in ((index - 1, index), (index, index + 1)):
        if upper < 0 or lower >= len(grid) or grid[lower][0] != grid[upper][0] + 1:
            continue
        top, bottom = grid[upper][1], grid[lower][1]
        other = bottom if upper == index else top
        if any(at(other, i) for i in roles):
            continue  # a role column has a second header cell (or a data row follows)
        width = max(len(top), len(bottom))
        columns = [i for i in range(width) if i not in roles and (at(top, i) or at(bottom, i))]
        if not columns:
            continue
        spans = [_filled(row, columns) for row in (top, bottom)]
        if spans[0] is None or spans[1] is None:
            continue
        periods, measures = (
            (spans[0], spans[1])
            if all(_is_period(t) for t in spans[0].values())
            else (spans[1], spans[0])
        )
        if not (
            all(_is_period(t) for t in periods.values())
            and all(_is_label(t) for t in measures.values())
        ):
            continue
        combined: list[object] = [texts[i] if i in roles else "" for i in range(width)]
        for i, period in periods.items():
            combined[i] = period
        return _CrossHeader(combined, measures, upper, lower)
    return None


@dataclass(frozen=True)
class _Layout:
    area: int
    period: int | None  # long layout: the period column
    benefit: int | None
    measure_name: int | None
    value: int | None
    dimensions: dict[int, str]
    measures: dict[int, str]  # long layout: value columns named by their measure
    period_columns: dict[int, pd.Period]  # wide layout: period header per column
    headers: list[str]
    #: cross table (two header rows): the measure of each period column
    column_measures: dict[int, str] = field(default_factory=dict)


def _classify(header: list[object], line: int, problems: ProblemCollector) -> _Layout:
    roles: dict[str, int] = {}
    dimensions: dict[int, str] = {}
    others: dict[int, str] = {}
    headers = [_text(c) for c in header]
    for index, text in enumerate(headers):
        key = snake_case(text)
        role = next(
            (
                name
                for name, keys in (
                    ("area", AREA_HEADERS),
                    ("period", PERIOD_HEADERS),
                    ("benefit", BENEFIT_HEADERS),
                    ("measure_name", MEASURE_NAME_HEADERS),
                    ("value", VALUE_HEADERS),
                )
                if key in keys
            ),
            None,
        )
        if not text:
            continue
        if role in roles:
            problems.add(f"more than one {role} column", row=line, column=text)
        elif role:
            roles[role] = index
        elif key in OTHER_DIMENSIONS:
            dimensions[index] = text
        else:
            others[index] = text
    period_columns: dict[int, pd.Period] = {}
    measures: dict[int, str] = {}
    if "period" in roles:
        measures = others
        if not measures and "measure_name" not in roles:
            problems.add(
                "no value columns",
                row=line,
                expected="one column per measure next to Område and Periode",
            )
    else:
        for index, text in others.items():
            try:
                period_columns[index] = parse_period(text)
            except ParseError:
                problems.add(
                    "column header is neither a known column nor a period",
                    row=line,
                    column=text,
                    expected=_PERIOD_EXPECTED,
                    found=text,
                )
        if not others:
            problems.add(
                "no period column",
                row=line,
                expected="a Periode column or period codes as column headers",
            )
        _check_header_frequency(period_columns, headers, line, problems)
    if "period" in roles and ("measure_name" in roles) != ("value" in roles):
        problems.add(
            "a measure column needs a value column and vice versa",
            row=line,
            expected="both Måling and Værdi columns, or neither",
        )
    if "period" not in roles and "value" in roles:
        problems.add(
            "a value column in a table with periods as column headers",
            row=line,
            column=headers[roles["value"]],
            expected="either a Periode column or period columns, not a Værdi column",
        )
    return _Layout(
        area=roles["area"],
        period=roles.get("period"),
        benefit=roles.get("benefit"),
        measure_name=roles.get("measure_name"),
        value=roles.get("value"),
        dimensions=dimensions,
        measures=measures,
        period_columns=period_columns,
        headers=headers,
    )


def _check_header_frequency(
    periods: dict[int, pd.Period], headers: list[str], line: int, problems: ProblemCollector
) -> None:
    first = next(iter(periods.values()), None)
    for index, period in periods.items():
        if period.freqstr != first.freqstr:
            problems.add(
                "the file mixes period frequencies",
                row=line,
                column=headers[index],
                expected=f"{first.freqstr} periods like {first}",
                found=str(period),
            )
            return


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


def _benefit_group(text: str) -> str:
    key = snake_case(text)
    return _BENEFIT_GROUPS.get(key, key)


@dataclass
class _Cell:
    """One value cell of the export before numbers are parsed."""

    line: int
    column: str
    area: str
    period: pd.Period
    measure: str
    benefit_group: str
    raw: object


def _cells_of_row(
    line: int, cells: list[object], layout: _Layout, title: str | None, problems: ProblemCollector
) -> Iterable[_Cell]:
    def cell(index: int | None) -> object:
        return cells[index] if index is not None and index < len(cells) else None

    headers = layout.headers
    area = _text(cell(layout.area))
    if not area:
        problems.add(
            "missing area name",
            row=line,
            column=headers[layout.area],
            expected="a municipality name or 'Hele landet'",
        )
        return
    benefit = "total"
    if layout.benefit is not None:
        benefit = _benefit_group(_text(cell(layout.benefit)))
        if not benefit:
            problems.add("missing benefit group", row=line, column=headers[layout.benefit])
            return
    if layout.period is None:
        measure = snake_case(
            _text(cell(layout.measure_name)) if layout.measure_name is not None else title or ""
        )
        for index, period in layout.period_columns.items():
            own = layout.column_measures.get(index)
            column = f"{own} {headers[index]}" if own else headers[index]
            name = snake_case(own) if own else measure
            yield _Cell(line, column, area, period, name, benefit, cell(index))
        return
    raw_period = cell(layout.period)
    try:
        period = parse_period(_text(raw_period))
    except ParseError:
        problems.add(
            "not a period",
            row=line,
            column=headers[layout.period],
            expected=_PERIOD_EXPECTED,
            found=_text(raw_period),
        )
        return
    for index, name in layout.measures.items():
        yield _Cell(line, name, area, period, snake_case(name), benefit, cell(index))
    if layout.measure_name is not None and layout.value is not None:
        measure = snake_case(_text(cell(layout.measure_name)))
        yield _Cell(line, headers[layout.value], area, period, measure, benefit, cell(layout.value))


def _check_dimensions(body: Grid, layout: _Layout, problems: ProblemCollector) -> None:
    for index, header in layout.dimensions.items():
        first: str | None = None
        for line, cells in body:
            value = _text(cells[index]) if index < len(cells) else ""
            if first is None:
                first = value
            elif value != first:
                problems.add(
                    f"the export is broken down by {header}, which this loader does not keep",
                    row=line,
                    column=header,
                    expected=f"one value in the whole file ({first!r})",
                    found=value,
                )
                break


def _check_frequency(cells: list[_Cell], column: str | None, problems: ProblemCollector) -> None:
    """One frequency per file; ``column`` is the period column (None in wide layout, where
    the period is the value column's header)."""
    if not cells:
        return
    first = cells[0]
    for item in cells:
        if item.period.freqstr != first.period.freqstr:
            problems.add(
                "the file mixes period frequencies",
                row=item.line,
                column=column or item.column,
                expected=f"{first.period.freqstr} periods like {first.period} (row {first.line})",
                found=str(item.period),
            )
            return


#: Measures that count (persons, full-time persons, courses): whole numbers.
_COUNT_PREFIXES = ("antal", "number_of")


def _export_decimal(
    cells: list[_Cell], problems: ProblemCollector, reader: str = "read_jobindsats_export"
) -> str | None:
    """The decimal mark of the export's text numbers, judged on every value cell.

    Values that only one mark reads decide. When every mark reads both ways
    (``8.405``), a source convention settles counts: Jobindsats publishes counts
    (measures named "Antal ...": persons, full-time persons, courses) as whole numbers
    (every count in the API snapshot in ``data/raw/jobindsats`` is whole; a test checks
    it), so in a count a single separator before exactly three digits is a thousands
    separator. This is inferred from the published data, not from a STAR document on
    download formats. Anything else ambiguous (a share ``12.500``) is a problem; so are
    counts written both ways (``8.656`` and ``1,234``). None when there were problems.
    """
    texts = pd.Series(
        {i: c.raw for i, c in enumerate(cells) if isinstance(c.raw, str)}, dtype=object
    )
    total = decimal_evidence(texts)
    if total.mark is not None:
        return total.mark
    is_count = pd.Series(
        [cells[i].measure.startswith(_COUNT_PREFIXES) for i in texts.index],
        index=texts.index,
        dtype=bool,
    )
    fractional = decimal_evidence(texts[~is_count])
    counts = decimal_evidence(texts[is_count])
    found = fractional if fractional.ambiguous else counts
    item = cells[int(found.example_at)]
    how = f"say which: {reader}(path, decimal='.') or decimal=','"
    if fractional.ambiguous:
        message = ambiguous_decimal_text(found.example or "")
    elif (mark := whole_number_mark(counts)) is not None:
        return mark
    else:
        other = next(
            t.strip() for t in texts[is_count] if ("," if "." in found.example else ".") in t
        )
        message = (
            f"cannot tell the decimal mark: the counts use both '.' and ',' before three "
            f"digits ({found.example} and {other}), so the file mixes two conventions"
        )
    problems.add(
        f"{message}; {how}",
        row=item.line,
        column=item.column,
        expected="numbers that show their decimal mark, or the mark stated",
        found=found.example,
    )
    return None


def _parse_values(
    cells: list[_Cell],
    problems: ProblemCollector,
    decimal: str | None = None,
    *,
    reader: str = "read_jobindsats_export",
) -> list[float]:
    decimal = decimal or _export_decimal(cells, problems, reader)
    if decimal is None:
        return [math.nan] * len(cells)
    values: list[float] = []
    for item in cells:
        try:
            if isinstance(item.raw, bool):
                raise ParseError(f"not a number: {item.raw!r}")
            values.append(
                parse_number(
                    _text(item.raw) if isinstance(item.raw, str) else item.raw, decimal=decimal
                )
            )
        except ParseError:
            problems.add(
                UnsavedFormula.MESSAGE
                if isinstance(item.raw, UnsavedFormula)
                else "non-numeric value",
                row=item.line,
                column=item.column,
                expected=_NUMBER_EXPECTED,
                found=_text(item.raw),
            )
            values.append(math.nan)
    return values


def _area_codes(cells: list[_Cell], column: str, problems: ProblemCollector) -> list[int | None]:
    """The municipality code of every cell's area (None for a non-municipal area); an
    unknown area is a problem on every row it is in (one line with the rows)."""
    known: dict[str, tuple[bool, int | None]] = {}
    codes: list[int | None] = []
    reported: set[tuple[str, int]] = set()
    for item in cells:
        if item.area not in known:
            code = resolve_municipality(item.area)
            known[item.area] = (code is not None or is_known_non_municipal_area(item.area), code)
        is_known, code = known[item.area]
        if not is_known and (item.area, item.line) not in reported:
            reported.add((item.area, item.line))  # once per row, not per cell of a wide row
            problems.add(
                "unknown municipality name",
                row=item.line,
                column=column,
                expected="one of the 98 municipality names (with or without ' Kommune', "
                "or 'Copenhagen') or a non-municipal area such as 'Hele landet', 'All "
                "Denmark' or 'Region Hovedstaden'",
                found=item.area,
            )
        codes.append(code)
    return codes


def _check_duplicates(
    cells: list[_Cell], codes: list[int | None], problems: ProblemCollector
) -> None:
    seen: dict[tuple, int] = {}
    for item, code in zip(cells, codes, strict=True):
        area = item.area if code is None else code
        key = (area, item.period, item.measure, item.benefit_group)
        if key in seen:
            problems.add(
                "duplicate value for the same area, period, measure and benefit "
                f"group (first in row {seen[key]})",
                row=item.line,
                column=item.column,
            )
        else:
            seen[key] = item.line


def read_jobindsats_export(path: Path | str, *, decimal: str | None = None) -> pd.DataFrame:
    """Read a table downloaded from jobindsats.dk (CSV or .xlsx) into a tidy long table
    (``EXPORT_COLUMNS``).

    Finds the header row below any title lines (the row with an Område/Kommune column),
    reads long layout (a Periode column; every other column is a measure) or wide layout
    (period codes as column headers; the measure comes from a Måling column or else the
    last title line above the table) and stops at the first blank or note line. Areas are
    matched to municipality codes; non-municipal areas (Hele landet, regions, landsdele,
    RAR, job centres) are kept with a missing code, unknown names are an error. Numbers
    may use decimal commas and thousands dots or plain dots; ``-`` and ``..`` are missing.
    The decimal mark is judged on every value cell; where the cells cannot tell (see
    :func:`_export_decimal`) the file is refused until ``decimal`` (``"."`` or ``","``)
    says which. Rows keep the file's order (row by row; left to right within a row).
    """
    file = Path(path)
    name, grid, header_index = _locate_table(file)
    problems = ProblemCollector(name, group=True)
    header_line, header = grid[header_index]
    cross = _cross_header(grid, header_index)
    if cross is None:
        layout = _classify(header, header_line, problems)
        body = _data_rows(grid, header_index, len(header), problems)
        title = _title(grid, header_index)
    else:
        header_line = grid[cross.last][0]
        layout = replace(
            _classify(cross.header, header_line, problems), column_measures=cross.measures
        )
        body = _data_rows(grid, cross.last, len(cross.header), problems)
        title = _title(grid, cross.first)
    if (
        layout.period is None
        and layout.measure_name is None
        and not layout.column_measures
        and not title
    ):
        problems.add(
            "cannot tell which measure the table holds",
            row=header_line,
            expected="a Måling column or a title line above the table",
        )
    problems.raise_if_any()
    if not body:
        raise InputError.single(name, "no data rows below the header", row=header_line)
    _check_dimensions(body, layout, problems)
    cells = [c for line, row in body for c in _cells_of_row(line, row, layout, title, problems)]
    period_column = None if layout.period is None else layout.headers[layout.period]
    _check_frequency(cells, period_column, problems)
    codes = _area_codes(cells, layout.headers[layout.area], problems)
    _check_duplicates(cells, codes, problems)
    values = _parse_values(cells, problems, None if decimal is None else decimal_mark(decimal))
    problems.raise_if_any()
    freq = cells[0].period.freqstr
    return pd.DataFrame(
        {
            "municipality_code": pd.array(codes, dtype="Int64"),
            "area": pd.Series([c.area for c in cells], dtype="str"),
            "period": pd.PeriodIndex([c.period for c in cells], freq=freq),
            "measure": pd.Series([c.measure for c in cells], dtype="str"),
            "benefit_group": pd.Series([c.benefit_group for c in cells], dtype="str"),
            "value": pd.Series(values, dtype="float64"),
        }
    )[EXPORT_COLUMNS]
