"""The stored Jobindsats dashboard snapshot (JSON in ``data/raw/jobindsats/``).

:func:`load_snapshot` (municipalities) and :func:`load_snapshot_national` ('Hele
landet') give tidy long tables (``SNAPSHOT_COLUMNS``) of the measures in
:data:`~analysis.data.jobindsats.catalogue.MEASURES`; every municipality key is matched to
the reference table, and every structural problem of the file is reported with where it
is (``municipalities.<slug>.<block>.<series>``). :func:`snapshot_metadata` gives its
provenance; :func:`labour_force` the labour force the published rate implies.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from analysis.data.jobindsats.jsonfiles import json_kind, load_documents, what_it_is
from analysis.data.parsing import ParseError, parse_period, snake_case
from analysis.data.reference import load_municipalities
from analysis.errors import InputError, ProblemCollector
from analysis.fileio import sha256_file
from analysis.paths import get_paths

SNAPSHOT_COLUMNS = [
    "municipality_code",
    "period",
    "measure",
    "benefit_group",
    "category",
    "value",
    "dataset",
]


# --- snapshot layout ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    key: str
    measure: str
    benefit_group: str


@dataclass(frozen=True)
class _Block:
    """One block of a municipality in the snapshot and how its series map to measures."""

    dataset: str
    series: tuple[_Series, ...]
    breakdown: bool = False  # labels are categories of one `period`, not months
    totals: tuple[_Series, ...] = ()  # scalar fields, category "total"


def _series(benefit_group: str, **keys: str) -> tuple[_Series, ...]:
    return tuple(_Series(key, measure, benefit_group) for key, measure in keys.items())


_KH = "kontanthjaelp"
BLOCKS: dict[str, _Block] = {
    "unemployment": _Block(
        "y25i01",
        _series("total", total="unemployed_fulltime", totalRate="unemployment_rate")
        + _series("dagpenge", dagpenge="unemployed_fulltime", dagpengeRate="unemployment_rate")
        + _series(_KH, kontanthjaelp="unemployed_fulltime", kontanthjaelpRate="unemployment_rate"),
    ),
    "longterm": _Block(
        "y25i09",
        _series("total", total="longterm_unemployed")
        + _series("dagpenge", dagpenge="longterm_unemployed")
        + _series(_KH, kontanthjaelp="longterm_unemployed"),
    ),
    "cashAssistance": _Block(
        "y60a02",
        _series(
            _KH,
            persons="recipients_persons",
            fullTime="recipients_fulltime",
            workforceRate="recipients_workforce_rate",
            populationRate="recipients_population_rate",
        ),
    ),
    "cashVisitation": _Block(
        "y60a02", _series(_KH, fullTime="recipients_fulltime"), breakdown=True
    ),
    "activation": _Block(
        "y60c07",
        _series(_KH, degree="activation_degree", affectedShare="activation_affected_share"),
    ),
    "offers": _Block(
        "y60c02",
        _series(_KH, courses="activation_courses", activated="activated_persons"),
        breakdown=True,
        totals=_series(
            _KH,
            coursesTotal="activation_courses",
            activatedTotal="activated_persons",
            averageCourses="activation_courses_per_person",
        ),
    ),
    "ordinaryHours": _Block(
        "y60j01",
        _series(_KH, persons="ordinary_hours_persons", share="ordinary_hours_share"),
    ),
}


# --- snapshot: reading and validation -----------------------------------------------------


def _snapshot_path(path: Path | str | None) -> Path:
    return Path(path) if path is not None else get_paths().jobindsats_snapshot


#: The file whose layout :data:`BLOCKS` describes (see data/raw/jobindsats/PROVENANCE.md).
_LAYOUT_FILE = "dashboard-data-2026-08-22.json"


def _check_layout(data: dict, file: Path) -> None:
    """Refuse a dashboard file of another layout in one sentence (the source repository
    has written other blocks before: ``newlyRegistered``, ``duration``, ...), instead of a
    "missing block" for every block of every municipality. A block that no area has
    means another layout; a block missing in some areas is reported where it is missing.
    """
    areas = data.get("municipalities")
    entries = [a for a in areas.values() if isinstance(a, dict)] if isinstance(areas, dict) else []
    if not entries:
        return  # no areas to judge by: reported by the reader
    found = list(dict.fromkeys(key for entry in entries for key in entry if key != "name"))
    missing = [block for block in BLOCKS if block not in found]
    if missing:
        raise InputError.single(
            file,
            "not the dashboard layout this version reads: no area has the block(s) "
            f"{', '.join(missing)} (an older or newer layout of the dashboard data)",
            column="municipalities",
            expected=f"the layout of {_LAYOUT_FILE} (data/raw/jobindsats/PROVENANCE.md): "
            f"blocks {', '.join(BLOCKS)} in every municipality",
            found=f"blocks {', '.join(found)}" if found else "no blocks",
        )


def _read_json(file: Path) -> dict:
    """The snapshot's JSON object; a file of another kind (an API answer) is named with
    the reader that takes it."""
    documents = load_documents(file)
    kind = json_kind(documents)
    if kind in ("api", "records") or len(documents) > 1:
        what = (
            f"{len(documents)} JSON documents one after another"
            if kind == "unknown"
            else what_it_is(kind)
        )
        raise InputError.single(
            file,
            f"not the dashboard snapshot: {what}",
            expected="one object with meta, national, municipalities",
        )
    data = documents[0]
    if not isinstance(data, dict):
        raise InputError.single(
            file, "unexpected JSON", expected="an object with meta, national, municipalities"
        )
    return data


@dataclass
class _Rows:
    """Column lists of the long table being built."""

    codes: list[int]
    periods: list[pd.Period]
    measures: list[str]
    benefit_groups: list[str]
    categories: list[str]
    values: list[float]
    datasets: list[str]

    @classmethod
    def empty(cls) -> _Rows:
        return cls([], [], [], [], [], [], [])

    def add(
        self,
        code: int,
        period: pd.Period,
        series: _Series,
        category: str,
        value: float,
        dataset: str,
    ) -> None:
        self.codes.append(code)
        self.periods.append(period)
        self.measures.append(series.measure)
        self.benefit_groups.append(series.benefit_group)
        self.categories.append(category)
        self.values.append(value)
        self.datasets.append(dataset)


def _month(label: object, where: str, problems: ProblemCollector) -> pd.Period | None:
    try:
        period = parse_period(label)
    except ParseError:
        period = None
    if period is None or period.freqstr != "M":
        problems.add(
            "not a month code", column=where, expected="a month such as 2024M01", found=label
        )
        return None
    return period


def _number(value: object, where: str, index: int, problems: ProblemCollector) -> float | None:
    """A JSON number, or NaN for null (a suppressed value); None after a problem."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isinf(value):
        problems.add(
            f"non-numeric value at position {index}",
            column=where,
            expected="a number or null (suppressed)",
            found=repr(value),
        )
        return None
    return float(value)


