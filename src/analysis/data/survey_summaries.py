"""Survey results: summaries by unit, month and trial arm, and the value-goal outcomes
that join the caseload panel.

Everything here starts from the survey table of :mod:`analysis.data.surveys` (one row
per survey, unit, month and item: respondents, answers, mean score and share agreeing,
negatively worded items already reversed).

**Small counts.** No aggregate of fewer than :data:`analysis.paths.SMALL_COUNT_THRESHOLD`
(5) respondents is shown or analysed: in a summary its mean and share are left empty and
:func:`summary_display` shows its count as ``<5``
(:func:`analysis.privacy.suppress_small_counts`); an outcome of a unit-month with fewer
than 5 respondents (or an item with fewer than 5 answers) is missing, so it neither
appears in the panel nor enters a regression.

**The value-goal outcome** of a unit-month (:func:`goal_outcomes`) is the share agreeing
averaged over the goal's items (each item with at least 5 answers). It joins the caseload
panel as one column per goal (:func:`join_survey_outcomes`, named as in
:data:`analysis.data.outcomes.SURVEY_OUTCOMES`), refusing to pool simulated and real data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.data.caseloads import is_simulated
from analysis.data.outcomes import SURVEY_OUTCOMES
from analysis.data.survey_items import SurveyItems
from analysis.data.surveys import KEY_COLUMNS, is_simulated_table
from analysis.errors import AnalysisError, InputError, InputProblem
from analysis.paths import SMALL_COUNT_THRESHOLD

#: what a summary may be grouped by (besides the survey and the item or goal)
GROUPINGS = ("municipality_code", "unit", "period", "arm")
#: the trial arm of a unit-month, from the caseload panel's treated and trial_start
ARMS = ("trial", "before_trial", "ordinary", "not_in_panel")
LEVELS = ("item", "goal")


def goal_outcomes(table: pd.DataFrame, threshold: int = SMALL_COUNT_THRESHOLD) -> pd.DataFrame:
    """One row per unit-month with the share agreeing of each value goal surveyed
    (columns named by the goal). A goal is missing in a unit-month with fewer than
    ``threshold`` respondents, or where none of its items has ``threshold`` answers."""
    usable = table[(table["respondents"] >= threshold) & (table["answers"] >= threshold)]
    shares = usable.groupby([*KEY_COLUMNS, "goal"], sort=True)["share_agree"].mean()
    wide = shares.unstack("goal")
    goals = [g for g in SURVEY_OUTCOMES if g in wide.columns]
    wide = wide.reindex(columns=goals).astype("float64")
    wide.columns.name = None
    return wide.reset_index()


def join_survey_outcomes(
    panel: pd.DataFrame,
    table: pd.DataFrame,
    *,
    panel_name: str = "the caseload panel",
    survey_name: str = "the survey table",
    threshold: int = SMALL_COUNT_THRESHOLD,
) -> pd.DataFrame:
    """The caseload panel with one outcome column per value goal surveyed.

    Refused with an :class:`InputError`: simulated and real data (the panel's and the
    surveys' ``data_origin`` differ; they would be pooled in one regression), a goal column
    the panel already has, and a surveyed unit the panel does not have (a misspelt unit
    would otherwise drop its answers silently). Survey months outside the panel's months
    have no caseload, so they stay out of the panel (the summaries still show them).
    """
    if table.empty:
        return panel
    files = _files(table, survey_name)
    panel_files = _files(panel, panel_name)
    if is_simulated(panel) != is_simulated_table(table):
        simulated, real = (
            (files, panel_files) if is_simulated_table(table) else (panel_files, files)
        )
        raise InputError.single(
            f"{survey_name}, {panel_name}",
            f"the surveys ({files}) and the caseload panel ({panel_files}) are not both "
            f"simulated or both real, and they would be pooled in one regression: the "
            f"simulated data ({simulated}) are a demo. Move the simulated files out of their "
            f"folder (data/raw/surveys or data/raw/caseloads) to analyse {real}, and run "
            "'python -m analysis prepare'",
            column="data_origin",
            expected="surveys and caseload panel both simulated or both real",
        )
    outcomes = goal_outcomes(table, threshold)
    goals = [c for c in outcomes.columns if c not in KEY_COLUMNS]
    clash = [g for g in goals if g in panel.columns]
    if clash:
        raise InputError.single(
            f"{survey_name}, {panel_name}",
            f"both the caseload panel and the surveys give {', '.join(clash)}",
            column=", ".join(clash),
            expected="each value-goal outcome from one source",
        )
    units = (
        table[["municipality_code", "unit", "source_file"]]
        if "source_file" in table
        else (table[["municipality_code", "unit"]].assign(source_file=survey_name))
    )
    known = set(zip(panel["municipality_code"].astype(int), panel["unit"].astype(str), strict=True))
    surveyed = units.drop_duplicates(["municipality_code", "unit"])
    absent = [
        InputProblem(
            str(row.source_file),
            f"unit {row.unit!r} of municipality {row.municipality_code} has answers but no "
            f"rows in {panel_name} ({panel_files}), so its answers have no caseload",
            column="unit",
            expected="the unit names of the caseload panel",
            found=row.unit,
        )
        for row in surveyed.itertuples(index=False)
        if (int(row.municipality_code), str(row.unit)) not in known
    ]
    if absent:
        raise InputError(absent, summary="surveyed units missing from the caseload panel")
    key = panel[list(KEY_COLUMNS)].assign(
        municipality_code=panel["municipality_code"].astype("int64"),
        unit=panel["unit"].astype(str),
        period=panel["period"].astype("period[M]"),
    )
    joined = key.merge(outcomes, on=list(KEY_COLUMNS), how="left", validate="1:1")
    out = panel.copy()
    for goal in goals:
        values = joined[goal].to_numpy(dtype="float64")
        if np.isfinite(values).any():
            out[goal] = values
    return out


def _files(frame: pd.DataFrame, default: str) -> str:
    if "source_file" not in frame.columns:
        return default
    return ", ".join(sorted(frame["source_file"].astype(str).unique()))


def survey_arm(table: pd.DataFrame, panel: pd.DataFrame) -> pd.Series:
    """The trial arm of each row's unit-month: ``trial`` (a treated unit from its trial
    start on), ``before_trial`` (a treated unit before it), ``ordinary`` (a unit without
    a trial) or ``not_in_panel``."""
    units = panel.assign(
        municipality_code=panel["municipality_code"].astype("int64"),
        unit=panel["unit"].astype(str),
    )
    treated = units["treated"] if "treated" in units else pd.Series(0, index=units.index)
    start = units["trial_start"] if "trial_start" in units else pd.Series(pd.NaT, units.index)
    per_unit = (
        pd.DataFrame(
            {
                "municipality_code": units["municipality_code"],
                "unit": units["unit"],
                "_treated": treated.fillna(0).astype(int).eq(1),
                "_start": pd.Series(start, index=units.index).astype("period[M]"),
            }
        )
        .groupby(["municipality_code", "unit"], sort=False)
        .agg(_treated=("_treated", "any"), _start=("_start", "min"))
        .reset_index()
    )
    rows = table[["municipality_code", "unit", "period"]].merge(
        per_unit, on=["municipality_code", "unit"], how="left"
    )
    period = rows["period"].astype("period[M]")
    arm = np.where(
        rows["_treated"].isna(),
        "not_in_panel",
        np.where(
            rows["_treated"].fillna(False).astype(bool),
            np.where(rows["_start"].notna() & (period >= rows["_start"]), "trial", "before_trial"),
            "ordinary",
        ),
    )
    return pd.Series(arm, index=table.index, name="arm")


def summarise_surveys(
    table: pd.DataFrame,
    by: Sequence[str] = ("unit", "period"),
    *,
    level: str = "goal",
    panel: pd.DataFrame | None = None,
    threshold: int = SMALL_COUNT_THRESHOLD,
) -> pd.DataFrame:
    """Share agreeing (answers above the middle of the scale) and mean score per item or
    value goal, with respondent counts, by any of ``municipality_code``, ``unit`` (within
    its municipality), ``period`` and ``arm`` (trial/ordinary, from ``panel``, the caseload
    panel).

    Columns: ``survey``, the groupings, ``goal`` (and ``item`` at item level),
    ``respondents`` (answers summed over the unit-months of the group: a person who
    answered in two months counts twice), ``answers`` and ``dont_know`` (item level:
    answers on the scale, and "don't know / not relevant" answers, missing where a file
    does not say), ``items`` (goal level: items averaged), ``share_agree``, ``mean_score``
    (missing where the group pools files on different answer scales) and ``suppressed``.
    Items pool their answers over the group; a goal is the mean of its items. A group of
    fewer than ``threshold`` respondents (an item: answers) is ``suppressed``: its share and
    mean are left empty, never shown.
    """
    groupings = list(dict.fromkeys(by))
    unknown = [g for g in groupings if g not in GROUPINGS]
    if unknown or level not in LEVELS:
        raise ValueError(
            f"summaries group by {', '.join(GROUPINGS)} at level {' or '.join(LEVELS)}; "
            f"got by={list(by)}, level={level!r}"
        )
    frame = table.copy()
    if "arm" in groupings:
        if panel is None:
            raise AnalysisError("a summary by trial arm needs the caseload panel (panel=...)")
        frame["arm"] = survey_arm(frame, panel)
    if "unit" in groupings and "municipality_code" not in groupings:
        groupings.insert(groupings.index("unit"), "municipality_code")
    groups = ["survey", *groupings]
    months = frame.drop_duplicates(["survey", *KEY_COLUMNS])
    persons = months.groupby(groups, sort=True)["respondents"].sum().rename("respondents")
    frame["_agree"] = frame["share_agree"].fillna(0) * frame["answers"]
    frame["_score"] = frame["mean_score"].fillna(0) * frame["answers"]
    frame["_scale"] = _scale_key(frame)
    if "dont_know" not in frame.columns:
        frame["dont_know"] = np.nan
    items = (
        frame.groupby([*groups, "goal", "item"], sort=True)
        .agg(
            answers=("answers", "sum"),
            dont_know=("dont_know", lambda v: v.sum(min_count=1)),
            _agree=("_agree", "sum"),
            _score=("_score", "sum"),
            _scales=("_scale", "nunique"),
        )
        .reset_index()
    )
    answered = items["answers"].where(items["answers"] > 0)
    items["share_agree"] = items["_agree"] / answered
    # means on different answer scales (1–4 and 1–5 files) are not pooled
    items["mean_score"] = (items["_score"] / answered).where(items["_scales"] <= 1)
    mixed = _mixed_scales(frame, [*groups, "goal"])
    items = items.drop(columns=["_agree", "_score", "_scales"]).merge(
        persons.reset_index(), on=groups
    )
    small = (items["answers"] < threshold) | (items["respondents"] < threshold)
    items.loc[small, ["share_agree", "mean_score"]] = np.nan
    items["suppressed"] = small
    if level == "item":
        order = [
            *groups,
            "goal",
            "item",
            "respondents",
            "answers",
            "dont_know",
            "share_agree",
            "mean_score",
            "suppressed",
        ]
        return _goal_order(items[order])
    used = items[~items["suppressed"]]
    goals = (
        used.groupby([*groups, "goal"], sort=True)
        .agg(
            items=("item", "size"),
            share_agree=("share_agree", "mean"),
            mean_score=("mean_score", "mean"),
        )
        .reset_index()
    )
    every = items[[*groups, "goal", "respondents"]].drop_duplicates([*groups, "goal"])
    out = every.merge(goals, on=[*groups, "goal"], how="left")
    out["items"] = out["items"].fillna(0).astype("int64")
    out["suppressed"] = out["items"].eq(0) | out["respondents"].lt(threshold)
    out.loc[out["suppressed"], ["share_agree", "mean_score"]] = np.nan
    out = out.merge(mixed, on=[*groups, "goal"], how="left")
    out.loc[out["_mixed"].fillna(False).astype(bool), "mean_score"] = np.nan
    order = [*groups, "goal", "respondents", "items", "share_agree", "mean_score", "suppressed"]
    return _goal_order(out[order])


def _scale_key(frame: pd.DataFrame) -> pd.Series:
    """The answer scale of each row as one value (1–5 where the table does not say)."""
    low = frame["scale_min"] if "scale_min" in frame.columns else pd.Series(1, frame.index)
    high = frame["scale_max"] if "scale_max" in frame.columns else pd.Series(5, frame.index)
    return low.fillna(1).astype("int64") * 100 + high.fillna(5).astype("int64")


def _mixed_scales(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group, whether its rows are on more than one answer scale."""
    counts = frame.groupby(keys, sort=False)["_scale"].nunique().rename("_mixed") > 1
    return counts.reset_index()


