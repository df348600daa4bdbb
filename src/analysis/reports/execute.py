"""Execute one parameterised notebook with papermill's Python API in a warm kernel.

A hidden first cell (tagged ``remove-in-report``) resets the kernel's namespace, so the
reset costs no extra round trip. papermill keeps the executed notebook in memory (it
writes no file of its own); the notebook is then written through the personal-data gate
(:func:`analysis.publish.publish_notebook`, atomically) on success, or kept as
``<name>.failed.ipynb`` next to it on failure so the error can be read. A failed run never
replaces a good output.
"""

from __future__ import annotations

import copy
import json
import os
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError

from analysis.errors import AnalysisError
from analysis.privacy import PrivacyPolicy
from analysis.publish import output_policy, publish_notebook
from analysis.reports.committed import content_hash
from analysis.reports.kernel import RESET_CODE, WarmKernel
from analysis.reports.outputs import OutputWriteError


class WarmEngine(NBClientEngine):
    """papermill's nbclient engine, run through a kernel client that is already
    connected (``kc``), so consecutive notebooks share one client of a warm kernel."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        kc = kwargs.pop("kc")
        seen = kwargs.pop("seen", None)
        if seen is not None:
            seen.append(nb_man.nb)  # the notebook papermill fills in, also when a cell fails
        client = PapermillNotebookClient(
            nb_man,
            km=kwargs.pop("km"),
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client.kc = kc  # nbclient skips starting its own client when one is set
        return client.execute()


papermill_engines.register("warm", WarmEngine)


@dataclass(frozen=True)
class NotebookRun:
    """The outcome of executing one notebook."""

    notebook: str
    output: Path
    status: str  # "ok" or "failed"
    duration: float
    error: str | None = None
    scraps: dict[str, Any] = field(default_factory=dict)
    executed: nbformat.NotebookNode | None = None


def failed_path(output: Path) -> Path:
    return output.with_name(output.stem + ".failed.ipynb")


def read_scraps(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """Scrapbook records of an executed notebook, decoded (DataFrames for pandas scraps)."""
    import scrapbook as sb

    return {name: scrap.data for name, scrap in sb.models.Notebook(nb).scraps.items()}


@cache
def _load(path: str, mtime_ns: int) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def environment_code(environ: dict[str, str] | None = None) -> str:
    """Code that gives the kernel this process's ``ANALYSIS_*`` settings (paths), so a
    kernel started earlier resolves the same folders as the caller does now."""
    environ = dict(os.environ if environ is None else environ)
    settings = {k: v for k, v in sorted(environ.items()) if k.startswith("ANALYSIS_")}
    return (
        "import os as _os\n"
        "for _k in [k for k in _os.environ if k.startswith('ANALYSIS_')]:\n"
        "    del _os.environ[_k]\n"
        f"_os.environ.update({json.dumps(settings)})\n"
        "del _os"
    )


class NotebookChangedError(AnalysisError):
    """The notebook's content is no longer the content checked when the run started."""


def prepared_notebook(path: Path, content: str | None = None) -> nbformat.NotebookNode:
    """The notebook, outputs cleared, with a hidden first cell that resets the kernel's
    namespace and gives it the caller's path settings (read once per file version).

    ``content``: the :func:`analysis.reports.committed.content_hash` the notebook had
    when the run checked it; a notebook changed since (an autosave) is refused."""
    nb = copy.deepcopy(_load(str(path), path.stat().st_mtime_ns))
    if content is not None and content_hash(nb) != content:
        raise NotebookChangedError(
            f"{path} changed after the run checked it (saved in JupyterLab during the "
            "run?): this page is not built from it. Run the batch again."
        )
    for cell in nb.cells:  # a saved copy's outputs never stand in for cells not run
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    reset = nbformat.v4.new_code_cell(RESET_CODE + environment_code())
    reset.metadata["tags"] = ["remove-in-report"]
    reset.id = "kernel-reset"
    nb.cells.insert(0, reset)
    return nb


def execute_notebook(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any],
    kernel: WarmKernel,
    *,
    timeout: float = 600,
    policy: PrivacyPolicy | None = None,
    content: str | None = None,
) -> NotebookRun:
    """Run ``notebook`` with ``parameters``; write the executed copy to ``output`` through
    the personal-data gate (``policy``; default: pseudonymise with the default names).
    ``content``: the notebook's content hash as checked before the run (see
    :func:`prepared_notebook`)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    policy = policy if policy is not None else output_policy()
    seen: list[nbformat.NotebookNode] = []
    start = time.perf_counter()
    try:
        prepared = prepared_notebook(notebook, content)
    except NotebookChangedError as exc:
        return NotebookRun(
            notebook.stem, failed_path(output), "failed", time.perf_counter() - start, str(exc)
        )
    try:
        executed = pm.execute_notebook(
            prepared,
            None,
            parameters=parameters,
            kernel_name=kernel.kernel_name,
            engine_name="warm",
            km=kernel.km,
            kc=kernel.client,
            seen=seen,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            log_output=False,
        )
    except PapermillExecutionError as exc:
        kept = _keep_failed(seen, output, policy)
        return NotebookRun(
            notebook.stem,
            failed_path(output),
            "failed",
            time.perf_counter() - start,
            error=(
                f"{exc.ename}: {exc.evalue} (cell {exc.cell_index} of {failed_path(output).name})"
                + kept
            ),
        )
    except Exception as exc:
        kept = _keep_failed(seen, output, policy)
        kernel.shutdown()  # the next notebook gets a fresh kernel
        return NotebookRun(
            notebook.stem,
            failed_path(output),
            "failed",
            time.perf_counter() - start,
            error=f"{type(exc).__name__}: {exc}{kept}",
        )
    try:
        publish_notebook(output, executed, policy)
    except OSError as exc:  # disk full ...: the previous notebook stays
        raise OutputWriteError(output, exc) from None
    stale = failed_path(output)
    if stale.exists():
        stale.unlink()
    return NotebookRun(
        notebook.stem,
        output,
        "ok",
        time.perf_counter() - start,
        scraps=read_scraps(executed),
        executed=executed,
    )


def _keep_failed(seen: list[nbformat.NotebookNode], output: Path, policy: PrivacyPolicy) -> str:
    """Write what the failed run produced (with papermill's error marker) as
    ``<name>.failed.ipynb``, through the gate; nothing if the kernel never started.
    Returns "" or, when it cannot be written (a full disk), a note saying so."""
    if not seen:
        return ""
    try:
        publish_notebook(failed_path(output), seen[-1], policy)
    except OSError as exc:
        return f"; {OutputWriteError(failed_path(output), exc)}"
    return ""
