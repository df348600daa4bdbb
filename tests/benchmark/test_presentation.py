"""What a reader sees: display table, colours with words, sentences, savings, dot plot."""

from __future__ import annotations

import math

import matplotlib

from analysis.benchmark.indicators import JOBINDSATS_INDICATORS

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from analysis.benchmark.clusters import ComparisonGroup
from analysis.benchmark.indicators import indicator_panel
from analysis.benchmark.plots import TICK_GID, dot_plot, strip_labels, strip_scale, tick_decimals
from analysis.benchmark.savings import BenefitCost, CostFigure
from analysis.benchmark.scorecard import level_table, scorecard
from analysis.benchmark.summaries import (
    COLOURS,
    display_table,
    format_development,
    format_level,
    format_period,
    intro_text,
    savings_table,
    styled_scorecard,
    summary_sentences,
)
from analysis.reports.html.benchmark import intro_markdown

from .conftest import make_snapshot, standard_series


@pytest.fixture(scope="module")
def levels() -> pd.DataFrame:
    snapshot = make_snapshot(
        {
            101: standard_series(rate=4.0, fulltime=4000.0),
            147: standard_series(rate=2.0, fulltime=600.0),
            151: standard_series(rate=3.0, fulltime=300.0),
            825: standard_series(rate=2.4, fulltime=16.0, ordinary_hours_persons=(math.nan, 2.0)),
        }
    )
    return level_table(indicator_panel(snapshot))


@pytest.fixture(scope="module")
def card(levels) -> pd.DataFrame:
    return scorecard(levels, 101, [147, 151], cluster="test")


def test_numbers_and_periods_in_both_languages():
    assert format_level(1234.5, "sdp_duration_weeks", "da") == "1.234,5"
    assert format_level(1234.5, "sdp_duration_weeks", "en") == "1,234.5"
    assert format_development(-13.04, "sdp_over_26w", "da") == "-13,0 pct.-point"
    assert format_level(math.nan, "sdp_over_26w", "da") == "–"
    assert format_development(math.nan, "sdp_over_26w", "da") == "–"
    assert format_period("2026-07", "da") == "juli 2026"
    assert format_period("2026-06", "en") == "June 2026"


def test_display_table_says_it_in_words(card):
    table = display_table(card, "da")
    row = table.iloc[0]
    assert row["Nøgletal"] == "Ledighed i pct. af arbejdsstyrken"
    assert row["Kommunen"] == "4,0 % (4.000 fuldtidsledige)"
    assert row["Klyngen"] == "2,5 %"
    assert row["Niveau ift. klyngen"] == "● Dårligere"
    assert row["Udvikling seneste år"].startswith("▲ -9,1 %")
    english = display_table(card, "en")
    assert english.iloc[0]["Level vs cluster"] == "● Worse"
    hours = english[english["Indicator"].str.contains("wage hours")].iloc[0]
    assert "series break" in hours["Note"]


def test_styled_table_has_stable_id_colours_and_text(card):
    html = styled_scorecard(card, "da").to_html()
    assert 'id="T_benchmark-scorecard"' in html
    assert COLOURS["worse"] in html
    assert "● Dårligere" in html
    assert html == styled_scorecard(card, "da").to_html()  # deterministic


def test_text_from_data_is_escaped():
    group = ComparisonGroup(
        name="evil",
        kind="custom",
        municipality=101,
        members=(147,),
        label_da="<script>x</script>",
        label_en="<b>x</b>",
        member_names=("A & B",),
    )
    text = intro_markdown("København", group, False, "da")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "A &amp; B" in text
    # the analysis area's text is plain: escaping is the report layer's job (issue 23)
    plain = intro_text("København", group, False, "da")
    assert "<script>x</script>" in plain and "A & B" in plain


