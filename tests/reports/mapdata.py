"""Index rows for the map tests: the 98 municipalities of the reference table with
headline values as the report batch records them (made up, varied, deterministic)."""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.data.reference import load_municipalities
from analysis.labels import t
from analysis.paths import ProjectPaths
from analysis.reports.sections import HEADLINES

REPO = Path(__file__).resolve().parents[2]
TOPOJSON = REPO / "data" / "raw" / "geo" / "kommuner.topojson"


def with_borders(paths: ProjectPaths) -> ProjectPaths:
    """Copy the borders file into an isolated raw folder."""
    paths.municipality_boundaries.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(TOPOJSON, paths.municipality_boundaries)
    return paths


def index_rows(paths: ProjectPaths, *, status: str = "ok") -> list[dict]:
    rows = []
    for n, row in enumerate(load_municipalities(paths.municipalities_csv).itertuples()):
        code = int(row.code)
        rows.append(
            {
                "code": code,
                "name": row.name,
                "region": row.region,
                "status": status,
                "error": None,
                "href": f"{code}-{row.slug}.html",
                "benchmark_unemployment": round(1.2 + (code * 7 % 37) / 10, 2),
                "benchmark_unemployment_development": round(((code * 5) % 23 - 11) * 1.37, 2),
                "benchmark_period": "2026-07",
                "benchmark_period_start": "2026-05",
                "benchmark_better": code % 7,
                "benchmark_worse": (code // 7 + n) % 7,
                "benchmark_up": (code // 3) % 6,
                "benchmark_down": (code // 5) % 6,
                "trial": code == 101,
            }
        )
    return rows


def columns(language: str = "da") -> list[tuple[str, str]]:
    return [(h.column, t(f"reports.index.headline.{h.column}", language)) for h in HEADLINES]
