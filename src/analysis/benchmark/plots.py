"""One compact figure: the municipality among its cluster, one strip per indicator.

Each strip shows the latest levels on the indicator's own scale: all 98 municipalities as
small light-grey dots (context), the cluster's members as blue dots, the cluster average
as a dashed mark and the municipality as a black diamond. Shape and position carry the
meaning, so the figure reads in greyscale too.

The strips share one Matplotlib axes (each strip's values are placed on a 0-1 scale of
its own, with its ticks drawn as labels in the report's number format): a figure of seven
subplots spends most of its time building and laying out axes, and this one is drawn
for every municipality.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.ticker import MaxNLocator

from analysis.benchmark.indicators import CATALOGUE
from analysis.benchmark.summaries import format_level
from analysis.formatting import format_number
from analysis.labels import t

MEMBER_COLOUR = "#1f5fa8"
ALL_COLOUR = "#c8c8c8"
MEAN_COLOUR = "#333333"
AXIS_COLOUR = "#999999"
GRID_COLOUR = "#e3e3e3"
#: colours of a page's benchmark figure after :func:`compact_png` (they draw a few flat
#: colours; 24 keep the anti-aliased edges smooth)
PALETTE_COLOURS = 24
LABEL_GID = "indicator-label"  # the text above each strip (tests and tools find it by this)
TICK_GID = "indicator-tick"

# a strip's band is one unit high: label at the top, dots in the middle, axis below
_LABEL, _DOTS, _AXIS, _GRID_TOP = 0.2, 0.5, 0.78, 0.24
_ROW_INCHES, _EXTRA_INCHES = 0.62, 0.9


def strip_scale(values: np.ndarray) -> tuple[float, float]:
    """The range a strip shows: its values with a small margin (a flat strip gets a
    margin of its own, so a single value still sits in the middle)."""
    low, high = float(np.min(values)), float(np.max(values))
    if high == low:
        pad = abs(low) * 0.05 or 1.0
        return low - pad, high + pad
    pad = (high - low) * 0.04
    return low - pad, high + pad


def tick_decimals(ticks: Sequence[float]) -> int:
    """The fewest decimals (at most 4) that show every tick value exactly."""
    for decimals in range(5):
        if all(abs(round(v, decimals) - v) <= 1e-9 * max(1.0, abs(v)) for v in ticks):
            return decimals
    return 4


def dot_plot(
    levels: pd.DataFrame,
    scorecard: pd.DataFrame,
    municipality: int,
    members: Sequence[int],
    *,
    name: str,
    language: str = "da",
) -> plt.Figure:
    """Strips of the latest levels (``levels``: the level table of all 98) with the
    municipality, its cluster members and the cluster mean from ``scorecard``."""
    indicators = list(scorecard["indicator"])
    rows = len(indicators)
    height = _ROW_INCHES * rows + _EXTRA_INCHES
    inch = 1 / height
    fig = plt.figure(figsize=(7.5, height))
    # fixed margins, no layout pass: room for the legend below and the first label above
    ax = fig.add_axes((0.02, 0.45 * inch, 0.96, 1 - 0.6 * inch))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, rows)
    by_indicator = levels.set_index(["indicator", "municipality_code"])["level"]
    member_set = {int(m) for m in members}
    rng = np.random.default_rng(0)  # fixed jitter, so the figure is reproducible
    everyone_xy, member_xy, own_xy = [], [], []
    axes_lines, grid_lines, mean_lines = [], [], []
    for index, row in enumerate(scorecard.itertuples(index=False)):
        top = rows - index
        axis_y, dots_y = top - _AXIS, top - _DOTS
        values = by_indicator.xs(row.indicator) if row.indicator in by_indicator.index else None
        values = values if values is not None else pd.Series(dtype=float)
        everyone = values.dropna()
        low, high = strip_scale(everyone.to_numpy()) if len(everyone) else (0.0, 1.0)

        def place(value, low=low, high=high):
            return (np.asarray(value, dtype=float) - low) / (high - low)

        jitter = rng.uniform(-0.12, 0.12, size=len(everyone))
        everyone_xy.append(np.column_stack([place(everyone), dots_y + jitter]))
        cluster = values[values.index.isin(member_set)].dropna()
        member_xy.append(np.column_stack([place(cluster), np.full(len(cluster), dots_y)]))
        if not pd.isna(row.cluster_level):
            x = float(place(row.cluster_level))
            mean_lines.append([(x, axis_y), (x, top - _GRID_TOP)])
        axes_lines.append([(0, axis_y), (1, axis_y)])
        ticks = [v for v in MaxNLocator(4).tick_values(low, high) if low <= v <= high]
        decimals = tick_decimals(ticks)
        for value in ticks:
            x = float(place(value))
            grid_lines.append([(x, axis_y), (x, top - _GRID_TOP)])
            text = format_number(value, language, decimals=decimals)
            ax.text(x, axis_y - 0.05, text, fontsize=7.5, ha="center", va="top", gid=TICK_GID)
        own = values.get(int(municipality), np.nan)
        label = CATALOGUE[row.indicator].label(language)
        if pd.isna(own):
            label += f": {t('benchmark.figure.no_data', language)}"
        else:
            own_xy.append((float(place(own)), dots_y))
            label += f": {format_level(own, row.indicator, language)}"
        ax.text(0, top - _LABEL, label, fontsize=8.5, ha="left", va="bottom", gid=LABEL_GID)
    ax.add_collection(LineCollection(grid_lines, colors=GRID_COLOUR, linewidths=0.8, zorder=0))
    ax.add_collection(LineCollection(axes_lines, colors=AXIS_COLOUR, linewidths=0.8, zorder=0))
    if mean_lines:
        ax.add_collection(
            LineCollection(mean_lines, colors=MEAN_COLOUR, linestyles="--", linewidths=1, zorder=3)
        )
    for points, style in (
        (everyone_xy, {"s": 9, "color": ALL_COLOUR, "zorder": 1}),
        (member_xy, {"s": 30, "color": MEMBER_COLOUR, "zorder": 2}),
        ([np.array(own_xy).reshape(-1, 2)], {"s": 70, "marker": "D", "color": "#000000"}),
    ):
        xy = np.vstack(points) if points else np.empty((0, 2))
        style.setdefault("zorder", 4)
        ax.scatter(xy[:, 0], xy[:, 1], linewidths=0, clip_on=False, **style)
    handles = [
        plt.Line2D([], [], marker="D", color="#000000", linestyle="", markersize=6),
        plt.Line2D([], [], marker="o", color=MEMBER_COLOUR, linestyle="", markersize=5),
        plt.Line2D([], [], color=MEAN_COLOUR, linestyle="--", linewidth=1),
        plt.Line2D([], [], marker="o", color=ALL_COLOUR, linestyle="", markersize=4),
    ]
    labels = [
        t("benchmark.figure.municipality", language, name=name),
        t("benchmark.figure.members", language),
        t("benchmark.figure.mean", language),
        t("benchmark.figure.all", language),
    ]
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=4,
        fontsize=7.5,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    return fig


def strip_labels(fig: plt.Figure) -> list[str]:
    """The label above each strip, top to bottom (what a reader sees first)."""
    return [x.get_text() for ax in fig.axes for x in ax.texts if x.get_gid() == LABEL_GID]


def quantize_png(png: bytes, colours: int = PALETTE_COLOURS) -> bytes:
    """``png`` with a palette of at most ``colours`` colours (:func:`analysis.images.
    quantize_png` with Pillow's fast octree, which keeps small areas of a distinct colour
    such as a thin blue line; no dithering: the same picture gives the same bytes),
    keeping its text chunks, so the record of the text it draws
    (:data:`analysis.publish.DRAWN_TEXT_KEY`, read by the exit) travels unchanged. A
    figure of lines and dots in a few flat colours looks the same and weighs a third."""
    from analysis import images

    return images.quantize_png(png, colours, fast=True)


def compact_png(fig: plt.Figure, *, crop: bool = False, colours: int = PALETTE_COLOURS) -> bytes:
    """A benchmark figure as PNG bytes for :func:`analysis.nb.figure`: drawn by
    :func:`analysis.nb.figure_png` (text gated and recorded, fixed DPI) in full colour,
    closed, and given a small palette (:func:`quantize_png`): a third of the weight on
    every page."""
    from analysis import nb

    png = nb.figure_png(fig, crop=crop, colours=None)
    plt.close(fig)
    return quantize_png(png, colours)