def test_sentences_for_every_indicator_and_no_data(levels):
    card = scorecard(levels, 825, [101, 147, 151], cluster="test")
    sentences = summary_sentences(card, "Læsø", "Lignende kommuner", "da").set_index("indicator")
    assert len(sentences) == len(JOBINDSATS_INDICATORS)
    assert (
        "Læsø 2,4 % (16 fuldtidsledige) i maj–juli 2026 mod 3,0 % i gennemsnit"
        in sentences.loc["unemployment_rate", "text"]
    )
    hours = sentences.loc["ordinary_hours_share", "text"]
    assert "ingen sammenligning" in hours and "færre end 5 personer" in hours
    assert "databruddet" in hours
    # 16 x 0.25 = 4 long-term unemployed: below the threshold as well
    assert "fewer than 5 persons" in summary_sentences(card, "Læsø", "x", "en")["text"][1]
    english = summary_sentences(card, "Læsø", "Similar municipalities", "en")
    assert english["text"].str.contains("Over the last year").sum() == 4


def test_levels_and_developments_use_the_report_number_format():
    """analysis.formatting: per cent as each language writes it (before, "4.0 %" in
    English where the labels and the joint display write "4.0%"), and no sign on a
    development that rounds to zero (before "-0,0" and "+0,0")."""
    assert format_level(4.04, "unemployment_rate", "da") == "4,0 %"
    assert format_level(4.04, "unemployment_rate", "en") == "4.0%"
    assert format_development(2.56, "unemployment_rate", "en") == "+2.6%"
    assert format_development(-0.04, "sdp_over_26w", "da") == "0,0 pct.-point"
    assert format_development(0.0, "sdp_over_26w", "en") == "0.0 pp"


def test_savings_table_leaves_small_counts_to_the_privacy_module(monkeypatch):
    """The "<5" rule is the privacy module's (before, savings_table wrote it itself)."""
    from analysis import privacy
    from analysis.benchmark import summaries

    calls = []

    def spy(table, columns, **kwargs):
        calls.append(list(table[columns[0]]))
        return privacy.suppress_small_counts(table, columns, **kwargs)

    monkeypatch.setattr(summaries, "suppress_small_counts", spy)
    test_savings_table_hides_small_counts()
    assert calls == [[3.0, 640.0]]


def test_savings_table_hides_small_counts():
    costs = {
        "dagpenge": BenefitCost(
            "dagpenge",
            "dagpenge_rate",
            "Dagpenge",
            "Dagpenge",
            CostFigure(20_000, 2025, "illustrative", "test"),
            CostFigure(0.6, 2016, "assumption", "test"),
        )
    }
    savings = pd.DataFrame(
        {
            "benefit": ["dagpenge", "dagpenge"],
            "fulltime_recipients": [3.2, 640.0],
            "excess_fulltime": [0.4, 12.0],
            "yearly_cost_per_fulltime": [144_000.0, 144_000.0],
            "potential_dkk": [57_600.0, 1_728_000.0],
            "sourced": [False, False],
        }
    )
    table = savings_table(savings, costs, "da")
    assert list(table.iloc[:, 1]) == ["<5", "640"]
    assert table.iloc[1, 4] == "1,7"
    assert set(table.iloc[:, 5]) == {"illustrativ"}


def test_dot_plot_one_strip_per_indicator(levels, card):
    fig = dot_plot(levels, card, 101, [147, 151], name="København", language="da")
    labels = strip_labels(fig)
    assert len(labels) == len(card)
    assert labels[0].startswith("Ledighed i pct. af arbejdsstyrken: 4,0")
    ticks = [x.get_text() for x in fig.axes[0].texts if x.get_gid() == TICK_GID]
    assert ticks and all("." not in tick for tick in ticks)  # Danish decimal comma
    missing = scorecard(levels, 825, [101], cluster="x")
    fig2 = dot_plot(levels, missing, 825, [101], name="Læsø", language="en")
    titles = strip_labels(fig2)
    assert any(title.endswith(": no data") for title in titles)


def test_strip_scale_and_tick_decimals():
    assert strip_scale(np.array([2.0, 4.0])) == pytest.approx((1.92, 4.08))
    low, high = strip_scale(np.array([3.0]))  # one value sits in the middle
    assert low < 3.0 < high and 3.0 - low == pytest.approx(high - 3.0)
    assert tick_decimals([1.6, 2.4, 3.2]) == 1
    assert tick_decimals([0.25, 0.5]) == 2
    assert tick_decimals([10.0, 20.0]) == 0
