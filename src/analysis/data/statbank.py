"""Statistics Denmark StatBank CSV (statistikbanken.dk downloads and api.statbank.dk).

The API's ``/v1/data/<table>/CSV`` (and ``BULK``) answer is a semicolon-separated table
whose header holds the variable codes, e.g. ``OMRÅDE;YDELSESTYPE;KØN;TID;INDHOLD``: one
column per dimension, ``TID`` for the period and ``INDHOLD`` for the value. Dimension
values are codes (``101``, ``000``), texts (``København``, ``Hele landet``) or both
(``101 København``), depending on the requested value presentation. Danish output uses
decimal commas, English output (``lang=en``) dots, English texts ("All Denmark",
"Copenhagen", "Abroad", "Not stated municipality") and quarters ``2025Q4``; with codes and
texts the period is both too (``2025K4 2025Q4``). ``..`` marks a missing value.

statistikbanken.dk also offers a matrix download (one column per period) and Excel
workbooks; both are refused with how to get the long format from the API
(:data:`LONG_FORMAT_HINT`), as are JSON files (a Jobindsats file is named with its
reader). A header without ``TID`` says to add ``Tid=*`` to the request.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from analysis.data.jobindsats.jsonfiles import kind_of_file, what_it_is
from analysis.data.parsing import (
    ParseError,
    ambiguous_decimal_text,
    decimal_evidence,
    decimal_mark,
    delimited_input_rows,
    parse_number,
    parse_period,
    snake_case,
)
from analysis.data.reference import (
    is_known_non_municipal_area,
    load_municipalities,
    resolve_municipality,
)
from analysis.errors import InputError, ProblemCollector

#: Variables that hold the municipality, in order of preference (ASCII-folded names).
AREA_VARIABLES = ("omraade", "komk", "kommune", "bopkom")
#: DST area codes that are not municipalities: 000 Hele landet, 01-11 landsdele,
#: 081-085 regions, 411 Christiansø, 950 Uden for Danmark (Outside Denmark), 997 Udlandet
#: (Abroad) or unknown, 998 Uoplyst kommune (Not stated municipality), 999 uoplyst or
#: outside the regions (the last four as public descriptions of DST tables give them).
NON_MUNICIPAL_CODES = frozenset({0, *range(1, 12), *range(81, 86), 411, 950, 997, 998, 999})

_CODE_AND_TEXT = re.compile(r"^(\d+)\s+\S")
_AREA_EXPECTED = (
    "a municipality code or name from the reference table (Danish, or 'Copenhagen'), or "
    "a non-municipal area (000/Hele landet/All Denmark, 081-085/Region ..., "
    "01-11/Landsdel/Province ..., 997/Udlandet/Abroad, 998/Uoplyst kommune/Not stated "
    "municipality, 950/Uden for Danmark/Outside Denmark)"
)
#: A StatBank period code as a column header of the website's matrix download.
_PERIOD_HEADER = re.compile(r"^\d{4}([MKQH]\d{1,2})?$", re.IGNORECASE)
#: How to get the long format this reader reads (see :func:`_matrix_header`).
LONG_FORMAT_HINT = (
    "the StatBank API's long format: one row per value, the variable codes, TID and "
    "INDHOLD as columns, e.g. https://api.statbank.dk/v1/data/<table>/CSV?lang=en"
    "&OMRÅDE=*&Tid=*, with one parameter per variable giving the values wanted (* for "
    "all), valuePresentation=Code for codes and /BULK instead of /CSV for large tables"
)


def _column_name(code: str) -> str:
    """ASCII lower-case column name of a StatBank variable code: OMRÅDE -> omraade."""
    return snake_case(code.lstrip("\ufeff"))


def _area_code(value: str, codes: frozenset[int]) -> tuple[bool, int | None]:
    """(known, code) of an area value; code None for a non-municipal area."""
    text = value.strip()
    if _CODE_AND_TEXT.match(text):
        text = text.split()[0]
    if text.isdecimal():  # not isdigit: int("²") fails
        number = int(text)
        if number in codes:
            return True, number
        return number in NON_MUNICIPAL_CODES, None
    code = resolve_municipality(text)
    if code is not None:
        return True, code
    return is_known_non_municipal_area(text), None


def _period(text: str) -> pd.Period:
    """A TID value: a period code (``2025K4``, ``2025Q4``, ``2025M01``) or, with codes and
    texts, code and text of one period (``2025K4 2025Q4``)."""
    try:
        return parse_period(text)
    except ParseError:
        parts = text.split()
        if len(parts) != 2:
            raise
        code, label = (parse_period(part) for part in parts)
        if code != label:
            raise ParseError(f"not one period: {text!r}") from None
        return code


def _matrix_header(rows: list[tuple[int, list[str]]]) -> tuple[int, list[str]] | None:
    """(line, periods) of the header of a matrix download among the first lines: after
    blank or text cells (the dimension columns), only period codes. None for any other
    table."""
    for line, fields in rows[:10]:
        cells = [f.strip().lstrip("\ufeff") for f in fields]
        first = next((i for i, c in enumerate(cells) if _PERIOD_HEADER.match(c)), None)
        if first is None or first == 0:
            continue
        periods = [c for c in cells[first:] if c]
        leading = cells[:first]
        if all(_PERIOD_HEADER.match(c) for c in periods) and not any(
            c.replace(",", "").replace(".", "").isdecimal() for c in leading
        ):
            return line, periods
    return None


#: The first bytes of an Excel workbook: .xlsx (a zip archive) and .xls (OLE2).
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def _refuse_other_kinds(file: Path) -> None:
    """An Excel download of statistikbanken.dk and JSON files, each refused with how to get
    the long CSV (or which reader takes the file)."""
    try:
        with file.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return  # read_delimited_rows says why
    if head.startswith(_WORKBOOK_MAGIC) or file.suffix.lower() in {".xlsx", ".xls", ".xlsm"}:
        raise InputError.single(
            file,
            "an Excel workbook (as statistikbanken.dk downloads a table), not the long CSV "
            "this reader reads",
            expected=LONG_FORMAT_HINT,
            found=file.suffix or "a workbook",
        )
    kind = kind_of_file(file)
    if kind is not None:
        what = (
            "a StatBank JSON answer or another JSON file: ask the API for /CSV instead of /JSON"
            if kind == "unknown"
            else what_it_is(kind)
        )
        raise InputError.single(
            file, f"a JSON file, not a StatBank CSV: {what}", expected=LONG_FORMAT_HINT
        )


def read_statbank_csv(path: Path | str, *, decimal: str | None = None) -> pd.DataFrame:
    """Read a StatBank CSV into a tidy table: one lower-case ASCII column per dimension
    variable (``omraade``, ``ydelsestype``, ...), then ``municipality_code`` (Int64, NA
    for Hele landet, regions and landsdele), ``period`` (Period) and ``value`` (float64,
    NaN for ``..``). Accepts UTF-8 with or without BOM and Windows-1252, CRLF or LF,
    codes or texts, comma or dot decimals; one period frequency per file.

    The decimal mark of INDHOLD is judged on the whole column. Danish output writes
    decimal commas and English output decimal points, but no documentation of
    Statistics Denmark found says whether a download may carry thousands separators, so
    a column whose every mark reads both ways (``21.234``: 21.234 or 21234) is refused
    until ``decimal`` (``"."`` or ``","``) says which."""
    file = Path(path)
    _refuse_other_kinds(file)
    rows = [(line, fields) for line, fields in delimited_input_rows(file) if fields]
    if not rows:
        raise InputError.single(file, "the file is empty", expected="a StatBank CSV")
    header_line, header = rows[0]
    names = [_column_name(h) for h in header]
    problems = ProblemCollector(file, group=True)
    matrix = None if "tid" in names else _matrix_header(rows)
    if matrix is not None:
        line, periods = matrix
        shown = ", ".join(periods[:4]) + (", ..." if len(periods) > 4 else "")
        raise InputError.single(
            file,
            "a matrix download (one column per period), not the long format this reader reads",
            row=line,
            expected=LONG_FORMAT_HINT,
            found=f"periods as columns: {shown}",
        )
    for required, advice in (
        ("tid", ": add Tid=* to the request (every period; or the periods wanted)"),
        ("indhold", ""),
    ):
        if required not in names:
            problems.add(
                f"missing column {required.upper()}{advice}",
                row=header_line,
                expected="a header of variable codes ending in TID;INDHOLD",
                found=";".join(header),
            )
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        problems.add(
            "duplicate column names",
            row=header_line,
            expected="each variable once",
            found=", ".join(duplicated),
        )
    problems.raise_if_any()
    if len(rows) == 1:
        raise InputError.single(file, "no data rows below the header", row=header_line)
    return _table(
        header, names, rows[1:], problems, None if decimal is None else decimal_mark(decimal)
    )


def _table(
    header: list[str],
    names: list[str],
    body: list[tuple[int, list[str]]],
    problems: ProblemCollector,
    decimal: str | None,
) -> pd.DataFrame:
    tid, indhold = names.index("tid"), names.index("indhold")
    dimensions = [i for i, n in enumerate(names) if i not in (tid, indhold)]
    area = next((names.index(v) for v in AREA_VARIABLES if v in names), None)
    municipality_codes = frozenset(int(c) for c in load_municipalities()["code"])
    known: dict[str, tuple[bool, int | None]] = {}
    records: list[tuple[int, list[str], pd.Period, int | None]] = []
    for line, fields in body:
        if len(fields) != len(header):
            problems.add(
                "wrong number of fields",
                row=line,
                expected=f"{len(header)} fields like the header",
                found=len(fields),
            )
            continue
        try:
            period = _period(fields[tid].strip())
        except ParseError:
            problems.add(
                "not a period",
                row=line,
                column=header[tid],
                expected="a period code such as 2025M01, 2025K4, 2025Q4 or 2025",
                found=fields[tid],
            )
            continue
        code = None
        if area is not None:
            value = fields[area].strip()
            if value not in known:
                known[value] = _area_code(value, municipality_codes)
            is_known, code = known[value]
            if not is_known:
                problems.add(
                    "unknown area (not a municipality code or name)",
                    row=line,
                    column=header[area],
                    expected=_AREA_EXPECTED,
                    found=value,
                )
        records.append((line, fields, period, code))
    _check_frequency(records, header[tid], problems)
    _check_duplicates(records, dimensions, tid, problems)
    values = _values(records, indhold, header[indhold], problems, decimal)
    problems.raise_if_any()
    data: dict[str, object] = {
        names[i]: pd.Series([r[1][i].strip() for r in records], dtype="str") for i in dimensions
    }
    data["municipality_code"] = pd.array([r[3] for r in records], dtype="Int64")
    data["period"] = pd.PeriodIndex([r[2] for r in records], freq=records[0][2].freqstr)
    data["value"] = pd.Series(values, dtype="float64")
    return pd.DataFrame(data)


def _check_frequency(records: list, column: str, problems: ProblemCollector) -> None:
    if not records:
        return
    first_line, _, first, _ = records[0]
    for line, _, period, _ in records:
        if period.freqstr != first.freqstr:
            problems.add(
                "the file mixes period frequencies",
                row=line,
                column=column,
                expected=f"{first.freqstr} periods like {first} (row {first_line})",
                found=str(period),
            )
            return


def _check_duplicates(
    records: list, dimensions: list[int], tid: int, problems: ProblemCollector
) -> None:
    seen: dict[tuple, int] = {}
    for line, fields, _, _ in records:
        key = (*(fields[i].strip() for i in dimensions), fields[tid].strip())
        if key in seen:
            problems.add(f"duplicate row (same variables and period as row {seen[key]})", row=line)
        else:
            seen[key] = line


def _values(
    records: list, index: int, column: str, problems: ProblemCollector, decimal: str | None
) -> list[float]:
    if decimal is None:
        texts = pd.Series([r[1][index] for r in records], index=[r[0] for r in records])
        evidence = decimal_evidence(texts.astype(object))
        decimal = evidence.mark
        if decimal is None:
            problems.add(
                f"{ambiguous_decimal_text(evidence.example or '')}; say which: "
                "read_statbank_csv(path, decimal='.') for decimal points (English output) "
                "or decimal=',' for decimal commas (Danish output)",
                row=evidence.example_at,
                column=column,
                expected="numbers that show their decimal mark, or the mark stated",
                found=evidence.example,
            )
            return [math.nan] * len(records)
    values: list[float] = []
    for line, fields, _, _ in records:
        try:
            values.append(parse_number(fields[index], decimal=decimal))
        except ParseError:
            problems.add(
                "non-numeric value",
                row=line,
                column=column,
                expected="a number, or .. for a missing value",
                found=fields[index],
            )
            values.append(math.nan)
    return values
