"""Every path and project-wide setting in one place.

Paths resolve relative to the repository root, so notebooks and commands work from any
working directory. Environment variables override them (useful for tests, clusters and
analysts who keep data elsewhere):

- ``ANALYSIS_ROOT``: repository root (default: found from this file)
- ``ANALYSIS_RAW_DIR``: raw inputs (default ``<root>/data/raw``)
- ``ANALYSIS_PROCESSED_DIR``: generated data (default ``<root>/data/processed``)
- ``ANALYSIS_REPORTS_DIR``: generated reports (default ``<root>/reports``)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import AnalysisError

#: Name of the Jupyter kernel that `make setup` registers and the report pipeline uses.
KERNEL_NAME = "caseload-analysis"
#: Report languages; the first is the default.
LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"
#: Counts of persons below this are suppressed in reports (as Jobindsats and DST do).
SMALL_COUNT_THRESHOLD = 5
#: Seed for everything random (simulation, exemplar choice, cross-validation).
DEFAULT_SEED = 20180101


def _find_root() -> Path:
    env = os.environ.get("ANALYSIS_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "src" / "analysis").is_dir():
            return parent
    return Path.cwd().resolve()


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class ProjectPaths:
    """Locations of inputs, generated data, notebooks and reports."""

    root: Path
    raw: Path
    processed: Path
    reports: Path

    # --- folders -------------------------------------------------------------------
    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def reference(self) -> Path:
        return self.raw / "reference"

    @property
    def jobindsats(self) -> Path:
        return self.raw / "jobindsats"

    @property
    def star(self) -> Path:
        """Answers of the Jobindsats API a user saved (``*.json``), e.g. y30r21: STAR's
        expected against actual public support, shown beside the scorecard."""
        return self.raw / "star"

    @property
    def caseloads(self) -> Path:
        return self.raw / "caseloads"

    @property
    def interviews(self) -> Path:
        return self.raw / "interviews"

    @property
    def benchmark(self) -> Path:
        return self.raw / "benchmark"

    @property
    def literature(self) -> Path:
        return self.raw / "literature"

    @property
    def schemas(self) -> Path:
        return self.raw / "schemas"

    @property
    def geo(self) -> Path:
        return self.raw / "geo"

    # --- files ---------------------------------------------------------------------
    @property
    def municipalities_csv(self) -> Path:
        return self.reference / "municipalities.csv"

    @property
    def clusters_yaml(self) -> Path:
        return self.reference / "clusters.yaml"

    @property
    def municipality_boundaries(self) -> Path:
        """The municipalities' borders (DAGI TopoJSON, see ``data/raw/geo/PROVENANCE.md``)."""
        return self.geo / "kommuner.topojson"

    @property
    def jobindsats_snapshot(self) -> Path:
        """The Jobindsats dashboard snapshot in ``data/raw/jobindsats``
        (``dashboard-data*.json``). There must be one: of two, neither is taken by its
        name (``dashboard-data-old.json`` sorts after ``dashboard-data-2026-08-22.json``),
        the error names both."""
        candidates = sorted(self.jobindsats.glob("dashboard-data*.json"))
        if len(candidates) > 1:
            raise AnalysisError(
                f"{len(candidates)} Jobindsats snapshots: {', '.join(map(str, candidates))}; "
                "the analysis reads one and does not choose by file name. Keep the one to "
                "use in the folder and move the others out of it (when each was retrieved "
                "is its 'meta.retrievedAt')."
            )
        if not candidates:
            return self.jobindsats / "dashboard-data.json"
        return candidates[0]

    @property
    def simulated_caseloads(self) -> Path:
        return self.caseloads / "simulated_caseloads.csv"

    @property
    def simulated_truth(self) -> Path:
        return self.caseloads / "simulated_caseloads_truth.yaml"

    @property
    def published_effects(self) -> Path:
        """Effect sizes of published caseload trials (context, never regression data)."""
        return self.literature / "published_caseload_effects.csv"

    @property
    def privacy_names(self) -> Path:
        """Names the personal-data gate masks, one per line."""
        return self.interviews / "privacy_names.txt"

    @property
    def codebook(self) -> Path:
        return self.raw / "codebook.yaml"

    @property
    def joint_display(self) -> Path:
        return self.raw / "joint_display.yaml"

    @property
    def duckdb(self) -> Path:
        return self.processed / "analysis.duckdb"

    @property
    def manifest(self) -> Path:
        return self.processed / "manifest.json"

    def processed_file(self, name: str) -> Path:
        """Path of a processed Parquet table, e.g. ``processed_file("jobindsats")``."""
        return self.processed / f"{name}.parquet"


def get_paths(root: Path | str | None = None) -> ProjectPaths:
    """Resolve the project paths (environment variables win over defaults)."""
    base = Path(root).expanduser().resolve() if root is not None else _find_root()
    raw = _env_path("ANALYSIS_RAW_DIR", base / "data" / "raw")
    processed = _env_path("ANALYSIS_PROCESSED_DIR", base / "data" / "processed")
    reports = _env_path("ANALYSIS_REPORTS_DIR", base / "reports")
    return ProjectPaths(root=base, raw=raw, processed=processed, reports=reports)
