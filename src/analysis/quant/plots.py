"""Figures of the caseload regressions (Matplotlib; the notebook shows them with
``nb.figure(fig, alt=...)``). Each function takes tidy rows and returns a Figure."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.labels import t
from analysis.quant import specs as S
from analysis.quant.results import in_display_units, outcome_label, term_label, unit_label

_COLORS = {S.POOLED: "#b0b0b0", S.TWFE_LOG: "#1f5f8b", S.TWFE_LEVEL: "#6a9fc4"}
_TRUTH = "#c0392b"


def _grid(n: int, ncols: int = 3, height: float = 2.1, width: float = 9.0):
    nrows = max(1, math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height * nrows + 0.6), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _title(ax, text: str) -> None:
    ax.set_title("\n".join(textwrap.wrap(text, 34)), fontsize=8.5)


def coefficient_plot(
    effects: pd.DataFrame,
    language: str,
    specs: Sequence[str] = (S.POOLED, S.TWFE_LOG),
    truth: Mapping[str, float] | None = None,
) -> Figure:
    """Effect of 10 fewer cases per outcome (rows of
    :func:`analysis.quant.results.per_ten_fewer`), one small panel per outcome, one
    interval per design; ``truth`` (display units) is drawn as a red line."""
    rows = effects[effects["spec"].isin(specs)]
    outcomes = list(dict.fromkeys(rows["outcome"]))
    fig, axes = _grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=True):
        own = rows[rows["outcome"] == outcome]
        for y, spec in enumerate(specs):
            row = own[own["spec"] == spec]
            if row.empty:
                continue
            r = row.iloc[0]
            ax.errorbar(
                r["effect"],
                y,
                xerr=[[r["effect"] - r["ci_low"]], [r["ci_high"] - r["effect"]]],
                fmt="o",
                color=_COLORS.get(spec, "#333333"),
                capsize=3,
                markersize=4,
            )
        if truth and outcome in truth:
            ax.axvline(truth[outcome], color=_TRUTH, linestyle="--", linewidth=1)
        ax.axvline(0, color="#555555", linewidth=0.6)
        ax.set_yticks(range(len(specs)))
        ax.set_yticklabels([t(f"quant.spec_short.{s}", language) for s in specs], fontsize=7.5)
        ax.set_ylim(-0.7, len(specs) - 0.3)
        ax.tick_params(axis="x", labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.set_xlabel(unit_label(outcome, language), fontsize=7)
        _title(ax, outcome_label(outcome, language))
    caption = t("quant.axis.effect_10", language)
    if truth:
        caption += " · " + t("quant.legend.truth", language)
    fig.suptitle(caption, fontsize=9)
    fig.tight_layout()
    return fig


def event_plot(rows: pd.DataFrame, language: str, bin_months: int = 3) -> Figure:
    """Event-study bins of one outcome and design with 95 % intervals (display units)."""
    data = in_display_units(rows[rows["event_time"].notna()]).sort_values("event_time")
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    x = data["event_time"].to_numpy(dtype=float)
    y = data["estimate"].to_numpy(dtype=float)
    low = np.where(data["ci_low"].notna(), data["ci_low"], y)
    high = np.where(data["ci_high"].notna(), data["ci_high"], y)
    ax.fill_between(x, low, high, color="#1f5f8b", alpha=0.18, linewidth=0)
    ax.plot(x, y, "o-", color="#1f5f8b", markersize=4, linewidth=1)
    ax.axhline(0, color="#555555", linewidth=0.7)
    ax.axvline(-0.5, color="#555555", linewidth=0.7, linestyle=":")
    outcome = data["outcome"].iloc[0] if len(data) else ""
    ax.set_xlabel(t("quant.axis.event_bin", language, months=bin_months), fontsize=8.5)
    ax.set_ylabel(unit_label(outcome, language), fontsize=8.5)
    ax.set_title(outcome_label(outcome, language), fontsize=9.5)
    fig.tight_layout()
    return fig


def dose_plot(rows: pd.DataFrame, language: str, reference: str) -> Figure:
    """Caseload-band estimates against the reference band, one panel per outcome."""
    data = in_display_units(rows)
    outcomes = list(dict.fromkeys(data["outcome"]))
    fig, axes = _grid(len(outcomes))
    bands = [b for b in S.caseload_bands() if b.term != reference]
    ref_label = next(b.label() for b in S.caseload_bands() if b.term == reference)
    labels = [b.label() for b in bands] + [t("quant.axis.reference", language, band=ref_label)]
    for ax, outcome in zip(axes, outcomes, strict=True):
        own = data[data["outcome"] == outcome].set_index("term")
        est, low, high = [], [], []
        for band in bands:
            if band.term in own.index:
                r = own.loc[band.term]
                est.append(r["estimate"])
                low.append(r["estimate"] - r["ci_low"])
                high.append(r["ci_high"] - r["estimate"])
            else:
                est.append(np.nan)
                low.append(0.0)
                high.append(0.0)
        est.append(0.0)
        low.append(0.0)
        high.append(0.0)
        ax.errorbar(range(len(est)), est, yerr=[low, high], fmt="o", color="#1f5f8b",
                    capsize=3, markersize=4)  # fmt: skip
        ax.axhline(0, color="#555555", linewidth=0.6)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels(labels, fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_ylabel(unit_label(outcome, language), fontsize=7)
        _title(ax, outcome_label(outcome, language))
    fig.suptitle(t("quant.axis.band", language), fontsize=9)
    fig.tight_layout()
    return fig


def band_term_labels(language: str) -> dict[str, str]:
    """Readable names of the band terms (for tables)."""
    return {b.term: term_label(b.term, language) for b in S.caseload_bands()}


def mde_curves(grid: pd.DataFrame, language: str) -> Figure:
    """Minimum detectable effect (display units) against the number of control units, one
    line per number of trial units; one panel per follow-up (months before = after)."""
    outcome = str(grid["outcome"].iloc[0])
    follow_ups = sorted(grid["months_pre"].unique())
    fig, axes = plt.subplots(1, len(follow_ups), figsize=(8.0, 3.0), sharey=True, squeeze=False)
    colours = ["#1f5f8b", "#6a9fc4", "#9cc3de", "#c7dcec"]
    for ax, months in zip(axes.flat, follow_ups, strict=True):
        own = grid[grid["months_pre"] == months]
        for colour, (treated, rows) in zip(colours, own.groupby("n_treated"), strict=False):
            rows = rows.sort_values("n_control")
            ax.plot(
                rows["n_control"],
                rows["mde_display"],
                marker="o",
                color=colour,
                label=t("quant.fig.mde_treated", language, n=int(treated)),
            )
        ax.set_title(t("quant.fig.mde_months", language, months=int(months)), fontsize=9)
        ax.set_xlabel(t("quant.fig.mde_controls", language), fontsize=8.5)
        ax.set_xticks(sorted(own["n_control"].unique()))
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=8)
    axes.flat[0].set_ylabel(
        f"{t('quant.col.mde', language)} ({unit_label(outcome, language)})", fontsize=8.5
    )
    axes.flat[-1].legend(fontsize=7.5, frameon=False)
    fig.tight_layout()
    return fig
