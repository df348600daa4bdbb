"""Shared caseload results: computed once, read by every municipality's notebook run.

:func:`analysis.quant.batch.precompute` (called once by the report batch before its
workers start) fits every
model that does not depend on the municipality — the national pooled, fixed-effects,
dose and staggered models over all outcomes — plus the trial designs of every
municipality with a trial unit, the unit descriptives and the power tables. Each is a
:func:`analysis.cache.cached_frame` keyed by the panel file's hash (and the Jobindsats
table's, for the unemployment covariate), the source of the estimating modules and the
parameters, so a notebook run alone computes on first use and reads thereafter.

A notebook then calls :func:`load_results` and only selects rows.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.cache import CacheKey, cached, cached_frame
from analysis.data.caseload_checks import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from analysis.data.caseloads import STANDARD_OUTCOMES, is_simulated, read_caseload_panel
from analysis.errors import AnalysisError
from analysis.paths import ProjectPaths, get_paths
from analysis.quant import specs as S
from analysis.quant.checks import SKIPPED_COLUMNS
from analysis.quant.fit import run_all
from analysis.quant.power import mde_grid, outcome_mde_table, variance_components
from analysis.quant.results import HEADLINE_OUTCOME, ModelRun, display_scale, normalise

#: the root of every cache key: this module's source and that of every module of the
#: package it imports, at any depth (:func:`analysis.cache.module_hash`)
MODULES = (__name__,)
#: the caseload contract's columns (:mod:`analysis.data.caseload_checks`)
CONTRACT_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
#: the planned-trial design the notebook reports per outcome: treated units, control
#: units, months before, months from the start (one trial unit against seven controls)
PLANNED_DESIGN = (1, 7, 24, 24)


@dataclass(frozen=True)
class PanelSource:
    """Where the panel comes from and what belongs to it."""

    path: Path
    processed: bool  # True: the processed store's caseload table (already validated)
    truth: Path | None  # truth YAML of a simulated panel, if there is one
    tag: str  # short name for cache files
    #: the processed survey table whose value-goal outcomes join the processed panel
    surveys: Path | None = None


@dataclass(frozen=True)
class QuantResults:
    """Everything the notebook shows, as tables (all cached)."""

    source: PanelSource
    estimates: pd.DataFrame
    skipped: pd.DataFrame
    units: pd.DataFrame
    panel: pd.DataFrame  # one row: simulated, rows, units, municipalities, months, ...
    mde_grid: pd.DataFrame
    mde_outcomes: pd.DataFrame
    #: survey response per survey and unit-month surveyed (invited, respondents, rate,
    #: dropped, caseload; :func:`analysis.data.survey_summaries.response_table`), and the
    #: checks and bounds of :mod:`analysis.quant.nonresponse` (empty without surveys)
    response: pd.DataFrame = field(default_factory=pd.DataFrame)
    response_checks: pd.DataFrame = field(default_factory=pd.DataFrame)
    response_bounds: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the model specification the tables were estimated with
    config: S.SpecConfig = S.DEFAULT_CONFIG

    @property
    def simulated(self) -> bool:
        return bool(self.panel["simulated"].iloc[0]) if not self.panel.empty else False

    @property
    def inputs(self) -> list[Path]:
        return [self.source.path]


def panel_source(panel_path: Path | str | None = None, paths: ProjectPaths | None = None):
    """Resolve the panel: ``None`` is the processed caseload table (run ``python -m
    analysis prepare`` first), otherwise any file in the contract's schema."""
    paths = paths or get_paths()
    if panel_path is None:
        path = paths.processed_file("caseloads")
        if not path.is_file():
            raise AnalysisError(
                f"{path} does not exist: put a caseload panel in {paths.caseloads} and run "
                "'python -m analysis prepare' (or pass panel_path)"
            )
        truth = paths.simulated_truth if paths.simulated_truth.is_file() else None
        surveys = paths.processed_file("surveys")
        return PanelSource(path, True, truth, "default", surveys if surveys.is_file() else None)
    path = Path(panel_path).expanduser().resolve()
    candidate = path.with_name(f"{path.stem}_truth.yaml")
    tag = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:12]
    return PanelSource(path, False, candidate if candidate.is_file() else None, tag)


