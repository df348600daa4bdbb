"""The quantitative side of the joint display: the caseload estimates, read from the
executed regression notebook of the same municipality (its scrapbook record
``estimates``) or, when there is none, from the shared cached results (the same numbers,
and the report says which was used).

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

from analysis.errors import AnalysisError
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


@dataclass(frozen=True)
class EstimatesSource:
    """The estimates table and where it came from.

    ``origin``: ``"notebook"`` (the scrapbook record of ``path``) or ``"fallback"`` (the
    shared cached results); ``reason`` says why a fallback was used (``"no_notebook"``,
    ``"missing"``, ``"no_record"``), empty otherwise."""

    estimates: pd.DataFrame
    origin: str
    path: Path | None
    reason: str

    @property
    def simulated(self) -> bool:
        return bool(
            "simulated" in self.estimates.columns and self.estimates["simulated"].astype(bool).any()
        )


def estimates_from_notebook(path: Path | str, municipality: int) -> pd.DataFrame | None:
    """The ``estimates`` record of an executed notebook 02 (None if it has none).

    Raises when the notebook was run for another municipality (its rows would silently
    describe the wrong trial)."""
    import nbformat
    import scrapbook as sb

    # read the file here: scrapbook (papermill) takes a path string as a URL, so a '#' or
    # '?' in a folder name (an --output folder "run#2") would cut the path short
    book = sb.models.Notebook(nbformat.read(Path(path), as_version=4))
    scraps = book.scraps
    if "estimates" not in scraps:
        return None
    ran_for = book.parameters.get("municipality") if book.parameters is not None else None
    if ran_for is not None and int(ran_for) != int(municipality):
        raise AnalysisError(
            f"{path} was run for municipality {ran_for}, not {municipality}: pass the "
            "regression notebook of the same municipality (or None)"
        )
    frame = scraps["estimates"].data
    if not isinstance(frame, pd.DataFrame):
        return None
    scopes = set(frame["scope"].dropna().astype(str)) - {S.NATIONAL}
    if scopes - {str(int(municipality))}:
        raise AnalysisError(
            f"{path} holds estimates for {', '.join(sorted(scopes))}, not {municipality}"
        )
    return frame.reset_index(drop=True)


def read_estimates(
    regression_notebook: Path | str | None,
    municipality: int,
    *,
    panel_path: Path | str | None = None,
    paths: ProjectPaths | None = None,
) -> EstimatesSource:
    """Estimates from ``regression_notebook`` if it exists and holds them, else from
    :func:`analysis.quant.compute.load_results` (national rows plus the municipality's)."""
    reason = "no_notebook"
    path = Path(regression_notebook) if regression_notebook else None
    if path is not None:
        if path.is_file():
            frame = estimates_from_notebook(path, municipality)
            if frame is not None:
                return EstimatesSource(frame, "notebook", path, "")
            reason = "no_record"
        else:
            reason = "missing"
    from analysis.quant.compute import load_results, municipality_rows

    results = load_results(panel_path, None, paths)
    frame = municipality_rows(results.estimates, int(municipality))
    return EstimatesSource(frame, "fallback", path, reason)


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
