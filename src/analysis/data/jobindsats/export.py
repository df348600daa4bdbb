"""Tables analysts download from jobindsats.dk themselves (CSV or .xlsx).

:func:`read_jobindsats_export` finds the table below any title lines, reads the long or
the wide layout into a tidy long table (``EXPORT_COLUMNS``) and reports every problem with
file (and sheet), row and column.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis.data.jobindsats.export_grid import (
    AREA_HEADERS,
    BENEFIT_HEADERS,
    MEASURE_NAME_HEADERS,
    OTHER_DIMENSIONS,
    PERIOD_HEADERS,
    VALUE_HEADERS,
    _data_rows,
    _locate_table,
    _title,
)
from analysis.data.jobindsats.export_layout import _classify, _cross_header
from analysis.data.jobindsats.export_values import (
    _area_codes,
    _cells_of_row,
    _check_dimensions,
    _check_duplicates,
    _check_frequency,
    _parse_values,
)
from analysis.data.parsing import decimal_mark
from analysis.errors import InputError, ProblemCollector

__all__ = [
    "AREA_HEADERS",
    "BENEFIT_HEADERS",
    "EXPORT_COLUMNS",
    "MEASURE_NAME_HEADERS",
    "OTHER_DIMENSIONS",
    "PERIOD_HEADERS",
    "VALUE_HEADERS",
    "read_jobindsats_export",
]

EXPORT_COLUMNS = ["municipality_code", "area", "period", "measure", "benefit_group", "value"]


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
    :func:`analysis.data.jobindsats.export_values._export_decimal`) the file is refused
    until ``decimal`` (``"."`` or ``","``) says which. Rows keep the file's order (row by
    row; left to right within a row).
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
