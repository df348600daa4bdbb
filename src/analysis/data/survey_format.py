"""What a survey file is, stated beside it: ``<file>_format.yaml``.

A survey tool writes its own column names, scale and codes (SurveyXact ``s_1`` and 6 for
"Ikke relevant/ved ikke", Qualtrics ``Q1_1`` and ``RecordedDate``, REDCap ``record_id``
and ``NASK``). The user does not rename the export; a small YAML file beside it says what
it holds (every key optional)::

    decimal: comma                   # the decimal mark of an aggregated file's numbers
    sheet: Dataset                   # the worksheet of a workbook
    scale: 1-4                       # the answer scale (default: the items file's 1-5)
    dont_know: [6]                   # codes for "don't know / not relevant"
    rows_without_answers: leave_out  # rows without any answer: left out (default: refused)
    extra_header_rows: 2             # rows below the header that are not data
    columns:                         # the contract's name: the file's column
      unit: afdeling
      s_recommend: s_1
    values:                          # one value for every row, for a column the file lacks
      municipality_code: 101
      period: 2024-03

The file is read through :mod:`analysis.yamlio` (no aliases or tags; a key given twice
is a problem); every problem names its line. :func:`apply_format` then turns the table as
read into the contract's columns: Qualtrics' two rows below the header (question texts
and ``{"ImportId": ...}``) are recognised and skipped, mapped columns are renamed, the
file's other columns are left out (a mapping lists what is read), and the values are
checked once and put in every row.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from analysis.data.contract_reader import (
    KEY_EXPECTED,
    RawTable,
    is_missing,
    month_or_none,
    municipality_code,
    read_format_bytes,
)
from analysis.data.parsing import ParseError, decimal_mark, parse_number
from analysis.data.reference import load_municipalities
from analysis.errors import InputError, InputProblem
from analysis.yamlio import YamlProblems

KEYS = (
    "decimal",
    "sheet",
    "scale",
    "dont_know",
    "rows_without_answers",
    "extra_header_rows",
    "columns",
    "values",
)
#: the contract columns a format file may give one value for, for every row
VALUE_COLUMNS = ("municipality_code", "unit", "period", "data_origin")
ROWS_WITHOUT_ANSWERS = ("refuse", "leave_out")
#: the fewest and most points of a scale (1–4 ... 0–10)
MIN_POINTS, MAX_POINTS = 4, 11
_SCALE = re.compile(r"\s*(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\s*")
_IMPORT_ID = re.compile(r'\s*\{\s*"ImportId"\s*:')


@dataclass(frozen=True)
class AnswerScale:
    """An answer scale ``low``–``high`` of whole numbers; ``stated_in`` names the format
    file that states it (None: the 1–5 scale of the items file).

    Agreeing means an answer above the middle of the scale, disagreeing one below it:
    1–4: 3–4 against 1–2; 1–5: 4–5 against 1–2 (3 is neither); 1–6: 4–6; 1–7: 5–7
    against 1–3; 0–10: 6–10 against 0–4. A negatively worded answer x is reversed to
    ``low + high - x``.
    """

    low: int = 1
    high: int = 5
    stated_in: str | None = None

    @property
    def text(self) -> str:
        return f"{self.low}–{self.high}"

    @property
    def points(self) -> tuple[int, ...]:
        return tuple(range(self.low, self.high + 1))

    @property
    def middle(self) -> float:
        return (self.low + self.high) / 2

    @property
    def agree(self) -> tuple[int, ...]:
        return tuple(p for p in self.points if p > self.middle)

    @property
    def disagree(self) -> tuple[int, ...]:
        return tuple(p for p in self.points if p < self.middle)

    def reverse(self, values: Any) -> Any:
        return self.low + self.high - values

    @property
    def described(self) -> str:
        """``the 1–4 scale stated in x_format.yaml`` or ``the 1–5 scale``."""
        if self.stated_in is None:
            return f"the {self.text} scale"
        return f"the {self.text} scale stated in {self.stated_in}"


def answers_text(points: tuple[int, ...]) -> str:
    """``4 or 5``, ``5, 6 or 7``, ``6–10``."""
    if len(points) > 3:
        return f"{points[0]}–{points[-1]}"
    if len(points) == 1:
        return str(points[0])
    return ", ".join(map(str, points[:-1])) + f" or {points[-1]}"


@dataclass(frozen=True)
class SurveyFormat:
    """A survey file's format file, read (everything optional; see the module docstring).

    ``columns`` maps the contract's names to the file's columns, ``values`` gives
    contract columns one value for every row; ``dont_know`` holds the codes as numbers
    (floats) and texts (lower case). ``lines`` is the line of each key, for problems.
    """

    file: str | None = None
    decimal: str | None = None
    sheet: str | None = None
    scale: AnswerScale | None = None
    dont_know: tuple[float | str, ...] = ()
    rows_without_answers: str = "refuse"
    #: the don't-know codes as the file writes them, for messages
    dont_know_written: tuple[str, ...] = ()
    extra_header_rows: int | None = None
    columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    values: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    lines: Mapping[tuple, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def name(self) -> str | None:
        return None if self.file is None else Path(self.file).name

    def line(self, *path: object) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def is_dont_know(self, value: object) -> bool:
        """Whether a cell holds one of the declared don't-know codes."""
        if not self.dont_know or is_missing(value):
            return False
        return _code(value) in self.dont_know

    @property
    def codes_shown(self) -> str:
        """The don't-know codes as the format file writes them: ``6, NASK``."""
        written = self.dont_know_written or tuple(_code_text(c) for c in self.dont_know)
        return ", ".join(written)

    @property
    def codes_text(self) -> str:
        """``code 6`` or ``codes 6, nask``."""
        word = "code" if len(self.dont_know) == 1 else "codes"
        return f"{word} {self.codes_shown}"


