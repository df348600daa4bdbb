"""What notebook 02 shows, as ready tables, texts and figures (no display here).

The notebook calls :func:`build_view` once, then one function per table or figure; each
table comes as a :class:`Table` (frame, number formats, stable name) for ``nb.table``.
Everything is selected from cached results, so a run for one municipality is light.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis import nb
from analysis.data.caseloads import STANDARD_OUTCOMES
from analysis.data.reference import municipality_name
from analysis.formatting import (
    MISSING,
    format_number,
    format_percent,
    format_significant,
    significant,
)
from analysis.labels import t
from analysis.paths import ProjectPaths, get_paths
from analysis.quant import plots, texts
from analysis.quant import specs as S
from analysis.quant.compute import (  # load_results: re-exported for notebook 02
    QuantResults,
    UnknownOutcomeError,  # noqa: F401
    has_trial,
    load_results,  # noqa: F401
    main_outcome,
    municipality_rows,
)
from analysis.quant.results import (
    HEADLINE_OUTCOME,
    design_record,
    display_scale,
    effects_table,
    headline,
    linearity_record,
    moves,
    outcome_label,
    per_ten_fewer,
    pretrend_table,
    skipped_notes,
    skipped_table,
    term_table,
    unit_label,
)
from analysis.quant.specs import DEFAULT_CONFIG, SpecConfig  # noqa: F401 - the notebooks' spec
from analysis.quant.validation import load_truth, truth_table


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
    """p-values with three decimals; below 0.001 as "<0.001" (HTML-escaped: the
    formats are for ``nb.table``, whose Styler does not escape formatter output)."""
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MISSING
    if math.isnan(p):
        return MISSING
    return "&lt;0.001" if p < 0.001 else f"{p:.3f}"


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


def _table(frame: pd.DataFrame, name: str, language: str) -> Table:
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


# --- texts ----------------------------------------------------------------------------------


def counted(n: int, key: str, language: str) -> str:
    """ "1 enhed", "302 enheder": a count with its noun in the right number (labels
    ``<key>_one`` and ``<key>_many``), never "enhed(er)"."""
    return t(
        f"{key}_one" if n == 1 else f"{key}_many",
        language,
        n=f"{n:,}".replace(",", "." if language == "da" else ","),
    )


def data_text(view: View) -> str:
    """The panel in one sentence (a municipality's page adds how many units it has)."""
    p, lang = view.panel, view.language
    return t(
        "quant.text.data" if view.municipality is not None else "quant.text.data_all",
        lang,
        rows=f"{int(p.get('rows', 0)):,}".replace(",", "." if lang == "da" else ","),
        units=counted(int(p.get("units", 0)), "quant.count.units", lang),
        municipalities=counted(int(p.get("municipalities", 0)), "quant.count.municipalities", lang),
        first=p.get("first_month", ""),
        last=p.get("last_month", ""),
        own_units=counted(len(view.units), "quant.count.units", lang),
        name=view.name,
    )


def trial_heading(view: View) -> str:
    """The heading of the municipality's own trial: a trial that exists only in the
    simulated panel is named as simulated, never as the municipality's trial."""
    key = "quant.h.trial_simulated" if view.simulated else "quant.h.trial"
    return t(key, view.language, name=view.name)


def dose_text(view: View) -> str:
    return t("quant.assume.dose", view.language, reference=S.reference_band(view.config).label())


def per_ten_text(view: View) -> str:
    mean = view.panel.get("caseload_mean", float("nan"))
    return t("quant.text.per10", view.language, mean=number(mean, view.language))


def _scopes(view: View) -> list[str]:
    return [S.NATIONAL] if view.municipality is None else [S.NATIONAL, str(view.municipality)]


def skipped_messages(view: View) -> list[str]:
    return skipped_notes(view.skipped, view.language, _scopes(view))


def headline_text(view: View) -> str:
    """The national report's opening on caseloads (paragraphs joined): the trials'
    design-based estimate with its pre-trend test first, then the fixed-effects slope
    as the association across all units, and whether they agree
    (:func:`analysis.quant.texts.lead_paragraphs`)."""
    return "\n\n".join(texts.lead_paragraphs(view.headline, view.language))


def lead_paragraphs(view: View) -> list[str]:
    """What a page says first: for a municipality with its own trial, that trial (with
    its pre-trend test and placebo p-value) against the national association; else the
    national trials and association."""
    if view.own_design is not None:
        return texts.lead_paragraphs(
            view.headline,
            view.language,
            own=view.own_design,
            name=view.name,
            simulated=view.simulated,
        )
    return texts.lead_paragraphs(view.headline, view.language)


def moves_text(view: View) -> str:
    """The headline outcome's realistic moves in one sentence, by the log slope and the
    spline (next to the per-10 figure; empty without them)."""
    lang, outcome = view.language, view.headline["outcome"]
    frame = moves(view.estimates)
    frame = frame[frame["outcome"] == outcome]
    if frame.empty:
        return ""
    parts = []
    for start, end in S.MOVES:
        own = frame[(frame["start"] == start) & (frame["end"] == end)].set_index("spec")
        if S.TWFE_LOG not in own.index:
            continue
        fields = {
            "move": t(f"quant.move.{start:g}_{end:g}", lang),
            "log": texts.signed(own.loc[S.TWFE_LOG, "effect"], lang),
            "unit": unit_label(outcome, lang),
        }
        if S.SPLINE in own.index:
            spline = texts.signed(own.loc[S.SPLINE, "effect"], lang)
            parts.append(t("quant.text.move_pair", lang, spline=spline, **fields))
        else:
            parts.append(t("quant.text.move_log", lang, **fields))
    if not parts:
        return ""
    return t(
        "quant.text.moves_headline",
        lang,
        outcome=outcome_label(outcome, lang).lower(),
        moves="; ".join(parts),
    )


def linearity_text(view: View) -> str:
    """The linearity check for the headline outcome, with how many outcomes reject it."""
    rows = view.estimates[
        (view.estimates["spec"] == S.SPLINE)
        & (view.estimates["term"] == S.TERM_LINEARITY)
        & (view.estimates["scope"] == S.NATIONAL)
        & view.estimates["p_value"].notna()
    ]
    outcome = view.headline["outcome"]
    return texts.linearity_sentence(
        linearity_record(view.estimates, outcome),
        outcome,
        view.language,
        rejected=int((rows["p_value"] < 0.05).sum()),
        tested=len(rows),
    )


def mde_text(results: QuantResults, language: str) -> str:
    grid = results.mde_grid
    if grid.empty:
        return t("quant.text.no_mde", language)
    pick = grid[(grid["n_treated"] == 1) & (grid["n_control"] == 7) & (grid["months_pre"] == 24)]
    row = pick.iloc[0] if not pick.empty else grid.iloc[0]
    return t(
        "quant.text.mde",
        language,
        treated=counted(int(row["n_treated"]), "quant.count.trial_units", language),
        control=int(row["n_control"]),
        months=int(row["months_pre"]),
        mde=number(row["mde_display"], language, 2),
        unit=unit_label(str(row["outcome"]), language),
        outcome=outcome_label(str(row["outcome"]), language),
        icc=number(row["icc"], language, 2),
        ar=number(row["ar"], language, 2),
    )


def mde_texts(results: QuantResults, language: str) -> list[str]:
    """The power section's paragraphs: the formula's MDE and its check by placebo trials."""
    return [text for text in (mde_text(results, language), mde_placebo_text(results, language))
            if text]  # fmt: skip


def mde_placebo_text(results: QuantResults, language: str, outcome: str | None = None) -> str:
    """The formula's MDE checked by placebo trials on the panel (empty without them), for
    ``outcome`` (default: the outcome of the power curves)."""
    if outcome is None:
        grid = results.mde_grid
        outcome = str(grid["outcome"].iloc[0]) if not grid.empty else HEADLINE_OUTCOME
    m = results.mde_outcomes
    if m.empty or "power_placebo" not in m.columns:
        return ""
    rows = m[m["outcome"] == outcome]
    if rows.empty or not rows.iloc[0]["placebo_draws"]:
        return ""
    row = rows.iloc[0]
    low = row["power_placebo"] < 0.75
    return t(
        "quant.text.mde_placebo" if low else "quant.text.mde_placebo_ok",
        language,
        mde=number(row["mde_display"], language, 2),
        unit=unit_label(outcome, language),
        power=format_percent(row["power_placebo"] * 100, language, decimals=0),
        placebo=number(row["mde_placebo_display"], language, 2),
        draws=format_number(int(row["placebo_draws"]), language, decimals=0),
        size=format_percent(row["size_placebo"] * 100, language, decimals=1),
    )


def trial_effect(view: View, outcome: str | None = None) -> dict | None:
    """The municipality's own trial effect on ``outcome`` (default: the view's outcome;
    unit-level DiD, display units: percentage points for shares), or None without a
    trial or an estimate."""
    if not view.has_trial:
        return None
    outcome = outcome or view.outcome
    rows = view.estimates[
        (view.estimates["spec"] == S.DID_COLLAPSED)
        & (view.estimates["scope"] == str(view.municipality))
        & (view.estimates["outcome"] == outcome)
        & (view.estimates["term"] == "treated_post")
    ]
    if rows.empty or pd.isna(rows.iloc[0]["estimate"]):
        return None
    row, scale = rows.iloc[0], display_scale(outcome)
    return {
        "outcome": outcome,
        "spec": S.DID_COLLAPSED,
        "estimate": float(row["estimate"]) * scale,
        "ci_low": float(row["ci_low"]) * scale,
        "ci_high": float(row["ci_high"]) * scale,
    }


def own_finding(view: View) -> dict:
    """What this municipality's page says up front about caseloads (scrapbook record
    ``caseload_own``): its own trial where it has one, its units, else the national
    estimate; all in display units, with the simulated flag."""
    units = view.units
    return {
        "municipality": view.municipality,
        "has_trial": bool(view.has_trial),
        "n_units": len(units),
        "caseload_mean": float(units["caseload_mean"].mean()) if len(units) else None,
        "outcome": view.outcome,
        "trial": trial_effect(view),
        "national": {k: view.headline.get(k) for k in ("estimate", "ci_low", "ci_high")},
        "simulated": bool(view.simulated),
        # the index's "trial" column: a trial that exists only in the simulated panel is
        # shown as simulated (text in the page's language), a real one as yes/no
        "trial_index": (
            t("quant.index.trial_simulated", view.language)
            if view.has_trial and view.simulated
            else bool(view.has_trial)
        ),
        # issue 21: the design-based estimates lead, the association comes second
        "lead": "trial" if view.own_design is not None else view.headline.get("lead"),
        "trial_design": view.own_design,
        "national_design": view.headline.get("design"),
    }


def national_summary_text(view: View) -> str:
    """The national analysis in a few sentences, for each municipality's page (the full
    analysis is in the national report, ``national.html``): the trials' estimate first
    where there are trials, then the association across all units, the plain comparison
    without fixed effects and the link."""
    lang, h = view.language, view.headline
    if h["estimate"] is None and h.get("design") is None:
        return t("quant.text.national_none", lang)
    parts = list(texts.lead_paragraphs(h, lang))
    pooled = per_ten_fewer(view.estimates)
    pooled = pooled[
        (pooled["spec"] == S.POOLED)
        & (pooled["scope"] == S.NATIONAL)
        & (pooled["outcome"] == h["outcome"])
    ]
    if not pooled.empty:
        parts.append(
            t(
                "quant.text.national_pooled",
                lang,
                pooled=number(pooled.iloc[0]["effect"], lang, 2),
                unit=unit_label(h["outcome"], lang),
            )
        )
    return " ".join(parts) + " " + t("quant.text.national_link", lang)


# --- tables ---------------------------------------------------------------------------------


def slopes(view: View) -> Table:
    frame = effects_table(view.estimates, (S.POOLED, S.TWFE_LOG, S.TWFE_LEVEL), view.language)
    return _table(frame, "quant-slopes", view.language)


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
    return _table(shown, "quant-moves", lang)


def truth_check(view: View) -> Table:
    """Estimates next to the planted truth (empty unless the panel is simulated and its
    truth file matches)."""
    if view.truth is None:
        return Table(pd.DataFrame(), "quant-truth")
    frame = truth_table(view.estimates, view.skipped, view.truth)
    return _table(_truth_display(frame, view.language), "quant-truth", view.language)


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
        return _table(_truth_display(truth, language), "quant-value-goals", language)
    frame = effects_table(estimates, (S.TWFE_LOG,), language)
    return _table(frame, "quant-value-goals", language)


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
    return _table(frame[keep], "quant-trial-summary", lang)


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
    return _table(frame, "quant-trial-did", view.language)


def trial_pretrend(view: View) -> Table:
    frame = pretrend_table(view.estimates, S.EVENT, str(view.municipality), view.language)
    return _table(frame, "quant-trial-pretrend", view.language)


def staggered(view: View) -> Table:
    frame = term_table(
        view.estimates, (S.STAGGERED,), view.language, terms=[S.TERM_ATT], inference=True
    )
    return _table(frame, "quant-staggered", view.language)


def staggered_pretrend(view: View) -> Table:
    frame = pretrend_table(view.estimates, S.STAGGERED_EVENT, S.NATIONAL, view.language)
    return _table(frame, "quant-staggered-pretrend", view.language)


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
    return _table(frame, "quant-units", lang)


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
    return _table(frame, "quant-mde-outcomes", language)


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
    return _table(frame, "quant-mde-grid", language)


def skipped(view: View) -> Table:
    frame = skipped_table(view.skipped, view.language, _scopes(view))
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


def literature_text(view: View) -> str:
    """What the published effects are next to the project's own estimates, and why
    they are not converted."""
    origin = "quant.text.literature_simulated" if view.simulated else "quant.text.literature_real"
    return t("quant.text.literature", view.language, simulated=t(origin, view.language))


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
