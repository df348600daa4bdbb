"""Jobindsats.dk (STAR) outcome data: the stored dashboard snapshot and analysts' exports.

Two kinds of input:

- the JSON snapshot in ``data/raw/jobindsats/`` (see its PROVENANCE.md), read by
  :func:`load_snapshot`, :func:`load_snapshot_national` and :func:`snapshot_metadata`;
- tables analysts download from jobindsats.dk themselves (CSV or Excel), read by
  :func:`read_jobindsats_export`.

Both give tidy long tables. Suppressed values ("diskretioneret": ``null`` in the JSON,
``-`` or ``..`` in exports) stay missing (NaN), never 0.

Snapshot measures (``MEASURES``; rates are percent of the labour force 16-66 unless
stated otherwise):

=============================  ==============  ===========================================
measure                        dataset         content
=============================  ==============  ===========================================
unemployed_fulltime            y25i01          full-time unemployed persons
unemployment_rate              y25i01          full-time unemployed, pct. of labour force
longterm_unemployed            y25i09          long-term unemployed persons
recipients_persons             y60a02          kontanthjælp recipients (persons)
recipients_fulltime            y60a02          kontanthjælp recipients (full-time persons);
                                               by visitation category in ``category``
recipients_workforce_rate      y60a02          full-time recipients, pct. of labour force
recipients_population_rate     y60a02          full-time recipients, pct. of population
activation_degree              y60c07          activation degree (aktiveringsgrad), pct.
activation_affected_share      y60c07          share touched by activation, pct.
activation_courses             y60c02          activation courses by offer type
activated_persons              y60c02          activated persons by offer type
activation_courses_per_person  y60c02          courses per activated person (all types)
ordinary_hours_persons         y60j01          recipients with ordinary wage hours
ordinary_hours_share           y60j01          same, pct. of recipients
=============================  ==============  ===========================================

``benefit_group`` is ``total``, ``dagpenge`` or ``kontanthjaelp`` (the y60 tables are all
kontanthjælp). ``category`` is ``total`` except in the two breakdown blocks, where it is
the snake_case visitation category (``jobparat``, ``aktivitetsparat``, ...) or offer type
(``vejledning_og_opkvalificering``, ``loentilskud``, ...); the offer block's totals
(``coursesTotal``, ``activatedTotal``, ``averageCourses``) have category ``total``.
``activated_persons`` in category ``total`` counts each person once, so it is less than
the sum over offer types.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from analysis.data.parsing import (
    ParseError,
    UnsavedFormula,
    ambiguous_decimal_text,
    check_office_file,
    decimal_evidence,
    decimal_mark,
    is_non_municipal_area,
    parse_number,
    parse_period,
    read_delimited_rows,
    read_xlsx_sheets,
    snake_case,
    whole_number_mark,
)
from analysis.data.reference import load_municipalities, resolve_municipality
from analysis.errors import InputError, InputProblem
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
EXPORT_COLUMNS = ["municipality_code", "area", "period", "measure", "benefit_group", "value"]

#: Problems collected from one file before giving up on it.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Measure:
    """What a snapshot measure counts, in which unit, from which Jobindsats table."""

    description: str
    unit: str
    dataset: str


MEASURES: dict[str, Measure] = {
    "unemployed_fulltime": Measure(
        "Full-time unemployed persons (fuldtidsledige)", "full-time persons", "y25i01"
    ),
    "unemployment_rate": Measure(
        "Full-time unemployed in percent of the labour force", "percent", "y25i01"
    ),
    "longterm_unemployed": Measure("Long-term unemployed persons", "persons", "y25i09"),
    "recipients_persons": Measure("Kontanthjælp recipients in the month", "persons", "y60a02"),
    "recipients_fulltime": Measure(
        "Kontanthjælp recipients as full-time persons (by visitation category in the breakdown)",
        "full-time persons",
        "y60a02",
    ),
    "recipients_workforce_rate": Measure(
        "Full-time kontanthjælp recipients in percent of the labour force 16-66",
        "percent",
        "y60a02",
    ),
    "recipients_population_rate": Measure(
        "Full-time kontanthjælp recipients in percent of the population 16-66",
        "percent",
        "y60a02",
    ),
    "activation_degree": Measure(
        "Activation degree (aktiveringsgrad), all visitation categories", "percent", "y60c07"
    ),
    "activation_affected_share": Measure(
        "Share of recipients touched by activation (andel aktiveringsberørte)",
        "percent",
        "y60c07",
    ),
    "activation_courses": Measure(
        "Activation courses (aktiveringsforløb) by offer type", "courses", "y60c02"
    ),
    "activated_persons": Measure(
        "Activated persons by offer type; the total counts each person once",
        "persons",
        "y60c02",
    ),
    "activation_courses_per_person": Measure(
        "Average activation courses per activated person", "courses per person", "y60c02"
    ),
    "ordinary_hours_persons": Measure(
        "Kontanthjælp recipients with ordinary wage hours in the month", "persons", "y60j01"
    ),
    "ordinary_hours_share": Measure(
        "Kontanthjælp recipients with ordinary wage hours, percent of recipients",
        "percent",
        "y60j01",
    ),
}


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


class _JsonProblem(ValueError):
    """Valid-looking JSON that is still ambiguous or not JSON (see :func:`_read_json`)."""

    def __init__(self, message: str, expected: str):
        super().__init__(message)
        self.expected = expected


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object whose keys are unique (``json`` would keep the last silently)."""
    keys = [key for key, _ in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise _JsonProblem(
            f"duplicate key(s) in one JSON object: {', '.join(map(repr, duplicated))}",
            "each key once per object",
        )
    return dict(pairs)


def _no_constant(name: str) -> float:
    """``NaN``/``Infinity`` are not JSON (a suppressed value is ``null``)."""
    raise _JsonProblem(f"{name} is not valid JSON", "null for a suppressed value, else a number")


def _read_json(file: Path) -> dict:
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    except OSError as exc:
        raise InputError.single(file, f"cannot read the file: {exc.strerror}") from None
    try:
        data = json.loads(
            raw.decode("utf-8-sig"),
            object_pairs_hook=_unique_keys,
            parse_constant=_no_constant,
        )
    except UnicodeDecodeError as exc:
        raise InputError.single(
            file, f"not UTF-8 text (byte {exc.start})", expected="a UTF-8 JSON file"
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError.single(
            file, f"malformed JSON: {exc.msg}", row=exc.lineno, column=str(exc.colno)
        ) from None
    except _JsonProblem as exc:
        raise InputError.single(file, str(exc), expected=exc.expected) from None
    except RecursionError:
        raise InputError.single(
            file, "JSON nested too deeply", expected="the snapshot's few levels of nesting"
        ) from None
    if not isinstance(data, dict):
        raise InputError.single(
            file, "unexpected JSON", expected="an object with meta, national, municipalities"
        )
    return data


class _Problems:
    """Collects problems of one file (up to ``MAX_PROBLEMS``) and raises them together."""

    def __init__(self, file: Path | str):
        self.file = str(file)
        self.items: list[InputProblem] = []

    def add(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        found: object = None,
    ) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(
                InputProblem(
                    self.file,
                    message,
                    row=row,
                    column=column,
                    expected=expected,
                    found=None if found is None else str(found),
                )
            )

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)


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


def _month(label: object, where: str, problems: _Problems) -> pd.Period | None:
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


def _number(value: object, where: str, index: int, problems: _Problems) -> float | None:
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


def _labels(block: dict, where: str, problems: _Problems) -> list | None:
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
    code: int, name: str, block: object, spec: _Block, where: str, rows: _Rows, problems: _Problems
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
    code: int, name: str, area: object, where: str, rows: _Rows, problems: _Problems
) -> None:
    if not isinstance(area, dict):
        problems.add("malformed entry", column=where, expected="an object with blocks")
        return
    for block_name, spec in BLOCKS.items():
        _block_rows(code, name, area.get(block_name), spec, f"{where}.{block_name}", rows, problems)