def _code(value: object) -> float | str:
    if isinstance(value, bool):
        return str(value).lower()
    try:
        number = parse_number(value, ".")
    except ParseError:
        number = math.nan
    if math.isfinite(number):
        return float(number)
    return str(value).strip().casefold()


def _code_text(code: float | str) -> str:
    return f"{code:g}" if isinstance(code, float) else code


def read_survey_format(path: Path | str) -> SurveyFormat:
    """Read and check a survey's format file (the names its mapping uses are checked when
    it is applied to the file, :func:`apply_format`)."""
    path = Path(path)
    text = read_format_bytes(path, expected="a survey format file (see docs/data-inputs.md)")
    problems = YamlProblems.load(text, path, what="a survey format file")
    root = problems.expect_mapping(
        problems.data if problems.data is not None else {}, (), "the file"
    )
    problems.unknown_keys(root, KEYS, (), "a survey format file")
    decimal = _decimal(root, problems)
    sheet = _text(root, "sheet", problems)
    scale = _scale(root, problems, path.name)
    codes = _dont_know(root, problems, scale or AnswerScale())
    rows = root.get("rows_without_answers", "refuse")
    if rows not in ROWS_WITHOUT_ANSWERS:
        problems.at(
            ("rows_without_answers",),
            "rows_without_answers says what a row without any answer is",
            column="rows_without_answers",
            expected="refuse (an error, the default) or leave_out (persons who did not "
            "answer: left out and counted)",
            found=rows,
        )
        rows = "refuse"
    extra = root.get("extra_header_rows")
    if extra is not None and (
        isinstance(extra, bool) or not isinstance(extra, int) or not 0 <= extra <= 10
    ):
        problems.at(
            ("extra_header_rows",),
            "extra_header_rows is the number of rows below the header that are not data",
            column="extra_header_rows",
            expected="a whole number from 0 to 10",
            found=extra,
        )
        extra = None
    columns = _columns(root, problems)
    values = _values(root, problems, columns)
    problems.raise_if_any(f"{len(problems)} problem(s) in the survey format file {path}")
    return SurveyFormat(
        file=str(path),
        decimal=decimal,
        sheet=sheet,
        scale=scale,
        dont_know=tuple(codes),
        rows_without_answers=str(rows),
        dont_know_written=tuple(codes.values()),
        extra_header_rows=extra,
        columns=MappingProxyType(columns),
        values=MappingProxyType(values),
        lines=MappingProxyType(dict(problems.document.lines)),
    )


