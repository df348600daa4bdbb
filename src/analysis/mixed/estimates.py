"""The quantitative side of the joint display: the caseload estimates, read directly from
the shared quantitative results (:func:`analysis.quant.compute.load_results`, the cached
results notebook 02 shows too; issue 23: ``mixed`` reads ``quant``'s results, never an
executed notebook's scraps).

Per outcome two estimates are shown, both as the effect of a *lower* caseload in display
units (percentage points for shares):

- ``effect_10``: the national two-way fixed-effects log-caseload slope (spec
  ``twfe_log``, scope ``national``) as the effect of 10 fewer cases per caseworker at the
  panel's mean caseload (:func:`analysis.quant.results.per_ten_fewer`);
- ``trial_effect``: the municipality's own trial, difference-in-differences of the trial
  unit against its other units after vs before (spec ``did_collapsed``, the unit-level
  DiD, else ``did``; term ``treated_post``), where it has a trial.

Which of them the quantitative signal reads is the mapping's ``quantitative_basis``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.paths import ProjectPaths
from analysis.quant import specs as S
from analysis.quant.results import display_scale, per_ten_fewer

#: trial designs in order of preference (the unit-level DiD is valid with one trial unit)
TRIAL_SPECS = (S.DID_COLLAPSED, S.DID)
#: the effect columns a joint display row carries over
SUMMARY_COLUMNS = (
    "effect_10",
    "ci_low_10",
    "ci_high_10",
    "caseload_mean",
    "trial_spec",
    "trial_effect",
    "trial_ci_low",
    "trial_ci_high",
    "basis",
)
EFFECT_COLUMNS = ("outcome", *SUMMARY_COLUMNS, "effect", "ci_low", "ci_high")


#: where the estimates come from: the shared quantitative results
SHARED = "shared"


@dataclass(frozen=True)
class EstimatesSource:
    """The estimates table (national rows and the municipality's) and where it came from
    (``origin``: :data:`SHARED`, the shared quantitative results)."""

    estimates: pd.DataFrame
    origin: str = SHARED

    @property
    def simulated(self) -> bool:
        return bool(
            "simulated" in self.estimates.columns and self.estimates["simulated"].astype(bool).any()
        )


def read_estimates(
    municipality: int,
    *,
    panel_path: Path | str | None = None,
    paths: ProjectPaths | None = None,
) -> EstimatesSource:
    """The national rows and the municipality's rows of the shared quantitative results
    (:func:`analysis.quant.compute.load_results` for ``panel_path``, computed once and
    cached, the same results notebook 02 shows)."""
    from analysis.quant.compute import load_results, municipality_rows

    results = load_results(panel_path, None, paths)
    return EstimatesSource(municipality_rows(results.estimates, int(municipality)))


def outcome_effects(
    estimates: pd.DataFrame,
    outcomes: Sequence[str],
    municipality: int,
    *,
    basis: str = "trial",
) -> pd.DataFrame:
    """One row per outcome: the national effect of 10 fewer cases, the municipality's
    trial effect (if any) and the estimate the signal reads (``basis`` column: ``trial``,
    ``national`` or None when neither exists), all in display units."""
    if basis not in ("trial", "national"):
        raise ValueError("basis must be 'trial' or 'national'")
    national = estimates[
        (estimates["spec"] == S.TWFE_LOG)
        & (estimates["term"] == S.TERM_LOG)
        & (estimates["scope"] == S.NATIONAL)
    ]
    per_ten = per_ten_fewer(national).set_index("outcome") if not national.empty else None
    trial = estimates[
        estimates["spec"].isin(TRIAL_SPECS)
        & (estimates["term"] == S.TERM_TRIAL)
        & (estimates["scope"] == str(int(municipality)))
    ]
    rows = []
    for outcome in outcomes:
        row: dict = {c: np.nan for c in EFFECT_COLUMNS}
        row.update(outcome=outcome, trial_spec=None, basis=None)
        if per_ten is not None and outcome in per_ten.index:
            hit = per_ten.loc[outcome]
            row.update(
                effect_10=hit["effect"],
                ci_low_10=hit["ci_low"],
                ci_high_10=hit["ci_high"],
                caseload_mean=hit["caseload_mean"],
            )
        for spec in TRIAL_SPECS:
            hit = trial[(trial["spec"] == spec) & (trial["outcome"] == outcome)]
            if not hit.empty:
                first = hit.iloc[0]
                scale = display_scale(outcome)
                row.update(
                    trial_spec=spec,
                    trial_effect=first["estimate"] * scale,
                    trial_ci_low=first["ci_low"] * scale,
                    trial_ci_high=first["ci_high"] * scale,
                )
                break
        has_trial = not pd.isna(row["trial_effect"])
        has_national = not pd.isna(row["effect_10"])
        if basis == "trial" and has_trial:
            row.update(
                basis="trial",
                effect=row["trial_effect"],
                ci_low=row["trial_ci_low"],
                ci_high=row["trial_ci_high"],
            )
        elif has_national:
            row.update(
                basis="national",
                effect=row["effect_10"],
                ci_low=row["ci_low_10"],
                ci_high=row["ci_high_10"],
            )
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(EFFECT_COLUMNS))
    for column in ("outcome", "trial_spec", "basis"):
        out[column] = out[column].astype("object").where(out[column].notna(), None)
    return out
