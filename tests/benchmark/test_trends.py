"""Issue 22 §1: a trend chart per indicator (municipality, group, whole country, every
month of the snapshot), the series break and the level window marked, Danish numbers on
the axes, and in words whether the municipality moved towards its group or away."""

from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pandas as pd
import pytest

from analysis.benchmark import indicators, trend_plot, trends
from analysis.benchmark.batch import precompute
from analysis.benchmark.plots import compact_png, quantize_png
from analysis.benchmark.scorecard import NO_DATA, SMALL_BASE
from analysis.benchmark.view import benchmark_view
from analysis.publish import DRAWN_TEXT_KEY, png_texts


@pytest.fixture(scope="module")
def paths(benchmark_paths):
    precompute(benchmark_paths)
    return benchmark_paths


@pytest.fixture(scope="module")
def copenhagen(paths):
    return benchmark_view(101, paths=paths)


@pytest.fixture(scope="module")
def copenhagen_figure(copenhagen):
    import matplotlib.pyplot as plt

    fig = copenhagen.trend_figure("da")
    yield fig
    plt.close(fig)


# --- the numbers behind the charts ---------------------------------------------------------


def _values(rows: list[tuple[int, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["municipality_code", "indicator", "period", "value"])
    frame["labour_force"] = 1000.0
    return frame


def test_group_line_is_the_members_mean_without_the_municipality_itself():
    values = _values(
        [
            (1, "unemployment_rate", "2026-06", 9.0),
            (2, "unemployment_rate", "2026-06", 2.0),
            (3, "unemployment_rate", "2026-06", 4.0),
            (1, "unemployment_rate", "2026-07", 9.0),
            (2, "unemployment_rate", "2026-07", 2.0),
            (3, "unemployment_rate", "2026-07", np.nan),  # suppressed
            (4, "unemployment_rate", "2026-07", np.nan),
        ]
    )
    country = _values(
        [(0, "unemployment_rate", "2026-06", 3.0), (0, "unemployment_rate", "2026-07", 3.1)]
    )
    series = trends.trend_series(values, 1, [1, 2, 3, 4], country=country)
    june, july = series.itertuples(index=False)
    assert (june.municipality, june.group, june.country, june.group_n) == (9.0, 3.0, 3.0, 2)
    # one of three other members with a value: too few for a group average that month
    assert july.group_n == 1 and np.isnan(july.group) and july.country == 3.1


def test_movement_towards_away_steady_and_crossed_with_the_legends_tolerance():
    step = 0.1
    assert trends.movement(0.5, 0.9, step) == trends.TOWARDS
    assert trends.movement(-0.5, -0.9, step) == trends.TOWARDS
    assert trends.movement(0.9, 0.5, step) == trends.AWAY
    assert trends.movement(0.9, 0.8, step) == trends.STEADY  # 0,1: the same, as in the table
    assert trends.movement(0.8, -0.9, step) == trends.CROSSED
    assert trends.movement(0.1, -0.9, step) == trends.TOWARDS  # now within the tolerance
    assert trends.movement(np.nan, 0.5, step) == NO_DATA


def test_group_gaps_compare_the_same_months_a_year_before(copenhagen):
    gaps = copenhagen.gaps.set_index("indicator")
    card = copenhagen.scorecard.set_index("indicator")
    levels = copenhagen.levels
    members = set(copenhagen.group.members) - {101}
    before = levels[
        levels["indicator"].eq("dagpenge_rate") & levels["municipality_code"].isin(members)
    ]["previous_level"].mean()
    row = gaps.loc["dagpenge_rate"]
    assert row["previous_cluster_level"] == pytest.approx(before)
    assert row["gap"] == pytest.approx(
        round(
            round(card.loc["dagpenge_rate", "level"], 1)
            - round(card.loc["dagpenge_rate", "cluster_level"], 1),
            1,
        )
    )
    # København: 3,4 % against 2,6 % a year before, 3,6 % against 2,6 % now
    assert (row["previous_gap"], row["gap"], row["movement"]) == (0.8, 1.0, trends.AWAY)
    # no figure a year before (activity-ready: the latest month only): no movement
    assert gaps.loc["kh_aktivitetsparat_rate", "movement"] == NO_DATA


def test_small_base_gets_no_movement(paths):
    laesoe = benchmark_view(825, paths=paths)
    card = laesoe.scorecard.set_index("indicator")
    row = laesoe.gaps.set_index("indicator", drop=False).loc["unemployment_rate"]
    assert card.loc["unemployment_rate", "small_base"]  # 15 -> 21 full-time unemployed
    assert row["movement"] == SMALL_BASE
    assert trend_plot.gap_text(row, "da") == "Forskel til gruppen: 0,0 → +0,9 · for få personer"


# --- the figure -----------------------------------------------------------------------------


def test_one_trend_panel_per_indicator_with_the_three_series_over_every_month(
    copenhagen, copenhagen_figure
):
    panels = trend_plot.panel_axes(copenhagen_figure)
    assert list(panels) == list(copenhagen.scorecard["indicator"])
    months = copenhagen.trends["period"].unique()
    assert len(months) >= 60  # every month of the snapshot (ordinary hours a month earlier)
    positions = trend_plot.month_positions(months)
    for indicator, ax in panels.items():
        lines = {
            line.get_gid(): line for line in ax.get_lines() if line.get_gid() in trend_plot.SERIES
        }
        assert set(lines) == set(trend_plot.SERIES), indicator
        assert ax.get_xlim() == (-0.5, max(positions.values()) + 0.5), "one time axis for all"
    unemployment = {line.get_gid(): line for line in panels["unemployment_rate"].get_lines()}
    own = np.asarray(unemployment["municipality"].get_ydata(), dtype=float)
    assert np.isfinite(own).sum() == 60
    # the lines are the data: the group's July 2026 is the mean of the 8 members
    data = copenhagen.trends.set_index(["indicator", "period"])
    x = unemployment["group"].get_xdata()
    y = unemployment["group"].get_ydata()
    july = dict(zip(x, y, strict=True))[positions["2026-07"]]
    assert july == pytest.approx(data.loc[("unemployment_rate", "2026-07"), "group"])
    assert data.loc[("unemployment_rate", "2026-07"), "group_n"] == 8
    country = dict(
        zip(unemployment["country"].get_xdata(), unemployment["country"].get_ydata(), strict=True)
    )
    assert country[positions["2026-07"]] == pytest.approx(3.0)  # 'Hele landet', July 2026


def _breaks(ax) -> list[float]:
    return [
        line.get_xdata()[0] for line in ax.get_lines() if line.get_gid() == trend_plot.BREAK_GID
    ]


def test_the_kontanthjaelp_reform_is_marked_where_the_catalogue_says(copenhagen, copenhagen_figure):
    panels = trend_plot.panel_axes(copenhagen_figure)
    positions = trend_plot.month_positions(copenhagen.trends["period"])
    reform = positions["2025-07"] - 0.5
    for indicator in ("kh_workforce_rate", "activation_degree", "ordinary_hours_share"):
        assert _breaks(panels[indicator]) == [reform], indicator
    for indicator in ("unemployment_rate", "longterm_rate", "dagpenge_rate"):
        assert _breaks(panels[indicator]) == [], indicator
    # the activity-ready series is one month (after the reform): nothing to break
    assert _breaks(panels["kh_aktivitetsparat_rate"]) == []


def test_the_break_comes_from_the_catalogue_not_from_the_plot(copenhagen, monkeypatch):
    import matplotlib.pyplot as plt

    changed = dataclasses.replace(indicators.CATALOGUE["unemployment_rate"], series_break="2024-01")
    monkeypatch.setitem(indicators.CATALOGUE, "unemployment_rate", changed)
    fig = copenhagen.trend_figure("da")
    try:
        panels = trend_plot.panel_axes(fig)
        positions = trend_plot.month_positions(copenhagen.trends["period"])
        assert _breaks(panels["unemployment_rate"]) == [positions["2024-01"] - 0.5]
        legend = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
        assert any("januar 2024" in text for text in legend), legend
    finally:
        plt.close(fig)
    assert trends.series_breaks("kh_workforce_rate", ["2025-01", "2026-07"]) == ["2025-07"]
    assert trends.series_breaks("kh_workforce_rate", ["2025-08", "2026-07"]) == []


def test_the_level_window_is_marked(copenhagen, copenhagen_figure):
    panels = trend_plot.panel_axes(copenhagen_figure)
    positions = trend_plot.month_positions(copenhagen.trends["period"])
    card = copenhagen.scorecard.set_index("indicator")
    for indicator, ax in panels.items():
        spans = [p for p in ax.patches if p.get_gid() == trend_plot.WINDOW_GID]
        assert len(spans) == 1, indicator
        assert spans[0].get_hatch(), "hatched: not the gap band's grey in greyscale"
        xs = (spans[0].get_x(), spans[0].get_x() + spans[0].get_width())
        start, end = card.loc[indicator, "period_start"], card.loc[indicator, "period"]
        assert (min(xs), max(xs)) == (positions[start] - 0.5, positions[end] + 0.5), indicator
    assert card.loc["unemployment_rate", ["period_start", "period"]].tolist() == [
        "2026-05",
        "2026-07",
    ]
    assert card.loc["ordinary_hours_share", ["period_start", "period"]].tolist() == [
        "2026-04",
        "2026-06",
    ]


def test_axes_are_in_the_report_number_format(copenhagen):
    import matplotlib.pyplot as plt

    for language, decimal, other in (("da", ",", "."), ("en", ".", ",")):
        fig = copenhagen.trend_figure(language)
        try:
            panels = trend_plot.panel_axes(fig)
            labels = trend_plot.axis_labels(panels["longterm_rate"])
            assert labels and all(decimal in label and other not in label for label in labels), (
                labels
            )
            years = trend_plot.axis_labels(panels["unemployment_rate"], "x")
            assert years == ["2022", "2023", "2024", "2025", "2026"]  # not 2.022
            titles = [t.get_text() for t in panels["dagpenge_rate"].texts]
            assert any(f"+0{decimal}8 → +1{decimal}0" in title for title in titles), titles
        finally:
            plt.close(fig)


def test_alt_text_says_towards_or_away_for_each_indicator(copenhagen):
    alt = copenhagen.trend_alt("da")
    assert alt.startswith(
        "Små kurver for hvert nøgletal i København, måned for måned fra juli 2021 til juli 2026"
    )
    dagpenge = "Fuldtidsledige på dagpenge i pct. af arbejdsstyrken: 3,6 % mod 2,6 %"
    assert f"{dagpenge}, året før 3,4 % mod 2,6 % – længere fra gruppen." in alt
    assert "(april–juni 2026)" in alt  # ordinary wage hours: its own window
    assert "kontanthjælpsreformen i juli 2025" in alt
    english = copenhagen.trend_alt("en")
    assert "further from the group" in english and "cash-assistance reform in July 2025" in english
    for indicator in copenhagen.scorecard["indicator"]:
        assert indicators.CATALOGUE[indicator].label("da") in alt


def test_figure_is_small_and_reproducible_and_keeps_its_text_record(copenhagen):
    import matplotlib

    assert matplotlib.get_backend().lower() == "agg"
    first = compact_png(copenhagen.trend_figure("da"))
    second = compact_png(copenhagen.trend_figure("da"))
    assert first == second, "the same data gives the same bytes"
    drawn = json.loads(png_texts(first)[DRAWN_TEXT_KEY])
    assert any("Forskel til gruppen: +0,8 → +1,0 · længere fra" in text for text in drawn)
    assert len(first) < 60_000, len(first)

    from PIL import Image

    image = Image.open(io.BytesIO(first))
    assert image.mode == "P" and image.info.get("dpi") is not None
    # the palette keeps the group's blue (median cut turned the thin dashed line grey)
    colours = [c for _, c in image.convert("RGB").getcolors()]
    blue = tuple(int(trend_plot.GROUP_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    assert min(sum((a - b) ** 2 for a, b in zip(c, blue, strict=True)) for c in colours) < 100


def test_quantize_png_keeps_every_text_chunk():
    import matplotlib.pyplot as plt

    from analysis import nb

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([1, 2, 3], [1, 3, 2])
    ax.set_title("København – æøå")
    png = nb.figure_png(fig)
    plt.close(fig)
    small = quantize_png(png)
    assert png_texts(small) == png_texts(png)
    assert len(small) < len(png)


def _panel_notes(fig) -> dict[str, list[str]]:
    """The boxed notes a panel shows instead of a line (its texts with a box)."""
    return {
        indicator: notes
        for indicator, ax in trend_plot.panel_axes(fig).items()
        if (notes := [t.get_text() for t in ax.texts if t.get_bbox_patch() is not None])
    }


def test_a_panel_without_a_line_says_why(copenhagen_figure, paths):
    import matplotlib.pyplot as plt

    # København's activity-ready series starts with the reform: one month, no trend
    assert _panel_notes(copenhagen_figure) == {
        "kh_aktivitetsparat_rate": ["Kun juli 2026 i data: ingen udvikling"]
    }
    # Læsø's suppressed or missing series (the scorecard's "–" rows): no figures at all
    fig = benchmark_view(825, paths=paths).trend_figure("en")
    try:
        assert _panel_notes(fig) == {
            name: ["No figures for Læsø"]
            for name in ("longterm_rate", "ordinary_hours_share", "kh_aktivitetsparat_rate")
        }
    finally:
        plt.close(fig)
