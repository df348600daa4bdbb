"""The columns of a survey file: the contract's names, what a header says (layout, survey,
items found) and the key cells of every row.

Header problems come in the order that decides what to do: missing key columns first,
then "no item columns" (or items of both surveys), then missing item columns, then
doubled and unknown columns. A file without any item column is not in the contract's
shape (an export with the tool's own names): its unknown columns are one problem, and a
SurveyXact, Qualtrics or REDCap export is named as one, with the way to map it.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.contract_reader import (
    KEY_EXPECTED,
    HeaderFit,
    is_missing,
    parse_months,
    parse_municipalities,
    parse_text,
)
from analysis.data.parsing import MISSING_TOKENS, ParseError, parse_number
from analysis.data.reference import load_municipalities
from analysis.data.survey_items import SURVEYS, SurveyItems
from analysis.errors import InputProblem, ProblemCollector

KEY_COLUMNS = ("municipality_code", "unit", "period")
RESPONDENTS = "respondents"
#: persons invited to (or eligible for) the survey in a unit-month (optional)
INVITED = "invited"
OPTIONAL_COLUMNS = ("respondent_id", "data_origin", INVITED)
FIXED_COLUMNS = (*KEY_COLUMNS, RESPONDENTS, *OPTIONAL_COLUMNS)
LAYOUTS = ("respondents", "aggregated")
#: the unit-month aggregates per item of a survey file (one row per unit, month and item);
#: ``dont_know`` counts the answers coded "don't know / not relevant" (missing where an
#: aggregated file cannot say), ``scale_min``/``scale_max`` the scale the mean is on
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
    "dont_know",
    "mean_score",
    "share_agree",
    "scale_min",
    "scale_max",
    "data_origin",
)
_SUGGESTION_CUTOFF = 0.75
_TOOLS = (
    ("SurveyXact", re.compile(r"^(respondentid|stat(overall|completion|internal)_\d+)$", re.I)),
    ("Qualtrics", re.compile(r"^(ResponseId|RecordedDate|StartDate|EndDate|DistributionChannel)$")),
    ("REDCap", re.compile(r"^(record_id|redcap_\w+|\w+_complete)$")),
)


def item_columns(item: str, items: SurveyItems) -> tuple[str, str]:
    """The two columns of an item in an aggregated file: mean and share."""
    share = "_disagree" if items.items[item].reversed else "_agree"
    return f"{item}_mean", f"{item}{share}"


def contract_columns(items: SurveyItems) -> list[str]:
    """Every column name a survey file may have: fixed columns, item ids, aggregates."""
    aggregated = [c for item in items.items for c in item_columns(item, items)]
    return [*FIXED_COLUMNS, *items.items, *aggregated]


def header_fit(items: SurveyItems, mapped: Sequence[str] = ()) -> HeaderFit:
    """Scores a worksheet's header: how many of its names are the contract's columns or
    the file columns a format file maps (0: the sheet is not the data)."""
    names = {c.lower() for c in (*contract_columns(items), *mapped)}
    return lambda header: sum(str(h).strip().lower() in names for h in header)


def tool_of(columns: Sequence[str]) -> str | None:
    """The survey tool whose export has these columns, if they show it."""
    for tool, pattern in _TOOLS:
        if sum(bool(pattern.match(str(c))) for c in columns) >= (1 if tool == "SurveyXact" else 2):
            return tool
    return None


@dataclass(frozen=True)
class Columns:
    """What the header says: the layout, the survey, the item columns found."""

    layout: str
    survey: str | None
    items: list[str]  # item ids with (all or some of) their columns
    frame: pd.DataFrame  # columns renamed to their canonical spelling


def check_columns(
    frame: pd.DataFrame,
    items: SurveyItems,
    problems: ProblemCollector,
    format_file: str | None = None,
) -> Columns:
    """Rename the contract's columns to their spelling and report what the header lacks
    or holds besides (``format_file``: where a mapping would go, for the message)."""
    aggregated_names = {
        column: item for item in items.items for column in item_columns(item, items)
    }
    known = {name.lower(): name for name in (*FIXED_COLUMNS, *items.items, *aggregated_names)}
    renamed = [known.get(str(c).strip().lower(), str(c).strip()) for c in frame.columns]
    header = [str(c).strip() for c in frame.columns]
    frame = frame.set_axis(renamed, axis=1)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    layout = "aggregated" if RESPONDENTS in frame.columns else "respondents"
    found: dict[str, None] = {}
    unknown: list[str] = []
    for name in frame.columns:
        if name in FIXED_COLUMNS:
            continue
        if layout == "respondents" and name in items.items:
            found.setdefault(name, None)
        elif layout == "aggregated" and name in aggregated_names:
            found.setdefault(aggregated_names[name], None)
        else:
            unknown.append(name)
    surveys = sorted({items.items[i].who for i in found}, key=SURVEYS.index)
    survey = surveys[0] if len(surveys) == 1 else None
    listed = "columns " + ", ".join(header)
    for name in [c for c in KEY_COLUMNS if c not in frame.columns]:
        problems.add(
            f"missing column '{name}': every row must say which municipality, unit and "
            "month its answers belong to",
            row=1,
            column=name,
            expected=f"the columns {', '.join(KEY_COLUMNS)}",
            found=listed,
        )
    if not found:
        problems.add(
            "no item columns: the columns of a survey file are the item ids of the items "
            f"file{_tool_hint(header, format_file)}",
            row=1,
            expected=f"item columns such as {', '.join(list(items.items)[:4])}",
            found=listed,
        )
    elif survey is None:
        problems.add(
            "items of both surveys in one file: a survey file holds the citizen survey or "
            "the staff survey",
            row=1,
            expected="the items of one survey",
            found=", ".join(f"{i} ({items.items[i].who})" for i in found),
        )
    else:
        _missing_items(frame, layout, survey, items, problems)
    for name in sorted({n for n in renamed if renamed.count(n) > 1}):
        problems.add(
            "the column appears more than once",
            row=1,
            column=name,
            expected="each column once",
            found=f"{renamed.count(name)} columns",
        )
    if found:
        for name in unknown:
            _unknown_column(name, layout, items, aggregated_names, problems)
    elif unknown:
        shown = ", ".join(unknown[:12]) + (", ..." if len(unknown) > 12 else "")
        problems.add(
            f"{len(unknown)} column(s) the survey contract does not know: {shown}",
            row=1,
            expected="the contract's columns and the item ids, or a mapping of the file's "
            "columns to them",
            found=f"{len(unknown)} columns",
        )
    return Columns(layout, survey, list(found), frame)


def _tool_hint(header: Sequence[str], format_file: str | None) -> str:
    tool = tool_of(header)
    if tool is None:
        return ""
    where = format_file or "a <file>_format.yaml"
    return (
        f"; this looks like a {tool} export: keep it as it is and write {where} beside it, "
        "mapping its columns to the contract (docs/data-inputs.md, 'Survey exports')"
    )


def _unknown_column(
    name: str,
    layout: str,
    items: SurveyItems,
    aggregated_names: dict[str, str],
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
        mean, share = item_columns(name, items)
        message = (
            f"column '{name}' holds single answers, but the file has a '{RESPONDENTS}' "
            f"column, so its rows are unit-months: give {mean} and {share}"
        )
        expected = f"{mean} and {share}"
    elif _wrong_side(name, items) is not None:
        base, right = _wrong_side(name, items)
        if items.items[base].reversed:
            side = "negatively worded (direction: negative), so agreeing means the goal is not met"
            share = "the share disagreeing"
        else:
            side = "positively worded (direction: positive)"
            share = "the share agreeing"
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
            right = item_columns(base, items)[1]
            return (base, right) if right != name else None
    return None


def _missing_items(
    frame: pd.DataFrame, layout: str, survey: str, items: SurveyItems, problems: ProblemCollector
) -> None:
    wanted = items.of(survey)
    names = ", ".join(item.id for item in wanted)
    for item in wanted:
        columns = [item.id] if layout == "respondents" else list(item_columns(item.id, items))
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


# --- the key cells and the origin of every row -----------------------------------------------


def parse_keys(frame: pd.DataFrame, source: str, problems: ProblemCollector) -> pd.DataFrame:
    """Municipality, unit and month of every row, checked like the caseload contract's."""
    codes, found = parse_municipalities(frame["municipality_code"], source)
    problems.extend(found)
    valid = set(load_municipalities()["code"].astype(int))
    for row, code in codes.items():
        if pd.notna(code) and int(code) not in valid:
            problems.add(
                "unknown municipality",
                row=int(row),
                column="municipality_code",
                expected=KEY_EXPECTED["municipality_code"],
                found=int(code),
            )
    units = parse_text(frame["unit"])
    months, found = parse_months(frame["period"], "period", source)
    problems.extend(found)
    keys = pd.DataFrame(
        {"municipality_code": codes, "unit": units, "period": months}, index=frame.index
    )
    for name in KEY_COLUMNS:
        for row in keys.index[keys[name].isna() & frame[name].map(is_missing)]:
            problems.add(
                "missing value",
                row=int(row),
                column=name,
                expected="the municipality, unit and month of every row",
            )
    return keys


