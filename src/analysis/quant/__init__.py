"""Caseload regressions: fixed effects, trial designs, power, validation by simulation.

- :mod:`~analysis.quant.specs`: specifications, their configuration, the prepared panel;
- :mod:`~analysis.quant.fit`: the model runs (``run_all``); the estimators (pyfixest;
  statsmodels where it lacks) in :mod:`~analysis.quant.slopes`,
  :mod:`~analysis.quant.trials`, :mod:`~analysis.quant.event_study` and
  :mod:`~analysis.quant.staggered`, on :mod:`~analysis.quant.estimation` and
  :mod:`~analysis.quant.inference`;
- :mod:`~analysis.quant.checks`: what makes a model impossible, and the skip records;
- :mod:`~analysis.quant.results`: the tidy ``estimates`` table, p-value adjustment,
  effects per 10 fewer cases, report tables;
- :mod:`~analysis.quant.power`: minimum detectable effect of a planned trial;
- :mod:`~analysis.quant.validation`: estimates against a simulated panel's truth;
- :mod:`~analysis.quant.shared`: cached shared results (``precompute`` for the batch);
- :mod:`~analysis.quant.report`, :mod:`~analysis.quant.plots`: what notebook 02 shows;
- :mod:`~analysis.quant.cli_regress`: ``python -m analysis regress``.

The public API is re-exported here (imported on first use). See ``docs/quant.md``.
"""

from analysis import lazy_exports

#: the area's public API: name -> the module that defines it
_EXPORTS = {
    "HEADLINE_OUTCOME": "analysis.quant.results",
    "QuantResults": "analysis.quant.compute",
    "build_view": "analysis.quant.view",
    "load_results": "analysis.quant.compute",
    "load_truth": "analysis.quant.validation",
    "mde_grid": "analysis.quant.power",
    "panel_source": "analysis.quant.compute",
    "run_all": "analysis.quant.fit",
    "truth_table": "analysis.quant.validation",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
