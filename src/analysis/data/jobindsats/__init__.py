"""Jobindsats.dk (STAR) outcome data: the stored dashboard snapshot and analysts' exports.

Two kinds of input:

- the JSON snapshot in ``data/raw/jobindsats/`` (see its PROVENANCE.md), read by
  :func:`load_snapshot`, :func:`load_snapshot_national` and :func:`snapshot_metadata`;
- tables analysts download from jobindsats.dk themselves (CSV or Excel), read by
  :func:`read_jobindsats_export`.

Both give tidy long tables. Suppressed values ("diskretioneret": ``null`` in the JSON,
``-`` or ``..`` in exports) stay missing (NaN), never 0.

Modules (one job each; every public name is re-exported here):

- :mod:`~analysis.data.jobindsats.catalogue`: the snapshot's measures (``MEASURES``),
  what each counts, in which unit and from which Jobindsats table;
- :mod:`~analysis.data.jobindsats.snapshot`: the snapshot reader and its validation,
  ``labour_force`` derived from it, the snapshot's provenance;
- :mod:`~analysis.data.jobindsats.export`: the reader of downloaded exports (long or wide
  layout, CSV or .xlsx, decimal marks judged on the whole file).
"""

from analysis.data.jobindsats.catalogue import MEASURES, Measure
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
    snapshot_metadata,
)

__all__ = [
    "AREA_HEADERS",
    "BENEFIT_HEADERS",
    "BLOCKS",
    "EXPORT_COLUMNS",
    "MEASURES",
    "MEASURE_NAME_HEADERS",
    "OTHER_DIMENSIONS",
    "PERIOD_HEADERS",
    "SNAPSHOT_COLUMNS",
    "VALUE_HEADERS",
    "Measure",
    "labour_force",
    "load_snapshot",
    "load_snapshot_national",
    "read_jobindsats_export",
    "snapshot_metadata",
]
