"""Model specifications of the caseload regressions and the panel they run on.

A caseload panel in the contract's schema (see :mod:`analysis.data.caseloads`) gets
the derived columns every specification needs (:func:`prepare_panel`): integer unit and
month ids, log caseload, the 0/1 trial indicator, event time and caseload bands.
:class:`SpecConfig` holds every estimation choice, so a cached result can be keyed by it.

Specifications (the ``spec`` column of the tidy table):

- ``pooled_ols``: outcome on log caseload and covariates, no fixed effects. A
  descriptive baseline: it mixes the caseload effect with everything that makes
  high-caseload units different.
- ``twfe_log`` / ``twfe_level``: unit and month fixed effects, log caseload (an
  elasticity-type slope) or caseload in cases, plus covariates.
- ``dose_bands``: unit and month fixed effects, caseload bands against a reference band.
- ``twfe_spline``: unit and month fixed effects, a linear spline in log caseload with
  knots at the band edges: the log specification plus a change of slope at each knot.
  Its ``linearity_joint`` row tests the log specification against it (all changes of
  slope zero); its ``move_<from>_<to>`` rows are the effects of realistic moves
  (:data:`MOVES`, e.g. from 200 to 125 cases per caseworker).
- ``did`` / ``did_collapsed`` / ``event_study``: a trial unit against the other units
  of its municipality (DiD by two-way fixed effects; the same DiD as a t-test across
  units' pre/post changes; leads and lags with a joint pre-trend test).
- ``staggered_did2s`` / ``staggered_event``: trial units starting at different months
  against never-treated units (Gardner's two-stage DiD; a saturated Sun–Abraham event
  study aggregated over cohorts).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.data.caseloads import STANDARD_OUTCOMES
from analysis.paths import DEFAULT_SEED

POOLED = "pooled_ols"
TWFE_LOG = "twfe_log"
TWFE_LEVEL = "twfe_level"
DOSE = "dose_bands"
SPLINE = "twfe_spline"
DID = "did"
DID_COLLAPSED = "did_collapsed"
EVENT = "event_study"
STAGGERED = "staggered_did2s"
STAGGERED_EVENT = "staggered_event"

NATIONAL_SPECS = (POOLED, TWFE_LOG, TWFE_LEVEL, DOSE, SPLINE, STAGGERED, STAGGERED_EVENT)
MUNICIPAL_SPECS = (DID, DID_COLLAPSED, EVENT)
ALL_SPECS = NATIONAL_SPECS + MUNICIPAL_SPECS

#: term names
TERM_LOG = "log_caseload"
TERM_LEVEL = "caseload"
TERM_TRIAL = "treated_post"
TERM_PRETREND = "pretrend_joint"
TERM_ATT = "att"
TERM_LINEARITY = "linearity_joint"
#: a trial design's estimate of how much the trial moved log caseload (the same design with
#: log caseload as the outcome): the size of the move its effect belongs to
TERM_SHIFT = "caseload_shift"

#: realistic caseload moves (cases per caseworker, from -> to) whose effects are shown
#: beside the effect of 10 fewer cases: an illustrative halving and more, and the moves of
#: Copenhagen's 2018 trial (committee note of 27 August 2018, seed 001, lines 26 and 48:
#: the ordinary norm fell from about 200 to 120-130; the trial department had 50 cases;
#: the trial compared 50 with about 125)
MOVES: tuple[tuple[float, float], ...] = ((150.0, 50.0), (200.0, 125.0), (200.0, 50.0),
                                          (125.0, 50.0))  # fmt: skip

NATIONAL = "national"


@dataclass(frozen=True)
class SpecConfig:
    """Every estimation choice (part of the cache key of shared results).

    ``band_edges`` are the upper edges of the caseload bands (cases per caseworker);
    the last band is open. ``event_bin_months`` groups event time into bins of that many
    months (3 = quarters) and ``event_window`` is the first and last bin shown; bins
    outside are pooled into the end bins. Bin -1 (the months just before the start) is
    the reference. With fewer than ``min_clusters`` clusters a model is skipped; below
    ``few_clusters`` a wild cluster bootstrap p-value is added (``wild_reps`` draws with
    Webb weights, seeded); with fewer than ``few_treated_clusters`` treated clusters the
    staggered estimate carries a warning note, and with fewer than
    ``min_treated_clusters`` a trial design gets no cluster-robust interval and no wild
    bootstrap p-value at all: its p-value comes from reassigning the trial to control
    units (:mod:`analysis.quant.placebo`, at most ``placebo_draws`` placebo trials). A
    municipality whose untreated units'
    mean log caseload moves by more than ``spillover_threshold`` at a trial start is left
    out of the staggered design (its untreated units were treated too).
    """

    covariates: tuple[str, ...] = ("unemployment_rate",)
    band_edges: tuple[float, ...] = (60.0, 100.0, 150.0)
    reference_band: int = -1
    event_bin_months: int = 3
    event_window: tuple[int, int] = (-8, 8)
    min_clusters: int = 4
    few_clusters: int = 30
    few_treated_clusters: int = 10
    min_treated_clusters: int = 5
    placebo_draws: int = 199
    wild_reps: int = 9999
    seed: int = DEFAULT_SEED
    spillover_threshold: float = 0.10
    spillover_months: int = 12
    alpha: float = 0.05
    fixef_tol: float = 1e-10

    def as_params(self) -> dict:
        """Plain parameters for a cache key."""
        return asdict(self)


DEFAULT_CONFIG = SpecConfig()


# --- caseload bands ---------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A caseload band (low, high] in cases per caseworker; ``term`` is its column."""

    term: str
    low: float
    high: float

    def label(self) -> str:
        if self.low <= 0:
            return f"≤{self.high:g}"
        if math.isinf(self.high):
            return f">{self.low:g}"
        return f"{self.low + 1:g}–{self.high:g}"