def load_panel(source: PanelSource, paths: ProjectPaths | None = None) -> pd.DataFrame:
    """The panel, validated by the data contract (wrong schemas raise ``InputError``),
    with the real unemployment rate joined where the panel lacks it and, for the
    processed panel, the value-goal outcomes of the processed surveys (one column per
    goal, :func:`analysis.data.survey_summaries.join_survey_outcomes`: never from fewer
    than 5 respondents, and simulated and real data are never pooled)."""
    paths = paths or get_paths()
    if source.processed:
        from analysis.data.store import read_table

        panel = read_table("caseloads", paths)
        if source.surveys is not None:
            from analysis.data.survey_summaries import join_survey_outcomes

            panel = join_survey_outcomes(
                panel,
                read_table("surveys", paths),
                panel_name=str(source.path),
                survey_name=str(source.surveys),
            )
    else:
        panel = read_caseload_panel(source.path)
    jobindsats = paths.processed_file("jobindsats")
    complete = "unemployment_rate" in panel.columns and panel["unemployment_rate"].notna().all()
    if not complete and jobindsats.is_file():
        from analysis.data.store import read_table

        panel = S.add_unemployment(panel, read_table("jobindsats", paths))
    return panel


def _key(
    source: PanelSource,
    paths: ProjectPaths,
    outcomes: Sequence[str] | None,
    config: S.SpecConfig,
    **extra,
) -> CacheKey:
    inputs = [source.path, *([source.surveys] if source.surveys is not None else [])]
    if paths.processed_file("jobindsats").is_file():
        inputs.append(paths.processed_file("jobindsats"))
    params = {
        "outcomes": list(outcomes) if outcomes is not None else None,
        "config": config.as_params(),
        "source": str(source.path),
        **extra,
    }
    return CacheKey(inputs=tuple(inputs), modules=MODULES, params=params)


class _Panel:
    """Reads the panel at most once per call of :func:`load_results`."""

    def __init__(self, source: PanelSource, paths: ProjectPaths, config: S.SpecConfig):
        self.source, self.paths, self.config = source, paths, config
        self._raw: pd.DataFrame | None = None
        self._frame: pd.DataFrame | None = None

    @property
    def raw(self) -> pd.DataFrame:
        if self._raw is None:
            self._raw = load_panel(self.source, self.paths)
        return self._raw

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = S.prepare_panel(self.raw, self.config)
        return self._frame


def _split(frame: pd.DataFrame) -> ModelRun:
    estimates = frame[frame["record"] == "estimate"].drop(columns=["record", *_SKIP_ONLY])
    skipped = frame[frame["record"] == "skipped"][list(SKIPPED_COLUMNS)]
    return ModelRun(normalise(estimates), skipped.reset_index(drop=True).astype("object"))


_SKIP_ONLY = ("reason", "value", "limit", "message")


def _join(run: ModelRun) -> pd.DataFrame:
    estimates = run.estimates.assign(record="estimate")
    skipped = run.skipped.assign(record="skipped")
    for column in _SKIP_ONLY:
        estimates[column] = None
    frame = pd.concat([estimates, skipped], ignore_index=True)
    for column in ("outcome", "spec", "scope", "reason", "value", "limit", "message", "note",
                   "cluster_var", "term", "inference"):  # fmt: skip
        frame[column] = frame[column].astype("object").where(frame[column].notna(), None)
    flag = frame["simulated"].astype("object")
    frame["simulated"] = flag.where(flag.notna(), False).astype(bool)
    return frame


