"""Reruns give byte-identical pages apart from the one marked timestamp line, whether
the kernel is fresh or has just run another municipality."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.reports import batch
from analysis.reports.batch import RunOptions

pytestmark = pytest.mark.slow

TIMESTAMP = re.compile(r'^<p class="report-timestamp" data-volatile="timestamp">.*$', re.M)


def without_timestamp(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert len(TIMESTAMP.findall(text)) == 1
    return TIMESTAMP.sub("", text)


def test_fresh_and_reused_kernels_give_identical_reports(isolated_paths, toy_notebook):
    options = RunOptions(
        municipalities=(580, 101),
        notebooks=(toy_notebook,),
        output=isolated_paths.reports,
        force=True,
    )
    jobs = {job.code: job for job in batch.plan_jobs(options, isolated_paths)}
    try:
        batch.shutdown_worker_kernel()
        assert batch.run_job(jobs[580])["status"] == "ok"  # fresh kernel
        first = without_timestamp(Path(jobs[580].html))
        assert batch.run_job(jobs[101])["status"] == "ok"  # kernel now holds 101's names
        assert batch.run_job(jobs[580])["status"] == "ok"  # reused kernel
        second = without_timestamp(Path(jobs[580].html))
    finally:
        batch.shutdown_worker_kernel()
    assert first == second
    assert "/tmp" not in first and str(isolated_paths.root) not in first