def _decimal(root: dict, problems: YamlProblems) -> str | None:
    if "decimal" not in root:
        return None
    try:
        return decimal_mark(root["decimal"])
    except ValueError:
        problems.at(
            ("decimal",),
            "not a decimal-mark setting",
            column="decimal",
            expected="decimal: point or decimal: comma",
            found=root["decimal"],
        )
        return None


def _text(root: dict, key: str, problems: YamlProblems) -> str | None:
    if key not in root:
        return None
    value = root[key]
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        problems.at((key,), f"'{key}' must be a name", column=key, expected="text", found=value)
        return None
    return str(value).strip()


def _scale(root: dict, problems: YamlProblems, name: str) -> AnswerScale | None:
    if "scale" not in root:
        return None
    value = root["scale"]
    match = _SCALE.fullmatch(value) if isinstance(value, str) else None
    expected = "a scale such as 1-5, 1-4, 1-7 or 0-10 (the lowest and highest answer)"
    if match is None:
        problems.at(
            ("scale",), "not an answer scale", column="scale", expected=expected, found=value
        )
        return None
    low, high = int(match.group(1)), int(match.group(2))
    if low not in (0, 1):
        problems.at(
            ("scale",),
            "an answer scale starts at 0 or 1",
            column="scale",
            expected=expected,
            found=value,
        )
        return None
    if not MIN_POINTS <= high - low + 1 <= MAX_POINTS:
        problems.at(
            ("scale",),
            f"an answer scale has from {MIN_POINTS} to {MAX_POINTS} points (1–4 to 0–10); "
            f"{value} has {max(high - low + 1, 0)}",
            column="scale",
            expected=expected,
            found=value,
        )
        return None
    return AnswerScale(low, high, name)


def _dont_know(root: dict, problems: YamlProblems, scale: AnswerScale) -> dict[float | str, str]:
    """The declared don't-know codes (as matched) and how the file writes each."""
    if "dont_know" not in root:
        return {}
    value = root["dont_know"]
    values = value if isinstance(value, list) else [value]
    codes: dict[float | str, str] = {}
    for index, item in enumerate(values):
        where = ("dont_know", index) if isinstance(value, list) else ("dont_know",)
        if (
            isinstance(item, bool)
            or not isinstance(item, str | int | float)
            or not str(item).strip()
        ):
            problems.at(
                where,
                "a don't-know code is a number or a text",
                column="dont_know",
                expected="e.g. dont_know: [6] or dont_know: [6, Ved ikke]",
                found=item,
            )
            continue
        code = _code(item)
        if isinstance(code, float) and code.is_integer() and scale.low <= code <= scale.high:
            problems.at(
                where,
                f"{code:g} is a point of {scale.described}: a don't-know code lies outside "
                "the scale (SurveyXact writes 'Ikke relevant/ved ikke' as the top + 1)",
                column="dont_know",
                expected=f"a code outside {scale.text}",
                found=item,
            )
            continue
        codes.setdefault(code, f"{item:g}" if isinstance(item, float) else str(item).strip())
    return codes