def load_results(
    panel_path: Path | str | None = None,
    outcomes: Sequence[str] | None = None,
    paths: ProjectPaths | None = None,
    config: S.SpecConfig = S.DEFAULT_CONFIG,
    helpers: Executor | None = None,
) -> QuantResults:
    """All shared tables for a panel (computed on first use, read from the cache after,
    one entry per setting: toggling back is a read).

    ``outcomes``: the outcome columns to model; ``None`` models every standard outcome
    the panel has. The standard outcomes (:mod:`analysis.data.outcomes`) are
    ``exit_job_education`` (the headline), ``exit_fleksjob``, ``exit_foertidspension``,
    ``exit_ressourceforloeb``, ``meetings_on_time``, ``company_placements``,
    ``preparatory_plans``, ``staff_sick_days``, ``staff_turnover`` and, with experience
    surveys, the value goals ``citizen_goal_direction``, ``citizen_recognition_respect``,
    ``citizen_sees_way_out``, ``staff_attractive_workplace``, ``staff_wellbeing``; a
    panel may add numeric outcome columns of its own (:func:`outcome_columns`). A name
    the panel does not have is an :class:`UnknownOutcomeError` listing those it has.

    ``config``: the model specification (:class:`analysis.quant.specs.SpecConfig`:
    covariates, caseload bands, event-study bins, inference settings); ``helpers``: an
    executor the models may hand the municipalities' designs to."""
    paths = paths or get_paths()
    source = panel_source(panel_path, paths)
    panel = _Panel(source, paths, config)
    if outcomes is not None:
        check_outcomes(outcomes, available_outcomes(source, paths, config, panel))
        outcomes = list(dict.fromkeys(outcomes))

    def models() -> pd.DataFrame:
        return _join(run_all(panel.raw, outcomes, config, helpers=helpers))

    run = _split(
        cached_frame(
            f"quant_models_{source.tag}",
            _key(source, paths, outcomes, config),
            models,
            paths=paths,
        )
    )
    units = cached_frame(
        f"quant_units_{source.tag}",
        _key(source, paths, outcomes, config, table="units"),
        lambda: unit_descriptives(panel.frame, S.select_outcomes(panel.frame, outcomes)),
        paths=paths,
    )
    info = cached_frame(
        f"quant_panel_{source.tag}",
        _key(source, paths, outcomes, config, table="panel"),
        lambda: panel_summary(panel.raw, panel.frame, outcomes, config),
        paths=paths,
    )
    grid = cached_frame(
        f"quant_mde_grid_{source.tag}",
        _key(source, paths, outcomes, config, table="mde_grid"),
        lambda: headline_mde_grid(
            panel.frame, main_outcome(S.select_outcomes(panel.frame, outcomes))
        ),
        paths=paths,
    )
    per_outcome = cached_frame(
        f"quant_mde_outcomes_{source.tag}",
        _key(source, paths, outcomes, config, table="mde_outcomes", design=PLANNED_DESIGN),
        lambda: outcome_mde_table(
            panel.frame,
            S.select_outcomes(panel.frame, outcomes),
            PLANNED_DESIGN,
            scales={o: display_scale(o) for o in STANDARD_OUTCOMES},
            seed=config.seed,
        ),
        paths=paths,
    )
    response, checks, bounds = _response_tables(source, paths, outcomes, config, panel)
    return QuantResults(
        source,
        run.estimates,
        run.skipped,
        *(_plain_strings(f) for f in (units, info, grid, per_outcome)),
        response=_plain_strings(response),
        response_checks=_plain_strings(checks),
        response_bounds=_plain_strings(bounds),
        config=config,
    )


class UnknownOutcomeError(AnalysisError, ValueError):
    """An outcome name the panel does not have (a misspelling, or a survey outcome
    without surveys)."""


#: columns of a caseload panel that are never outcomes (the contract's own columns)
NOT_OUTCOMES = (*CONTRACT_COLUMNS, "source_file", "unit_key")


def outcome_columns(panel: pd.DataFrame, config: S.SpecConfig = S.DEFAULT_CONFIG) -> list[str]:
    """The columns of ``panel`` that can be modelled as outcomes: the standard outcomes
    it has (in report order), then its other numeric columns except the contract's own
    columns and the covariates of ``config``."""
    standard = [name for name in STANDARD_OUTCOMES if name in panel.columns]
    skip = {*NOT_OUTCOMES, *config.covariates, *standard}
    extra = [
        name
        for name in panel.columns
        if name not in skip and pd.api.types.is_numeric_dtype(panel[name])
    ]
    return standard + extra


def available_outcomes(
    source: PanelSource,
    paths: ProjectPaths | None = None,
    config: S.SpecConfig = S.DEFAULT_CONFIG,
    panel: _Panel | None = None,
) -> list[str]:
    """:func:`outcome_columns` of the panel (cached with the panel's files)."""
    paths = paths or get_paths()
    panel = panel or _Panel(source, paths, config)
    return cached(
        f"quant_outcome_columns_{source.tag}",
        _key(source, paths, None, config, table="outcome_columns"),
        lambda: outcome_columns(panel.raw, config),
        paths=paths,
    )