def _labels(block: dict, where: str, problems: ProblemCollector) -> list | None:
    labels = block.get("labels")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        problems.add(
            "missing or malformed labels",
            column=f"{where}.labels",
            expected="a list of strings",
            found=type(labels).__name__,
        )
        return None
    duplicated = sorted(x for x, n in Counter(labels).items() if n > 1)
    if duplicated:
        problems.add(
            "duplicate labels",
            column=f"{where}.labels",
            expected="each label once",
            found=", ".join(duplicated),
        )
        return None
    return labels


def _block_rows(
    code: int,
    name: str,
    block: object,
    spec: _Block,
    where: str,
    rows: _Rows,
    problems: ProblemCollector,
) -> None:
    """Append the rows of one block; structural problems go to ``problems``."""
    if not isinstance(block, dict):
        problems.add("missing or malformed block", column=where, expected="an object")
        return
    if "name" in block and _nfc(block["name"]) != _nfc(name):
        problems.add(
            "block name differs from the municipality name",
            column=f"{where}.name",
            expected=name,
            found=block["name"],
        )
    labels = _labels(block, where, problems)
    if labels is None:
        return
    if spec.breakdown:
        period = _month(block.get("period"), f"{where}.period", problems)
        periods = [period] * len(labels)
        categories = [snake_case(label) for label in labels]
    else:
        periods = [_month(label, f"{where}.labels", problems) for label in labels]
        categories = ["total"] * len(labels)
    for series in spec.series:
        values = block.get(series.key)
        column = f"{where}.{series.key}"
        if not isinstance(values, list):
            problems.add("missing series", column=column, expected="a list of numbers")
            continue
        if len(values) != len(labels):
            problems.add(
                "labels and values differ in length",
                column=column,
                expected=f"{len(labels)} values (one per label)",
                found=f"{len(values)} values",
            )
            continue
        for index, (period, category, raw) in enumerate(
            zip(periods, categories, values, strict=True)
        ):
            value = _number(raw, column, index, problems)
            if value is not None and period is not None:
                rows.add(code, period, series, category, value, spec.dataset)
    for series in spec.totals:
        column = f"{where}.{series.key}"
        if series.key not in block:
            problems.add("missing total", column=column, expected="a number or null")
            continue
        value = _number(block[series.key], column, 0, problems)
        if value is not None and periods and periods[0] is not None:
            rows.add(code, periods[0], series, "total", value, spec.dataset)


