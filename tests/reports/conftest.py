"""Fixtures for the report pipeline: small test notebooks, one shared batch run."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.reports.batch import RunOptions, run_reports

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
TOY = FIXTURES / "10_toy_report.ipynb"
FAILS_FOR_147 = FIXTURES / "11_fails_for_147.ipynb"


@pytest.fixture(scope="module")
def toy_batch(module_isolated_paths):
    """One batch over three municipalities (147 fails on purpose), two workers."""
    out = module_isolated_paths.reports
    options = RunOptions(
        municipalities=(101, 147, 580),
        notebooks=(TOY, FAILS_FOR_147),
        workers=2,
        output=out,
        progress=False,
    )
    return options, run_reports(options), out


@pytest.fixture(scope="session")
def toy_notebook() -> Path:
    return TOY
