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
every such statement). The comparison is made on the figures as shown (rounded to the
published decimal), so a colour never contradicts the two numbers beside it and the
legend. A development is "unchanged" when it rounds to zero at the published precision
(|change| < 0.05).

Levels and developments follow KLK's tables ("3.kvt.11", "3.kvt.10 - 3.kvt.11"): a level
is the average of the latest three months (:data:`LEVEL_MONTHS`), a development compares
it with the same months a year before, and for a rate of the labour force the development
is computed from the published counts of persons, not from rates rounded to one decimal.

Missing or suppressed values never give an arrow or a colour: they give ``no_data``. A
figure that rests on fewer than :data:`SMALL_BASE_THRESHOLD` persons gets no arrow and no
colour either (``small_base``): 8 persons becoming 16 is "+100 %".
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
    STATUS_SMALL,
    Indicator,
)

UP, DOWN, FLAT = "up", "down", "flat"
BETTER, WORSE, SAME = "better", "worse", "same"
NO_DATA, NO_DIRECTION = "no_data", "no_direction"
#: too few persons behind the figure to judge it: no arrow, no colour
SMALL_BASE = "small_base"

ARROW_SYMBOLS = {UP: "▲", DOWN: "▼", FLAT: "▶", NO_DATA: "–", NO_DIRECTION: "", SMALL_BASE: ""}
SYMBOL_ARROWS = {"▲": UP, "▼": DOWN, "▶": FLAT, "": NO_DIRECTION}

