"""Execute one parameterised notebook with papermill's Python API in a warm kernel.

A hidden first cell (tagged ``remove-in-report``) resets the kernel's namespace, so the
reset costs no extra round trip. The executed notebook is written to a temporary file and
renamed into place only on success; a failed notebook is kept next to it as
``<name>.failed.ipynb`` so the error can be read, and never replaces a good output.
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

from analysis.reports.kernel import RESET_CODE, WarmKernel


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


def prepared_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook with a hidden first cell that resets the kernel's namespace and gives
    it the caller's path settings (read once per file version)."""
    nb = copy.deepcopy(_load(str(path), path.stat().st_mtime_ns))
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
) -> NotebookRun:
    """Run ``notebook`` with ``parameters``; write the executed copy to ``output``."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.stem}.{os.getpid()}.partial.ipynb")
    start = time.perf_counter()
    try:
        executed = pm.execute_notebook(
            prepared_notebook(notebook),
            str(tmp),
            parameters=parameters,
            kernel_name=kernel.kernel_name,
            engine_name="warm",
            km=kernel.km,
            kc=kernel.client,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=timeout,
            log_output=False,
        )
    except PapermillExecutionError as exc:
        if tmp.exists():
            os.replace(tmp, failed_path(output))
        return NotebookRun(
            notebook.stem,
            failed_path(output),
            "failed",
            time.perf_counter() - start,
            error=(
                f"{exc.ename}: {exc.evalue} (cell {exc.cell_index} of {failed_path(output).name})"
            ),
        )
    except Exception as exc:
        if tmp.exists():
            os.replace(tmp, failed_path(output))
        kernel.shutdown()  # the next notebook gets a fresh kernel
        return NotebookRun(
            notebook.stem,
            failed_path(output),
            "failed",
            time.perf_counter() - start,
            error=f"{type(exc).__name__}: {exc}",
        )
    os.replace(tmp, output)
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
