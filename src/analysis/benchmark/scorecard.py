"""The scorecard engine: KLK's arrow and colour rules, and cluster comparisons.

The rules are those of Bilag 5 in KLK's 2012 report on Jobcenter Aabenraa:

- The **arrow** judges the municipality's *own* one-year development: ▲ good, ▼ bad,
  ▶ unchanged. Whether a rise is good depends on the indicator (a fall in recipients is
  good, so its arrow points up). The arrow does not look at the cluster.
- The **colour** compares the municipality with the cluster average, once for the level
  and once for the development: green better, orange worse, grey the same.

"The same" needs a tolerance. The default treats differences of at most one unit of the
last published decimal (0.1 for rates published with one decimal) as the same. That is
how KLK's own text reads its tables: 3.4 % against 3.3 % and 1.7 % against 1.6 % are
"stort set samme niveau", 2.5 % against 2.7 % is "lidt mindre", and a development of
-4.9 % against -4.6 % is "lidt bedre" (see :mod:`analysis.benchmark.klk`, which checks
every such statement). A development is "unchanged" when it rounds to zero at the
published precision (|change| < 0.05).

Missing or suppressed values never give an arrow or a colour: they give ``no_data``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.benchmark.indicators import (
    CATALOGUE,
    JOBINDSATS_INDICATORS,
    PERCENT,
    STATUS_MISSING,
    STATUS_OK,
    Indicator,
)

UP, DOWN, FLAT = "up", "down", "flat"
BETTER, WORSE, SAME = "better", "worse", "same"
NO_DATA, NO_DIRECTION = "no_data", "no_direction"

ARROW_SYMBOLS = {UP: "▲", DOWN: "▼", FLAT: "▶", NO_DATA: "–", NO_DIRECTION: ""}
SYMBOL_ARROWS = {"▲": UP, "▼": DOWN, "▶": FLAT, "": NO_DIRECTION}

#: Developments are published with one decimal (percent or percentage points).
DEVELOPMENT_DECIMALS = 1
_EPS = 1e-9  # printed figures are decimal; 1.7 - 1.6 is 0.10000000000000009 in binary


@dataclass(frozen=True)
class Tolerance:
    """When a difference counts as "the same" (grey) and a development as unchanged (▶).

    ``level_steps`` and ``development_steps`` are in units of the last published decimal
    (an indicator with one decimal has a step of 0.1); ``level_relative`` optionally widens
    the level band to a share of the cluster mean (0.05 = within 5 %). ``arrow_steps``:
    a development smaller than this many steps is unchanged (0.5: rounds to 0.0).
    """

    level_steps: float = 1.0
    level_relative: float = 0.0
    development_steps: float = 1.0
    arrow_steps: float = 0.5

    def level_band(self, indicator: Indicator, cluster_value: float) -> float:
        return max(self.level_steps * indicator.step, self.level_relative * abs(cluster_value))

    @property
    def development_band(self) -> float:
        return self.development_steps * 10.0**-DEVELOPMENT_DECIMALS

    @property
    def arrow_band(self) -> float:
        return self.arrow_steps * 10.0**-DEVELOPMENT_DECIMALS


DEFAULT_TOLERANCE = Tolerance()


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)


def development_change(latest: float, previous: float, kind: str) -> float:
    """One-year development: relative change in percent, or the difference in points."""
    if _missing(latest) or _missing(previous):
        return math.nan
    if kind == PERCENT:
        if previous == 0:
            return math.nan  # a percent change from zero is undefined
        return (latest / previous - 1.0) * 100.0
    return latest - previous


def arrow(
    development: float, indicator: Indicator, tolerance: Tolerance = DEFAULT_TOLERANCE
) -> str:
    """KLK's arrow for the municipality's own development: up (good), down (bad), flat.

    ``no_direction`` for indicators without a judgement, ``no_data`` without a development.
    """
    if indicator.sign == 0:
        return NO_DIRECTION
    if _missing(development):
        return NO_DATA
    if abs(development) < tolerance.arrow_band - _EPS:
        return FLAT
    return UP if development * indicator.sign > 0 else DOWN


def compare(
    value: float,
    cluster_value: float,
    indicator: Indicator,
    *,
    kind: str = "level",
    tolerance: Tolerance = DEFAULT_TOLERANCE,
) -> str:
    """Colour of a comparison with the cluster: better (green), worse (orange), same (grey).

    ``kind`` is "level" or "development"; the band comes from ``tolerance``.
    """
    if indicator.sign == 0:
        return NO_DIRECTION
    if _missing(value) or _missing(cluster_value):
        return NO_DATA
    band = (
        tolerance.level_band(indicator, cluster_value)
        if kind == "level"
        else tolerance.development_band
    )
    difference = value - cluster_value
    if abs(difference) <= band + _EPS:
        return SAME
    return BETTER if difference * indicator.sign > 0 else WORSE


def cluster_mean(values: pd.Series, weights: pd.Series | None = None) -> tuple[float, int]:
    """Mean of the members' values (weighted if ``weights``) and how many had a value.

    Members without a value (or, when weighted, without a weight) are left out.
    """
    values = pd.to_numeric(values, errors="coerce").astype("float64")
    mask = values.notna()
    if weights is not None:
        weights = pd.to_numeric(weights, errors="coerce").astype("float64")
        mask &= weights.notna() & weights.gt(0)
    n = int(mask.sum())
    if n == 0:
        return math.nan, 0
    if weights is None:
        return float(values[mask].mean()), n
    return float(np.average(values[mask], weights=weights[mask])), n


# --- periods and levels ------------------------------------------------------------------


def comparison_periods(panel: pd.DataFrame, indicator_id: str) -> tuple[pd.Period, pd.Period]:
    """The indicator's latest month (with any published value) and the month a year before.

    Chosen per indicator, since ordinary wage hours are published a month later.
    """
    rows = panel[panel["indicator"].eq(indicator_id)]
    published = rows.loc[rows["status"].ne(STATUS_MISSING), "period"]
    if published.empty:
        published = rows["period"]
    latest = published.max()
    return latest, latest - 12


def crosses_break(indicator: Indicator, previous: pd.Period, latest: pd.Period) -> bool:
    """True when the comparison compares a month before a series break with one after."""
    if indicator.series_break is None:
        return False
    first_new = pd.Period(indicator.series_break, freq="M")
    return previous < first_new <= latest


LEVEL_COLUMNS = [
    "municipality_code",
    "indicator",
    "period",
    "previous_period",
    "level",
    "previous_level",
    "development",
    "status",
    "previous_status",
    "labour_force",
    "crosses_break",
]


def level_table(
    panel: pd.DataFrame, indicators: Sequence[str] = JOBINDSATS_INDICATORS
) -> pd.DataFrame:
    """Each municipality's latest level, the level a year before and the development.

    One row per municipality and indicator; ``status`` / ``previous_status`` say why a
    level is missing (``missing`` or ``small_count``); ``labour_force`` is that of the
    latest month (the weight of a weighted cluster mean).
    """
    frames = []
    codes = pd.Index(sorted(panel["municipality_code"].unique()), name="municipality_code")
    for indicator_id in indicators:
        indicator = CATALOGUE[indicator_id]
        latest, previous = comparison_periods(panel, indicator_id)
        rows = panel[panel["indicator"].eq(indicator_id)].set_index(["period", "municipality_code"])
        periods = set(rows.index.get_level_values("period"))
        now = rows.xs(latest, level="period").reindex(codes) if latest in periods else None
        before = rows.xs(previous, level="period").reindex(codes) if previous in periods else None
        frame = pd.DataFrame(index=codes).reset_index()
        frame["indicator"] = indicator_id
        frame["period"] = str(latest)
        frame["previous_period"] = str(previous)
        frame["level"] = now["value"].to_numpy() if now is not None else np.nan
        frame["previous_level"] = before["value"].to_numpy() if before is not None else np.nan
        frame["status"] = (
            now["status"].fillna(STATUS_MISSING).to_numpy() if now is not None else STATUS_MISSING
        )
        frame["previous_status"] = (
            before["status"].fillna(STATUS_MISSING).to_numpy()
            if before is not None
            else STATUS_MISSING
        )
        frame["labour_force"] = now["labour_force"].to_numpy() if now is not None else np.nan
        frame["development"] = [
            development_change(a, b, indicator.development)
            for a, b in zip(frame["level"], frame["previous_level"], strict=True)
        ]
        frame["crosses_break"] = crosses_break(indicator, previous, latest)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    for column in ("indicator", "period", "previous_period", "status", "previous_status"):
        table[column] = table[column].astype("str")
    return table[LEVEL_COLUMNS]


# --- scorecards ----------------------------------------------------------------------------

SCORECARD_COLUMNS = [
    "municipality_code",
    "cluster",
    "indicator",
    "period",
    "previous_period",
    "level",
    "previous_level",
    "development",
    "development_kind",
    "arrow",
    "cluster_level",
    "cluster_development",
    "level_status",
    "development_status",
    "cluster_size",
    "cluster_n_level",
    "cluster_n_development",
    "weighted",
    "crosses_break",
    "labour_force",
    "note",
]


def _note(row: pd.Series) -> str:
    notes = []
    if row["status"] != STATUS_OK:
        notes.append(row["status"])
    elif row["previous_status"] != STATUS_OK:
        notes.append(f"previous_{row['previous_status']}")
    if row["cluster_n_level"] == 0:
        notes.append("cluster_no_data")
    if row["crosses_break"]:
        notes.append("series_break")
    return ";".join(notes)


def scorecards(
    levels: pd.DataFrame,
    memberships: pd.DataFrame,
    *,
    weighted: bool = False,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
) -> pd.DataFrame:
    """Scorecards for many municipality/cluster pairs at once.

    ``memberships`` has columns municipality_code, cluster, member_code (one row per
    member). A municipality never counts in its own cluster average, even if listed.
    Cluster means are plain means of the members' levels and developments, or with
    ``weighted`` means weighted by each member's labour force (the weighted mean of a rate
    is the rate of the cluster as a whole). One row per pair and indicator.
    """
    members = memberships[
        memberships["member_code"].ne(memberships["municipality_code"])
        & memberships["member_code"].gt(0)
    ]
    sizes = members.groupby(["municipality_code", "cluster"]).size().rename("cluster_size")
    joined = members.merge(
        levels.rename(columns={"municipality_code": "member_code"}),
        on="member_code",
        how="left",
    )
    weights = joined["labour_force"] if weighted else pd.Series(1.0, index=joined.index)
    joined = joined.assign(
        _w=weights.where(weights.gt(0)),
    )
    aggregates = {}
    for column, out in (("level", "cluster_level"), ("development", "cluster_development")):
        valid = joined[column].notna() & joined["_w"].notna()
        part = joined[valid].assign(_wx=lambda f, c=column: f[c] * f["_w"])
        grouped = part.groupby(["municipality_code", "cluster", "indicator"])
        aggregates[out] = grouped["_wx"].sum() / grouped["_w"].sum()
        aggregates[out.replace("cluster_", "cluster_n_")] = grouped.size()
    stats = pd.DataFrame(aggregates)
    pairs = memberships[["municipality_code", "cluster"]].drop_duplicates()
    own = pairs.merge(levels, on="municipality_code", how="left")
    table = own.merge(
        stats.reset_index(), on=["municipality_code", "cluster", "indicator"], how="left"
    ).merge(sizes.reset_index(), on=["municipality_code", "cluster"], how="left")
    for column in ("cluster_n_level", "cluster_n_development", "cluster_size"):
        table[column] = table[column].fillna(0).astype("int64")
    indicators = [CATALOGUE[i] for i in table["indicator"]]
    table["development_kind"] = [i.development for i in indicators]
    table["arrow"] = [
        arrow(d, i, tolerance) for d, i in zip(table["development"], indicators, strict=True)
    ]
    table["level_status"] = [
        compare(v, c, i, kind="level", tolerance=tolerance)
        for v, c, i in zip(table["level"], table["cluster_level"], indicators, strict=True)
    ]
    table["development_status"] = [
        compare(v, c, i, kind="development", tolerance=tolerance)
        for v, c, i in zip(
            table["development"], table["cluster_development"], indicators, strict=True
        )
    ]
    table["weighted"] = bool(weighted)
    table["note"] = table.apply(_note, axis=1) if len(table) else pd.Series(dtype="str")
    order = {name: i for i, name in enumerate(CATALOGUE)}
    table["_order"] = table["indicator"].map(order)
    table = table.sort_values(["municipality_code", "cluster", "_order"], kind="stable")
    for column in ("cluster", "indicator", "arrow", "level_status", "development_status", "note"):
        table[column] = table[column].astype("str")
    return table[SCORECARD_COLUMNS].reset_index(drop=True)


def scorecard(
    levels: pd.DataFrame,
    municipality: int,
    members: Iterable[int],
    *,
    cluster: str,
    weighted: bool = False,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
) -> pd.DataFrame:
    """One municipality's scorecard against the cluster ``members`` (itself excluded)."""
    memberships = pd.DataFrame(
        {"municipality_code": int(municipality), "cluster": cluster, "member_code": list(members)}
    )
    if memberships.empty:
        memberships = pd.DataFrame(
            {"municipality_code": [int(municipality)], "cluster": [cluster], "member_code": [0]}
        )
    memberships["member_code"] = memberships["member_code"].astype("int64")
    return scorecards(levels, memberships, weighted=weighted, tolerance=tolerance)
