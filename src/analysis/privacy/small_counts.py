"""Counts of persons below a threshold (default 5) suppressed in report tables, as
Jobindsats and Statistics Denmark do, with secondary suppression where a total would
give a hidden count away."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.paths import SMALL_COUNT_THRESHOLD

#: marks a count hidden only so that a suppressed one cannot be worked out from a total
SECONDARY_MARKER = ".."


def suppress_small_counts(
    table: pd.DataFrame,
    columns: Sequence[str],
    threshold: int = SMALL_COUNT_THRESHOLD,
    marker: str | None = None,
    partition_by: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Replace counts of persons from 1 to ``threshold - 1`` by ``<threshold``.

    Zero stays zero (no person is identified by an empty cell). The result's count columns
    are text, ready for display; keep the numeric table for computation.

    ``partition_by``: columns whose values split the rows into groups whose counts add up
    to a total shown elsewhere (e.g. the sources per department add up to all sources).
    Where a group's suppressed counts add up to less than the threshold (one suppressed
    count always does), they could be worked out from the total, so the smallest other
    positive counts are hidden too, as ``..``, until the hidden counts add up to at least
    the threshold (secondary suppression, as statistical offices do).
    """
    marker = marker or f"<{threshold}"
    out = table.copy()
    for column in columns:
        values = pd.to_numeric(out[column], errors="coerce")
        small = values.gt(0) & values.lt(threshold)
        shown = values.astype("Int64").astype("string")
        shown[small] = marker
        if partition_by:
            cells = _secondary_cells(values, small, table, list(partition_by), threshold)
            for index in cells:
                shown[index] = SECONDARY_MARKER
        shown[values.isna()] = pd.NA
        out[column] = shown
    return out


def _secondary_cells(
    values: pd.Series,
    small: pd.Series,
    table: pd.DataFrame,
    partition_by: list[str],
    threshold: int,
) -> list:
    """Index labels of the counts to hide so that, in every group, the hidden counts add up
    to at least the threshold: one suppressed count, or several adding up to less (2 = 1 +
    1), could otherwise be worked out from the group's total."""
    hidden = []
    keys = partition_by[0] if len(partition_by) == 1 else partition_by
    for rows in table.groupby(keys, dropna=False, sort=False).groups.values():
        group = values.loc[rows]
        suppressed = small.loc[rows]
        if not suppressed.any():
            continue
        total = group[suppressed].sum()
        candidates = group[~suppressed & group.gt(0)].sort_values(kind="stable")
        for index, value in candidates.items():
            if total >= threshold:
                break
            hidden.append(index)
            total += value
    return hidden
