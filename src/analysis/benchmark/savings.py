"""Savings potential ("besparelsespotentiale"): what the municipality would save in a year
if it had its cluster's level.

KLK (2012, Bilag 5): "Hvor mange penge kommunen kan spare på den enkelte ydelse, hvis
kommunen gør det lige så godt som gennemsnittet af kommunerne i klyngen". Here::

    excess full-time recipients = max(0, level - cluster level) / 100 x labour force
    potential (kr. per year)    = excess x monthly rate x 12 x municipal share

Only positive potentials count (a municipality better than its cluster has none). As in
KLK's report, a positive difference counts even where the level is coloured "same": KLK
reports a sygedagpenge potential against the Sønderjysk klynge although the level (3.4 %
against 3.3 %) is "stort set på samme niveau". The parameters live in
``data/raw/benchmark/costs.yaml`` with their sources, years and status.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.benchmark.indicators import CATALOGUE
from analysis.errors import InputProblem, ProblemCollector
from analysis.labels import check_language
from analysis.paths import get_paths
from analysis.yamlio import compose_yaml, read_yaml_text

STATUSES = ("sourced", "illustrative", "assumption")
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class CostFigure:
    """One number of costs.yaml with its provenance."""

    value: float
    year: int | None
    status: str
    source: str
    note: str = ""


@dataclass(frozen=True)
class BenefitCost:
    """The yearly net cost per full-time recipient of one benefit."""

    benefit: str
    indicator: str
    label_da: str
    label_en: str
    monthly_rate: CostFigure
    municipal_share: CostFigure

    @property
    def yearly_net_cost(self) -> float:
        """Kroner per full-time recipient per year, net of state refusion."""
        return self.monthly_rate.value * MONTHS_PER_YEAR * self.municipal_share.value

    @property
    def sourced(self) -> bool:
        """True only when every number is sourced as printed (no illustration, assumption)."""
        return self.monthly_rate.status == "sourced" and self.municipal_share.status == "sourced"

    def label(self, language: str = "da") -> str:
        check_language(language)
        return self.label_da if language == "da" else self.label_en


def default_costs_path() -> Path:
    return get_paths().benchmark / "costs.yaml"


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _entries(node: yaml.Node | None) -> dict[str, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return {str(k.value): v for k, v in node.value}


def _figure(
    file: str, where: str, node: yaml.Node | None, line: int, lower: float, upper: float
) -> tuple[CostFigure | None, list[InputProblem]]:
    entries = _entries(node)
    if entries is None:
        return None, [
            InputProblem(
                file,
                "missing or malformed figure",
                row=line,
                column=where,
                expected="value, year, status, source",
            )
        ]
    problems = []
    row = _line(node)
    raw = entries.get("value")
    try:
        value = float(raw.value) if isinstance(raw, yaml.ScalarNode) else math.nan
    except ValueError:
        value = math.nan
    if not (lower < value <= upper):
        problems.append(
            InputProblem(
                file,
                "value out of range",
                row=_line(raw) if raw is not None else row,
                column=f"{where}.value",
                expected=f"a number above {lower:g} and at most {upper:g}",
                found=None if raw is None else str(getattr(raw, "value", raw)),
            )
        )
    status_node = entries.get("status")
    status = str(status_node.value) if isinstance(status_node, yaml.ScalarNode) else ""
    if status not in STATUSES:
        problems.append(
            InputProblem(
                file,
                "unknown status",
                row=_line(status_node) if status_node is not None else row,
                column=f"{where}.status",
                expected=", ".join(STATUSES),
                found=status,
            )
        )
    source_node = entries.get("source")
    source = str(source_node.value).strip() if isinstance(source_node, yaml.ScalarNode) else ""
    if not source:
        problems.append(
            InputProblem(file, "every figure needs its source", row=row, column=f"{where}.source")
        )
    year_node = entries.get("year")
    year = None
    if isinstance(year_node, yaml.ScalarNode) and str(year_node.value).isdecimal():
        year = int(year_node.value)
    note_node = entries.get("note")
    note = str(note_node.value).strip() if isinstance(note_node, yaml.ScalarNode) else ""
    if problems:
        return None, problems
    return CostFigure(value, year, status, source, note), []


def load_costs(path: Path | str | None = None) -> dict[str, BenefitCost]:
    """Read and validate costs.yaml: benefit -> :class:`BenefitCost`.

    Problems are reported together with their line numbers.
    """
    file = Path(path) if path is not None else default_costs_path()
    text = read_yaml_text(file, missing="cost parameter file not found")
    name = str(file)
    # aliases are refused: costs.yaml needs none, and aliases of aliases become
    # exponentially long texts when a value is shown in a message ("billion laughs")
    root = compose_yaml(text, name)
    top = _entries(root)
    benefits = _entries(top.get("benefits")) if top else None
    problems = ProblemCollector(name)
    if not benefits:
        problems.add("expected a 'benefits' mapping", row=1)
        problems.raise_if_any()
    costs: dict[str, BenefitCost] = {}
    for benefit, node in benefits.items():
        entries = _entries(node) or {}
        row = _line(node)
        indicator_node = entries.get("indicator")
        indicator = str(indicator_node.value) if isinstance(indicator_node, yaml.ScalarNode) else ""
        known = CATALOGUE.get(indicator)
        if known is None or known.cost_key != benefit:
            expected = [i.id for i in CATALOGUE.values() if i.cost_key == benefit]
            problems.add(
                "indicator does not match the benefit",
                row=_line(indicator_node) if indicator_node is not None else row,
                column=f"benefits.{benefit}.indicator",
                expected=", ".join(expected) or "an indicator whose cost_key is this benefit",
                found=indicator,
            )
        rate, rate_problems = _figure(
            name,
            f"benefits.{benefit}.monthly_rate_dkk",
            entries.get("monthly_rate_dkk"),
            row,
            0.0,
            1e6,
        )
        share, share_problems = _figure(
            name,
            f"benefits.{benefit}.municipal_share",
            entries.get("municipal_share"),
            row,
            0.0,
            1.0,
        )
        problems.extend(rate_problems + share_problems)
        if rate is None or share is None or known is None:
            continue
        label_da = str(getattr(entries.get("label_da"), "value", benefit))
        label_en = str(getattr(entries.get("label_en"), "value", label_da))
        costs[benefit] = BenefitCost(benefit, indicator, label_da, label_en, rate, share)
    problems.raise_if_any()
    return costs


def savings_formula(
    level: float, cluster_level: float, labour_force: float, yearly_cost: float
) -> float:
    """Kroner per year saved at the cluster level; 0 when not worse, NaN without data."""
    if any(pd.isna(x) for x in (level, cluster_level, labour_force, yearly_cost)):
        return math.nan
    excess = max(0.0, level - cluster_level) / 100.0 * labour_force
    return excess * yearly_cost


SAVINGS_COLUMNS = [
    "municipality_code",
    "cluster",
    "benefit",
    "indicator",
    "period",
    "level",
    "cluster_level",
    "labour_force",
    "fulltime_recipients",
    "excess_fulltime",
    "yearly_cost_per_fulltime",
    "potential_dkk",
    "sourced",
    "note",
]


def savings_potential(scorecard: pd.DataFrame, costs: dict[str, BenefitCost]) -> pd.DataFrame:
    """The savings potential of each benefit in ``costs`` for each scorecard (row per
    municipality, cluster and benefit). ``note``: ``no_data`` or ``not_worse`` (0 kr.)."""
    rows = []
    for cost in costs.values():
        part = scorecard[scorecard["indicator"].eq(cost.indicator)]
        for row in part.itertuples(index=False):
            potential = savings_formula(
                row.level, row.cluster_level, row.labour_force, cost.yearly_net_cost
            )
            missing = math.isnan(potential)
            excess = (
                math.nan
                if missing
                else max(0.0, row.level - row.cluster_level) / 100 * row.labour_force
            )
            rows.append(
                {
                    "municipality_code": row.municipality_code,
                    "cluster": row.cluster,
                    "benefit": cost.benefit,
                    "indicator": cost.indicator,
                    "period": row.period,
                    "level": row.level,
                    "cluster_level": row.cluster_level,
                    "labour_force": row.labour_force,
                    "fulltime_recipients": row.level / 100 * row.labour_force,
                    "excess_fulltime": excess,
                    "yearly_cost_per_fulltime": cost.yearly_net_cost,
                    "potential_dkk": potential,
                    "sourced": cost.sourced,
                    "note": "no_data" if missing else ("" if potential > 0 else "not_worse"),
                }
            )
    frame = pd.DataFrame(rows, columns=SAVINGS_COLUMNS)
    for column in ("level", "cluster_level", "labour_force", "potential_dkk"):
        frame[column] = frame[column].astype("float64")
    frame["note"] = frame["note"].astype("str")
    return frame.replace({np.inf: np.nan})
