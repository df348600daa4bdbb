"""The data layer: raw files in, validated tables out.

- :mod:`~analysis.data.reference`: the 98 municipalities (codes, names, regions);
- :mod:`~analysis.data.jobindsats` (a package): the Jobindsats measure catalogue, the
  dashboard snapshot reader and the export reader;
- :mod:`~analysis.data.statbank`: Statistics Denmark (StatBank) downloads;
- :mod:`~analysis.data.outcomes`: the outcome catalogue (caseload and survey outcomes);
- :mod:`~analysis.data.contract_reader`: reading a tabular contract file (CSV, Excel,
  Parquet; format files, sheets, key cells), shared by the caseload and survey contracts;
- :mod:`~analysis.data.caseloads`: the caseload panel contract and its readers
  (:mod:`~analysis.data.caseload_checks`: its schema and messages);
- :mod:`~analysis.data.simulate`: the seeded simulated panel that fills that contract;
- :mod:`~analysis.data.parsing`: periods, Danish numbers, text files;
- :mod:`~analysis.data.store`: ``prepare`` (validated Parquet) and DuckDB views;
- ``cli_prepare``, ``cli_simulate``: the commands.

The public API is re-exported here (imported on first use).
"""

from analysis import lazy_exports

#: the area's public API: name -> the module that defines it
_EXPORTS = {
    "STANDARD_OUTCOMES": "analysis.data.outcomes",
    "connect": "analysis.data.store",
    "load_municipalities": "analysis.data.reference",
    "load_snapshot": "analysis.data.jobindsats",
    "municipality_name": "analysis.data.reference",
    "prepare": "analysis.data.store",
    "read_caseload_panel": "analysis.data.caseloads",
    "read_jobindsats_export": "analysis.data.jobindsats",
    "read_statbank_csv": "analysis.data.statbank",
    "read_table": "analysis.data.store",
    "resolve_municipality": "analysis.data.reference",
    "simulate_caseloads": "analysis.data.simulate",
    "validate_caseload_panel": "analysis.data.caseloads",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
__all__ = sorted(_EXPORTS)
