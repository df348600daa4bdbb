"""Every notebook runs in a real Jupyter server with the project kernel, with its default
parameters, as a researcher opening it in JupyterLab would run it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from trust_jupyter import run_notebook, start_server

from analysis.paths import KERNEL_NAME

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def server(full_isolated_paths, tmp_path_factory):
    from analysis.reports.batch import precompute_shared

    precompute_shared(full_isolated_paths)  # as `make report` does before a researcher opens lab
    log = tmp_path_factory.mktemp("jupyter") / "server.log"
    running = start_server(REPO, log, dict(os.environ))
    yield running
    running.stop()


def test_server_lists_notebooks_and_project_kernel(server):
    listing = server.get("/api/contents/notebooks").json()
    names = {item["name"] for item in listing["content"]}
    assert {p.name for p in NOTEBOOKS} <= names
    kernels = server.get("/api/kernelspecs").json()["kernelspecs"]
    assert KERNEL_NAME in kernels


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_with_default_parameters(server, notebook):
    results = run_notebook(server, f"notebooks/{notebook.name}", KERNEL_NAME)
    failed = [r for r in results if r["status"] != "ok"]
    assert not failed, f"{notebook.name}: {failed[0]['ename']}: {failed[0]['evalue']}"
    assert any("display_data" in r["outputs"] for r in results), "the notebook showed nothing"
