"""STAR's own framework-adjusted benchmark from Jobindsats API answers a user saved.

A user with an API key can save the answer for table y30r21 ("Forventet og faktisk antal
og andel fuldtidspersoner på offentlig forsørgelse") in ``data/raw/star/``; ``prepare``
turns every answer there into one processed table ``star_expected``: per municipality and
benefit group, STAR's expected and actual share in the latest rolling year of the answer
(:func:`analysis.data.jobindsats.expected_vs_actual`). Without such a file there is no
table, and the scorecard shows nothing of it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.data.jobindsats.api import read_jobindsats_api
from analysis.data.jobindsats.expected import EXPECTED_COLUMNS, expected_vs_actual
from analysis.paths import ProjectPaths

#: the processed table's columns: y30r21's, without the quarter as a Period (kept as code)
STAR_COLUMNS = [c for c in EXPECTED_COLUMNS if c != "period"] + ["source_file"]


def star_inputs(paths: ProjectPaths) -> list[Path]:
    """The API answers in ``data/raw/star`` (``*.json``; a README beside them is left)."""
    folder = paths.star
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def build_star_table(paths: ProjectPaths, inputs: list[Path]) -> pd.DataFrame:
    """Every benefit group of every y30r21 answer in ``inputs``, its latest rolling year."""
    frames = []
    for file in inputs:
        table = read_jobindsats_api(file)
        for group in sorted(set(table["benefit_group"])):
            rows = expected_vs_actual(table, benefit_group=group, source=file)
            frames.append(rows.assign(source_file=file.name))
    if not frames:
        return pd.DataFrame(columns=STAR_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    return out[STAR_COLUMNS]