def check_outcomes(outcomes: Sequence[str], valid: Sequence[str]) -> None:
    """Raise :class:`UnknownOutcomeError` naming every outcome not in ``valid`` (with
    the closest valid name) and listing the valid ones."""
    if isinstance(outcomes, str):
        raise UnknownOutcomeError(
            f"outcomes must be a list of names, e.g. [{outcomes!r}], not a string"
        )
    unknown = [name for name in outcomes if name not in valid]
    if not outcomes:
        raise UnknownOutcomeError(
            f"outcomes is empty: give at least one of {', '.join(valid)} (None: all)"
        )
    if not unknown:
        return
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(str(name), list(valid), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        parts.append(f"{name!r}{hint}")
    raise UnknownOutcomeError(
        f"unknown outcome {', '.join(parts)}: the outcomes of this panel are {', '.join(valid)}"
    )


def main_outcome(chosen: Sequence[str] | None, outcome: str | None = None) -> str:
    """The outcome the headline and the figures show: ``outcome`` when given (it must be
    among ``chosen``), else the headline outcome when it is chosen (``None``: all are),
    else the first chosen."""
    if outcome is not None:
        if chosen is not None and outcome not in chosen:
            raise UnknownOutcomeError(
                f"outcome {outcome!r} is not among the outcomes modelled: {', '.join(chosen)}"
            )
        return outcome
    if not chosen or HEADLINE_OUTCOME in chosen:
        return HEADLINE_OUTCOME
    return chosen[0]


def _response_tables(
    source: PanelSource,
    paths: ProjectPaths,
    outcomes: Sequence[str] | None,
    config: S.SpecConfig,
    panel: _Panel,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Survey response by unit-month, its checks against caseload and the value goals'
    bounds under non-response (cached; empty frames without processed surveys)."""
    if source.surveys is None:
        return pd.DataFrame(), pd.DataFrame(), pd.DataFrame()
    from analysis.data.caseloads import SURVEY_OUTCOMES
    from analysis.data.store import read_table
    from analysis.data.survey_summaries import bound_outcomes, response_table
    from analysis.quant.nonresponse import bound_estimates, response_checks

    surveys: dict[str, pd.DataFrame] = {}

    def table() -> pd.DataFrame:
        if "table" not in surveys:
            surveys["table"] = read_table("surveys", paths)
        return surveys["table"]

    def response_frame() -> pd.DataFrame:
        frame = response_table(table(), panel.raw)
        return frame.assign(period=frame["period"].astype(str))

    response = cached_frame(
        f"quant_response_{source.tag}",
        _key(source, paths, outcomes, config, table="response"),
        response_frame,
        paths=paths,
    )
    checks = cached_frame(
        f"quant_response_checks_{source.tag}",
        _key(source, paths, outcomes, config, table="response_checks"),
        lambda: response_checks(response.assign(period=pd.PeriodIndex(response["period"],
                                                                      freq="M")), config),
        paths=paths,
    )  # fmt: skip
    bounds = cached_frame(
        f"quant_response_bounds_{source.tag}",
        _key(source, paths, outcomes, config, table="response_bounds"),
        lambda: bound_estimates(panel.raw, bound_outcomes(table()), list(SURVEY_OUTCOMES), config),
        paths=paths,
    )
    return response, checks, bounds


def _plain_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as object dtype, so a computed table equals the one read back."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


# --- small shared tables --------------------------------------------------------------------


def unit_descriptives(frame: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Per unit: months, trial flag and start, mean caseload before and from the
    municipality's (first) trial start, and the mean of each outcome."""
    starts = frame[frame["g"] > 0].groupby("municipality_code")["g"].min()
    start = frame["municipality_code"].map(starts)
    post = frame["t"] >= start
    grouped = frame.groupby(["municipality_code", "unit"], sort=True)
    out = grouped.agg(
        months=("t", "size"),
        treated=("g", lambda g: int((g != 0).any())),
        caseload_mean=("caseload", "mean"),
    )
    out["trial_start"] = (
        grouped["g"]
        .max()
        .map(lambda g: str(pd.Period(ordinal=int(g), freq="M")) if g > 0 else None)
    )
    out["caseload_pre"] = (
        frame[start.notna() & ~post].groupby(["municipality_code", "unit"])["caseload"].mean()
    )
    out["caseload_post"] = frame[post].groupby(["municipality_code", "unit"])["caseload"].mean()
    present = [o for o in outcomes if o in frame.columns]
    if present:
        out = out.join(grouped[present].mean())
    out = out.reset_index()
    out["unit"] = out["unit"].astype(str)
    out["trial_start"] = out["trial_start"].astype("object")
    return out


def panel_summary(
    raw: pd.DataFrame,
    frame: pd.DataFrame,
    outcomes: Sequence[str] | None,
    config: S.SpecConfig,
) -> pd.DataFrame:
    """One row describing the panel (simulated flag, size, outcomes, covariates)."""
    chosen = S.select_outcomes(frame, outcomes)
    simulated_files = ""
    if "source_file" in raw.columns and "data_origin" in raw.columns:
        origin = raw["data_origin"].astype("str").str.strip().str.lower()
        simulated_files = ";".join(sorted(raw.loc[origin == "simulated", "source_file"].unique()))
    return pd.DataFrame(
        [
            {
                "simulated": is_simulated(raw),
                "simulated_files": simulated_files,
                "rows": len(frame),
                "units": int(frame["unit_id"].nunique()),
                "municipalities": int(frame["municipality_code"].nunique()),
                "first_month": str(frame["period"].min()),
                "last_month": str(frame["period"].max()),
                "outcomes": ",".join(o for o in chosen if o in frame.columns),
                "missing_outcomes": ",".join(o for o in chosen if o not in frame.columns),
                "covariates": ",".join(S.covariates_in(frame, config)),
                "caseload_mean": float(frame["caseload"].mean()),
            }
        ]
    )


def headline_mde_grid(frame: pd.DataFrame, outcome: str = HEADLINE_OUTCOME) -> pd.DataFrame:
    """MDE grid for the headline outcome with variance components from the panel
    (empty when the outcome is missing)."""
    if outcome not in frame.columns or frame[outcome].notna().sum() < 3:
        return pd.DataFrame()
    try:
        comp = variance_components(frame, outcome)
    except ValueError:
        return pd.DataFrame()
    if comp.sd <= 0:
        return pd.DataFrame()
    grid = mde_grid(comp.sd, comp.icc, comp.ar, scale=display_scale(outcome))
    grid.insert(0, "outcome", outcome)
    return grid


def municipality_rows(estimates: pd.DataFrame, municipality: int) -> pd.DataFrame:
    """National rows plus the municipality's own rows (the notebook's ``estimates``)."""
    keep = estimates["scope"].isin([S.NATIONAL, str(int(municipality))])
    return estimates[keep].reset_index(drop=True)


def has_trial(results: QuantResults, municipality: int) -> bool:
    units = results.units
    own = units[units["municipality_code"] == int(municipality)]
    return bool(not own.empty and own["treated"].astype(int).sum() > 0)


# --- the value goals (experience surveys) -------------------------------------------------


def value_goal_estimates(results: QuantResults) -> pd.DataFrame:
    """The estimates of the survey outcomes (the value goals of
    :data:`analysis.data.caseloads.SURVEY_OUTCOMES`), in the tidy table's columns."""
    from analysis.data.caseloads import SURVEY_OUTCOMES

    rows = results.estimates[results.estimates["outcome"].isin(list(SURVEY_OUTCOMES))]
    return rows.reset_index(drop=True)


def value_goal_truth(paths: ProjectPaths | None = None) -> dict | None:
    """The true parameters of the simulated surveys behind the processed survey table:
    their truth files (``<survey file>_truth.yaml`` in ``data/raw/surveys``) merged, in
    the form :func:`analysis.quant.validation.truth_table` reads (``outcomes`` with each
    goal's ``beta_log_caseload``, ``koebenhavn_did.implied_effect``). None when the table
    is missing or its surveys are real."""
    from analysis.data.store import read_table
    from analysis.data.surveys import is_simulated_table, survey_folder
    from analysis.quant.validation import load_truth

    paths = paths or get_paths()
    if not paths.processed_file("surveys").is_file():
        return None
    table = read_table("surveys", paths)
    if table.empty or not is_simulated_table(table):
        return None
    merged: dict = {"outcomes": {}, "koebenhavn_did": {"implied_effect": {}}}
    for name in sorted(table["source_file"].astype(str).unique()):
        file = survey_folder(paths) / f"{Path(name).stem}_truth.yaml"
        if not file.is_file():
            continue
        truth = load_truth(file)
        merged["outcomes"].update(truth["outcomes"])
        implied = (truth.get("koebenhavn_did") or {}).get("implied_effect") or {}
        merged["koebenhavn_did"]["implied_effect"].update(implied)
    return merged if merged["outcomes"] else None


def value_goal_truth_table(
    results: QuantResults, paths: ProjectPaths | None = None
) -> pd.DataFrame:
    """The survey outcomes' estimates next to the simulated truth, in display units
    (percentage points): :func:`analysis.quant.validation.truth_table` of the two-way
    fixed-effects and pooled slopes and the København DiD. Empty when the surveys are
    not simulated."""
    from analysis.quant.validation import TRUTH_COLUMNS, truth_table

    truth = value_goal_truth(paths)
    if truth is None:
        return pd.DataFrame(columns=list(TRUTH_COLUMNS))
    return truth_table(value_goal_estimates(results), results.skipped, truth)