def _nfc(text: object) -> str:
    return unicodedata.normalize("NFC", str(text).strip())


def _municipal_rows(data: dict, reference: pd.DataFrame, problems: _Problems) -> _Rows:
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
    """(municipal, national) tables of one version of the snapshot and of the reference
    table; pure, so cached."""
    path = Path(file)
    data = _read_json(path)
    problems = _Problems(path)
    municipal = _municipal_rows(data, load_municipalities(reference), problems)
    national = _Rows.empty()
    _area_rows(0, _nfc(_national_name(data)), data.get("national"), "national", national, problems)
    problems.raise_if_any()
    return _frame(municipal), _frame(national).drop(columns="municipality_code")


def _national_name(data: dict) -> str:
    national = data.get("national")
    return national.get("name", "Hele landet") if isinstance(national, dict) else ""


def _tables(path: Path | str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
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


def snapshot_metadata(path: Path | str | None = None) -> dict:
    """Provenance of the snapshot for reports: file, hash, retrieval time, source, and
    per block and per dataset the latest period and Jobindsats' notes."""
    file = _snapshot_path(path)
    data = _read_json(file)
    meta = data.get("meta")
    if not isinstance(meta, dict) or not meta.get("retrievedAt") or not meta.get("source"):
        raise InputError.single(
            file, "missing provenance", column="meta", expected="meta.retrievedAt and meta.source"
        )
    status = meta.get("sourceStatus") if isinstance(meta.get("sourceStatus"), dict) else {}
    problems = _Problems(file)
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
        }
        for name, entry in status.items()
        if isinstance(entry, dict)
    }
    datasets: dict[str, dict] = {}
    for block in blocks.values():
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


