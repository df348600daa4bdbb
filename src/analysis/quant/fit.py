"""The model runs: every estimator of the caseload specifications over a panel.

:func:`run_all` fits the national models (:func:`run_national`) and the trial designs of
each municipality with a trial (:func:`run_municipality`), adjusts p-values across
outcomes and marks simulated rows. The estimators live in modules with one job each, and
their public names can be imported from here too:

- :mod:`~analysis.quant.slopes`: pooled OLS, two-way fixed effects, dose bands, spline;
- :mod:`~analysis.quant.trials`: the DiD of a trial unit, and the same on units' changes;
- :mod:`~analysis.quant.event_study`: leads and lags against never-treated units;
- :mod:`~analysis.quant.staggered`: the two-stage DiD of trials starting at different times;
- :mod:`~analysis.quant.estimation`: fitting with pyfixest, tidy rows, skips;
- :mod:`~analysis.quant.inference`: wild bootstrap, placebo p-values, linear combinations.

Every estimator takes a prepared panel (:func:`analysis.quant.specs.prepare_panel`), a
list of outcomes and a :class:`~analysis.quant.specs.SpecConfig`, and returns a
:class:`~analysis.quant.results.ModelRun`: tidy estimate rows plus a skip record for
each model the data cannot support. Standard errors are cluster-robust (CRV1) by
municipality, or by unit inside one municipality; with fewer than
``config.few_clusters`` clusters the main term also gets a wild cluster bootstrap
p-value. A trial design with fewer than ``config.min_treated_clusters`` treated clusters
gets neither: its p-value comes from placebo trials (:mod:`analysis.quant.placebo`) and
it has no interval. Every row names the method behind its interval (``inference``).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor

import pandas as pd

from analysis.quant import specs as S
from analysis.quant.checks import Skip, skipped_frame
from analysis.quant.estimation import LOG, each_outcome, estimation_errors, fixed_effect_covariates
from analysis.quant.event_study import EventProfiles, event_profiles, fit_event_study
from analysis.quant.inference import FEW_TREATED_NOTE, ONE_TREATED_NOTE
from analysis.quant.results import ModelRun, adjust_pvalues, empty_estimates, normalise
from analysis.quant.slopes import fit_dose, fit_pooled, fit_spline, fit_twfe
from analysis.quant.specs import DEFAULT_CONFIG, SpecConfig
from analysis.quant.staggered import (
    fit_staggered,
    spillover_municipalities,
    staggered_sample,
    untreated_support,
)
from analysis.quant.trials import fit_did, fit_did_collapsed, unit_changes

__all__ = [
    "FEW_TREATED_NOTE",
    "LOG",
    "ONE_TREATED_NOTE",
    "EventProfiles",
    "ModelRun",
    "event_profiles",
    "finish",
    "fit_did",
    "fit_did_collapsed",
    "fit_dose",
    "fit_event_study",
    "fit_pooled",
    "fit_spline",
    "fit_staggered",
    "fit_twfe",
    "run_all",
    "run_municipality",
    "run_national",
    "spillover_municipalities",
    "staggered_sample",
    "trial_municipalities",
    "unit_changes",
    "untreated_support",
]

# the names other modules and tests used before the estimators had modules of their own
_each_outcome = each_outcome
_estimation_errors = estimation_errors
_fixed_effect_covariates = fixed_effect_covariates


def trial_municipalities(frame: pd.DataFrame) -> list[int]:
    """Municipalities with at least one treated unit that has a trial start."""
    return sorted(int(c) for c in frame.loc[frame["g"] > 0, "municipality_code"].unique())


def run_national(
    frame: pd.DataFrame, outcomes: Sequence[str], config: SpecConfig = DEFAULT_CONFIG
) -> ModelRun:
    """Every model over the whole panel: pooled, TWFE (log, level), dose bands and the
    staggered designs."""
    runs = [
        fit_pooled(frame, outcomes, config),
        fit_twfe(frame, outcomes, config, log=True),
        fit_twfe(frame, outcomes, config, log=False),
        fit_dose(frame, outcomes, config),
        fit_spline(frame, outcomes, config),
    ]
    sample, skips = staggered_sample(frame, config)
    runs.append(ModelRun(empty_estimates(), skipped_frame(skips)))
    runs.append(fit_staggered(sample, outcomes, config))
    runs.append(fit_event_study(sample, outcomes, config, spec=S.STAGGERED_EVENT))
    return ModelRun.combine(runs)


def run_municipality(
    frame: pd.DataFrame, code: int, outcomes: Sequence[str], config: SpecConfig = DEFAULT_CONFIG
) -> ModelRun:
    """The trial designs inside one municipality: its trial unit(s) against its other
    units (DiD, unit-level DiD, event study)."""
    own = frame[frame["municipality_code"] == int(code)]
    scope = str(int(code))
    return ModelRun.combine(
        [
            fit_did(own, outcomes, config, scope),
            fit_did_collapsed(own, outcomes, config, scope),
            fit_event_study(own, outcomes, config, scope),
        ]
    )


def finish(run: ModelRun, simulated: bool) -> ModelRun:
    """Adjust p-values across outcomes and mark simulated rows."""
    estimates = adjust_pvalues(run.estimates)
    estimates["simulated"] = bool(simulated)
    return ModelRun(normalise(estimates), run.skipped.reset_index(drop=True))


def run_all(
    panel: pd.DataFrame,
    outcomes: Sequence[str] | None = None,
    config: SpecConfig = DEFAULT_CONFIG,
    municipalities: Sequence[int] | None = None,
    helpers: Executor | None = None,
) -> ModelRun:
    """National models plus the trial designs of ``municipalities`` (default: every
    municipality with a trial unit), p-values adjusted, on a contract-shaped panel.

    With ``helpers`` (an executor, e.g. other processes) the municipalities' designs are
    offered to it while the national models are fitted here; whichever has not started
    when those are done is fitted here too. The result is the same either way."""
    from analysis.data.caseloads import is_simulated

    frame = S.prepare_panel(panel, config)
    chosen = S.select_outcomes(frame, outcomes)
    if not chosen:
        skips = [Skip(spec, S.NATIONAL, "", "no_outcomes") for spec in S.NATIONAL_SPECS]
        return finish(ModelRun(empty_estimates(), skipped_frame(skips)), is_simulated(panel))
    codes = trial_municipalities(frame) if municipalities is None else municipalities
    offered = {}
    if helpers is not None:
        for code in codes:
            own = frame[frame["municipality_code"] == int(code)]  # only its rows travel
            offered[code] = helpers.submit(run_municipality, own, code, chosen, config)
    runs = [run_national(frame, chosen, config)]
    for code in codes:
        future = offered.get(code)
        if future is None or future.cancel():
            runs.append(run_municipality(frame, code, chosen, config))
        else:
            runs.append(future.result())
    return finish(ModelRun.combine(runs), is_simulated(panel))
