"""Bad input gives a clear message and skips the model; wrong schemas fail loudly."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import cli
from analysis.errors import InputError
from analysis.labels import t
from analysis.paths import LANGUAGES
from analysis.quant import specs as S
from analysis.quant.checks import REASONS
from analysis.quant.compute import load_results
from analysis.quant.fit import fit_pooled, fit_twfe, run_all
from analysis.quant.results import skipped_notes
from analysis.quant.specs import SpecConfig, prepare_panel

FAST = SpecConfig(wild_reps=99)


def _reasons(run, spec: str) -> dict[str, str]:
    rows = run.skipped[run.skipped["spec"] == spec]
    return dict(zip(rows["outcome"], rows["reason"], strict=True))


def test_one_unit_is_skipped_with_a_message(small_panel):
    panel, _ = small_panel
    one = panel[(panel["municipality_code"] == 101) & (panel["unit"] == "team_01")]
    run = run_all(one, ["exit_job_education"], FAST)
    assert run.estimates.empty
    twfe = run.skipped[run.skipped["spec"] == S.TWFE_LOG].iloc[0]
    assert twfe["reason"] == "one_unit" and twfe["value"] == "1" and twfe["limit"] == "2"
    assert "needs at least 2 units; the data have 1" in twfe["message"]
    pooled = run.skipped[run.skipped["spec"] == S.POOLED].iloc[0]
    assert pooled["reason"] == "few_clusters"


def test_constant_caseload_is_skipped(small_panel):
    panel, _ = small_panel
    flat = panel.assign(caseload=150.0)
    frame = prepare_panel(flat)
    run = run_all(flat, ["exit_job_education"], FAST)
    assert _reasons(run, S.TWFE_LOG) == {"exit_job_education": "no_caseload_variation"}
    assert _reasons(run, S.POOLED) == {"exit_job_education": "no_caseload_variation"}
    assert _reasons(run, S.DOSE) == {"exit_job_education": "few_bands"}
    assert fit_twfe(frame, ["exit_job_education"], FAST).estimates.empty


def test_missing_outcome_column_is_named(small_panel):
    panel, _ = small_panel
    frame = prepare_panel(panel)
    run = fit_twfe(frame, ["exit_job_education", "no_such_outcome"], FAST)
    assert list(run.estimates["outcome"]) == ["exit_job_education"]
    skip = run.skipped.iloc[0]
    assert (skip["outcome"], skip["reason"]) == ("no_such_outcome", "missing_outcome")
    assert "'no_such_outcome' is not in the panel" in skip["message"]


def test_panel_without_outcomes_says_so(small_panel):
    panel, _ = small_panel
    bare = panel[["municipality_code", "unit", "period", "caseload", "unemployment_rate"]]
    run = run_all(bare, None, FAST)
    assert run.estimates.empty
    assert set(run.skipped["reason"]) == {"no_outcomes"}


def test_too_few_clusters(small_panel):
    panel, _ = small_panel
    three = panel[
        (panel["municipality_code"] == 101) & panel["unit"].isin(["team_01", "team_02", "team_03"])
    ]
    run = fit_pooled(prepare_panel(three), ["exit_job_education"], FAST)
    skip = run.skipped.iloc[0]
    assert skip["reason"] == "few_clusters" and (skip["value"], skip["limit"]) == ("3", "4")
    assert run.estimates.empty


def test_no_trial_is_skipped_not_estimated(small_panel):
    panel, _ = small_panel
    never = panel[panel["treated"] == 0]
    run = run_all(never, ["exit_job_education"], FAST)
    assert set(run.estimates["spec"]) == {S.POOLED, S.TWFE_LOG, S.TWFE_LEVEL, S.DOSE, S.SPLINE}
    assert set(run.skipped["reason"]) == {"no_trial"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reason_has_a_sentence_in_both_languages(language):
    rows = pd.DataFrame(
        [
            {"spec": S.TWFE_LOG, "scope": S.NATIONAL, "outcome": "exit_job_education",
             "reason": reason, "value": "3", "limit": "4", "message": ""}
            for reason in REASONS
        ]
    )  # fmt: skip
    notes = skipped_notes(rows, language, [S.NATIONAL])
    assert len(notes) == len(REASONS)
    assert all(t(f"quant.spec.{S.TWFE_LOG}", language) in note for note in notes)


def test_wrong_schema_fails_through_the_contract(tmp_path, isolated_paths):
    bad = tmp_path / "panel.csv"
    bad.write_text("municipality_code,unit,period,cases\n101,a,2024-01,5\n", encoding="utf-8")
    with pytest.raises(InputError, match="caseload"):
        load_results(bad, paths=isolated_paths)


def test_cli_reports_a_wrong_schema_as_an_error(tmp_path, isolated_paths, capsys):
    bad = tmp_path / "panel.csv"
    bad.write_text("municipality_code;unit\n101;a\n", encoding="utf-8")
    code = cli.main(["regress", "--panel", str(bad), "--output", str(tmp_path / "out.csv")])
    assert code == 1
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()
