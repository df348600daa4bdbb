"""The same batch on a Dask distributed cluster (a LocalCluster stands in for SLURM)."""

from __future__ import annotations

import pytest

from analysis.reports.batch import RunOptions, run_reports

pytestmark = pytest.mark.slow


def test_batch_runs_on_a_dask_cluster(isolated_paths, toy_notebook):
    distributed = pytest.importorskip("distributed")
    out = isolated_paths.reports
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        options = RunOptions(
            municipalities=(580, 540),
            notebooks=(toy_notebook,),
            output=out,
            scheduler=cluster.scheduler_address,
            progress=False,
        )
        result = run_reports(options)
    assert result.ok, result.failed
    assert sorted(r["code"] for r in result.records) == [540, 580]
    assert (out / "540-soenderborg.html").is_file()
    assert (out / "580-aabenraa.html").is_file()
    assert 'href="580-aabenraa.html"' in (out / "index.html").read_text(encoding="utf-8")
