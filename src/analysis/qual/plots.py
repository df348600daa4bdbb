"""Figures of the coded corpus (Matplotlib/seaborn); the notebook shows them via nb.figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.paths import SMALL_COUNT_THRESHOLD


def _empty_figure(message: str) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 1.5))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center")
    return fig


def cooccurrence_heatmap(
    matrix: pd.DataFrame, labels: Sequence[str], *, title: str, empty: str
) -> Any:
    """Heatmap of a code co-occurrence matrix (segments coded with both codes)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    if matrix.empty or int(np.asarray(matrix).sum()) == 0:
        return _empty_figure(empty)
    shown = matrix.copy()
    shown.index = list(labels)
    shown.columns = list(labels)
    size = max(4.5, 0.55 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    sns.heatmap(
        shown,
        annot=True,
        fmt="d",
        cmap="Blues",
        cbar=False,
        square=True,
        linewidths=0.5,
        ax=ax,
    )
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=45)
    plt.setp(ax.get_xticklabels(), ha="right")
    fig.tight_layout()
    return fig


def prevalence_bars(
    prevalence: pd.DataFrame,
    *,
    group: str,
    code_labels: dict[str, str],
    group_labels: dict[str, str],
    xlabel: str,
    title: str,
    empty: str,
    value: str = "prevalence",
    threshold: int = SMALL_COUNT_THRESHOLD,
) -> Any:
    """Share of sources mentioning each theme (column ``value``), one bar per group.
    Groups of fewer
    than ``threshold`` sources are left out (privacy and noise)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    data = prevalence[prevalence["n_sources_group"] >= threshold].copy()
    if data.empty:
        return _empty_figure(empty)
    data["theme"] = data["code"].map(code_labels)
    data["group_label"] = data[group].astype(str).map(lambda g: group_labels.get(g, g))
    order = [code_labels[c] for c in code_labels if c in set(data["code"])]
    height = max(3.0, 0.45 * len(order) + 1.2)
    fig, ax = plt.subplots(figsize=(7.5, height))
    sns.barplot(
        data=data,
        y="theme",
        x=value,
        hue="group_label",
        order=order,
        orient="h",
        ax=ax,
        palette="colorblind",
        errorbar=None,
    )
    ax.set_xlim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.set_title(title)
    ax.legend(title="", loc="lower right")
    fig.tight_layout()
    return fig