def _columns(root: dict, problems: YamlProblems) -> dict[str, str]:
    """The mapping as written (its names are checked against the contract and the file
    together, by :func:`apply_format`)."""
    if "columns" not in root:
        return {}
    data = problems.expect_mapping(root["columns"], ("columns",), "'columns'")
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            problems.at(
                ("columns", key),
                f"'{key}' must name a column of the survey file",
                column=str(key),
                expected="the column's name as in the file's header",
                found=value,
            )
            continue
        target = str(value).strip()
        twice = next((c for c, t in out.items() if t.lower() == target.lower()), None)
        if twice is not None:
            problems.at(
                ("columns", key),
                f"'{key}' and '{twice}' are mapped to the same column '{target}'",
                column=str(key),
                expected="each file column mapped once",
                found=target,
            )
            continue
        out[str(key)] = target
    return out


def _values(root: dict, problems: YamlProblems, columns: Mapping[str, str]) -> dict[str, object]:
    if "values" not in root:
        return {}
    data = problems.expect_mapping(root["values"], ("values",), "'values'")
    out: dict[str, object] = {}
    for key, value in data.items():
        where = ("values", key)
        if key not in VALUE_COLUMNS:
            problems.at(
                where,
                f"'{key}' cannot be given one value for every row",
                column=str(key),
                expected=", ".join(VALUE_COLUMNS),
                found=key,
            )
            continue
        if key in columns:
            problems.at(
                where,
                f"'{key}' is both mapped to a column (columns) and given a value (values)",
                column=str(key),
                expected="one of the two",
                found=value,
            )
            continue
        checked = _value(key, value)
        if isinstance(checked, InputProblem):
            problems.at(where, checked.message, column=key, expected=checked.expected, found=value)
            continue
        out[key] = checked
    return out


def _value(key: str, value: object) -> object:
    """The value of a contract column for every row, or the problem with it."""
    if key == "municipality_code":
        code = None if isinstance(value, bool) else municipality_code(value)
        if code is None or code not in set(load_municipalities()["code"].astype(int)):
            return InputProblem("", "unknown municipality", expected=KEY_EXPECTED[key])
        return code
    if key == "period":
        month = None if isinstance(value, bool) or value is None else month_or_none(str(value))
        if month is None:
            return InputProblem("", "not a month", expected=KEY_EXPECTED[key])
        return str(month)
    if isinstance(value, bool) or value is None or not str(value).strip():
        return InputProblem("", f"'{key}' needs a text", expected="text")
    return str(value).strip()


# --- applying it to the table read ---------------------------------------------------------


@dataclass(frozen=True)
class MappedTable:
    """The table in the contract's columns: ``labels`` names each mapped or given column
    as the user knows it (``s_2 (s_stay)``), ``notes`` says what was skipped or left out."""

    frame: pd.DataFrame
    labels: Mapping[str, str]
    notes: tuple[str, ...]


def apply_format(
    raw: RawTable, fmt: SurveyFormat, contract_columns: Collection[str]
) -> MappedTable:
    """Skip extra header rows, map and leave out columns and add the values for every
    row; a mapping that does not fit the file raises one error naming the format file."""
    frame = raw.frame
    notes: list[str] = []
    frame, skipped = _extra_header_rows(frame, fmt)
    if skipped:
        notes.append(skipped)
    problems: list[InputProblem] = []
    labels: dict[str, str] = {}
    if fmt.columns:
        frame, left_out = _mapped(frame, fmt, contract_columns, labels, problems)
        if left_out:
            shown = ", ".join(left_out[:12]) + (", ..." if len(left_out) > 12 else "")
            notes.append(f"{len(left_out)} columns not in the mapping left out: {shown}")
    present = {str(c).strip().lower() for c in frame.columns}
    for key, value in fmt.values.items():
        if key.lower() in present:
            problems.append(
                InputProblem(
                    str(fmt.file),
                    f"the survey file has a column '{key}' and {fmt.name} gives '{key}' one "
                    "value for every row: keep one",
                    row=fmt.line("values", key),
                    column=key,
                    expected=f"either the column or values: {key}",
                    found=str(value),
                )
            )
            continue
        frame = frame.assign(**{key: value})
        labels[key] = f"{key} (values in {fmt.name})"
    if problems:
        raise InputError(problems, summary=f"{fmt.file} does not fit the survey file {raw.source}")
    return MappedTable(frame, MappingProxyType(labels), tuple(notes))


