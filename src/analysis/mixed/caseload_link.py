"""Quantitized themes against the caseload of the sources' unit and period.

Where sources carry a municipality, a department (``forsoeg`` = the trial unit(s),
``ordinaer`` = the other units) and a period (``foer`` = before the municipality's first
trial start, ``under`` = from it on), each group of sources is placed at the mean
caseload of the panel's units in that group and period (mean over unit-months). In a
municipality without a trial every unit is ``ordinaer`` and the period is the whole
panel (sources without a period are placed there).

This is a descriptive juxtaposition, not an estimate. In the demo it links sources by
their *position in the trial*, not by calendar month: the interviews are from 2017-2019,
the simulated trial starts in 2024-01.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.mixed.evidence import QualEvidence, prevalence, segments_where, sub_corpus
from analysis.paths import ProjectPaths, get_paths

GROUP_COLUMNS = (
    "department",
    "period",
    "n_units",
    "n_unit_months",
    "caseload_mean",
    "first_month",
    "last_month",
)
LINK_COLUMNS = (
    "department",
    "period",
    "caseload_mean",
    "n_units",
    "theme",
    "n_sources",
    "n_sources_group",
    "prevalence",
)
_DEPARTMENT_ORDER = {"forsoeg": 0, "ordinaer": 1}
_PERIOD_ORDER = {"foer": 0, "under": 1}


def read_panel(
    panel_path: Path | str | None = None, paths: ProjectPaths | None = None
) -> pd.DataFrame:
    """The caseload panel: the processed table (``None``) or a file in the contract's
    schema."""
    if panel_path is None:
        from analysis.data.store import read_table

        return read_table("caseloads", paths or get_paths())
    from analysis.data.caseloads import read_caseload_panel

    return read_caseload_panel(panel_path)


def panel_files(
    panel_path: Path | str | None, panel: pd.DataFrame, paths: ProjectPaths | None = None
) -> tuple[list[Path], list[Path]]:
    """(files, simulated files) behind the panel, for ``nb.record_inputs``: the given file,
    or the raw files the processed table was built from, as the processed store's manifest
    records them (a table out of date with its files is refused there)."""
    paths = paths or get_paths()
    if panel_path is not None:
        files = [Path(panel_path)]
        origin = panel.get("data_origin")
        flagged = origin is not None and origin.astype("str").str.lower().eq("simulated").any()
        return files, (list(files) if flagged else [])
    from analysis.data.store import built_from

    names = set(panel["source_file"].astype(str)) if "source_file" in panel.columns else set()
    files = sorted(p for p in built_from("caseloads", paths) if p.name in names)
    simulated = set()
    if "data_origin" in panel.columns and "source_file" in panel.columns:
        origin = panel["data_origin"].astype("str").str.strip().str.lower()
        simulated = set(panel.loc[origin == "simulated", "source_file"].astype(str))
    return files, [p for p in files if p.name in simulated]


def group_caseloads(panel: pd.DataFrame, municipality: int) -> pd.DataFrame:
    """Mean caseload per department (trial/ordinary units) and period (before/from the
    municipality's first trial start; missing when it has no trial)."""
    own = panel[panel["municipality_code"] == int(municipality)].copy()
    if own.empty:
        return pd.DataFrame(columns=list(GROUP_COLUMNS))
    treated = own["treated"].fillna(0).astype(int) if "treated" in own else 0
    own["department"] = pd.Series(treated, index=own.index).map({1: "forsoeg", 0: "ordinaer"})
    months = own["period"].astype("period[M]")
    starts = own["trial_start"].dropna() if "trial_start" in own.columns else pd.Series()
    if len(starts):
        start = starts.astype("period[M]").min()
        own["_period"] = ["under" if m >= start else "foer" for m in months]
    else:
        own["_period"] = None
    own["_month"] = months.astype(str)
    grouped = own.groupby(["department", "_period"], dropna=False, sort=False)
    out = grouped.agg(
        n_units=("unit", "nunique"),
        n_unit_months=("caseload", "size"),
        caseload_mean=("caseload", "mean"),
        first_month=("_month", "min"),
        last_month=("_month", "max"),
    ).reset_index()
    out = out.rename(columns={"_period": "period"})
    out["period"] = out["period"].astype("object").where(out["period"].notna(), None)
    return _ordered(out)[list(GROUP_COLUMNS)]


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    key = frame["department"].map(_DEPARTMENT_ORDER).fillna(9) * 10 + frame["period"].map(
        _PERIOD_ORDER
    ).fillna(9)
    return (
        frame.assign(_k=key)
        .sort_values("_k", kind="stable")
        .drop(columns="_k")
        .reset_index(drop=True)
    )


def caseload_link(
    evidence: QualEvidence, themes: Sequence[str], caseloads: pd.DataFrame
) -> pd.DataFrame:
    """Theme prevalence per department × period group of sources, with the group's mean
    caseload from the panel (missing where the panel has no such group). One row per
    group and theme; groups come from both the sources and the panel."""
    segments = evidence.corpus.segments_with_attributes()
    groups = {
        (_key(d), _key(p))
        for d, p in zip(segments["department"], segments["period"], strict=True)
        if _key(d) is not None
    }
    panel_groups = {
        (_key(row.department), _key(row.period)): row for row in caseloads.itertuples(index=False)
    }
    groups |= set(panel_groups)
    without_period = set(segments.loc[segments["period"].isna(), "segment_id"])
    frames = []
    for department, period in groups:
        conditions = [("department", (department,))]
        if period is not None:
            conditions.append(("period", (period,)))
        ids = segments_where(evidence.corpus, conditions)
        if period is None:
            ids = ids[ids.isin(without_period)]
        table = prevalence(sub_corpus(evidence.corpus, ids), evidence.coded, themes, "", "")
        hit = panel_groups.get((department, period))
        frames.append(
            table.assign(
                department=department,
                period=period,
                caseload_mean=float(hit.caseload_mean) if hit is not None else float("nan"),
                n_units=int(hit.n_units) if hit is not None else 0,
            )
        )
    if not frames:
        return pd.DataFrame(columns=list(LINK_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    out["period"] = out["period"].astype("object").where(out["period"].notna(), None)
    theme_order = {t: i for i, t in enumerate(themes)}
    out = out.assign(
        _d=out["department"].map(_DEPARTMENT_ORDER).fillna(9),
        _p=out["period"].map(_PERIOD_ORDER).fillna(9),
        _t=out["theme"].map(theme_order),
    ).sort_values(["_d", "_p", "_t"], kind="stable")
    return out[list(LINK_COLUMNS)].reset_index(drop=True)


def _key(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)
