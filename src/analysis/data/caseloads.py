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
raised together as one :class:`~analysis.errors.InputError`.
"""

from __future__ import annotations

import difflib
import math
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.data.parsing import (
    DecimalEvidence,
    ParseError,
    UnsavedFormula,
    ambiguous_decimal_text,
    check_office_file,
    decimal_evidence,
    decimal_mark,
    parse_number,
    parse_period,
    read_csv_text,
    read_xlsx_sheets,
    whole_number_mark,
)
from analysis.data.reference import load_municipalities, resolve_municipality
from analysis.data.treatment import normalise_treatment
from analysis.errors import InputError, InputProblem, ProblemCollector


@dataclass(frozen=True)
class Limit:
    """The largest plausible value of a column, and why, so a reader can check it. A
    value above it is an error (most often a unit or a reading error: 45 for 45 %, or a
    thousands separator read as a decimal mark, 212.200 as 212200), not an outlier."""

    maximum: float
    reason: str


@dataclass(frozen=True)
class OutcomeSpec:
    """Metadata of a standard outcome column.

    ``higher_is_better`` is None for transitions without a normative direction (an exit
    to fleksjob can be the right outcome for one citizen and the wrong one for another).
    ``limit`` is the plausibility limit (1 for every share).
    """

    name: str
    label_da: str
    label_en: str
    unit_da: str
    unit_en: str
    is_share: bool
    higher_is_better: bool | None
    limit: Limit


def _by_name(*specs: OutcomeSpec) -> Mapping[str, OutcomeSpec]:
    return MappingProxyType({spec.name: spec for spec in specs})


_PER_MONTH_DA, _PER_MONTH_EN = "andel af sagerne pr. måned", "share of cases per month"
_EXITS = Limit(1.0, "a share of the cases per month: at most every case leaves")

#: The outcomes the Copenhagen administration planned to measure, in report order.
STANDARD_OUTCOMES: Mapping[str, OutcomeSpec] = _by_name(
    OutcomeSpec(
        "exit_job_education",
        "Afgang til job, ordinære timer eller uddannelse",
        "Exits to job, ordinary hours or education",
        _PER_MONTH_DA, _PER_MONTH_EN, is_share=True, higher_is_better=True, limit=_EXITS,
    ),
    OutcomeSpec(
        "exit_fleksjob", "Afgang til fleksjob", "Exits to flexi-job (fleksjob)",
        _PER_MONTH_DA, _PER_MONTH_EN, is_share=True, higher_is_better=None, limit=_EXITS,
    ),
    OutcomeSpec(
        "exit_foertidspension", "Afgang til førtidspension",
        "Exits to disability pension (førtidspension)",
        _PER_MONTH_DA, _PER_MONTH_EN, is_share=True, higher_is_better=None, limit=_EXITS,
    ),
    OutcomeSpec(
        "exit_ressourceforloeb", "Afgang til ressourceforløb",
        "Exits to resource programme (ressourceforløb)",
        _PER_MONTH_DA, _PER_MONTH_EN, is_share=True, higher_is_better=None, limit=_EXITS,
    ),
    OutcomeSpec(
        "meetings_on_time", "Samtalerettidighed", "Meetings held on time",
        "andel af samtalerne", "share of meetings", is_share=True, higher_is_better=True,
        limit=Limit(1.0, "a share of the meetings due: at most all of them are on time"),
    ),
    OutcomeSpec(
        "company_placements", "Andel i virksomhedsrettede tilbud",
        "Share in company placements",
        "andel af borgerne", "share of citizens", is_share=True, higher_is_better=True,
        limit=Limit(1.0, "a share of the citizens: at most all of them are in a placement"),
    ),
    OutcomeSpec(
        "preparatory_plans", "Forberedende planer", "Preparatory plans",
        "pr. 100 sager pr. måned", "per 100 cases per month",
        is_share=False, higher_is_better=True,
        limit=Limit(100.0, "plans per 100 cases in a month: 100 is a new plan for every "
                    "case of the unit in that month"),
    ),
    OutcomeSpec(
        "staff_sick_days", "Sygefravær, medarbejdere", "Staff sick leave",
        "dage pr. årsværk pr. måned", "days per FTE per month",
        is_share=False, higher_is_better=False,
        limit=Limit(31.0, "sick days per FTE in a month: a month has at most 31 days"),
    ),
    OutcomeSpec(
        "staff_turnover", "Personaleomsætning", "Staff turnover",
        "andel pr. år (årsniveau)", "annualised share", is_share=True, higher_is_better=False,
        limit=Limit(1.0, "an annualised share of the staff: at most all of them leave in a year"),
    ),
)  # fmt: skip

#: The nine outcomes above: what a caseload panel itself reports (and the simulated panel
#: holds), before the survey outcomes join them.
CASELOAD_OUTCOMES: Mapping[str, OutcomeSpec] = STANDARD_OUTCOMES

_AGREE_DA, _AGREE_EN = "andel enige (svar 4–5)", "share agreeing (answers 4–5)"
_RESPONDENTS = Limit(1.0, "a share of the respondents: at most all of them agree")

#: Value goals of Copenhagen's 2018 action plan measured by experience surveys
#: (:mod:`analysis.data.surveys`): per unit-month, the share of the respondents agreeing
#: (4 or 5 on a 1–5 item, negatively worded items reversed) averaged over the goal's items.
SURVEY_OUTCOMES: Mapping[str, OutcomeSpec] = _by_name(
    OutcomeSpec(
        "citizen_goal_direction", "Borgere: mål og retning i forløbet",
        "Citizens: a goal and a direction in their course",
        _AGREE_DA, _AGREE_EN, is_share=True, higher_is_better=True, limit=_RESPONDENTS,
    ),
    OutcomeSpec(
        "citizen_recognition_respect", "Borgere: mødt med anerkendelse og respekt",
        "Citizens: met with recognition and respect",
        _AGREE_DA, _AGREE_EN, is_share=True, higher_is_better=True, limit=_RESPONDENTS,
    ),
    OutcomeSpec(
        "citizen_sees_way_out", "Borgere: sagsbehandleren ser udgangen på forløbet",
        "Citizens: the caseworker sees the way out of their course",
        _AGREE_DA, _AGREE_EN, is_share=True, higher_is_better=True, limit=_RESPONDENTS,
    ),
    OutcomeSpec(
        "staff_attractive_workplace", "Medarbejdere: en attraktiv arbejdsplads",
        "Staff: an attractive workplace",
        _AGREE_DA, _AGREE_EN, is_share=True, higher_is_better=True, limit=_RESPONDENTS,
    ),
    OutcomeSpec(
        "staff_wellbeing", "Medarbejdere: trivsel", "Staff: well-being",
        _AGREE_DA, _AGREE_EN, is_share=True, higher_is_better=True, limit=_RESPONDENTS,
    ),
)  # fmt: skip

#: The outcome catalogue: the caseload outcomes in their order, then the survey outcomes.
STANDARD_OUTCOMES = _by_name(*CASELOAD_OUTCOMES.values(), *SURVEY_OUTCOMES.values())

#: Active cases per caseworker FTE above this are an error, not a heavy workload.
CASELOAD_LIMIT = Limit(
    1000.0,
    "caseloads in Danish job centres are tens to a few hundred active cases per caseworker "
    "(Copenhagen's ordinary departments about 200 before 2018, its trial department 50); "
    "above 1,000 is a unit or reading error, such as a thousands separator read as a "
    "decimal mark (212.200 read as 212200) or cases not divided by caseworker FTE",
)

KEY_COLUMNS = ("municipality_code", "unit", "period")
REQUIRED_COLUMNS = (*KEY_COLUMNS, "caseload")
OPTIONAL_COLUMNS = (
    "cases",
    "caseworkers_fte",
    "treated",
    "trial_start",
    "benefit_group",
    "data_origin",
)
#: Relative tolerance of ``caseload`` against ``cases / caseworkers_fte``.
CASELOAD_TOLERANCE = 0.01

_KNOWN = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *STANDARD_OUTCOMES)
_TEXT_COLUMNS = ("unit", "benefit_group", "data_origin")
#: Number columns that count things, so hold whole numbers.
_WHOLE_NUMBERS = ("cases",)
_MONTH_COLUMNS = ("period", "trial_start")
_SUGGESTION_CUTOFF = 0.8
_DUPLICATE_COLUMN = "municipality_code, unit, period"

_ROWS_CSV = "rows are line numbers in the file (header = line 1)"
_ROWS_EXCEL = "rows are spreadsheet row numbers on sheet {sheet!r} (header = row 1)"
_ROWS_FRAME = (
    "rows are the 1-based row position + 1, i.e. counted as in a spreadsheet with the "
    "header as row 1 (the first data row is row 2)"
)


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


def caseload_schema(codes: Sequence[int] | None = None) -> pa.DataFrameSchema:
    """The pandera schema of a parsed caseload panel (values already typed).

    ``codes`` are the valid municipality codes (default: the reference table). Check
    ``error`` strings are keys that :func:`validate_caseload_panel` turns into messages.
    """
    valid = sorted(int(c) for c in (codes if codes is not None else _reference_codes()))
    columns: dict[str, pa.Column] = {
        "municipality_code": pa.Column(
            "Int64", pa.Check.isin(valid, error="municipality_known"), nullable=False
        ),
        "unit": pa.Column(nullable=False),
        "period": pa.Column(nullable=False),
        "caseload": pa.Column(
            "float64",
            [
                pa.Check.gt(0, error="caseload_positive"),
                pa.Check.le(CASELOAD_LIMIT.maximum, error="above_limit"),
            ],
        ),
        "cases": pa.Column(
            "float64", pa.Check.ge(0, error="non_negative"), nullable=True, required=False
        ),
        "caseworkers_fte": pa.Column(
            "float64", pa.Check.gt(0, error="fte_positive"), nullable=True, required=False
        ),
        "treated": pa.Column("float64", pa.Check.isin([0.0, 1.0], error="binary"), required=False),
        "trial_start": pa.Column(nullable=True, required=False),
    }
    for name, spec in STANDARD_OUTCOMES.items():
        checks = (
            [pa.Check.in_range(0, spec.limit.maximum, error="share_range")]
            if spec.is_share
            else [
                pa.Check.ge(0, error="non_negative"),
                pa.Check.le(spec.limit.maximum, error="above_limit"),
            ]
        )
        columns[name] = pa.Column("float64", checks, nullable=True, required=False)
    return pa.DataFrameSchema(
        columns,
        checks=[
            pa.Check(_caseload_matches_cases, error="caseload_matches_cases"),
            pa.Check(_trial_start_only_treated, error="trial_start_only_treated"),
            pa.Check(_trial_start_constant, error="trial_start_constant"),
        ],
        unique=list(KEY_COLUMNS),
        report_duplicates="all",
        strict=False,
    )


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
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        raw = _read_csv(path)
    elif suffix in {".xlsx", ".xlsm"}:
        raw = _read_excel(path)
    elif suffix in {".parquet", ".pq"}:
        raw = _read_parquet(path)
    else:
        raise InputError.single(
            path, "unsupported file type", expected=".csv, .xlsx or .parquet", found=suffix
        )
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
    frame = df.reset_index(drop=True).copy()
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    how = "say which: validate_caseload_panel(df, decimal='.') or decimal=','"
    stated = None if decimal is None else decimal_mark(decimal)
    return _validate(_Raw(frame, _ROWS_FRAME), source, stated, how)


DECIMAL_EXPECTED = "numbers that show their decimal mark, or the mark stated"
#: A panel's format file: ``caseloads_2025.csv`` -> ``caseloads_2025_format.yaml``.
FORMAT_FILE_SUFFIX = "_format.yaml"
FORMAT_FILE_MAX_BYTES = 64 * 1024
_FORMAT_EXPECTED = "the line 'decimal: point' or 'decimal: comma'"
_FORMAT_LINE = re.compile(r"""decimal\s*:\s*(["']?)([^"'#\s]+)\1\s*(?:#.*)?""")


def format_file_for(panel: Path | str) -> Path:
    """Where a panel's decimal mark is stated: the same name with ``_format.yaml``."""
    panel = Path(panel)
    return panel.with_name(f"{panel.stem}{FORMAT_FILE_SUFFIX}")


def read_format_file(path: Path | str) -> str:
    """The decimal mark (``"."`` or ``","``) a format file states.

    The file holds one line ``decimal: point`` or ``decimal: comma`` (``"."``, ``","``,
    ``punktum`` and ``komma`` too), optionally with ``#`` comments. It is read line by
    line, not as general YAML, so nothing in it is ever expanded or constructed.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > FORMAT_FILE_MAX_BYTES:
            raise InputError.single(
                path, f"is larger than {FORMAT_FILE_MAX_BYTES} bytes", expected=_FORMAT_EXPECTED
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.single(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(
            path, f"not UTF-8 text (byte {exc.start})", expected=_FORMAT_EXPECTED
        ) from None
    marks: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _FORMAT_LINE.fullmatch(stripped)
        try:
            marks.append((number, decimal_mark(match.group(2) if match else "")))
        except ValueError:
            raise InputError.single(
                path,
                "not a decimal-mark setting",
                row=number,
                expected=_FORMAT_EXPECTED,
                found=stripped[:80],
            ) from None
    if not marks:
        raise InputError.single(path, "states no decimal mark", expected=_FORMAT_EXPECTED)
    if len(marks) > 1:
        raise InputError.single(
            path,
            "states the decimal mark more than once",
            row=marks[1][0],
            expected=f"{_FORMAT_EXPECTED} once",
        )
    return marks[0][1]


@dataclass(frozen=True)
class _Raw:
    """Cells as read (index = the row number a person sees) and how to talk about rows.

    ``delimiter`` is the CSV field separator (None for other formats): a comma-separated
    file without commas inside its values cannot use decimal commas.
    """

    frame: pd.DataFrame
    row_note: str
    delimiter: str | None = None


def _read_csv(path: Path) -> _Raw:
    try:
        frame, info = read_csv_text(path, skip_blank_lines=False)
    except ParseError as exc:
        raise InputError.single(path, str(exc)) from None
    except pd.errors.EmptyDataError:
        raise InputError.single(path, "the file is empty", expected="a header line") from None
    except pd.errors.ParserError as exc:
        raise InputError.single(path, f"cannot read as CSV: {exc}") from None
    # Line numbers: header is line 1, so data row i (0-based) is line i + 2, as long as
    # blank lines are kept while reading (they are dropped only now).
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    # A trailing separator (common in Excel exports) gives an empty, unnamed column.
    unnamed_empty = [
        c
        for c in frame.columns
        if str(c).startswith("Unnamed: ") and frame[c].map(_is_missing).all()
    ]
    frame = frame.drop(columns=unnamed_empty)
    return _Raw(_drop_empty_rows(frame), _ROWS_CSV, info.delimiter)


def _read_excel(path: Path) -> _Raw:
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        check_office_file(path)
    except ParseError as exc:
        raise InputError.single(path, str(exc), expected="an .xlsx workbook") from None
    try:
        sheet = read_xlsx_sheets(path, first_only=True)[0]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError.single(path, f"cannot read as an Excel workbook: {exc}") from None
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError.single(path, f"cannot read as an Excel workbook: {exc}") from None
    rows, title = sheet.rows, sheet.title
    if not rows:
        raise InputError.single(path, "the first sheet is empty", expected="a header row")
    header = rows[0]
    width = max(len(r) for r in rows)
    names: list[str] = []
    for i in range(width):
        value = header[i] if i < len(header) else None
        names.append("" if value is None else str(value).strip())
    body = [r + [None] * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=range(width), index=range(2, len(body) + 2), dtype=object)
    keep = [i for i, name in enumerate(names) if name or frame[i].notna().any()]
    unnamed = [get_column_letter(i + 1) for i in keep if not names[i]]
    if unnamed:
        raise InputError(
            [
                InputProblem(
                    str(path),
                    "a column has values but no name",
                    row=1,
                    column=letter,
                    expected="a column name in the header row",
                )
                for letter in unnamed
            ]
        )
    frame = frame[keep]
    frame.columns = [names[i] for i in keep]
    return _Raw(_drop_empty_rows(frame), _ROWS_EXCEL.format(sheet=title))


def _read_parquet(path: Path) -> _Raw:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for corrupt files
        raise InputError.single(path, f"cannot read as Parquet: {exc}") from None
    frame = frame.reset_index(drop=True)
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return _Raw(frame, _ROWS_FRAME)


def _drop_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    empty = frame.apply(lambda col: col.map(_is_missing)).all(axis=1)
    return frame[~empty]


# --- validation -------------------------------------------------------------------------


def _validate(raw: _Raw, source: str, decimal: str | None, how: str) -> pd.DataFrame:
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
    schema_problems = [
        p for p in _run_schema(typed, source) if (p.row, p.column) not in failed_cells
    ]
    problems = ProblemCollector(source)
    problems.extend(
        sorted(
            column_problems + parse_problems + layout_problems + schema_problems,
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
            typed[name], found = _parse_municipalities(column, source)
        elif name in _TEXT_COLUMNS:
            typed[name], found = _parse_text(column), []
        elif name in _MONTH_COLUMNS:
            typed[name], found = _parse_months(column, name, source)
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


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


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
        if _is_missing(value):
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
        expected=_expected_text(column),
        found=str(value),
    )


def _parse_municipalities(column: pd.Series, source: str) -> tuple[pd.Series, list[InputProblem]]:
    """Codes as numbers or digit text; a municipality name is accepted too."""
    out: list[object] = []
    problems: list[InputProblem] = []
    resolved: dict[object, int | None] = {}
    for row, value in column.items():
        if _is_missing(value):
            out.append(pd.NA)
            continue
        key = (type(value), value)
        if key not in resolved:
            resolved[key] = _municipality_code(value)
        code = resolved[key]
        if code is None:
            problems.append(_unknown_municipality(source, int(row), value))
        out.append(pd.NA if code is None else code)
    return pd.Series(out, index=column.index, dtype="Int64"), problems


def _municipality_code(value: object) -> int | None:
    """An integer code (known or not: the schema checks membership), or the code of a
    recognised name; None if neither."""
    try:
        number = parse_number(value, ".")
    except ParseError:
        number = math.nan
    if math.isfinite(number) and float(number).is_integer() and abs(number) < 1e9:
        return int(number)  # (a 23-digit "code" would overflow the Int64 column)
    if isinstance(value, str):
        return resolve_municipality(value)
    return None


def _unknown_municipality(source: str, row: int, value: object) -> InputProblem:
    return InputProblem(
        source,
        "unknown municipality",
        row=row,
        column="municipality_code",
        expected=_expected_text("municipality_code"),
        found=str(value),
    )


def _parse_text(column: pd.Series) -> pd.Series:
    def clean(value: object) -> object:
        if _is_missing(value):
            return pd.NA
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return column.map(clean).astype(object)


def _parse_months(
    column: pd.Series, name: str, source: str
) -> tuple[pd.Series, list[InputProblem]]:
    if column.dtype == pd.PeriodDtype("M"):
        return column, []
    if pd.api.types.is_datetime64_any_dtype(column):
        naive = column.dt.tz_localize(None) if column.dt.tz is not None else column
        return naive.dt.to_period("M"), []
    out: list[object] = []
    problems: list[InputProblem] = []
    for row, value in column.items():
        month = pd.NaT if _is_missing(value) else _month_or_none(value)
        if month is None:
            problems.append(
                InputProblem(
                    source,
                    "not a month",
                    row=int(row),
                    column=name,
                    expected=_expected_text(name),
                    found=str(value),
                )
            )
            month = pd.NaT
        out.append(month)
    return pd.Series(pd.array(out, dtype="period[M]"), index=column.index), problems


def _month_or_none(value: object) -> pd.Period | None:
    if isinstance(value, pd.Period):
        return value if value.freqstr == "M" else None
    try:
        period = parse_period(value)
    except ParseError:
        return None
    return period if period.freqstr == "M" else None


# --- schema checks (whole-frame; missing values pass, other checks report them) -------


def _caseload_matches_cases(df: pd.DataFrame) -> pd.Series:
    if not {"cases", "caseworkers_fte"} <= set(df.columns):
        return pd.Series(True, index=df.index)
    ratio = df["cases"] / df["caseworkers_fte"].where(df["caseworkers_fte"] > 0)
    off = (df["caseload"] - ratio).abs() > CASELOAD_TOLERANCE * ratio.abs()
    return ~(off & ratio.notna() & df["caseload"].gt(0))


def _first_in_unit(df: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    """Per row: the value of ``column`` in the unit's first row (missing or not), and the
    number of that row."""
    group = df.groupby(["municipality_code", "unit"], dropna=False, sort=False).ngroup()
    first = pd.Series(np.arange(len(df))).groupby(group.to_numpy()).transform("min").to_numpy()
    values = pd.Series(df[column].to_numpy()[first], index=df.index)
    rows = pd.Series(df.index.to_numpy()[first], index=df.index)
    return values, rows


def _trial_start_only_treated(df: pd.DataFrame) -> pd.Series:
    """A start month only in units that are treated in some month (a ``treated`` that
    changes within a unit is the indicator layout, judged by :mod:`.treatment`)."""
    if "trial_start" not in df.columns or "treated" not in df.columns:
        return pd.Series(True, index=df.index)
    unit = [df["municipality_code"], df["unit"]]
    ever = df["treated"].eq(1.0).groupby(unit, dropna=False, sort=False).transform("any")
    return df["trial_start"].isna() | ever | df["treated"].isna()


def _trial_start_constant(df: pd.DataFrame) -> pd.Series:
    if "trial_start" not in df.columns:
        return pd.Series(True, index=df.index)
    first, _ = _first_in_unit(df, "trial_start")
    same = df["trial_start"].eq(first)
    return same | (df["trial_start"].isna() & first.isna())


# --- translating pandera failure cases --------------------------------------------------


def _run_schema(typed: pd.DataFrame, source: str) -> list[InputProblem]:
    try:
        caseload_schema().validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _translate(exc.failure_cases, typed, source)
    except pa.errors.SchemaError as exc:  # non-lazy failures (should not happen)
        return [InputProblem(source, f"the panel does not fit the data contract: {exc}")]
    return []


def _translate(cases: pd.DataFrame, typed: pd.DataFrame, source: str) -> list[InputProblem]:
    problems: list[InputProblem] = []
    for check, group in cases.groupby("check", sort=False):
        rows = [int(i) for i in pd.unique(group["index"].dropna())]
        builder = _TRANSLATORS.get(str(check))
        if builder is not None:
            problems += builder(typed, rows, source, group)
        elif rows:
            problems += _cell_problems(typed, rows, group, source, f"failed check {check}")
        else:
            problems.append(
                InputProblem(
                    source, f"column check failed: {check}", column=str(group["column"].iloc[0])
                )
            )
    return problems


def _cell_problems(
    typed: pd.DataFrame, rows: list[int], group: pd.DataFrame, source: str, message: str
) -> list[InputProblem]:
    out = []
    for row, column in group[["index", "column"]].drop_duplicates().itertuples(index=False):
        if pd.isna(row):
            continue
        value = typed.at[int(row), column]
        out.append(
            InputProblem(
                source,
                message,
                row=int(row),
                column=str(column),
                expected=_expected_text(str(column)),
                found=_show(value),
            )
        )
    return out


def _simple(message: str) -> Callable[..., list[InputProblem]]:
    def build(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
        return _cell_problems(typed, rows, group, source, message)

    return build


def _missing(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
    return _cell_problems(typed, rows, group, source, "missing value")


def _municipality_known(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
    return [_unknown_municipality(source, r, typed.at[r, "municipality_code"]) for r in rows]


def _duplicates(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
    subset = typed.loc[rows, list(KEY_COLUMNS)]
    out = []
    for (code, unit, period), block in subset.groupby(list(KEY_COLUMNS), sort=False):
        listed = sorted(int(r) for r in block.index)
        names = ", ".join(map(str, listed[:-1])) + f" and {listed[-1]}"
        out.append(
            InputProblem(
                source,
                f"duplicate unit-month: municipality {code}, unit {unit!r}, "
                f"{period} appears in rows {names}",
                row=listed[1],
                column=_DUPLICATE_COLUMN,
                expected="one row per municipality, unit and month",
                found=f"{len(listed)} rows",
            )
        )
    return out


def _caseload_vs_cases(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
    out = []
    for row in rows:
        cases, fte = typed.at[row, "cases"], typed.at[row, "caseworkers_fte"]
        out.append(
            InputProblem(
                source,
                "caseload does not equal cases / caseworkers_fte",
                row=row,
                column="caseload",
                expected=f"{cases:g} / {fte:g} = {cases / fte:.2f} "
                f"(within {CASELOAD_TOLERANCE:.0%})",
                found=_show(typed.at[row, "caseload"]),
            )
        )
    return out


def _above_limit(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
    out = []
    for row, column in group[["index", "column"]].drop_duplicates().itertuples(index=False):
        if pd.isna(row):
            continue
        limit = _limit_of(str(column))
        out.append(
            InputProblem(
                source,
                f"implausible value: above {limit.maximum:g}, the limit for {column} "
                f"({limit.reason})",
                row=int(row),
                column=str(column),
                expected=_expected_text(str(column)),
                found=_show(typed.at[int(row), column]),
            )
        )
    return out


def _limit_of(column: str) -> Limit:
    return CASELOAD_LIMIT if column == "caseload" else STANDARD_OUTCOMES[column].limit


def _unit_constant(column: str, message: str) -> Callable[..., list[InputProblem]]:
    def build(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
        first, first_row = _first_in_unit(typed, column)
        out = []
        for row in rows:
            unit = typed.at[row, "unit"]
            code = typed.at[row, "municipality_code"]
            out.append(
                InputProblem(
                    source,
                    f"{message} (unit {unit!r} in municipality {code})",
                    row=row,
                    column=column,
                    expected=f"{_show(first[row]) or 'empty'} as in row {int(first_row[row])}",
                    found=_show(typed.at[row, column]),
                )
            )
        return out

    return build


def _start_without_treatment(typed: pd.DataFrame, rows: list[int], source: str, group):
    return [
        InputProblem(
            source,
            "trial_start is set for a unit that is not treated",
            row=row,
            column="trial_start",
            expected="empty, because treated = 0",
            found=_show(typed.at[row, "trial_start"]),
        )
        for row in rows
    ]


_TRANSLATORS: Mapping[str, Callable[..., list[InputProblem]]] = MappingProxyType(
    {
        "not_nullable": _missing,
        "municipality_known": _municipality_known,
        "caseload_positive": _simple(
            "caseload must be greater than 0 (a caseload of 0 is an error, not a missing "
            "value; leave out months without a caseload)"
        ),
        "non_negative": _simple("negative value"),
        "fte_positive": _simple("caseworkers_fte must be greater than 0"),
        "binary": _simple("treated must be 0 or 1"),
        "share_range": _simple("share outside 0–1"),
        "above_limit": _above_limit,
        "multiple_fields_uniqueness": _duplicates,
        "caseload_matches_cases": _caseload_vs_cases,
        "trial_start_constant": _unit_constant(
            "trial_start", "trial_start must be the same in every month of a unit"
        ),
        "trial_start_only_treated": _start_without_treatment,
    }
)


def _expected_text(column: str) -> str:
    spec = STANDARD_OUTCOMES.get(column)
    if spec is not None and spec.is_share:
        return "a share between 0 and 1 (write 45 % as 0.45)"
    if spec is not None:
        return f"a number from 0 to {spec.limit.maximum:g} ({spec.unit_en})"
    return {
        "municipality_code": "one of the 98 municipality codes in the reference table "
        "(e.g. 101 for København)",
        "unit": "a unit name (department or team; 'all' for the whole job centre)",
        "period": "a month such as 2024-01, 2024M01 or 2024-01-01",
        "trial_start": "a month such as 2024-01, or empty for a unit without a trial",
        "caseload": f"a number > 0 and at most {CASELOAD_LIMIT.maximum:g} "
        "(active cases per caseworker FTE)",
        "cases": "a number >= 0",
        "caseworkers_fte": "a number > 0",
        "treated": "0 or 1",
    }.get(column, "a number")


def _show(value: object) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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


def _reference_codes() -> list[int]:
    return load_municipalities()["code"].astype(int).tolist()
