"""Small synthetic snapshots in the tidy layout of analysis.data.jobindsats.load_snapshot."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

#: Months of the synthetic snapshot: like the real one, July a year ago to July now.
MONTHS = pd.period_range("2025-07", "2026-07", freq="M")
#: Ordinary wage hours are published a month later.
HOURS_MONTHS = pd.period_range("2025-06", "2026-06", freq="M")

#: measure, benefit group, months
SERIES = {
    "unemployment_rate": ("total", MONTHS),
    "unemployed_fulltime": ("total", MONTHS),
    "dagpenge_rate": ("dagpenge", MONTHS),
    "longterm_unemployed": ("total", MONTHS),
    "recipients_workforce_rate": ("kontanthjaelp", MONTHS),
    "activation_degree": ("kontanthjaelp", MONTHS),
    "ordinary_hours_share": ("kontanthjaelp", HOURS_MONTHS),
    "ordinary_hours_persons": ("kontanthjaelp", HOURS_MONTHS),
}


def make_snapshot(values: dict[int, dict[str, tuple[float, float]]]) -> pd.DataFrame:
    """A tidy snapshot: ``values[code][series] = (a year ago, latest)``; the months in
    between repeat the year-ago value. ``dagpenge_rate`` is unemployment_rate[dagpenge]."""
    rows = []
    for code, series in values.items():
        for key, (before, latest) in series.items():
            group, months = SERIES[key]
            measure = "unemployment_rate" if key == "dagpenge_rate" else key
            for i, period in enumerate(months):
                value = latest if i == len(months) - 1 else before
                rows.append((code, period, measure, group, "total", value, "test"))
    frame = pd.DataFrame(
        rows,
        columns=[
            "municipality_code",
            "period",
            "measure",
            "benefit_group",
            "category",
            "value",
            "dataset",
        ],
    )
    frame["value"] = frame["value"].astype("float64")
    frame["period"] = pd.PeriodIndex(frame["period"], freq="M")
    return frame


def standard_series(rate: float, fulltime: float, **overrides) -> dict[str, tuple[float, float]]:
    """A complete set of series for one municipality (latest values given, year-ago 10 %
    higher for rates), with ``overrides`` replacing any series."""
    series = {
        "unemployment_rate": (rate * 1.1, rate),
        "unemployed_fulltime": (fulltime * 1.1, fulltime),
        "dagpenge_rate": (rate * 0.8, rate * 0.7),
        "longterm_unemployed": (fulltime * 0.2, fulltime * 0.25),
        "recipients_workforce_rate": (3.0, 2.8),
        "activation_degree": (15.0, 16.0),
        "ordinary_hours_share": (8.0, 9.0),
        "ordinary_hours_persons": (40.0, 45.0),
    }
    series.update(overrides)
    return series


@pytest.fixture
def snapshot_factory() -> Callable[[dict], pd.DataFrame]:
    return make_snapshot


@pytest.fixture
def nan() -> float:
    return np.nan


REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def benchmark_paths(module_isolated_paths):
    """Isolated project paths with the benchmark inputs copied in (shared per module)."""
    shutil.copytree(
        REPO / "data" / "raw" / "benchmark", module_isolated_paths.benchmark, dirs_exist_ok=True
    )
    return module_isolated_paths