def origin(frame: pd.DataFrame, problems: ProblemCollector) -> bool:
    """Whether the file is simulated (``data_origin``), which must be one value."""
    if "data_origin" not in frame.columns:
        return False
    values = parse_text(frame["data_origin"]).astype("string").str.strip().str.lower()
    if len(values.dropna().unique()) > 1:
        first = values.dropna().iloc[0]
        for row in values.index[values.notna() & values.ne(first)]:
            problems.add(
                "data_origin differs within the file",
                row=int(row),
                column="data_origin",
                expected=f"the same origin in every row ('{first}' as in the first row)",
                found=values[row],
            )
    return bool(values.eq("simulated").any())


def origin_text(frame: pd.DataFrame) -> object:
    if "data_origin" not in frame.columns:
        return None
    values = parse_text(frame["data_origin"]).dropna()
    return str(values.iloc[0]) if len(values) else None


def finish_table(parts: list[pd.DataFrame], survey: str, items: SurveyItems) -> pd.DataFrame:
    """The aggregates of a file's items as one table with the contract's types."""
    if parts:
        table = pd.concat(parts).reset_index()
    else:
        table = pd.DataFrame(
            columns=[*KEY_COLUMNS, "item", "respondents", "invited", "answers", "dont_know",
                     "mean_score", "share_agree", "scale_min", "scale_max"]
        )  # fmt: skip
    table.insert(0, "survey", survey)
    table["goal"] = table["item"].map(lambda i: items.items[i].goal)
    table["municipality_code"] = table["municipality_code"].astype("int64")
    table["unit"] = table["unit"].astype("str")
    table["period"] = table["period"].astype("period[M]")
    for name in ("respondents", "answers", "scale_min", "scale_max"):
        table[name] = table[name].astype("int64")
    for name in ("invited", "dont_know", "mean_score", "share_agree"):
        table[name] = pd.to_numeric(table.get(name), errors="coerce").astype("float64")
    table["data_origin"] = None
    return table


def numbers(
    column: pd.Series, name: str, decimal: str, expected: str, problems: ProblemCollector
) -> pd.Series:
    """A column of numbers (NaN where empty or a missing token); other cells are problems."""
    out = pd.Series(np.nan, index=column.index, dtype="float64")
    for row, value in column.items():
        if is_missing(value) or (isinstance(value, str) and value.strip() in MISSING_TOKENS):
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


def invited_numbers(column: pd.Series, decimal: str, problems: ProblemCollector) -> pd.Series:
    """The ``invited`` column as whole numbers >= 0 (NaN where empty)."""
    expected = "a whole number of persons invited (or eligible) >= the respondents"
    values = numbers(column, INVITED, decimal, expected, problems)
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


def relabel(problem: InputProblem, labels: dict[str, str]) -> InputProblem:
    """A problem with its column(s) named as the user knows them (``s_2 (s_stay)``)."""
    from dataclasses import replace

    if not labels or problem.column is None:
        return problem
    parts = [labels.get(part, part) for part in problem.column.split(", ")]
    return replace(problem, column=", ".join(parts))
