"""The KLK benchmark: indicators against a comparison group of municipalities ("klynger").

- :mod:`~analysis.benchmark.indicators`: the indicator catalogue (direction, unit, source);
- :mod:`~analysis.benchmark.clusters`: comparison groups (similar, region, named);
- :mod:`~analysis.benchmark.scorecard`: levels and developments, arrows and colours;
- :mod:`~analysis.benchmark.savings`: savings potentials from the cost parameters;
- :mod:`~analysis.benchmark.klk`: KLK's Aabenraa 2012 report reproduced;
- :mod:`~analysis.benchmark.view`: what notebook 03 shows (the only module it imports),
  with :mod:`~analysis.benchmark.summaries` and :mod:`~analysis.benchmark.plots`;
- :mod:`~analysis.benchmark.batch`: what the report batch calls (``precompute``);
- :mod:`~analysis.benchmark.cli_scorecard`: ``python -m analysis scorecard``.

The public API is re-exported here (imported on first use). See ``docs/benchmark.md``.
"""

from analysis import lazy_exports

#: the area's public API: name -> the module that defines it
_EXPORTS = {
    "BenchmarkInputs": "analysis.benchmark.view",
    "BenchmarkView": "analysis.benchmark.view",
    "CATALOGUE": "analysis.benchmark.indicators",
    "benchmark_view": "analysis.benchmark.view",
    "comparison_group": "analysis.benchmark.clusters",
    "indicator_panel": "analysis.benchmark.indicators",
    "level_table": "analysis.benchmark.scorecard",
    "load_clusters": "analysis.benchmark.clusters",
    "load_costs": "analysis.benchmark.savings",
    "load_klk_table": "analysis.benchmark.klk",
    "reproduce": "analysis.benchmark.klk",
    "savings_potential": "analysis.benchmark.savings",
    "scorecard": "analysis.benchmark.scorecard",
    "scorecards": "analysis.benchmark.scorecard",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