def caseload_bands(config: SpecConfig = DEFAULT_CONFIG) -> tuple[Band, ...]:
    """The bands of ``config`` in order, e.g. ≤60, 61–100, 101–150, >150."""
    edges = [0.0, *config.band_edges, math.inf]
    bands = []
    for low, high in itertools.pairwise(edges):
        name = (
            f"band_le_{high:g}"
            if low <= 0
            else f"band_gt_{low:g}"
            if math.isinf(high)
            else f"band_{low + 1:g}_{high:g}"
        )
        bands.append(Band(name, low, high))
    return tuple(bands)


def reference_band(config: SpecConfig = DEFAULT_CONFIG) -> Band:
    return caseload_bands(config)[config.reference_band]


# --- the panel ------------------------------------------------------------------------------


def select_outcomes(panel: pd.DataFrame, outcomes: Sequence[str] | None = None) -> list[str]:
    """The outcomes to model: the requested ones (missing ones are kept, so that the
    checks can name them) or, by default, every standard outcome in the panel."""
    if outcomes is not None:
        return list(dict.fromkeys(outcomes))
    return [name for name in STANDARD_OUTCOMES if name in panel.columns]


def covariates_in(panel: pd.DataFrame, config: SpecConfig = DEFAULT_CONFIG) -> list[str]:
    """The configured covariates the panel has, complete and varying."""
    found = []
    for name in config.covariates:
        if name not in panel.columns:
            continue
        values = pd.to_numeric(panel[name], errors="coerce")
        if values.notna().all() and values.nunique() > 1:
            found.append(name)
    return found


def add_unemployment(panel: pd.DataFrame, jobindsats: pd.DataFrame) -> pd.DataFrame:
    """Join the real municipal unemployment rate (Jobindsats y25i01, all benefit
    groups) by municipality and month, keeping a complete column the panel already has.

    ``jobindsats`` is the tidy processed table (``read_table("jobindsats")``). Months
    the snapshot lacks stay missing; the models then leave the covariate out.
    """
    if "unemployment_rate" in panel.columns and panel["unemployment_rate"].notna().all():
        return panel
    rows = jobindsats[
        (jobindsats["measure"] == "unemployment_rate")
        & (jobindsats["benefit_group"] == "total")
        & (jobindsats.get("category", pd.Series("total", index=jobindsats.index)) == "total")
    ]
    rates = (
        rows.groupby(["municipality_code", "period"], as_index=False)["value"]
        .mean()
        .rename(columns={"value": "unemployment_rate"})
    )
    rates["municipality_code"] = rates["municipality_code"].astype("int64")
    out = panel.drop(columns=["unemployment_rate"], errors="ignore")
    out = out.merge(rates, on=["municipality_code", "period"], how="left", validate="m:1")
    return out


