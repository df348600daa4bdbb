"""Issue 20, §2-§5: the indicator statistics as KLK computed them (seed 002, Bilag 5).

- levels are three-month averages with the months named, developments compare the same
  months a year before and, for rates of the labour force, come from the persons counts;
- the persons stand next to every percentage; fewer than 20 persons give no arrow and no
  colour; the colours follow the tolerance the legend states, on the figures as shown;
- a tally counts each outcome family once and no process measure;
- each comparison-group member's distance is shown and a poor fit is warned of; the whole
  country is a second comparison column;
- the savings potential rests on 12-month averages with a range, and shows the published
  count beside the count used.

Names added by issue 20 are imported inside the tests, so that each test fails on its own
against the code before it (not the whole module at collection).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.benchmark import scorecard as sc
from analysis.benchmark import summaries
from analysis.benchmark.indicators import CATALOGUE, indicator_panel
from analysis.benchmark.scorecard import level_table, scorecard
from analysis.data.jobindsats import load_snapshot
from analysis.reports.html import benchmark as brief_html

from .conftest import make_snapshot, standard_series

LOWER = CATALOGUE["unemployment_rate"]
HERNING, LAESOE, KOEBENHAVN = 657, 825, 101


@pytest.fixture(scope="module")
def real_panel() -> pd.DataFrame:
    return indicator_panel(load_snapshot())


@pytest.fixture(scope="module")
def real_levels(real_panel) -> pd.DataFrame:
    return level_table(real_panel)


def _row(levels: pd.DataFrame, code: int, indicator: str) -> pd.Series:
    rows = levels[levels["municipality_code"].eq(code) & levels["indicator"].eq(indicator)]
    return rows.iloc[0]


# --- levels: the average of the latest three months, the months named ----------------------


def test_level_is_the_average_of_the_latest_three_months_and_names_them():
    snapshot = make_snapshot({101: standard_series(rate=3.0, fulltime=3000.0)})
    july = snapshot["period"].eq(pd.Period("2026-07", "M"))
    rate = snapshot["measure"].eq("unemployment_rate") & snapshot["benefit_group"].eq("total")
    snapshot.loc[july & rate, "value"] = 3.6  # May 3.0, June 3.0, July 3.6: average 3.2
    levels = level_table(indicator_panel(snapshot))
    row = _row(levels, 101, "unemployment_rate")
    assert row["level"] == pytest.approx(3.2)
    assert (row["period_start"], row["period"]) == ("2026-05", "2026-07")
    assert (row["previous_period_start"], row["previous_period"]) == ("2025-05", "2025-07")
    assert row["months"] == 3
    card = scorecard(levels, 101, [], cluster="x")
    assert summaries.display_table(card, "da").iloc[0]["Periode"] == "maj–juli 2026"
    assert summaries.display_table(card, "en").iloc[0]["Period"] == "May–July 2026"


# --- developments from the counts -----------------------------------------------------------


def test_herning_unemployment_development_comes_from_the_persons(real_panel, real_levels):
    """The issue's example: July 2025 -> July 2026, 937 -> 970 full-time unemployed
    (+3,5 %), while the rate stayed 2,1 %: the page said "0,0 %" in grey-green."""
    july = level_table(real_panel, months=1)
    row = _row(july, HERNING, "unemployment_rate")
    assert (row["previous_level"], row["level"]) == (2.1, 2.1)
    assert (row["previous_persons"], row["persons"]) == (937, 970)
    assert row["development"] == pytest.approx((970 / 937 - 1) * 100)  # +3.52 %
    assert sc.arrow(row["development"], LOWER) == sc.DOWN
    # the page's window, May-July: 928 -> 1 000 persons on average, +7,8 %
    page = _row(real_levels, HERNING, "unemployment_rate")
    assert page["previous_persons"] == pytest.approx((932 + 915 + 937) / 3)
    assert page["persons"] == pytest.approx((1028 + 1002 + 970) / 3)
    assert page["development"] == pytest.approx(7.76, abs=0.01)


def test_no_rate_based_development_is_zero_only_because_of_rounding(real_levels):
    """Before: 53 of the 294 developments of unemployment, dagpenge and kontanthjælp were
    0,0 % because two rates rounded to one decimal were equal."""
    rates = real_levels[
        real_levels["indicator"].isin(["unemployment_rate", "dagpenge_rate", "kh_workforce_rate"])
        & real_levels["development"].notna()
    ]
    assert len(rates) == 294
    zero = rates[rates["development"].round(1).eq(0)]
    # what is left is a count that moved by less than 1 in 2 000, not a rounding of rates
    assert len(zero) <= 5
    assert ((zero["persons"] / zero["previous_persons"] - 1).abs() < 0.0005).all()


# --- the persons beside every percentage -----------------------------------------------------


def test_scorecard_carries_the_persons_and_the_page_shows_them(real_levels):
    assert "persons" in sc.SCORECARD_COLUMNS and "previous_persons" in sc.SCORECARD_COLUMNS
    card = scorecard(real_levels, HERNING, [661, 665], cluster="test")
    by = card.set_index("indicator")
    assert by.loc["unemployment_rate", "persons"] == pytest.approx(1000)
    assert by.loc["kh_workforce_rate", "persons"] == pytest.approx((1575 + 1553 + 1519) / 3)
    table = summaries.display_table(card, "da").set_index("Nøgletal")
    assert table.loc[LOWER.label("da"), "Kommunen"] == "2,2 % (1.000 fuldtidsledige)"
    assert table.loc[LOWER.label("da"), "Udvikling seneste år"] == "▼ +7,8 % (928 → 1.000)"
    activation = CATALOGUE["activation_degree"].label("da")
    assert table.loc[activation, "Kommunen"].startswith("17,2 % (af 1.549 ")
    sentence = summaries.summary_sentences(card, "Herning", "x", "en")["text"].iloc[0]
    assert "(1,000 full-time unemployed)" in sentence
    assert "(928 → 1,000 full-time unemployed)" in sentence


# --- small bases ---------------------------------------------------------------------------


def test_laesoe_small_base_gets_no_arrow_and_no_colour(real_panel, real_levels):
    """Læsø's "+84,6 %, dårlig udvikling" was 8 -> 16 persons (July to July)."""
    july = level_table(real_panel, months=1)
    row = _row(july, LAESOE, "unemployment_rate")
    assert (row["previous_persons"], row["persons"]) == (8, 16)
    assert row["small_base"]
    members = [741, 400, 563, 773, 492, 165, 482, 671]
    for levels in (july, real_levels):
        card = scorecard(levels, LAESOE, members, cluster="similar").set_index("indicator")
        unemployment = card.loc["unemployment_rate"]
        assert unemployment["arrow"] == sc.SMALL_BASE
        assert unemployment["development_status"] == sc.SMALL_BASE
        assert "small_base" in unemployment["note"]
        assert card.loc["kh_workforce_rate", "level_status"] == sc.SMALL_BASE  # 7 persons
    card = scorecard(real_levels, LAESOE, members, cluster="similar")
    html = summaries.styled_scorecard(card, "da").to_html()
    table = summaries.display_table(card, "da").iloc[0]
    assert not table["Udvikling seneste år"].startswith(("▲", "▼", "▶"))
    assert table["Udvikling ift. klyngen"] == "Ingen vurdering (under 20 pers.)"
    assert "under 20 personer bag tallet året før" in table["Bemærkning"]
    assert html.count(summaries.COLOURS["worse"]) + html.count(summaries.COLOURS["better"]) <= 2
    text = summaries.summary_sentences(card, "Læsø", "x", "da")["text"].iloc[0]
    assert "for få personer (under 20)" in text and "dårlig udvikling" not in text


