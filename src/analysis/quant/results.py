"""The tidy estimates table, multiple-testing adjustments and readable report tables.

One row per outcome × specification × term × scope. The first columns are fixed
(:data:`TIDY_COLUMNS`); after them come

- ``p_wild``: wild cluster bootstrap p-value (Webb weights, seeded) when there are
  fewer than 30 clusters, else missing;
- ``p_holm``, ``p_bh``: p-values adjusted across outcomes within the same scope,
  specification and term (Holm; Benjamini–Hochberg);
- ``scope``: ``"national"`` or the municipality code as text; ``cluster_var``;
- ``event_time``: the event-time bin of event-study rows (months / bin width);
- ``caseload_mean``: mean caseload of the estimation sample (used to express a
  log-caseload slope as the effect of 10 fewer cases);
- ``note``: what to keep in mind when reading the row; ``simulated``: the panel is
  simulated;
- ``inference``: the method behind the row's interval and p-value (:data:`INFERENCE`):
  ``crv1`` (cluster-robust), ``unit-level`` (units as independent observations, the
  control units' spread), ``placebo`` (the trial reassigned to control units: a p-value,
  no interval), ``none`` (a point estimate only);
- ``n_treated``: treated clusters of a trial design (units in one municipality,
  municipalities nationally); with fewer than 5 no cluster-robust or wild-bootstrap
  inference is given (:data:`analysis.quant.specs.SpecConfig.min_treated_clusters`);
- ``p_min``: the smallest p-value a placebo p-value could have reached (1 / (placebos + 1)).

The row ``pretrend_joint`` of an event study holds the joint test that all leads are
zero: ``estimate`` is the F statistic, ``p_value`` its p-value, the interval is empty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.caseloads import STANDARD_OUTCOMES
from analysis.labels import t
from analysis.quant import specs as S

TIDY_COLUMNS = (
    "outcome",
    "spec",
    "term",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "n_obs",
    "n_clusters",
)
EXTRA_COLUMNS = (
    "p_wild",
    "p_holm",
    "p_bh",
    "scope",
    "cluster_var",
    "event_time",
    "caseload_mean",
    "note",
    "simulated",
    "inference",
    "n_treated",
    "p_min",
)
#: the methods an interval or p-value may rest on (column ``inference``)
INFERENCE = ("crv1", "wild", "unit-level", "placebo", "none")
ESTIMATE_COLUMNS = TIDY_COLUMNS + EXTRA_COLUMNS
_FLOAT = ("estimate", "std_error", "ci_low", "ci_high", "p_value", "p_wild", "p_holm", "p_bh",
          "p_min")  # fmt: skip
_TEXT = ("outcome", "spec", "term", "scope", "cluster_var", "note", "inference")

#: the spec and term carrying the headline caseload effect per outcome
HEADLINE_SPEC = S.TWFE_LOG
HEADLINE_TERM = S.TERM_LOG
HEADLINE_OUTCOME = "exit_job_education"


@dataclass(frozen=True)
class ModelRun:
    """Estimates and skipped models of one run (both tidy tables)."""

    estimates: pd.DataFrame
    skipped: pd.DataFrame

    @staticmethod
    def combine(runs: Iterable[ModelRun]) -> ModelRun:
        from analysis.quant.checks import skipped_frame  # checks imports results

        runs = list(runs)
        est = [r.estimates for r in runs if not r.estimates.empty]
        skip = [r.skipped for r in runs if not r.skipped.empty]
        return ModelRun(
            normalise(pd.concat(est, ignore_index=True)) if est else empty_estimates(),
            pd.concat(skip, ignore_index=True) if skip else skipped_frame([]),
        )


def empty_estimates() -> pd.DataFrame:
    return normalise(pd.DataFrame(columns=list(ESTIMATE_COLUMNS)))


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns in the fixed order with stable dtypes (extra columns are dropped)."""
    out = frame.copy()
    for column in ESTIMATE_COLUMNS:
        if column not in out.columns:
            out[column] = None if column in _TEXT else False if column == "simulated" else np.nan
    out = out[list(ESTIMATE_COLUMNS)]
    # n_treated is a float (NaN where a design has no treated units): the personal-data
    # gate compares cells as objects, and pandas' NA cannot be compared
    for column in (*_FLOAT, "event_time", "caseload_mean", "n_treated"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    for column in ("n_obs", "n_clusters"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    for column in _TEXT:
        out[column] = out[column].astype("object").where(out[column].notna(), None)
    flag = out["simulated"].astype("object")
    out["simulated"] = flag.where(flag.notna(), False).astype(bool)
    return out.reset_index(drop=True)


# --- multiple testing ---------------------------------------------------------------------


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment (controls the family-wise error rate)."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = (m - np.arange(m)) * p[order]
    adjusted = np.minimum(1.0, np.maximum.accumulate(scaled))
    out = np.empty(m)
    out[order] = adjusted
    return out


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg step-up adjustment (controls the false discovery rate)."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = m / np.arange(1, m + 1) * p[order]
    adjusted = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    out = np.empty(m)
    out[order] = adjusted
    return out


def adjust_pvalues(estimates: pd.DataFrame) -> pd.DataFrame:
    """Fill ``p_holm`` and ``p_bh`` across outcomes within scope × spec × term.

    Rows without a p-value (reference bins) stay missing and do not count in m.
    """
    out = estimates.copy()
    out["p_holm"] = np.nan
    out["p_bh"] = np.nan
    for _, group in out.groupby(["scope", "spec", "term"], dropna=False, sort=False):
        valid = group.index[group["p_value"].notna()]
        if len(valid) == 0:
            continue
        p = out.loc[valid, "p_value"].to_numpy(dtype=float)
        out.loc[valid, "p_holm"] = holm(p)
        out.loc[valid, "p_bh"] = benjamini_hochberg(p)
    return out


# --- readable effects -------------------------------------------------------------------


def outcome_label(outcome: str, language: str) -> str:
    spec = STANDARD_OUTCOMES.get(outcome)
    if spec is None:
        return outcome
    return spec.label_da if language == "da" else spec.label_en


def is_share(outcome: str) -> bool:
    spec = STANDARD_OUTCOMES.get(outcome)
    return bool(spec and spec.is_share)


def display_scale(outcome: str) -> float:
    """Shares are shown in percentage points, other outcomes in their own unit."""
    return 100.0 if is_share(outcome) else 1.0


def unit_label(outcome: str, language: str) -> str:
    spec = STANDARD_OUTCOMES.get(outcome)
    if spec is None:
        return ""
    if spec.is_share:
        return t("quant.unit.pp", language)
    return spec.unit_da if language == "da" else spec.unit_en


def ten_fewer_factor(term: str, caseload_mean: float) -> float:
    """Multiplier turning a slope into the effect of 10 fewer cases per caseworker.

    Level slope: −10. Log slope: log((C̄ − 10) / C̄) at the sample mean caseload C̄
    (the effect of 10 fewer cases depends on where one starts).
    """
    if term == S.TERM_LEVEL:
        return -10.0
    if term == S.TERM_LOG:
        if not caseload_mean or caseload_mean <= 10 or math.isnan(caseload_mean):
            return math.nan
        return math.log((caseload_mean - 10.0) / caseload_mean)
    raise ValueError(f"no per-case scale for term {term!r}")


_PER_TEN_COLUMNS = ["outcome", "spec", "term", "scope", "effect", "ci_low", "ci_high", "p_value",
                    "p_holm", "p_wild", "caseload_mean", "n_obs", "n_clusters"]  # fmt: skip


def per_ten_fewer(estimates: pd.DataFrame) -> pd.DataFrame:
    """Caseload slopes as the effect of 10 fewer cases, in display units (pp for shares).

    Returns outcome, spec, term, scope, effect, ci_low, ci_high, p_value, p_holm, p_wild,
    caseload_mean, n_obs, n_clusters.
    """
    rows = estimates[estimates["term"].isin([S.TERM_LOG, S.TERM_LEVEL])]
    records = []
    for row in rows.itertuples(index=False):
        factor = ten_fewer_factor(row.term, row.caseload_mean) * display_scale(row.outcome)
        low, high = sorted([row.ci_low * factor, row.ci_high * factor])
        records.append(
            {
                "outcome": row.outcome,
                "spec": row.spec,
                "term": row.term,
                "scope": row.scope,
                "effect": row.estimate * factor,
                "ci_low": low,
                "ci_high": high,
                "p_value": row.p_value,
                "p_holm": row.p_holm,
                "p_wild": row.p_wild,
                "caseload_mean": row.caseload_mean,
                "n_obs": row.n_obs,
                "n_clusters": row.n_clusters,
            }
        )
    return pd.DataFrame(records, columns=_PER_TEN_COLUMNS)


def moves(estimates: pd.DataFrame, scope: str = S.NATIONAL) -> pd.DataFrame:
    """Effects of the realistic caseload moves (:data:`analysis.quant.specs.MOVES`) in
    display units, by the log specification (slope × log(to / from), interval scaled
    alike) and by the spline (its ``move_*`` rows), one row per outcome, move and spec.

    Columns: outcome, spec, start, end, effect, ci_low, ci_high, p_value."""
    rows = []
    log_rows = estimates[
        (estimates["spec"] == S.TWFE_LOG)
        & (estimates["term"] == S.TERM_LOG)
        & (estimates["scope"] == scope)
    ]
    spline = estimates[
        (estimates["spec"] == S.SPLINE)
        & estimates["term"].str.startswith("move_")
        & (estimates["scope"] == scope)
    ]
    for row in log_rows.itertuples(index=False):
        scale = display_scale(row.outcome)
        for start, end in S.MOVES:
            factor = math.log(end / start) * scale
            low, high = sorted([row.ci_low * factor, row.ci_high * factor])
            rows.append({"outcome": row.outcome, "spec": S.TWFE_LOG, "start": start, "end": end,
                         "effect": row.estimate * factor, "ci_low": low, "ci_high": high,
                         "p_value": row.p_value})  # fmt: skip
    for row in spline.itertuples(index=False):
        move = S.parse_move(row.term)
        if move is None:
            continue
        scale = display_scale(row.outcome)
        rows.append({"outcome": row.outcome, "spec": S.SPLINE, "start": move[0], "end": move[1],
                     "effect": row.estimate * scale, "ci_low": row.ci_low * scale,
                     "ci_high": row.ci_high * scale, "p_value": row.p_value})  # fmt: skip
    return pd.DataFrame(
        rows, columns=["outcome", "spec", "start", "end", "effect", "ci_low", "ci_high", "p_value"]
    )


def in_display_units(estimates: pd.DataFrame) -> pd.DataFrame:
    """Estimates and intervals in display units (pp for shares); tests left as they are."""
    out = estimates.copy()
    scale = out["outcome"].map(display_scale).where(out["term"] != S.TERM_PRETREND, 1.0)
    for column in ("estimate", "std_error", "ci_low", "ci_high"):
        out[column] = out[column] * scale
    return out


def _pick(estimates: pd.DataFrame, outcome: str, spec: str, term: str, scope: str):
    rows = estimates[
        (estimates["outcome"] == outcome)
        & (estimates["spec"] == spec)
        & (estimates["term"] == term)
        & (estimates["scope"] == scope)
    ]
    return rows.iloc[0] if not rows.empty else None


#: where the design-based estimate of a scope comes from: (effect spec, effect term,
#: pre-trend spec); nationally the staggered trials, in a municipality its own trial
DESIGNS = {
    S.NATIONAL: (S.STAGGERED, S.TERM_ATT, S.STAGGERED_EVENT),
    "municipality": (S.DID_COLLAPSED, S.TERM_TRIAL, S.EVENT),
}


def design_record(estimates: pd.DataFrame, outcome: str, scope: str = S.NATIONAL) -> dict | None:
    """The design-based estimate of ``outcome`` in ``scope`` with what the page puts
    beside it (display units: pp for shares), or None without a trial estimate.

    Nationally the two-stage DiD of the trials against units without one, in a
    municipality its own trial's unit-level DiD; with each its pre-trend test, the move in
    caseload the trial made (``shift``, log points, the same design with log caseload as
    the outcome) and what the national two-way fixed-effects slope implies for that move
    (slope × shift, interval scaled alike). ``agreement`` is ``"agree"`` when the two
    intervals overlap, ``"disagree"`` when they do not, ``"unknown"`` when the trial
    estimate has no interval (placebo inference with few trial units)."""
    spec, term, event = DESIGNS[S.NATIONAL if scope == S.NATIONAL else "municipality"]
    row = _pick(estimates, outcome, spec, term, scope)
    if row is None or _num(row["estimate"]) is None:
        return None
    scale = display_scale(outcome)
    pre = _pick(estimates, outcome, event, S.TERM_PRETREND, scope)
    shift = _pick(estimates, outcome, spec, S.TERM_SHIFT, scope)
    slope = _pick(estimates, outcome, HEADLINE_SPEC, HEADLINE_TERM, S.NATIONAL)
    record: dict = {
        "spec": spec,
        "scope": scope,
        "estimate": _num(row["estimate"] * scale),
        "ci_low": _num(row["ci_low"] * scale),
        "ci_high": _num(row["ci_high"] * scale),
        "p_value": _num(row["p_value"]),
        "inference": row["inference"] if isinstance(row.get("inference"), str) else None,
        "p_min": _num(row.get("p_min")),
        "n_treated": None if pd.isna(row.get("n_treated")) else int(row["n_treated"]),
        "n_clusters": None if pd.isna(row.get("n_clusters")) else int(row["n_clusters"]),
        "pretrend_p": None if pre is None else _num(pre["p_value"]),
        "shift": None if shift is None else _num(shift["estimate"]),
        "twfe_implied": None,
        "twfe_implied_low": None,
        "twfe_implied_high": None,
        "agreement": "unknown",
    }
    if scope != S.NATIONAL:  # the fixed-effects DiD of the same trial, by placebo
        did = _pick(estimates, outcome, S.DID, S.TERM_TRIAL, scope)
        if did is not None and did.get("inference") == "placebo":
            record.update(placebo_p=_num(did["p_value"]), placebo_p_min=_num(did["p_min"]))
    if record["shift"] is not None and slope is not None:
        factor = record["shift"] * scale
        low, high = sorted([slope["ci_low"] * factor, slope["ci_high"] * factor])
        record.update(
            twfe_implied=_num(slope["estimate"] * factor),
            twfe_implied_low=_num(low),
            twfe_implied_high=_num(high),
        )
        bounds = (record["ci_low"], record["ci_high"], record["twfe_implied_low"],
                  record["twfe_implied_high"])  # fmt: skip
        if all(b is not None for b in bounds):
            overlap = record["ci_low"] <= record["twfe_implied_high"] and (
                record["twfe_implied_low"] <= record["ci_high"]
            )
            record["agreement"] = "agree" if overlap else "disagree"
    return record


def linearity_record(estimates: pd.DataFrame, outcome: str) -> dict | None:
    """The test of the log specification against the spline for ``outcome`` (national):
    F statistic, p-value and whether the log form is rejected at the 5 % level."""
    row = _pick(estimates, outcome, S.SPLINE, S.TERM_LINEARITY, S.NATIONAL)
    if row is None or _num(row["p_value"]) is None:
        return None
    p = float(row["p_value"])
    return {"f": _num(row["estimate"]), "p_value": p, "rejected": bool(p < 0.05)}


def headline(
    estimates: pd.DataFrame, outcome: str = HEADLINE_OUTCOME, simulated: bool = False
) -> dict:
    """The headline record (scrapbook ``caseload_headline`` and ``national_headline``).

    The top-level ``estimate``, ``ci_low``, ``ci_high`` are, as before, the association
    across all units: the national two-way fixed-effects log-caseload slope as the effect
    of 10 fewer cases at the sample mean caseload (pp for shares; ``spec`` says so).
    ``lead`` says what a page puts first: ``"design"`` when the panel has trials, whose
    design-based estimate is in ``design`` (:func:`design_record`: the two-stage DiD with
    its pre-trend test, and whether the slope agrees with it), else ``"association"``.
    ``linearity`` holds the test of the log specification (:func:`linearity_record`)."""
    effects = per_ten_fewer(estimates)
    pick = effects[
        (effects["outcome"] == outcome)
        & (effects["spec"] == HEADLINE_SPEC)
        & (effects["scope"] == S.NATIONAL)
    ]
    design = design_record(estimates, outcome, S.NATIONAL)
    record: dict = {
        "outcome": outcome,
        "estimate": None,
        "ci_low": None,
        "ci_high": None,
        "spec": HEADLINE_SPEC,
        "scope": S.NATIONAL,
        "unit": "percentage points" if is_share(outcome) else "outcome units",
        "per": "10 fewer cases per caseworker at the sample mean caseload",
        "caseload_mean": None,
        "simulated": bool(simulated),
        "lead": "design" if design is not None else "association",
        "design": design,
        "linearity": linearity_record(estimates, outcome),
    }
    if not pick.empty:
        row = pick.iloc[0]
        record.update(
            estimate=_num(row["effect"]),
            ci_low=_num(row["ci_low"]),
            ci_high=_num(row["ci_high"]),
            caseload_mean=_num(row["caseload_mean"]),
        )
    return record


def _num(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


# --- report tables ------------------------------------------------------------------------


def effects_table(
    estimates: pd.DataFrame, specs: Sequence[str], language: str, scope: str = S.NATIONAL
) -> pd.DataFrame:
    """Effect of 10 fewer cases per outcome and design, with 95 % interval and p-values."""
    effects = per_ten_fewer(estimates)
    effects = effects[effects["spec"].isin(specs) & (effects["scope"] == scope)]
    order = {s: i for i, s in enumerate(specs)}
    effects = effects.assign(_o=effects["spec"].map(order)).sort_values(
        ["outcome", "_o"], key=lambda c: c.map(_outcome_order) if c.name == "outcome" else c
    )
    return pd.DataFrame(
        {
            t("quant.col.outcome", language): effects["outcome"].map(
                lambda o: outcome_label(o, language)
            ),
            t("quant.col.design", language): effects["spec"].map(
                lambda s: t(f"quant.spec.{s}", language)
            ),
            t("quant.col.effect_10", language): effects["effect"],
            t("quant.col.ci_low", language): effects["ci_low"],
            t("quant.col.ci_high", language): effects["ci_high"],
            t("quant.col.unit", language): effects["outcome"].map(
                lambda o: unit_label(o, language)
            ),
            t("quant.col.p", language): effects["p_value"],
            t("quant.col.p_holm", language): effects["p_holm"],
        }
    )


def term_table(
    estimates: pd.DataFrame,
    specs: Sequence[str],
    language: str,
    scope: str = S.NATIONAL,
    terms: Sequence[str] | None = None,
    inference: bool = False,
) -> pd.DataFrame:
    """Estimates of ``specs`` in display units (pp for shares), one row per outcome ×
    design × term, with wild-bootstrap and Holm p-values; ``inference`` adds the column
    naming the method behind each interval or p-value."""
    rows = estimates[estimates["spec"].isin(specs) & (estimates["scope"] == scope)]
    rows = rows[rows["term"] != S.TERM_PRETREND]
    if terms is not None:
        rows = rows[rows["term"].isin(terms)]
    rows = in_display_units(rows)
    rows = rows.sort_values(
        ["outcome", "spec", "term"],
        key=lambda c: c.map(_outcome_order) if c.name == "outcome" else c,
    )
    frame = pd.DataFrame(
        {
            t("quant.col.outcome", language): rows["outcome"].map(
                lambda o: outcome_label(o, language)
            ),
            t("quant.col.design", language): rows["spec"].map(
                lambda s: t(f"quant.spec.{s}", language)
            ),
            t("quant.col.term", language): rows["term"].map(lambda x: term_label(x, language)),
            t("quant.col.estimate", language): rows["estimate"],
            t("quant.col.ci_low", language): rows["ci_low"],
            t("quant.col.ci_high", language): rows["ci_high"],
            t("quant.col.unit", language): rows["outcome"].map(lambda o: unit_label(o, language)),
            t("quant.col.p", language): rows["p_value"],
            t("quant.col.p_wild", language): rows["p_wild"],
            t("quant.col.p_holm", language): rows["p_holm"],
        }
    )
    if inference:
        frame[t("quant.col.inference", language)] = [
            t(f"quant.inference.{value}", language) if isinstance(value, str) else ""
            for value in rows["inference"]
        ]
    return frame


def pretrend_table(estimates: pd.DataFrame, spec: str, scope: str, language: str) -> pd.DataFrame:
    """Joint pre-trend tests (F statistic, p-value) per outcome."""
    rows = estimates[
        (estimates["spec"] == spec)
        & (estimates["scope"] == scope)
        & (estimates["term"] == S.TERM_PRETREND)
    ]
    return pd.DataFrame(
        {
            t("quant.col.outcome", language): rows["outcome"].map(
                lambda o: outcome_label(o, language)
            ),
            t("quant.col.f_stat", language): rows["estimate"],
            t("quant.col.p", language): rows["p_value"],
            t("quant.col.p_holm", language): rows["p_holm"],
            t("quant.col.clusters", language): rows["n_clusters"],
        }
    )


def term_label(term: str, language: str) -> str:
    move = S.parse_move(term)
    if move is not None:
        return t("quant.term.move", language, start=f"{move[0]:g}", end=f"{move[1]:g}")
    if term.startswith("hinge_"):
        return t("quant.term.hinge", language, knot=term.removeprefix("hinge_"))
    if term.startswith("band_"):
        return t("quant.term.band", language, band=_band_text(term))
    if term.startswith("event_"):
        return t("quant.term.event", language, k=term.removeprefix("event_"))
    return t(f"quant.term.{term}", language)


def _band_text(term: str) -> str:
    for band in S.caseload_bands(S.SpecConfig()):
        if band.term == term:
            return band.label()
    parts = term.removeprefix("band_").split("_")
    return "–".join(parts)


def _outcome_order(outcome: str) -> int:
    names = list(STANDARD_OUTCOMES)
    return names.index(outcome) if outcome in names else len(names)


def skipped_notes(skipped: pd.DataFrame, language: str, scopes: Sequence[str]) -> list[str]:
    """One sentence per skipped model (grouped over outcomes with the same reason)."""
    from analysis.quant.checks import PARTIAL_REASONS

    rows = skipped[skipped["scope"].isin(scopes)]
    notes = []
    for (spec, scope, reason, value, limit), group in rows.groupby(
        ["spec", "scope", "reason", "value", "limit"], sort=False, dropna=False
    ):
        outcomes = [o for o in group["outcome"] if o]
        names = ", ".join(outcome_label(o, language) for o in outcomes)
        sentence = "quant.skip.partial" if reason in PARTIAL_REASONS else "quant.skip.sentence"
        notes.append(
            t(
                sentence,
                language,
                design=t(f"quant.spec.{spec}", language),
                scope=t("quant.scope.national", language) if scope == S.NATIONAL else scope,
                reason=t(f"quant.skip.{reason}", language, value=value, limit=limit, outcome=names),
            )
        )
    return notes


def skipped_table(skipped: pd.DataFrame, language: str, scopes: Sequence[str]) -> pd.DataFrame:
    rows = skipped[skipped["scope"].isin(scopes)]
    return pd.DataFrame(
        {
            t("quant.col.design", language): rows["spec"].map(
                lambda s: t(f"quant.spec.{s}", language)
            ),
            t("quant.col.scope", language): rows["scope"].map(
                lambda s: t("quant.scope.national", language) if s == S.NATIONAL else s
            ),
            t("quant.col.outcome", language): rows["outcome"].map(
                lambda o: outcome_label(o, language) if o else ""
            ),
            t("quant.col.reason", language): [
                t(
                    f"quant.skip.{r.reason}",
                    language,
                    value=r.value,
                    limit=r.limit,
                    outcome=r.outcome,
                )
                for r in rows.itertuples(index=False)
            ],
        }
    )