def _goal_order(frame: pd.DataFrame) -> pd.DataFrame:
    rank = {g: i for i, g in enumerate(SURVEY_OUTCOMES)}
    keys = [
        c
        for c in frame.columns
        if c
        not in (
            "respondents",
            "answers",
            "dont_know",
            "items",
            "share_agree",
            "mean_score",
            "suppressed",
        )
    ]
    ordered = frame.assign(_g=frame["goal"].map(rank).fillna(len(rank)))
    sort = [k if k != "goal" else "_g" for k in keys]
    return ordered.sort_values(sort, kind="stable").drop(columns="_g").reset_index(drop=True)


def summary_display(
    summary: pd.DataFrame,
    items: SurveyItems,
    language: str,
    threshold: int = SMALL_COUNT_THRESHOLD,
) -> pd.DataFrame:
    """A summary of :func:`summarise_surveys` with labelled columns in ``language``:
    survey, municipality name, unit, month, trial arm, goal label, item text, counts of
    1–4 as ``<5`` (:func:`analysis.privacy.suppress_small_counts`), share and mean (empty
    where suppressed). Numbers stay numbers for ``nb.table`` to format."""
    from analysis.data.reference import municipality_name
    from analysis.labels import t
    from analysis.privacy import suppress_small_counts

    counts = [c for c in ("respondents", "answers", "dont_know") if c in summary.columns]
    shown = suppress_small_counts(summary, counts, threshold=threshold)
    out = pd.DataFrame(index=summary.index)
    out[t("data.survey.col.survey", language)] = summary["survey"].map(
        lambda s: t(f"data.survey.{s}", language)
    )
    if "municipality_code" in summary.columns:
        names = {c: municipality_name(c) for c in summary["municipality_code"].unique()}
        out[t("common.municipality", language)] = summary["municipality_code"].map(names)
    if "unit" in summary.columns:
        out[t("data.survey.col.unit", language)] = summary["unit"].astype(str)
    if "period" in summary.columns:
        out[t("common.period", language)] = summary["period"].astype(str)
    if "arm" in summary.columns:
        out[t("data.survey.col.arm", language)] = summary["arm"].map(
            lambda a: t(f"data.survey.arm.{a}", language)
        )
    specs = SURVEY_OUTCOMES
    out[t("data.survey.col.goal", language)] = summary["goal"].map(
        lambda g: (
            (specs[g].label_da if language == "da" else specs[g].label_en) if g in specs else g
        )
    )
    if "item" in summary.columns:
        out[t("data.survey.col.item", language)] = summary["item"].map(
            lambda i: items.items[i].text(language) if i in items.items else i
        )
    for column in counts:
        out[t(f"data.survey.col.{column}", language)] = shown[column]
    if "items" in summary.columns:
        out[t("data.survey.col.items", language)] = summary["items"]
    out[t("data.survey.col.share_agree", language)] = summary["share_agree"]
    out[t("data.survey.col.mean_score", language)] = summary["mean_score"]
    return out.reset_index(drop=True)


