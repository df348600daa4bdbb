"""What the report batch asks of the caseload part: the shared work done once.

:func:`precompute` fits every model that does not depend on the municipality (cached by
:mod:`analysis.quant.compute`) and renders the figures every page shares.
"""

from __future__ import annotations

from analysis.paths import ProjectPaths, get_paths
from analysis.quant import view
from analysis.quant.compute import QuantResults, has_trial, load_results


def precompute(paths: ProjectPaths | None = None) -> None:
    """Compute and cache every shared table of the processed panel (for the batch).

    Does nothing when there is no processed caseload table (no panel to analyse)."""
    paths = paths or get_paths()
    if not paths.processed_file("caseloads").is_file():
        return
    results = load_results(None, None, paths)
    _render_national_figures(results)


def _render_national_figures(results: QuantResults) -> None:
    """Render the figures every municipality's report shares (national estimates), once
    per language, into the figure cache."""
    from analysis.paths import LANGUAGES

    codes = sorted({int(c) for c in results.units.get("municipality_code", [])})
    plain = next((c for c in codes if not has_trial(results, c)), None)
    if plain is None:
        return
    for language in LANGUAGES:
        shown = view.build_view(results, plain, language)
        view.coefficient_figure(shown)
        view.dose_figure(shown)
        view.event_figure(shown)