def _area_rows(
    code: int, name: str, area: object, where: str, rows: _Rows, problems: ProblemCollector
) -> None:
    if not isinstance(area, dict):
        problems.add("malformed entry", column=where, expected="an object with blocks")
        return
    for block_name, spec in BLOCKS.items():
        _block_rows(code, name, area.get(block_name), spec, f"{where}.{block_name}", rows, problems)


def _nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text).strip())


def _municipal_rows(data: dict, reference: pd.DataFrame, problems: ProblemCollector) -> _Rows:
    rows = _Rows.empty()
    areas = data.get("municipalities")
    if not isinstance(areas, dict):
        problems.add(
            "missing municipalities",
            column="municipalities",
            expected="an object keyed by municipality slug",
        )
        return rows
    by_slug = {row.slug: row for row in reference.itertuples(index=False)}
    for key, area in areas.items():
        where = f"municipalities.{key}"
        match = by_slug.get(key)
        if match is None:
            problems.add(
                "unknown municipality key",
                column=where,
                expected="a slug from the municipality reference table",
                found=key,
            )
            continue
        if not isinstance(area, dict):
            problems.add("malformed entry", column=where, expected="an object with blocks")
            continue
        found_name = area.get("name")
        if _nfc(found_name) != _nfc(match.name):
            problems.add(
                "municipality name does not match the reference table",
                column=f"{where}.name",
                expected=match.name,
                found=found_name,
            )
            continue
        _area_rows(int(match.code), str(match.name), area, where, rows, problems)
    for slug in sorted(set(by_slug) - set(areas)):
        problems.add(
            "municipality missing from the snapshot",
            column="municipalities",
            expected=f"an entry for {by_slug[slug].name}",
            found=slug,
        )
    return rows


def _frame(rows: _Rows) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "municipality_code": pd.Series(rows.codes, dtype="int64"),
            "period": pd.PeriodIndex(rows.periods, freq="M"),
            "measure": pd.Series(rows.measures, dtype="str"),
            "benefit_group": pd.Series(rows.benefit_groups, dtype="str"),
            "category": pd.Series(rows.categories, dtype="str"),
            "value": pd.Series(rows.values, dtype="float64"),
            "dataset": pd.Series(rows.datasets, dtype="str"),
        }
    )
    keys = ["municipality_code", "measure", "benefit_group", "category", "period"]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


@cache
def _snapshot_tables(
    file: str, _stamp: tuple[int, int], reference: str, _ref_stamp: tuple[int, int] | None
) -> tuple:
    """(municipal, national, ignored) of one version of the snapshot and of the reference
    table; pure, so cached."""
    path = Path(file)
    data = _read_json(path)
    _check_layout(data, path)
    problems = ProblemCollector(path)
    municipal = _municipal_rows(data, load_municipalities(reference), problems)
    national = _Rows.empty()
    _area_rows(0, _nfc(_national_name(data)), data.get("national"), "national", national, problems)
    problems.raise_if_any()
    return (
        _frame(municipal),
        _frame(national).drop(columns="municipality_code"),
        _ignored(data),
    )