# --- exports downloaded from jobindsats.dk ------------------------------------------------

#: Header texts (snake_case) that name a column's role in an export.
AREA_HEADERS = frozenset({"omraade", "area", "kommune", "kommuner", "jobcenter", "geografi"})
PERIOD_HEADERS = frozenset({"periode", "period", "tid", "maaned", "kvartal", "aar"})
BENEFIT_HEADERS = frozenset({"ydelsesgruppe", "ydelsesgrupper", "ydelse", "ydelser", "ydelsestype"})
MEASURE_NAME_HEADERS = frozenset({"maaling", "maalinger", "measure", "noegletal", "indikator"})
VALUE_HEADERS = frozenset({"vaerdi", "value", "indhold"})
#: Breakdowns Jobindsats offers that this loader does not keep: allowed with one value only.
OTHER_DIMENSIONS = frozenset(
    {
        "koen",
        "alder",
        "herkomst",
        "oprindelse",
        "visitationskategori",
        "maalgruppe",
        "varighed",
        "a_kasse",
        "branche",
        "uddannelse",
    }
)
_BENEFIT_GROUPS = {
    "i_alt": "total",
    "alle": "total",
    "total": "total",
    "alle_ydelsesgrupper": "total",
    "a_dagpenge": "dagpenge",
    "dagpenge": "dagpenge",
    "kontanthjaelp": "kontanthjaelp",
}
_NOTE_START = re.compile(r"^(kilde|source|note|noter|anm|anmærkning|\*)", re.IGNORECASE)
_PERIOD_EXPECTED = "a period code such as 2024M01, 2024K1, 2024Q1 or 2024"
_NUMBER_EXPECTED = "a number such as 1.234 or 3,5, or - / .. for a suppressed value"

Grid = list[tuple[int, list[object]]]


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return str(cell).replace("\u00a0", " ").strip()


def _is_blank(cells: list[object]) -> bool:
    return not any(_text(c) for c in cells)


def _csv_grid(file: Path) -> tuple[str, Grid]:
    try:
        rows, _ = read_delimited_rows(file)
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    except ParseError as exc:
        raise InputError.single(file, str(exc)) from None
    return str(file), [(line, list(fields)) for line, fields in rows]


