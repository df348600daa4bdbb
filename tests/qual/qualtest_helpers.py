"""Helpers shared by the qualitative tests (imported by conftest.py and test modules)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from analysis.qual.corpus import Corpus, make_corpus

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "qual"
PYTHON = REPO / ".venv" / "bin" / "python"

TINY_CODEBOOK = """\
version: "0.1"
codes:
  - id: sagsstamme
    label: {da: Sagsstamme, en: Caseload}
    definition: {da: Sagsstammens størrelse og tid pr. borger.}
    colour: "#e6ab02"
    patterns: ["*sagsstamme*", "mere tid"]
  - id: borgerrelation
    label: {da: Borgerrelation}
    definition: Relationen til borgeren.
    colour: "#d95f02"
    patterns: ["relation*", "borger"]
  - id: forberedelse
    parent: borgerrelation
    label: {da: Forberedelse}
    definition: Forberedelse af samtaler.
    colour: "#9e9ac8"
    patterns: ["forbered*"]
  - id: ledelse
    label: {da: Ledelse}
    definition: Ledelsens rolle.
    colour: "#e31a1c"
    patterns: ["leder*"]
"""


def tiny_corpus_from(texts: dict[str, list[str]], attrs: dict[str, dict] | None = None) -> Corpus:
    """A corpus whose sources are lists of quotes (joined by a blank line), one segment each."""
    sources, segments = [], []
    for sid, quotes in texts.items():
        start = 0
        for i, quote in enumerate(quotes, start=1):
            segments.append(
                {
                    "segment_id": f"{sid}-{i:03d}",
                    "source_id": sid,
                    "start": start,
                    "end": start + len(quote),
                }
            )
            start += len(quote) + 2
        sources.append(
            {"source_id": sid, "text": "\n\n".join(quotes), **(attrs or {}).get(sid, {})}
        )
    return make_corpus(pd.DataFrame(sources), pd.DataFrame(segments))


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def fixture_qdpx(tmp_path: Path, qde: str, source: str) -> Path:
    """Zip a hand-written .qde fixture and its source text into a .qdpx."""
    return make_zip(
        tmp_path / f"{Path(qde).stem}.qdpx",
        {
            "project.qde": (FIXTURES / qde).read_bytes(),
            "Sources/{0A000000-0000-4000-8000-000000000001}.txt": (FIXTURES / source).read_bytes(),
        },
    )
