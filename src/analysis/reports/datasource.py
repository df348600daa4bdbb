"""The data date and the source a printed page names on every sheet (and the committee
page under its figures): where the registers' figures come from, when they were
retrieved and the latest month they hold, from the snapshot's own metadata
(:func:`analysis.data.jobindsats.snapshot_metadata`), found through the inputs the
page's notebooks recorded (:func:`analysis.nb.record_inputs`). The other inputs are named
by kind, the simulated ones as simulated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.labels import t
from analysis.paths import ProjectPaths, get_paths

#: the raw-data folder of the register snapshot among a page's inputs
SNAPSHOT_FOLDER = "jobindsats/"


@dataclass(frozen=True)
class SnapshotSource:
    """Where the register figures come from: ``source`` as the snapshot names it
    ("Jobindsats.dk / STAR"), the day it was retrieved (``YYYY-MM-DD``) and the latest
    month of the tables the reports read (``YYYY-MM``, empty when none is named)."""

    source: str
    retrieved: str
    latest: str = ""


@cache
def _snapshot_source(file: str, _stamp: tuple[int, int]) -> SnapshotSource | None:
    """The snapshot's provenance (a pure read of the file, cached by path and stamp)."""
    from analysis.data.jobindsats import snapshot_metadata

    try:
        meta = snapshot_metadata(file)
    except (AnalysisError, OSError, ValueError):
        return None
    months = [
        str(d.get("latest_period") or "").replace("M", "-")
        for d in meta.get("datasets", {}).values()
    ]
    return SnapshotSource(
        source=str(meta["source"]),
        retrieved=str(meta["retrieved_at"])[:10],
        latest=max((m for m in months if m), default=""),
    )


def _resolve(file: str, paths: ProjectPaths) -> Path | None:
    """An input as recorded (relative to the project, else to the raw-data folder)."""
    for base in (paths.root, paths.raw):
        candidate = base / file
        if candidate.is_file():
            return candidate
    return None


def snapshot_source(
    inputs: Sequence[Mapping[str, Any]], paths: ProjectPaths | None = None
) -> SnapshotSource | None:
    """The register snapshot among a page's ``inputs`` and its provenance; None when the
    page read none (the national report) or the file cannot be read any more."""
    paths = paths or get_paths()
    for item in inputs:
        file = str(item.get("file", ""))
        if SNAPSHOT_FOLDER not in file or item.get("simulated"):
            continue
        found = _resolve(file, paths)
        if found is not None:
            stat = found.stat()
            return _snapshot_source(str(found), (stat.st_mtime_ns, stat.st_size))
    return None


def format_day(day: str, language: str) -> str:
    """'2026-08-22' -> '22. august 2026' / '22 August 2026'."""
    year, month, date = (int(part) for part in day.split("-"))
    name = t("benchmark.months", language).split(",")[month - 1]
    return f"{date}. {name} {year}" if language == "da" else f"{date} {name} {year}"


def format_month(month: str, language: str) -> str:
    """'2026-07' -> 'juli 2026' / 'July 2026'."""
    year, number = (int(part) for part in month.split("-"))
    return f"{t('benchmark.months', language).split(',')[number - 1]} {year}"


def register_line(source: SnapshotSource, language: str) -> str:
    """'Jobindsats.dk / STAR, hentet 22. august 2026 (tal til og med juli 2026)'."""
    text = t(
        "reports.print.register",
        language,
        source=source.source,
        date=format_day(source.retrieved, language),
    )
    if source.latest:
        text += " " + t(
            "reports.print.latest", language, month=format_month(source.latest, language)
        )
    return text


def source_line(
    inputs: Sequence[Mapping[str, Any]],
    language: str,
    paths: ProjectPaths | None = None,
    *,
    documents_only: bool = False,
) -> str:
    """The page's sources in one line: the register snapshot with its date and latest
    month, then the other inputs by kind, the simulated ones named as simulated
    ("Data: Jobindsats.dk / STAR, hentet 22. august 2026 (tal til og med juli 2026);
    interviewkorpus, ydelsessatser · simuleret: sagsstammepanelet"); ``documents_only``:
    the municipality's corpus holds documents and no interviews, so it is named so."""
    from analysis.reports.findings import input_kinds

    register = snapshot_source(inputs, paths)
    real, simulated = input_kinds(inputs, documents_only=documents_only)
    parts = [register_line(register, language)] if register else []
    others = [t(k, language) for k in real if not (register and k.endswith(".jobindsats"))]
    if others:
        parts.append(", ".join(others))
    lines = [t("reports.print.data", language, sources="; ".join(parts))] if parts else []
    if simulated:
        shown = ", ".join(t(k, language) for k in simulated)
        lines.append(t("reports.print.simulated", language, inputs=shown))
    return " · ".join(lines)
