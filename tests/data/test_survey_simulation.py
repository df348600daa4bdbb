"""The SIMULATED experience surveys: written by ``python -m analysis simulate`` beside an
unchanged caseload panel, deterministic, labelled simulated, and with a known effect of
caseload on every value goal that the two-way fixed-effects regression recovers."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import cli
from analysis.data.caseloads import SURVEY_OUTCOMES, read_caseload_panel
from analysis.data.simulate import (
    SimulationConfig,
    _default_unemployment,
    simulate_caseloads,
    survey_files,
    write_simulation,
)
from analysis.data.simulate_surveys import SurveySimulationConfig, simulate_surveys
from analysis.data.survey_items import load_survey_items
from analysis.data.survey_summaries import join_survey_outcomes
from analysis.data.surveys import read_survey_file, validate_survey_frame
from analysis.paths import ProjectPaths
from analysis.quant import specs as S
from analysis.quant.fit import fit_pooled, fit_twfe

REPO = Path(__file__).resolve().parents[2]
SURVEYS = REPO / "data" / "raw" / "surveys"
ITEMS = load_survey_items(SURVEYS / "items.yaml")
NAMES = ("simulated_citizen_survey.csv", "simulated_staff_survey.csv")
SMALL = SimulationConfig(municipalities=(101, 147, 751, 825))


def survey_folder_with_items(paths: ProjectPaths) -> Path:
    folder = paths.raw / "surveys"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SURVEYS / "items.yaml", folder / "items.yaml")
    return folder


@pytest.fixture(scope="module")
def committed(repo_paths):
    """The committed caseload panel joined with the committed simulated surveys."""
    panel = read_caseload_panel(repo_paths.simulated_caseloads).assign(
        source_file="simulated_caseloads.csv"
    )
    tables = [
        read_survey_file(SURVEYS / name, ITEMS).table.assign(source_file=name) for name in NAMES
    ]
    return join_survey_outcomes(panel, pd.concat(tables, ignore_index=True))


@pytest.fixture(scope="module")
def truth() -> dict:
    out: dict = {}
    for name in NAMES:
        text = (SURVEYS / f"{Path(name).stem}_truth.yaml").read_text(encoding="utf-8")
        out.update(yaml.safe_load(text)["outcomes"])
    return out


# --- the files ----------------------------------------------------------------------------


def test_simulate_writes_the_committed_surveys_and_leaves_the_caseload_panel_as_it_was(
    isolated_paths: ProjectPaths, repo_paths: ProjectPaths, capsys
) -> None:
    folder = survey_folder_with_items(isolated_paths)
    assert cli.main(["simulate"]) == 0
    out = capsys.readouterr().out
    assert isolated_paths.simulated_caseloads.read_bytes() == (
        repo_paths.simulated_caseloads.read_bytes()
    ), "the simulated caseload panel must keep its bytes"
    assert isolated_paths.simulated_truth.read_bytes() == repo_paths.simulated_truth.read_bytes()
    for path in survey_files(folder):
        assert path.read_bytes() == (SURVEYS / path.name).read_bytes(), (
            f"data/raw/surveys/{path.name} drifted from analysis.data.simulate_surveys; "
            "rerun `python -m analysis simulate`"
        )
        assert str(path) in out
    assert out.count("(SIMULATED data)") == 3


def test_survey_options_of_the_command(isolated_paths: ProjectPaths, capsys) -> None:
    folder = survey_folder_with_items(isolated_paths)
    target = isolated_paths.caseloads / "demo.csv"
    assert cli.main(["simulate", "--seed", "3", "--output", str(target)]) == 0
    assert not any(p.exists() for p in survey_files(folder)), "--output alone: panel only"
    other = isolated_paths.root / "unused"
    assert cli.main(["simulate", "--no-surveys", "--surveys", str(other)]) == 0
    assert not any(p.exists() for p in survey_files(folder))
    capsys.readouterr()


def test_same_seed_same_bytes_other_seed_other_answers(isolated_paths: ProjectPaths) -> None:
    folder = survey_folder_with_items(isolated_paths)
    out = isolated_paths.caseloads
    write_simulation(isolated_paths, SMALL, output=out / "a.csv", survey_folder=folder)
    first = {p.name: p.read_bytes() for p in survey_files(folder)}
    write_simulation(isolated_paths, SMALL, output=out / "a.csv", survey_folder=folder)
    assert {p.name: p.read_bytes() for p in survey_files(folder)} == first
    write_simulation(isolated_paths, replace(SMALL, seed=7), output=out / "b.csv",
                     survey_folder=folder)  # fmt: skip
    again = {p.name: p.read_bytes() for p in survey_files(folder)}
    assert all(again[name] != first[name] for name in NAMES)


def test_the_committed_surveys_are_labelled_simulated_and_fit_the_contract() -> None:
    for name in NAMES:
        survey = read_survey_file(SURVEYS / name, ITEMS)
        assert survey.simulated and survey.table["data_origin"].eq("simulated").all()
        raw = pd.read_csv(SURVEYS / name, dtype=str, keep_default_na=False)
        assert raw["data_origin"].eq("simulated").all()
        truth = yaml.safe_load(
            (SURVEYS / f"{Path(name).stem}_truth.yaml").read_text(encoding="utf-8")
        )
        assert truth["size"]["rows"] == len(raw)
        assert truth["description"].startswith("SIMULATED")
        assert all(o["clipped_values"] == 0 for o in truth["outcomes"].values())
    citizen = read_survey_file(SURVEYS / NAMES[0], ITEMS)
    staff = read_survey_file(SURVEYS / NAMES[1], ITEMS)
    assert (citizen.survey, citizen.layout) == ("citizen", "aggregated")
    assert (staff.survey, staff.layout) == ("staff", "respondents")
    months = staff.table.drop_duplicates(["unit", "municipality_code", "period"])
    assert (months["respondents"] < 5).mean() > 0.05, "the demo shows the small-count rule"


# --- the known effect ---------------------------------------------------------------------


def test_every_value_goal_is_in_the_panel(committed) -> None:
    for goal in SURVEY_OUTCOMES:
        values = committed[goal].dropna()
        assert len(values) > 2000, goal
        assert values.between(0, 1).all()


def test_fixed_effects_recover_the_true_effect_and_pooled_ols_does_not(committed, truth) -> None:
    frame = S.prepare_panel(committed)
    goals = list(SURVEY_OUTCOMES)
    twfe = fit_twfe(frame, goals, S.DEFAULT_CONFIG).estimates.set_index("outcome")
    pooled = fit_pooled(frame, goals, S.DEFAULT_CONFIG).estimates
    pooled = pooled[pooled["term"] == S.TERM_LOG].set_index("outcome")
    covered = 0
    for goal in goals:
        beta = truth[goal]["beta_log_caseload"]
        row = twfe.loc[goal]
        se = (row["ci_high"] - row["ci_low"]) / 3.92
        assert abs(row["estimate"] - beta) < 3 * se, (goal, beta, row["estimate"])
        covered += row["ci_low"] <= beta <= row["ci_high"]
        assert row["ci_high"] < 0, "the effect is detectable"
        assert not pooled.loc[goal, "ci_low"] <= beta <= pooled.loc[goal, "ci_high"], goal
    # five 95 % intervals: at least four cover (the Monte Carlo below checks the rate)
    assert covered >= 4


def test_monte_carlo_intervals_cover_the_truth_about_95_percent(repo_paths) -> None:
    """30 municipalities without trials (caseloads move with unemployment and noise in
    every cluster); the caseload panel is drawn once, the survey answers 100 times."""
    unemployment = _default_unemployment(repo_paths)
    codes = sorted(set(unemployment["municipality_code"]) - {101, *dict(SMALL.adopters)})[:30]
    config = replace(SimulationConfig(), municipalities=tuple(codes), adopters=())
    panel, _ = simulate_caseloads(config, unemployment)
    citizen = replace(SurveySimulationConfig(), designs=SurveySimulationConfig().designs[:1])
    beta = next(g.beta_log_caseload for g in citizen.goals if g.name == "citizen_goal_direction")
    spec = S.SpecConfig(few_clusters=0)
    estimates, covered = [], []
    for seed in range(1, 101):
        (survey,) = simulate_surveys(panel, ITEMS, replace(citizen, seed=seed))
        table = validate_survey_frame(survey.frame, ITEMS, "draw").table
        frame = S.prepare_panel(join_survey_outcomes(panel, table))
        row = fit_twfe(frame, ["citizen_goal_direction"], spec).estimates.iloc[0]
        estimates.append(row["estimate"])
        covered.append(row["ci_low"] <= beta <= row["ci_high"])
    rate = float(np.mean(covered))
    assert 0.88 <= rate <= 0.99, rate
    mc_se = np.std(estimates) / np.sqrt(len(estimates))
    assert abs(np.mean(estimates) - beta) < 3 * mc_se
