"""Data contract for caseload panels that municipalities supply themselves.

No public statistics hold caseloads (active cases per caseworker) per job centre, so a
municipality exports them from its own case-management and HR systems. This module
defines what such an export must look like and reads it from CSV, Excel or Parquet.

One row per unit (department or team; ``all`` for the whole job centre) and month:

- required: ``municipality_code`` (one of the 98 codes), ``unit``, ``period`` (a month:
  ``2024-01``, ``2024M01`` or a date such as ``2024-01-01``), ``caseload`` (active cases
  per caseworker FTE, > 0);
- optional: ``cases`` (>= 0), ``caseworkers_fte`` (> 0), ``treated`` (0/1),
  ``trial_start`` (the month a treated unit started its lower caseload; empty for
  never-treated units), ``benefit_group``, ``data_origin`` (``simulated`` for simulated
  rows, e.g. ``municipal`` otherwise);
- any number of numeric outcome and covariate columns; the standard outcomes are listed
  in :data:`STANDARD_OUTCOMES` (shares must lie in [0, 1]).

The trial is coded in either of two layouts, judged unit by unit
(:mod:`analysis.data.treatment`): ``treated`` the same in every month of a unit plus
``trial_start`` (or ``trial_start`` alone: a unit with a start month is treated); or
``treated`` as the 0/1 indicator of difference-in-differences software (Stata
``xtdidregress``, ``did2s``, csdid), 0 before the trial and 1 from its first month on,
from which ``trial_start`` is derived. An indicator that switches off, switches on twice,
switches on right after missing months (unless ``trial_start`` says when) or disagrees
with a stated ``trial_start`` is an error. The panel returned always has the first
layout: ``treated`` constant per unit, ``trial_start`` its start month.

Values are parsed with the shared Danish-aware parsers, then checked with a pandera
schema. Every failure becomes an :class:`~analysis.errors.InputProblem` naming the file,
the row a person sees, the column, and what was expected; all problems of a file are
raised together as one :class:`~analysis.errors.InputError`. Files are read by the
shared contract reader (:mod:`analysis.data.contract_reader`), the schema and its
messages are in :mod:`analysis.data.caseload_checks`, the outcome catalogue in
:mod:`analysis.data.outcomes`.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path

import numpy as np
import pandas as pd

# The outcome catalogue and the shared contract reader, re-exported under their old names
# (``from analysis.data.caseloads import STANDARD_OUTCOMES`` keeps working).
from analysis.data.caseload_checks import (
    CASELOAD_LIMIT,
    CASELOAD_TOLERANCE,
    KEY_COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    caseload_schema,
    expected_text,
    schema_problems,
)
from analysis.data.contract_reader import (
    CSV_SUFFIXES,
    DECIMAL_EXPECTED,
    EXCEL_SUFFIXES,
    FORMAT_FILE_MAX_BYTES,
    FORMAT_FILE_SUFFIX,
    PARQUET_SUFFIXES,
    RawTable,
    format_file_for,
    frame_table,
    is_missing,
    parse_months,
    parse_municipalities,
    parse_text,
    read_format_file,
    read_table_file,
)
from analysis.data.outcomes import (
    CASELOAD_OUTCOMES,
    STANDARD_OUTCOMES,
    SURVEY_OUTCOMES,
    Limit,
    OutcomeSpec,
)
from analysis.data.parsing import (
    DecimalEvidence,
    ParseError,
    UnsavedFormula,
    ambiguous_decimal_text,
    decimal_evidence,
    decimal_mark,
    parse_number,
    whole_number_mark,
)
from analysis.data.treatment import normalise_treatment
from analysis.errors import InputError, InputProblem, ProblemCollector

__all__ = [
    "CASELOAD_LIMIT",
    "CASELOAD_OUTCOMES",
    "CASELOAD_TOLERANCE",
    "DECIMAL_EXPECTED",
    "FORMAT_FILE_MAX_BYTES",
    "FORMAT_FILE_SUFFIX",
    "KEY_COLUMNS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "STANDARD_OUTCOMES",
    "SURVEY_OUTCOMES",
    "Limit",
    "OutcomeSpec",
    "caseload_schema",
    "format_file_for",
    "is_simulated",
    "outcome_columns",
    "read_caseload_panel",
    "read_format_file",
    "validate_caseload_panel",
]

CASELOAD_SUFFIXES = (*CSV_SUFFIXES, *EXCEL_SUFFIXES, *PARQUET_SUFFIXES)
_KNOWN = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *STANDARD_OUTCOMES)
_TEXT_COLUMNS = ("unit", "benefit_group", "data_origin")
#: Number columns that count things, so hold whole numbers.
_WHOLE_NUMBERS = ("cases",)
_MONTH_COLUMNS = ("period", "trial_start")
_SUGGESTION_CUTOFF = 0.8


# --- public helpers ---------------------------------------------------------------------


def outcome_columns(df: pd.DataFrame) -> list[str]:
    """Outcome columns of a panel: the standard outcomes present (in contract order),
    then every other numeric column that is not part of the contract's fixed columns."""
    standard = [name for name in STANDARD_OUTCOMES if name in df.columns]
    fixed = {*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *standard}
    others = [
        c
        for c in df.columns
        if c not in fixed
        and pd.api.types.is_numeric_dtype(df[c])
        and not pd.api.types.is_bool_dtype(df[c])
    ]
    return standard + others


