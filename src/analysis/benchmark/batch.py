"""What the report batch asks of the benchmark part: the shared work done once."""

from __future__ import annotations

from concurrent.futures import Executor

from analysis.benchmark.view import (
    load_country_levels,
    load_features,
    load_framework,
    load_levels,
    load_monthly,
    load_scorecards,
    load_similar,
    load_trend_values,
)
from analysis.paths import ProjectPaths, get_paths


def precompute(paths: ProjectPaths | None = None, helpers: Executor | None = None) -> None:
    """Compute and cache everything the 98 notebook runs share (called once per batch;
    ``helpers`` is not used: the work takes about a second)."""
    paths = paths or get_paths()
    load_levels(paths)
    load_country_levels(paths)
    load_monthly(paths)
    load_trend_values(paths)
    load_features(paths)
    load_similar(paths)
    for weighted in (False, True):
        load_scorecards(paths, weighted=weighted)
    load_framework(paths)
