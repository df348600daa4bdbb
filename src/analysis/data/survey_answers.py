"""Survey files with one row per respondent: answers on the file's scale, "don't know"
codes, and the unit-month aggregates per item.

An answer is a whole number on the file's scale (stated in its format file, else the
items file's 1–5), a declared don't-know code (counted, kept out of shares and means) or
empty. Anything else is a problem on its row and column; many answers off the scale are
one problem for the column saying which scale or code they look like and how to state it.
A file whose scale is not stated and none of whose answers reaches the top of 1–5 is
refused: it may be on a 1–4 scale, where agreeing means 3–4, not 4–5.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.data.contract_reader import is_missing, parse_text
from analysis.data.parsing import ParseError, parse_number
from analysis.data.survey_columns import (
    INVITED,
    KEY_COLUMNS,
    RESPONDENTS,
    Columns,
    finish_table,
    invited_numbers,
)
from analysis.data.survey_format import AnswerScale, SurveyFormat
from analysis.data.survey_items import SurveyItems
from analysis.errors import ProblemCollector

#: share of an item column's answers off the scale (and at least two of them) from which
#: the file used another scale or a code (below it, they are stray values, each reported
#: where it is)
OTHER_SCALE_SHARE = 0.05


def answer_expected(items: SurveyItems, item: str, scale: AnswerScale, fmt: SurveyFormat) -> str:
    if scale.stated_in is None:
        what = f"a whole number {scale.text} ({items.scale_of(item).describe('en')})"
    else:
        what = f"a whole number {scale.text} ({scale.described})"
    if fmt.dont_know:
        return f"{what}, a don't-know code ({fmt.codes_shown}) or empty"
    return f"{what} or empty for no answer"


def _labels(items: SurveyItems, item: str) -> dict[str, int]:
    scale = items.scale_of(item)
    return {text.strip().lower(): point for point, pair in scale.labels.items() for text in pair}


def answers_of(
    column: pd.Series,
    item: str,
    items: SurveyItems,
    fmt: SurveyFormat,
    scale: AnswerScale,
    format_name: str,
    problems: ProblemCollector,
) -> tuple[pd.Series, pd.Series, list[float]]:
    """The answers of one item column (NaN: none), whether each cell is a don't-know
    code, and every whole number found (on the scale or not)."""
    expected = answer_expected(items, item, scale, fmt)
    labels = _labels(items, item) if scale.stated_in is None else {}
    out = pd.Series(np.nan, index=column.index, dtype="float64")
    dont_know = pd.Series(False, index=column.index)
    numbers: list[float] = []
    outside = f"answer outside {scale.described}"
    for row, value in column.items():
        if is_missing(value):  # only an empty cell is no answer ("x", "-" are not)
            continue
        if fmt.is_dont_know(value):
            dont_know[row] = True
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
        if not scale.low <= number <= scale.high:
            problems.add(outside, row=int(row), column=item, expected=expected, found=f"{number:g}")
            continue
        out[row] = number
    other_scale(numbers, item, expected, "answers", scale, format_name, problems)
    return out, dont_know, numbers


def other_scale(
    values: list[float],
    column: str,
    expected: str,
    what: str,
    scale: AnswerScale,
    format_name: str,
    problems: ProblemCollector,
) -> None:
    """One problem for the column when many of its values lie off the scale: the survey
    used another scale, or a code for "don't know"; said in words, with how to state it."""
    if not values:
        return
    array = np.asarray(values, dtype=float)
    off = (array < scale.low) | (array > scale.high)
    if off.sum() < 2 or off.mean() < OTHER_SCALE_SHARE:
        return  # stray values: each is reported where it is
    low, high = float(array.min()), float(array.max())
    codes = sorted(set(array[off]))
    count = f"{off.sum()} of the {what} in column '{column}' are {codes[0]:g}"
    if len(codes) == 1 and codes[0] == scale.high + 1 and what == "answers":
        code = f"{codes[0]:g}"
        problems.add(
            f"{count}: {code} is one above the top of {scale.described}, which is how "
            "SurveyXact writes 'Ikke relevant/ved ikke' (don't know / not relevant). If it "
            f"is, declare it in {format_name} ('dont_know: [{code}]'): such answers are "
            "counted and left out of shares and means; if "
            f"{code} is a point of the scale, state the scale ('scale: {scale.low}-{code}')",
            column=column,
            expected=expected,
            found=code,
        )
        return
    if len(codes) == 1 and codes[0] >= 8 and float(codes[0]).is_integer():
        code = f"{codes[0]:g}"
        problems.add(
            f"{count}, which looks like a code for 'don't know' or 'not answered': declare "
            f"it in {format_name} ('dont_know: [{code}]'), or leave such answers empty",
            column=column,
            expected=expected,
            found=code,
        )
        return
    if low < 1 and high <= 5:
        guess, state = f"0–{math.ceil(high)}", f"0-{math.ceil(high)}"
    elif low >= 1 and high <= 7:
        guess, state = f"1–{math.ceil(high)}", f"1-{math.ceil(high)}"
    elif low >= 0 and high <= 10:
        guess, state = ("0–10", "0-10") if low < 1 else ("1–10 (or 0–10)", "0-10")
    else:
        guess, state = f"{low:g}–{high:g}", None
    advice = (
        f"state the scale in {format_name} ('scale: {state}'; answers above its middle "
        "count as agreeing)"
        if state is not None
        else "a scale of 4 to 11 points (1–4 to 0–10) can be stated in a format file"
    )
    problems.add(
        f"the {what} in column '{column}' run from {low:g} to {high:g}: the survey used a "
        f"{guess} scale, not {scale.described}; {advice}",
        column=column,
        expected=expected,
        found=f"{low:g}–{high:g}",
    )


def top_not_reached(
    numbers: list[float], scale: AnswerScale, format_name: str, header: ProblemCollector
) -> None:
    """Refuse a file whose scale is not stated when no answer reaches its top: read as
    1–5, a 1–4 survey's agreeing 3s would count as disagreeing."""
    if scale.stated_in is not None or not numbers:
        return
    array = np.asarray(numbers, dtype=float)
    if ((array < scale.low) | (array > scale.high)).any() or array.max() >= scale.high:
        return  # answers off the scale are reported as such
    top = int(array.max())
    guess = f"{scale.low}-{top}" if top - scale.low + 1 >= 4 else None
    state = f"'scale: {guess}', or " if guess else ""
    header.add(
        f"no answer in the file reaches {scale.high}, the top of {scale.described} of the "
        f"items file: the survey may use a smaller scale (on 1–4, agreeing is 3 or 4; "
        f"read as 1–5 it would be 4 only). State the scale in {format_name}: {state}"
        f"'scale: {scale.low}-{scale.high}' if nobody chose {scale.high}",
        expected=f"a scale stated, or answers up to {scale.high}",
        found=f"answers {array.min():g}–{top}",
    )


