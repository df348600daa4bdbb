"""One compact figure: the municipality among its cluster, one small panel per indicator.

Each panel is a horizontal strip of the latest levels: all 98 municipalities as small
light-grey dots (context), the cluster's members as blue dots, the cluster average as a
vertical line and the municipality as a black diamond. Shape and position carry the
meaning, so the figure reads in greyscale too.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from analysis.benchmark.indicators import CATALOGUE
from analysis.benchmark.summaries import format_level
from analysis.labels import t

MEMBER_COLOUR = "#1f5fa8"
ALL_COLOUR = "#c8c8c8"


def dot_plot(
    levels: pd.DataFrame,
    scorecard: pd.DataFrame,
    municipality: int,
    members: Sequence[int],
    *,
    name: str,
    language: str = "da",
) -> plt.Figure:
    """Small multiples of the latest levels (``levels``: the level table of all 98) with
    the municipality, its cluster members and the cluster mean from ``scorecard``."""
    indicators = list(scorecard["indicator"])
    height = 0.62 * len(indicators) + 0.9
    fig, axes = plt.subplots(len(indicators), 1, figsize=(7.5, height), squeeze=False)
    member_set = {int(m) for m in members}
    rng = np.random.default_rng(0)  # fixed jitter, so the figure is reproducible
    for ax, row in zip(axes[:, 0], scorecard.itertuples(index=False), strict=True):
        data = levels[levels["indicator"].eq(row.indicator)]
        values = data.set_index("municipality_code")["level"]
        everyone = values.dropna()
        jitter = rng.uniform(-0.18, 0.18, size=len(everyone))
        ax.scatter(everyone, jitter, s=9, color=ALL_COLOUR, zorder=1, linewidths=0)
        cluster = values[values.index.isin(member_set)].dropna()
        ax.scatter(
            cluster, np.zeros(len(cluster)), s=30, color=MEMBER_COLOUR, zorder=2, linewidths=0
        )
        if not pd.isna(row.cluster_level):
            ax.axvline(row.cluster_level, color="#333333", linestyle="--", linewidth=1, zorder=3)
        own = values.get(int(municipality), np.nan)
        label = CATALOGUE[row.indicator].label(language)
        if pd.isna(own):
            label += f": {t('benchmark.figure.no_data', language)}"
        else:
            ax.scatter([own], [0], s=70, marker="D", color="#000000", zorder=4)
            label += f": {format_level(own, row.indicator, language)}"
        # a text at a fixed place, not set_title: placing titles measures every axis
        ax.text(0, 1.02, label, fontsize=8.5, ha="left", va="bottom", transform=ax.transAxes)
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([])
        ax.tick_params(axis="x", labelsize=7.5, pad=1)
        ax.xaxis.set_major_locator(MaxNLocator(5))  # a strip needs few ticks; each costs
        ax.grid(axis="y", visible=False)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    handles = [
        plt.Line2D([], [], marker="D", color="#000000", linestyle="", markersize=6),
        plt.Line2D([], [], marker="o", color=MEMBER_COLOUR, linestyle="", markersize=5),
        plt.Line2D([], [], color="#333333", linestyle="--", linewidth=1),
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
    # fixed margins instead of tight_layout: tight_layout renders the figure once more
    # (about a third of a second per report); the PNG is still cropped to its content
    inch = 1 / height
    fig.subplots_adjust(left=0.02, right=0.98, top=1 - 0.3 * inch, bottom=0.55 * inch,
                        hspace=0.32 / 0.62 * 2.2)  # fmt: skip
    return fig
