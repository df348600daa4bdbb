"""The report's sections: which notebook, what it needs computed once, where it applies.

Each section of a municipality's page is one parameterised notebook. The registry names
the functions of each area directly (an import, not a string), so renaming or removing
one fails when this module is imported instead of quietly switching a section off.

- ``precompute``: the shared work the batch does once before the pages are built
  (``None``: nothing to share), called as ``precompute(paths, helpers=None)``; the batch
  runs the different functions side by side and may offer the first one ``helpers``, an
  executor for independent parts of its work;
- ``applies_to``: the municipality codes the section has data for (``None``: all);
- ``headlines``: the fields of the sections' typed records (:mod:`analysis.reports.records`)
  the index page shows as columns; a field the record does not have fails at import;
- ``links``: notebook parameters that name another section's executed notebook (the
  mixed-methods notebook reads the regression notebook's estimates);
- ``scope``: ``municipality`` (run for each municipality, one section of its page) or
  ``national`` (run once per batch: the national report, ``national.html``);
- ``page_rank``: where the section stands on the page (the notebooks run in registry
  order, so a notebook another one links to runs first);
- ``view``: the area module the notebook imports (the batch loads it into each worker's
  kernel while the shared work runs, so no page pays for the import).

A municipality's page reads: key findings (built from the sections' records by
:mod:`analysis.reports.findings`), the benchmark, its own units or trial, its interviews,
the joint display, then the method notes of every section.

Notebooks that are not registered (a researcher's own, or the test fixtures) run as
sections that apply everywhere and share nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, wait
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from analysis.benchmark import batch as benchmark_batch
from analysis.benchmark import view as benchmark_view
from analysis.mixed import view as mixed_view
from analysis.paths import ProjectPaths
from analysis.qual import batch as qual_batch
from analysis.qual import view as qual_view
from analysis.quant import batch as quant_batch
from analysis.quant import view as quant_view
from analysis.reports.records import PageHeadlines, check_field

MUNICIPALITY, NATIONAL = "municipality", "national"


@dataclass(frozen=True)
class Headline:
    """One index column: the attribute ``field`` of the typed record read from the scrap
    ``scrap`` (no ``field``: the scrap's value itself, a count)."""

    column: str
    scrap: str
    field: str

    def __post_init__(self) -> None:
        check_field(self.scrap, self.field)  # a renamed field fails here, at import

    def value(self, records: PageHeadlines) -> tuple[bool, object]:
        """(present, value) of this column on a page with ``records``."""
        return records.value(self.scrap, self.field)


@dataclass(frozen=True)
class Section:
    """One notebook as a section of the reports."""

    key: str  # notebook stem, e.g. "03_benchmark_scorecard"
    precompute: Callable[..., None] | None = None
    applies_to: Callable[[ProjectPaths], Iterable[int]] | None = None
    headlines: tuple[Headline, ...] = ()
    links: Mapping[str, str] = field(default_factory=dict)
    scope: str = MUNICIPALITY
    page_rank: int = 50
    view: ModuleType | None = None

    @property
    def notebook(self) -> str:
        return f"{self.key}.ipynb"


NATIONAL_REPORT = Section(
    "00_national_report",
    view=quant_view,
    precompute=quant_batch.precompute,
    scope=NATIONAL,
    page_rank=0,
)
QUALITATIVE = Section(
    "01_qualitative_themes",
    view=qual_view,
    precompute=qual_batch.precompute,
    applies_to=qual_batch.municipalities_with_sources,
    headlines=(Headline("interview_sources", "n_sources", ""),),
    page_rank=30,
)
CASELOAD = Section(
    "02_caseload_regressions",
    view=quant_view,
    precompute=quant_batch.precompute,
    headlines=(Headline("trial", "caseload_own", "trial_index"),),
    page_rank=20,
)
BENCHMARK = Section(
    "03_benchmark_scorecard",
    view=benchmark_view,
    precompute=benchmark_batch.precompute,
    headlines=(
        Headline("benchmark_unemployment", "benchmark_headline", "level"),
        Headline("benchmark_unemployment_development", "benchmark_headline", "development"),
        Headline("benchmark_period", "benchmark_headline", "period"),
        Headline("benchmark_period_start", "benchmark_headline", "period_start"),
        Headline("benchmark_better", "benchmark_headline", "n_better"),
        Headline("benchmark_worse", "benchmark_headline", "n_worse"),
        Headline("benchmark_up", "benchmark_headline", "n_up"),
        Headline("benchmark_down", "benchmark_headline", "n_down"),
    ),
    page_rank=10,
)
MIXED = Section(
    "04_mixed_methods",
    view=mixed_view,
    applies_to=qual_batch.municipalities_with_interviews,
    links={"regression_notebook": CASELOAD.key},
    page_rank=40,
)

#: the sections of a municipality's page, in the order they run
MUNICIPALITY_SECTIONS: tuple[Section, ...] = (QUALITATIVE, CASELOAD, BENCHMARK, MIXED)
#: the national report's sections
NATIONAL_SECTIONS: tuple[Section, ...] = (NATIONAL_REPORT,)
REGISTERED = {s.key: s for s in (*NATIONAL_SECTIONS, *MUNICIPALITY_SECTIONS)}
#: index page columns, in display order
HEADLINES: tuple[Headline, ...] = (
    *BENCHMARK.headlines,
    *CASELOAD.headlines,
    *QUALITATIVE.headlines,
)


def section_for(notebook: Path) -> Section:
    """The registered section of a notebook, or a plain one for any other notebook."""
    return REGISTERED.get(notebook.stem, Section(notebook.stem))


def page_order(keys: Iterable[str]) -> list[str]:
    """Section keys in the order they stand on a page (unregistered ones last, by name)."""
    return sorted(keys, key=lambda k: (REGISTERED[k].page_rank if k in REGISTERED else 90, k))


def precompute_all(
    sections: Iterable[Section], paths: ProjectPaths, others: Executor | None = None
) -> None:
    """Run each section's shared work once (sections sharing one function run it once).

    With ``others`` (an executor in other processes), the first function runs here and
    the rest there at the same time; the first is given ``others`` as its ``helpers``,
    to hand independent parts of its own work to (the longest, the caseload models, is
    first). An error in any of them is raised here, after all have finished."""
    functions: list[Callable[..., None]] = []
    for section in sections:
        if section.precompute is not None and section.precompute not in functions:
            functions.append(section.precompute)
    if others is None:
        for function in functions:
            function(paths)
        return
    futures = [others.submit(function, paths) for function in functions[1:]]
    try:
        if functions:
            functions[0](paths, helpers=others)
    finally:
        wait(futures)
    for future in futures:
        future.result()


def preload_modules(sections: Iterable[Section]) -> tuple[str, ...]:
    """The area modules the sections' notebooks import, for a worker's kernel to load."""
    return tuple(dict.fromkeys(s.view.__name__ for s in sections if s.view is not None))