#: Developments are published with one decimal (percent or percentage points).
DEVELOPMENT_DECIMALS = 1
#: Months a level averages: KLK's tables show the latest quarter ("3.kvt.11").
LEVEL_MONTHS = 3
#: Fewer persons than this behind a figure (now, or a year before for a development):
#: no arrow and no colour. With 20 persons one person more or less moves a rate by 5 %.
SMALL_BASE_THRESHOLD = 20
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

    ``kind`` is "level" or "development"; the band comes from ``tolerance``. Both figures
    are compared as shown, rounded to the published decimal (the level's, or one decimal
    for a development), so that "2,4 % against 2,3 %" is the same when the legend says
    that differences of 0,1 are.
    """
    if indicator.sign == 0:
        return NO_DIRECTION
    if _missing(value) or _missing(cluster_value):
        return NO_DATA
    decimals = indicator.decimals if kind == "level" else DEVELOPMENT_DECIMALS
    value, cluster_value = round(float(value), decimals), round(float(cluster_value), decimals)
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


def comparison_window(
    panel: pd.DataFrame, indicator_id: str, months: int = LEVEL_MONTHS
) -> list[pd.Period]:
    """The months a level averages: the latest ``months`` months up to the indicator's
    latest month, as far back as the panel has the series without a gap (a series
    published for the latest month only gives a window of one month)."""
    latest, _ = comparison_periods(panel, indicator_id)
    present = set(panel.loc[panel["indicator"].eq(indicator_id), "period"])
    window = [latest]
    while len(window) < months and (window[0] - 1) in present:
        window.insert(0, window[0] - 1)
    return window


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
    "period_start",
    "previous_period_start",
    "months",
    "persons",
    "previous_persons",
    "small_base",
]


def _window_values(
    rows: pd.DataFrame, window: list[pd.Period], codes: pd.Index, present: set
) -> pd.DataFrame:
    """Per municipality: the mean value, persons and labour force over ``window`` and the
    window's status (``small_count`` if any month is small, else ``missing`` if any month
    is missing or absent, else ok)."""
    if not window or any(p not in present for p in window):
        return pd.DataFrame(
            {"value": np.nan, "persons": np.nan, "labour_force": np.nan, "status": STATUS_MISSING},
            index=codes,
        )
    part = rows[rows["period"].isin(window)]
    grouped = part.groupby("municipality_code")
    n = grouped["period"].nunique().reindex(codes, fill_value=0)
    statuses = (
        part.assign(
            _small=part["status"].eq(STATUS_SMALL), _missing=part["status"].eq(STATUS_MISSING)
        )
        .groupby("municipality_code")[["_small", "_missing"]]
        .any()
    )
    statuses = statuses.reindex(codes, fill_value=False)
    complete = n.eq(len(window)) & ~statuses["_small"] & ~statuses["_missing"]
    status = np.where(
        statuses["_small"], STATUS_SMALL, np.where(complete, STATUS_OK, STATUS_MISSING)
    )
    persons_complete = grouped["persons"].count().reindex(codes, fill_value=0).eq(len(window))
    frame = pd.DataFrame(
        {
            "value": grouped["value"].mean().reindex(codes).where(complete),
            "persons": grouped["persons"].mean().reindex(codes).where(persons_complete),
            "labour_force": grouped["labour_force"].mean().reindex(codes),
            "status": status,
        },
        index=codes,
    )
    return frame


def level_table(
    panel: pd.DataFrame,
    indicators: Sequence[str] = JOBINDSATS_INDICATORS,
    *,
    months: int = LEVEL_MONTHS,
) -> pd.DataFrame:
    """Each municipality's level (the average of the latest ``months`` months), the level
    of the same months a year before and the development.

    One row per municipality and indicator. ``period`` / ``previous_period`` are the last
    months of the two windows, ``period_start`` / ``previous_period_start`` their first
    months and ``months`` their length. ``persons`` / ``previous_persons`` are the average
    persons behind the figure (see :attr:`Indicator.persons_measure`); a development in
    percent is the change in these persons (KLK's "Udvikling seneste år i procent",
    from counts Jobindsats publishes exactly, not from rates rounded to one decimal),
    one in points the difference of the levels. ``small_base`` marks a figure resting on
    fewer than :data:`SMALL_BASE_THRESHOLD` persons now or a year before. ``status`` /
    ``previous_status`` say why a level is missing (``missing`` or ``small_count``);
    ``labour_force`` is the average of the latest window (the weight of a weighted
    cluster mean).
    """
    frames = []
    codes = pd.Index(sorted(panel["municipality_code"].unique()), name="municipality_code")
    for indicator_id in indicators:
        indicator = CATALOGUE[indicator_id]
        window = comparison_window(panel, indicator_id, months)
        before = [p - 12 for p in window]
        rows = panel[panel["indicator"].eq(indicator_id)]
        present = set(rows["period"])
        now = _window_values(rows, window, codes, present)
        then = _window_values(rows, before, codes, present)
        frame = pd.DataFrame(index=codes).reset_index()
        frame["indicator"] = indicator_id
        frame["period"] = str(window[-1])
        frame["previous_period"] = str(before[-1])
        frame["period_start"] = str(window[0])
        frame["previous_period_start"] = str(before[0])
        frame["months"] = len(window)
        frame["level"] = now["value"].to_numpy()
        frame["previous_level"] = then["value"].to_numpy()
        frame["status"] = now["status"].to_numpy()
        frame["previous_status"] = then["status"].to_numpy()
        frame["labour_force"] = now["labour_force"].to_numpy()
        frame["persons"] = now["persons"].to_numpy()
        frame["previous_persons"] = then["persons"].to_numpy()
        has_persons = bool(indicator.persons_measure) and rows["persons"].notna().any()
        frame["development"] = [
            _development(indicator, level, previous, persons, previous_persons, has_persons)
            for level, previous, persons, previous_persons in zip(
                frame["level"],
                frame["previous_level"],
                frame["persons"],
                frame["previous_persons"],
                strict=True,
            )
        ]
        frame["small_base"] = (
            _small_base(frame["persons"], frame["level"], has_persons)
            | (
                frame["development"].notna()
                & _small_base(frame["previous_persons"], frame["previous_level"], has_persons)
            )
        ).astype(bool)
        frame["crosses_break"] = crosses_break(indicator, before[0], window[-1])
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    for column in (
        "indicator",
        "period",
        "previous_period",
        "period_start",
        "previous_period_start",
        "status",
        "previous_status",
    ):
        table[column] = table[column].astype("str")
    table["months"] = table["months"].astype("int64")
    return table[LEVEL_COLUMNS]


def _development(
    indicator: Indicator,
    level: float,
    previous: float,
    persons: float,
    previous_persons: float,
    has_persons: bool,
) -> float:
    """A development from the persons counts where the indicator has them (in percent),
    else from the levels; NaN without a level now and a year before."""
    if _missing(level) or _missing(previous):
        return math.nan
    if indicator.development == PERCENT and has_persons and not indicator.persons_of:
        if _missing(persons) or _missing(previous_persons):
            return math.nan  # the count was suppressed: too few to tell
        return development_change(persons, previous_persons, PERCENT)
    return development_change(level, previous, indicator.development)


def _small_base(persons: pd.Series, level: pd.Series, has_persons: bool) -> pd.Series:
    """Figures resting on fewer than SMALL_BASE_THRESHOLD persons (a suppressed count
    behind a published figure counts as small: Jobindsats suppresses the small ones)."""
    if not has_persons:
        return pd.Series(False, index=persons.index)
    shown = level.notna()
    return shown & (persons.isna() | persons.lt(SMALL_BASE_THRESHOLD))


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
    # added by issue 20: KLK's windows, the persons, the whole country, the tally
    "period_start",
    "previous_period_start",
    "months",
    "persons",
    "previous_persons",
    "small_base",
    "country_level",
    "country_development",
    "country_level_status",
    "country_development_status",
    "family",
    "counted",
]


def _note(row: pd.Series) -> str:
    notes = []
    if row["status"] != STATUS_OK:
        notes.append(row["status"])
    elif row["previous_status"] != STATUS_OK:
        notes.append(f"previous_{row['previous_status']}")
    if row["small_base"]:
        now_small = pd.isna(row["persons"]) or row["persons"] < SMALL_BASE_THRESHOLD
        notes.append(SMALL_BASE if now_small else f"previous_{SMALL_BASE}")
    if row["cluster_n_level"] == 0:
        notes.append("cluster_no_data")
    if row["crosses_break"]:
        notes.append("series_break")
    return ";".join(notes)


def _status(
    value: float, other: float, indicator: Indicator, kind: str, small: bool, tolerance: Tolerance
) -> str:
    status = compare(value, other, indicator, kind=kind, tolerance=tolerance)
    return SMALL_BASE if small and status in (BETTER, WORSE, SAME) else status


def _country_columns(table: pd.DataFrame, country: pd.DataFrame | None) -> pd.DataFrame:
    if country is None or country.empty:
        table["country_level"] = np.nan
        table["country_development"] = np.nan
        return table
    figures = country.drop_duplicates("indicator").set_index("indicator")
    table["country_level"] = table["indicator"].map(figures["level"]).astype("float64")
    table["country_development"] = table["indicator"].map(figures["development"]).astype("float64")
    return table


def scorecards(
    levels: pd.DataFrame,
    memberships: pd.DataFrame,
    *,
    weighted: bool = False,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
    country: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Scorecards for many municipality/cluster pairs at once.

    ``memberships`` has columns municipality_code, cluster, member_code (one row per
    member). A municipality never counts in its own cluster average, even if listed.
    Cluster means are plain means of the members' levels and developments, or with
    ``weighted`` means weighted by each member's labour force (the weighted mean of a rate
    is the rate of the cluster as a whole); a member's development resting on fewer than
    :data:`SMALL_BASE_THRESHOLD` persons is left out of the cluster's development.
    ``country``: the whole country's level table (:func:`level_table` of the national
    series), compared like a second cluster (KLK showed two groups side by side). One row
    per pair and indicator.
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
    small = joined["small_base"].fillna(False).astype(bool)
    aggregates = {}
    for column, out in (("level", "cluster_level"), ("development", "cluster_development")):
        valid = joined[column].notna() & joined["_w"].notna()
        if column == "development":
            valid &= ~small
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
    for column in ("cluster_level", "cluster_development"):
        table[column] = table[column].astype("float64")
    table = _country_columns(table, country)
    indicators = [CATALOGUE[i] for i in table["indicator"]]
    table["small_base"] = table["small_base"].fillna(False).astype(bool)
    small_level = [
        bool(s) and (pd.isna(p) or p < SMALL_BASE_THRESHOLD)
        for s, p in zip(table["small_base"], table["persons"], strict=True)
    ]
    table["development_kind"] = [i.development for i in indicators]
    table["arrow"] = [
        SMALL_BASE if s and a in (UP, DOWN, FLAT) else a
        for s, a in zip(
            table["small_base"],
            (arrow(d, i, tolerance) for d, i in zip(table["development"], indicators, strict=True)),
            strict=True,
        )
    ]
    for prefix, level_col, dev_col in (
        ("", "cluster_level", "cluster_development"),
        ("country_", "country_level", "country_development"),
    ):
        table[f"{prefix}level_status"] = [
            _status(v, c, i, "level", s, tolerance)
            for v, c, i, s in zip(
                table["level"], table[level_col], indicators, small_level, strict=True
            )
        ]
        table[f"{prefix}development_status"] = [
            _status(v, c, i, "development", s, tolerance)
            for v, c, i, s in zip(
                table["development"], table[dev_col], indicators, table["small_base"], strict=True
            )
        ]
    table["family"] = [i.family for i in indicators]
    table["counted"] = [i.counted for i in indicators]
    table["weighted"] = bool(weighted)
    table["note"] = table.apply(_note, axis=1) if len(table) else pd.Series(dtype="str")
    order = {name: i for i, name in enumerate(CATALOGUE)}
    table["_order"] = table["indicator"].map(order)
    table = table.sort_values(["municipality_code", "cluster", "_order"], kind="stable")
    for column in (
        "cluster",
        "indicator",
        "arrow",
        "level_status",
        "development_status",
        "country_level_status",
        "country_development_status",
        "family",
        "note",
    ):
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
    country: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One municipality's scorecard against the cluster ``members`` (itself excluded) and,
    with ``country``, against the whole country."""
    memberships = pd.DataFrame(
        {"municipality_code": int(municipality), "cluster": cluster, "member_code": list(members)}
    )
    if memberships.empty:
        memberships = pd.DataFrame(
            {"municipality_code": [int(municipality)], "cluster": [cluster], "member_code": [0]}
        )
    memberships["member_code"] = memberships["member_code"].astype("int64")
    return scorecards(levels, memberships, weighted=weighted, tolerance=tolerance, country=country)


def tally(card: pd.DataFrame) -> dict[str, int]:
    """Better / worse / same levels and good / bad developments, each outcome family
    counted once: indicators that are part of another's persons (dagpenge of the
    unemployed) and process measures (the activation degree) are shown but not counted
    (:attr:`Indicator.counted`); a figure without a colour (no data, small base) is in
    none of the counts."""
    counted = card[[CATALOGUE[i].counted for i in card["indicator"]]]
    return {
        "n_indicators": len(counted),
        "n_shown": len(card),
        "n_better": int(counted["level_status"].eq(BETTER).sum()),
        "n_worse": int(counted["level_status"].eq(WORSE).sum()),
        "n_same": int(counted["level_status"].eq(SAME).sum()),
        "n_up": int(counted["arrow"].eq(UP).sum()),
        "n_down": int(counted["arrow"].eq(DOWN).sum()),
        "n_small_base": int(counted["arrow"].eq(SMALL_BASE).sum()),
        "n_country_better": int(counted["country_level_status"].eq(BETTER).sum()),
        "n_country_worse": int(counted["country_level_status"].eq(WORSE).sum()),
    }
