"""Indicators from a snapshot, levels, and scorecards against cluster averages."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.benchmark.indicators import (
    CATALOGUE,
    JOBINDSATS_INDICATORS,
    KLK_INDICATORS,
    PERCENT,
    POINTS,
    STATUS_MISSING,
    STATUS_OK,
    STATUS_SMALL,
    catalogue_frame,
    get_indicator,
    indicator_panel,
)
from analysis.benchmark.scorecard import (
    NO_DATA,
    SCORECARD_COLUMNS,
    comparison_periods,
    level_table,
    scorecard,
    scorecards,
)
from analysis.errors import AnalysisError

from .conftest import make_snapshot, standard_series


def row(card: pd.DataFrame, indicator: str) -> pd.Series:
    return card[card["indicator"].eq(indicator)].iloc[0]


# --- catalogue ---------------------------------------------------------------------------


def test_catalogue_follows_klk_development_rule():
    for indicator in CATALOGUE.values():
        assert indicator.development in (PERCENT, POINTS)
        assert indicator.label_da and indicator.label_en
        if indicator.id.endswith(("fulltime_share", "duration_weeks")):
            assert indicator.development == PERCENT, indicator.id  # "i procent"
        if "status" in indicator.id or "over_" in indicator.id or "employed_3m" in indicator.id:
            assert indicator.development == POINTS, indicator.id  # "i procentpoint"
    assert get_indicator("unemployment_rate").higher_is_better is False
    assert get_indicator("sdp_employed_3m").higher_is_better is True
    assert get_indicator("kh_status_other").higher_is_better is None
    with pytest.raises(AnalysisError, match="unknown indicator"):
        get_indicator("nope")
    frame = catalogue_frame()
    assert set(frame["id"]) == set(KLK_INDICATORS) | set(JOBINDSATS_INDICATORS)
    assert {"label_da", "label_en", "higher_is_better", "development", "notes"} <= set(frame)


# --- panel ---------------------------------------------------------------------------------


def test_panel_computes_longterm_rate_from_implied_labour_force():
    snapshot = make_snapshot({101: standard_series(rate=4.0, fulltime=400.0)})
    panel = indicator_panel(snapshot)
    latest = panel[panel["period"].eq(pd.Period("2026-07", "M"))].set_index("indicator")
    labour_force = 400.0 / 0.04
    assert latest.loc["longterm_rate", "value"] == pytest.approx(100.0 / labour_force * 100)
    assert latest.loc["longterm_rate", "count"] == 100.0
    assert latest.loc["unemployment_rate", "labour_force"] == pytest.approx(labour_force)
    assert latest.loc["dagpenge_rate", "value"] == pytest.approx(2.8)
    # the synthetic snapshot has no visitation breakdown: that one indicator is missing
    visitation = panel["indicator"] == "kh_aktivitetsparat_rate"
    assert (panel.loc[~visitation, "status"] == STATUS_OK).all()
    assert (panel.loc[visitation, "status"] != STATUS_OK).all()


def test_panel_keeps_suppressed_values_missing_and_hides_small_counts():
    series = standard_series(
        rate=2.0,
        fulltime=20.0,
        activation_degree=(15.0, math.nan),  # suppressed by Jobindsats
        ordinary_hours_persons=(math.nan, 3.0),  # a year ago suppressed, now 3 persons
        longterm_unemployed=(0.0, 4.0),
    )
    panel = indicator_panel(make_snapshot({825: series}))
    by = panel.set_index(["indicator", "period"])
    june, june_before = pd.Period("2026-06", "M"), pd.Period("2025-06", "M")
    july, july_before = pd.Period("2026-07", "M"), pd.Period("2025-07", "M")
    assert by.loc[("activation_degree", july), "status"] == STATUS_MISSING
    assert math.isnan(by.loc[("activation_degree", july), "value"])
    assert by.loc[("ordinary_hours_share", june), "status"] == STATUS_SMALL
    assert math.isnan(by.loc[("ordinary_hours_share", june), "value"])
    # a suppressed count counts as small: Jobindsats suppresses exactly the small ones
    assert by.loc[("ordinary_hours_share", june_before), "status"] == STATUS_SMALL
    assert by.loc[("longterm_rate", july), "status"] == STATUS_SMALL
    # zero persons identify nobody: shown
    assert by.loc[("longterm_rate", july_before), "status"] == STATUS_OK
    assert by.loc[("longterm_rate", july_before), "value"] == 0.0


# --- levels ----------------------------------------------------------------------------------


@pytest.fixture
def levels() -> pd.DataFrame:
    snapshot = make_snapshot(
        {
            101: standard_series(rate=4.0, fulltime=4000.0),
            147: standard_series(rate=2.0, fulltime=600.0),  # labour force 30 000
            151: standard_series(rate=3.0, fulltime=300.0),  # labour force 10 000
            153: standard_series(
                rate=math.nan, fulltime=math.nan, unemployment_rate=(2.5, math.nan)
            ),
        }
    )
    return level_table(indicator_panel(snapshot))


def test_periods_are_chosen_per_indicator(levels):
    by = levels.drop_duplicates("indicator").set_index("indicator")
    assert by.loc["unemployment_rate", "period"] == "2026-07"
    assert by.loc["unemployment_rate", "previous_period"] == "2025-07"
    assert by.loc["ordinary_hours_share", "period"] == "2026-06"  # published a month later
    assert by.loc["ordinary_hours_share", "previous_period"] == "2025-06"


def test_series_break_is_flagged_only_when_crossed(levels):
    by = levels.drop_duplicates("indicator").set_index("indicator")
    # April-June 2025 against April-June 2026 spans the July 2025 reform
    assert by.loc["ordinary_hours_share", "crosses_break"]
    # May-July 2025 holds two months before the reform: flagged too
    assert by.loc["kh_workforce_rate", "previous_period_start"] == "2025-05"
    assert by.loc["kh_workforce_rate", "crosses_break"]
    assert not by.loc["unemployment_rate", "crosses_break"]  # no break in this series
    # one month (July 2025 -> July 2026) lies wholly after the break
    snapshot = make_snapshot({101: standard_series(rate=4.0, fulltime=4000.0)})
    single = level_table(indicator_panel(snapshot), months=1)
    single = single.drop_duplicates("indicator").set_index("indicator")
    assert not single.loc["kh_workforce_rate", "crosses_break"]


def test_comparison_periods_ignore_months_nobody_published():
    panel = pd.DataFrame(
        {
            "municipality_code": [101, 101],
            "indicator": ["unemployment_rate"] * 2,
            "period": pd.PeriodIndex(["2026-06", "2026-07"], freq="M"),
            "value": [2.0, math.nan],
            "count": [math.nan] * 2,
            "status": [STATUS_OK, STATUS_MISSING],
            "labour_force": [1000.0] * 2,
        }
    )
    latest, previous = comparison_periods(panel, "unemployment_rate")
    assert (str(latest), str(previous)) == ("2026-06", "2025-06")


# --- scorecards ------------------------------------------------------------------------------


def test_cluster_average_excludes_the_municipality_itself(levels):
    memberships = pd.DataFrame(
        {"municipality_code": 101, "cluster": "test", "member_code": [101, 147, 151]}
    )
    card = scorecards(levels, memberships)
    unemployment = row(card, "unemployment_rate")
    assert unemployment["cluster_level"] == pytest.approx((2.0 + 3.0) / 2)
    assert unemployment["cluster_size"] == 2
    assert unemployment["level"] == 4.0
    assert unemployment["level_status"] == "worse"
    assert unemployment["arrow"] == "up"  # fell 10 % in a lower-is-better indicator
    assert list(card.columns) == SCORECARD_COLUMNS


def test_weighted_cluster_mean_is_the_clusters_rate(levels):
    plain = scorecard(levels, 101, [147, 151], cluster="test")
    weighted = scorecard(levels, 101, [147, 151], cluster="test", weighted=True)
    assert row(plain, "unemployment_rate")["cluster_level"] == pytest.approx(2.5)
    # 147: 2 % of 30 000, 151: 3 % of 10 000 -> 900 unemployed of 40 000 = 2.25 %
    assert row(weighted, "unemployment_rate")["cluster_level"] == pytest.approx(2.25)
    assert weighted["weighted"].all()
    assert not plain["weighted"].any()


def test_members_without_data_are_left_out_and_counted(levels):
    card = scorecard(levels, 101, [147, 151, 153], cluster="test")
    unemployment = row(card, "unemployment_rate")
    assert unemployment["cluster_size"] == 3
    assert unemployment["cluster_n_level"] == 2
    assert unemployment["cluster_n_development"] == 2
    assert unemployment["cluster_level"] == pytest.approx(2.5)


def test_missing_municipality_gives_no_data_never_an_arrow(levels):
    card = scorecard(levels, 153, [101, 147, 151], cluster="test")
    unemployment = row(card, "unemployment_rate")
    assert unemployment["arrow"] == NO_DATA
    assert unemployment["level_status"] == NO_DATA
    assert unemployment["development_status"] == NO_DATA
    assert "missing" in unemployment["note"]
    assert not np.isnan(unemployment["cluster_level"])  # the cluster itself has data


def test_cluster_without_data_gives_no_data(levels):
    card = scorecard(levels, 101, [153], cluster="test")
    unemployment = row(card, "unemployment_rate")
    assert unemployment["level_status"] == NO_DATA
    assert unemployment["arrow"] == "up"  # the arrow needs only the municipality's data
    assert "cluster_no_data" in unemployment["note"]
    empty = scorecard(levels, 101, [], cluster="nobody")
    assert (empty["cluster_size"] == 0).all()
    assert (empty["level_status"] == NO_DATA).all()


def test_break_is_noted_in_the_scorecard(levels):
    card = scorecard(levels, 101, [147], cluster="test")
    assert "series_break" in row(card, "ordinary_hours_share")["note"]
    assert row(card, "ordinary_hours_share")["crosses_break"]
    assert "series_break" not in row(card, "unemployment_rate")["note"]