def _excel_grids(file: Path) -> list[tuple[str, Grid]]:
    try:
        check_office_file(file)
    except ParseError as exc:
        raise InputError.single(file, str(exc), expected="an .xlsx file") from None
    try:
        sheets = read_xlsx_sheets(file)
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputError.single(
            file, f"cannot open as an Excel workbook ({exc})", expected="an .xlsx file"
        ) from None
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError.single(
            file, f"cannot read as an Excel workbook ({exc})", expected="an .xlsx file"
        ) from None
    return [
        (f"{file}, sheet '{sheet.title}'", list(enumerate(sheet.rows, start=1))) for sheet in sheets
    ]


def _header_index(grid: Grid) -> int | None:
    for index, (_, cells) in enumerate(grid):
        if any(snake_case(_text(c)) in AREA_HEADERS for c in cells):
            return index
    return None


def _locate_table(file: Path) -> tuple[str, Grid, int]:
    """The sheet (or CSV) holding the table, its rows and the index of the header row."""
    suffix = file.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        grids = _excel_grids(file)
    elif suffix in {".csv", ".txt"}:
        grids = [_csv_grid(file)]
    else:
        raise InputError.single(
            file,
            "unsupported file type",
            expected=".csv or .xlsx",
            found=file.suffix or "no extension",
        )
    for name, grid in grids:
        index = _header_index(grid)
        if index is not None:
            return name, grid, index
    raise InputError.single(
        file,
        "no table header found",
        expected="a header row with an area column (Område/Kommune) and either a period "
        "column (Periode) or period codes such as 2024M01 as column headers",
    )


@dataclass(frozen=True)
class _Layout:
    area: int
    period: int | None  # long layout: the period column
    benefit: int | None
    measure_name: int | None
    value: int | None
    dimensions: dict[int, str]
    measures: dict[int, str]  # long layout: value columns named by their measure
    period_columns: dict[int, pd.Period]  # wide layout: period header per column
    headers: list[str]


def _classify(header: list[object], line: int, problems: _Problems) -> _Layout:
    roles: dict[str, int] = {}
    dimensions: dict[int, str] = {}
    others: dict[int, str] = {}
    headers = [_text(c) for c in header]
    for index, text in enumerate(headers):
        key = snake_case(text)
        role = next(
            (
                name
                for name, keys in (
                    ("area", AREA_HEADERS),
                    ("period", PERIOD_HEADERS),
                    ("benefit", BENEFIT_HEADERS),
                    ("measure_name", MEASURE_NAME_HEADERS),
                    ("value", VALUE_HEADERS),
                )
                if key in keys
            ),
            None,
        )
        if not text:
            continue
        if role in roles:
            problems.add(f"more than one {role} column", row=line, column=text)
        elif role:
            roles[role] = index
        elif key in OTHER_DIMENSIONS:
            dimensions[index] = text
        else:
            others[index] = text
    period_columns: dict[int, pd.Period] = {}
    measures: dict[int, str] = {}
    if "period" in roles:
        measures = others
        if not measures and "measure_name" not in roles:
            problems.add(
                "no value columns",
                row=line,
                expected="one column per measure next to Område and Periode",
            )
    else:
        for index, text in others.items():
            try:
                period_columns[index] = parse_period(text)
            except ParseError:
                problems.add(
                    "column header is neither a known column nor a period",
                    row=line,
                    column=text,
                    expected=_PERIOD_EXPECTED,
                    found=text,
                )
        if not others:
            problems.add(
                "no period column",
                row=line,
                expected="a Periode column or period codes as column headers",
            )
        _check_header_frequency(period_columns, headers, line, problems)
    if "period" in roles and ("measure_name" in roles) != ("value" in roles):
        problems.add(
            "a measure column needs a value column and vice versa",
            row=line,
            expected="both Måling and Værdi columns, or neither",
        )
    if "period" not in roles and "value" in roles:
        problems.add(
            "a value column in a table with periods as column headers",
            row=line,
            column=headers[roles["value"]],
            expected="either a Periode column or period columns, not a Værdi column",
        )
    return _Layout(
        area=roles["area"],
        period=roles.get("period"),
        benefit=roles.get("benefit"),
        measure_name=roles.get("measure_name"),
        value=roles.get("value"),
        dimensions=dimensions,
        measures=measures,
        period_columns=period_columns,
        headers=headers,
    )


