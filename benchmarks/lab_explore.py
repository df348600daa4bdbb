"""Exploring in JupyterLab: first runs and toggling a setting back and forth.

A researcher opens a notebook, runs it, changes a parameter, runs it again and changes the
parameter back. This script does the same in a real kernel of the project (started as a
Jupyter server starts it, so the notebooks behave as they do in JupyterLab), cell by cell,
and prints the wall-clock time of every run:

- ``first``: notebooks 01, 02 and 04, each in a fresh kernel, from a cold cache (an empty
  ``data/processed/cache`` of a copy of the processed tables), as after ``prepare``;
- ``toggle``: notebook 01 with ``coder`` None -> "dev_a" -> None -> "dev_a", and notebook 02
  with ``outcomes`` None -> ["staff_turnover"] -> None -> ["staff_turnover"], each in one
  kernel (the target: a setting already computed comes back within 2 s).

    .venv/bin/python benchmarks/lab_explore.py               # both
    .venv/bin/python benchmarks/lab_explore.py toggle
    .venv/bin/python benchmarks/lab_explore.py first --keep-cache

Timings are printed, never asserted (tests/trust/test_jupyterlab.py checks behaviour).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOGGLES = {
    "01_qualitative_themes": ("coder", [None, "dev_a", None, "dev_a"]),
    "02_caseload_regressions": ("outcomes", [None, ["staff_turnover"], None, ["staff_turnover"]]),
}
FIRST = ("01_qualitative_themes", "02_caseload_regressions", "04_mixed_methods")


def code_cells(name: str) -> list[dict]:
    notebook = json.loads((REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


class Kernel:
    """The project kernel, started with the environment a Jupyter server gives it."""

    def __init__(self, env: dict[str, str], session: str):
        from jupyter_client import KernelManager

        from analysis.paths import KERNEL_NAME

        self.km = KernelManager(kernel_name=KERNEL_NAME, transport="ipc")
        self.km.ip = tempfile.mkdtemp(prefix="lab-explore-kernel-") + "/k"
        self.km.start_kernel(env={**env, "JPY_SESSION_NAME": session}, cwd=str(REPO))
        self.client = self.km.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)

    def run(self, code: str) -> None:
        errors: list[str] = []

        def hook(msg: dict) -> None:
            if msg["msg_type"] == "error":
                errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

        reply = self.client.execute_interactive(code, timeout=1800, output_hook=hook)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(errors[0] if errors else str(reply["content"]))

    def stop(self) -> None:
        self.client.stop_channels()
        self.km.shutdown_kernel(now=True)


def run_notebook(kernel: Kernel, name: str, overrides: dict) -> float:
    """Run every code cell of ``name`` with ``overrides`` appended to the parameters
    cell (as papermill injects them); the wall-clock seconds of the whole run."""
    start = time.perf_counter()
    for i, cell in enumerate(code_cells(name)):
        code = source(cell)
        if i == 0:
            code += "\n" + "\n".join(f"{k} = {v!r}" for k, v in overrides.items())
        kernel.run(code)
    return time.perf_counter() - start


def isolated_processed(tmp: Path, keep_cache: bool) -> Path:
    """A copy of the processed tables (prepared first if missing), with an empty cache
    unless ``keep_cache``."""
    processed = REPO / "data" / "processed"
    if not (processed / "caseloads.parquet").is_file():
        subprocess.run([sys.executable, "-m", "analysis", "prepare"], cwd=REPO, check=True)
    target = tmp / "processed"
    ignore = None if keep_cache else shutil.ignore_patterns("cache")
    shutil.copytree(processed, target, ignore=ignore)
    return target


def first_runs(env: dict[str, str]) -> None:
    print("first runs (fresh kernel each, cache shared from the first notebook on):")
    for name in FIRST:
        kernel = Kernel(env, f"notebooks/{name}.ipynb")
        try:
            seconds = run_notebook(kernel, name, {})
        finally:
            kernel.stop()
        print(f"  {name}: {seconds:6.1f} s")


def toggles(env: dict[str, str]) -> None:
    for name, (parameter, values) in TOGGLES.items():
        kernel = Kernel(env, f"notebooks/{name}.ipynb")
        try:
            print(f"{name}, toggling {parameter} (one kernel):")
            for value in values:
                seconds = run_notebook(kernel, name, {parameter: value})
                print(f"  {parameter}={value!r}: {seconds:6.1f} s")
        finally:
            kernel.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", choices=("first", "toggle", "both"), default="both")
    parser.add_argument(
        "--keep-cache", action="store_true", help="start from the project's cache, not empty"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lab-explore-") as folder:
        processed = isolated_processed(Path(folder), args.keep_cache)
        env = {**os.environ, "ANALYSIS_PROCESSED_DIR": str(processed)}
        print(f"{os.cpu_count()} cores; processed tables copied to {processed}")
        if args.what in ("first", "both"):
            first_runs(env)
        if args.what in ("toggle", "both"):
            toggles(env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
