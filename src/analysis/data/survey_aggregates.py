"""Survey files with one row per unit and month: respondents, and per item the mean
answer and the share agreeing (or, for a negatively worded item, disagreeing).

Means lie on the file's scale (stated in its format file, else the items file's 1–5);
agreeing means the answers above the scale's middle, disagreeing those below it. A mean
must be able to go with its share: with a share s on one side, the mean lies between the
lowest and highest means the answers can give.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.data.contract_reader import DECIMAL_EXPECTED, is_missing
from analysis.data.parsing import DecimalEvidence, ambiguous_decimal_text, decimal_evidence
from analysis.data.survey_answers import other_scale
from analysis.data.survey_columns import (
    INVITED,
    KEY_COLUMNS,
    RESPONDENTS,
    Columns,
    finish_table,
    invited_numbers,
    item_columns,
    numbers,
)
from analysis.data.survey_format import AnswerScale, answers_text
from analysis.data.survey_items import SurveyItems
from analysis.errors import ProblemCollector

#: tolerance of the check that a mean and a share agreeing can go together (rounding)
CONSISTENCY_TOLERANCE = 0.02


def _number_columns(columns: Columns, items: SurveyItems) -> list[str]:
    out = [RESPONDENTS]
    for item in columns.items:
        out += [c for c in item_columns(item, items) if c in columns.frame.columns]
    return out


def file_decimal(
    frame: pd.DataFrame,
    columns: Columns,
    items: SurveyItems,
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
                expected=DECIMAL_EXPECTED,
                found=found.example,
            )
    return ","


def aggregated_table(
    frame: pd.DataFrame,
    keys: pd.DataFrame,
    columns: Columns,
    items: SurveyItems,
    scale: AnswerScale,
    format_name: str,
    decimal: str,
    problems: ProblemCollector,
) -> pd.DataFrame:
    """Unit-month aggregates per item, means reversed on the scale for negatively
    worded items."""
    expected_n = "a whole number of persons >= 0"
    n = numbers(frame[RESPONDENTS], RESPONDENTS, decimal, expected_n, problems)
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
    for row in n.index[n.isna() & frame[RESPONDENTS].map(is_missing)]:
        problems.add("missing value", row=int(row), column=RESPONDENTS, expected=expected_n)
    invited = pd.Series(np.nan, index=frame.index, dtype="float64")
    if INVITED in frame.columns:
        invited = invited_numbers(frame[INVITED], decimal, problems)
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
        mean_col, share_col = item_columns(item, items)
        if mean_col not in frame.columns or share_col not in frame.columns:
            continue  # reported as a missing item column
        mean, share = _item_aggregates(frame, item, items, scale, format_name, decimal, n, problems)
        parts.append(
            pd.DataFrame(
                {
                    **{k: keys[k] for k in KEY_COLUMNS},
                    "item": item,
                    "respondents": n.fillna(0),
                    "invited": invited,
                    "answers": n.fillna(0).where(mean.notna(), 0),
                    "dont_know": np.nan,  # an aggregated file does not say
                    "mean_score": scale.reverse(mean) if items.items[item].reversed else mean,
                    "share_agree": share,
                    "scale_min": scale.low,
                    "scale_max": scale.high,
                },
                index=frame.index,
            ).set_index(list(KEY_COLUMNS))
        )
    _duplicate_months(keys, problems)
    valid = keys.notna().all(axis=1).to_numpy()
    parts = [p[valid] for p in parts]
    return finish_table(parts, columns.survey, items)


def _duplicate_months(keys: pd.DataFrame, problems: ProblemCollector) -> None:
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


def _item_aggregates(
    frame: pd.DataFrame,
    item: str,
    items: SurveyItems,
    scale: AnswerScale,
    format_name: str,
    decimal: str,
    respondents: pd.Series,
    problems: ProblemCollector,
) -> tuple[pd.Series, pd.Series]:
    """The mean (as worded) and the share on the goal's side of one item, checked."""
    mean_col, share_col = item_columns(item, items)
    reversed_ = items.items[item].reversed
    if scale.stated_in is None:
        described = items.scale_of(item).describe("en")
    else:
        described = scale.described.removeprefix("the ")
    mean_expected = f"a mean answer from {scale.low} to {scale.high} ({described})"
    side = scale.disagree if reversed_ else scale.agree
    answers = answers_text(side)
    share_expected = f"the share answering {answers}, from 0 to 1 (write 45 % as 0.45)"
    mean = numbers(frame[mean_col], mean_col, decimal, mean_expected, problems)
    share = numbers(frame[share_col], share_col, decimal, share_expected, problems)
    other_scale(
        mean.dropna().tolist(), mean_col, mean_expected, "means", scale, format_name, problems
    )
    bad_mean = mean.notna() & ~mean.between(scale.low, scale.high)
    for row in mean.index[bad_mean]:
        problems.add(
            f"mean outside {scale.described}",
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
    low, high = _mean_bounds(share, scale, reversed_)
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


def _mean_bounds(
    share: pd.Series, scale: AnswerScale, reversed_: bool
) -> tuple[pd.Series, pd.Series]:
    """The lowest and highest mean answers with a share ``share`` on one side of the
    scale: on 1–5, agreeing (4–5) s gives [1 + 3s, 3 + 2s], disagreeing (1–2) s gives
    [3 - 2s, 5 - 3s]."""
    if reversed_:  # the share answers low: at most max(disagree), the others at least one more
        inside, outside_low, outside_high = scale.disagree, max(scale.disagree) + 1, scale.high
        return share * scale.low + (1 - share) * outside_low, share * max(inside) + (
            1 - share
        ) * outside_high
    first = min(scale.agree)
    return share * first + (1 - share) * scale.low, share * scale.high + (1 - share) * (first - 1)
