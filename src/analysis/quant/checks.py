"""Checks that decide whether a model can be estimated, and the record of a skipped one.

A model that the data cannot support (one unit, no caseload variation, a missing
outcome, too few clusters, a trial without controls) is not estimated: it becomes a
:class:`Skip` with a reason key, shown in the notebook (label ``quant.skip.<reason>``)
and in the ``skipped`` table, never a stack trace or a silently wrong number.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError

SKIPPED_COLUMNS = ("spec", "scope", "outcome", "reason", "value", "limit", "message")

#: reason key -> English message (the labels hold both languages)
REASONS = {
    "missing_outcome": "outcome column '{outcome}' is not in the panel",
    "no_outcomes": "the panel has no outcome columns (standard outcomes or those asked for)",
    "empty_outcome": "outcome '{outcome}' has no values",
    "constant_outcome": "outcome '{outcome}' does not vary",
    "one_unit": "needs at least {limit} units; the data have {value}",
    "no_caseload_variation": "caseload does not vary within units over time",
    "few_clusters": "needs at least {limit} clusters for cluster-robust inference; found {value}",
    "no_trial": "no treated unit with a trial start",
    "no_controls": "no untreated units to compare with",
    "no_pre_period": "the trial has no months before its start in the data",
    "no_post_period": "the trial has no months from its start on in the data",
    "spillover": (
        "municipality {value} left out: its untreated units' caseload moved by more than "
        "{limit} log points at the trial start, so they are not untreated controls"
    ),
    "few_bands": "fewer than two caseload bands (or no reference band {value}) have data",
    "different_starts": (
        "the {value} trial units start in different months; the unit-level DiD needs one start"
    ),
    "estimation_failed": "the estimation failed: {value}",
}


#: reasons that leave out part of the data but still estimate the model
PARTIAL_REASONS = frozenset({"spillover"})


class ModelSkipped(AnalysisError):
    """Raised inside an estimator when the data cannot support the model."""

    def __init__(self, reason: str, value: object = "", limit: object = "") -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown skip reason {reason!r}")
        self.reason = reason
        self.value = "" if value is None else str(value)
        self.limit = "" if limit is None else str(limit)
        super().__init__(reason)


@dataclass(frozen=True)
class Skip:
    """One model that was not estimated, and why."""

    spec: str
    scope: str
    outcome: str
    reason: str
    value: str = ""
    limit: str = ""

    @property
    def message(self) -> str:
        text = REASONS[self.reason].format(outcome=self.outcome, value=self.value, limit=self.limit)
        if self.reason in PARTIAL_REASONS:
            return f"{self.spec} ({self.scope}): estimated without part of the data: {text}"
        return f"{self.spec} ({self.scope}, {self.outcome or 'all outcomes'}) not estimated: {text}"

    @classmethod
    def from_error(cls, error: ModelSkipped, spec: str, scope: str, outcome: str) -> Skip:
        return cls(spec, scope, outcome, error.reason, error.value, error.limit)


def skipped_frame(skips: list[Skip]) -> pd.DataFrame:
    """Skips as a table with :data:`SKIPPED_COLUMNS`."""
    rows = [{**asdict(s), "message": s.message} for s in skips]
    return pd.DataFrame(rows, columns=list(SKIPPED_COLUMNS)).astype("object")


# --- checks (raise ModelSkipped) ------------------------------------------------------------


def check_outcome(frame: pd.DataFrame, outcome: str) -> None:
    """The outcome exists, has values and varies."""
    if outcome not in frame.columns:
        raise ModelSkipped("missing_outcome")
    values = pd.to_numeric(frame[outcome], errors="coerce")
    if values.notna().sum() == 0:
        raise ModelSkipped("empty_outcome")
    if values.nunique(dropna=True) < 2:
        raise ModelSkipped("constant_outcome")


def check_units(frame: pd.DataFrame, minimum: int = 2) -> None:
    n_units = frame["unit_id"].nunique()
    if n_units < minimum:
        raise ModelSkipped("one_unit", value=n_units, limit=minimum)


def check_caseload_variation(frame: pd.DataFrame, column: str = "caseload") -> None:
    """Caseload must move within units over time, or fixed effects leave nothing."""
    within = frame[column] - frame.groupby("unit_id")[column].transform("mean")
    if not np.any(np.abs(within.to_numpy(dtype=float)) > 1e-9):
        raise ModelSkipped("no_caseload_variation")


def choose_cluster(frame: pd.DataFrame, min_clusters: int) -> tuple[str, int]:
    """Cluster by municipality when there are enough municipalities, else by unit.

    Returns (column, number of clusters); raises ``few_clusters`` when even units are
    fewer than ``min_clusters``.
    """
    n_muni = frame["municipality_code"].nunique()
    if n_muni >= min_clusters:
        return "municipality_code", int(n_muni)
    n_units = frame["unit_id"].nunique()
    if n_units >= min_clusters:
        return "unit_id", int(n_units)
    raise ModelSkipped("few_clusters", value=max(n_muni, n_units), limit=min_clusters)