#: ``g`` of a unit treated in every month of the panel (no trial start to compare around)
ALWAYS_TREATED = -1


def prepare_panel(panel: pd.DataFrame, config: SpecConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """The panel with the columns the specifications use.

    Adds ``unit_key`` ("101/forsoeg"), integer ``unit_id`` and ``t`` (month number),
    ``g`` (month number of the trial start, 0 for never treated, -1 for a unit treated in
    every month without a start: it has no before and after, so the trial designs use it
    neither as a treated unit nor as a control), ``treated_post``
    (1 from a treated unit's start on), ``log_caseload``, ``event_bin`` (binned months
    since the start, NaN for never treated) and one 0/1 column per caseload band.
    """
    out = panel.reset_index(drop=True).copy()
    out["municipality_code"] = out["municipality_code"].astype("int64")
    out["unit_key"] = out["municipality_code"].astype(str) + "/" + out["unit"].astype(str)
    out["unit_id"] = pd.factorize(out["unit_key"], sort=True)[0].astype("int64")
    out["t"] = _month_number(out["period"]).astype("int64")
    if "trial_start" in out.columns:
        start = _month_number(out["trial_start"])
    else:
        start = pd.Series(np.nan, index=out.index)
    treated = out["treated"] if "treated" in out.columns else pd.Series(0, index=out.index)
    is_treated = treated.fillna(0).astype(int) == 1
    start = start.where(is_treated)
    out["g"] = start.fillna(0).astype("int64")
    out.loc[is_treated & start.isna(), "g"] = ALWAYS_TREATED
    out["treated_post"] = ((out["g"] > 0) & (out["t"] >= out["g"])).astype("int64")
    out["log_caseload"] = np.log(out["caseload"].astype(float))
    months = out["t"] - start
    out["event_bin"] = np.floor(months / config.event_bin_months).clip(*config.event_window)
    for band in caseload_bands(config):
        out[band.term] = ((out["caseload"] > band.low) & (out["caseload"] <= band.high)).astype(
            "int64"
        )
    return out


def _month_number(values: pd.Series) -> pd.Series:
    """Months as integers (Period ordinals); missing months give NaN."""
    if isinstance(values.dtype, pd.PeriodDtype):
        ordinals = values.array.asi8.astype("float64")
        ordinals[values.isna().to_numpy()] = np.nan
        return pd.Series(ordinals, index=values.index)
    periods = pd.PeriodIndex(pd.to_datetime(values, errors="coerce"), freq="M")
    ordinals = periods.asi8.astype("float64")
    ordinals[periods.isna()] = np.nan
    return pd.Series(ordinals, index=values.index)


def hinge_term(knot: float) -> str:
    """Term name of the spline's change of slope at ``knot`` cases (``hinge_100``)."""
    return f"hinge_{knot:g}"


def move_term(start: float, end: float) -> str:
    """Term name of the effect of moving from ``start`` to ``end`` cases per caseworker."""
    return f"move_{start:g}_{end:g}"


def parse_move(term: str) -> tuple[float, float] | None:
    """(from, to) of a ``move_<from>_<to>`` term, else None."""
    if not term.startswith("move_"):
        return None
    start, _, end = term.removeprefix("move_").partition("_")
    try:
        return float(start), float(end)
    except ValueError:
        return None


def spline_basis(caseload: pd.Series | np.ndarray, knots: Sequence[float]) -> pd.DataFrame:
    """The linear spline in log caseload: ``log_caseload`` and, per knot k,
    ``hinge_k`` = max(0, log caseload − log k) (the change of slope above k)."""
    log_c = np.log(np.asarray(caseload, dtype=float))
    columns = {TERM_LOG: log_c}
    for knot in knots:
        columns[hinge_term(knot)] = np.maximum(0.0, log_c - math.log(knot))
    return pd.DataFrame(columns, index=getattr(caseload, "index", None))


def event_term(k: int) -> str:
    """Term name of event-time bin ``k`` (``event_-2``, ``event_0``, ...)."""
    return f"event_{int(k)}"