# --- response and dropped cells ----------------------------------------------------------------

#: the columns of :func:`response_table`
RESPONSE_COLUMNS = (
    "survey",
    "municipality_code",
    "unit",
    "period",
    "invited",
    "respondents",
    "response_rate",
    "dropped",
    "caseload",
)


def response_table(
    table: pd.DataFrame,
    panel: pd.DataFrame | None = None,
    threshold: int = SMALL_COUNT_THRESHOLD,
) -> pd.DataFrame:
    """One row per survey and unit-month surveyed: persons invited (missing where the file
    has no ``invited`` column), respondents, the response rate, whether the unit-month is
    ``dropped`` (fewer than ``threshold`` respondents: no outcome value, never shown) and,
    with the caseload ``panel``, its caseload.

    A unit-month is surveyed when its unit appears in the survey at least once and the
    month is one of the survey's months: a respondent file has no row for a unit-month in
    which nobody answered, so such a unit-month counts with 0 respondents (and unknown
    invited) instead of disappearing from the count."""
    if table.empty:
        return pd.DataFrame(columns=list(RESPONSE_COLUMNS))
    months = table.drop_duplicates(["survey", *KEY_COLUMNS])
    invited = months["invited"] if "invited" in months else pd.Series(np.nan, months.index)
    seen = months.assign(invited=invited)[["survey", *KEY_COLUMNS, "respondents", "invited"]]
    frames = []
    for survey, rows in seen.groupby("survey", sort=True):
        units = rows[["municipality_code", "unit"]].drop_duplicates()
        periods = pd.DataFrame({"period": sorted(rows["period"].unique())})
        grid = units.merge(periods, how="cross").assign(survey=survey)
        frames.append(grid.merge(rows, on=["survey", *KEY_COLUMNS], how="left"))
    out = pd.concat(frames, ignore_index=True)
    out["respondents"] = out["respondents"].fillna(0).astype("int64")
    out["invited"] = pd.to_numeric(out["invited"], errors="coerce").astype("float64")
    out["response_rate"] = (out["respondents"] / out["invited"].where(out["invited"] > 0)).astype(
        "float64"
    )
    out["dropped"] = out["respondents"] < threshold
    out["caseload"] = np.nan
    if panel is not None and not panel.empty:
        key = panel[["municipality_code", "unit", "period", "caseload"]].assign(
            municipality_code=panel["municipality_code"].astype("int64"),
            unit=panel["unit"].astype(str),
            period=panel["period"].astype("period[M]"),
        )
        key = key.drop_duplicates(list(KEY_COLUMNS))
        joined = out.drop(columns="caseload").merge(key, on=list(KEY_COLUMNS), how="left")
        out = joined
    out = out[list(RESPONSE_COLUMNS)]
    return out.sort_values(["survey", *KEY_COLUMNS], kind="stable").reset_index(drop=True)


