"""The simulated caseload panel: determinism, design features and fitness for purpose."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import yaml

from analysis import cli
from analysis.data.caseloads import (
    CASELOAD_OUTCOMES,
    is_simulated,
    read_caseload_panel,
    validate_caseload_panel,
)
from analysis.data.simulate import (
    SimulationConfig,
    _default_unemployment,
    simulate_caseloads,
    write_simulation,
)
from analysis.errors import InputError
from analysis.paths import ProjectPaths

SMALL = SimulationConfig(municipalities=(101, 147, 751, 825))
START = pd.Period("2024-01", "M")


@pytest.fixture(scope="module")
def unemployment(repo_paths: ProjectPaths) -> pd.DataFrame:
    return _default_unemployment(repo_paths)


@pytest.fixture(scope="module")
def default_run(unemployment: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    return simulate_caseloads(SimulationConfig(), unemployment)


# --- determinism and the committed files ----------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes(isolated_paths: ProjectPaths) -> None:
    out = isolated_paths.caseloads
    first = write_simulation(isolated_paths, SMALL, output=out / "a.csv")
    again = write_simulation(isolated_paths, SMALL, output=out / "b.csv")
    other = write_simulation(isolated_paths, replace(SMALL, seed=7), output=out / "c.csv")
    assert first[0].read_bytes() == again[0].read_bytes()
    assert first[1].read_bytes() == again[1].read_bytes()
    assert first[0].read_bytes() != other[0].read_bytes()
    assert first[1].name == "a_truth.yaml"


def test_committed_files_equal_what_the_code_writes(
    isolated_paths: ProjectPaths, repo_paths: ProjectPaths
) -> None:
    csv_path, truth_path = write_simulation(isolated_paths)
    assert csv_path == isolated_paths.simulated_caseloads
    assert csv_path.read_bytes() == repo_paths.simulated_caseloads.read_bytes(), (
        "data/raw/caseloads/simulated_caseloads.csv drifted from analysis.data.simulate; "
        "rerun `python -m analysis simulate`"
    )
    assert truth_path.read_bytes() == repo_paths.simulated_truth.read_bytes()


def test_committed_csv_reads_back_as_the_simulated_panel(
    repo_paths: ProjectPaths, default_run: tuple[pd.DataFrame, dict]
) -> None:
    panel, _ = default_run
    read = read_caseload_panel(repo_paths.simulated_caseloads)
    pd.testing.assert_frame_equal(read, panel)
    assert is_simulated(read)
    assert (read["data_origin"] == "simulated").all()


def test_cli_writes_both_files(isolated_paths: ProjectPaths, capsys) -> None:
    target = isolated_paths.caseloads / "demo.csv"
    assert cli.main(["simulate", "--seed", "3", "--output", str(target)]) == 0
    truth = yaml.safe_load(target.with_name("demo_truth.yaml").read_text(encoding="utf-8"))
    assert truth["seed"] == 3
    assert "SIMULATED" in capsys.readouterr().out
    assert len(read_caseload_panel(target)) == truth["size"]["rows"]


def test_the_command_lives_next_to_the_data_contract_with_the_same_options(capsys) -> None:
    """``python -m analysis simulate`` is ``analysis.data.cli_simulate`` like every other
    command, the generator sits beside the caseload contract, and the options stay."""
    import importlib.util

    assert cli.COMMANDS["simulate"][0] == "analysis.data.cli_simulate"
    assert importlib.util.find_spec("analysis.simulate") is None
    assert importlib.util.find_spec("analysis.data.simulate") is not None
    with pytest.raises(SystemExit) as info:
        cli.main(["simulate", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m analysis simulate [-h] [--seed SEED] [--output OUTPUT]")
    assert "--trial-start TRIAL_START" in out


# --- the panel ------------------------------------------------------------------------


def test_panel_validates_and_is_already_normalised(default_run) -> None:
    panel, truth = default_run
    pd.testing.assert_frame_equal(validate_caseload_panel(panel), panel)
    assert set(CASELOAD_OUTCOMES) <= set(panel.columns)
    assert truth["size"]["rows"] == len(panel)


def test_covers_all_municipalities_and_the_snapshot_months(default_run) -> None:
    panel, _ = default_run
    assert panel["municipality_code"].nunique() == 98
    assert panel["period"].min() == pd.Period("2021-08", "M")
    assert panel["period"].max() == pd.Period("2026-07", "M")
    assert panel.groupby(["municipality_code", "unit"]).size().eq(60).all()
    units = panel.groupby("municipality_code")["unit"].nunique()
    assert 250 <= units.sum() <= 400
    assert units[101] == 8 and units[751] == 8  # København, Aarhus
    assert units[825] == 1  # Læsø
    assert units.min() == 1 and units.max() == 8


def test_unemployment_rate_is_the_real_one(default_run, repo_paths: ProjectPaths) -> None:
    panel, _ = default_run
    snapshot = json.loads(repo_paths.jobindsats_snapshot.read_text(encoding="utf-8"))
    real = snapshot["municipalities"]["koebenhavn"]["unemployment"]["totalRate"]
    kbh = panel[(panel["municipality_code"] == 101) & (panel["unit"] == "team_01")]
    assert kbh["unemployment_rate"].tolist() == [float(x) for x in real]


def test_koebenhavn_trial_and_ordinary_units(default_run) -> None:
    panel, _ = default_run
    kbh = panel[panel["municipality_code"] == 101]
    post = kbh["period"] >= START
    trial = kbh["unit"] == "forsoeg"
    assert (kbh.loc[trial, "treated"] == 1).all()
    assert (kbh.loc[trial, "trial_start"] == START).all()
    assert (kbh.loc[~trial, "treated"] == 0).all() and kbh.loc[~trial, "trial_start"].isna().all()
    trial_post = kbh.loc[trial & post, "caseload"]
    assert trial_post.between(45, 55).all() and abs(trial_post.mean() - 50) < 1
    assert 185 <= kbh.loc[trial & ~post, "caseload"].mean() <= 215
    assert 185 <= kbh.loc[~trial & ~post, "caseload"].mean() <= 215
    assert 120 <= kbh.loc[~trial & post, "caseload"].mean() <= 130


def test_staggered_adopters(default_run) -> None:
    panel, truth = default_run
    units = panel.drop_duplicates(["municipality_code", "unit"])
    adopters = units[(units["treated"] == 1) & (units["municipality_code"] != 101)]
    assert 5 <= len(adopters) <= 10
    assert adopters["trial_start"].notna().all()
    assert adopters["trial_start"].nunique() >= 3
    assert units.loc[units["treated"] == 0, "trial_start"].isna().all()
    merged = panel.merge(adopters[["municipality_code", "unit"]])
    after = merged[merged["period"] >= merged["trial_start"]]
    assert after["caseload"].between(50, 72).all()
    assert abs(after["caseload"].mean() - 60) < 2
    cohorts = truth["staggered_cohorts"]
    assert {"2023-01", "2024-07", "2025-01"} <= set(cohorts)


def test_trial_start_is_a_parameter(unemployment: pd.DataFrame) -> None:
    panel, truth = simulate_caseloads(replace(SMALL, trial_start="2023-06"), unemployment)
    trial = panel[panel["unit"] == "forsoeg"]
    assert (trial["trial_start"] == pd.Period("2023-06", "M")).all()
    assert trial.loc[trial["period"] == pd.Period("2023-05", "M"), "caseload"].iloc[0] > 100
    assert trial.loc[trial["period"] == pd.Period("2023-06", "M"), "caseload"].iloc[0] < 60
    assert truth["trial_start"] == "2023-06"


def test_bad_config_is_an_input_error(unemployment: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="inside the data window"):
        simulate_caseloads(replace(SMALL, trial_start="2018-01"), unemployment)
    with pytest.raises(InputError, match="without unemployment data"):
        simulate_caseloads(replace(SMALL, municipalities=(101, 999)), unemployment)


def test_shares_stay_in_range_without_clipping(default_run) -> None:
    panel, truth = default_run
    for name, spec in CASELOAD_OUTCOMES.items():
        assert panel[name].min() > 0, name
        if spec.is_share:
            assert panel[name].max() < 1, name
        assert truth["outcomes"][name]["clipped_values"] == 0


def test_clipping_is_counted_when_it_happens(unemployment: pd.DataFrame) -> None:
    noisy = tuple(replace(e, noise_sd=e.mean) for e in SimulationConfig().outcomes)
    panel, truth = simulate_caseloads(replace(SMALL, outcomes=noisy), unemployment)
    clipped = truth["outcomes"]["exit_job_education"]["clipped_values"]
    assert clipped > 0
    assert (panel["exit_job_education"] == 0).sum() >= clipped * 0.5
    assert panel["exit_job_education"].between(0, 1).all()


# --- the truth file ---------------------------------------------------------------------


def test_truth_holds_the_parameters(default_run) -> None:
    _, truth = default_run
    config = SimulationConfig()
    assert truth["seed"] == config.seed
    assert truth["trial_start"] == "2024-01"
    assert truth["ar_rho"]["outcomes"] == config.outcome_rho
    for effect in config.outcomes:
        entry = truth["outcomes"][effect.name]
        assert entry["beta_log_caseload"] == effect.beta_log_caseload
        assert entry["beta_unemployment_rate"] == effect.beta_unemployment
        assert entry["noise_sd"] == effect.noise_sd


def test_implied_koebenhavn_did_matches_the_panel(default_run) -> None:
    panel, truth = default_run
    kbh = panel[panel["municipality_code"] == 101].assign(log_c=lambda d: np.log(d["caseload"]))
    post = kbh["period"] >= START
    trial = kbh["unit"] == "forsoeg"

    def change(rows: pd.Series) -> float:
        return kbh.loc[rows & post, "log_c"].mean() - kbh.loc[rows & ~post, "log_c"].mean()

    delta = change(trial) - change(~trial)
    did = truth["koebenhavn_did"]
    assert did["delta_log_caseload"] == pytest.approx(delta, rel=1e-9)
    assert delta == pytest.approx(np.log(50 / 125), abs=0.05)
    for name, entry in truth["outcomes"].items():
        expected = entry["beta_log_caseload"] * delta
        assert did["implied_effect"][name] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert did["implied_effect"]["exit_job_education"] > 0  # lower caseload, more exits


# --- fitness for purpose: confounding is real, the within estimator removes it -----------


def _pooled(panel: pd.DataFrame, outcome: str) -> tuple[float, float]:
    fit = sm.OLS(panel[outcome], sm.add_constant(np.log(panel["caseload"]))).fit()
    return float(fit.params["caseload"]), float(fit.bse["caseload"])


def _within(panel: pd.DataFrame, outcome: str) -> tuple[float, float]:
    """Two-way demeaned OLS (balanced panel) with the unemployment rate, SE clustered
    by unit."""
    unit = panel.groupby(["municipality_code", "unit"]).ngroup()

    def demean(values: pd.Series) -> pd.Series:
        by_unit = values.groupby(unit).transform("mean")
        by_month = values.groupby(panel["period"]).transform("mean")
        return values - by_unit - by_month + values.mean()

    x = pd.DataFrame(
        {
            "log_caseload": demean(np.log(panel["caseload"])),
            "unemployment": demean(panel["unemployment_rate"]),
        }
    )
    fit = sm.OLS(demean(panel[outcome]), x).fit(cov_type="cluster", cov_kwds={"groups": unit})
    return float(fit.params["log_caseload"]), float(fit.bse["log_caseload"])


@pytest.mark.parametrize("outcome", list(CASELOAD_OUTCOMES))
def test_pooled_is_confounded_and_within_recovers_the_truth(default_run, outcome: str) -> None:
    panel, truth = default_run
    beta = truth["outcomes"][outcome]["beta_log_caseload"]
    pooled, pooled_se = _pooled(panel, outcome)
    within, within_se = _within(panel, outcome)
    assert abs(pooled - beta) > 5 * pooled_se, (pooled, beta, pooled_se)
    assert abs(pooled - beta) > 10 * within_se, (pooled, beta, within_se)
    assert abs(within - beta) < 3 * within_se, (within, beta, within_se)
    if beta != 0:
        assert abs(pooled - beta) > 0.75 * abs(beta)  # not just a precise small bias
        assert abs(within - beta) < 0.1 * abs(beta)
        assert abs(beta) > 5 * within_se  # the effect is detectable


def test_the_bias_comes_from_the_two_confounders(default_run, unemployment) -> None:
    """Switching off the unit and unemployment confounding shrinks the pooled bias."""
    plain = replace(SimulationConfig(), unit_confounding=0.0, caseload_unemployment_slope=0.0)
    runs = {"confounded": default_run, "plain": simulate_caseloads(plain, unemployment)}
    bias = {}
    for label, (panel, truth) in runs.items():
        relative = []
        for name, entry in truth["outcomes"].items():
            beta = entry["beta_log_caseload"]
            if beta != 0:
                relative.append(abs(_pooled(panel, name)[0] - beta) / abs(beta))
        bias[label] = float(np.mean(relative))
    assert bias["confounded"] > 3 * bias["plain"], bias


def test_small_configs_for_monte_carlo(unemployment: pd.DataFrame) -> None:
    seen = set()
    for seed in range(5):
        panel, truth = simulate_caseloads(replace(SMALL, seed=seed), unemployment)
        assert set(panel["municipality_code"]) == {101, 147, 751, 825}
        assert truth["koebenhavn_did"] is not None
        seen.add(round(float(panel["exit_job_education"].sum()), 6))
    assert len(seen) == 5
    without_kbh, truth = simulate_caseloads(replace(SMALL, municipalities=(147,)), unemployment)
    assert truth["koebenhavn_did"] is None
    assert (without_kbh["treated"] == 0).all()


def test_simulate_without_unemployment_reads_the_snapshot(
    isolated_paths: ProjectPaths, unemployment: pd.DataFrame
) -> None:
    panel, truth = simulate_caseloads(SMALL)
    expected, expected_truth = simulate_caseloads(SMALL, unemployment)
    pd.testing.assert_frame_equal(panel, expected)
    assert truth == expected_truth
