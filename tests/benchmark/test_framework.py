"""The framework-conditions view: expected values from a regression on framework
conditions, residuals turned so that positive is better, ranks, notes instead of crashes."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis.benchmark import framework as fw
from analysis.benchmark.framework import (
    COLUMN_COLUMNS,
    CONDITIONS,
    COV_TYPE,
    FRAMEWORK_COLUMNS,
    MIN_MUNICIPALITIES,
    NO_CONDITIONS,
    NO_DIRECTION,
    SINGULAR,
    TOO_FEW,
    conditions_for,
    fit_framework,
    framework_coefficients,
    framework_column,
    framework_conditions,
    framework_models_table,
    framework_sentence,
    framework_sentences,
    framework_table,
)
from analysis.benchmark.indicators import JOBINDSATS_INDICATORS, STATUS_OK, STATUS_SMALL
from analysis.benchmark.view import load_framework, load_framework_conditions
from analysis.cache import entries
from analysis.errors import AnalysisError

CODES = list(range(1001, 1099))  # 98 synthetic municipalities
BEST, WORST = 1010, 1020


def conditions_frame(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {c: rng.normal(size=len(CODES)) for c in CONDITIONS},
        index=pd.Index(CODES, name="municipality_code"),
    )


def levels_frame(values: pd.Series, indicator: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "municipality_code": values.index.astype("int64"),
            "indicator": indicator,
            "level": values.to_numpy(dtype="float64"),
            "status": np.where(values.notna(), STATUS_OK, "missing"),
        }
    )


def planted(indicator: str, shift: dict[int, float], seed: int = 7) -> pd.DataFrame:
    """level = 3 + 0.5 participation - 0.3 seasonality + 0.2 log_labour_force + small
    noise, plus ``shift`` for some municipalities (the residuals a test must recover)."""
    conditions = conditions_frame(seed)
    rng = np.random.default_rng(seed + 1)
    level = (
        3.0
        + 0.5 * conditions["participation"]
        - 0.3 * conditions["seasonality"]
        + 0.2 * conditions["log_labour_force"]
        + rng.normal(scale=0.02, size=len(CODES))
    )
    for code, value in shift.items():
        level[code] += value
    return levels_frame(level, indicator)


# --- which conditions ------------------------------------------------------------------------


def test_an_indicator_is_never_explained_by_its_own_series():
    assert "unemployment_level" not in conditions_for("unemployment_rate")
    assert "dagpenge_share" not in conditions_for("unemployment_rate")
    assert "unemployment_level" not in conditions_for("dagpenge_rate")
    assert "unemployment_level" not in conditions_for("longterm_rate")
    assert "kh_level" not in conditions_for("kh_workforce_rate")
    assert "kh_level" not in conditions_for("kh_aktivitetsparat_rate")
    # other indicators keep every condition, in model order
    assert conditions_for("activation_degree") == CONDITIONS
    model = fit_framework(planted("unemployment_rate", {}), conditions_frame(), "unemployment_rate")
    assert model.conditions == ("log_labour_force", "participation", "kh_level", "seasonality")
    assert list(model.coefficients["term"]) == ["const", *model.conditions]


# --- a planted residual and rank are recovered ---------------------------------------------


def test_planted_residuals_and_ranks_are_recovered_lower_is_better():
    # unemployment: lower is better, so 1 point below expectation is a residual of +1
    levels = planted("unemployment_rate", {BEST: -1.0, WORST: +1.0})
    model = fit_framework(levels, conditions_frame(), "unemployment_rate")
    table = model.municipalities.set_index("municipality_code")
    assert model.note == "" and model.n == 98
    assert table.loc[BEST, "rank"] == 1
    assert table.loc[WORST, "rank"] == 98
    assert table.loc[BEST, "residual"] == pytest.approx(1.0, abs=0.1)
    assert table.loc[WORST, "residual"] == pytest.approx(-1.0, abs=0.1)
    others = table.drop(index=[BEST, WORST])
    assert others["residual"].abs().max() < 0.15
    # the expected value is the fit without the planted shift
    assert table.loc[BEST, "level"] - table.loc[BEST, "expected"] == pytest.approx(-1.0, abs=0.1)
    assert (table["n_ranked"] == 98).all()
    coefficients = model.coefficients.set_index("term")["estimate"]
    assert coefficients["participation"] == pytest.approx(0.5, abs=0.05)
    assert coefficients["seasonality"] == pytest.approx(-0.3, abs=0.05)
    assert 0 < model.r_squared < 1


def test_direction_higher_is_better_turns_the_residual():
    # activation degree: higher is better, so 1 point above expectation is +1 and rank 1
    levels = planted("activation_degree", {BEST: +1.0, WORST: -1.0})
    table = fit_framework(levels, conditions_frame(), "activation_degree").municipalities
    table = table.set_index("municipality_code")
    assert table.loc[BEST, "rank"] == 1 and table.loc[BEST, "residual"] > 0.9
    assert table.loc[WORST, "rank"] == 98 and table.loc[WORST, "residual"] < -0.9
    # the same shifts on a lower-is-better indicator rank the other way round
    levels = planted("unemployment_rate", {BEST: +1.0, WORST: -1.0})
    table = fit_framework(levels, conditions_frame(), "unemployment_rate").municipalities
    table = table.set_index("municipality_code")
    assert table.loc[BEST, "rank"] == 98 and table.loc[WORST, "rank"] == 1


def test_an_indicator_without_direction_has_expected_values_but_no_rank():
    levels = planted("kh_status_other", {BEST: 1.0})  # KLK's "Andet": no judgement
    model = fit_framework(levels, conditions_frame(), "kh_status_other")
    assert model.note == NO_DIRECTION
    table = model.municipalities
    assert table["expected"].notna().all()
    assert table["residual"].isna().all() and table["rank"].isna().all()
    assert (table["n_ranked"] == 0).all()


def test_a_municipality_without_a_level_gets_an_expected_value_and_no_rank():
    levels = planted("unemployment_rate", {BEST: -1.0})
    small = levels["municipality_code"].eq(1030)
    levels.loc[small, ["level", "status"]] = [math.nan, STATUS_SMALL]
    conditions = conditions_frame()
    conditions.loc[1040, "participation"] = math.nan
    table = fit_framework(levels, conditions, "unemployment_rate").municipalities
    table = table.set_index("municipality_code")
    assert not math.isnan(table.loc[1030, "expected"])
    assert math.isnan(table.loc[1030, "residual"]) and pd.isna(table.loc[1030, "rank"])
    assert table.loc[1030, "note"] == STATUS_SMALL
    assert math.isnan(table.loc[1040, "expected"]) and table.loc[1040, "note"] == NO_CONDITIONS
    assert table.loc[BEST, "rank"] == 1
    assert (table["n_ranked"] == 96).all() and (table["n"] == 96).all()


# --- notes, not crashes ----------------------------------------------------------------------


def test_too_few_municipalities_give_a_note_not_a_crash():
    levels = planted("unemployment_rate", {})
    keep = levels["municipality_code"].isin(CODES[: MIN_MUNICIPALITIES - 1])
    levels.loc[~keep, ["level", "status"]] = [math.nan, "missing"]
    model = fit_framework(levels, conditions_frame(), "unemployment_rate")
    assert model.note == TOO_FEW and model.n == MIN_MUNICIPALITIES - 1
    assert math.isnan(model.r_squared)
    assert model.municipalities["expected"].isna().all()
    assert (model.municipalities["note"] == TOO_FEW).all()
    row = framework_column(model.municipalities, CODES[0]).iloc[0]
    assert framework_sentence(row, "da") == (
        "Ledighed i pct. af arbejdsstyrken: ingen forventet værdi ud fra rammevilkårene "
        f"(for få kommuner med tal: {MIN_MUNICIPALITIES - 1}, mindst {MIN_MUNICIPALITIES} "
        "kræves)."
    )
    coefficients = framework_coefficients(levels, conditions_frame(), ["unemployment_rate"])
    assert list(coefficients["note"]) == [TOO_FEW] and list(coefficients["term"]) == [""]


@pytest.mark.parametrize("how", ["constant", "duplicate"])
def test_a_singular_design_gives_a_note_not_a_crash(how):
    conditions = conditions_frame()
    if how == "constant":
        conditions["participation"] = 0.8  # the same everywhere: collinear with the constant
    else:
        conditions["seasonality"] = 2 * conditions["participation"]
    model = fit_framework(planted("unemployment_rate", {}), conditions, "unemployment_rate")
    assert model.note == SINGULAR
    assert model.municipalities["expected"].isna().all()
    assert model.municipalities["rank"].isna().all()
    text = framework_sentence(framework_column(model.municipalities, 1001).iloc[0], "en")
    assert text == (
        "Unemployment, % of the labour force: no expected value from the framework conditions "
        "(the framework conditions are linearly dependent (e.g. a condition that is the same "
        "everywhere), so the model cannot be estimated)."
    )


# --- tables and text -------------------------------------------------------------------------


def test_table_column_and_coefficients_for_several_indicators():
    levels = pd.concat(
        [
            planted("unemployment_rate", {BEST: -1.0}),
            planted("activation_degree", {WORST: -1.0}),
        ],
        ignore_index=True,
    )
    table = framework_table(levels, conditions_frame())
    assert list(table.columns) == FRAMEWORK_COLUMNS
    assert len(table) == 2 * 98
    column = framework_column(table, BEST)
    assert list(column.columns) == COLUMN_COLUMNS
    assert list(column["indicator"]) == ["unemployment_rate", "activation_degree"]
    assert column.loc[0, "rank"] == 1
    coefficients = framework_coefficients(levels, conditions_frame())
    assert set(coefficients["cov_type"]) == {COV_TYPE}
    assert (coefficients["std_error"] > 0).all()
    with pytest.raises(AnalysisError, match="no framework figures for municipality 7"):
        framework_column(table, 7)
    with pytest.raises(AnalysisError, match="no rows for indicator 'dagpenge_rate'"):
        fit_framework(levels, conditions_frame(), "dagpenge_rate")


def row_of(**values) -> dict:
    base = {
        "indicator": "unemployment_rate",
        "level": 3.1,
        "expected": 3.5,
        "residual": 0.4,
        "rank": 12,
        "n_ranked": 98,
        "r_squared": 0.612,
        "n": 98,
        "conditions": "log_labour_force;participation;kh_level;seasonality",
        "note": "",
    }
    return base | values


def test_sentences_in_danish_and_english():
    assert framework_sentence(row_of(), "da") == (
        "Ledighed i pct. af arbejdsstyrken: 3,1 %, 0,4 pct.-point lavere end forventet ud fra "
        "rammevilkårene (3,5 %) – bedre (nr. 12 af 98; R² = 0,61; beskrivende)."
    )
    assert framework_sentence(row_of(), "en") == (
        "Unemployment, % of the labour force: 3.1%, 0.4 pp lower than expected from the "
        "framework conditions (3.5%) – better (no. 12 of 98; R² = 0.61; descriptive)."
    )
    higher = row_of(indicator="activation_degree", level=20.0, expected=18.26, residual=1.74)
    assert framework_sentence(higher, "da") == (
        "Aktiveringsgrad, kontanthjælp: 20,0 %, 1,7 pct.-point højere end forventet ud fra "
        "rammevilkårene (18,3 %) – bedre (nr. 12 af 98; R² = 0,61; beskrivende)."
    )
    worse = row_of(level=3.9, residual=-0.4, rank=90)
    assert "0,4 pct.-point højere end forventet" in framework_sentence(worse, "da")
    assert "– dårligere (nr. 90 af 98;" in framework_sentence(worse, "da")
    same = row_of(level=3.52, residual=-0.02)
    assert framework_sentence(same, "da") == (
        "Ledighed i pct. af arbejdsstyrken: 3,5 %, som forventet ud fra rammevilkårene "
        "(3,5 %) (nr. 12 af 98; R² = 0,61; beskrivende)."
    )
    small = row_of(level=math.nan, residual=math.nan, rank=pd.NA, note=STATUS_SMALL)
    assert framework_sentence(small, "en") == (
        "Unemployment, % of the labour force: no rank (fewer than 5 persons – not shown); "
        "expected from the framework conditions: 3.5% (R² = 0.61; descriptive)."
    )
    sentences = framework_sentences(pd.DataFrame([row_of(), same]), "da")
    assert list(sentences.columns) == ["indicator", "text"] and len(sentences) == 2


def test_models_table_states_conditions_n_and_r_squared():
    table = pd.DataFrame([row_of(municipality_code=101)])
    shown = framework_models_table(table, "da")
    assert shown.iloc[0].to_dict() == {
        "Nøgletal": "Ledighed i pct. af arbejdsstyrken",
        "Rammevilkår i modellen": "arbejdsstyrkens størrelse (log), erhvervsdeltagelse, "
        "kontanthjælpsandel, sæsonudsving i ledigheden",
        "Kommuner i modellen": "98",
        "R²": "0,61",
        "Krydsvalideret R²": "–",  # a row without one (older tables)
        "Placeringer": "nej: krydsvalideret R² under 0,20",
    }
    table = pd.DataFrame([row_of(municipality_code=101, cv_r_squared=0.55)])
    shown = framework_models_table(table, "en").iloc[0]
    assert shown["Cross-validated R²"] == "0.55" and shown["Ranks"] == "yes, with a 90% interval"


# --- the real snapshot, cached ---------------------------------------------------------------


@pytest.fixture(scope="module")
def real(benchmark_paths):
    return benchmark_paths, load_framework(benchmark_paths)


def test_real_conditions_for_all_98(real):
    paths, _ = real
    conditions = load_framework_conditions(paths)
    assert list(conditions.columns) == list(CONDITIONS)
    assert len(conditions) == 98 and conditions.notna().all().all()
    # København: about 85 % of its full-time unemployed are insured (dagpenge)
    assert 70 < conditions.loc[101, "dagpenge_share"] < 95
    pd.testing.assert_frame_equal(conditions, framework_conditions(_snapshot_of(paths)))


def _snapshot_of(paths):
    from analysis.data.jobindsats import load_snapshot

    return load_snapshot(paths.jobindsats_snapshot)


def test_real_framework_table_ranks_only_models_that_predict_out_of_sample(real):
    _, table = real
    assert list(table.columns) == FRAMEWORK_COLUMNS
    assert set(table["indicator"]) == set(JOBINDSATS_INDICATORS)
    for indicator, rows in table.groupby("indicator"):
        assert len(rows) == 98, indicator
        assert (rows["note"].isin(["", "missing", "small_count", fw.WEAK_MODEL])).all(), indicator
        assert 0 < rows["r_squared"].iloc[0] < 1
        cv = rows["cv_r_squared"].iloc[0]
        assert cv < rows["r_squared"].iloc[0]  # out of sample is harder
        ranked = rows[rows["rank"].notna()]
        if cv >= fw.CV_R2_FLOOR:
            assert len(ranked) == rows["n_ranked"].iloc[0] == rows["level"].notna().sum()
            best = ranked.loc[ranked["rank"].idxmin(), "residual_loo"]
            assert best == ranked["residual_loo"].max()
            assert (ranked["rank_low"] <= ranked["rank"]).all()
            assert (ranked["rank"] <= ranked["rank_high"]).all()
        else:
            assert ranked.empty and (rows["n_ranked"] == 0).all(), indicator
    unemployment = table[table["indicator"].eq("unemployment_rate")]
    assert "unemployment_level" not in unemployment["conditions"].iloc[0].split(";")
    goal = table[table["indicator"].eq("kh_aktivitetsparat_rate")]
    assert goal["n_ranked"].iloc[0] == 97  # Læsø: fewer than five persons
    column = framework_column(table, 101)
    assert list(column["indicator"]) == list(JOBINDSATS_INDICATORS)
    for text, rank in zip(framework_sentences(column, "da")["text"], column["rank"], strict=True):
        assert "beskrivende" in text and "krydsvalideret R²" in text
        assert ("af 9" in text) == (not pd.isna(rank))


def test_real_framework_is_cached_and_precomputed(real):
    paths, table = real
    (entry,) = entries(paths, "benchmark_framework")
    stamp = entry.path.stat().st_mtime_ns
    again = load_framework(paths)  # unchanged inputs and code: read, not recomputed
    assert entry.path.stat().st_mtime_ns == stamp
    pd.testing.assert_frame_equal(again, table)
    from analysis.benchmark.batch import precompute

    shutil.rmtree(entry.path.parent)
    precompute(paths)
    assert [e.digest for e in entries(paths, "benchmark_framework")] == [entry.digest]
