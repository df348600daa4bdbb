"""Trends: every indicator month by month, and whether the municipality moved towards its
comparison group or away from it.

The scorecard shows one window (the latest three months) against the same months a year
before. The snapshot holds every month since August 2021 (five years), so each indicator
also gets a small trend chart (:mod:`analysis.benchmark.trend_plot`): the municipality, the
average of its comparison group and the whole country, month by month.

Whether the municipality moves towards its group or away from it is read the way the
scorecard reads a development: the difference to the group's average in the level window
(the latest three months, as the table shows it) against the difference in the same months
a year before, both rounded to the published decimal, and the tolerance the legend states
(a change in the distance of at most one unit of the last decimal is "the same distance").
Comparing the same months cancels the seasons, which matter on municipal figures (they are
not seasonally adjusted).

Functions (pure): :func:`trend_series` (the three series of one municipality),
:func:`group_gaps` (the distance to the group now and a year before, and the movement),
:func:`series_breaks` (the months a series breaks, from the catalogue).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.benchmark.indicators import CATALOGUE, Indicator
from analysis.benchmark.scorecard import NO_DATA, SMALL_BASE

#: how the distance to the group changed from a year before to now
TOWARDS, AWAY, STEADY, CROSSED = "towards", "away", "steady", "crossed"
MOVEMENTS = (TOWARDS, AWAY, STEADY, CROSSED, SMALL_BASE, NO_DATA)

#: a month's group average needs at least this share of the members with a value, so
#: that the line does not jump when one small member is suppressed for a month
MIN_MEMBER_SHARE = 0.5

TREND_COLUMNS = ["indicator", "period", "municipality", "group", "country", "group_n"]
GAP_COLUMNS = [
    "indicator",
    "level",
    "cluster_level",
    "gap",
    "previous_level",
    "previous_cluster_level",
    "previous_gap",
    "movement",
]
_EPS = 1e-9


def monthly_values(panel: pd.DataFrame) -> pd.DataFrame:
    """The indicator panel (:func:`analysis.benchmark.indicators.indicator_panel`) reduced
    to what a trend needs, with months as text (``2026-07``): municipality_code,
    indicator, period, value, labour_force. Values hidden by the small-count rule or
    suppressed by Jobindsats stay missing."""
    frame = panel[["municipality_code", "indicator", "period", "value", "labour_force"]].copy()
    frame["period"] = frame["period"].astype("str")
    frame["indicator"] = frame["indicator"].astype("str")
    frame["municipality_code"] = frame["municipality_code"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    frame["labour_force"] = frame["labour_force"].astype("float64")
    return frame.sort_values(["indicator", "municipality_code", "period"]).reset_index(drop=True)


def _group_mean(values: pd.DataFrame, members: Sequence[int], weighted: bool) -> pd.DataFrame:
    """Per indicator and month: the mean of the members with a value (weighted by their
    labour force with ``weighted``) and how many had one; missing where fewer than
    :data:`MIN_MEMBER_SHARE` of the members had a value."""
    part = values[values["municipality_code"].isin(members) & values["value"].notna()]
    if weighted:
        part = part[part["labour_force"].gt(0)]
        weights = part["labour_force"]
    else:
        weights = pd.Series(1.0, index=part.index)
    part = part.assign(_w=weights, _wx=part["value"] * weights)
    grouped = part.groupby(["indicator", "period"])
    frame = pd.DataFrame(
        {"group": grouped["_wx"].sum() / grouped["_w"].sum(), "group_n": grouped.size()}
    )
    needed = math.ceil(MIN_MEMBER_SHARE * len(members)) if members else 1
    frame.loc[frame["group_n"].lt(needed), "group"] = np.nan
    return frame


def trend_series(
    values: pd.DataFrame,
    municipality: int,
    members: Iterable[int],
    *,
    country: pd.DataFrame | None = None,
    weighted: bool = False,
    indicators: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Month by month for each indicator: the municipality's value, its group's average
    (the members without the municipality itself, like the scorecard's mean) and the
    whole country's (``country``: :func:`monthly_values` of the national series).

    ``values``: :func:`monthly_values` of all municipalities. One row per indicator and
    every month the indicator has in ``values`` or ``country``; columns
    :data:`TREND_COLUMNS` (``group_n``: the members with a value that month)."""
    code = int(municipality)
    members = sorted({int(m) for m in members} - {code, 0})
    wanted = list(indicators) if indicators is not None else sorted(values["indicator"].unique())
    values = values[values["indicator"].isin(wanted)]
    months = values[["indicator", "period"]]
    if country is not None and not country.empty:
        country = country[country["indicator"].isin(wanted)]
        months = pd.concat([months, country[["indicator", "period"]]])
    frame = months.drop_duplicates().set_index(["indicator", "period"]).sort_index()
    own = values[values["municipality_code"].eq(code)].set_index(["indicator", "period"])
    frame["municipality"] = own["value"]
    group = _group_mean(values, members, weighted)
    frame["group"] = group["group"]
    frame["group_n"] = group["group_n"]
    if country is not None and not country.empty:
        frame["country"] = country.set_index(["indicator", "period"])["value"]
    else:
        frame["country"] = np.nan
    frame = frame.reset_index()
    frame["group_n"] = frame["group_n"].fillna(0).astype("int64")
    for column in ("municipality", "group", "country"):
        frame[column] = frame[column].astype("float64")
    order = {name: i for i, name in enumerate(wanted)}
    frame = frame.sort_values(
        ["indicator", "period"],
        key=lambda s: s.map(order) if s.name == "indicator" else s,
        kind="stable",
    )
    return frame[TREND_COLUMNS].reset_index(drop=True)