# --- what the loader does not read ---------------------------------------------------------

_TOP_LEVEL = ("meta", "national", "municipalities")


def _known_keys(spec: _Block) -> set[str]:
    keys = {"name", "labels", *(s.key for s in spec.series), *(s.key for s in spec.totals)}
    return keys | ({"period"} if spec.breakdown else set())


def _unread_in(areas: dict[str, dict]) -> Counter:
    """(block, key) pairs of the areas that the loader does not read: key None for a
    whole block, else a field of a known block; counted over the areas."""
    found: Counter = Counter()
    for area in areas.values():
        for block, content in area.items():
            if block == "name":
                continue
            spec = BLOCKS.get(block)
            if spec is None:
                found[(block, None)] += 1
            elif isinstance(content, dict):
                found.update((block, key) for key in content if key not in _known_keys(spec))
    return found


def _ignored(data: dict) -> tuple[str, ...]:
    """Every part of the snapshot the loader drops, one line each, so that ``prepare`` can
    say so (a block of a newer dashboard, e.g. ``outcomes``, would otherwise vanish
    without a word). The Jobindsats table is named when ``meta.sourceStatus`` lists it."""
    meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    status = meta.get("sourceStatus") if isinstance(meta.get("sourceStatus"), dict) else {}

    def table(block: str) -> str:
        entry = status.get(block)
        dataset = entry.get("dataset") if isinstance(entry, dict) else None
        return f", Jobindsats table {dataset} in meta.sourceStatus" if dataset else ""

    lines = [f"{key} (a top-level key)" for key in data if key not in _TOP_LEVEL]
    municipalities = data.get("municipalities")
    areas = (
        {k: a for k, a in municipalities.items() if isinstance(a, dict)}
        if isinstance(municipalities, dict)
        else {}
    )
    for (block, key), count in _unread_in(areas).items():
        where = f"municipalities.*.{block}" + (f".{key}" if key else "")
        if key is None:
            lines.append(
                f"{where} (block, in {count} of {len(areas)} municipalities{table(block)})"
            )
        else:
            lines.append(f"{where} (series, in {count} of {len(areas)} municipalities)")
    national = data.get("national")
    if isinstance(national, dict):
        for (block, key), _ in _unread_in({"national": national}).items():
            where = f"national.{block}" + (f".{key}" if key else "")
            source = table(block + "National") or table(block)
            lines.append(f"{where} (block{source})" if key is None else f"{where} (series)")
    return tuple(lines)


def _national_name(data: dict) -> str:
    national = data.get("national")
    return national.get("name", "Hele landet") if isinstance(national, dict) else ""


def _tables(path: Path | str | None) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    file = _snapshot_path(path).resolve()
    try:
        stat = file.stat()
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    reference = get_paths().municipalities_csv.resolve()
    try:
        ref_stat = reference.stat()
        ref_stamp: tuple[int, int] | None = (ref_stat.st_mtime_ns, ref_stat.st_size)
    except OSError:
        ref_stamp = None  # load_municipalities reports it
    return _snapshot_tables(str(file), (stat.st_mtime_ns, stat.st_size), str(reference), ref_stamp)


def load_snapshot(path: Path | str | None = None) -> pd.DataFrame:
    """The snapshot's municipal series as a tidy long table (``SNAPSHOT_COLUMNS``).

    Every municipality key is matched to its code through the reference table (slug and
    name must both agree), suppressed values are NaN, rows are sorted by code, measure,
    benefit group, category and period. Default file: ``get_paths().jobindsats_snapshot``.
    """
    return _tables(path)[0].copy()