def test_small_base_threshold_is_twenty_persons():
    def card_with(persons_before: float, persons_now: float) -> pd.Series:
        series = standard_series(
            rate=2.0, fulltime=persons_now, unemployed_fulltime=(persons_before, persons_now)
        )
        levels = level_table(indicator_panel(make_snapshot({1: series})))
        return scorecard(levels, 1, [], cluster="x").set_index("indicator").loc["unemployment_rate"]

    assert card_with(20.0, 30.0)["arrow"] == sc.DOWN
    assert card_with(19.0, 30.0)["arrow"] == sc.SMALL_BASE
    assert card_with(30.0, 19.0)["arrow"] == sc.SMALL_BASE
    assert sc.SMALL_BASE_THRESHOLD == 20


# --- not seasonally adjusted --------------------------------------------------------------


def test_pages_say_that_municipal_figures_are_not_seasonally_adjusted():
    from analysis.benchmark.clusters import ComparisonGroup
    from analysis.labels import t

    group = ComparisonGroup("x", "custom", 101, (147,), "X", "X", member_names=("A",))
    assert "ikke sæsonkorrigerede" in summaries.intro_text("K", group, False, "da")
    assert "not seasonally adjusted" in summaries.intro_text("K", group, False, "en")
    assert "ikke sæsonkorrigerede" in t("benchmark.legend", "da")
    assert "not seasonally adjusted" in t("benchmark.legend", "en")


