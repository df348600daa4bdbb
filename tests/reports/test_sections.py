"""The sections registry: every registered notebook exists, functions are real imports,
and batch planning follows the registry (not strings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.paths import get_paths
from analysis.reports import sections
from analysis.reports.sections import MUNICIPALITY_SECTIONS, Section, precompute_all, section_for


def test_every_registered_section_has_its_notebook_and_callables():
    notebooks = {p.name for p in get_paths().notebooks.glob("[0-9][0-9]_*.ipynb")}
    for section in MUNICIPALITY_SECTIONS:
        assert section.notebook in notebooks, section.key
        for function in (section.precompute, section.applies_to):
            assert function is None or callable(function)
        for linked in section.links.values():
            assert linked in sections.REGISTERED, f"{section.key} links to unknown {linked}"


def test_a_notebook_outside_the_registry_is_a_plain_section():
    plain = section_for(Path("/somewhere/99_my_analysis.ipynb"))
    assert plain == Section("99_my_analysis")
    assert plain.precompute is None and plain.applies_to is None


def test_shared_work_runs_once_per_function():
    calls = []

    def work(paths, helpers=None):
        calls.append(paths)

    precompute_all([Section("a", precompute=work), Section("b", precompute=work)], "P")
    assert calls == ["P"]


def test_with_an_executor_the_first_function_runs_here_and_the_others_there():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    calls = {}

    def record(name):
        def work(paths, helpers=None):
            calls[name] = (paths, threading.current_thread().name, helpers)

        return work

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="pool") as pool:
        precompute_all(
            [Section("a", precompute=record("a")), Section("b", precompute=record("b"))],
            "P",
            pool,
        )
        assert calls["a"] == ("P", threading.current_thread().name, pool)  # may hand work on
        assert calls["b"][:2] == ("P", calls["b"][1]) and calls["b"][1].startswith("pool")
        assert calls["b"][2] is None


def test_an_error_in_pooled_shared_work_is_raised_after_the_rest_finished():
    from concurrent.futures import ThreadPoolExecutor

    finished = []

    def slow(paths, helpers=None):
        import time

        time.sleep(0.2)
        finished.append("slow")

    def broken(paths, helpers=None):
        raise ValueError("broken shared work")

    sections_ = [Section("a", precompute=slow), Section("b", precompute=broken)]
    with (
        ThreadPoolExecutor(max_workers=2) as pool,
        pytest.raises(ValueError, match="broken shared work"),
    ):
        precompute_all(sections_, "P", pool)
    assert finished == ["slow"]


def test_the_workers_kernels_load_each_sections_view_module():
    modules = sections.preload_modules((*sections.NATIONAL_SECTIONS, *MUNICIPALITY_SECTIONS))
    assert modules == (
        "analysis.quant.view",
        "analysis.qual.view",
        "analysis.benchmark.view",
        "analysis.mixed.view",
    )


def test_index_headlines_come_from_the_sections_that_glue_them():
    columns = [h.column for h in sections.HEADLINES]
    assert columns == [
        "benchmark_unemployment",
        "benchmark_unemployment_development",
        "benchmark_period",
        "benchmark_period_start",
        "benchmark_better",
        "benchmark_worse",
        "benchmark_up",
        "benchmark_down",
        "trial",
        "interview_sources",
    ]
    by_scrap = {h.scrap: s.key for s in MUNICIPALITY_SECTIONS for h in s.headlines}
    assert by_scrap == {
        "benchmark_headline": "03_benchmark_scorecard",
        "caseload_own": "02_caseload_regressions",
        "n_sources": "01_qualitative_themes",
    }


def test_planning_links_the_mixed_methods_notebook_to_the_regression_notebook(tmp_path):
    from analysis.reports.batch import RunOptions, plan_jobs

    paths = get_paths()
    notebooks = tuple(sorted(paths.notebooks.glob("0[24]_*.ipynb")))
    job = plan_jobs(RunOptions((101,), notebooks, output=tmp_path), paths)[0]
    params = {key: p for key, _, p in job.notebooks}
    assert Path(params["04_mixed_methods"]["regression_notebook"]) == (
        Path(job.notebook_dir) / "02_caseload_regressions.ipynb"
    )
