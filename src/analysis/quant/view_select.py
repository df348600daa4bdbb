"""The rows and facts one municipality's run of notebook 02 shows: :func:`build_view`
selects them from the shared results into a :class:`View`; every table comes as a
:class:`Table` (frame, number formats, stable name) for ``nb.table``. Re-exported by
:mod:`analysis.quant.view`, the one module the notebooks import."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.data.reference import municipality_name
from analysis.formatting import MISSING, format_significant, significant
from analysis.labels import t
from analysis.quant import specs as S
from analysis.quant.compute import QuantResults, has_trial, main_outcome, municipality_rows
from analysis.quant.results import HEADLINE_OUTCOME, design_record, headline
from analysis.quant.validation import load_truth


@dataclass(frozen=True)
class Table:
    """A report table: the frame, per-column formats and a stable name."""

    frame: pd.DataFrame
    name: str
    formats: Mapping[str, Callable[[object], str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.frame.empty


@dataclass(frozen=True)
class View:
    """The rows and facts one municipality's notebook run needs (``municipality`` None:
    the national report, national rows only)."""

    municipality: int | None
    name: str
    language: str
    estimates: pd.DataFrame  # national rows + this municipality's rows
    skipped: pd.DataFrame
    has_trial: bool
    simulated: bool
    truth: dict | None
    panel: pd.Series
    units: pd.DataFrame  # this municipality's units
    headline: dict
    #: the municipality's own trial as a design record (:func:`design_record`), or None
    own_design: dict | None = None
    #: the outcome the headline, the texts and the figures show (:func:`build_view`)
    outcome: str = HEADLINE_OUTCOME
    #: the model specification the results were estimated with
    config: S.SpecConfig = S.DEFAULT_CONFIG


def p_format(value: object) -> str:
    """p-values with three decimals; below 0.001 as "<0.001" (plain text: ``nb.table``
    escapes what a format returns, like every other cell)."""
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MISSING
    if math.isnan(p):
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


#: a number with about three significant digits in the language's marks (running text)
number = format_significant


def _formats(frame: pd.DataFrame, language: str) -> dict:
    p_columns = {t(k, language) for k in ("quant.col.p", "quant.col.p_holm", "quant.col.p_wild")}
    out = {}
    for column in frame.columns:
        if column in p_columns:
            out[column] = p_format
        elif pd.api.types.is_float_dtype(frame[column]):
            out[column] = significant
    return out


def table_of(frame: pd.DataFrame, name: str, language: str) -> Table:
    """``frame`` as a :class:`Table` named ``name``, with p-value and number formats."""
    return Table(frame.reset_index(drop=True), name, _formats(frame, language))


def outcomes_of(results: QuantResults) -> list[str]:
    """The outcomes the results model (in the panel), in report order."""
    listed = str(results.panel["outcomes"].iloc[0]) if not results.panel.empty else ""
    return [name for name in listed.split(",") if name]


def build_view(
    results: QuantResults, municipality: int | None, language: str, outcome: str | None = None
) -> View:
    """Select this municipality's rows (``None``: the national rows only, for the
    national report) and the facts the texts need.

    ``outcome``: the outcome the headline, the texts and the figures show, one of the
    outcomes modelled (:func:`outcomes_of`; see :func:`load_results` for the names:
    ``exit_job_education``, ``exit_fleksjob``, ``exit_foertidspension``,
    ``exit_ressourceforloeb``, ``meetings_on_time``, ``company_placements``,
    ``preparatory_plans``, ``staff_sick_days``, ``staff_turnover``, the value goals
    ``citizen_goal_direction``, ``citizen_recognition_respect``, ``citizen_sees_way_out``,
    ``staff_attractive_workplace``, ``staff_wellbeing``); ``None``: ``exit_job_education``
    when it is modelled, else the first outcome modelled."""
    main = main_outcome(outcomes_of(results), outcome)
    code = None if municipality is None else int(municipality)
    if code is None:
        estimates = results.estimates[results.estimates["scope"] == S.NATIONAL]
        estimates = estimates.reset_index(drop=True)
    else:
        estimates = municipality_rows(results.estimates, code)
    scopes = [S.NATIONAL] if code is None else [S.NATIONAL, str(code)]
    skipped = results.skipped[results.skipped["scope"].isin(scopes)].reset_index(drop=True)
    panel = results.panel.iloc[0] if not results.panel.empty else pd.Series(dtype=object)
    truth = None
    if results.simulated and results.source.truth is not None:
        candidate = load_truth(results.source.truth)
        if int(candidate.get("size", {}).get("rows", -1)) == int(panel.get("rows", -2)):
            truth = candidate
    units = results.units[results.units["municipality_code"] == code].reset_index(drop=True)
    return View(
        municipality=code,
        name=t("quant.national_name", language) if code is None else municipality_name(code),
        language=language,
        estimates=estimates,
        skipped=skipped,
        has_trial=code is not None and has_trial(results, code),
        simulated=results.simulated,
        truth=truth,
        panel=panel,
        units=units,
        headline=headline(estimates, main, results.simulated),
        own_design=(
            design_record(estimates, main, str(code))
            if code is not None and has_trial(results, code)
            else None
        ),
        outcome=main,
        config=results.config,
    )