def is_simulated(df: pd.DataFrame) -> bool:
    """True if any row is marked ``data_origin == "simulated"`` (then the whole panel
    must carry the simulated-data label)."""
    if "data_origin" not in df.columns:
        return False
    return bool(df["data_origin"].astype("str").str.strip().str.lower().eq("simulated").any())


# --- readers ----------------------------------------------------------------------------


def read_caseload_panel(path: Path | str, *, decimal: str | None = None) -> pd.DataFrame:
    """Read and validate a caseload panel from CSV, Excel (.xlsx) or Parquet.

    CSV may use comma or semicolon, decimal comma or dot, and UTF-8 (with or without
    BOM) or Windows-1252. The decimal mark of numbers written as text is judged on every
    value of every number column; when all of them read both ways (``212.200``: 212.2 or
    212200) the file is refused until the mark is stated: ``decimal="."`` or ``","``
    here, or a format file beside the panel (:func:`format_file_for`: ``panel.csv`` ->
    ``panel_format.yaml`` holding ``decimal: point`` or ``decimal: comma``), which is how
    ``python -m analysis prepare`` and the notebooks' ``panel_path`` learn it. Returns the
    normalised panel (see :func:`validate_caseload_panel`); raises :class:`InputError`
    listing every problem.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError.single(path, "file not found")
    sidecar = format_file_for(path)
    if decimal is not None:
        decimal = decimal_mark(decimal)
    elif sidecar.exists():
        decimal = read_format_file(sidecar)
    raw = read_table_file(path, suffixes=CASELOAD_SUFFIXES)  # an Excel file: its first sheet
    how = (
        f"say which: put a file {sidecar.name} beside it holding the line 'decimal: point' "
        "or 'decimal: comma', or call read_caseload_panel(path, decimal='.') or decimal=','"
    )
    return _validate(raw, str(path), decimal, how)


def validate_caseload_panel(
    df: pd.DataFrame, source: str = "<data frame>", *, decimal: str | None = None
) -> pd.DataFrame:
    """Validate a caseload panel already in memory and return it normalised.

    The result has the contract columns first (then standard outcomes, then other
    columns), ``period``/``trial_start`` as ``Period[M]``, integer codes and 0/1
    ``treated``, floats elsewhere, sorted by municipality, unit and month. Problems name
    rows as the 1-based row position + 1 (header counted as row 1). ``decimal`` states
    the decimal mark of numbers held as text (see :func:`read_caseload_panel`).
    """
    how = "say which: validate_caseload_panel(df, decimal='.') or decimal=','"
    stated = None if decimal is None else decimal_mark(decimal)
    return _validate(frame_table(df, source), source, stated, how)


# --- validation -------------------------------------------------------------------------


def _validate(raw: RawTable, source: str, decimal: str | None, how: str) -> pd.DataFrame:
    frame, column_problems = _check_columns(raw.frame, source)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            column_problems,
            summary=f"{source}: missing required column(s) {', '.join(missing)}; the caseload "
            f"data contract requires {', '.join(REQUIRED_COLUMNS)}",
        )
    if frame.empty:
        raise InputError.single(source, "no data rows", expected="one row per unit and month")
    if decimal is None:
        decimal, ambiguous = _file_decimal(frame, source, raw.delimiter, how)
        if ambiguous:
            problems = column_problems + ambiguous
            raise InputError(
                problems,
                summary=f"{source}: {len(problems)} problem(s) in the caseload panel; "
                f"{raw.row_note}",
            )
    typed, parse_problems = _parse(frame, source, decimal)
    typed, layout_problems = normalise_treatment(typed, source)
    failed_cells = {(p.row, p.column) for p in parse_problems}
    checked = [p for p in schema_problems(typed, source) if (p.row, p.column) not in failed_cells]
    problems = ProblemCollector(source)
    problems.extend(
        sorted(
            column_problems + parse_problems + layout_problems + checked,
            key=lambda p: (p.row or 0, _column_order(frame.columns, p.column)),
        )
    )
    problems.raise_if_any(
        f"{source}: {len(problems)} problem(s) in the caseload panel; {raw.row_note}"
    )
    return _normalise(typed)


def _column_order(columns: pd.Index, column: str | None) -> int:
    return columns.get_loc(column) if column in columns else len(columns)


def _check_columns(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Rename known columns to their canonical spelling; report missing, doubled and
    misspelt ones (header problems are on row 1)."""
    known = {name.lower(): name for name in _KNOWN}
    renamed = [known.get(str(c).strip().lower(), str(c).strip()) for c in frame.columns]
    problems: list[InputProblem] = []
    for name in sorted({n for n in renamed if renamed.count(n) > 1}):
        problems.append(
            InputProblem(
                source,
                "the column appears more than once",
                row=1,
                column=name,
                expected="each column once",
                found=f"{renamed.count(name)} columns",
            )
        )
    frame = frame.set_axis(renamed, axis=1)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    absent = [n for n in _KNOWN if n not in frame.columns]
    suggested: dict[str, str] = {}
    for name in frame.columns:
        if name in _KNOWN:
            continue
        match = difflib.get_close_matches(name.lower(), absent, n=1, cutoff=_SUGGESTION_CUTOFF)
        if match and match[0] not in suggested.values():
            suggested[name] = match[0]
    required_text = ", ".join(REQUIRED_COLUMNS)
    for name, match in suggested.items():
        extra = " (a required column)" if match in REQUIRED_COLUMNS else ""
        problems.append(
            InputProblem(
                source,
                f"unknown column '{name}'; did you mean '{match}'{extra}?",
                row=1,
                column=name,
                expected=f"the column name '{match}'",
                found=name,
            )
        )
    for name in REQUIRED_COLUMNS:
        if name not in frame.columns and name not in suggested.values():
            problems.append(
                InputProblem(
                    source,
                    f"missing required column '{name}'",
                    row=1,
                    column=name,
                    expected=f"the required columns {required_text}",
                    found="columns " + ", ".join(map(str, frame.columns)),
                )
            )
    return frame, problems


