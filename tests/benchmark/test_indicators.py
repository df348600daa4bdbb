"""Result goals of Copenhagen's action plan (seed 003) in the indicator catalogue."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.benchmark.indicators import (
    CATALOGUE,
    JOBINDSATS_INDICATORS,
    STATUS_MISSING,
    STATUS_OK,
    STATUS_SMALL,
    catalogue_frame,
    get_indicator,
    indicator_panel,
)
from analysis.benchmark.scorecard import NO_DATA, level_table, scorecard
from analysis.data.jobindsats import load_snapshot

from .conftest import make_snapshot, standard_series

GOAL = "kh_aktivitetsparat_rate"
JULY = pd.Period("2026-07", "M")


def with_activity_ready(snapshot: pd.DataFrame, fulltime: dict[int, float]) -> pd.DataFrame:
    """``snapshot`` plus the latest month's full-time activity-ready recipients (the
    ``cashVisitation`` breakdown of y60a02, category ``aktivitetsparat``)."""
    rows = pd.DataFrame(
        {
            "municipality_code": list(fulltime),
            "period": pd.PeriodIndex([JULY] * len(fulltime), freq="M"),
            "measure": "recipients_fulltime",
            "benefit_group": "kontanthjaelp",
            "category": "aktivitetsparat",
            "value": [float(v) for v in fulltime.values()],
            "dataset": "y60a02",
        }
    )
    return pd.concat([snapshot, rows], ignore_index=True)


def test_goal_indicator_is_in_the_catalogue_with_direction_and_source():
    indicator = get_indicator(GOAL)
    assert GOAL in JOBINDSATS_INDICATORS
    assert indicator.source == "jobindsats"
    assert indicator.higher_is_better is False  # "færre aktivitetsparate ..."
    assert indicator.unit == "pct"
    assert "aktivitetsparat" in (indicator.measure or "")
    assert indicator.count_measure  # the small-count rule applies
    assert indicator.cost_key is None  # its savings are part of kh_workforce_rate's
    assert "003" in indicator.goal and "3 år" in indicator.goal
    frame = catalogue_frame().set_index("id")
    assert frame.loc[GOAL, "goal"] == indicator.goal
    # only the goal indicator claims a goal of 003; the others have none
    assert [i.id for i in CATALOGUE.values() if i.goal] == [GOAL]


def test_goal_indicator_is_activity_ready_recipients_over_the_labour_force():
    snapshot = make_snapshot(
        {
            101: standard_series(rate=4.0, fulltime=400.0),  # labour force 10 000
            825: standard_series(rate=2.0, fulltime=20.0),  # labour force 1 000
            147: standard_series(rate=2.0, fulltime=200.0),  # no breakdown published
        }
    )
    panel = indicator_panel(with_activity_ready(snapshot, {101: 150.0, 825: 4.0}))
    rows = panel[panel["indicator"].eq(GOAL)].set_index("municipality_code")
    assert set(rows["period"]) == {JULY}  # a breakdown of the latest month only
    assert rows.loc[101, "value"] == pytest.approx(150.0 / 10_000 * 100)
    assert rows.loc[101, "count"] == 150.0
    assert rows.loc[101, "status"] == STATUS_OK
    assert rows.loc[101, "labour_force"] == pytest.approx(10_000)
    # fewer than five full-time persons: not shown
    assert rows.loc[825, "status"] == STATUS_SMALL and math.isnan(rows.loc[825, "value"])
    # a municipality without a row in the breakdown has a missing level
    levels = level_table(panel).set_index(["indicator", "municipality_code"])
    assert levels.loc[(GOAL, 147), "status"] == STATUS_MISSING
    assert math.isnan(levels.loc[(GOAL, 147), "level"])


def test_a_snapshot_without_the_breakdown_gives_missing_levels_not_a_crash():
    snapshot = make_snapshot({101: standard_series(rate=4.0, fulltime=400.0)})
    panel = indicator_panel(snapshot)
    rows = panel[panel["indicator"].eq(GOAL)]
    assert list(rows["period"]) == [JULY]
    assert list(rows["status"]) == [STATUS_MISSING]
    levels = level_table(panel)
    row = levels[levels["indicator"].eq(GOAL)].iloc[0]
    assert row["period"] == "2026-07" and math.isnan(row["level"])
    card = scorecard(levels, 101, [], cluster="similar")
    assert card.set_index("indicator").loc[GOAL, "level_status"] == NO_DATA


@pytest.fixture(scope="module")
def real_levels() -> pd.DataFrame:
    return level_table(indicator_panel(load_snapshot()))


def test_real_snapshot_measures_the_goal_for_97_municipalities(real_levels):
    rows = real_levels[real_levels["indicator"].eq(GOAL)].set_index("municipality_code")
    assert len(rows) == 98
    assert rows["period"].unique().tolist() == ["2026-07"]
    assert int(rows["level"].notna().sum()) == 97
    assert rows.loc[825, "status"] == STATUS_SMALL  # Læsø: 4 full-time persons
    # København: 5 772 activity-ready full-time recipients of a labour force ~ 377 000
    assert 1.3 < rows.loc[101, "level"] < 1.8
    # no development: the breakdown is published for the latest month only
    assert rows["development"].isna().all()
    assert (rows["previous_status"] == STATUS_MISSING).all()


def test_real_scorecard_colours_the_goal_level_and_has_no_arrow(real_levels):
    members = [147, 151, 153, 155, 157, 159, 161, 163]
    card = scorecard(real_levels, 101, members, cluster="test").set_index("indicator")
    row = card.loc[GOAL]
    assert row["level_status"] in {"better", "worse", "same"}
    assert row["arrow"] == NO_DATA
    assert row["note"] == "previous_missing"
    assert row["cluster_n_level"] == len(members)
