"""Statistics Denmark StatBank CSV (statistikbanken.dk downloads and api.statbank.dk).

The API's ``/v1/data/<table>/CSV`` (and ``BULK``) answer is a semicolon-separated table
whose header holds the variable codes, e.g. ``OMRÅDE;YDELSESTYPE;KØN;TID;INDHOLD``: one
column per dimension, ``TID`` for the period and ``INDHOLD`` for the value. Dimension
values are codes (``101``, ``000``), texts (``København``, ``Hele landet``) or both
(``101 København``), depending on the requested value presentation. Danish output uses
decimal commas, English output dots; ``..`` marks a missing value.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from analysis.data.parsing import (
    ParseError,
    ambiguous_decimal_text,
    decimal_evidence,
    decimal_mark,
    is_non_municipal_area,
    parse_number,
    parse_period,
    read_delimited_rows,
    snake_case,
)
from analysis.data.reference import load_municipalities, resolve_municipality
from analysis.errors import InputError, ProblemCollector

#: Variables that hold the municipality, in order of preference (ASCII-folded names).
AREA_VARIABLES = ("omraade", "komk", "kommune", "bopkom")
#: DST area codes that are not municipalities: 000 Hele landet, 01-11 landsdele,
#: 081-085 regions, 411 Christiansø, 997 unknown municipality.
NON_MUNICIPAL_CODES = frozenset({0, *range(1, 12), *range(81, 86), 411, 997})

_CODE_AND_TEXT = re.compile(r"^(\d+)\s+\S")
_AREA_EXPECTED = (
    "a municipality code or name from the reference table, or a non-municipal area "
    "(000/Hele landet, 081-085/Region ..., 01-11/Landsdel ...)"
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
    return is_non_municipal_area(text), None


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
    try:
        rows, _ = read_delimited_rows(file)
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    except ParseError as exc:
        raise InputError.single(file, str(exc)) from None
    rows = [(line, fields) for line, fields in rows if fields]
    if not rows:
        raise InputError.single(file, "the file is empty", expected="a StatBank CSV")
    header_line, header = rows[0]
    names = [_column_name(h) for h in header]
    problems = ProblemCollector(file)
    for required in ("tid", "indhold"):
        if required not in names:
            problems.add(
                f"missing column {required.upper()}",
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
            period = parse_period(fields[tid].strip())
        except ParseError:
            problems.add(
                "not a period",
                row=line,
                column=header[tid],
                expected="a period code such as 2025M01, 2025K4 or 2025",
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
