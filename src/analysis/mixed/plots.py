"""Figures of the mixed-methods notebook (Matplotlib); shown via ``nb.figure``."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analysis.paths import SMALL_COUNT_THRESHOLD


def _empty_figure(message: str) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 1.5))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    return fig


def prevalence_by_caseload(
    link: pd.DataFrame,
    *,
    themes: Sequence[str],
    theme_labels: Mapping[str, str],
    group_labels: Mapping[tuple[str, str | None], str],
    colours: Mapping[str, str],
    xlabel: str,
    ylabel: str,
    title: str,
    small_label: str,
    none_label: str,
    empty: str,
    suppressed: str | None = None,
    threshold: int = SMALL_COUNT_THRESHOLD,
) -> Any:
    """One small panel per theme: share of a group's sources mentioning the theme (y)
    against the group's mean caseload (x).

    Groups with fewer than ``threshold`` sources get no point (privacy and noise), only a
    dotted line at their caseload, labelled ``small_label`` (``none_label`` when the group
    has no sources at all); groups without a caseload are left out. A share whose count of
    sources is suppressed in the tables (1 to ``threshold - 1``) is not drawn either (it
    would give the count back): the panel shows ``suppressed`` at that caseload instead."""
    import matplotlib.pyplot as plt

    data = link[link["caseload_mean"].notna() & link["theme"].isin(list(themes))]
    if data.empty:
        return _empty_figure(empty)
    themes = [t for t in themes if t in set(data["theme"])]
    columns = min(4, len(themes))
    rows = math.ceil(len(themes) / columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(2.1 * columns + 0.6, 2.0 * rows + 1.0), sharex=True, sharey=True,
        squeeze=False,
    )  # fmt: skip
    right = float(data["caseload_mean"].max()) * 1.15
    groups = data.drop_duplicates(["department", "period"])
    for index, theme in enumerate(themes):
        ax = axes[index // columns][index % columns]
        own = data[(data["theme"] == theme) & (data["n_sources_group"] >= threshold)]
        small = own["n_sources"].between(1, threshold - 1)
        shown, hidden = own[~small], own[small]
        for row in hidden.itertuples(index=False):
            ax.text(
                row.caseload_mean, 0.5, suppressed or f"<{threshold}", ha="center",
                va="center", fontsize=8, color="#666666",
            )  # fmt: skip
        for group in groups.itertuples(index=False):
            if group.n_sources_group < threshold:
                ax.axvline(group.caseload_mean, color="#999999", linestyle=":", linewidth=1)
        ax.scatter(
            shown["caseload_mean"],
            shown["prevalence"],
            color=colours.get(theme, "#333333"),
            s=36,
            zorder=3,
        )
        ax.set_title(theme_labels.get(theme, theme), fontsize=9)
        ax.set_xlim(0, right)
        ax.set_ylim(-0.05, 1.05)
        ax.tick_params(labelsize=8)
    for index in range(len(themes), rows * columns):
        axes[index // columns][index % columns].axis("off")
    legend = []
    for group in groups.itertuples(index=False):
        label = group_labels.get((group.department, group.period), str(group.department))
        count = ""
        if group.n_sources_group == 0:
            count = f" ({none_label})"
        elif group.n_sources_group < threshold:
            count = f" ({small_label})"
        legend.append(f"{label}: {group.caseload_mean:.0f}{count}")
    fig.supxlabel(xlabel, fontsize=9)
    fig.supylabel(ylabel, fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.text(0.01, -0.02, "\n".join(legend), fontsize=8, va="top", ha="left")
    fig.tight_layout()
    return fig
