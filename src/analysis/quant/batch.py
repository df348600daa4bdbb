"""What the report batch asks of the caseload part: the shared work done once.

:func:`precompute` fits every model that does not depend on the municipality (cached by
:mod:`analysis.quant.compute`). The national figures are drawn by the national report
alone (no municipality page shows them), so they are not rendered here.
"""

from __future__ import annotations

from concurrent.futures import Executor

from analysis.paths import ProjectPaths, get_paths
from analysis.quant.compute import load_results


def precompute(paths: ProjectPaths | None = None, helpers: Executor | None = None) -> None:
    """Compute and cache every shared table of the processed panel (for the batch);
    ``helpers``: other processes the municipalities' trial designs may be fitted in.

    Does nothing when there is no processed caseload table (no panel to analyse)."""
    paths = paths or get_paths()
    if not paths.processed_file("caseloads").is_file():
        return
    load_results(None, None, paths, helpers=helpers)
