"""The value cells of a Jobindsats download: one per area, period, measure and benefit
group, checked (one value per breakdown this loader does not keep, one period frequency,
known areas, no duplicates) and parsed, with the decimal mark judged on the whole file.
The API reader (:mod:`analysis.data.jobindsats.api`) uses the same cells.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analysis.data.jobindsats.export_grid import Grid, _text
from analysis.data.jobindsats.export_layout import _PERIOD_EXPECTED, _Layout
from analysis.data.parsing import (
    ParseError,
    UnsavedFormula,
    ambiguous_decimal_text,
    decimal_evidence,
    parse_number,
    parse_period,
    snake_case,
    whole_number_mark,
)
from analysis.data.reference import is_known_non_municipal_area, resolve_municipality
from analysis.errors import ProblemCollector

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
_NUMBER_EXPECTED = "a number such as 1.234 or 3,5, or - / .. for a suppressed value"


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
