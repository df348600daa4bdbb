"""Shared work once (precompute, caches), one municipality light (benchmark_view)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.benchmark.batch import precompute
from analysis.benchmark.indicators import JOBINDSATS_INDICATORS
from analysis.benchmark.scorecard import NO_DATA, scorecard
from analysis.benchmark.view import (
    BenchmarkInputs,
    benchmark_view,
    load_country_levels,
    load_scorecards,
    load_similar,
)
from analysis.cache import entries
from analysis.errors import AnalysisError

CACHED = (
    "benchmark_levels",
    "benchmark_features",
    "benchmark_similar_k8",
    "benchmark_scorecards",
    "benchmark_scorecards_weighted",
    "benchmark_country_levels",
    "benchmark_monthly",
    "benchmark_trends",
)


def _stamps(paths, name: str) -> list[int]:
    """When each stored entry of ``name`` was written."""
    return [entry.path.stat().st_mtime_ns for entry in entries(paths, name)]


@pytest.fixture(scope="module")
def paths(benchmark_paths):
    precompute(benchmark_paths)
    return benchmark_paths


def test_precompute_caches_everything_once(paths):
    stamps = {name: _stamps(paths, name) for name in CACHED}
    assert all(stamps.values())
    precompute(paths)  # unchanged inputs and code: nothing is recomputed
    assert stamps == {name: _stamps(paths, name) for name in CACHED}
    cards = load_scorecards(paths)
    assert cards.groupby("cluster")["municipality_code"].nunique().to_dict() == {
        "region": 98,
        "similar": 98,
        "soenderjysk": 4,
    }
    similar = load_similar(paths)
    assert similar["municipality_code"].nunique() == 98


def test_view_selects_the_precomputed_rows(paths):
    view = benchmark_view(580, "soenderjysk", paths=paths)
    assert view.group.member_names == ("Sønderborg", "Tønder", "Haderslev")
    direct = scorecard(
        view.levels,
        580,
        view.group.members,
        cluster="soenderjysk",
        country=load_country_levels(paths),
    )
    pd.testing.assert_frame_equal(view.scorecard, direct, check_dtype=False)
    assert len(view.scorecard) == len(JOBINDSATS_INDICATORS)
    assert set(view.savings["benefit"]) == {"kontanthjaelp", "dagpenge"}
    names = {p.name for p in view.inputs}
    assert {"municipalities.csv", "clusters.yaml", "costs.yaml"} <= names
    assert any(n.startswith("dashboard-data") for n in names)


def test_tiny_municipality_has_no_data_cells_not_wrong_arrows(paths):
    view = benchmark_view(825, paths=paths)  # Læsø
    card = view.scorecard.set_index("indicator")
    for indicator in ("longterm_rate", "ordinary_hours_share"):
        assert card.loc[indicator, "arrow"] == NO_DATA
        assert card.loc[indicator, "level_status"] == NO_DATA
        assert math.isnan(card.loc[indicator, "level"])
    assert card.loc["ordinary_hours_share", "note"].startswith("small_count")
    headline = view.headline("en")
    assert headline["indicator"] == "unemployment_rate"
    assert headline["level"] == pytest.approx(card.loc["unemployment_rate", "level"])
    assert headline["period"] == card.loc["unemployment_rate", "period"]
    assert headline["cluster"] == "Similar municipalities"


def test_cluster_not_precomputed_is_scored_on_the_spot(paths):
    view = benchmark_view(101, "soenderjysk", paths=paths)
    assert view.group.note == "not_a_member"
    assert set(view.scorecard["cluster_size"]) == {4}
    weighted = benchmark_view(101, "region", weighted=True, paths=paths)
    plain = benchmark_view(101, "region", paths=paths)
    assert weighted.scorecard["weighted"].all()
    assert not weighted.scorecard["cluster_level"].equals(plain.scorecard["cluster_level"])


def test_bad_requests(paths):
    with pytest.raises(AnalysisError, match="unknown municipality"):
        benchmark_view(999, paths=paths)
    with pytest.raises(AnalysisError, match="unknown cluster"):
        benchmark_view(101, "klynge", paths=paths)
    with pytest.raises(Exception, match="not found"):
        benchmark_view(101, paths=paths, inputs=BenchmarkInputs(costs=paths.raw / "none.yaml"))


def test_explicit_inputs_are_cached_apart(paths):
    snapshot = paths.jobindsats_snapshot
    custom = BenchmarkInputs(snapshot=snapshot, clusters=paths.clusters_yaml)
    view = benchmark_view(580, "soenderjysk", paths=paths, inputs=custom)
    default = benchmark_view(580, "soenderjysk", paths=paths)
    pd.testing.assert_frame_equal(view.scorecard, default.scorecard)
    names = {e.name for e in entries(paths) if e.name.startswith("benchmark_levels_")}
    assert len(names) == 1  # the custom inputs got their own cache entry
    assert snapshot in view.inputs
