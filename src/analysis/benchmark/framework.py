"""Framework conditions ("rammevilkår"): each indicator against the value expected from
conditions the job centre does not set in the short run.

Rødovre's note (seed 004) compares its job centre with "the most efficient job centres
with the same framework conditions", as STAR's rammevilkår benchmark does. Beside the
cluster mean this module gives, for every indicator, the level a municipality would have
if it were like the average municipality with its conditions:

- the **model**: per indicator, an OLS regression across the municipalities (one
  observation each, not weighted) of the latest level on the framework conditions in
  :data:`CONDITIONS`, with heteroskedasticity-robust (HC3) standard errors; a condition
  built from the indicator's own series, or from a series that contains it or is part of
  it, is left out of that indicator's model (:data:`EXCLUDED`);
- per municipality: the **expected** value (the fit), the **residual** (level minus
  expected, turned by the catalogue's direction so that positive is better) and its
  **rank** among the municipalities with a residual (1 = best);
- **out of sample** (issue 21): the expected value of each municipality from the model
  fitted *without* it (leave-one-out, ``expected_loo``; the PRESS residuals of OLS), the
  cross-validated R² built from them (``cv_r_squared``), each municipality's leverage
  (how much its own figure sets its own expected value; a warning above
  :func:`leverage_limit`), ranks from the leave-one-out residuals with a 90 % interval from
  a parametric bootstrap (:func:`rank_intervals`), and no rank at all where the
  cross-validated R² is below :data:`CV_R2_FLOOR` (note ``weak_model``).

It is descriptive: R² says how much of the differences the conditions describe; the
residual holds the quality of the effort and everything the conditions miss (the snapshot
has no education, origin or commuting data, which STAR's model uses). The conditions
are averages over August 2021 - July 2023 (:data:`analysis.benchmark.clusters.BASE_PERIOD`),
the snapshot's first two years, before the comparison window and the 2025 reform.

Pure functions (:func:`framework_conditions`, :func:`fit_framework`,
:func:`framework_table`, :func:`framework_coefficients`, :func:`framework_column`,
:func:`framework_sentences`, :func:`framework_models_table`) and cached loaders
(:func:`load_framework_conditions`, :func:`load_framework`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.benchmark.clusters import BASE_PERIOD, structural_features
from analysis.benchmark.indicators import CATALOGUE, STATUS_OK, get_indicator
from analysis.errors import AnalysisError
from analysis.formatting import MISSING, format_number, format_percent
from analysis.labels import check_language, t
from analysis.paths import SMALL_COUNT_THRESHOLD

#: The framework conditions, in model order (one column each of the conditions table).
CONDITIONS: tuple[str, ...] = (
    "log_labour_force",  # size and urbanity
    "participation",  # labour force / population 16-66
    "unemployment_level",  # full-time unemployed, % of the labour force
    "kh_level",  # full-time kontanthjælp recipients, % of the labour force
    "dagpenge_share",  # dagpenge recipients, % of the full-time unemployed (composition)
    "seasonality",  # coefficient of variation of the monthly unemployment rate
)

#: Conditions left out of an indicator's model: built from its own series, or from a
#: series that contains it or is part of it (the insured and the long-term unemployed
#: are part of the unemployed; the activity-ready are part of the kontanthjælp recipients).
EXCLUDED: dict[str, frozenset[str]] = {
    "unemployment_level": frozenset({"unemployment_rate", "dagpenge_rate", "longterm_rate"}),
    "dagpenge_share": frozenset({"unemployment_rate", "dagpenge_rate"}),
    "kh_level": frozenset({"kh_workforce_rate", "kh_aktivitetsparat_rate"}),
}

#: Fewer municipalities with a level and every condition give no model (a note instead).
MIN_MUNICIPALITIES = 30
#: No rank below this cross-validated (leave-one-out) R²: the conditions then predict
#: less than a fifth of the differences between municipalities out of sample, so the
#: "expected" value says little beyond the average and a rank would mostly rank levels.
CV_R2_FLOOR = 0.20
#: A leverage above this many times the average leverage (p / n) is flagged: the
#: municipality's own figure then weighs heavily in its own expected value (the usual
#: rule of thumb for "high leverage", 3p/n).
LEVERAGE_FACTOR = 3.0
#: Draws and coverage of the rank interval (parametric bootstrap, fixed seed).
RANK_DRAWS = 1000
RANK_COVERAGE = 0.90
RANK_SEED = 2021
#: Heteroskedasticity-robust standard errors (small-sample variant).
COV_TYPE = "HC3"

#: Notes (codes; text in the label files, ``benchmark.framework.note.<code>``).
TOO_FEW = "too_few"
SINGULAR = "singular"
NO_DIRECTION = "no_direction"
NO_CONDITIONS = "no_conditions"
WEAK_MODEL = "weak_model"  # cross-validated R² below CV_R2_FLOOR: no rank

FRAMEWORK_COLUMNS = [
    "municipality_code",
    "indicator",
    "level",
    "expected",
    "residual",
    "rank",
    "n_ranked",
    "n",
    "r_squared",
    "adj_r_squared",
    "conditions",
    "note",
    # added by issue 21: out-of-sample figures, leverage and the rank interval
    "expected_loo",
    "residual_loo",
    "cv_r_squared",
    "leverage",
    "high_leverage",
    "rank_low",
    "rank_high",
    "noise_sd",
]
COEFFICIENT_COLUMNS = [
    "indicator",
    "term",
    "estimate",
    "std_error",
    "p_value",
    "n",
    "r_squared",
    "cov_type",
    "note",
]
#: What one municipality's framework-adjusted column holds (:func:`framework_column`).
COLUMN_COLUMNS = [
    "indicator",
    "level",
    "expected",
    "residual",
    "rank",
    "n_ranked",
    "r_squared",
    "n",
    "conditions",
    "note",
    "expected_loo",
    "residual_loo",
    "cv_r_squared",
    "leverage",
    "high_leverage",
    "rank_low",
    "rank_high",
]


# --- conditions ------------------------------------------------------------------------------


def framework_conditions(snapshot: pd.DataFrame) -> pd.DataFrame:
    """The framework conditions of every municipality (index municipality_code, columns
    :data:`CONDITIONS`), averages over ``BASE_PERIOD`` of the Jobindsats snapshot.

    Five are the structural features of "similar municipalities"
    (:func:`analysis.benchmark.clusters.structural_features`); ``dagpenge_share`` adds the
    composition of the unemployed: full-time unemployed on dagpenge in % of all full-time
    unemployed (y25i01), so that a municipality with many insured unemployed is compared
    with those alike.
    """
    features = structural_features(snapshot).rename(
        columns={"unemployment_rate": "unemployment_level", "kh_workforce_rate": "kh_level"}
    )
    start, end = (pd.Period(p, freq="M") for p in BASE_PERIOD)
    rows = snapshot[
        snapshot["period"].between(start, end)
        & snapshot["category"].eq("total")
        & snapshot["measure"].eq("unemployed_fulltime")
        & snapshot["benefit_group"].isin(["total", "dagpenge"])
    ]
    sums = rows.pivot_table(
        index="municipality_code", columns="benefit_group", values="value", aggfunc="sum"
    ).reindex(columns=["total", "dagpenge"])
    total = sums["total"].where(sums["total"] > 0)
    features["dagpenge_share"] = (sums["dagpenge"] / total * 100).reindex(features.index)
    return features[list(CONDITIONS)].astype("float64")


def conditions_for(indicator_id: str, available: Sequence[str] = CONDITIONS) -> tuple[str, ...]:
    """The conditions of ``indicator_id``'s model: ``available`` without those built from
    the indicator's own series (:data:`EXCLUDED`)."""
    return tuple(c for c in available if indicator_id not in EXCLUDED.get(c, frozenset()))