def _check_header_frequency(
    periods: dict[int, pd.Period], headers: list[str], line: int, problems: _Problems
) -> None:
    first = next(iter(periods.values()), None)
    for index, period in periods.items():
        if period.freqstr != first.freqstr:
            problems.add(
                "the file mixes period frequencies",
                row=line,
                column=headers[index],
                expected=f"{first.freqstr} periods like {first}",
                found=str(period),
            )
            return


def _data_rows(grid: Grid, header_index: int, width: int, problems: _Problems) -> Grid:
    """Rows between the header and the first blank or note line; data after that is an
    error (a blank line inside the table would otherwise drop rows silently)."""
    body: Grid = []
    rest = iter(grid[header_index + 1 :])
    for line, cells in rest:
        if _is_blank(cells) or (_NOTE_START.match(_text(cells[0])) and _is_blank(cells[1:])):
            break
        body.append((line, cells))
    for line, cells in rest:
        if sum(bool(_text(c)) for c in cells) >= 2:
            problems.add(
                "table data after a blank or note line",
                row=line,
                expected="one contiguous table; notes only below it",
            )
            break
    for line, cells in body:
        if any(_text(c) for c in cells[width:]):
            problems.add(
                "more fields than header columns",
                row=line,
                expected=f"{width} fields",
                found=len(cells),
            )
    return body


def _title(grid: Grid, header_index: int) -> str | None:
    """The last non-empty line above the header (an export's title names the measure)."""
    for _, cells in reversed(grid[:header_index]):
        texts = [_text(c) for c in cells if _text(c)]
        if texts:
            return texts[0]
    return None


def _benefit_group(text: str) -> str:
    key = snake_case(text)
    return _BENEFIT_GROUPS.get(key, key)


@dataclass
class _Cell:
    """One value cell of the export before numbers are parsed."""

    line: int
    column: str
    area: str
    period: pd.Period
    measure: str
    benefit_group: str
    raw: object


def _cells_of_row(
    line: int, cells: list[object], layout: _Layout, title: str | None, problems: _Problems
) -> Iterable[_Cell]:
    def cell(index: int | None) -> object:
        return cells[index] if index is not None and index < len(cells) else None

    headers = layout.headers
    area = _text(cell(layout.area))
    if not area:
        problems.add(
            "missing area name",
            row=line,
            column=headers[layout.area],
            expected="a municipality name or 'Hele landet'",
        )
        return
    benefit = "total"
    if layout.benefit is not None:
        benefit = _benefit_group(_text(cell(layout.benefit)))
        if not benefit:
            problems.add("missing benefit group", row=line, column=headers[layout.benefit])
            return
    if layout.period is None:
        measure = snake_case(
            _text(cell(layout.measure_name)) if layout.measure_name is not None else title or ""
        )
        for index, period in layout.period_columns.items():
            yield _Cell(line, headers[index], area, period, measure, benefit, cell(index))
        return
    raw_period = cell(layout.period)
    try:
        period = parse_period(_text(raw_period))
    except ParseError:
        problems.add(
            "not a period",
            row=line,
            column=headers[layout.period],
            expected=_PERIOD_EXPECTED,
            found=_text(raw_period),
        )
        return
    for index, name in layout.measures.items():
        yield _Cell(line, name, area, period, snake_case(name), benefit, cell(index))
    if layout.measure_name is not None and layout.value is not None:
        measure = snake_case(_text(cell(layout.measure_name)))
        yield _Cell(line, headers[layout.value], area, period, measure, benefit, cell(layout.value))


