"""Small synthetic snapshots in the tidy layout of analysis.data.jobindsats.load_snapshot."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

#: Months of the synthetic snapshot: like the real one, the three months up to July a year
#: ago to the three months up to July now (a level is a three-month average).
MONTHS = pd.period_range("2025-05", "2026-07", freq="M")
#: Ordinary wage hours are published a month later.
HOURS_MONTHS = pd.period_range("2025-04", "2026-06", freq="M")
#: Months in each three-month window (the level, and the same months a year before).
WINDOW = 3

#: measure, benefit group, months
SERIES = {
    "unemployment_rate": ("total", MONTHS),
    "unemployed_fulltime": ("total", MONTHS),
    "dagpenge_rate": ("dagpenge", MONTHS),
    "dagpenge_fulltime": ("dagpenge", MONTHS),
    "recipients_fulltime": ("kontanthjaelp", MONTHS),
    "recipients_persons": ("kontanthjaelp", MONTHS),
    "longterm_unemployed": ("total", MONTHS),
    "recipients_workforce_rate": ("kontanthjaelp", MONTHS),
    "activation_degree": ("kontanthjaelp", MONTHS),
    "ordinary_hours_share": ("kontanthjaelp", HOURS_MONTHS),
    "ordinary_hours_persons": ("kontanthjaelp", HOURS_MONTHS),
}


#: series whose measure differs from their key (the key names the benefit group's part)
MEASURE_OF = {"dagpenge_rate": "unemployment_rate", "dagpenge_fulltime": "unemployed_fulltime"}


def make_snapshot(values: dict[int, dict[str, tuple[float, float]]]) -> pd.DataFrame:
    """A tidy snapshot: ``values[code][series] = (a year ago, latest)``: the latest
    three months hold the latest value, every earlier month the year-ago value (so the
    three-month levels are exactly these). ``dagpenge_rate`` is
    unemployment_rate[dagpenge], ``dagpenge_fulltime`` unemployed_fulltime[dagpenge]."""
    rows = []
    for code, series in values.items():
        for key, (before, latest) in series.items():
            group, months = SERIES[key]
            measure = MEASURE_OF.get(key, key)
            for i, period in enumerate(months):
                value = latest if i >= len(months) - WINDOW else before
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
    higher for rates), with ``overrides`` replacing any series. The persons behind the
    kontanthjælp figures are 1 000 (well above the small-base rule)."""
    series = {
        "unemployment_rate": (rate * 1.1, rate),
        "unemployed_fulltime": (fulltime * 1.1, fulltime),
        "dagpenge_rate": (rate * 0.8, rate * 0.7),
        "dagpenge_fulltime": (fulltime * 0.8, fulltime * 0.7),
        "recipients_fulltime": (1_000.0 * 3.0 / 2.8, 1_000.0),
        "recipients_persons": (1_100.0, 1_050.0),
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
