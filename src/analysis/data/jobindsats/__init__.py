"""Jobindsats.dk (STAR) outcome data: the stored dashboard snapshot and analysts' exports.

Two kinds of input:

- the JSON snapshot in ``data/raw/jobindsats/`` (see its PROVENANCE.md), read by
  :func:`load_snapshot`, :func:`load_snapshot_national` and :func:`snapshot_metadata`;
- tables analysts download from jobindsats.dk themselves (CSV or Excel), read by
  :func:`read_jobindsats_export`;
- answers of the Jobindsats API (JSON), read by :func:`read_jobindsats_api`; STAR's
  benchmark (y30r21) per municipality by :func:`expected_vs_actual`.

Both give tidy long tables. Suppressed values ("diskretioneret": ``null`` in the JSON,
``-`` or ``..`` in exports) stay missing (NaN), never 0.

Modules (one job each; every public name is re-exported here):

- :mod:`~analysis.data.jobindsats.catalogue`: the snapshot's measures (``MEASURES``),
  what each counts, in which unit and from which Jobindsats table;
- :mod:`~analysis.data.jobindsats.snapshot`: the snapshot reader and its validation,
  ``labour_force`` derived from it, the snapshot's provenance;
- :mod:`~analysis.data.jobindsats.export`: the reader of downloaded exports (long or wide
  layout, or a cross table with periods over measures, CSV or .xlsx, decimal marks
  judged on the whole file), on :mod:`~analysis.data.jobindsats.export_grid` (the table
  found in the file), :mod:`~analysis.data.jobindsats.export_layout` (what the header
  says) and :mod:`~analysis.data.jobindsats.export_values` (the value cells, checked and
  parsed; shared with the API reader);
- :mod:`~analysis.data.jobindsats.api`: the reader of Jobindsats API answers (JSON:
  ``Variables`` and ``Data``, rolling years such as ``2021QMAT02``);
- :mod:`~analysis.data.jobindsats.expected`: STAR's expected against actual public
  support per municipality (table y30r21), from an API answer;
- :mod:`~analysis.data.jobindsats.jsonfiles`: strict JSON reading and which kind of
  Jobindsats JSON a file is (so every reader names the one that takes it).
"""

from analysis.data.jobindsats.api import API_COLUMNS, parse_api_period, read_jobindsats_api
from analysis.data.jobindsats.catalogue import MEASURES, Measure
from analysis.data.jobindsats.expected import (
    EXPECTED_COLUMNS,
    Y30R21_MEASURES,
    expected_vs_actual,
)
from analysis.data.jobindsats.export import (
    AREA_HEADERS,
    BENEFIT_HEADERS,
    EXPORT_COLUMNS,
    MEASURE_NAME_HEADERS,
    OTHER_DIMENSIONS,
    PERIOD_HEADERS,
    VALUE_HEADERS,
    read_jobindsats_export,
)
from analysis.data.jobindsats.snapshot import (
    BLOCKS,
    SNAPSHOT_COLUMNS,
    labour_force,
    load_snapshot,
    load_snapshot_national,
    snapshot_ignored,
    snapshot_metadata,
)

__all__ = [
    "API_COLUMNS",
    "AREA_HEADERS",
    "BENEFIT_HEADERS",
    "BLOCKS",
    "EXPECTED_COLUMNS",
    "EXPORT_COLUMNS",
    "MEASURES",
    "MEASURE_NAME_HEADERS",
    "OTHER_DIMENSIONS",
    "PERIOD_HEADERS",
    "SNAPSHOT_COLUMNS",
    "VALUE_HEADERS",
    "Y30R21_MEASURES",
    "Measure",
    "expected_vs_actual",
    "labour_force",
    "load_snapshot",
    "load_snapshot_national",
    "parse_api_period",
    "read_jobindsats_api",
    "read_jobindsats_export",
    "snapshot_ignored",
    "snapshot_metadata",
]