# --- the tolerance the legend states, on the figures as shown -------------------------------


def test_a_colour_follows_the_figures_shown():
    # "2,4 % against 2,3 %" is the same when differences of 0,1 are; the cluster mean
    # behind "2,3 %" was 2,2875, which made it "worse" before
    assert sc.compare(2.4, 2.2875, LOWER) == sc.SAME
    assert sc.compare(2.4, 2.2499, LOWER) == sc.WORSE  # shown as 2,4 against 2,2
    # developments: "+3,5 %" against "+3,4 %" is the same, though 3.54 - 3.36 = 0.18
    assert sc.compare(3.54, 3.36, LOWER, kind="development") == sc.SAME
    assert sc.compare(3.56, 3.44, LOWER, kind="development") == sc.WORSE  # 3,6 vs 3,4


def test_no_cell_contradicts_the_figures_beside_it(real_levels):
    """Before: 40 cells on the 98 pages (27 of them levels of the four published rates)
    were coloured against the rounded figures and the legend."""
    from analysis.benchmark.clusters import (
        ClusterConfig,
        memberships,
        similar_municipalities,
        structural_features,
    )
    from analysis.data.reference import load_municipalities

    similar = similar_municipalities(structural_features(load_snapshot()))
    groups = memberships(ClusterConfig(), similar, load_municipalities())
    cards = sc.scorecards(real_levels, groups[groups["cluster"].eq("similar")])
    wrong = []
    for row in cards.itertuples(index=False):
        indicator = CATALOGUE[row.indicator]
        for kind, value, other, status in (
            ("level", row.level, row.cluster_level, row.level_status),
            ("development", row.development, row.cluster_development, row.development_status),
        ):
            if status not in (sc.BETTER, sc.WORSE, sc.SAME):
                continue
            decimals = indicator.decimals if kind == "level" else 1
            shown = round(value, decimals) - round(other, decimals)
            expected = (
                sc.SAME
                if abs(shown) <= 10.0**-decimals + 1e-9
                else (sc.BETTER if shown * indicator.sign > 0 else sc.WORSE)
            )
            if expected != status:
                wrong.append((row.municipality_code, row.indicator, kind))
    assert wrong == []


# --- §3 tallies count each outcome once --------------------------------------------------------


def _card_with_statuses(statuses: dict[str, str]) -> pd.DataFrame:
    levels = level_table(
        indicator_panel(make_snapshot({1: standard_series(rate=2.0, fulltime=200.0)}))
    )
    card = scorecard(levels, 1, [], cluster="x")
    card["level_status"] = card["indicator"].map(statuses)
    card["arrow"] = sc.UP
    return card


def test_tally_counts_each_outcome_family_once_and_no_process_measure():
    card = _card_with_statuses(
        {
            "unemployment_rate": sc.WORSE,
            "dagpenge_rate": sc.BETTER,  # part of the unemployed: not again
            "longterm_rate": sc.SAME,
            "kh_workforce_rate": sc.BETTER,
            "activation_degree": sc.BETTER,  # a process measure: never
            "ordinary_hours_share": sc.WORSE,
            "kh_aktivitetsparat_rate": sc.BETTER,  # part of the recipients: not again
        }
    )
    counts = sc.tally(card)
    assert counts["n_indicators"] == 4 and counts["n_shown"] == 7
    assert (counts["n_better"], counts["n_worse"], counts["n_same"]) == (1, 2, 1)
    assert counts["n_up"] == 4
    assert not CATALOGUE["activation_degree"].counted and CATALOGUE["activation_degree"].process
    assert CATALOGUE["dagpenge_rate"].part_of == "unemployment_rate"
    brief = brief_html.brief_markup(card, "da")
    assert brief.count('data-counted="false"') == 3
    assert (
        brief.count('title="Tælles ikke for sig: del af et andet nøgletal eller et procesmål."')
        == 3
    )
    # the index's columns say what they count
    from analysis.labels import t

    assert t("reports.index.headline.benchmark_better", "da").startswith("Resultatområder")
    assert t("reports.index.headline.benchmark_up", "en").startswith("Outcome areas")


