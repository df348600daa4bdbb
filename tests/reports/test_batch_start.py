"""How a batch starts: the workers start before planning on a cold run only, and every
process of a batch runs its numeric libraries with one thread."""

from __future__ import annotations

import os
from pathlib import Path

from threadpoolctl import threadpool_info

from analysis.reports.batch import ONE_THREAD, RunOptions, _cold, one_thread_per_process


def test_workers_start_before_planning_only_when_every_page_will_be_built(tmp_path):
    plain = RunOptions(municipalities=(), notebooks=())
    assert _cold(plain, tmp_path)  # nothing recorded yet
    (tmp_path / ".state").mkdir()
    assert _cold(plain, tmp_path)  # an empty record folder
    (tmp_path / ".state" / "101.json").write_text("{}", encoding="utf-8")
    assert not _cold(plain, tmp_path)  # a rerun plans first
    assert _cold(RunOptions((), (), force=True), tmp_path)
    assert not _cold(RunOptions((), (), retry_failed=True), Path(tmp_path / "none"))
    assert not _cold(RunOptions((), (), scheduler="tcp://x:1"), Path(tmp_path / "none"))


def test_one_thread_per_process_sets_limits_and_restores_the_environment(monkeypatch):
    for key in ONE_THREAD:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # the user's own setting is kept
    with one_thread_per_process():
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
        assert os.environ["OMP_NUM_THREADS"] == "1"
        assert os.environ["MKL_NUM_THREADS"] == "3"
        blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
        assert blas and all(pool["num_threads"] == 1 for pool in blas)
    assert "OPENBLAS_NUM_THREADS" not in os.environ and "OMP_NUM_THREADS" not in os.environ
    assert os.environ["MKL_NUM_THREADS"] == "3"
