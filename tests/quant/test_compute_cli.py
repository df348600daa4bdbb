"""Shared results are computed once and read from the cache; the CLI writes the table;
the notebook views render in both languages."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import cli
from analysis.paths import LANGUAGES
from analysis.quant import batch, compute
from analysis.quant import specs as S
from analysis.quant import view as report
from analysis.quant.results import TIDY_COLUMNS

OUTCOMES = ["exit_job_education", "staff_sick_days"]


def test_results_are_cached_and_read_back(panel_csv, module_isolated_paths, monkeypatch):
    first = compute.load_results(panel_csv, OUTCOMES, paths=module_isolated_paths)
    assert set(first.estimates["outcome"]) == set(OUTCOMES)
    assert first.simulated and first.panel["municipalities"].iloc[0] == 30
    assert {"101", "751", S.NATIONAL} <= set(first.estimates["scope"])

    def boom(*args, **kwargs):
        raise AssertionError("recomputed although the cache is fresh")

    monkeypatch.setattr(compute, "run_all", boom)
    second = compute.load_results(panel_csv, OUTCOMES, paths=module_isolated_paths)
    pd.testing.assert_frame_equal(first.estimates, second.estimates)
    pd.testing.assert_frame_equal(first.units, second.units)
    # other parameters are another key: computed, not read
    with pytest.raises(AssertionError, match="recomputed"):
        compute.load_results(panel_csv, ["exit_job_education"], paths=module_isolated_paths)


def test_precompute_without_a_panel_does_nothing(module_isolated_paths):
    before = sorted((module_isolated_paths.processed / "cache").glob("*"))
    batch.precompute(module_isolated_paths)  # no processed caseload table: nothing to do
    assert sorted((module_isolated_paths.processed / "cache").glob("*")) == before


def test_municipality_rows_keep_national_and_own_scope(panel_csv, module_isolated_paths):
    results = compute.load_results(panel_csv, OUTCOMES, paths=module_isolated_paths)
    rows = compute.municipality_rows(results.estimates, 751)
    assert set(rows["scope"]) == {S.NATIONAL, "751"}
    assert compute.has_trial(results, 751) and not compute.has_trial(results, 147)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("municipality", [101, 147])
def test_report_views_render(panel_csv, module_isolated_paths, language, municipality):
    results = compute.load_results(panel_csv, OUTCOMES, paths=module_isolated_paths)
    view = report.build_view(results, municipality, language)
    assert view.truth is None  # a copied panel without its truth file beside it
    texts = [report.data_text(view), report.headline_text(view), report.per_ten_text(view),
             report.dose_text(view), report.mde_text(results, language)]  # fmt: skip
    assert all(texts)
    tables = [
        report.slopes(view),
        report.staggered(view),
        report.staggered_pretrend(view),
        report.mde_outcomes(results, language),
        report.mde_grid(results, language),
    ]
    tables += (
        [report.trial(view), report.trial_pretrend(view)]
        if view.has_trial
        else [report.units(view)]
    )
    assert all(not table.empty for table in tables)
    for make in (report.coefficient_figure, report.dose_figure, report.event_figure):
        fig, alt = make(view)
        assert fig is not None and alt
    assert view.headline["estimate"] is not None and view.headline["simulated"] is True
    files, simulated = report.input_files(results, module_isolated_paths)
    assert files[0] == panel_csv.resolve() and simulated == [panel_csv.resolve()]


def test_cli_writes_the_tidy_table(panel_csv, module_isolated_paths, tmp_path, capsys):
    out = tmp_path / "estimates.csv"
    code = cli.main(["regress", "--panel", str(panel_csv), "--outcomes", *OUTCOMES,
                     "--output", str(out)])  # fmt: skip
    assert code == 0
    table = pd.read_csv(out)
    assert tuple(table.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert set(table["outcome"]) == set(OUTCOMES)
    assert (tmp_path / "estimates_skipped.csv").is_file()
    assert "SIMULATED" in capsys.readouterr().out