def _extra_header_rows(frame: pd.DataFrame, fmt: SurveyFormat) -> tuple[pd.DataFrame, str]:
    """Drop the rows below the header that are not data: as many as stated, or the two
    Qualtrics writes (question texts, then ``{"ImportId": ...}`` in every cell)."""
    if fmt.extra_header_rows is not None:
        count = fmt.extra_header_rows
        if count == 0:
            return frame, ""
        drop = [r for r in frame.index if 2 <= r <= count + 1]
        what = f"rows 2-{count + 1}" if count > 1 else "row 2"
        return frame.drop(index=drop), f"{what} below the header skipped ({fmt.name})"
    if 3 not in frame.index or 2 not in frame.index:
        return frame, ""
    third = [v for v in frame.loc[3].tolist() if not is_missing(v)]
    if not third or not all(isinstance(v, str) and _IMPORT_ID.match(v) for v in third):
        return frame, ""
    note = (
        "rows 2-3 below the header skipped: question texts and ImportIds, as Qualtrics writes them"
    )
    return frame.drop(index=[2, 3]), note


def _mapped(
    frame: pd.DataFrame,
    fmt: SurveyFormat,
    contract_columns: Collection[str],
    labels: dict[str, str],
    problems: list[InputProblem],
) -> tuple[pd.DataFrame, list[str]]:
    names = [str(c).strip() for c in frame.columns]
    lower = {n.lower(): n for n in reversed(names)}
    known = {str(c).lower(): str(c) for c in contract_columns}
    contract = set(known)
    rename: dict[str, str] = {}
    for key, column in fmt.columns.items():
        target = known.get(key.strip().lower())
        if target is None:
            problems.append(_not_a_contract_column(fmt, key, known))
            continue
        found = column if column in names else lower.get(column.lower())
        own = lower.get(target.lower())
        if found is None:
            match = difflib.get_close_matches(column, names, n=1, cutoff=0.6)
            hint = f"; did you mean '{match[0]}'?" if match else ""
            shown = ", ".join(names[:15]) + (", ..." if len(names) > 15 else "")
            problems.append(
                InputProblem(
                    str(fmt.file),
                    f"the survey file has no column '{column}'{hint}",
                    row=fmt.line("columns", key),
                    column=target,
                    expected=f"one of the file's columns: {shown}",
                    found=column,
                )
            )
        elif own is not None and own != found:
            problems.append(
                InputProblem(
                    str(fmt.file),
                    f"the survey file has a column '{own}' and {fmt.name} maps '{target}' to "
                    f"'{found}': remove the mapping or rename one of the columns",
                    row=fmt.line("columns", key),
                    column=target,
                    expected=f"one column for '{target}'",
                    found=found,
                )
            )
        else:
            rename[found] = target
            labels[target] = f"{found} ({target})" if found != target else target
    kept = [n for n in names if n in rename or n.lower() in contract]
    left_out = [n for n in names if n not in kept]
    out = frame.set_axis(names, axis=1)[kept].rename(columns=rename)
    return out, left_out


def _not_a_contract_column(fmt: SurveyFormat, key: str, known: dict[str, str]) -> InputProblem:
    match = difflib.get_close_matches(key.lower(), list(known), n=1, cutoff=0.75)
    hint = f"; did you mean '{known[match[0]]}'?" if match else ""
    return InputProblem(
        str(fmt.file),
        f"'{key}' is not a column of the survey contract{hint}",
        row=fmt.line("columns", key),
        column=key,
        expected="a contract column (municipality_code, unit, period, respondent_id, invited, "
        "data_origin, respondents) or an item id of the items file, mapped to the file's "
        "column",
        found=key,
    )
