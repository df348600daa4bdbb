"""What the header of a Jobindsats download says: which column is the area, the period,
the benefit group, a measure or a value (long layout), or which columns are periods (wide
layout), and the two-row header of a cross table (periods over measures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis.data.jobindsats.export_grid import (
    AREA_HEADERS,
    BENEFIT_HEADERS,
    MEASURE_NAME_HEADERS,
    OTHER_DIMENSIONS,
    PERIOD_HEADERS,
    VALUE_HEADERS,
    Grid,
    _text,
)
from analysis.data.parsing import ParseError, parse_number, parse_period, snake_case
from analysis.errors import ProblemCollector

_PERIOD_EXPECTED = "a period code such as 2024M01, 2024K1, 2024Q1 or 2024"

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
