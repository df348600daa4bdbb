"""Quantitized themes against the caseload of the sources' department and period."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from mixedtest_helpers import REPO, evidence_from

from analysis.mixed.caseload_link import LINK_COLUMNS, caseload_link, group_caseloads


def _panel() -> pd.DataFrame:
    """København-like: the trial unit 200 -> 50 and two ordinary units 200 -> 125 at
    2024-01; a second municipality without a trial."""
    rows = []
    months = ["2023-11", "2023-12", "2024-01", "2024-02", "2024-03"]
    for month in months:
        after = month >= "2024-01"
        rows.append((101, "forsoeg", month, 50.0 if after else 200.0, 1, "2024-01"))
        rows.append((101, "team_01", month, 120.0 if after else 190.0, 0, None))
        rows.append((101, "team_02", month, 130.0 if after else 210.0, 0, None))
        rows.append((580, "team_01", month, 150.0 if after else 170.0, 0, None))
    frame = pd.DataFrame(
        rows, columns=["municipality_code", "unit", "period", "caseload", "treated", "trial_start"]
    )
    frame["period"] = frame["period"].astype("period[M]")
    frame["trial_start"] = pd.to_datetime(frame["trial_start"]).dt.to_period("M")
    return frame


def test_group_caseloads_with_a_trial():
    groups = group_caseloads(_panel(), 101).set_index(["department", "period"])
    assert list(groups.index) == [
        ("forsoeg", "foer"),
        ("forsoeg", "under"),
        ("ordinaer", "foer"),
        ("ordinaer", "under"),
    ]
    assert groups["caseload_mean"].tolist() == [200.0, 50.0, 200.0, 125.0]
    assert groups["n_units"].tolist() == [1, 1, 2, 2]
    assert groups["n_unit_months"].tolist() == [2, 3, 4, 6]
    assert groups.loc[("forsoeg", "under"), "first_month"] == "2024-01"
    assert groups.loc[("ordinaer", "foer"), "last_month"] == "2023-12"


def test_group_caseloads_without_a_trial_or_without_units():
    groups = group_caseloads(_panel(), 580)
    assert len(groups) == 1
    row = groups.iloc[0]
    assert (row["department"], row["period"], row["n_units"]) == ("ordinaer", None, 1)
    assert math.isclose(row["caseload_mean"], (2 * 170 + 3 * 150) / 5)
    assert group_caseloads(_panel(), 147).empty


def _quote(source, department, period, codes, **extra):
    return {
        "source": source,
        "text": f"{source} {period}",
        "department": department,
        "period": period,
        "codes": codes,
        **extra,
    }


def _evidence():
    both = {"source_period": None}  # a source contrasting both periods, quote by quote
    return evidence_from(
        [
            # trial department, during: 2 sources, one mentions sagsstamme
            _quote("u1", "forsoeg", "under", ["sagsstamme"]),
            _quote("u2", "forsoeg", "under", []),
            # trial department, before: 1 source with sagsstamme
            _quote("f1", "forsoeg", "foer", ["sagsstamme"]),
            # "both": its before-quote is coded, its during-quote not
            _quote("both", "forsoeg", "foer", ["forberedelse"], **both),
            _quote("both", "forsoeg", "under", [], **both),
            # ordinary department before (nothing in the ordinary department during)
            _quote("o1", "ordinaer", "foer", ["sagsstamme"]),
        ]
    )


def test_caseload_link_places_groups_of_sources_at_the_panel_caseload():
    themes = ["sagsstamme", "arbejdsmaade"]
    link = caseload_link(_evidence(), themes, group_caseloads(_panel(), 101))
    assert tuple(link.columns) == LINK_COLUMNS
    table = link.set_index(["department", "period", "theme"])
    trial_during = table.loc[("forsoeg", "under", "sagsstamme")]
    assert (trial_during["n_sources"], trial_during["n_sources_group"]) == (1, 3)
    assert trial_during["caseload_mean"] == 50.0
    trial_before = table.loc[("forsoeg", "foer", "sagsstamme")]
    assert (trial_before["n_sources"], trial_before["n_sources_group"]) == (1, 2)
    assert trial_before["caseload_mean"] == 200.0
    # forberedelse rolls up to arbejdsmaade, only in the before-quote of "both"
    assert table.loc[("forsoeg", "foer", "arbejdsmaade"), "n_sources"] == 1
    assert table.loc[("forsoeg", "under", "arbejdsmaade"), "n_sources"] == 0
    ordinary_during = table.loc[("ordinaer", "under", "sagsstamme")]
    assert ordinary_during["n_sources_group"] == 0 and ordinary_during["caseload_mean"] == 125.0
    assert pd.isna(ordinary_during["prevalence"])
    assert table.loc[("ordinaer", "foer", "sagsstamme"), "prevalence"] == 1.0
    # order: department, period, then theme in the order given
    assert list(link["theme"][:2]) == themes


def test_sources_outside_the_panel_groups_get_no_caseload():
    rows = [_quote("x", "ordinaer", None, ["sagsstamme"]), _quote("o1", "ordinaer", "foer", [])]
    link = caseload_link(evidence_from(rows), ["sagsstamme"], group_caseloads(_panel(), 101))
    unplaced = link[link["period"].isna()].iloc[0]
    assert pd.isna(unplaced["caseload_mean"])
    # only the source without a period: "o1" belongs to the before group
    assert (unplaced["n_sources"], unplaced["n_sources_group"]) == (1, 1)
    before = link[(link["department"] == "ordinaer") & (link["period"] == "foer")].iloc[0]
    assert (before["n_sources"], before["n_sources_group"]) == (0, 1)


@pytest.fixture(scope="module")
def simulated_panel() -> pd.DataFrame:
    from analysis.data.caseloads import read_caseload_panel

    return read_caseload_panel(REPO / "data" / "raw" / "caseloads" / "simulated_caseloads.csv")


@pytest.mark.parametrize(
    ("group", "expected"),
    [(("forsoeg", "foer"), 200), (("forsoeg", "under"), 50), (("ordinaer", "foer"), 200),
     (("ordinaer", "under"), 125)],
)  # fmt: skip
def test_simulated_copenhagen_trial_positions(simulated_panel, group, expected):
    """The demo panel's København: the trial unit ~200 -> 50, ordinary units ~200 -> ~125."""
    groups = group_caseloads(simulated_panel, 101).set_index(["department", "period"])
    assert abs(groups.loc[group, "caseload_mean"] - expected) < 0.05 * expected
    assert groups.loc[("forsoeg", "under"), "first_month"] == "2024-01"