def series_breaks(indicator: Indicator | str, periods: Iterable[str]) -> list[str]:
    """The months (``YYYY-MM``) among ``periods`` where ``indicator``'s series breaks: the
    first month of a new series, as the catalogue records it (:attr:`Indicator.
    series_break`; the July 2025 kontanthjælp reform for the kontanthjælp tables). The
    snapshot itself holds no machine-readable mark of the break (its notes do not name
    it), so the catalogue is the one place it is kept; a break outside the months shown
    is not drawn."""
    indicator = CATALOGUE[indicator] if isinstance(indicator, str) else indicator
    if indicator.series_break is None:
        return []
    shown = sorted(str(p) for p in periods)
    if not shown:
        return []
    first = pd.Period(indicator.series_break, freq="M")
    inside = pd.Period(shown[0], freq="M") < first <= pd.Period(shown[-1], freq="M")
    return [str(first)] if inside else []


def _shown(value: float, decimals: int) -> float:
    return round(float(value), decimals)


def _difference(own: float, other: float, decimals: int) -> float:
    """own − other as the table shows them (each rounded to the published decimal)."""
    if pd.isna(own) or pd.isna(other):
        return math.nan
    return _shown(_shown(own, decimals) - _shown(other, decimals), decimals)


def movement(gap: float, previous_gap: float, step: float) -> str:
    """How the distance to the group changed: ``towards`` (smaller), ``away`` (larger),
    ``steady`` (changed by at most ``step``, one unit of the last decimal) or ``crossed``
    (above the group a year before and below it now, or the other way round, each by more
    than ``step``); ``no_data`` without both distances."""
    if gap is None or previous_gap is None or pd.isna(gap) or pd.isna(previous_gap):
        return NO_DATA

    def side(value: float) -> int:
        return 0 if abs(value) <= step + _EPS else (1 if value > 0 else -1)

    if side(gap) * side(previous_gap) < 0:
        return CROSSED
    change = abs(gap) - abs(previous_gap)
    if abs(change) <= step + _EPS:
        return STEADY
    return TOWARDS if change < 0 else AWAY


def group_gaps(
    levels: pd.DataFrame,
    scorecard: pd.DataFrame,
    members: Iterable[int],
    *,
    weighted: bool = False,
) -> pd.DataFrame:
    """Per indicator of ``scorecard``: the municipality's distance to its group's average
    in the level window (``gap`` = level − cluster level, as the table shows them) and in
    the same months a year before (``previous_gap``, from the members' levels a year
    before in ``levels``, weighted like the scorecard), and the :func:`movement`.

    A figure resting on too few persons (``small_base``) gets no movement (``small_base``),
    as it gets no arrow. Columns :data:`GAP_COLUMNS`."""
    code = int(scorecard["municipality_code"].iloc[0]) if len(scorecard) else 0
    members = sorted({int(m) for m in members} - {code, 0})
    part = levels[levels["municipality_code"].isin(members)]
    rows = []
    for row in scorecard.itertuples(index=False):
        indicator = CATALOGUE[row.indicator]
        decimals = indicator.decimals
        before = part[part["indicator"].eq(row.indicator) & part["previous_level"].notna()]
        if weighted:
            before = before[before["labour_force"].gt(0)]
            previous_cluster = (
                float(np.average(before["previous_level"], weights=before["labour_force"]))
                if len(before)
                else math.nan
            )
        else:
            previous_cluster = float(before["previous_level"].mean()) if len(before) else math.nan

        gap = _difference(row.level, row.cluster_level, decimals)
        previous_gap = _difference(row.previous_level, previous_cluster, decimals)
        moved = movement(gap, previous_gap, indicator.step)
        if bool(getattr(row, "small_base", False)) and moved != NO_DATA:
            moved = SMALL_BASE
        rows.append(
            {
                "indicator": row.indicator,
                "level": row.level,
                "cluster_level": row.cluster_level,
                "gap": gap,
                "previous_level": row.previous_level,
                "previous_cluster_level": previous_cluster,
                "previous_gap": previous_gap,
                "movement": moved,
            }
        )
    frame = pd.DataFrame(rows, columns=GAP_COLUMNS)
    for column in GAP_COLUMNS[1:-1]:
        frame[column] = frame[column].astype("float64")
    frame["movement"] = frame["movement"].astype("str")
    return frame
