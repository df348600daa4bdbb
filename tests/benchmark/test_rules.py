"""KLK's arrow and colour rules (Bilag 5) and the tolerance for "the same"."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.benchmark.indicators import CATALOGUE, PERCENT, POINTS
from analysis.benchmark.scorecard import (
    BETTER,
    DOWN,
    FLAT,
    NO_DATA,
    NO_DIRECTION,
    SAME,
    UP,
    WORSE,
    Tolerance,
    arrow,
    cluster_mean,
    compare,
    development_change,
)

LOWER = CATALOGUE["unemployment_rate"]  # a share of the labour force: lower is better
HIGHER = CATALOGUE["ordinary_hours_share"]  # share with wage hours: higher is better
NEUTRAL = CATALOGUE["sdp_status_other"]  # KLK's "Andet": no judgement


@pytest.mark.parametrize(
    ("development", "indicator", "expected"),
    [
        (-4.9, LOWER, UP),  # a fall in recipients is good: the arrow points up
        (4.9, LOWER, DOWN),
        (1.3, HIGHER, UP),
        (-1.3, HIGHER, DOWN),
        (0.0, LOWER, FLAT),
        (0.0, HIGHER, FLAT),
        (0.04, LOWER, FLAT),  # rounds to 0.0 at the published precision
        (-0.04, HIGHER, FLAT),
        (-0.1, LOWER, UP),  # KLK Table 2: -0,1 pct.point -> ▲
        (0.1, LOWER, DOWN),  # KLK Table 2: 0,1 pct.point -> ▼
        (2.0, NEUTRAL, NO_DIRECTION),
        (math.nan, LOWER, NO_DATA),
        (None, HIGHER, NO_DATA),
    ],
)
def test_arrow(development, indicator, expected):
    assert arrow(development, indicator) == expected


def test_arrow_ignores_the_cluster():
    # the arrow judges the municipality's own development only: a rise that is smaller
    # than the cluster's is still a bad development (KLK Table 7: 3,4 % vs 5,0 % -> ▼)
    indicator = CATALOGUE["kh_o30_fulltime_share"]
    assert arrow(3.4, indicator) == DOWN
    assert compare(3.4, 5.0, indicator, kind="development") == BETTER


@pytest.mark.parametrize(
    ("value", "cluster", "indicator", "expected"),
    [
        (3.4, 2.7, LOWER, WORSE),
        (2.7, 3.4, LOWER, BETTER),
        (3.4, 2.7, HIGHER, BETTER),
        (2.7, 3.4, HIGHER, WORSE),
        (3.4, 3.3, LOWER, SAME),  # one published unit (0.1): "stort set samme niveau"
        (1.7, 1.6, LOWER, SAME),  # 0.10000000000000009 in binary: still the same
        (2.5, 2.7, LOWER, BETTER),  # two units: "lidt mindre"
        (2.5, 2.5, HIGHER, SAME),
        (5.0, 5.0, NEUTRAL, NO_DIRECTION),
        (math.nan, 2.0, LOWER, NO_DATA),
        (2.0, math.nan, LOWER, NO_DATA),
    ],
)
def test_level_colour(value, cluster, indicator, expected):
    assert compare(value, cluster, indicator, kind="level") == expected


def test_level_tolerance_follows_published_decimals():
    longterm = CATALOGUE["longterm_rate"]  # published with two decimals: step 0.01
    assert compare(0.50, 0.49, longterm) == SAME
    assert compare(0.50, 0.48, longterm) == WORSE
    assert compare(0.50, 0.48, LOWER) == SAME  # one decimal: step 0.1


def test_relative_tolerance_widens_the_band():
    wide = Tolerance(level_relative=0.10)
    assert compare(30.0, 28.0, HIGHER) == BETTER
    assert compare(30.0, 28.0, HIGHER, tolerance=wide) == SAME
    assert compare(30.0, 26.0, HIGHER, tolerance=wide) == BETTER


def test_development_colour_uses_development_band():
    # KLK text: -4,9 % against -4,6 % is "lidt bedre", against -5,5 % "lidt dårligere"
    share = CATALOGUE["sdp_fulltime_share"]
    assert compare(-4.9, -4.6, share, kind="development") == BETTER
    assert compare(-4.9, -5.5, share, kind="development") == WORSE
    assert compare(-0.1, 0.0, share, kind="development") == SAME
    loose = Tolerance(development_steps=5)
    assert compare(-4.9, -4.6, share, kind="development", tolerance=loose) == SAME


def test_development_change():
    assert development_change(2.0, 2.3, PERCENT) == pytest.approx(-13.0434782609)
    assert development_change(11.2, 14.4, POINTS) == pytest.approx(-3.2)
    assert math.isnan(development_change(2.0, 0.0, PERCENT))  # no percent change from 0
    assert development_change(11.7, 0.0, POINTS) == pytest.approx(11.7)
    assert math.isnan(development_change(math.nan, 2.0, POINTS))
    assert math.isnan(development_change(2.0, None, PERCENT))


def test_cluster_mean_plain_and_weighted():
    values = pd.Series([2.0, 4.0, math.nan])
    weights = pd.Series([3000.0, 1000.0, 5000.0])
    assert cluster_mean(values) == (3.0, 2)
    mean, n = cluster_mean(values, weights)
    assert n == 2
    assert mean == pytest.approx((2.0 * 3000 + 4.0 * 1000) / 4000)
    assert cluster_mean(pd.Series([math.nan]))[1] == 0
    assert math.isnan(cluster_mean(pd.Series([], dtype="float64"))[0])