# --- the model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkModel:
    """One indicator's framework model and its per-municipality results.

    ``note`` is empty for a model that was estimated, else :data:`TOO_FEW` or
    :data:`SINGULAR` (then nothing is expected), :data:`NO_DIRECTION` (expected values
    but no residual or rank: the indicator has no better direction) or
    :data:`WEAK_MODEL` (expected values and residuals, but the cross-validated R² is
    below :data:`CV_R2_FLOOR`, so no rank).
    """

    indicator: str
    conditions: tuple[str, ...]
    n: int
    r_squared: float
    adj_r_squared: float
    coefficients: pd.DataFrame  # term, estimate, std_error, p_value
    municipalities: pd.DataFrame  # FRAMEWORK_COLUMNS
    note: str = ""
    cv_r_squared: float = math.nan


def _levels_of(levels: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    rows = levels[levels["indicator"].eq(indicator_id)]
    if rows.empty:
        raise AnalysisError(f"the level table has no rows for indicator {indicator_id!r}")
    if "status" not in rows:
        rows = rows.assign(status=np.where(rows["level"].notna(), STATUS_OK, "missing"))
    extra = [c for c in ("previous_level", "labour_force", "persons") if c in rows]
    return rows.set_index("municipality_code")[["level", "status", *extra]]


def _singular(design: pd.DataFrame) -> bool:
    values = design.to_numpy(dtype="float64")
    return int(np.linalg.matrix_rank(values)) < values.shape[1]


def leverage_limit(n_parameters: int, n: int) -> float:
    """The leverage above which a municipality is flagged: :data:`LEVERAGE_FACTOR` times
    the average leverage p / n (p parameters including the constant, n municipalities)."""
    return LEVERAGE_FACTOR * n_parameters / n


def sampling_variance(frame: pd.DataFrame, indicator_id: str) -> pd.Series:
    """The variance (in squared percentage points) of each municipality's level from its
    own noise: a binomial p(100 - p) / N times an overdispersion factor estimated from
    the year-on-year changes of all municipalities (at least 1). N is the labour force
    for a rate of the labour force and the persons for a share of persons. The
    year-on-year changes also hold real change, so the factor errs on the wide side.
    NaN where the level table lacks what it needs (then only the model's uncertainty
    enters the rank interval)."""
    indicator = CATALOGUE[indicator_id]
    base_column = "persons" if indicator.persons_of else "labour_force"
    if indicator.unit != "pct" or base_column not in frame:
        return pd.Series(np.nan, index=frame.index)
    level = frame["level"].clip(lower=0, upper=100)
    base = frame[base_column].where(frame[base_column] > 0)
    variance = level * (100 - level) / base
    factor = 1.0
    if "previous_level" in frame:
        previous = frame["previous_level"].clip(lower=0, upper=100)
        both = variance + previous * (100 - previous) / base
        change = frame["level"] - frame["previous_level"]
        usable = change.notna() & both.gt(0)
        if usable.sum() >= MIN_MUNICIPALITIES:
            centred = change[usable] - change[usable].mean()
            factor = max(1.0, float((centred**2 / both[usable]).mean()))
    return variance * factor


def rank_intervals(
    residual: pd.Series, variance: pd.Series, *, draws: int = RANK_DRAWS, seed: int = RANK_SEED
) -> pd.DataFrame:
    """A parametric bootstrap of the ranks (1 = best, the largest residual): each draw
    adds to every residual a normal error with the given variance and ranks the lot; the
    interval holds the middle :data:`RANK_COVERAGE` of a municipality's ranks. Columns
    rank_low, rank_high (NaN where the residual or its variance is missing)."""
    valid = residual.notna() & variance.notna()
    out = pd.DataFrame({"rank_low": np.nan, "rank_high": np.nan}, index=residual.index)
    if valid.sum() < 2:
        return out
    rng = np.random.default_rng(seed)
    values = residual[valid].to_numpy(dtype="float64")
    sd = np.sqrt(variance[valid].to_numpy(dtype="float64"))
    simulated = values + rng.standard_normal((draws, len(values))) * sd
    ranks = (-simulated).argsort(axis=1).argsort(axis=1) + 1
    tail = (1 - RANK_COVERAGE) / 2 * 100
    low, high = np.percentile(ranks, [tail, 100 - tail], axis=0, method="nearest")
    out.loc[valid, "rank_low"] = low
    out.loc[valid, "rank_high"] = high
    return out


def fit_framework(
    levels: pd.DataFrame,
    conditions: pd.DataFrame,
    indicator_id: str,
    *,
    min_municipalities: int = MIN_MUNICIPALITIES,
    cv_floor: float = CV_R2_FLOOR,
) -> FrameworkModel:
    """Regress ``indicator_id``'s latest level on its framework conditions (OLS, HC3).

    ``levels``: the level table (:func:`analysis.benchmark.view.load_levels`; columns
    municipality_code, indicator, level and status are used, and previous_level,
    labour_force and persons for the rank interval where present); ``conditions``: one
    row per municipality (:func:`framework_conditions`). Municipalities without a level or
    a condition are left out of the fit; those with every condition still get an expected
    value. Too few municipalities or linearly dependent conditions give a note, not an
    error. Out of sample: ``expected_loo`` is each municipality's expected value from the
    model fitted without it, ``residual_loo`` its residual, ``cv_r_squared`` the R² of
    those predictions; ``rank`` ranks the leave-one-out residuals (none below
    ``cv_floor``) and ``rank_low`` / ``rank_high`` give its 90 % interval.
    """
    import statsmodels.api as sm

    indicator = get_indicator(indicator_id)
    own = _levels_of(levels, indicator_id)
    columns = conditions_for(indicator_id, [c for c in CONDITIONS if c in conditions.columns])
    frame = own.join(conditions[list(columns)], how="left")
    has_conditions = frame[list(columns)].notna().all(axis=1)
    fit_rows = has_conditions & frame["level"].notna()
    n = int(fit_rows.sum())
    design = frame.loc[:, list(columns)].astype("float64")
    design.insert(0, "const", 1.0)

    note = ""
    if n < max(min_municipalities, len(columns) + 2):
        note = TOO_FEW
    elif _singular(design[fit_rows]):
        note = SINGULAR
    expected = pd.Series(np.nan, index=frame.index)
    expected_loo = pd.Series(np.nan, index=frame.index)
    leverage = pd.Series(np.nan, index=frame.index)
    r_squared = adj_r_squared = cv_r_squared = math.nan
    residual_variance = math.nan
    coefficients = pd.DataFrame(columns=["term", "estimate", "std_error", "p_value"])
    if not note:
        result = sm.OLS(frame.loc[fit_rows, "level"], design[fit_rows]).fit(cov_type=COV_TYPE)
        r_squared, adj_r_squared = float(result.rsquared), float(result.rsquared_adj)
        expected[has_conditions] = design[has_conditions].to_numpy() @ result.params.to_numpy()
        # leave-one-out: the PRESS residual e / (1 - h) is the prediction error of the
        # model fitted without the municipality; one without a level was not in the fit
        hat = result.get_influence().hat_matrix_diag
        leverage[fit_rows] = hat
        press = result.resid.to_numpy() / (1.0 - hat)
        expected_loo[has_conditions] = expected[has_conditions]
        expected_loo[fit_rows] = frame.loc[fit_rows, "level"].to_numpy() - press
        observed = frame.loc[fit_rows, "level"]
        total = float(((observed - observed.mean()) ** 2).sum())
        cv_r_squared = 1.0 - float((press**2).sum()) / total if total > 0 else math.nan
        residual_variance = float(result.ssr) / max(1.0, float(result.df_resid))
        coefficients = pd.DataFrame(
            {
                "term": list(result.params.index),
                "estimate": result.params.to_numpy(),
                "std_error": np.asarray(result.bse),
                "p_value": np.asarray(result.pvalues),
            }
        )
        if indicator.sign == 0:
            note = NO_DIRECTION
        elif not (cv_r_squared >= cv_floor):
            note = WEAK_MODEL

    sign = indicator.sign
    residual = (frame["level"] - expected) * sign if sign else expected * np.nan
    residual_loo = (frame["level"] - expected_loo) * sign if sign else expected * np.nan
    noise = sampling_variance(frame, indicator_id)
    # a leave-one-out residual is uncertain by the municipality's own noise and by the
    # prediction from the other municipalities' fit: s² h / (1 - h)
    prediction = residual_variance * leverage / (1.0 - leverage)
    variance = noise.fillna(0.0) + prediction
    rankable = residual_loo.notna() & (note == "")
    ranks = residual_loo.where(rankable).rank(ascending=False, method="min")
    intervals = rank_intervals(residual_loo.where(rankable), variance.where(rankable))
    limit = leverage_limit(len(columns) + 1, n) if n else math.nan
    table = pd.DataFrame(
        {
            "municipality_code": frame.index.astype("int64"),
            "indicator": indicator_id,
            "level": frame["level"].to_numpy(dtype="float64"),
            "expected": expected.to_numpy(dtype="float64"),
            "residual": residual.to_numpy(dtype="float64"),
            "rank": ranks.astype("Int64").to_numpy(),
            "n_ranked": int(rankable.sum()),
            "n": n,
            "r_squared": r_squared,
            "adj_r_squared": adj_r_squared,
            "conditions": ";".join(columns),
            "note": [
                _note_for(note, status, ok)
                for status, ok in zip(frame["status"], has_conditions, strict=True)
            ],
            "expected_loo": expected_loo.to_numpy(dtype="float64"),
            "residual_loo": residual_loo.to_numpy(dtype="float64"),
            "cv_r_squared": cv_r_squared,
            "leverage": leverage.to_numpy(dtype="float64"),
            "high_leverage": (leverage > limit).fillna(False).to_numpy(dtype=bool),
            "rank_low": intervals["rank_low"].astype("Int64").to_numpy(),
            "rank_high": intervals["rank_high"].astype("Int64").to_numpy(),
            "noise_sd": np.sqrt(noise).to_numpy(dtype="float64"),
        }
    )
    for column in ("rank", "rank_low", "rank_high"):
        table[column] = table[column].astype("Int64")
    return FrameworkModel(
        indicator=indicator_id,
        conditions=columns,
        n=n,
        r_squared=r_squared,
        adj_r_squared=adj_r_squared,
        coefficients=coefficients,
        municipalities=table[FRAMEWORK_COLUMNS],
        note=note,
        cv_r_squared=cv_r_squared,
    )


def _note_for(model_note: str, status: object, has_conditions: bool) -> str:
    """A municipality's note: the model's when there is no usable model, else its own
    (no level, no conditions), else the model's weak-model note (if any)."""
    if model_note in (TOO_FEW, SINGULAR, NO_DIRECTION):
        return model_note
    return _municipality_note(status, has_conditions) or model_note


def _municipality_note(status: object, has_conditions: bool) -> str:
    if not has_conditions:
        return NO_CONDITIONS
    return "" if status == STATUS_OK else str(status)  # missing or small_count


def _indicators(levels: pd.DataFrame, indicators: Sequence[str] | None) -> list[str]:
    if indicators is not None:
        return list(indicators)
    present = set(levels["indicator"])
    return [i for i in CATALOGUE if i in present]


def framework_table(
    levels: pd.DataFrame,
    conditions: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    *,
    min_municipalities: int = MIN_MUNICIPALITIES,
) -> pd.DataFrame:
    """Expected value, residual (positive = better) and rank of every municipality for
    every indicator (default: those in ``levels``, in catalogue order); one row per
    municipality and indicator, with each model's n, R² and conditions repeated
    (:data:`FRAMEWORK_COLUMNS`)."""
    frames = [
        fit_framework(levels, conditions, i, min_municipalities=min_municipalities).municipalities
        for i in _indicators(levels, indicators)
    ]
    table = pd.concat(frames, ignore_index=True)
    for column in ("rank", "rank_low", "rank_high"):
        table[column] = table[column].astype("Int64")
    table["high_leverage"] = table["high_leverage"].astype(bool)
    for column in ("indicator", "conditions", "note"):
        table[column] = table[column].astype("str")
    return table[FRAMEWORK_COLUMNS]


def framework_coefficients(
    levels: pd.DataFrame,
    conditions: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    *,
    min_municipalities: int = MIN_MUNICIPALITIES,
) -> pd.DataFrame:
    """Each model's coefficients with HC3 standard errors (:data:`COEFFICIENT_COLUMNS`);
    a model that could not be estimated has one row with its note and no term."""
    rows = []
    for indicator_id in _indicators(levels, indicators):
        model = fit_framework(
            levels, conditions, indicator_id, min_municipalities=min_municipalities
        )
        common = {
            "indicator": indicator_id,
            "n": model.n,
            "r_squared": model.r_squared,
            "cov_type": COV_TYPE,
            "note": model.note,
        }
        if model.coefficients.empty:
            rows.append(
                {**common, "term": "", "estimate": np.nan, "std_error": np.nan, "p_value": np.nan}
            )
        rows.extend({**common, **c} for c in model.coefficients.to_dict("records"))
    return pd.DataFrame(rows, columns=COEFFICIENT_COLUMNS)


def framework_column(table: pd.DataFrame, municipality: int) -> pd.DataFrame:
    """One municipality's framework-adjusted figures, ready to become a scorecard column:
    one row per indicator (catalogue order) with level, expected, residual (positive =
    better), rank among ``n_ranked`` (1 = best), the model's R², n, conditions and note."""
    rows = table[table["municipality_code"].eq(int(municipality))]
    if rows.empty:
        raise AnalysisError(f"no framework figures for municipality {municipality!r}")
    order = {name: i for i, name in enumerate(CATALOGUE)}
    rows = rows.sort_values("indicator", key=lambda s: s.map(order), kind="stable")
    return rows[COLUMN_COLUMNS].reset_index(drop=True)


# --- text ------------------------------------------------------------------------------------


def _level_text(value: float, indicator_id: str, language: str) -> str:
    indicator = CATALOGUE[indicator_id]
    if indicator.unit == "pct":
        return format_percent(value, language, decimals=indicator.decimals)
    return format_number(value, language, decimals=indicator.decimals)


def _unit(indicator_id: str, language: str) -> str:
    unit = CATALOGUE[indicator_id].unit
    key = "benchmark.unit.points" if unit == "pct" else f"benchmark.framework.unit.{unit}"
    return t(key, language)


def _reason(note: str, n: int, language: str) -> str:
    if note in ("missing", "small_count"):
        return t(f"benchmark.note.{note}", language, threshold=SMALL_COUNT_THRESHOLD)
    return t(f"benchmark.framework.note.{note}", language, n=n, minimum=MIN_MUNICIPALITIES)


def _present(row: dict, key: str) -> bool:
    return key in row and not pd.isna(row[key])


def framework_sentence(row: pd.Series | dict, language: str = "da") -> str:
    """One sentence for one row of :func:`framework_column`, e.g. "Ledighed i pct. af
    arbejdsstyrken: 3,1 %, 0,4 pct.-point lavere end forventet ud fra rammevilkårene
    (3,5 %) – bedre (nr. 12 af 98, 90 %-interval nr. 5–30; krydsvalideret R² = 0,61;
    beskrivende).".

    The expected value and the difference are the leave-one-out ones (``expected_loo``,
    ``residual_loo``) where the row has them: the model fitted without the municipality.
    Below the cross-validated R² floor there is no judgement and no rank; a municipality
    with high leverage gets a warning.
    """
    check_language(language)
    row = dict(row)
    indicator_id = str(row["indicator"])
    indicator = CATALOGUE[indicator_id]
    note = str(row.get("note") or "")
    expected = row["expected_loo"] if _present(row, "expected_loo") else row["expected"]
    residual = row["residual_loo"] if _present(row, "residual_loo") else row.get("residual")
    cross_validated = _present(row, "cv_r_squared")
    values = {
        "indicator": indicator.label(language),
        "level": _level_text(row["level"], indicator_id, language),
        "expected": _level_text(expected, indicator_id, language),
        "r_squared": format_number(row["r_squared"], language, decimals=2),
        "fit": t(
            "benchmark.framework.fit_cv" if cross_validated else "benchmark.framework.fit",
            language,
            r_squared=format_number(row["r_squared"], language, decimals=2),
            cv=format_number(row.get("cv_r_squared"), language, decimals=2),
        ),
    }
    if note in (TOO_FEW, SINGULAR, NO_CONDITIONS):
        reason = _reason(note, int(row["n"]), language)
        return t("benchmark.framework.sentence.no_model", language, reason=reason, **values)
    if note == NO_DIRECTION:
        return t("benchmark.framework.sentence.no_direction", language, **values)
    if note == WEAK_MODEL:
        text = t(
            "benchmark.framework.sentence.weak",
            language,
            floor=format_number(CV_R2_FLOOR, language, decimals=2),
            **values,
        )
        return text + _leverage_text(row, language)
    if note:  # the municipality has no level of its own
        reason = _reason(note, int(row["n"]), language)
        return t("benchmark.framework.sentence.no_level", language, reason=reason, **values)
    difference = float(row["level"]) - float(expected)
    values["rank_text"] = _rank_text(row, language)
    if round(abs(difference), indicator.decimals) == 0:
        return t("benchmark.framework.sentence.same", language, **values) + _leverage_text(
            row, language
        )
    better = float(residual) > 0
    return t(
        "benchmark.framework.sentence",
        language,
        difference=format_number(abs(difference), language, decimals=indicator.decimals),
        unit=_unit(indicator_id, language),
        direction=t(f"benchmark.framework.{'higher' if difference > 0 else 'lower'}", language),
        judgement=t(f"benchmark.framework.{'better' if better else 'worse'}", language),
        **values,
    ) + _leverage_text(row, language)


def _rank_text(row: dict, language: str) -> str:
    """'nr. 12 af 98, 90 %-interval nr. 5–30' (the interval where the row has one)."""
    rank = t(
        "benchmark.framework.rank_short",
        language,
        rank=format_number(row["rank"], language, decimals=0),
        n=format_number(row["n_ranked"], language, decimals=0),
    )
    if not (_present(row, "rank_low") and _present(row, "rank_high")):
        return rank
    interval = t(
        "benchmark.framework.rank_interval",
        language,
        low=format_number(row["rank_low"], language, decimals=0),
        high=format_number(row["rank_high"], language, decimals=0),
    )
    return f"{rank}, {interval}"


def _leverage_text(row: dict, language: str) -> str:
    """The high-leverage warning: how much the municipality's own figure would weigh in
    its own expected value (the leverage h), against the average p / n."""
    if not row.get("high_leverage"):
        return ""
    parameters = len([c for c in str(row.get("conditions", "")).split(";") if c]) + 1
    average = parameters / int(row["n"]) if int(row.get("n") or 0) else math.nan
    return " " + t(
        "benchmark.framework.high_leverage",
        language,
        share=format_percent(float(row["leverage"]) * 100, language, decimals=0),
        average=format_percent(average * 100, language, decimals=0),
    )


def framework_sentences(column: pd.DataFrame, language: str = "da") -> pd.DataFrame:
    """One sentence per indicator of :func:`framework_column`. Columns: indicator, text."""
    texts = [framework_sentence(row, language) for _, row in column.iterrows()]
    return pd.DataFrame({"indicator": list(column["indicator"]), "text": texts})


def framework_models_table(table: pd.DataFrame, language: str = "da") -> pd.DataFrame:
    """The models stated plainly, one row per indicator: indicator, the conditions it is
    explained by, the number of municipalities, R², the cross-validated R² and whether
    the model ranks (text, in ``language``)."""
    check_language(language)
    rows = []
    for _, group in table.groupby("indicator", sort=False):
        row = group.iloc[0]
        notes = set(group["note"])
        note = next((n for n in (TOO_FEW, SINGULAR) if n in notes), "")
        conditions = [c for c in str(row["conditions"]).split(";") if c]
        cv = row.get("cv_r_squared", math.nan)
        if note:
            ranks = _reason(note, int(row["n"]), language)
        elif NO_DIRECTION in notes:
            ranks = t("benchmark.framework.ranks.no_direction", language)
        elif WEAK_MODEL in notes or not (cv >= CV_R2_FLOOR):
            ranks = t(
                "benchmark.framework.ranks.no",
                language,
                floor=format_number(CV_R2_FLOOR, language, decimals=2),
            )
        else:
            ranks = t("benchmark.framework.ranks.yes", language)
        rows.append(
            {
                t("benchmark.col.indicator", language): CATALOGUE[row["indicator"]].label(language),
                t("benchmark.framework.col.conditions", language): ", ".join(
                    t(f"benchmark.framework.condition.{c}", language) for c in conditions
                ),
                t("benchmark.framework.col.n", language): format_number(
                    row["n"], language, decimals=0
                ),
                t("benchmark.framework.col.r_squared", language): (
                    _reason(note, int(row["n"]), language)
                    if note
                    else format_number(row["r_squared"], language, decimals=2)
                ),
                t("benchmark.framework.col.cv_r_squared", language): (
                    MISSING if note else format_number(cv, language, decimals=2)
                ),
                t("benchmark.framework.col.ranks", language): ranks,
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "COLUMN_COLUMNS",
    "CONDITIONS",
    "COV_TYPE",
    "CV_R2_FLOOR",
    "EXCLUDED",
    "FRAMEWORK_COLUMNS",
    "LEVERAGE_FACTOR",
    "MIN_MUNICIPALITIES",
    "WEAK_MODEL",
    "FrameworkModel",
    "conditions_for",
    "fit_framework",
    "framework_coefficients",
    "framework_column",
    "framework_conditions",
    "framework_models_table",
    "framework_sentence",
    "framework_sentences",
    "framework_table",
    "leverage_limit",
    "rank_intervals",
    "sampling_variance",
]
