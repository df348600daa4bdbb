"""The report's sections: which notebook, what it needs computed once, where it applies.

Each section of a municipality's page is one parameterised notebook. The registry names
the functions of each area directly (an import, not a string), so renaming or removing
one fails when this module is imported instead of quietly switching a section off.

- ``precompute``: the shared work the batch does once before the workers start
  (``None``: nothing to share);
- ``applies_to``: the municipality codes the section has data for (``None``: all);
- ``headlines``: the scrapbook fields the index page shows as columns;
- ``links``: notebook parameters that name another section's executed notebook (the
  mixed-methods notebook reads the regression notebook's estimates).

Notebooks that are not registered (a researcher's own, or the test fixtures) run as
sections that apply everywhere and share nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from analysis.benchmark import batch as benchmark_batch
from analysis.paths import ProjectPaths
from analysis.qual import batch as qual_batch
from analysis.quant import batch as quant_batch


@dataclass(frozen=True)
class Headline:
    """One index column: ``field`` of the scrapbook record ``scrap``."""

    column: str
    scrap: str
    field: str


@dataclass(frozen=True)
class Section:
    """One notebook as a section of the reports."""

    key: str  # notebook stem, e.g. "03_benchmark_scorecard"
    precompute: Callable[[ProjectPaths], None] | None = None
    applies_to: Callable[[ProjectPaths], Iterable[int]] | None = None
    headlines: tuple[Headline, ...] = ()
    links: Mapping[str, str] = field(default_factory=dict)

    @property
    def notebook(self) -> str:
        return f"{self.key}.ipynb"


QUALITATIVE = Section(
    "01_qualitative_themes",
    precompute=qual_batch.precompute,
    applies_to=qual_batch.municipalities_with_sources,
)
CASELOAD = Section(
    "02_caseload_regressions",
    precompute=quant_batch.precompute,
    headlines=(Headline("caseload_effect", "caseload_headline", "estimate"),),
)
BENCHMARK = Section(
    "03_benchmark_scorecard",
    precompute=benchmark_batch.precompute,
    headlines=(
        Headline("benchmark_unemployment", "benchmark_headline", "level"),
        Headline("benchmark_cluster", "benchmark_headline", "cluster_mean"),
    ),
)
MIXED = Section(
    "04_mixed_methods",
    applies_to=qual_batch.municipalities_with_sources,
    links={"regression_notebook": CASELOAD.key},
)

#: a municipality's page, in page order
MUNICIPALITY_SECTIONS: tuple[Section, ...] = (QUALITATIVE, CASELOAD, BENCHMARK, MIXED)
REGISTERED = {section.key: section for section in MUNICIPALITY_SECTIONS}
#: index page columns, in display order (benchmark first, then the caseload effect)
HEADLINES: tuple[Headline, ...] = (*BENCHMARK.headlines, *CASELOAD.headlines)


def section_for(notebook: Path) -> Section:
    """The registered section of a notebook, or a plain one for any other notebook."""
    return REGISTERED.get(notebook.stem, Section(notebook.stem))


def precompute_all(sections: Iterable[Section], paths: ProjectPaths) -> None:
    """Run each section's shared work once (sections sharing one function run it once)."""
    done: set[Callable[[ProjectPaths], None]] = set()
    for section in sections:
        if section.precompute is not None and section.precompute not in done:
            section.precompute(paths)
            done.add(section.precompute)
