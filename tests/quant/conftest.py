"""Small, seeded inputs for the caseload-regression tests.

Synthetic unemployment rates (no files read) feed :func:`analysis.data.simulate.
simulate_caseloads`, so panels with a known data-generating process can be drawn fast
and many times. The committed simulated panel and its truth file are used where the
tests compare with the documented truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.data.caseloads import read_caseload_panel
from analysis.data.reference import load_municipalities
from analysis.data.simulate import (
    DEFAULT_ADOPTERS,
    SimulationConfig,
    panel_to_csv,
    simulate_caseloads,
)
from analysis.quant.validation import load_truth

#: København, the eight default adopters and 21 others: 30 municipalities
ADOPTER_CODES = tuple(code for code, _ in DEFAULT_ADOPTERS)


def synthetic_unemployment(codes: list[int], months: int = 60, seed: int = 7) -> pd.DataFrame:
    """Monthly unemployment rates (percent) and labour forces for ``codes``: a level per
    municipality, a shared seasonal swing and AR(1) noise. København and Aarhus get a
    labour force that gives them 8 units, the others 2–6."""
    rng = np.random.default_rng(seed)
    periods = pd.period_range("2021-08", periods=months, freq="M")
    season = 0.4 * np.sin(2 * np.pi * (periods.month.to_numpy() - 1) / 12)
    frames = []
    for code in codes:
        level = 3.0 + rng.normal(0, 0.8)
        noise = np.zeros(months)
        for t in range(1, months):
            noise[t] = 0.8 * noise[t - 1] + rng.normal(0, 0.15)
        labour = 160_000 if code in (101, 751) else float(rng.uniform(10_000, 90_000))
        frames.append(
            pd.DataFrame(
                {
                    "municipality_code": code,
                    "period": periods,
                    "unemployment_rate": np.round(np.clip(level + season + noise, 0.5, None), 1),
                    "labour_force": labour,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="session")
def test_codes(repo_paths) -> list[int]:
    codes = load_municipalities(repo_paths.municipalities_csv)["code"].astype(int).tolist()
    others = [c for c in codes if c != 101 and c not in ADOPTER_CODES][:21]
    return sorted([101, *ADOPTER_CODES, *others])


@pytest.fixture(scope="session")
def unemployment(test_codes) -> pd.DataFrame:
    return synthetic_unemployment(test_codes)


@pytest.fixture(scope="session")
def small_config(test_codes) -> SimulationConfig:
    return SimulationConfig(municipalities=tuple(test_codes))


@pytest.fixture(scope="session")
def small_panel(small_config, unemployment) -> tuple[pd.DataFrame, dict]:
    """30 municipalities, all outcomes, København's trial and the eight adopters."""
    return simulate_caseloads(small_config, unemployment)


@pytest.fixture(scope="module")
def panel_csv(small_panel, small_config, tmp_path_factory):
    """The small panel as a CSV file, one per test module (results are cached by file)."""
    panel, _ = small_panel
    path = tmp_path_factory.mktemp("panel") / "small_panel.csv"
    path.write_text(panel_to_csv(panel, small_config), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def committed_panel(repo_paths) -> pd.DataFrame:
    return read_caseload_panel(repo_paths.simulated_caseloads)


@pytest.fixture(scope="session")
def committed_truth(repo_paths) -> dict:
    return load_truth(repo_paths.simulated_truth)
