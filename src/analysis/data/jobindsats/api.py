"""Answers of the Jobindsats API (``https://api.jobindsats.dk/v2/data/<table>/json``).

The API answers with a JSON list of tables; each table is an object with ``Variables``,
one entry per column (``Name``: ``area``, ``period``, a dimension such as
``_ygrp_y30r21``, or a measure; ``Label``: ``Area``, ``Periode``, ``Ydelsesgrupper``,
``Forventet og faktisk antal fuldtidspersoner på offentlig forsørgelse: Forventet antal``),
and ``Data``, one list of values per row in the order of ``Variables``. The same rows
written as records (one object per row keyed by the labels, e.g. by a script that turned
the answer into records) are read too, as are several answers one after another in one
file (JSON lines). :func:`read_jobindsats_api` gives a tidy long table
(``API_COLUMNS``).

Periods: months ``2024M01``, quarters ``2024Q1``, years ``2024`` and the rolling years of
the benchmark tables, ``2021QMAT02``: the four quarters ending with the 2nd quarter of
2021, i.e. 3rd quarter 2020 - 2nd quarter 2021 (Jobindsats' own wording for the y30r21
update of 29 October 2021). A rolling year is kept as its code (``period_code``) and as
its last quarter (``period``) with ``rolling_year`` True.

Where the problems are: a file's row numbers are those of the rows of ``Data`` (first row
= row 1, counted on through the tables of a file with several), the file named with
``Data`` or ``records``; a JSON syntax error names the line and column of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.jobindsats.export_grid import (
    AREA_HEADERS,
    BENEFIT_HEADERS,
    OTHER_DIMENSIONS,
    PERIOD_HEADERS,
)
from analysis.data.jobindsats.export_values import (
    _area_codes,
    _benefit_group,
    _Cell,
    _check_duplicates,
    _parse_values,
)
from analysis.data.jobindsats.jsonfiles import API_URL as _API_URL
from analysis.data.jobindsats.jsonfiles import EXPORT_READER as _EXPORT_READER
from analysis.data.jobindsats.jsonfiles import (
    api_tables,
    json_kind,
    load_documents,
    looks_like_json,
    what_it_is,
)
from analysis.data.parsing import ParseError, decimal_mark, parse_period, snake_case
from analysis.errors import InputError, ProblemCollector

API_COLUMNS = [
    "municipality_code",
    "area",
    "period",
    "period_code",
    "rolling_year",
    "measure",
    "measure_label",
    "benefit_group",
    "value",
]

_ROLLING = re.compile(r"^(\d{4})QMAT(\d{2})$", re.IGNORECASE)
_PERIOD_EXPECTED = (
    "a Jobindsats period code such as 2024M01, 2024Q1, 2024 or 2021QMAT02 (a rolling "
    "year: the four quarters ending with quarter 02 of 2021)"
)


def parse_api_period(text: str) -> tuple[pd.Period, bool]:
    """A Jobindsats period code as (period, rolling year?); a rolling year ``2021QMAT02``
    is its last quarter, 2021Q2."""
    if m := _ROLLING.match(text.strip()):
        quarter = int(m.group(2))
        if not 1 <= quarter <= 4:
            raise ParseError(f"not a period: {text!r} (a rolling year ends with quarter 01-04)")
        return pd.Period(year=int(m.group(1)), quarter=quarter, freq="Q"), True
    return parse_period(text), False


@dataclass
class _Table:
    """One table of the file: its columns (labels and API names) and its rows."""

    labels: list[str]
    names: list[str]
    rows: list[tuple[int, list[object]]]


@dataclass(frozen=True)
class _Roles:
    area: int
    period: int
    benefit: int | None
    dimensions: tuple[int, ...]
    measures: tuple[int, ...]


def _api_table(
    number: int, first_row: int, table: dict, problems: ProblemCollector
) -> _Table | None:
    variables, data = table["Variables"], table["Data"]
    if not isinstance(variables, list) or not all(
        isinstance(v, dict) and isinstance(v.get("Label", v.get("Name")), str) for v in variables
    ):
        problems.add(
            "malformed Variables",
            column=f"table {number}, Variables",
            expected="a list of objects with Name and Label",
        )
        return None
    if not isinstance(data, list):
        problems.add("malformed Data", column=f"table {number}, Data", expected="a list of rows")
        return None
    labels = [str(v.get("Label") or v.get("Name")).strip() for v in variables]
    names = [str(v.get("Name") or "").strip() for v in variables]
    rows = [(i, row) for i, row in enumerate(data, start=first_row)]
    return _Table(labels, names, rows)


def _records_table(documents: list[object]) -> _Table:
    records = [x for d in documents for x in (d if isinstance(d, list) else [d])]
    labels = list(dict.fromkeys(key for record in records for key in record))
    rows = [(i, [record.get(label) for label in labels]) for i, record in enumerate(records, 1)]
    return _Table(labels, names=[""] * len(labels), rows=rows)


def _roles(table: _Table, problems: ProblemCollector) -> _Roles | None:
    found: dict[str, list[int]] = {"area": [], "period": [], "benefit": []}
    dimensions: list[int] = []
    measures: list[int] = []
    for index, (label, name) in enumerate(zip(table.labels, table.names, strict=True)):
        key, name = snake_case(label), name.lower()
        if name == "area" or key in AREA_HEADERS:
            found["area"].append(index)
        elif name == "period" or key in PERIOD_HEADERS:
            found["period"].append(index)
        elif name.startswith("_ygrp") or key in BENEFIT_HEADERS:
            found["benefit"].append(index)
        elif name.startswith("_") or key in OTHER_DIMENSIONS:
            dimensions.append(index)
        else:
            measures.append(index)
    ok = True
    for role, what in (
        ("area", "an area variable (Area/Område)"),
        ("period", "a period (Periode)"),
    ):
        if len(found[role]) != 1:
            ok = False
            problems.add(
                f"no {role} variable" if not found[role] else f"more than one {role} variable",
                column="Variables",
                expected=f"exactly one {what}",
                found=", ".join(table.labels),
            )
    if len(found["benefit"]) > 1:
        ok = False
        problems.add("more than one benefit-group variable", column="Variables")
    if not measures:
        ok = False
        problems.add("no measure", column="Variables", expected="at least one measure column")
    if not ok:
        return None
    return _Roles(
        found["area"][0],
        found["period"][0],
        found["benefit"][0] if found["benefit"] else None,
        tuple(dimensions),
        tuple(measures),
    )


@dataclass
class _Values:
    cells: list[_Cell]
    codes: list[str]
    rolling: list[bool]
    labels: list[str]
    area_label: str = "Area"


def _cells(table: _Table, roles: _Roles, problems: ProblemCollector, out: _Values) -> None:
    width = len(table.labels)
    if not out.cells:
        out.area_label = table.labels[roles.area]
    first_of: dict[int, object] = {}
    for row, values in table.rows:
        if not isinstance(values, list) or len(values) != width:
            problems.add(
                "wrong number of values",
                row=row,
                expected=f"a list of {width} values, one per variable",
                found=f"{len(values)} values"
                if isinstance(values, list)
                else type(values).__name__,
            )
            continue
        for index in roles.dimensions:  # a breakdown this loader does not keep
            first = first_of.setdefault(index, values[index])
            if values[index] != first:
                problems.add(
                    f"the answer is broken down by {table.labels[index]}, which this loader "
                    "does not keep; ask the API for one value of it",
                    row=row,
                    column=table.labels[index],
                    expected=f"one value in the whole answer ({first!r})",
                    found=values[index],
                )
        area = values[roles.area]
        if not isinstance(area, str) or not area.strip():
            problems.add(
                "missing area name",
                row=row,
                column=table.labels[roles.area],
                expected="a municipality name or 'Hele landet'",
                found=area,
            )
            continue
        code = values[roles.period]
        try:
            period, rolling = parse_api_period(str(code))
        except ParseError:
            problems.add(
                "not a period",
                row=row,
                column=table.labels[roles.period],
                expected=_PERIOD_EXPECTED,
                found=code,
            )
            continue
        benefit = "total"
        if roles.benefit is not None:
            benefit = _benefit_group(str(values[roles.benefit] or ""))
            if not benefit:
                problems.add("missing benefit group", row=row, column=table.labels[roles.benefit])
                continue
        for index in roles.measures:
            label = table.labels[index]
            out.cells.append(
                _Cell(row, label, area.strip(), period, snake_case(label), benefit, values[index])
            )
            out.codes.append(str(code).strip().upper())
            out.rolling.append(rolling)
            out.labels.append(label)


def _check_periods(values: _Values, problems: ProblemCollector) -> None:
    """One kind of period per file (months, quarters, years or rolling years)."""
    kinds = [(c.period.freqstr, r) for c, r in zip(values.cells, values.rolling, strict=True)]
    for cell, code, kind in zip(values.cells, values.codes, kinds, strict=True):
        if kind != kinds[0]:
            problems.add(
                "the file mixes kinds of period",
                row=cell.line,
                expected=f"periods like {values.codes[0]} only",
                found=code,
            )
            return


def _refuse_other_files(file: Path) -> list[object]:
    if not looks_like_json(file):
        if not file.is_file():
            raise InputError.single(file, "file not found")
        raise InputError.single(
            file,
            "not JSON: a CSV or Excel download from jobindsats.dk is read by " + _EXPORT_READER,
            expected=f"the JSON answer of {_API_URL}",
        )
    documents = load_documents(file)
    kind = json_kind(documents)
    if kind not in ("api", "records"):
        raise InputError.single(
            file,
            f"not an answer of the Jobindsats API: {what_it_is(kind)}",
            expected="a list of tables with Variables and Data, or records keyed by Area "
            "and Periode",
        )
    return documents


def read_jobindsats_api(path: Path | str, *, decimal: str | None = None) -> pd.DataFrame:
    """Read a Jobindsats API answer (JSON) into a tidy long table (``API_COLUMNS``).

    One row per area, period, benefit group and measure. ``municipality_code`` is the
    reference table's code (missing for Hele landet, regions, RAR, job centres),
    ``period`` a pandas Period (a rolling year: its last quarter), ``period_code`` the
    code as written (``2021QMAT02``), ``measure`` the snake_case label and
    ``measure_label`` the label as written, ``benefit_group`` ``total`` for "Ydelsesgrupper
    i alt"/"I alt", else the snake_case group (``a_dagpenge_mv``). ``null`` is NaN.
    Numbers written as text are read like the export reader reads them (``decimal``
    settles an ambiguous file). A breakdown other than area, period and benefit group
    (køn, alder, ...) must have one value. Every problem is reported with the table, row
    (record) and column; a CSV, an Excel file or the dashboard snapshot is refused with
    the reader that takes it.
    """
    file = Path(path)
    documents = _refuse_other_files(file)
    tables = api_tables(documents)
    if not tables:
        where, parsed = f"{file}, records", [_records_table(documents)]
    else:
        where = f"{file}, Data" + (
            f" (rows counted on through its {len(tables)} tables)" if len(tables) > 1 else ""
        )
        parsed = []
    problems = ProblemCollector(where, group=True)
    first_row = 1
    for number, table in enumerate(tables, start=1):
        item = _api_table(number, first_row, table, problems)
        if item is not None:
            parsed.append(item)
            first_row += len(item.rows)
    problems.raise_if_any()
    values = _Values([], [], [], [])
    for table in parsed:
        roles = _roles(table, problems)
        if roles is not None:
            _cells(table, roles, problems, values)
    if not values.cells:
        problems.raise_if_any()
        raise InputError.single(where, "no rows", expected="at least one row of values")
    _check_periods(values, problems)
    codes = _area_codes(values.cells, values.area_label, problems)
    _check_duplicates(values.cells, codes, problems)
    numbers = _parse_values(
        values.cells,
        problems,
        None if decimal is None else decimal_mark(decimal),
        reader="read_jobindsats_api",
    )
    problems.raise_if_any()
    freq = values.cells[0].period.freqstr
    return pd.DataFrame(
        {
            "municipality_code": pd.array(codes, dtype="Int64"),
            "area": pd.Series([c.area for c in values.cells], dtype="str"),
            "period": pd.PeriodIndex([c.period for c in values.cells], freq=freq),
            "period_code": pd.Series(values.codes, dtype="str"),
            "rolling_year": pd.Series(values.rolling, dtype="bool"),
            "measure": pd.Series([c.measure for c in values.cells], dtype="str"),
            "measure_label": pd.Series(values.labels, dtype="str"),
            "benefit_group": pd.Series([c.benefit_group for c in values.cells], dtype="str"),
            "value": pd.Series(numbers, dtype="float64"),
        }
    )[API_COLUMNS]
