"""STAR's expected against actual public support (y30r21) beside the scorecard.

The scorecard's own framework model ("forventet ud fra rammevilkår") is a simple
descriptive regression; STAR publishes the Ministry's benchmarking analysis (VIVE's
model) as Jobindsats table y30r21. When a user has saved that table's API answer in
``data/raw/star/`` (see ``docs/data-inputs.md``) and run ``prepare``, the benchmark
section shows the municipality's row of it, labelled as STAR's, beside the project's own
model. Without the file: ``None``, and the page shows nothing of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.star import star_inputs
from analysis.data.store import built_from, read_table
from analysis.formatting import format_number, format_percent
from analysis.labels import t
from analysis.paths import ProjectPaths, get_paths

#: y30r21's benefit groups (as the API reader names them), in the order shown
GROUPS = ("total", "a_dagpenge_mv", "sygedagpenge_mv", "kontanthjaelp_mv")
_ROLLING = re.compile(r"^(\d{4})QMAT0([1-4])$")


@dataclass(frozen=True)
class StarComparison:
    """The municipality's rows of y30r21, ready to show."""

    table: pd.DataFrame  # one row per benefit group, display columns
    rows: pd.DataFrame  # the same rows as numbers (star_expected's columns)
    period: str  # the rolling year in words
    inputs: tuple[Path, ...]  # the API answers the table was built from


def rolling_year_text(code: str, language: str) -> str:
    """``2021QMAT02`` -> "4 kvartaler til og med 2. kvt. 2021" (the rolling year)."""
    match = _ROLLING.match(str(code))
    if match is None:
        return str(code)
    return t("benchmark.star.rolling_year", language, year=match[1], quarter=match[2])


def _group_label(group: str, language: str) -> str:
    key = f"benchmark.star.group.{group}"
    return t(key, language) if group in GROUPS else group.replace("_", " ")


def star_comparison(
    municipality: int, language: str = "da", paths: ProjectPaths | None = None
) -> StarComparison | None:
    """The municipality's rows of STAR's y30r21 table, or ``None`` when ``data/raw/star``
    holds no API answer (or none with this municipality). Raises when the answers changed
    since ``prepare`` built the table (it names the command to run)."""
    paths = paths or get_paths()
    if not star_inputs(paths):
        return None
    files = tuple(built_from("star_expected", paths))
    frame = read_table("star_expected", paths)
    rows = frame[frame["municipality_code"].eq(int(municipality))]
    if rows.empty:
        return None
    order = {g: i for i, g in enumerate(GROUPS)}
    rows = rows.sort_values("benefit_group", key=lambda s: s.map(order).fillna(len(GROUPS)))
    rows = rows.reset_index(drop=True)

    def share(value: object) -> str:
        return format_percent(value, language, decimals=1)

    def points(value: object) -> str:
        return format_number(value, language, decimals=1, sign=True)

    table = pd.DataFrame(
        {
            t("benchmark.star.col.group", language): [
                _group_label(g, language) for g in rows["benefit_group"]
            ],
            t("benchmark.star.col.expected", language): rows["expected_share"].map(share),
            t("benchmark.star.col.actual", language): rows["actual_share"].map(share),
            t("benchmark.star.col.difference", language): rows["actual_minus_expected_share"].map(
                points
            ),
            t("benchmark.star.col.rank", language): [
                "–" if pd.isna(r) else str(int(r)) for r in rows["rank"]
            ],
        }
    )
    periods = sorted(set(rows["period_code"]))
    period = ", ".join(rolling_year_text(p, language) for p in periods)
    return StarComparison(table=table, rows=rows, period=period, inputs=files)


def recorded_inputs(
    inputs: Iterable[Path | str], comparison: StarComparison | None
) -> list[Path | str]:
    """The benchmark section's inputs for its footer: ``inputs`` and, when the section
    shows STAR's table, the API answers it was built from."""
    return [*inputs, *(comparison.inputs if comparison is not None else ())]


def star_note(comparison: StarComparison, name: str, language: str = "da") -> str:
    """What the table is, whose model it is, how to read the sign, and that it is not
    the project's own framework model."""
    return t("benchmark.star.note", language, name=name, period=comparison.period)
