"""Data contract for citizen and staff experience surveys, and their readers.

Copenhagen's 2018 action plan (seed 003) wants value-based measurements beside the result
goals: that citizens experience a goal and a direction in their course, recognition and
respect, a caseworker who can see the way out; that staff find the workplace attractive
and thrive. A municipality measures them with surveys of 1–5 Likert items whose text,
scale, direction and goal are in ``data/raw/surveys/items.yaml``
(:mod:`analysis.data.survey_items`). A survey file (CSV or .xlsx, first sheet) holds the
items of one survey (citizen or staff) in one of two layouts:

- **one row per respondent**: ``municipality_code``, ``unit``, ``period`` (the month the
  answers belong to, as in the caseload contract), one column per item (its id) with the
  answer, a whole number 1–5, empty for no answer; optional ``respondent_id`` and
  ``data_origin``, and ``invited`` (below);
- **one row per unit and month** (aggregated, recognised by a ``respondents`` column):
  ``municipality_code``, ``unit``, ``period``, ``respondents`` (persons who answered) and
  per item ``<id>_mean`` (mean answer, 1–5) and ``<id>_agree`` (share answering 4 or 5,
  0–1); for a negatively worded item ``<id>_disagree`` (share answering 1 or 2) instead of
  ``<id>_agree``. Means and shares may use a decimal comma or point (judged on every
  value; a ``<name>_format.yaml`` beside the file states it when every value reads both
  ways, as for caseload panels).

Both layouts may give ``invited``: the persons invited to (or eligible for) the survey in
the unit-month, a whole number no smaller than the respondents (in a respondent file the
same number on every row of the unit-month). Without it response rates cannot be computed;
the column is optional, so files without it stay valid, and the table holds it as missing.

Every item of the survey must have its column(s) (leave a column empty where an item was
not asked). Bad files — another scale (0–10, 1–7), answers outside 1–5, missing or unknown
items, text in an item column, no unit or month, a mean that cannot go with its share —
raise one :class:`~analysis.errors.InputError` naming the file, row and column of every
problem (rows as a person sees them: line numbers in CSV, spreadsheet rows in Excel).

A file is turned into unit-month aggregates per item (:data:`TABLE_COLUMNS`): respondents,
answers, mean score and share agreeing, after reversing negatively worded items (1↔5,
2↔4) so that agreeing is always on the goal's side. **Small counts:** these aggregates are
kept whole for computation; wherever one is shown or enters an analysis
(:mod:`analysis.data.survey_summaries`), an aggregate of fewer than
:data:`analysis.paths.SMALL_COUNT_THRESHOLD` (5) respondents is left out and a count of 1–4
persons is shown as ``<5`` (:func:`analysis.privacy.suppress_small_counts`).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.data.contract_reader import (
    RawTable as _Raw,
)
from analysis.data.contract_reader import (
    format_file_for,
    read_format_file,
)
from analysis.data.contract_reader import (
    is_missing as _is_missing,
)
from analysis.data.contract_reader import (
    parse_months as _parse_months,
)
from analysis.data.contract_reader import (
    parse_municipalities as _parse_municipalities,
)
from analysis.data.contract_reader import (
    parse_text as _parse_text,
)
from analysis.data.contract_reader import (
    read_csv as _read_csv,
)
from analysis.data.contract_reader import (
    read_excel as _read_excel,
)
from analysis.data.parsing import (
    MISSING_TOKENS,
    DecimalEvidence,
    ParseError,
    ambiguous_decimal_text,
    decimal_evidence,
    decimal_mark,
    parse_number,
)
from analysis.data.reference import load_municipalities
from analysis.data.survey_items import AGREE, SURVEYS, SurveyItems, load_survey_items
from analysis.errors import InputError, InputProblem, ProblemCollector
from analysis.paths import ProjectPaths

KEY_COLUMNS = ("municipality_code", "unit", "period")
RESPONDENTS = "respondents"
#: persons invited to (or eligible for) the survey in a unit-month (optional)
INVITED = "invited"
OPTIONAL_COLUMNS = ("respondent_id", "data_origin", INVITED)
LAYOUTS = ("respondents", "aggregated")
SURVEY_SUFFIXES = (".csv", ".xlsx")
ITEMS_FILE = "items.yaml"
#: what the survey folder may hold besides survey files and the items file
SURVEY_COMPANIONS = ("README*", "*_truth.yaml", "*_format.yaml")
#: the unit-month aggregates per item of a survey file (one row per unit, month and item)
TABLE_COLUMNS = (
    "survey",
    "municipality_code",
    "unit",
    "period",
    "item",
    "goal",
    "respondents",
    "invited",
    "answers",
    "mean_score",
    "share_agree",
    "data_origin",
)
#: share of an item column's answers outside 1–5 (and at least two of them) from which the
#: file used another scale (below it, they are stray values, each reported where it is)
OTHER_SCALE_SHARE = 0.05
#: tolerance of the check that a mean and a share agreeing can go together (rounding)
CONSISTENCY_TOLERANCE = 0.02

_ROWS_FRAME = "rows are the 1-based row position + 1 (header = row 1)"
_SUGGESTION_CUTOFF = 0.75


def survey_folder(paths: ProjectPaths) -> Path:
    """``data/raw/surveys``: survey files, ``items.yaml``, READMEs, truth and format files."""
    return paths.raw / "surveys"


@dataclass(frozen=True)
class SurveyFile:
    """A validated survey file: which survey, its layout, its unit-month aggregates per
    item (:data:`TABLE_COLUMNS`) and whether it is simulated (``data_origin``)."""

    survey: str
    layout: str
    table: pd.DataFrame
    simulated: bool


# --- readers ------------------------------------------------------------------------------


def read_survey_file(
    path: Path | str, items: SurveyItems | Path | str, *, decimal: str | None = None
) -> SurveyFile:
    """Read and validate a survey file (CSV or .xlsx) against the items file.

    ``items`` is a :class:`SurveyItems` or the path of an items file. ``decimal`` states
    the decimal mark of an aggregated file's means and shares (``"."`` or ``","``); by
    default it is read from a format file beside the survey (``survey_format.yaml``
    holding ``decimal: point`` or ``decimal: comma``) or judged on every value.
    """
    path = Path(path)
    items = items if isinstance(items, SurveyItems) else load_survey_items(items)
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
    else:
        raise InputError.single(
            path, "unsupported file type", expected=".csv or .xlsx", found=suffix
        )
    how = (
        f"say which: put a file {sidecar.name} beside it holding the line 'decimal: point' "
        "or 'decimal: comma', or call read_survey_file(path, items, decimal='.')"
    )
    return _validate(raw, str(path), items, decimal, how)


def validate_survey_frame(
    df: pd.DataFrame,
    items: SurveyItems,
    source: str = "<data frame>",
    *,
    decimal: str | None = None,
) -> SurveyFile:
    """Validate a survey already in memory (rows named as position + 1, header = 1)."""
    frame = df.reset_index(drop=True).copy()
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    frame.columns = [str(c).strip() for c in frame.columns]
    how = "say which: validate_survey_frame(df, items, decimal='.') or decimal=','"
    stated = None if decimal is None else decimal_mark(decimal)
    return _validate(_Raw(frame, _ROWS_FRAME, source=source), source, items, stated, how)


# --- the folder and the processed table ---------------------------------------------------


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


@dataclass(frozen=True)
class _Columns:
    """What the header says: the layout, the survey, the item columns found."""

    layout: str
    survey: str | None
    items: list[str]  # item ids with (all or some of) their columns
    frame: pd.DataFrame  # columns renamed to their canonical spelling


def _validate(
    raw: _Raw, source: str, items: SurveyItems, decimal: str | None, how: str
) -> SurveyFile:
    header = ProblemCollector(source)
    columns = _check_columns(raw.frame, source, items, header)
    if columns.survey is None or any(c not in columns.frame.columns for c in KEY_COLUMNS):
        header.raise_if_any(f"{source}: the header does not fit the survey contract")
    frame = columns.frame
    if frame.empty:
        raise InputError.single(source, "no data rows", expected="one row per respondent")
    cells = ProblemCollector(source, group=True)
    keys = _parse_keys(frame, source, cells)
    if columns.layout == "respondents":
        table = _respondent_table(frame, keys, columns, items, source, cells)
    else:
        if decimal is None:
            before = len(header)
            decimal = _file_decimal(frame, columns, items, source, raw.delimiter, how, header)
            if len(header) > before:  # numbers read with a mark not told would only add noise
                header.raise_if_any(
                    f"{source}: the decimal mark of the means and shares is not clear; "
                    f"{raw.row_note}"
                )
        table = _aggregated_table(frame, keys, columns, items, source, decimal, cells)
    simulated = _origin(frame, source, cells)
    problems = ProblemCollector(source, group=True)
    problems.extend(header.problems)
    problems.extend(
        sorted(cells.problems, key=lambda p: (p.row or 0, _order(frame.columns, p.column)))
    )
    what = f"the {columns.survey} survey file" if columns.survey else "the survey file"
    problems.raise_if_any(f"{source}: {len(problems)} problem(s) in {what}; {raw.row_note}")
    table["data_origin"] = "simulated" if simulated else _origin_text(frame)
    return SurveyFile(columns.survey, columns.layout, table[list(TABLE_COLUMNS)], simulated)


def _order(columns: pd.Index, column: str | None) -> int:
    return columns.get_loc(column) if column in columns else len(columns)


def _item_columns(item: str, items: SurveyItems) -> tuple[str, str]:
    """The two columns of an item in an aggregated file: mean and share."""
    share = "_disagree" if items.items[item].reversed else "_agree"
    return f"{item}_mean", f"{item}{share}"


def _check_columns(
    frame: pd.DataFrame, source: str, items: SurveyItems, problems: ProblemCollector
) -> _Columns:
    fixed = (*KEY_COLUMNS, RESPONDENTS, *OPTIONAL_COLUMNS)
    aggregated_names = {
        column: item for item in items.items for column in _item_columns(item, items)
    }
    known = {name.lower(): name for name in (*fixed, *items.items, *aggregated_names)}
    renamed = [known.get(str(c).strip().lower(), str(c).strip()) for c in frame.columns]
    for name in sorted({n for n in renamed if renamed.count(n) > 1}):
        problems.add(
            "the column appears more than once",
            row=1,
            column=name,
            expected="each column once",
            found=f"{renamed.count(name)} columns",
        )
    frame = frame.set_axis(renamed, axis=1)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    layout = "aggregated" if RESPONDENTS in frame.columns else "respondents"
    found: dict[str, None] = {}
    for name in frame.columns:
        if name in fixed:
            continue
        if layout == "respondents" and name in items.items:
            found.setdefault(name, None)
        elif layout == "aggregated" and name in aggregated_names:
            found.setdefault(aggregated_names[name], None)
        else:
            _unknown_column(name, layout, items, aggregated_names, known, problems)
    surveys = sorted({items.items[i].who for i in found}, key=SURVEYS.index)
    survey = surveys[0] if len(surveys) == 1 else None
    if not found:
        problems.add(
            "no item columns: the columns of a survey file are the item ids of the items file",
            row=1,
            expected=f"item columns such as {', '.join(list(items.items)[:4])}",
            found="columns " + ", ".join(map(str, frame.columns)),
        )
    elif survey is None:
        problems.add(
            "items of both surveys in one file: a survey file holds the citizen survey or "
            "the staff survey",
            row=1,
            expected="the items of one survey",
            found=", ".join(f"{i} ({items.items[i].who})" for i in found),
        )
    missing_keys = [c for c in KEY_COLUMNS if c not in frame.columns]
    for name in missing_keys:
        problems.add(
            f"missing column '{name}': every row must say which municipality, unit and "
            "month its answers belong to",
            row=1,
            column=name,
            expected=f"the columns {', '.join(KEY_COLUMNS)}",
            found="columns " + ", ".join(map(str, frame.columns)),
        )
    if survey is not None:
        _missing_items(frame, layout, survey, items, problems)
    return _Columns(layout, survey, list(found), frame)


def _unknown_column(
    name: str,
    layout: str,
    items: SurveyItems,
    aggregated_names: dict[str, str],
    known: dict[str, str],
    problems: ProblemCollector,
) -> None:
    if layout == "respondents" and name in aggregated_names:
        message = (
            f"column '{name}' belongs to an aggregated file (one row per unit and month), "
            f"which has a '{RESPONDENTS}' column; this file has none, so its rows are "
            "respondents"
        )
        expected = f"the item ids ({', '.join(items.items)}) or a '{RESPONDENTS}' column"
    elif layout == "aggregated" and name in items.items:
        mean, share = _item_columns(name, items)
        message = (
            f"column '{name}' holds single answers, but the file has a '{RESPONDENTS}' "
            f"column, so its rows are unit-months: give {mean} and {share}"
        )
        expected = f"{mean} and {share}"
    elif _wrong_side(name, items) is not None:
        base, right = _wrong_side(name, items)
        if items.items[base].reversed:
            side = "negatively worded (direction: negative), so agreeing means the goal is not met"
            share = "the share answering 1 or 2"
        else:
            side = "positively worded (direction: positive)"
            share = "the share answering 4 or 5"
        message = f"item '{base}' is {side} in the items file: give {right}, {share}, instead"
        expected = right
    else:
        choices = [*KEY_COLUMNS, *OPTIONAL_COLUMNS]
        choices += list(aggregated_names) if layout == "aggregated" else list(items.items)
        match = difflib.get_close_matches(name.lower(), choices, n=1, cutoff=_SUGGESTION_CUTOFF)
        hint = f"; did you mean '{match[0]}'?" if match else ""
        message = f"unknown column '{name}': not an item of the items file{hint}"
        expected = (
            f"the contract's columns ({', '.join((*KEY_COLUMNS, *OPTIONAL_COLUMNS))}) and "
            f"item columns ({', '.join(items.items)})"
        )
    problems.add(message, row=1, column=name, expected=expected, found=name)


def _wrong_side(name: str, items: SurveyItems) -> tuple[str, str] | None:
    """(item, the share column it needs) when ``name`` is the share column of the other
    side (``x_agree`` for a negatively worded item, ``x_disagree`` for a positive one)."""
    for suffix in ("_agree", "_disagree"):
        base = name[: -len(suffix)] if name.lower().endswith(suffix) else None
        if base in items.items:
            right = _item_columns(base, items)[1]
            return (base, right) if right != name else None
    return None


def _missing_items(
    frame: pd.DataFrame, layout: str, survey: str, items: SurveyItems, problems: ProblemCollector
) -> None:
    wanted = items.of(survey)
    names = ", ".join(item.id for item in wanted)
    for item in wanted:
        columns = [item.id] if layout == "respondents" else list(_item_columns(item.id, items))
        for column in columns:
            if column not in frame.columns:
                problems.add(
                    f"missing item column '{column}': every item of the {survey} survey in "
                    "the items file needs its column (leave it empty where the item was not "
                    "asked)",
                    row=1,
                    column=column,
                    expected=f"columns for every {survey} item: {names}",
                    found="columns " + ", ".join(map(str, frame.columns)),
                )


def _parse_keys(frame: pd.DataFrame, source: str, problems: ProblemCollector) -> pd.DataFrame:
    codes, found = _parse_municipalities(frame["municipality_code"], source)
    problems.extend(found)
    valid = set(load_municipalities()["code"].astype(int))
    for row, code in codes.items():
        if pd.notna(code) and int(code) not in valid:
            problems.add(
                "unknown municipality",
                row=int(row),
                column="municipality_code",
                expected="one of the 98 municipality codes in the reference table "
                "(e.g. 101 for København)",
                found=int(code),
            )
    units = _parse_text(frame["unit"])
    months, found = _parse_months(frame["period"], "period", source)
    problems.extend(found)
    keys = pd.DataFrame(
        {"municipality_code": codes, "unit": units, "period": months}, index=frame.index
    )
    for name in KEY_COLUMNS:
        for row in keys.index[keys[name].isna() & frame[name].map(_is_missing)]:
            problems.add(
                "missing value",
                row=int(row),
                column=name,
                expected="the municipality, unit and month of every row",
            )
    return keys


def _origin(frame: pd.DataFrame, source: str, problems: ProblemCollector) -> bool:
    if "data_origin" not in frame.columns:
        return False
    origin = _parse_text(frame["data_origin"]).astype("string").str.strip().str.lower()
    values = origin.dropna().unique()
    if len(values) > 1:
        first = origin.dropna().iloc[0]
        for row in origin.index[origin.notna() & origin.ne(first)]:
            problems.add(
                "data_origin differs within the file",
                row=int(row),
                column="data_origin",
                expected=f"the same origin in every row ('{first}' as in the first row)",
                found=origin[row],
            )
    return bool(origin.eq("simulated").any())


def _origin_text(frame: pd.DataFrame) -> object:
    if "data_origin" not in frame.columns:
        return None
    values = _parse_text(frame["data_origin"]).dropna()
    return str(values.iloc[0]) if len(values) else None


# --- one row per respondent ---------------------------------------------------------------


def _answer_expected(items: SurveyItems, item: str) -> str:
    return f"a whole number 1–5 ({items.scale_of(item).describe('en')}) or empty for no answer"


def _labels(items: SurveyItems, item: str) -> dict[str, int]:
    scale = items.scale_of(item)
    return {text.strip().lower(): point for point, pair in scale.labels.items() for text in pair}


def _answers(
    column: pd.Series, item: str, items: SurveyItems, source: str, problems: ProblemCollector
) -> pd.Series:
    """Answers 1–5 as floats (NaN: no answer); every other value is a problem."""
    expected = _answer_expected(items, item)
    labels = _labels(items, item)
    out = pd.Series(np.nan, index=column.index, dtype="float64")
    numbers: list[float] = []
    for row, value in column.items():
        if _is_missing(value):  # only an empty cell is no answer ("x", "-" are not)
            continue
        try:
            number = parse_number(value, ".") if not isinstance(value, bool) else math.nan
        except ParseError:
            number = math.nan
        if not math.isfinite(number):
            text = str(value).strip()
            point = labels.get(text.lower())
            if point is not None:
                problems.add(
                    "an answer written as its label; write its number",
                    row=int(row),
                    column=item,
                    expected=f"{point}, the number of '{text}' on the item's scale",
                    found=text,
                )
            else:
                problems.add(
                    "not a number", row=int(row), column=item, expected=expected, found=text
                )
            continue
        if not float(number).is_integer():
            problems.add(
                "not a whole number: an answer is one point of the scale (a mean belongs in "
                f"an aggregated file, with a '{RESPONDENTS}' column)",
                row=int(row),
                column=item,
                expected=expected,
                found=f"{number:g}",
            )
            continue
        numbers.append(number)
        if number not in (1, 2, 3, 4, 5):
            problems.add(
                "answer outside the 1–5 scale",
                row=int(row),
                column=item,
                expected=expected,
                found=f"{number:g}",
            )
            continue
        out[row] = number
    _other_scale(numbers, item, expected, "answers", problems)
    return out


def _other_scale(
    values: list[float], column: str, expected: str, what: str, problems: ProblemCollector
) -> None:
    """One problem for the column when many of its values lie outside 1–5: the survey
    used another scale (or a code for "don't know"), said in words."""
    if not values:
        return
    array = np.asarray(values, dtype=float)
    outside = (array < 1) | (array > 5)
    if outside.sum() < 2 or outside.mean() < OTHER_SCALE_SHARE:
        return  # stray values: each is reported where it is
    low, high = float(array.min()), float(array.max())
    codes = set(array[outside])
    if len(codes) == 1 and min(codes) >= 8 and float(min(codes)).is_integer():
        problems.add(
            f"{outside.sum()} of the {what} in column '{column}' are {min(codes):g}, which "
            "looks like a code for 'don't know' or 'not answered': leave such answers empty",
            column=column,
            expected=expected,
            found=f"{min(codes):g}",
        )
        return
    if low < 1 and high <= 5:
        scale = f"0–{math.ceil(high)}"
    elif low >= 1 and high <= 7:
        scale = "1–7"
    elif low >= 0 and high <= 10:
        scale = "0–10" if low < 1 else "1–10 (or 0–10)"
    else:
        scale = f"{low:g}–{high:g}"
    problems.add(
        f"the {what} in column '{column}' run from {low:g} to {high:g}: the survey used a "
        f"{scale} scale, not the 1–5 scale of this item in the items file; the contract "
        "reads 1–5 Likert items only, so recode the answers to 1–5 with a documented rule "
        "or leave the item out",
        column=column,
        expected=expected,
        found=f"{low:g}–{high:g}",
    )


def _respondent_table(
    frame: pd.DataFrame,
    keys: pd.DataFrame,
    columns: _Columns,
    items: SurveyItems,
    source: str,
    problems: ProblemCollector,
) -> pd.DataFrame:
    answers = pd.DataFrame(
        {item: _answers(frame[item], item, items, source, problems) for item in columns.items},
        index=frame.index,
    )
    given = frame[columns.items].apply(lambda c: ~c.map(_is_missing))
    for row in frame.index[~given.any(axis=1)]:
        problems.add(
            "a respondent without any answer",
            row=int(row),
            column=", ".join(columns.items),
            expected="at least one answer 1–5 (leave out respondents who answered nothing)",
        )
    if "respondent_id" in frame.columns:
        ids = _parse_text(frame["respondent_id"])
        seen: dict[str, int] = {}
        for row, value in ids.dropna().items():
            if value in seen:
                problems.add(
                    f"respondent_id given twice (first in row {seen[value]})",
                    row=int(row),
                    column="respondent_id",
                    expected="one row per respondent",
                    found=value,
                )
            else:
                seen[value] = int(row)
    for item in columns.items:
        if items.items[item].reversed:
            answers[item] = 6 - answers[item]
    data = pd.concat([keys, answers], axis=1).dropna(subset=list(KEY_COLUMNS))
    data = data[data[columns.items].notna().any(axis=1)]
    group = data.groupby(list(KEY_COLUMNS), sort=True, observed=True)
    respondents = group.size()
    invited = _respondent_invited(frame, keys, respondents, problems)
    parts = []
    for item in columns.items:
        values = group[item]
        agree = data[item].isin(AGREE).astype(float).where(data[item].notna())
        parts.append(
            pd.DataFrame(
                {
                    "item": item,
                    "respondents": respondents,
                    "invited": invited.reindex(respondents.index),
                    "answers": values.count(),
                    "mean_score": values.mean(),
                    "share_agree": agree.groupby([data[k] for k in KEY_COLUMNS]).mean(),
                }
            )
        )
    return _finish(parts, columns.survey, items)


def _invited_numbers(column: pd.Series, decimal: str, problems: ProblemCollector) -> pd.Series:
    """The ``invited`` column as whole numbers >= 0 (NaN where empty)."""
    expected = "a whole number of persons invited (or eligible) >= the respondents"
    values = _numbers(column, INVITED, decimal, expected, problems)
    for row, value in values.dropna().items():
        if value < 0 or not float(value).is_integer():
            problems.add(
                f"{INVITED} must be a whole number >= 0",
                row=int(row),
                column=INVITED,
                expected=expected,
                found=f"{value:g}",
            )
            values[row] = np.nan
    return values


def _respondent_invited(
    frame: pd.DataFrame,
    keys: pd.DataFrame,
    respondents: pd.Series,
    problems: ProblemCollector,
) -> pd.Series:
    """Invited per unit-month of a respondent file: the same number on every row of the
    unit-month, no smaller than its respondents (NaN without the column)."""
    if INVITED not in frame.columns:
        return pd.Series(np.nan, index=respondents.index, dtype="float64")
    values = _invited_numbers(frame[INVITED], ".", problems)
    given = keys.assign(
        _invited=values, _empty=frame[INVITED].map(_is_missing), _row=frame.index.astype(int)
    ).dropna(subset=list(KEY_COLUMNS))
    per_month = given.groupby(list(KEY_COLUMNS), sort=True, observed=True).agg(
        numbers=("_invited", "nunique"),
        value=("_invited", "first"),
        empty=("_empty", "any"),
        low=("_invited", "min"),
        high=("_invited", "max"),
        row=("_row", "min"),
    )
    mixed = (per_month["numbers"] > 1) | ((per_month["numbers"] == 1) & per_month["empty"])
    for key, block in per_month[mixed].iterrows():
        if block["numbers"] > 1:
            found = f"{block['low']:g} to {block['high']:g}"
        else:
            found = f"{block['value']:g} and empty cells"
        problems.add(
            f"{INVITED} differs between the rows of one unit-month (municipality {key[0]}, "
            f"unit {key[1]!r}, {key[2]}): it counts the persons invited in the unit-month, "
            "so every respondent row of it carries the same number",
            row=int(block["row"]),
            column=INVITED,
            expected="one number per unit-month, on every row of it",
            found=found,
        )
    invited = per_month["value"].where(~mixed).reindex(respondents.index).astype("float64")
    rows = per_month["row"].reindex(respondents.index)
    for key in invited.index[invited < respondents]:
        problems.add(
            f"fewer persons invited ({invited[key]:g}) than answered ({respondents[key]}) in "
            f"municipality {key[0]}, unit {key[1]!r}, {key[2]}",
            row=int(rows[key]),
            column=INVITED,
            expected=f"at least the {respondents[key]} respondents of the unit-month",
            found=f"{invited[key]:g}",
        )
    return invited


def _finish(parts: list[pd.DataFrame], survey: str, items: SurveyItems) -> pd.DataFrame:
    if parts:
        table = pd.concat(parts).reset_index()
    else:
        table = pd.DataFrame(
            columns=[*KEY_COLUMNS, "item", "respondents", "invited", "answers", "mean_score",
                     "share_agree"]
        )  # fmt: skip
    table.insert(0, "survey", survey)
    table["goal"] = table["item"].map(lambda i: items.items[i].goal)
    table["municipality_code"] = table["municipality_code"].astype("int64")
    table["unit"] = table["unit"].astype("str")
    table["period"] = table["period"].astype("period[M]")
    for name in ("respondents", "answers"):
        table[name] = table[name].astype("int64")
    for name in ("invited", "mean_score", "share_agree"):
        table[name] = pd.to_numeric(table.get(name), errors="coerce").astype("float64")
    table["data_origin"] = None
    return table


# --- one row per unit and month ------------------------------------------------------------


def _number_columns(columns: _Columns, items: SurveyItems) -> list[str]:
    out = [RESPONDENTS]
    for item in columns.items:
        out += [c for c in _item_columns(item, items) if c in columns.frame.columns]
    return out


def _file_decimal(
    frame: pd.DataFrame,
    columns: _Columns,
    items: SurveyItems,
    source: str,
    delimiter: str | None,
    how: str,
    problems: ProblemCollector,
) -> str:
    """One decimal mark for the means and shares, judged on every text value."""
    names = [c for c in _number_columns(columns, items) if c != RESPONDENTS]
    evidence = {c: decimal_evidence(frame[c]) for c in names}
    total = sum(evidence.values(), DecimalEvidence())
    if delimiter == "," and not total.comma and not total.ambiguous_comma:
        return "."
    if total.mark is not None:
        return total.mark
    for column, found in evidence.items():
        if found.ambiguous:
            problems.add(
                f"{ambiguous_decimal_text(found.example or '')}; {how}",
                row=int(found.example_at) if found.example_at is not None else None,
                column=column,
                expected="numbers that show their decimal mark, or the mark stated",
                found=found.example,
            )
    return ","


def _numbers(
    column: pd.Series, name: str, decimal: str, expected: str, problems: ProblemCollector
) -> pd.Series:
    out = pd.Series(np.nan, index=column.index, dtype="float64")
    for row, value in column.items():
        if _is_missing(value) or (isinstance(value, str) and value.strip() in MISSING_TOKENS):
            continue
        try:
            number = parse_number(value, decimal) if not isinstance(value, bool) else math.nan
        except ParseError:
            number = math.nan
        if not math.isfinite(number):
            problems.add(
                "not a number",
                row=int(row),
                column=name,
                expected=expected,
                found=str(value).strip(),
            )
            continue
        out[row] = number
    return out


def _aggregated_table(
    frame: pd.DataFrame,
    keys: pd.DataFrame,
    columns: _Columns,
    items: SurveyItems,
    source: str,
    decimal: str,
    problems: ProblemCollector,
) -> pd.DataFrame:
    expected_n = "a whole number of persons >= 0"
    n = _numbers(frame[RESPONDENTS], RESPONDENTS, decimal, expected_n, problems)
    for row, value in n.dropna().items():
        if value < 0 or not float(value).is_integer():
            problems.add(
                "respondents must be a whole number >= 0",
                row=int(row),
                column=RESPONDENTS,
                expected=expected_n,
                found=f"{value:g}",
            )
            n[row] = np.nan
    for row in n.index[n.isna() & frame[RESPONDENTS].map(_is_missing)]:
        problems.add("missing value", row=int(row), column=RESPONDENTS, expected=expected_n)
    invited = pd.Series(np.nan, index=frame.index, dtype="float64")
    if INVITED in frame.columns:
        invited = _invited_numbers(frame[INVITED], decimal, problems)
        for row in invited.index[invited.notna() & n.notna() & (invited < n)]:
            problems.add(
                f"fewer persons invited ({invited[row]:g}) than answered ({n[row]:g})",
                row=int(row),
                column=INVITED,
                expected=f"at least the {n[row]:g} respondents of the row",
                found=f"{invited[row]:g}",
            )
            invited[row] = np.nan
    parts = []
    for item in columns.items:
        mean_col, share_col = _item_columns(item, items)
        if mean_col not in frame.columns or share_col not in frame.columns:
            continue  # reported as a missing item column
        mean, share = _item_aggregates(frame, item, items, decimal, n, problems)
        reversed_ = items.items[item].reversed
        parts.append(
            pd.DataFrame(
                {
                    **{k: keys[k] for k in KEY_COLUMNS},
                    "item": item,
                    "respondents": n.fillna(0),
                    "invited": invited,
                    "answers": n.fillna(0).where(mean.notna(), 0),
                    "mean_score": 6 - mean if reversed_ else mean,
                    "share_agree": share,
                },
                index=frame.index,
            ).set_index(list(KEY_COLUMNS))
        )
    dupes = keys[keys.notna().all(axis=1) & keys.duplicated(keep=False)]
    for (code, unit, period), block in dupes.groupby(list(KEY_COLUMNS), sort=False):
        rows = sorted(int(r) for r in block.index)
        problems.add(
            f"duplicate unit-month: municipality {code}, unit {unit!r}, {period} appears in "
            f"rows {', '.join(map(str, rows[:-1]))} and {rows[-1]}",
            row=rows[1],
            column=", ".join(KEY_COLUMNS),
            expected="one row per municipality, unit and month",
            found=f"{len(rows)} rows",
        )
    valid = keys.notna().all(axis=1).to_numpy()
    parts = [p[valid] for p in parts]
    return _finish(parts, columns.survey, items)


def _item_aggregates(
    frame: pd.DataFrame,
    item: str,
    items: SurveyItems,
    decimal: str,
    respondents: pd.Series,
    problems: ProblemCollector,
) -> tuple[pd.Series, pd.Series]:
    """The mean (as worded) and the share on the goal's side of one item, checked."""
    mean_col, share_col = _item_columns(item, items)
    reversed_ = items.items[item].reversed
    scale = items.scale_of(item).describe("en")
    mean_expected = f"a mean answer from 1 to 5 ({scale})"
    answers = "1 or 2" if reversed_ else "4 or 5"
    share_expected = f"the share answering {answers}, from 0 to 1 (write 45 % as 0.45)"
    mean = _numbers(frame[mean_col], mean_col, decimal, mean_expected, problems)
    share = _numbers(frame[share_col], share_col, decimal, share_expected, problems)
    _other_scale(mean.dropna().tolist(), mean_col, mean_expected, "means", problems)
    bad_mean = mean.notna() & ~mean.between(1, 5)
    for row in mean.index[bad_mean]:
        problems.add(
            "mean outside the 1–5 scale",
            row=int(row),
            column=mean_col,
            expected=mean_expected,
            found=f"{mean[row]:g}",
        )
    bad_share = share.notna() & ~share.between(0, 1)
    for row in share.index[bad_share]:
        problems.add(
            "share outside 0–1",
            row=int(row),
            column=share_col,
            expected=share_expected,
            found=f"{share[row]:g}",
        )
    mean, share = mean.where(~bad_mean), share.where(~bad_share)
    one = mean.isna() != share.isna()
    for row in mean.index[one & ~(bad_mean | bad_share)]:
        column = share_col if share.isna()[row] else mean_col
        problems.add(
            f"{item}: give both the mean and the share, or neither (the item was not asked)",
            row=int(row),
            column=column,
            expected=f"values in {mean_col} and {share_col}",
        )
    without = mean.notna() & respondents.eq(0)
    for row in mean.index[without]:
        problems.add(
            f"{item}: a mean and a share for a unit-month without respondents",
            row=int(row),
            column=RESPONDENTS,
            expected="the number of persons who answered",
            found="0",
        )
    # with a share s on one side, the mean lies between the lowest and highest means the
    # answers can give: agree (4-5) s -> [1 + 3s, 3 + 2s]; disagree (1-2) s -> [3 - 2s, 5 - 3s]
    low = 3 - 2 * share if reversed_ else 1 + 3 * share
    high = 5 - 3 * share if reversed_ else 3 + 2 * share
    off = (
        mean.notna()
        & share.notna()
        & ((mean < low - CONSISTENCY_TOLERANCE) | (mean > high + CONSISTENCY_TOLERANCE))
    )
    for row in mean.index[off]:
        problems.add(
            f"{item}: the mean cannot go with the share: with {share[row]:.0%} answering "
            f"{answers}, the mean lies between {low[row]:.2f} and {high[row]:.2f} (are the "
            "columns swapped, or is the share of another item?)",
            row=int(row),
            column=mean_col,
            expected=f"a mean from {low[row]:.2f} to {high[row]:.2f}",
            found=f"{mean[row]:g}",
        )
    ok = ~(one | without | off)
    return mean.where(ok), share.where(ok)