def labour_force(snapshot: pd.DataFrame) -> pd.DataFrame:
    """Monthly unemployment rate, full-time unemployed and the labour force they imply.

    Jobindsats publishes the rate (percent of the labour force, one decimal) and the
    count of full-time unemployed, so labour force = unemployed / (rate / 100). The
    rounding of the rate makes this exact to about ±2 % (±5 % where the rate is below
    1 %), enough for weights and for rates of other counts; a missing or zero rate gives
    a missing labour force. Columns: municipality_code, period, unemployment_rate,
    unemployed_fulltime, labour_force.
    """
    keys = ["municipality_code", "period"]
    total = snapshot[snapshot["benefit_group"].eq("total") & snapshot["category"].eq("total")]

    def series(measure: str) -> pd.DataFrame:
        rows = total[total["measure"].eq(measure)]
        return rows[[*keys, "value"]].rename(columns={"value": measure})

    wide = series("unemployment_rate").merge(series("unemployed_fulltime"), on=keys, how="outer")
    rate = wide["unemployment_rate"].where(wide["unemployment_rate"] > 0)
    wide["labour_force"] = wide["unemployed_fulltime"] / (rate / 100)
    columns = [*keys, "unemployment_rate", "unemployed_fulltime", "labour_force"]
    return wide[columns].sort_values(keys).reset_index(drop=True)


def load_snapshot_national(path: Path | str | None = None) -> pd.DataFrame:
    """The snapshot's national series ('Hele landet'), same columns without the code."""
    return _tables(path)[1].copy()


def snapshot_ignored(path: Path | str | None = None) -> tuple[str, ...]:
    """What the loader does not read, one line per block or series (empty for the file of
    :data:`BLOCKS`): blocks this version does not know (``municipalities.*.outcomes
    (block, in 98 of 98 municipalities, Jobindsats table y60b15 in meta.sourceStatus)``),
    fields of known blocks that are no series it reads, top-level keys other than meta,
    national and municipalities. ``prepare`` prints them."""
    return _tables(path)[2]


def snapshot_metadata(path: Path | str | None = None) -> dict:
    """Provenance of the snapshot for reports: file, hash, retrieval time, source, and
    per block and per dataset the latest period and Jobindsats' notes. ``blocks`` lists
    every entry of ``meta.sourceStatus`` with ``read`` (whether the loader reads that
    block); ``datasets`` only the tables of blocks it reads, so a report never names a
    table as the source of figures it does not show."""
    file = _snapshot_path(path)
    data = _read_json(file)
    _check_layout(data, file)
    meta = data.get("meta")
    if not isinstance(meta, dict) or not meta.get("retrievedAt") or not meta.get("source"):
        raise InputError.single(
            file, "missing provenance", column="meta", expected="meta.retrievedAt and meta.source"
        )
    status = meta.get("sourceStatus") if isinstance(meta.get("sourceStatus"), dict) else {}
    problems = ProblemCollector(file)
    texts = [("meta", key, meta.get(key)) for key in ("title", "retrievedAt", "source")]
    texts += [
        (f"meta.sourceStatus.{name}", key, entry.get(key))
        for name, entry in status.items()
        if isinstance(entry, dict)
        for key in ("dataset", "latestPeriod", "state", "note")
    ]
    for where, key, value in texts:
        if value is not None and not isinstance(value, str):
            problems.add(
                "not text",
                column=f"{where}.{key}",
                expected="a string or null",
                found=type(value).__name__,
            )
    problems.raise_if_any()
    blocks = {
        name: {
            "dataset": entry.get("dataset"),
            "latest_period": entry.get("latestPeriod"),
            "state": entry.get("state"),
            "note": entry.get("note") or "",
            "read": name.removesuffix("National") in BLOCKS,
        }
        for name, entry in status.items()
        if isinstance(entry, dict)
    }
    datasets: dict[str, dict] = {}
    for block in blocks.values():
        if not block["read"]:
            continue  # listed in the metadata, not read: no source of any figure
        entry = datasets.setdefault(block["dataset"], {"latest_period": None, "notes": []})
        if block["latest_period"] and (
            entry["latest_period"] is None or block["latest_period"] > entry["latest_period"]
        ):
            entry["latest_period"] = block["latest_period"]
        if block["note"] and block["note"] not in entry["notes"]:
            entry["notes"].append(block["note"])
    return {
        "file": str(file),
        "sha256": sha256_file(file),
        "title": meta.get("title"),
        "retrieved_at": meta["retrievedAt"],
        "source": meta["source"],
        "blocks": blocks,
        "datasets": datasets,
    }
