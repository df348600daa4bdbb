"""Small multiples of the trends: one panel per indicator, month by month.

Each panel shows the municipality (black, solid), its comparison group's average (blue,
dashed) and the whole country (grey, dotted) over every month of the snapshot, on one
time axis shared by all panels. The band between the municipality and its group is
shaded: a band that narrows towards the right is a municipality moving towards its
group. The months the table's levels average are a hatched grey column at the right, a break in
a series (the July 2025 kontanthjælp reform) a dash-dotted vertical line marked "brud".
Above each panel, beside the indicator, the distance to the group in the level window a
year before and now, and in words whether that is closer or further away.

Line style, not colour alone, tells the three series apart, so the figure reads in
greyscale and in print. Numbers on the axes are in the report's number format. Axes are
placed at fixed positions (no layout pass), so a page's figure is cheap and always the
same.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator

from analysis.benchmark.indicators import CATALOGUE, KONTANTHJAELP_REFORM
from analysis.benchmark.plots import MEMBER_COLOUR, tick_decimals
from analysis.benchmark.scorecard import NO_DATA
from analysis.benchmark.summaries import format_period, format_window
from analysis.benchmark.trends import series_breaks
from analysis.formatting import format_number
from analysis.labels import t

OWN_COLOUR = "#000000"
GROUP_COLOUR = MEMBER_COLOUR
COUNTRY_COLOUR = "#7a7a7a"
GAP_COLOUR = "#9ec3ea"
WINDOW_COLOUR = "#ececec"
WINDOW_HATCH_COLOUR = "#8c8c8c"  # hatched: tells the window from the gap band in greyscale
WINDOW_STYLE = {
    "facecolor": WINDOW_COLOUR,
    "edgecolor": WINDOW_HATCH_COLOUR,
    "hatch": "////",
    "linewidth": 0,
}
BREAK_COLOUR = "#444444"
#: gids: tests and tools find the parts of the figure by these
PANEL_GID = "trend-panel-"  # + indicator id
WINDOW_GID = "level-window"
BREAK_GID = "series-break"
SERIES = ("municipality", "group", "country")
STYLES = {
    "municipality": {"color": OWN_COLOUR, "linestyle": "-", "linewidth": 1.5, "zorder": 4},
    "group": {"color": GROUP_COLOUR, "linestyle": (0, (4, 2)), "linewidth": 1.3, "zorder": 3},
    "country": {"color": COUNTRY_COLOUR, "linestyle": (0, (1, 1.5)), "linewidth": 1.3, "zorder": 2},
}

_COLUMNS = 2
_WIDTH = 7.5
_TITLE_INCHES, _PLOT_INCHES, _AXIS_INCHES = 0.44, 0.85, 0.22
_LEFT, _GAP, _RIGHT = 0.42, 0.42, 0.08
_TOP = 0.05
_WRAP = 56
_NOTE_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 1.5, "alpha": 0.9}


def month_positions(periods: Sequence[str]) -> dict[str, int]:
    """Each month ('2026-07') its place on the time axis: months since the first."""
    months = sorted({pd.Period(str(p), freq="M") for p in periods})
    if not months:
        return {}
    first = months[0]
    span = pd.period_range(first, months[-1], freq="M")
    return {str(p): int((p - first).n) for p in span}


def gap_text(gap_row: pd.Series | None, language: str) -> str:
    """'Forskel til gruppen: +0,8 → +0,9 · samme afstand' (the same three months a year
    before → now, as the table shows the figures); without a figure a year before the
    distance now alone."""
    if gap_row is None or pd.isna(gap_row["gap"]):
        return t("benchmark.trends.short.no_data", language).capitalize()
    decimals = CATALOGUE[gap_row["indicator"]].decimals
    now = format_number(gap_row["gap"], language, decimals=decimals, sign=True)
    if pd.isna(gap_row["previous_gap"]):
        return t("benchmark.trends.gap_now", language, now=now)
    before = format_number(gap_row["previous_gap"], language, decimals=decimals, sign=True)
    movement = t(f"benchmark.trends.short.{gap_row['movement']}", language)
    return t("benchmark.trends.gap", language, before=before, now=now, movement=movement)


def _y_ticks(low: float, high: float, language: str) -> tuple[list[float], list[str]]:
    ticks = [v for v in MaxNLocator(3).tick_values(low, high) if low - 1e-12 <= v <= high + 1e-12]
    decimals = tick_decimals(ticks)
    return ticks, [format_number(v, language, decimals=decimals) for v in ticks]


def _limits(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 0.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.08
    return max(0.0, low - pad) if low >= 0 else low - pad, high + pad


def _isolated(values: np.ndarray) -> np.ndarray:
    """Points without a neighbour (a line cannot draw them): drawn as dots."""
    present = np.isfinite(values)
    before = np.concatenate([[False], present[:-1]])
    after = np.concatenate([present[1:], [False]])
    return present & ~before & ~after


def trend_figure(
    trends: pd.DataFrame,
    scorecard: pd.DataFrame,
    gaps: pd.DataFrame,
    *,
    name: str,
    cluster: str,
    language: str = "da",
) -> plt.Figure:
    """The small multiples: one panel per row of ``scorecard`` (in its order) from
    ``trends`` (:func:`analysis.benchmark.trends.trend_series`), with the level window of
    each row, the series breaks of the catalogue and the distances of ``gaps``
    (:func:`analysis.benchmark.trends.group_gaps`); a legend in the last cell."""
    indicators = list(scorecard["indicator"])
    positions = month_positions(trends["period"]) if len(trends) else {}
    span = max(positions.values(), default=0)
    rows = math.ceil((len(indicators) + 1) / _COLUMNS)
    row_inches = _TITLE_INCHES + _PLOT_INCHES + _AXIS_INCHES
    height = _TOP + rows * row_inches
    fig = plt.figure(figsize=(_WIDTH, height))
    width = (_WIDTH - _LEFT - _RIGHT - _GAP * (_COLUMNS - 1)) / _COLUMNS
    by_gap = {r["indicator"]: r for _, r in gaps.iterrows()}
    years = sorted({p[:4] for p in positions})
    year_ticks = [(positions[f"{y}-01"], y) for y in years if f"{y}-01" in positions]
    breaks_drawn: set[str] = set()

    def cell(index: int) -> tuple[float, float, float, float]:
        row, column = divmod(index, _COLUMNS)
        left = _LEFT + column * (width + _GAP)
        bottom = height - _TOP - (row + 1) * row_inches + _AXIS_INCHES
        return (left / _WIDTH, bottom / height, width / _WIDTH, _PLOT_INCHES / height)

    for index, card in enumerate(scorecard.itertuples(index=False)):
        indicator = CATALOGUE[card.indicator]
        ax = fig.add_axes(cell(index))
        ax.set_gid(PANEL_GID + card.indicator)
        part = trends[trends["indicator"].eq(card.indicator)]
        x = np.array([positions[p] for p in part["period"]], dtype=float)
        series = {s: part[s].to_numpy(dtype=float) for s in SERIES}
        start = str(getattr(card, "period_start", "") or card.period)
        if start in positions and str(card.period) in positions:
            ax.axvspan(
                positions[start] - 0.5,
                positions[str(card.period)] + 0.5,
                zorder=0,
                gid=WINDOW_GID,
                **WINDOW_STYLE,
            )
        both = np.isfinite(series["municipality"]) & np.isfinite(series["group"])
        if both.any():
            ax.fill_between(
                x,
                series["municipality"],
                series["group"],
                where=both,
                color=GAP_COLOUR,
                alpha=0.55,
                linewidth=0,
                zorder=1,
                interpolate=False,
            )
        for key in SERIES:
            values = series[key]
            ax.plot(x, values, gid=key, **STYLES[key])
            lonely = _isolated(values)
            if lonely.any():
                ax.scatter(
                    x[lonely],
                    values[lonely],
                    s=14,
                    color=STYLES[key]["color"],
                    zorder=STYLES[key]["zorder"],
                    gid=f"{key}-points",
                )
        low, high = _limits(np.concatenate([series[s] for s in SERIES]))
        ax.set_ylim(low, high)
        ax.set_xlim(-0.5, span + 0.5)
        for month in series_breaks(indicator, part["period"]):
            breaks_drawn.add(month)
            ax.axvline(
                positions[month] - 0.5,
                color=BREAK_COLOUR,
                linestyle="-.",
                linewidth=1,
                zorder=5,
                gid=BREAK_GID,
            )
            ax.text(
                positions[month] - 0.1,
                high,
                t("benchmark.trends.break_short", language),
                fontsize=6.5,
                ha="left",
                va="top",
                color=BREAK_COLOUR,
            )
        ticks, labels = _y_ticks(low, high, language)
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_major_formatter(FixedFormatter(labels))
        ax.xaxis.set_major_locator(FixedLocator([p for p, _ in year_ticks]))
        ax.xaxis.set_major_formatter(FixedFormatter([y for _, y in year_ticks]))
        ax.tick_params(labelsize=7, length=2, pad=1.5)
        ax.grid(True, axis="y", color="#e6e6e6", linewidth=0.6)
        ax.grid(False, axis="x")
        ax.set_facecolor("white")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color("#999999")
            ax.spines[side].set_linewidth(0.7)
        shown = np.isfinite(series["municipality"]).sum()
        note = None  # too little to draw a line: the panel says so
        if shown == 0:
            note = t("benchmark.trends.no_data", language, name=name)
        elif shown == 1:
            month = format_period(card.period, language)
            note = t("benchmark.trends.one_month", language, month=month)
        if note is not None:
            ax.text(0.5, 0.5, note, transform=ax.transAxes, fontsize=7, ha="center",
                    va="center", color="#333333", bbox=_NOTE_BOX)  # fmt: skip
        title = textwrap.fill(indicator.label(language), _WRAP)
        subtitle = gap_text(by_gap.get(card.indicator), language)
        ax.text(
            0,
            1.0 + 0.04,
            f"{title}\n{subtitle}",
            transform=ax.transAxes,
            fontsize=7.2,
            ha="left",
            va="bottom",
            linespacing=1.15,
        )
    legend_ax = fig.add_axes(cell(len(indicators)))
    legend_ax.set_axis_off()
    handles = [
        plt.Line2D([], [], **{k: v for k, v in STYLES["municipality"].items() if k != "zorder"}),
        plt.Line2D([], [], **{k: v for k, v in STYLES["group"].items() if k != "zorder"}),
        plt.Line2D([], [], **{k: v for k, v in STYLES["country"].items() if k != "zorder"}),
        Patch(color=GAP_COLOUR, alpha=0.55, linewidth=0),
        Patch(**WINDOW_STYLE),
    ]
    labels = [
        name,
        t("benchmark.trends.legend.group", language, cluster=cluster),
        t("benchmark.trends.legend.country", language),
        t("benchmark.trends.legend.gap", language),
        t("benchmark.trends.legend.window", language),
    ]
    for month in sorted(breaks_drawn):
        handles.append(plt.Line2D([], [], color=BREAK_COLOUR, linestyle="-.", linewidth=1))
        key = "break_reform" if month == KONTANTHJAELP_REFORM else "break"
        labels.append(
            t(f"benchmark.trends.legend.{key}", language, month=format_period(month, language))
        )
    legend_ax.legend(
        handles,
        [textwrap.fill(label, 44) for label in labels],
        loc="center left",
        fontsize=7,
        frameon=False,
        handlelength=2.6,
        borderaxespad=0,
    )
    return fig


def panel_axes(fig: plt.Figure) -> dict[str, plt.Axes]:
    """The panels by indicator id (in the figure's order)."""
    return {
        str(ax.get_gid()).removeprefix(PANEL_GID): ax
        for ax in fig.axes
        if str(ax.get_gid() or "").startswith(PANEL_GID)
    }


def axis_labels(ax: plt.Axes, which: str = "y") -> list[str]:
    """The tick labels an axis draws (in the report's number format)."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    return [str(x) for x in axis.get_major_formatter().format_ticks(axis.get_majorticklocs())]


def trend_alt(
    gaps: pd.DataFrame,
    scorecard: pd.DataFrame,
    trends: pd.DataFrame,
    *,
    name: str,
    cluster: str,
    language: str = "da",
) -> str:
    """What the figure shows, in words: the months, the three series and the level
    window, then per indicator the level against the group's now and a year before and
    whether the municipality moved towards its group or away from it; the series breaks
    drawn."""
    from analysis.benchmark.summaries import format_level

    def window(card: object) -> str:
        return format_window(getattr(card, "period_start", None), card.period, language)

    periods = sorted(trends["period"].unique()) if len(trends) else []
    cards = list(scorecard.itertuples(index=False))
    main = window(cards[0]) if cards else ""
    parts = [
        t(
            "benchmark.trends.alt",
            language,
            name=name,
            cluster=cluster,
            start=format_period(periods[0], language) if periods else "",
            end=format_period(periods[-1], language) if periods else "",
            window=main,
        )
    ]
    by_gap = {r["indicator"]: r for _, r in gaps.iterrows()}
    breaks: set[str] = set()
    for card in cards:
        label = CATALOGUE[card.indicator].label(language)
        if window(card) != main:
            label += f" ({window(card)})"
        row = by_gap.get(card.indicator)
        movement = str(row["movement"]) if row is not None else NO_DATA
        words = t(f"benchmark.trends.movement.{movement}", language)
        if row is None or pd.isna(row["level"]):
            parts.append(t("benchmark.trends.alt_no_data", language, indicator=label, name=name))
        elif pd.isna(row["cluster_level"]):
            parts.append(f"{label}: {t('benchmark.note.cluster_no_data', language)}.")
        else:
            clause = t(
                "benchmark.trends.alt_indicator",
                language,
                indicator=label,
                level=format_level(row["level"], card.indicator, language),
                cluster_level=format_level(row["cluster_level"], card.indicator, language),
            )
            if not pd.isna(row["previous_level"]) and not pd.isna(row["previous_cluster_level"]):
                clause += t(
                    "benchmark.trends.alt_before",
                    language,
                    level=format_level(row["previous_level"], card.indicator, language),
                    cluster_level=format_level(
                        row["previous_cluster_level"], card.indicator, language
                    ),
                )
            parts.append(f"{clause} – {words}.")
        part = trends[trends["indicator"].eq(card.indicator)]
        breaks.update(series_breaks(card.indicator, part["period"]))
    for month in sorted(breaks):
        key = "alt_break_reform" if month == KONTANTHJAELP_REFORM else "alt_break"
        parts.append(t(f"benchmark.trends.{key}", language, month=format_period(month, language)))
    return " ".join(parts)
