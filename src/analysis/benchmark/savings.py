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

What a page shows (:func:`savings_range`, issue 20): the potential from **12-month
averages** (one month can be a seasonal peak: København's July holds the summer's new
graduates), with the lowest and highest single month of the year as a range, and the
full-time persons as **Jobindsats publishes them** beside the rate × labour force product
(the labour force is implied by the unemployment rate, and both rates are rounded to one
decimal, so the product misses the published count by up to a few per cent).
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
#: Months the savings potential averages (a whole year: no seasonal peak).
SAVINGS_MONTHS = 12


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


# --- 12-month averages and a range (what a page shows) ---------------------------------------

MONTHLY_COLUMNS = ["municipality_code", "indicator", "period", "value", "persons", "labour_force"]


def monthly_figures(
    panel: pd.DataFrame, indicators: list[str] | tuple[str, ...], months: int = SAVINGS_MONTHS
) -> pd.DataFrame:
    """The last ``months`` months of each indicator (its own latest month) for every
    municipality: rate, published persons and implied labour force (``MONTHLY_COLUMNS``;
    ``period`` as text 'YYYY-MM')."""
    frames = []
    for indicator_id in indicators:
        rows = panel[panel["indicator"].eq(indicator_id)]
        published = rows.loc[rows["value"].notna(), "period"]
        if published.empty:
            continue
        latest = published.max()
        window = rows[rows["period"].between(latest - (months - 1), latest)]
        frames.append(window)
    if not frames:
        return pd.DataFrame(columns=MONTHLY_COLUMNS)
    frame = pd.concat(frames, ignore_index=True)[MONTHLY_COLUMNS].copy()
    frame["period"] = frame["period"].astype("str")
    frame["indicator"] = frame["indicator"].astype("str")
    for column in ("value", "persons", "labour_force"):
        frame[column] = frame[column].astype("float64")
    return frame.reset_index(drop=True)


RANGE_COLUMNS = [
    "municipality_code",
    "cluster",
    "benefit",
    "indicator",
    "period_start",
    "period",
    "months",
    "level",
    "cluster_level",
    "labour_force",
    "published_fulltime",
    "computed_fulltime",
    "latest_period",
    "latest_published",
    "latest_computed",
    "excess_fulltime",
    "yearly_cost_per_fulltime",
    "potential_dkk",
    "potential_low_dkk",
    "potential_high_dkk",
    "low_period",
    "high_period",
    "sourced",
    "note",
]


def _excess(persons: float, cluster_level: float, labour_force: float) -> float:
    """Full-time persons above the cluster's level: published persons minus the cluster's
    rate applied to the labour force (0 when not above; NaN without data)."""
    if any(pd.isna(x) for x in (persons, cluster_level, labour_force)):
        return math.nan
    return max(0.0, persons - cluster_level / 100.0 * labour_force)


def savings_range(
    monthly: pd.DataFrame,
    municipality: int,
    members: list[int] | tuple[int, ...],
    costs: dict[str, BenefitCost],
    *,
    cluster: str = "",
    weighted: bool = False,
) -> pd.DataFrame:
    """The savings potential of ``municipality`` against the mean of ``members`` from
    12-month averages, with the lowest and highest single month (``RANGE_COLUMNS``).

    Per month: excess = published full-time persons - cluster rate x labour force, the
    cluster rate being the members' mean (weighted by labour force with ``weighted``).
    The central figure uses the 12-month averages of the persons, the labour force and
    the cluster rate; ``potential_low_dkk`` / ``potential_high_dkk`` are the lowest and
    highest of the twelve monthly potentials. Where Jobindsats suppressed the persons,
    rate x labour force stands in (note ``computed``).
    """
    code = int(municipality)
    member_set = [int(m) for m in members if int(m) != code]
    rows = []
    for cost in costs.values():
        part = monthly[monthly["indicator"].eq(cost.indicator)]
        own = part[part["municipality_code"].eq(code)].set_index("period").sort_index()
        others = part[part["municipality_code"].isin(member_set) & part["value"].notna()]
        if weighted:
            others = others[others["labour_force"].gt(0)]
            sums = others.assign(_wx=others["value"] * others["labour_force"]).groupby("period")
            cluster_by_month = sums["_wx"].sum() / sums["labour_force"].sum()
        else:
            cluster_by_month = others.groupby("period")["value"].mean()
        months = own.index.intersection(cluster_by_month.index)
        own = own.loc[months]
        cluster_by_month = cluster_by_month.loc[months]
        computed = own["value"] / 100.0 * own["labour_force"]
        published = own["persons"]
        used = published.where(published.notna(), computed)
        yearly = cost.yearly_net_cost
        per_month = pd.Series(
            [
                _excess(p, c, lf) * yearly
                for p, c, lf in zip(used, cluster_by_month, own["labour_force"], strict=True)
            ],
            index=months,
            dtype="float64",
        )
        level = float(own["value"].mean()) if len(own) else math.nan
        cluster_level = float(cluster_by_month.mean()) if len(months) else math.nan
        labour = float(own["labour_force"].mean()) if len(own) else math.nan
        persons = float(used.mean()) if len(used) and used.notna().all() else math.nan
        excess = _excess(persons, cluster_level, labour)
        potential = excess * yearly if not math.isnan(excess) else math.nan
        valid = per_month.dropna()
        missing = math.isnan(potential)
        note = "no_data" if missing else ("" if potential > 0 else "not_worse")
        if not missing and published.isna().any():
            note = ";".join(x for x in (note, "computed") if x)
        rows.append(
            {
                "municipality_code": code,
                "cluster": cluster,
                "benefit": cost.benefit,
                "indicator": cost.indicator,
                "period_start": str(months.min()) if len(months) else "",
                "period": str(months.max()) if len(months) else "",
                "months": len(months),
                "level": level,
                "cluster_level": cluster_level,
                "labour_force": labour,
                "published_fulltime": float(published.mean())
                if len(published) and published.notna().all()
                else math.nan,
                "computed_fulltime": float(computed.mean()) if len(computed) else math.nan,
                "latest_period": str(months.max()) if len(months) else "",
                "latest_published": float(published.iloc[-1]) if len(published) else math.nan,
                "latest_computed": float(computed.iloc[-1]) if len(computed) else math.nan,
                "excess_fulltime": excess,
                "yearly_cost_per_fulltime": yearly,
                "potential_dkk": potential,
                "potential_low_dkk": float(valid.min()) if len(valid) else math.nan,
                "potential_high_dkk": float(valid.max()) if len(valid) else math.nan,
                "low_period": str(valid.idxmin()) if len(valid) else "",
                "high_period": str(valid.idxmax()) if len(valid) else "",
                "sourced": cost.sourced,
                "note": note,
            }
        )
    frame = pd.DataFrame(rows, columns=RANGE_COLUMNS)
    frame["months"] = frame["months"].astype("int64")
    for column in ("note", "period", "period_start", "latest_period", "low_period", "high_period"):
        frame[column] = frame[column].astype("str")
    return frame