def _check_dimensions(body: Grid, layout: _Layout, problems: _Problems) -> None:
    for index, header in layout.dimensions.items():
        first: str | None = None
        for line, cells in body:
            value = _text(cells[index]) if index < len(cells) else ""
            if first is None:
                first = value
            elif value != first:
                problems.add(
                    f"the export is broken down by {header}, which this loader does not keep",
                    row=line,
                    column=header,
                    expected=f"one value in the whole file ({first!r})",
                    found=value,
                )
                break


def _check_frequency(cells: list[_Cell], column: str | None, problems: _Problems) -> None:
    """One frequency per file; ``column`` is the period column (None in wide layout, where
    the period is the value column's header)."""
    if not cells:
        return
    first = cells[0]
    for item in cells:
        if item.period.freqstr != first.period.freqstr:
            problems.add(
                "the file mixes period frequencies",
                row=item.line,
                column=column or item.column,
                expected=f"{first.period.freqstr} periods like {first.period} (row {first.line})",
                found=str(item.period),
            )
            return


#: Measures that count (persons, full-time persons, courses): whole numbers.
_COUNT_PREFIXES = ("antal", "number_of")


def _export_decimal(cells: list[_Cell], problems: _Problems) -> str | None:
    """The decimal mark of the export's text numbers, judged on every value cell.

    Values that only one mark reads decide. When every mark reads both ways
    (``8.405``), a source convention settles counts: Jobindsats publishes counts
    (measures named "Antal ...": persons, full-time persons, courses) as whole numbers
    (every count in the API snapshot in ``data/raw/jobindsats`` is whole; a test checks
    it), so in a count a single separator before exactly three digits is a thousands
    separator. This is inferred from the published data, not from a STAR document on
    download formats. Anything else ambiguous (a share ``12.500``) is a problem; so are
    counts written both ways (``8.656`` and ``1,234``). None when there were problems.
    """
    texts = pd.Series(
        {i: c.raw for i, c in enumerate(cells) if isinstance(c.raw, str)}, dtype=object
    )
    total = decimal_evidence(texts)
    if total.mark is not None:
        return total.mark
    is_count = pd.Series(
        [cells[i].measure.startswith(_COUNT_PREFIXES) for i in texts.index],
        index=texts.index,
        dtype=bool,
    )
    fractional = decimal_evidence(texts[~is_count])
    counts = decimal_evidence(texts[is_count])
    found = fractional if fractional.ambiguous else counts
    item = cells[int(found.example_at)]
    how = "say which: read_jobindsats_export(path, decimal='.') or decimal=','"
    if fractional.ambiguous:
        message = ambiguous_decimal_text(found.example or "")
    elif (mark := whole_number_mark(counts)) is not None:
        return mark
    else:
        other = next(
            t.strip() for t in texts[is_count] if ("," if "." in found.example else ".") in t
        )
        message = (
            f"cannot tell the decimal mark: the counts use both '.' and ',' before three "
            f"digits ({found.example} and {other}), so the file mixes two conventions"
        )
    problems.add(
        f"{message}; {how}",
        row=item.line,
        column=item.column,
        expected="numbers that show their decimal mark, or the mark stated",
        found=found.example,
    )
    return None


def _parse_values(
    cells: list[_Cell], problems: _Problems, decimal: str | None = None
) -> list[float]:
    decimal = decimal or _export_decimal(cells, problems)
    if decimal is None:
        return [math.nan] * len(cells)
    values: list[float] = []
    for item in cells:
        try:
            if isinstance(item.raw, bool):
                raise ParseError(f"not a number: {item.raw!r}")
            values.append(
                parse_number(
                    _text(item.raw) if isinstance(item.raw, str) else item.raw, decimal=decimal
                )
            )
        except ParseError:
            problems.add(
                UnsavedFormula.MESSAGE
                if isinstance(item.raw, UnsavedFormula)
                else "non-numeric value",
                row=item.line,
                column=item.column,
                expected=_NUMBER_EXPECTED,
                found=_text(item.raw),
            )
            values.append(math.nan)
    return values