def response_summary(response: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Response by ``by`` (any of survey, municipality_code, unit, period, caseload_band):
    unit-months surveyed, dropped ones, persons invited and answering (summed over the
    unit-months with an invited count) and the pooled response rate."""
    frame = response.copy()
    known = frame["invited"].notna()
    frame["_invited"] = frame["invited"].where(known, 0.0)
    frame["_answered"] = frame["respondents"].where(known, 0)
    out = (
        frame.groupby(list(by), sort=True, observed=True)
        .agg(
            unit_months=("respondents", "size"),
            dropped=("dropped", "sum"),
            invited=("_invited", "sum"),
            respondents=("_answered", "sum"),
            caseload=("caseload", "mean"),
        )
        .reset_index()
    )
    out["response_rate"] = out["respondents"] / out["invited"].where(out["invited"] > 0)
    out["dropped"] = out["dropped"].astype("int64")
    return out


def bound_outcomes(table: pd.DataFrame, threshold: int = SMALL_COUNT_THRESHOLD) -> pd.DataFrame:
    """The value-goal outcomes of every unit-month with an invited count, as answered and
    under the two extreme assumptions about the persons who did not answer (invited
    minus answers, item by item): all of them would have disagreed (``<goal>_low``:
    agreeing answers / invited) or all agreed (``<goal>_high``). Columns as
    :func:`goal_outcomes` plus the two bound columns per goal; unit-months below
    ``threshold`` respondents are left out as there."""
    if "invited" not in table.columns:
        return pd.DataFrame(columns=list(KEY_COLUMNS))
    usable = table[
        (table["respondents"] >= threshold)
        & (table["answers"] >= threshold)
        & table["invited"].notna()
        & (table["invited"] > 0)
    ].copy()
    if usable.empty:
        return pd.DataFrame(columns=list(KEY_COLUMNS))
    agreeing = usable["share_agree"] * usable["answers"]
    missing = (usable["invited"] - usable["answers"]).clip(lower=0)
    usable["_low"] = agreeing / usable["invited"]
    usable["_high"] = (agreeing + missing) / usable["invited"]
    groups = usable.groupby([*KEY_COLUMNS, "goal"], sort=True)
    parts = {
        "": groups["share_agree"].mean(),
        "_low": groups["_low"].mean(),
        "_high": groups["_high"].mean(),
    }
    wide = pd.concat({suffix: values.unstack("goal") for suffix, values in parts.items()}, axis=1)
    wide.columns = [f"{goal}{suffix}" for suffix, goal in wide.columns]
    goals = [g for g in SURVEY_OUTCOMES if g in set(usable["goal"])]
    order = [f"{g}{suffix}" for g in goals for suffix in ("", "_low", "_high")]
    return wide.reindex(columns=order).astype("float64").reset_index()
