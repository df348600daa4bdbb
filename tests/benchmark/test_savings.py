"""Savings potential: the formula, only positive potentials, and costs.yaml."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.benchmark.savings import (
    BenefitCost,
    CostFigure,
    load_costs,
    savings_formula,
    savings_potential,
)
from analysis.errors import InputError

REPO = Path(__file__).resolve().parents[2]
COSTS = REPO / "data" / "raw" / "benchmark" / "costs.yaml"


def test_formula():
    # 0.5 pp of 20 000 = 100 full-time persons x 100 000 kr. = 10 mio. kr.
    assert savings_formula(3.0, 2.5, 20_000, 100_000) == pytest.approx(10_000_000)
    assert savings_formula(2.5, 3.0, 20_000, 100_000) == 0.0  # better than the cluster
    assert savings_formula(2.5, 2.5, 20_000, 100_000) == 0.0
    assert math.isnan(savings_formula(math.nan, 2.5, 20_000, 100_000))
    assert math.isnan(savings_formula(3.0, math.nan, 20_000, 100_000))
    assert math.isnan(savings_formula(3.0, 2.5, math.nan, 100_000))


def test_project_costs_state_source_year_and_status():
    costs = load_costs(COSTS)
    assert set(costs) == {"kontanthjaelp", "dagpenge"}
    for cost in costs.values():
        for figure in (cost.monthly_rate, cost.municipal_share):
            assert figure.source and figure.year and figure.status
        # nothing here is a 2026 official rate: the potential must show as illustrative
        assert not cost.sourced
    kh = costs["kontanthjaelp"]
    assert kh.indicator == "kh_workforce_rate"
    assert kh.yearly_net_cost == pytest.approx(kh.monthly_rate.value * 12 * 0.80)
    assert "bm.dk" in kh.monthly_rate.source


def figure(value: float, status: str = "sourced") -> CostFigure:
    return CostFigure(value=value, year=2026, status=status, source="test")


def test_savings_per_scorecard_row():
    costs = {
        "kontanthjaelp": BenefitCost(
            "kontanthjaelp",
            "kh_workforce_rate",
            "Kontanthjælp",
            "Cash assistance",
            figure(10_000),
            figure(0.5),
        )
    }
    card = pd.DataFrame(
        {
            "municipality_code": [101, 147, 151],
            "cluster": "similar",
            "indicator": "kh_workforce_rate",
            "period": "2026-07",
            "level": [3.0, 2.0, math.nan],
            "cluster_level": [2.5, 2.5, 2.5],
            "labour_force": [20_000.0, 10_000.0, 5_000.0],
        }
    )
    result = savings_potential(card, costs).set_index("municipality_code")
    assert result.loc[101, "excess_fulltime"] == pytest.approx(100)
    assert result.loc[101, "potential_dkk"] == pytest.approx(100 * 10_000 * 12 * 0.5)
    assert result.loc[101, "fulltime_recipients"] == pytest.approx(600)
    assert result.loc[147, "potential_dkk"] == 0.0
    assert result.loc[147, "note"] == "not_worse"
    assert math.isnan(result.loc[151, "potential_dkk"])
    assert result.loc[151, "note"] == "no_data"
    assert result["sourced"].all()


def test_cost_validation_names_lines(tmp_path):
    text = COSTS.read_text(encoding="utf-8")
    text = text.replace("value: 0.80", "value: 1.8").replace(
        "status: illustrative", "status: maybe", 1
    )
    text = text.replace("indicator: dagpenge_rate", "indicator: unemployment_rate")
    path = tmp_path / "costs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_costs(path)
    problems = {p.column: p for p in caught.value.problems}
    lines = text.splitlines()
    share = problems["benefits.kontanthjaelp.municipal_share.value"]
    assert lines[share.row - 1].strip() == "value: 1.8"
    status = problems["benefits.kontanthjaelp.monthly_rate_dkk.status"]
    assert lines[status.row - 1].strip() == "status: maybe"
    indicator = problems["benefits.dagpenge.indicator"]
    assert indicator.found == "unemployment_rate" and indicator.expected == "dagpenge_rate"
    with pytest.raises(InputError, match="not found"):
        load_costs(tmp_path / "missing.yaml")
