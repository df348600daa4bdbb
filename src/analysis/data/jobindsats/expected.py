"""STAR's framework-adjusted benchmark: expected against actual public support (y30r21).

Jobindsats table y30r21, "Forventet og faktisk antal og andel fuldtidspersoner på
offentlig forsørgelse", publishes the results of the Ministry of Employment's
benchmarking analysis (the model is VIVE's): per municipality and rolling year the
expected and the actual number and share of full-time persons on public support, given
the municipality's framework conditions (rammevilkår), their differences and the
municipality's place on the benchmark ranking. It is the official counterpart of this
project's own framework model, and is shown beside it once a user has the file.

:func:`expected_vs_actual` turns the table that
:func:`~analysis.data.jobindsats.api.read_jobindsats_api` reads from the API answer into
one row per municipality.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.data.parsing import snake_case
from analysis.errors import InputError

#: y30r21's measures (the label after its group, snake_case) -> column of the result.
Y30R21_MEASURES = {
    "forventet_antal": "expected_fulltime",
    "faktisk_antal": "actual_fulltime",
    "forskel_mellem_forventet_og_faktisk_antal": "difference_fulltime",
    "forventet_andel_pct": "expected_share",
    "faktisk_andel_pct": "actual_share",
    "forskel_mellem_forventet_og_faktisk_andel_pct_point": "difference_share",
    "placering_paa_benchmarkranglisten": "rank",
}
#: The measures without which the comparison cannot be made.
_REQUIRED = ("forventet_andel_pct", "faktisk_andel_pct")

EXPECTED_COLUMNS = [
    "municipality_code",
    "area",
    "period_code",
    "period",
    "benefit_group",
    *Y30R21_MEASURES.values(),
    "actual_minus_expected_share",
]


def _measure_key(label: str) -> str:
    """'Forventet og faktisk andel ...: Forventet andel (pct.)' -> 'forventet_andel_pct'."""
    return snake_case(label.rsplit(":", 1)[-1])


def expected_vs_actual(
    table: pd.DataFrame,
    *,
    benefit_group: str = "total",
    period_code: str | None = None,
    source: str | Path = "y30r21",
) -> pd.DataFrame:
    """Per municipality, STAR's expected and actual full-time persons on public support.

    ``table`` is :func:`~analysis.data.jobindsats.api.read_jobindsats_api` of a y30r21
    answer; ``benefit_group`` one of its groups (``total`` = Ydelsesgrupper i alt,
    ``a_dagpenge_mv``, ``sygedagpenge_mv``, ``kontanthjaelp_mv``); ``period_code`` a
    rolling year such as ``2021QMAT02`` (default: the latest in the table). ``source``
    names the file in errors.

    One row per municipality in the table (Hele landet and other areas without a
    municipality code are left out), sorted by code, columns ``EXPECTED_COLUMNS``:
    expected and actual full-time persons and shares (percent), STAR's published
    differences and ranking place (``rank``, Int64) as published (their sign convention is
    STAR's; this function does not assume it), and ``actual_minus_expected_share``, computed here:
    below 0 means fewer on public support than the framework conditions predict. A
    measure y30r21 has and the file lacks is missing (NaN); the two shares are required.
    """
    keys = table["measure_label"].map(_measure_key)
    rows = table[keys.isin(list(Y30R21_MEASURES))].assign(key=keys)
    missing = [k for k in _REQUIRED if k not in set(rows["key"])]
    if missing:
        raise InputError.single(
            source,
            "not the y30r21 table (expected and actual public support)",
            column="measures",
            expected="the measures Forventet andel (pct.) and Faktisk andel (pct.) of "
            "Jobindsats table y30r21",
            found=", ".join(sorted(set(table["measure_label"]))) or "no measures",
        )
    groups = sorted(set(rows["benefit_group"]))
    if benefit_group not in groups:
        raise InputError.single(
            source,
            f"no benefit group {benefit_group!r}",
            column="Ydelsesgrupper",
            expected=f"one of {', '.join(groups)}",
        )
    rows = rows[rows["benefit_group"].eq(benefit_group)]
    periods = dict(zip(rows["period_code"], rows["period"], strict=True))
    codes = sorted(periods, key=periods.__getitem__)
    chosen = period_code.upper() if period_code else codes[-1]
    if chosen not in codes:
        raise InputError.single(
            source,
            f"no period {period_code!r}",
            column="Periode",
            expected=f"one of {', '.join(codes)}",
        )
    rows = rows[rows["period_code"].eq(chosen) & rows["municipality_code"].notna()]
    twice = rows[rows.duplicated(["municipality_code", "key"], keep=False)]
    if not twice.empty:  # e.g. two answers concatenated by hand
        first = twice.iloc[0]
        raise InputError.single(
            source,
            "a municipality has a measure more than once in one period and benefit group",
            column=str(first["measure_label"]),
            expected="one value per municipality, measure, period and benefit group",
            found=f"{first['area']} {chosen}",
        )
    wide = rows.pivot(
        index=["municipality_code", "area", "period_code", "period", "benefit_group"],
        columns="key",
        values="value",
    ).rename(columns=Y30R21_MEASURES)
    wide = wide.reindex(columns=list(Y30R21_MEASURES.values())).reset_index()
    wide.columns.name = None
    wide["municipality_code"] = wide["municipality_code"].astype("int64")
    wide["rank"] = wide["rank"].round().astype("Int64")
    # shares have one decimal: round away the binary remainder of the subtraction
    wide["actual_minus_expected_share"] = (wide["actual_share"] - wide["expected_share"]).round(10)
    return wide.sort_values("municipality_code").reset_index(drop=True)[EXPECTED_COLUMNS]
