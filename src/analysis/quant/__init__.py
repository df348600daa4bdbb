"""Caseload regressions: fixed effects, trial designs, power, validation by simulation.

- :mod:`~analysis.quant.specs`: specifications, their configuration, the prepared panel;
- :mod:`~analysis.quant.fit`: the estimators (pyfixest; statsmodels where it lacks);
- :mod:`~analysis.quant.checks`: what makes a model impossible, and the skip records;
- :mod:`~analysis.quant.results`: the tidy ``estimates`` table, p-value adjustment,
  effects per 10 fewer cases, report tables;
- :mod:`~analysis.quant.power`: minimum detectable effect of a planned trial;
- :mod:`~analysis.quant.validation`: estimates against a simulated panel's truth;
- :mod:`~analysis.quant.shared`: cached shared results (``precompute`` for the batch);
- :mod:`~analysis.quant.report`, :mod:`~analysis.quant.plots`: what notebook 02 shows;
- :mod:`~analysis.quant.cli_regress`: ``python -m analysis regress``.

See ``docs/quant.md``.
"""