def test_key_findings_sentence_counts_outcome_areas():
    from analysis.reports.findings import benchmark_sentence
    from analysis.reports.records import BenchmarkHeadline

    headline = {  # every field of notebook 03's record (analysis.reports.records)
        "indicator": "unemployment_rate",
        "level": 3.2,
        "development": 43.18,
        "cluster_mean": 2.31,
        "country_mean": 3.0,
        "n_shown": 7,
        "n_same": 1,
        "n_country_better": 0,
        "n_country_worse": 1,
        "counted": [
            "unemployment_rate",
            "longterm_rate",
            "kh_workforce_rate",
            "ordinary_hours_share",
        ],
        "members": [741, 400, 563, 773, 492, 165, 482, 671],
        "cluster": "Lignende kommuner",
        "cluster_size": 8,
        "n_indicators": 4,
        "n_better": 1,
        "n_worse": 2,
        "n_up": 3,
        "n_down": 1,
        "n_small_base": 2,
        "period": "2026-07",
        "period_start": "2026-05",
        "poor_fit": True,
        "fit_mean": 7.31,
        "fit_typical_mean": 0.96,
    }
    headline = BenchmarkHeadline.from_scrap(headline)
    text = benchmark_sentence(headline, "Læsø", "da")
    assert "dårligere på 2 af 4 resultatområder (maj–juli 2026; nøgletal med * tælles ikke" in text
    assert "2 vurderes ikke: under 20 personer." in text
    assert "Gruppen ligner Læsø dårligt (afstand 7,3, typisk 1,0)." in text
    english = benchmark_sentence(headline, "Læsø", "en")
    assert "worse on 2 of 4 outcome areas (May–July 2026; indicators marked * are" in english


# --- the real pages: group fit, whole country, savings ----------------------------------------


@pytest.fixture(scope="module")
def paths(benchmark_paths):
    from analysis.benchmark.batch import precompute

    precompute(benchmark_paths)
    return benchmark_paths


def test_laesoe_comparison_group_fits_poorly_and_the_page_says_so(paths):
    from analysis.benchmark.view import benchmark_view

    view = benchmark_view(LAESOE, paths=paths)
    fit = view.fit
    assert fit.nearest_member == 741 and fit.nearest == pytest.approx(5.07, abs=0.01)  # Samsø
    assert fit.poor and fit.mean == pytest.approx(7.31, abs=0.01)
    assert fit.typical_nearest == pytest.approx(0.73, abs=0.01)
    assert 0.9 < fit.typical_mean < 1.1
    albertslund = fit.distances[view.group.members.index(165)]
    assert albertslund == pytest.approx(7.92, abs=0.01)
    intro = summaries.intro_text(view.name, view.group, False, "da", fit)
    assert "Samsø (5,1)" in intro and "Albertslund (7,9)" in intro
    warning = summaries.fit_text(fit, view.name, "da", view.group)
    assert warning.startswith("Advarsel: sammenligningsgruppen passer dårligt til Læsø")
    assert "den nærmeste, Samsø, 5,1" in warning
    assert view.headline("da")["poor_fit"] is True
    herning = benchmark_view(HERNING, paths=paths)
    assert not herning.fit.poor
    assert summaries.fit_text(herning.fit, herning.name, "da", herning.group) == ""


def test_the_whole_country_is_a_second_comparison_column(paths):
    from analysis.benchmark.view import benchmark_view

    view = benchmark_view(HERNING, paths=paths)
    row = view.scorecard.set_index("indicator").loc["unemployment_rate"]
    # the national series: 3,0 % in May, June and July 2026; persons 83 552, 84 215 and
    # 87 564 a year before, 89 613, 89 907 and 91 583 now
    assert row["country_level"] == pytest.approx(3.0)
    now, before = 89613 + 89907 + 91583, 83552 + 84215 + 87564
    assert row["country_development"] == pytest.approx((now / before - 1) * 100)
    assert row["country_level_status"] == sc.BETTER  # 2,2 % against 3,0 %
    assert row["country_development_status"] == sc.WORSE  # +7,8 % against +6,2 %
    table = summaries.display_table(view.scorecard, "da").iloc[0]
    assert table["Hele landet (niveau)"] == "3,0 % · ● Bedre"
    assert table["Hele landets udvikling"] == "+6,2 % · ● Dårligere"
    html = summaries.styled_scorecard(view.scorecard, "da").to_html()
    assert html.count(summaries.COLOURS["better"]) >= 1
    sentence = summaries.summary_sentences(view.scorecard, view.name, "x", "da")["text"][0]
    assert "; hele landet 3,0 %." in sentence


