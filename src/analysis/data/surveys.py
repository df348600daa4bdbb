"""Data contract for citizen and staff experience surveys, and their readers.

Copenhagen's 2018 action plan (seed 003) wants value-based measurements beside the result
goals: that citizens experience a goal and a direction in their course, recognition and
respect, a caseworker who can see the way out; that staff find the workplace attractive
and thrive. A municipality measures them with surveys of Likert items whose text,
direction and goal are in ``data/raw/surveys/items.yaml``
(:mod:`analysis.data.survey_items`). A survey file (CSV or .xlsx) holds the items of one
survey (citizen or staff) in one of two layouts:

- **one row per respondent** (:mod:`analysis.data.survey_answers`):
  ``municipality_code``, ``unit``, ``period`` (the month the answers belong to, as in
  the caseload contract), one column per item (its id) with the answer, a whole number on
  the scale, empty for no answer; optional ``respondent_id`` and ``data_origin``, and
  ``invited`` (below);
- **one row per unit and month** (aggregated, recognised by a ``respondents`` column;
  :mod:`analysis.data.survey_aggregates`): ``municipality_code``, ``unit``, ``period``,
  ``respondents`` (persons who answered) and per item ``<id>_mean`` (mean answer) and
  ``<id>_agree`` (share agreeing, 0–1); for a negatively worded item ``<id>_disagree``
  (share disagreeing) instead of ``<id>_agree``. Means and shares may use a decimal
  comma or point (judged on every value, or stated).

Both layouts may give ``invited``: the persons invited to (or eligible for) the survey in
the unit-month, a whole number no smaller than the respondents (in a respondent file the
same number on every row of the unit-month). Without it response rates cannot be computed;
the column is optional, so files without it stay valid, and the table holds it as missing.

**The format file.** A file ``<name>_format.yaml`` beside the survey
(:mod:`analysis.data.survey_format`) states what the file cannot show: its answer scale
(default: the items file's 1–5), the codes for "don't know / not relevant", the decimal
mark, the worksheet, and, for an export as a survey tool writes it (SurveyXact,
Qualtrics, REDCap), which of its columns are the contract's. **Agreeing** is an answer
above the middle of the scale (1–4: 3–4; 1–5: 4–5; 1–7: 5–7; 0–10: 6–10); negatively
worded items are reversed on the scale (``low + high - x``) so that agreeing is always on
the goal's side. Don't-know answers are counted (``dont_know``) and kept out of answers,
means and shares. A respondent file whose scale is not stated and none of whose answers
reaches 5 is refused: it may be on a 1–4 scale.

Bad files (another scale, answers off the scale, missing or unknown items, text in an
item column, no unit or month, a mean that cannot go with its share) raise one
:class:`~analysis.errors.InputError` naming the file (and the sheet of a workbook), row
and column of every problem (rows as a person sees them: line numbers in CSV, spreadsheet
rows in Excel), the header's decisive problems (missing key columns, no item columns)
first. A mapped column is named as the file names it, with its contract name:
``s_2 (s_stay)``.

A file is turned into unit-month aggregates per item (:data:`TABLE_COLUMNS`): respondents,
answers, don't-know answers, mean score and share agreeing, with the scale the mean is
on. **Small counts:** these aggregates are kept whole for computation; wherever one is
shown or enters an analysis (:mod:`analysis.data.survey_summaries`), an aggregate of fewer
than :data:`analysis.paths.SMALL_COUNT_THRESHOLD` (5) respondents is left out and a count of
1–4 persons is shown as ``<5`` (:func:`analysis.privacy.suppress_small_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.data.contract_reader import (
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    RawTable,
    format_file_for,
    is_missing,
    read_table_file,
)
from analysis.data.parsing import decimal_mark
from analysis.data.survey_aggregates import CONSISTENCY_TOLERANCE, aggregated_table, file_decimal
from analysis.data.survey_answers import OTHER_SCALE_SHARE, respondent_table
from analysis.data.survey_columns import (
    INVITED,
    KEY_COLUMNS,
    LAYOUTS,
    OPTIONAL_COLUMNS,
    RESPONDENTS,
    TABLE_COLUMNS,
    check_columns,
    contract_columns,
    header_fit,
    origin,
    origin_text,
    parse_keys,
    relabel,
)
from analysis.data.survey_format import (
    AnswerScale,
    SurveyFormat,
    apply_format,
    read_survey_format,
)
from analysis.data.survey_items import SurveyItems, load_survey_items
from analysis.errors import InputError, InputProblem, ProblemCollector
from analysis.paths import ProjectPaths

__all__ = [
    "CONSISTENCY_TOLERANCE",
    "INVITED",
    "ITEMS_FILE",
    "KEY_COLUMNS",
    "LAYOUTS",
    "OPTIONAL_COLUMNS",
    "OTHER_SCALE_SHARE",
    "RESPONDENTS",
    "SURVEY_COMPANIONS",
    "SURVEY_SUFFIXES",
    "TABLE_COLUMNS",
    "AnswerScale",
    "SurveyFile",
    "SurveyFormat",
    "build_survey_table",
    "is_simulated_table",
    "read_survey_file",
    "survey_folder",
    "survey_inputs",
    "validate_survey_frame",
]

SURVEY_SUFFIXES = (".csv", ".xlsx")
ITEMS_FILE = "items.yaml"
#: what the survey folder may hold besides survey files and the items file
SURVEY_COMPANIONS = ("README*", "*_truth.yaml", "*_format.yaml")

_ROWS_FRAME = "rows are the 1-based row position + 1 (header = row 1)"


def survey_folder(paths: ProjectPaths) -> Path:
    """``data/raw/surveys``: survey files, ``items.yaml``, READMEs, truth and format files."""
    return paths.raw / "surveys"


@dataclass(frozen=True)
class SurveyFile:
    """A validated survey file: which survey, its layout, its unit-month aggregates per
    item (:data:`TABLE_COLUMNS`), whether it is simulated (``data_origin``), the answer
    scale read, the worksheet of a workbook, and notes on what was counted, skipped or
    left out (don't-know answers, rows without answers, columns not mapped)."""

    survey: str
    layout: str
    table: pd.DataFrame
    simulated: bool
    scale: AnswerScale = field(default_factory=AnswerScale)
    sheet: str | None = None
    notes: tuple[str, ...] = ()


# --- readers ------------------------------------------------------------------------------


def read_survey_file(
    path: Path | str, items: SurveyItems | Path | str, *, decimal: str | None = None
) -> SurveyFile:
    """Read and validate a survey file (CSV or .xlsx) against the items file.

    ``items`` is a :class:`SurveyItems` or the path of an items file. The format file
    beside the survey (``survey.csv`` -> ``survey_format.yaml``), if there is one, says
    what the file is (:mod:`analysis.data.survey_format`). ``decimal`` states the decimal
    mark of an aggregated file's means and shares (``"."`` or ``","``) and wins over the
    format file's; without either it is judged on every value. A workbook's sheet is the
    one the format file names, else the one whose header fits the contract.
    """
    path = Path(path)
    items = items if isinstance(items, SurveyItems) else load_survey_items(items)
    if not path.is_file():
        raise InputError.single(path, "file not found")
    sidecar = format_file_for(path)
    fmt = read_survey_format(sidecar) if sidecar.exists() else None
    fmt = fmt or SurveyFormat()
    if decimal is not None:
        decimal = decimal_mark(decimal)
    raw = read_table_file(
        path,
        suffixes=(*CSV_SUFFIXES, *EXCEL_SUFFIXES),
        sheet=fmt.sheet,
        header_fit=header_fit(items, list(fmt.columns.values())),
        sheet_named_in=str(sidecar),
    )
    how = (
        f"say which: put a file {sidecar.name} beside it holding the line 'decimal: point' "
        "or 'decimal: comma', or call read_survey_file(path, items, decimal='.')"
    )
    return _validate(raw, items, fmt, decimal or fmt.decimal, how, sidecar.name)


def validate_survey_frame(
    df: pd.DataFrame,
    items: SurveyItems,
    source: str = "<data frame>",
    *,
    decimal: str | None = None,
    survey_format: SurveyFormat | None = None,
) -> SurveyFile:
    """Validate a survey already in memory (rows named as position + 1, header = 1);
    ``survey_format`` says what a format file would (scale, don't-know codes, mapping)."""
    frame = df.reset_index(drop=True).copy()
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    frame.columns = [str(c).strip() for c in frame.columns]
    how = "say which: validate_survey_frame(df, items, decimal='.') or decimal=','"
    fmt = survey_format or SurveyFormat()
    stated = decimal_mark(decimal) if decimal is not None else fmt.decimal
    raw = RawTable(frame, _ROWS_FRAME, source=source)
    return _validate(raw, items, fmt, stated, how, fmt.name or "a format file")


def survey_inputs(paths: ProjectPaths) -> list[Path]:
    """The survey files in ``data/raw/surveys``, their format files, the items file and
    the reference table (empty without survey files). Any other file is an error naming
    it."""
    folder = survey_folder(paths)
    if not folder.is_dir():
        return []
    files: list[Path] = []
    unsupported: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix.lower() in SURVEY_SUFFIXES:
            files.append(path)
        elif path.name != ITEMS_FILE and not any(path.match(p) for p in SURVEY_COMPANIONS):
            unsupported.append(path)
    if unsupported:
        raise InputError(
            [
                InputProblem(
                    str(path),
                    "not a file the survey folder can hold",
                    expected=f"survey files as .csv or .xlsx; besides them only {ITEMS_FILE}, "
                    "README files, *_truth.yaml and *_format.yaml",
                    found=path.suffix or path.name,
                )
                for path in unsupported
            ],
            summary=f"{folder} holds {len(unsupported)} file(s) that are not survey files",
        )
    if not files:
        return []
    formats = sorted({format_file_for(p) for p in files if format_file_for(p).is_file()})
    return [*files, *formats, folder / ITEMS_FILE, paths.municipalities_csv]


def build_survey_table(paths: ProjectPaths, inputs: Sequence[Path]) -> pd.DataFrame:
    """Validate every survey file against the items file into one table (``source_file``
    first, then :data:`TABLE_COLUMNS`). Simulated and real surveys are never pooled, and
    a unit-month of a survey may come from one file only."""
    items = load_survey_items(survey_folder(paths) / ITEMS_FILE)
    read: list[tuple[Path, SurveyFile]] = []
    problems: list[InputProblem] = []
    for file in inputs:
        if file == paths.municipalities_csv or file.suffix.lower() not in SURVEY_SUFFIXES:
            continue  # the reference table, the items file and format files
        try:
            read.append((file, read_survey_file(file, items)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    simulated = sorted(f.name for f, s in read if s.simulated)
    real = sorted(f.name for f, s in read if not s.simulated)
    if simulated and real:
        raise InputError.single(
            ", ".join(simulated + real),
            f"{survey_folder(paths)} holds both simulated and real survey files; they would "
            f"be pooled in one analysis. Move the simulated files ({', '.join(simulated)}) "
            "out of that folder to analyse your own surveys (python -m analysis simulate "
            "can write them again)",
            column="data_origin",
            expected="only simulated or only real survey files",
        )
    tables = [s.table.assign(source_file=f.name) for f, s in read]
    combined = pd.concat(tables, ignore_index=True)
    keys = ["survey", *KEY_COLUMNS]
    months = combined.drop_duplicates(["source_file", *keys])
    twice = months[months.duplicated(keys, keep=False)]
    if not twice.empty:
        first = twice.iloc[0]
        raise InputError.single(
            ", ".join(sorted(twice["source_file"].unique())),
            f"the same unit-month of the {first['survey']} survey appears in more than one "
            "survey file",
            column="municipality_code, unit, period",
            expected="each unit-month of a survey in one file only",
            found=f"{first['municipality_code']} / {first['unit']} / {first['period']}",
        )
    combined = combined[["source_file", *TABLE_COLUMNS]]
    return combined.sort_values(["survey", *KEY_COLUMNS, "item"], kind="stable").reset_index(
        drop=True
    )


def is_simulated_table(table: pd.DataFrame) -> bool:
    """True if any row of a survey table is ``data_origin == "simulated"``."""
    if "data_origin" not in table.columns:
        return False
    return bool(table["data_origin"].astype("str").str.strip().str.lower().eq("simulated").any())


# --- validation ---------------------------------------------------------------------------


def _validate(
    raw: RawTable,
    items: SurveyItems,
    fmt: SurveyFormat,
    decimal: str | None,
    how: str,
    format_name: str,
) -> SurveyFile:
    source = raw.source
    mapped = apply_format(raw, fmt, contract_columns(items))
    labels = dict(mapped.labels)
    notes = list(mapped.notes)
    header = ProblemCollector(source)
    columns = check_columns(mapped.frame, items, header, format_name)
    missing = [c for c in KEY_COLUMNS if c not in columns.frame.columns]
    if columns.survey is None or missing:
        header.raise_if_any(_header_summary(source, missing, columns, raw.row_note))
    frame = columns.frame
    scale = fmt.scale or AnswerScale()
    if columns.layout == "respondents" and fmt.rows_without_answers == "leave_out":
        frame, left_out = _without_answers(frame, columns.items)
        if left_out:
            notes.append(f"{left_out} rows without any answer left out (invited, did not answer)")
    if frame.empty:
        raise InputError.single(source, "no data rows", expected="one row per respondent")
    if columns.layout == "aggregated" and fmt.dont_know:
        header.append(
            InputProblem(
                str(fmt.file),
                f"{format_name} declares don't-know codes, but the file is aggregated (it has "
                f"a '{RESPONDENTS}' column): its means and shares leave such answers out "
                "already",
                row=fmt.line("dont_know"),
                column="dont_know",
                expected="no dont_know for an aggregated file",
                found=fmt.codes_text,
            )
        )
    cells = ProblemCollector(source, group=True)
    keys = parse_keys(frame, source, cells)
    if columns.layout == "respondents":
        table, found = respondent_table(
            frame, keys, columns, items, fmt, scale, format_name, cells, header
        )
        notes += found
    else:
        if decimal is None:
            before = len(header)
            decimal = file_decimal(frame, columns, items, raw.delimiter, how, header)
            if len(header) > before:  # numbers read with a mark not told would only add noise
                header.raise_if_any(
                    f"{source}: the decimal mark of the means and shares is not clear; "
                    f"{raw.row_note}"
                )
        table = aggregated_table(frame, keys, columns, items, scale, format_name, decimal, cells)
    simulated = origin(frame, cells)
    problems = ProblemCollector(source, group=True)
    problems.extend(relabel(p, labels) for p in header.problems)
    ordered = sorted(cells.problems, key=lambda p: (p.row or 0, _order(frame.columns, p.column)))
    problems.extend(relabel(p, labels) for p in ordered)
    what = f"the {columns.survey} survey file"
    problems.raise_if_any(f"{source}: {len(problems)} problem(s) in {what}; {raw.row_note}")
    table["data_origin"] = "simulated" if simulated else origin_text(frame)
    return SurveyFile(
        columns.survey,
        columns.layout,
        table[list(TABLE_COLUMNS)],
        simulated,
        scale,
        raw.sheet,
        tuple(notes),
    )


def _header_summary(source: str, missing: list[str], columns, row_note: str) -> str:
    parts = []
    if missing:
        parts.append(f"missing {', '.join(missing)}")
    if not columns.items:
        parts.append("no item columns")
    what = "; ".join(parts) if parts else "items of both surveys"
    return f"{source}: the header does not fit the survey contract ({what}); {row_note}"


def _without_answers(frame: pd.DataFrame, items: list[str]) -> tuple[pd.DataFrame, int]:
    """The rows with at least one item cell filled, and how many had none."""
    given = frame[items].apply(lambda c: ~c.map(is_missing)).any(axis=1)
    return frame[given], int((~given).sum())


def _order(columns: pd.Index, column: str | None) -> int:
    return columns.get_loc(column) if column in columns else len(columns)