def _parse(
    frame: pd.DataFrame, source: str, decimal: str
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Turn raw cells into typed columns; unparseable cells become problems and NA."""
    problems: list[InputProblem] = []
    typed: dict[str, pd.Series] = {}
    for name in frame.columns:
        column = frame[name]
        if name == "municipality_code":
            typed[name], found = parse_municipalities(column, source)
        elif name in _TEXT_COLUMNS:
            typed[name], found = parse_text(column), []
        elif name in _MONTH_COLUMNS:
            typed[name], found = parse_months(column, name, source, expected_text(name))
        else:
            typed[name], found = _parse_numbers(column, name, source, decimal)
        problems += found
    result = pd.DataFrame(typed, index=frame.index)
    if "trial_start" in result.columns and "treated" not in result.columns:
        # A start month implies a trial unit; derive the flag rather than reject the file.
        has_start = result.groupby(["municipality_code", "unit"], dropna=False)[
            "trial_start"
        ].transform(lambda s: s.notna().any())
        result["treated"] = has_start.astype("float64")
    return result, problems


def _number_columns(frame: pd.DataFrame) -> list[str]:
    skip = {*_TEXT_COLUMNS, *_MONTH_COLUMNS, "municipality_code"}
    return [c for c in frame.columns if c not in skip]


def _file_decimal(
    frame: pd.DataFrame, source: str, delimiter: str | None, how: str
) -> tuple[str, list[InputProblem]]:
    """One decimal mark for the whole file, judged on every text value of every number
    column (never a sample), and the problems when every value reads both ways.

    A comma-separated file none of whose numbers holds a comma uses decimal points (a
    decimal comma would have to be quoted in every cell); otherwise the numbers decide
    (see :func:`~analysis.data.parsing.decimal_evidence`). When only ambiguous values
    like ``212.200`` have a mark and they are all in ``cases`` (a count of cases, so a
    whole number: ``1.500`` cases are 1500), they are thousands separators. Otherwise each
    ambiguous column is a problem saying ``how`` to state the mark.
    """
    evidence = {
        c: decimal_evidence(frame[c])
        for c in _number_columns(frame)
        if not pd.api.types.is_numeric_dtype(frame[c])
    }
    total = sum(evidence.values(), DecimalEvidence())
    if delimiter == "," and not total.comma and not total.ambiguous_comma:
        return ".", []
    if total.mark is not None:
        return total.mark, []
    fractional = {c: e for c, e in evidence.items() if e.ambiguous and c not in _WHOLE_NUMBERS}
    counts = sum((e for c, e in evidence.items() if c in _WHOLE_NUMBERS), DecimalEvidence())
    if not fractional and whole_number_mark(counts) is not None:
        return whole_number_mark(counts), []
    return ",", [
        InputProblem(
            source,
            f"{ambiguous_decimal_text(found.example or '')}; {how}",
            row=int(found.example_at) if found.example_at is not None else None,
            column=column,
            expected=DECIMAL_EXPECTED,
            found=found.example,
        )
        for column, found in (fractional or evidence).items()
        if found.ambiguous
    ]


def _parse_numbers(
    column: pd.Series, name: str, source: str, decimal: str
) -> tuple[pd.Series, list[InputProblem]]:
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        values = column.astype("float64")
        bad = ~np.isfinite(values) & values.notna()
        return values.where(~bad), [
            _not_a_number(source, row, name, value) for row, value in column[bad].items()
        ]
    parsed: dict[object, float | None] = {}
    out = np.full(len(column), np.nan)
    failures: list[tuple[int, object]] = []
    for i, (row, value) in enumerate(column.items()):
        if is_missing(value):
            continue
        key = (type(value), value)
        if key not in parsed:
            parsed[key] = _number_or_none(value, decimal)
        number = parsed[key]
        if number is None:
            failures.append((row, value))
        else:
            out[i] = number
    values = pd.Series(out, index=column.index, dtype="float64")
    if failures and name not in _KNOWN and values.notna().sum() == 0:
        return values, [
            InputProblem(
                source,
                f"column '{name}' holds no numbers; extra columns must be "
                "numeric outcomes or covariates",
                row=1,
                column=name,
                expected="numbers",
                found=str(failures[0][1]),
            )
        ]
    return values, [_not_a_number(source, row, name, value) for row, value in failures]


def _number_or_none(value: object, decimal: str) -> float | None:
    if isinstance(value, bool):
        return float(value)
    try:
        number = parse_number(value, decimal)
    except ParseError:
        return None
    return number if math.isfinite(number) else None


def _not_a_number(source: str, row: int, column: str, value: object) -> InputProblem:
    return InputProblem(
        source,
        UnsavedFormula.MESSAGE if isinstance(value, UnsavedFormula) else "not a number",
        row=int(row),
        column=column,
        expected=expected_text(column),
        found=str(value),
    )


# --- normalising ------------------------------------------------------------------------


def _normalise(typed: pd.DataFrame) -> pd.DataFrame:
    fixed = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in typed.columns]
    standard = [c for c in STANDARD_OUTCOMES if c in typed.columns]
    others = [c for c in typed.columns if c not in fixed and c not in standard]
    out = typed[fixed + standard + others].copy()
    out["municipality_code"] = out["municipality_code"].astype("int64")
    for name in _TEXT_COLUMNS:
        if name in out.columns:
            out[name] = out[name].astype("str")
    if "treated" in out.columns:
        out["treated"] = out["treated"].astype("int64")
    for name in _MONTH_COLUMNS:
        if name in out.columns:
            out[name] = out[name].astype("period[M]")
    out = out.sort_values(list(KEY_COLUMNS), kind="stable")
    return out.reset_index(drop=True)