def test_koebenhavn_savings_rest_on_12_months_with_a_range_and_both_counts(paths):
    """The page said 629,7 mio. kr. from July 2026 alone (a graduate peak) and 15.401
    full-time persons where Jobindsats publishes 15.644."""
    from analysis.benchmark.view import benchmark_view

    view = benchmark_view(KOEBENHAVN, paths=paths)
    dagpenge = view.savings_range.set_index("benefit").loc["dagpenge"]
    assert (dagpenge["period_start"], dagpenge["period"], dagpenge["months"]) == (
        "2025-08",
        "2026-07",
        12,
    )
    assert dagpenge["potential_dkk"] / 1e6 == pytest.approx(489.3, abs=0.1)
    assert dagpenge["potential_high_dkk"] / 1e6 == pytest.approx(666.5, abs=0.1)
    assert dagpenge["high_period"] == "2026-07"  # the July peak is the range's top
    assert dagpenge["potential_low_dkk"] / 1e6 == pytest.approx(369.0, abs=0.1)
    assert dagpenge["latest_published"] == 15644
    # rate x implied labour force: 3,9 % x 16 981 / 4,3 % = 15 401
    assert dagpenge["latest_computed"] == pytest.approx(0.039 * 16981 / 0.043)
    table = summaries.savings_range_table(view.savings_range, view.costs, "da")
    row = table.iloc[1]
    assert row["Fuldtidspersoner (Jobindsats)"] == "13.789"
    assert row["Sats × arbejdsstyrke"] == "13.814"
    assert row["Laveste–højeste måned (mio. kr.)"] == "369,0–666,5"
    summary = summaries.savings_summary(view.savings_range, view.name, "da")
    assert summary.startswith(
        "København: i alt 489,3 mio. kr. om året, gennemsnit af de 12 måneder august 2025–juli 2026"
    )
    assert "ikke en budgetbesparelse" in summary
    caveats = " ".join(summaries.savings_caveats(view.savings_range, view.costs, "da"))
    assert "15.401 mod Jobindsats' 15.644" in caveats
    assert "Beskæftigelsestilskuddet" in caveats and "Refusion" in caveats
    english = " ".join(summaries.savings_caveats(view.savings_range, view.costs, "en"))
    assert "beskæftigelsestilskud" in english and "Refusion" in english


def test_savings_range_by_hand():
    from analysis.benchmark.savings import BenefitCost, CostFigure, savings_range

    cost = BenefitCost(
        "dagpenge",
        "dagpenge_rate",
        "Dagpenge",
        "Dagpenge",
        CostFigure(10_000, 2025, "sourced", "t"),
        CostFigure(0.5, 2016, "sourced", "t"),
    )  # 60 000 kr. a year
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    rows = []
    for i, month in enumerate(months):
        peak = i == 11
        rows.append((1, "dagpenge_rate", month, 3.0, 300.0 + (120 if peak else 0), 10_000.0))
        rows.append((2, "dagpenge_rate", month, 2.0, 200.0, 10_000.0))
    monthly = pd.DataFrame(
        rows,
        columns=["municipality_code", "indicator", "period", "value", "persons", "labour_force"],
    )
    result = savings_range(monthly, 1, [2], {"dagpenge": cost}).iloc[0]
    # average persons 310, cluster 2 % of 10 000 = 200: 110 above x 60 000 kr.
    assert result["excess_fulltime"] == pytest.approx(110)
    assert result["potential_dkk"] == pytest.approx(110 * 60_000)
    assert result["potential_low_dkk"] == pytest.approx(100 * 60_000)
    assert result["potential_high_dkk"] == pytest.approx(220 * 60_000)
    assert result["high_period"] == "2026-12"
    assert math.isclose(result["published_fulltime"], 310)


def test_persons_below_five_are_written_as_such():
    """The persons beside a figure follow the reports' small-count rule ('<5')."""
    row = pd.Series(
        {
            "indicator": "unemployment_rate",
            "level": 1.0,
            "previous_level": 0.5,
            "persons": 7.0,
            "previous_persons": 3.0,
        }
    )
    assert summaries.persons_text(row, "da") == "7 fuldtidsledige"
    assert summaries.persons_text(row, "da", previous=True) == "<5 fuldtidsledige"
    assert summaries.persons_change(row, "da") == "<5 → 7"
    row["level"] = math.nan  # no figure: no persons beside it
    assert summaries.persons_text(row, "da") == ""