def respondent_table(
    frame: pd.DataFrame,
    keys: pd.DataFrame,
    columns: Columns,
    items: SurveyItems,
    fmt: SurveyFormat,
    scale: AnswerScale,
    format_name: str,
    problems: ProblemCollector,
    header: ProblemCollector,
) -> tuple[pd.DataFrame, list[str]]:
    """Unit-month aggregates per item (answers reversed on the scale for negatively
    worded items) and notes on the don't-know answers counted."""
    answers, dont_know, numbers = {}, {}, []
    for item in columns.items:
        answers[item], dont_know[item], found = answers_of(
            frame[item], item, items, fmt, scale, format_name, problems
        )
        numbers += found
    top_not_reached(numbers, scale, format_name, header)
    answers = pd.DataFrame(answers, index=frame.index)
    dont_know = pd.DataFrame(dont_know, index=frame.index)
    given = frame[columns.items].apply(lambda c: ~c.map(is_missing))
    for row in frame.index[~given.any(axis=1)]:
        problems.add(
            "a respondent without any answer",
            row=int(row),
            column=", ".join(columns.items),
            expected="at least one answer (leave out respondents who answered nothing, or "
            "say 'rows_without_answers: leave_out' in the format file)",
        )
    _repeated_respondents(frame, problems)
    for item in columns.items:
        if items.items[item].reversed:
            answers[item] = scale.reverse(answers[item])
    answered = answers.notna().any(axis=1) | dont_know.any(axis=1)
    data = pd.concat([keys, answers], axis=1)[answered].dropna(subset=list(KEY_COLUMNS))
    codes = dont_know[answered].loc[data.index]
    group_keys = [data[k] for k in KEY_COLUMNS]
    group = data.groupby(list(KEY_COLUMNS), sort=True, observed=True)
    respondents = group.size()
    invited = _respondent_invited(frame, keys, respondents, problems)
    parts = []
    for item in columns.items:
        values = group[item]
        agree = data[item].isin(scale.agree).astype(float).where(data[item].notna())
        parts.append(
            pd.DataFrame(
                {
                    "item": item,
                    "respondents": respondents,
                    "invited": invited.reindex(respondents.index),
                    "answers": values.count(),
                    "dont_know": codes[item].astype(int).groupby(group_keys).sum(),
                    "mean_score": values.mean(),
                    "share_agree": agree.groupby(group_keys).mean(),
                    "scale_min": scale.low,
                    "scale_max": scale.high,
                }
            )
        )
    total = int(dont_know.to_numpy().sum())
    notes = []
    if fmt.dont_know:
        notes.append(
            f"{total} answers 'don't know / not relevant' ({fmt.codes_text}) counted and left "
            "out of shares and means"
        )
    return finish_table(parts, columns.survey, items), notes


def _repeated_respondents(frame: pd.DataFrame, problems: ProblemCollector) -> None:
    if "respondent_id" not in frame.columns:
        return
    ids = parse_text(frame["respondent_id"])
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
    values = invited_numbers(frame[INVITED], ".", problems)
    given = keys.assign(
        _invited=values, _empty=frame[INVITED].map(is_missing), _row=frame.index.astype(int)
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