def _area_codes(cells: list[_Cell], column: str, problems: _Problems) -> list[int | None]:
    known: dict[str, int | None] = {}
    codes: list[int | None] = []
    for item in cells:
        if item.area not in known:
            code = resolve_municipality(item.area)
            if code is None and not is_non_municipal_area(item.area):
                problems.add(
                    "unknown municipality name",
                    row=item.line,
                    column=column,
                    expected="one of the 98 municipality names (with or without ' Kommune') "
                    "or a non-municipal area such as 'Hele landet' or 'Region Hovedstaden'",
                    found=item.area,
                )
            known[item.area] = code
        codes.append(known[item.area])
    return codes


def _check_duplicates(cells: list[_Cell], codes: list[int | None], problems: _Problems) -> None:
    seen: dict[tuple, int] = {}
    for item, code in zip(cells, codes, strict=True):
        area = item.area if code is None else code
        key = (area, item.period, item.measure, item.benefit_group)
        if key in seen:
            problems.add(
                "duplicate value for the same area, period, measure and benefit "
                f"group (first in row {seen[key]})",
                row=item.line,
                column=item.column,
            )
        else:
            seen[key] = item.line


def read_jobindsats_export(path: Path | str, *, decimal: str | None = None) -> pd.DataFrame:
    """Read a table downloaded from jobindsats.dk (CSV or .xlsx) into a tidy long table
    (``EXPORT_COLUMNS``).

    Finds the header row below any title lines (the row with an Område/Kommune column),
    reads long layout (a Periode column; every other column is a measure) or wide layout
    (period codes as column headers; the measure comes from a Måling column or else the
    last title line above the table) and stops at the first blank or note line. Areas are
    matched to municipality codes; non-municipal areas (Hele landet, regions, landsdele,
    RAR, job centres) are kept with a missing code, unknown names are an error. Numbers
    may use decimal commas and thousands dots or plain dots; ``-`` and ``..`` are missing.
    The decimal mark is judged on every value cell; where the cells cannot tell (see
    :func:`_export_decimal`) the file is refused until ``decimal`` (``"."`` or ``","``)
    says which. Rows keep the file's order (row by row; left to right within a row).
    """
    file = Path(path)
    name, grid, header_index = _locate_table(file)
    problems = _Problems(name)
    header_line, header = grid[header_index]
    layout = _classify(header, header_line, problems)
    body = _data_rows(grid, header_index, len(header), problems)
    title = _title(grid, header_index)
    if layout.period is None and layout.measure_name is None and not title:
        problems.add(
            "cannot tell which measure the table holds",
            row=header_line,
            expected="a Måling column or a title line above the table",
        )
    problems.raise_if_any()
    if not body:
        raise InputError.single(name, "no data rows below the header", row=header_line)
    _check_dimensions(body, layout, problems)
    cells = [c for line, row in body for c in _cells_of_row(line, row, layout, title, problems)]
    period_column = None if layout.period is None else layout.headers[layout.period]
    _check_frequency(cells, period_column, problems)
    codes = _area_codes(cells, layout.headers[layout.area], problems)
    _check_duplicates(cells, codes, problems)
    values = _parse_values(cells, problems, None if decimal is None else decimal_mark(decimal))
    problems.raise_if_any()
    freq = cells[0].period.freqstr
    return pd.DataFrame(
        {
            "municipality_code": pd.array(codes, dtype="Int64"),
            "area": pd.Series([c.area for c in cells], dtype="str"),
            "period": pd.PeriodIndex([c.period for c in cells], freq=freq),
            "measure": pd.Series([c.measure for c in cells], dtype="str"),
            "benefit_group": pd.Series([c.benefit_group for c in cells], dtype="str"),
            "value": pd.Series(values, dtype="float64"),
        }
    )[EXPORT_COLUMNS]
