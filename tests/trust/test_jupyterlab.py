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


# --- a researcher in JupyterLab, in a real browser (issue 23) -----------------------------


@pytest.fixture(scope="module")
def lab(full_isolated_paths, tmp_path_factory):
    """JupyterLab serving a copy of the notebooks (what the test types is saved there, never
    in the repository), with the project's data through the test's paths."""
    import shutil

    from analysis.reports.batch import precompute_shared

    precompute_shared(full_isolated_paths)
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    log = tmp_path_factory.mktemp("jupyter") / "lab.log"
    # a workspace of its own: JupyterLab would otherwise reopen the tabs a person left open
    env = dict(os.environ, JUPYTERLAB_WORKSPACES_DIR=str(tmp_path_factory.mktemp("workspaces")))
    running = start_server(root, log, env, extra=["--LabApp.expose_app_in_browser=True"])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    from test_reports_end_to_end import CHROMIUM_ARGS, chromium

    executable = chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _command(page, name: str) -> None:
    page.evaluate(f"window.jupyterapp.commands.execute({name!r})")


def _run_all_and_wait_for(page, caption: str) -> None:
    _command(page, "notebook:clear-all-cell-outputs")
    _command(page, "notebook:run-all-cells")
    figure = page.locator("figure.analysis-figure figcaption", has_text=caption)
    figure.first.wait_for(timeout=600_000)


def test_change_the_outcome_in_jupyterlab_and_see_its_figure(lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{lab.url}/lab/tree/notebooks/02_caseload_regressions.ipynb?token={lab.token}")
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    notebook.locator(".jp-Cell").first.wait_for(timeout=120_000)
    page.wait_for_function(
        "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel"
        "?.status === 'idle'",
        timeout=120_000,
    )
    # the researcher types the outcome at the end of the parameters cell
    parameters = notebook.locator(".jp-CodeCell").first
    parameters.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.insert_text('outcomes = ["staff_turnover"]')
    _run_all_and_wait_for(page, "Personaleomsætning")
    event = page.locator(
        "figure.analysis-figure", has_text="Hændelsesstudie for Personaleomsætning"
    )
    assert event.count() == 1
    assert event.locator("img").evaluate("img => img.naturalWidth") > 0
    # JupyterLab looks like the report: the simulated-data mark is red, tables interactive
    banner = notebook.locator(".jp-OutputArea-output .analysis-simulated").first
    colour = banner.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(253, 236, 234)"
    tables = notebook.locator(".jp-OutputArea-output .dt-container")
    tables.first.wait_for(timeout=30_000)
    assert tables.first.locator("input").count() >= 1  # the search box
    shots = REPO / "reports" / "screenshots"  # for a person to look at
    shots.mkdir(parents=True, exist_ok=True)
    banner.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "lab-02-staff-turnover.png"))
    tables.first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "lab-02-table.png"))
    # toggle back and forth: each run shows the figure of the outcome it was given
    source = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.widgets[1].model.sharedModel"
        ".getSource()"
    )
    for text, caption in (
        (source.replace('\noutcomes = ["staff_turnover"]', ""), "Afgang til job"),
        (source, "Personaleomsætning"),
    ):
        page.evaluate(
            "(text) => window.jupyterapp.shell.currentWidget.content.widgets[1].model"
            ".sharedModel.setSource(text)",
            text,
        )
        _run_all_and_wait_for(page, caption)
    assert not [e for e in errors if "analysis" in e or "ITable" in e], errors
    page.close()
