"""The report's HTML built from the analysis areas' results: one module per thing rendered.

The analysis areas (``qual``, ``quant``, ``benchmark``, ``mixed``) return pandas objects,
dataclasses and plain texts; the markup a page shows from them is built here, every data
text escaped (issue 23: no HTML strings in the analysis areas). The notebooks import the
module they need (``from analysis.reports.html import joint_display``);
:mod:`analysis.reports.findings` imports the benchmark's brief table.

- :mod:`~analysis.reports.html.joint_display`: notebook 04's compact joint display;
- :mod:`~analysis.reports.html.benchmark`: the key findings' brief scorecard and its legend;
- :mod:`~analysis.reports.html.markup`: what every page carries of its tables' and style
  sheets' markup (unused Styler ids and classes trimmed, CSS minified).
"""
