"""The joint display's estimates: the shared quantitative results, never a notebook."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest
from mixedtest_helpers import estimates, national, trial, write_executed_notebook

from analysis.mixed.estimates import outcome_effects, read_estimates
from analysis.quant.results import per_ten_fewer


def _table(municipality: int = 101, shift: float = 0.0) -> pd.DataFrame:
    return estimates(
        [
            national("exit_job_education", -0.012 + shift, -0.015 + shift, -0.009 + shift),
            national("staff_sick_days", 0.35, 0.30, 0.40),
            trial("exit_job_education", 0.012, 0.004, 0.020, municipality),
            trial("exit_job_education", 0.013, 0.010, 0.016, municipality, spec="did"),
        ]
    )


@pytest.fixture
def fallback(monkeypatch):
    """Replace the shared results by a known table (computing them takes a minute)."""
    calls = []

    def fake_load_results(panel_path=None, outcomes=None, paths=None):
        calls.append(panel_path)
        return SimpleNamespace(estimates=pd.concat([_table(shift=0.001), _table(580)]))

    monkeypatch.setattr("analysis.quant.compute.load_results", fake_load_results)
    return calls


def test_reads_the_shared_quantitative_results(fallback):
    source = read_estimates(101, panel_path="panel.csv")
    assert source.origin == "shared"
    assert fallback == ["panel.csv"]
    # only the national rows and this municipality's rows
    assert set(source.estimates["scope"]) == {"national", "101"}
    slope = source.estimates.query("spec == 'twfe_log' and outcome == 'exit_job_education'")
    assert math.isclose(slope["estimate"].iloc[0], -0.011)  # the shared results' numbers
    assert source.simulated


def test_mixed_reads_no_notebook(notebook_paths, tmp_path, monkeypatch):
    """Issue 23: ``mixed`` reads the quantitative results, not notebook 02's scraps.
    Before, an executed notebook 02 given as ``regression_notebook`` was read (and one
    run for another municipality was refused); now it is not opened at all, and the
    estimates are the shared results' whether a notebook exists, is missing or is given
    at all."""
    import nbformat
    import scrapbook

    from analysis.data.store import prepare

    assert prepare(notebook_paths).ok  # the caseload panel the joint display links to

    def no_notebook(*args, **kwargs):
        raise AssertionError("mixed read a notebook")

    shared_results = SimpleNamespace(estimates=_table(shift=0.001))
    monkeypatch.setattr(
        "analysis.quant.compute.load_results", lambda *args, **kwargs: shared_results
    )
    monkeypatch.setattr(nbformat, "read", no_notebook)
    monkeypatch.setattr(scrapbook, "read_notebook", no_notebook)
    monkeypatch.setattr(scrapbook.models, "Notebook", no_notebook)
    other = write_executed_notebook(  # another municipality's numbers: must not be used
        tmp_path / "02.ipynb", {"estimates": _table(580, shift=0.5)}, {"municipality": 580}
    )
    from analysis.mixed import estimates as module
    from analysis.mixed import view as mr

    assert not hasattr(module, "estimates_from_notebook")
    shared = read_estimates(101)
    pd.testing.assert_frame_equal(shared.estimates, shared_results.estimates)
    runs = [mr.analyse(101, regression_notebook=given) for given in (None, other, "absent.ipynb")]
    for res in runs:
        assert res.estimates.origin == "shared"
        pd.testing.assert_frame_equal(res.estimates.estimates, shared.estimates)
        pd.testing.assert_frame_equal(res.effects, runs[0].effects)
    assert "fælles" in mr.estimates_text(runs[1], "da")


def test_outcome_effects_prefer_the_trial_and_convert_the_slope():
    frame = _table()
    effects = outcome_effects(
        frame, ["exit_job_education", "staff_sick_days", "staff_turnover"], 101, basis="trial"
    ).set_index("outcome")
    expected = per_ten_fewer(frame[frame["spec"] == "twfe_log"]).set_index("outcome")
    job = effects.loc["exit_job_education"]
    assert math.isclose(job["effect_10"], expected.loc["exit_job_education", "effect"])
    assert math.isclose(job["effect_10"], -0.012 * math.log(140 / 150) * 100)  # pp
    # the unit-level DiD is preferred over the fixed-effects DiD, in percentage points
    assert job["trial_spec"] == "did_collapsed"
    assert math.isclose(job["trial_effect"], 1.2) and math.isclose(job["trial_ci_low"], 0.4)
    assert (job["basis"], job["effect"]) == ("trial", job["trial_effect"])
    sick = effects.loc["staff_sick_days"]  # no trial row: falls back to the national slope
    assert sick["basis"] == "national" and math.isclose(sick["effect"], sick["effect_10"])
    assert sick["effect_10"] < 0  # not a share: own units, not scaled
    none = effects.loc["staff_turnover"]
    assert none["basis"] is None and pd.isna(none["effect"])


def test_outcome_effects_national_basis_ignores_the_trial():
    effects = outcome_effects(_table(), ["exit_job_education"], 101, basis="national")
    row = effects.iloc[0]
    assert row["basis"] == "national" and math.isclose(row["effect"], row["effect_10"])
    assert math.isclose(row["trial_effect"], 1.2)  # still shown
    with pytest.raises(ValueError):
        outcome_effects(_table(), ["exit_job_education"], 101, basis="both")
