"""What notebook 02 shows, as ready tables, texts and figures (no display here).

The notebook calls :func:`build_view` once, then one function per table or figure; each
table comes as a :class:`Table` (frame, number formats, stable name) for ``nb.table``.
Everything is selected from cached results, so a run for one municipality is light.
This module holds the tables, figures and input files; the selection (:class:`View`,
:func:`build_view`) is in :mod:`analysis.quant.view_select` and the sentences in
:mod:`analysis.quant.view_texts`, both re-exported here, so the notebooks import this
module only.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis import nb
from analysis.data.caseloads import STANDARD_OUTCOMES
from analysis.labels import t
from analysis.paths import ProjectPaths, get_paths
from analysis.quant import plots
from analysis.quant import specs as S
from analysis.quant.compute import (  # load_results: re-exported for notebook 02
    QuantResults,
    UnknownOutcomeError,  # noqa: F401
    load_results,  # noqa: F401
)
from analysis.quant.results import (
    display_scale,
    effects_table,
    moves,
    outcome_label,
    per_ten_fewer,
    pretrend_table,
    skipped_table,
    term_table,
    unit_label,
)
from analysis.quant.specs import DEFAULT_CONFIG, SpecConfig  # noqa: F401 - the notebooks' spec
from analysis.quant.validation import truth_table
from analysis.quant.view_select import (  # the selection, re-exported for the notebooks
    Table,
    View,
    build_view,  # noqa: F401
    number,  # noqa: F401
    outcomes_of,  # noqa: F401
    p_format,  # noqa: F401
    table_of,
)
from analysis.quant.view_texts import (  # the sentences, re-exported for the notebooks
    counted,  # noqa: F401
    data_text,  # noqa: F401
    dose_text,  # noqa: F401
    headline_text,  # noqa: F401
    lead_paragraphs,  # noqa: F401
    linearity_text,  # noqa: F401
    literature_text,  # noqa: F401
    mde_placebo_text,  # noqa: F401
    mde_text,  # noqa: F401
    mde_texts,  # noqa: F401
    moves_text,  # noqa: F401
    national_summary_text,  # noqa: F401
    own_finding,  # noqa: F401
    per_ten_text,  # noqa: F401
    scopes,
    skipped_messages,  # noqa: F401
    trial_effect,  # noqa: F401
    trial_heading,  # noqa: F401
)

# --- tables ---------------------------------------------------------------------------------


def slopes(view: View) -> Table:
    frame = effects_table(view.estimates, (S.POOLED, S.TWFE_LOG, S.TWFE_LEVEL), view.language)
    return table_of(frame, "quant-slopes", view.language)


def moves_table(view: View) -> Table:
    """Effects of realistic caseload changes per outcome, by the log slope and by the
    spline (display units), with 95 % intervals."""
    lang = view.language
    frame = moves(view.estimates)
    if frame.empty:
        return Table(pd.DataFrame(), "quant-moves")
    order = {m: i for i, m in enumerate(S.MOVES)}
    frame = frame.assign(
        _o=frame["outcome"].map(lambda o: list(STANDARD_OUTCOMES).index(o)
                                if o in STANDARD_OUTCOMES else 99),
        _m=[order.get((a, b), 99) for a, b in zip(frame["start"], frame["end"], strict=True)],
        _s=frame["spec"].map({S.TWFE_LOG: 0, S.SPLINE: 1}),
    ).sort_values(["_o", "_m", "_s"])  # fmt: skip
    shown = pd.DataFrame(
        {
            t("quant.col.outcome", lang): frame["outcome"].map(lambda o: outcome_label(o, lang)),
            t("quant.col.move", lang): [
                t(f"quant.move.{a:g}_{b:g}", lang)
                for a, b in zip(frame["start"], frame["end"], strict=True)
            ],
            t("quant.col.design", lang): frame["spec"].map(
                lambda s: t(f"quant.spec_short.{s}", lang)
            ),
            t("quant.col.estimate", lang): frame["effect"],
            t("quant.col.ci_low", lang): frame["ci_low"],
            t("quant.col.ci_high", lang): frame["ci_high"],
            t("quant.col.unit", lang): frame["outcome"].map(lambda o: unit_label(o, lang)),
        }
    )
    return table_of(shown, "quant-moves", lang)


def truth_check(view: View) -> Table:
    """Estimates next to the planted truth (empty unless the panel is simulated and its
    truth file matches)."""
    if view.truth is None:
        return Table(pd.DataFrame(), "quant-truth")
    frame = truth_table(view.estimates, view.skipped, view.truth)
    return table_of(_truth_display(frame, view.language), "quant-truth", view.language)


def _truth_display(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("quant.col.outcome", lang): frame["outcome"].map(lambda o: outcome_label(o, lang)),
            t("quant.col.design", lang): frame["spec"].map(lambda s: t(f"quant.spec.{s}", lang)),
            t("quant.col.term", lang): frame["term"].map(lambda x: t(f"quant.term.{x}", lang)),
            t("quant.col.truth", lang): frame["truth"],
            t("quant.col.estimate", lang): frame["estimate"],
            t("quant.col.ci_low", lang): frame["ci_low"],
            t("quant.col.ci_high", lang): frame["ci_high"],
            t("quant.col.covered", lang): frame["covered"].map(
                lambda c: (
                    t("quant.no_interval", lang)
                    if c is None or (isinstance(c, float) and math.isnan(c))
                    else t("quant.yes" if c else "quant.no", lang)
                )
            ),
        }
    )


def value_goals(results: QuantResults, language: str) -> Table:
    """The value goals (experience surveys) as outcomes: with simulated surveys the
    estimates next to the planted truth (recovered or not), else the effects of 10 fewer
    cases per caseworker; empty without survey outcomes."""
    from analysis.quant.compute import value_goal_estimates, value_goal_truth_table

    estimates = value_goal_estimates(results)
    if estimates.empty:
        return Table(pd.DataFrame(), "quant-value-goals")
    truth = value_goal_truth_table(results)
    if not truth.empty:
        return table_of(_truth_display(truth, language), "quant-value-goals", language)
    frame = effects_table(estimates, (S.TWFE_LOG,), language)
    return table_of(frame, "quant-value-goals", language)


def value_goals_recovered(results: QuantResults) -> tuple[int, int]:
    """(covered, rows): how many of the simulated value-goal truths the designs meant to
    recover (fixed effects and the trial designs, not the pooled OLS, which is confounded
    on purpose) hold in their 95 % interval, for the sentence above the table."""
    from analysis.quant.compute import value_goal_truth_table

    truth = value_goal_truth_table(results)
    truth = truth[(truth["spec"] != S.POOLED) & truth["covered"].notna()]
    return int(truth["covered"].astype(bool).sum()), len(truth)


def trial_summary(view: View) -> Table:
    """The trial in brief: one row per outcome with the unit-level difference-in-
    differences (the design to read with one trial unit) and its 95 % interval."""
    frame = term_table(
        view.estimates,
        (S.DID_COLLAPSED,),
        view.language,
        scope=str(view.municipality),
        terms=[S.TERM_TRIAL],
    )
    lang = view.language
    keep = [t(k, lang) for k in ("quant.col.outcome", "quant.col.estimate", "quant.col.ci_low",
                                 "quant.col.ci_high", "quant.col.unit")]  # fmt: skip
    return table_of(frame[keep], "quant-trial-summary", lang)


def trial(view: View) -> Table:
    """Both trial designs per outcome with the method behind each interval or p-value
    (with one trial unit: placebo for the fixed-effects DiD, no cluster-robust interval)."""
    frame = term_table(
        view.estimates,
        (S.DID, S.DID_COLLAPSED),
        view.language,
        scope=str(view.municipality),
        terms=[S.TERM_TRIAL],
        inference=True,
    )
    return table_of(frame, "quant-trial-did", view.language)


def trial_pretrend(view: View) -> Table:
    frame = pretrend_table(view.estimates, S.EVENT, str(view.municipality), view.language)
    return table_of(frame, "quant-trial-pretrend", view.language)


def staggered(view: View) -> Table:
    frame = term_table(
        view.estimates, (S.STAGGERED,), view.language, terms=[S.TERM_ATT], inference=True
    )
    return table_of(frame, "quant-staggered", view.language)


def staggered_pretrend(view: View) -> Table:
    frame = pretrend_table(view.estimates, S.STAGGERED_EVENT, S.NATIONAL, view.language)
    return table_of(frame, "quant-staggered-pretrend", view.language)


def units(view: View) -> Table:
    lang = view.language
    u = view.units
    present = [o for o in STANDARD_OUTCOMES if o in u.columns]
    frame = pd.DataFrame(
        {
            t("quant.col.unit_name", lang): u["unit"],
            t("quant.col.months", lang): u["months"],
            t("quant.col.trial_start", lang): u["trial_start"].fillna("–"),
            t("quant.col.caseload_mean", lang): u["caseload_mean"],
            **{
                f"{outcome_label(o, lang)} ({unit_label(o, lang)})": u[o] * display_scale(o)
                for o in present
            },
        }
    )
    return table_of(frame, "quant-units", lang)


def mde_outcomes(results: QuantResults, language: str) -> Table:
    m = results.mde_outcomes
    if m.empty:
        return Table(pd.DataFrame(), "quant-mde-outcomes")
    frame = pd.DataFrame(
        {
            t("quant.col.outcome", language): m["outcome"].map(
                lambda o: outcome_label(o, language)
            ),
            t("quant.col.mde_formula", language): m["mde_display"],
            **(
                {
                    t("quant.col.power_placebo", language): m["power_placebo"],
                    t("quant.col.mde_placebo", language): m["mde_placebo_display"],
                }
                if "power_placebo" in m.columns
                else {}
            ),
            t("quant.col.unit", language): m["outcome"].map(lambda o: unit_label(o, language)),
            t("quant.col.sd", language): m["sd"] * m["outcome"].map(display_scale),
            t("quant.col.icc", language): m["icc"],
            t("quant.col.ar", language): m["ar"],
        }
    )
    return table_of(frame, "quant-mde-outcomes", language)


def mde_grid(results: QuantResults, language: str) -> Table:
    g = results.mde_grid
    if g.empty:
        return Table(pd.DataFrame(), "quant-mde-grid")
    frame = pd.DataFrame(
        {
            t("quant.col.n_treated", language): g["n_treated"],
            t("quant.col.n_control", language): g["n_control"],
            t("quant.col.months_pre", language): g["months_pre"],
            t("quant.col.months_post", language): g["months_post"],
            t("quant.col.mde", language): g["mde_display"],
            t("quant.col.power_exact", language): g["power_exact"],
        }
    )
    return table_of(frame, "quant-mde-grid", language)


def skipped(view: View) -> Table:
    frame = skipped_table(view.skipped, view.language, scopes(view))
    return Table(frame.reset_index(drop=True), "quant-skipped")


def published(language: str, paths: ProjectPaths | None = None) -> Table:
    """The published effects of caseload trials (``data/raw/literature``), as published:
    study, country, design, population, caseloads compared, outcome, effect and unit
    (:mod:`analysis.quant.literature`); empty when the file is absent."""
    from analysis.quant.literature import published_table, read_published_effects

    path = (paths or get_paths()).published_effects
    if not path.is_file():
        return Table(pd.DataFrame(), "quant-literature")
    frame = published_table(read_published_effects(path), language)
    return Table(frame, "quant-literature", {})


def literature_files(paths: ProjectPaths | None = None) -> list:
    """The published-effects file, for ``nb.record_inputs`` (real data), if present."""
    path = (paths or get_paths()).published_effects
    return [path] if path.is_file() else []


# --- figures ----------------------------------------------------------------------------


def truth_per_ten(view: View) -> dict[str, float] | None:
    """True effect of 10 fewer cases per outcome at the sample mean (display units)."""
    if view.truth is None:
        return None
    mean = float(view.panel.get("caseload_mean", float("nan")))
    if not mean or mean <= 10:
        return None
    factor = math.log((mean - 10) / mean)
    return {
        o: float(p["beta_log_caseload"]) * factor * display_scale(o)
        for o, p in view.truth["outcomes"].items()
    }


#: modules whose source is part of the key of cached national figures
FIGURE_MODULES = ("analysis.quant.plots", "analysis.quant.view")


def coefficient_figure(view: View):
    """(figure, alt text) of pooled vs fixed-effects effects of 10 fewer cases."""
    effects = per_ten_fewer(view.estimates)
    effects = effects[effects["scope"] == S.NATIONAL]
    if effects.empty:
        return None, ""
    truth = truth_per_ten(view)
    png = nb.cached_png(
        f"quant-coef-{view.language}",
        {"effects": effects.to_json(), "truth": truth},
        lambda: plots.coefficient_plot(effects, view.language, truth=truth),
        modules=FIGURE_MODULES,
    )
    return png, t("quant.fig.coef", view.language)


def dose_figure(view: View):
    rows = view.estimates[
        (view.estimates["spec"] == S.DOSE) & (view.estimates["scope"] == S.NATIONAL)
    ]
    if rows.empty:
        return None, ""
    reference = S.reference_band(view.config)
    png = nb.cached_png(
        f"quant-dose-{view.language}",
        rows,
        lambda: plots.dose_plot(rows, view.language, reference.term),
        modules=FIGURE_MODULES,
    )
    return png, t("quant.fig.dose", view.language, reference=reference.label())


def event_figure(view: View, outcome: str | None = None):
    """Event study of the municipality's trial if it has one, else the national
    staggered event study, for ``outcome`` (default: the view's outcome)."""
    outcome = outcome or view.outcome
    if view.has_trial:
        spec, scope = S.EVENT, str(view.municipality)
    else:
        spec, scope = S.STAGGERED_EVENT, S.NATIONAL
    rows = view.estimates[
        (view.estimates["spec"] == spec)
        & (view.estimates["scope"] == scope)
        & (view.estimates["outcome"] == outcome)
    ]
    if rows["event_time"].notna().sum() < 2:
        return None, ""
    bins = view.config.event_bin_months
    if view.has_trial:
        fig = plots.event_plot(rows, view.language, bins)
    else:  # the national event study is the same in every municipality's report
        fig = nb.cached_png(
            f"quant-event-{outcome}-{view.language}",
            rows,
            lambda: plots.event_plot(rows, view.language, bins),
            modules=FIGURE_MODULES,
        )
    where = view.name if view.has_trial else t("quant.scope.national", view.language)
    alt = t("quant.fig.event", view.language, outcome=outcome_label(outcome, view.language),
            where=where)  # fmt: skip
    return fig, alt


def mde_figure(results: QuantResults, language: str):
    """(figure, alt text): minimum detectable effect against the number of control units,
    one line per number of trial units, for 12 and 24 months before and after the start."""
    grid = results.mde_grid
    if grid.empty:
        return None, ""
    outcome = str(grid["outcome"].iloc[0])
    png = nb.cached_png(
        f"quant-mde-{language}",
        grid,
        lambda: plots.mde_curves(grid, language),
        modules=FIGURE_MODULES,
    )
    return png, t("quant.fig.mde", language, outcome=outcome_label(outcome, language))


# --- provenance ----------------------------------------------------------------------------


def input_files(results: QuantResults, paths: ProjectPaths | None = None):
    """(files, simulated files) for ``nb.record_inputs``: the raw panel file(s) and, when
    the unemployment covariate is used, the Jobindsats snapshot.

    For the processed table these are the caseload files the processed store's manifest
    says it was built from (not whatever the folder holds now); a table out of date with
    its files raises :class:`~analysis.errors.AnalysisError` asking for ``prepare``."""
    paths = paths or get_paths()
    if results.source.processed:
        from analysis.data.store import built_from

        files = sorted(
            p for p in built_from("caseloads", paths) if p.is_relative_to(paths.caseloads)
        )
    else:
        files = [results.source.path]
    flagged = str(results.panel["simulated_files"].iloc[0]) if not results.panel.empty else ""
    names = {n for n in flagged.split(";") if n}
    if results.source.processed:
        simulated = [p for p in files if p.name in names]
    else:
        simulated = list(files) if results.simulated else []
    if results.source.truth is not None and results.simulated:
        files.append(results.source.truth)
        simulated.append(results.source.truth)
    covariates = str(results.panel["covariates"].iloc[0]) if not results.panel.empty else ""
    if "unemployment_rate" in covariates and paths.jobindsats_snapshot.is_file():
        files.append(paths.jobindsats_snapshot)
    survey_files, simulated_surveys = _survey_files(results, paths)
    return files + survey_files, simulated + simulated_surveys


def _survey_files(results: QuantResults, paths: ProjectPaths) -> tuple[list, list]:
    """The survey files behind the processed survey table (value goals), each flagged
    simulated as its rows' ``data_origin`` says: the value goals of the demo rest on
    simulated surveys, and the page says so beside the simulated panel."""
    if results.source.surveys is None or not results.source.processed:
        return [], []
    from analysis.data.store import built_from, read_table
    from analysis.data.surveys import survey_folder

    folder = survey_folder(paths)
    table = read_table("surveys", paths)
    origin: dict[str, str] = {}
    if {"source_file", "data_origin"} <= set(table.columns):
        first = table.groupby("source_file")["data_origin"].first()
        origin = {str(k): str(v).strip().lower() for k, v in first.items()}
    files = sorted(p for p in built_from("surveys", paths) if p.is_relative_to(folder))
    return files, [p for p in files if origin.get(p.name) == "simulated"]


# the survey-response tables and texts, for the notebooks as ``qv.response.<name>``
# (imported last: the module reads this one's Table helpers)
from analysis.quant import view_response as response  # noqa: E402, F401
