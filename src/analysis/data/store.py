"""The processed store: validated raw inputs as Parquet in ``data/processed/``.

``prepare()`` rebuilds a table only when the content hash of one of its inputs, or of the
code that builds it, has changed; otherwise it does nothing. Tables are written
atomically and a table that fails validation leaves its previous Parquet file untouched.
``connect()`` gives an in-memory DuckDB connection with one view per table for ad hoc SQL.

Periods are stored as the first day of the month (a DATE for DuckDB) and turned back into
pandas monthly Periods by :func:`read_table`.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.errors import AnalysisError, InputError
from analysis.fileio import atomic_write_text, sha256_bytes, sha256_file, write_parquet_atomic
from analysis.paths import ProjectPaths, get_paths

PERIOD_COLUMNS = ("period", "trial_start")
CASELOAD_SUFFIXES = (".csv", ".xlsx", ".parquet")


@dataclass(frozen=True)
class TableSpec:
    """How to build one processed table from raw files."""

    name: str
    description: str
    inputs: Callable[[ProjectPaths], list[Path]]
    build: Callable[[ProjectPaths, list[Path]], pd.DataFrame]


@dataclass(frozen=True)
class TableResult:
    name: str
    status: str  # "written", "unchanged", "failed", "empty"
    rows: int = 0
    path: Path | None = None
    error: str | None = None


@dataclass(frozen=True)
class PrepareReport:
    tables: tuple[TableResult, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(t.status != "failed" for t in self.tables)

    def summary(self) -> str:
        lines = []
        for table in self.tables:
            line = f"{table.name:<16} {table.status:<10} {table.rows:>8} rows"
            if table.error:
                line += f"\n{_indent(table.error)}"
            lines.append(line)
        return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


# --- table builders -------------------------------------------------------------------


def _municipality_inputs(paths: ProjectPaths) -> list[Path]:
    return [paths.municipalities_csv]


def _build_municipalities(paths: ProjectPaths, inputs: list[Path]) -> pd.DataFrame:
    from analysis.data.reference import load_municipalities

    return load_municipalities(inputs[0])


def _jobindsats_inputs(paths: ProjectPaths) -> list[Path]:
    return [paths.jobindsats_snapshot, paths.municipalities_csv]


def _build_jobindsats(paths: ProjectPaths, inputs: list[Path]) -> pd.DataFrame:
    from analysis.data.jobindsats import load_snapshot

    return load_snapshot(inputs[0])


def _caseload_inputs(paths: ProjectPaths) -> list[Path]:
    folder = paths.caseloads
    files = (
        sorted(p for p in folder.glob("*") if p.suffix.lower() in CASELOAD_SUFFIXES and p.is_file())
        if folder.is_dir()
        else []
    )
    return [*files, paths.municipalities_csv] if files else []


def _build_caseloads(paths: ProjectPaths, inputs: list[Path]) -> pd.DataFrame:
    from analysis.data.caseloads import read_caseload_panel

    panels = []
    problems = []
    for file in inputs:
        if file == paths.municipalities_csv:
            continue
        try:
            panel = read_caseload_panel(file)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        panel.insert(0, "source_file", file.name)
        panels.append(panel)
    if problems:
        raise InputError(problems)
    _refuse_mixing_simulated_and_real(panels, paths.caseloads)
    combined = pd.concat(panels, ignore_index=True)
    keys = ["municipality_code", "unit", "period"]
    duplicated = combined[combined.duplicated(keys, keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        files = sorted(duplicated["source_file"].unique())
        raise InputError.single(
            ", ".join(files),
            "the same unit-month appears in more than one caseload file",
            column="municipality_code, unit, period",
            expected="each unit-month in one file only",
            found=f"{first['municipality_code']} / {first['unit']} / {first['period']}",
        )
    return combined


def _refuse_mixing_simulated_and_real(panels: list[pd.DataFrame], folder: Path) -> None:
    """Simulated and real caseload panels must never be pooled in one analysis."""
    from analysis.data.caseloads import is_simulated

    simulated = sorted(p["source_file"].iloc[0] for p in panels if is_simulated(p))
    real = sorted(p["source_file"].iloc[0] for p in panels if not is_simulated(p))
    if simulated and real:
        raise InputError.single(
            ", ".join(simulated + real),
            f"{folder} holds both simulated and real caseload panels; they would be "
            f"pooled in one analysis. Move the simulated panel ({', '.join(simulated)}) "
            "out of that folder to analyse your own data (python -m analysis "
            "simulate can write it again)",
            column="data_origin",
            expected="only simulated or only real panels",
        )


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "municipalities",
        "the 98 municipalities: code, name, slug, region",
        _municipality_inputs,
        _build_municipalities,
    ),
    TableSpec(
        "jobindsats",
        "Jobindsats snapshot, tidy: municipality_code, period, measure, benefit_group, ...",
        _jobindsats_inputs,
        _build_jobindsats,
    ),
    TableSpec(
        "caseloads",
        "caseload panels (unit x month) from data/raw/caseloads, validated",
        _caseload_inputs,
        _build_caseloads,
    ),
)


# --- manifest ---------------------------------------------------------------------------


def _code_hash(spec: TableSpec) -> str:
    """Hash of the code that builds a table, so changed code rebuilds it."""
    sources = [inspect.getsource(spec.build)]
    module_names = {
        "jobindsats": ["analysis.data.jobindsats", "analysis.data.parsing"],
        "caseloads": ["analysis.data.caseloads", "analysis.data.parsing"],
        "municipalities": ["analysis.data.reference"],
    }.get(spec.name, [])
    import importlib

    for name in module_names:
        try:
            sources.append(inspect.getsource(importlib.import_module(name)))
        except (ImportError, OSError):
            sources.append(name)
    return sha256_bytes("\n".join(sources).encode("utf-8"))


def _read_manifest(paths: ProjectPaths) -> dict:
    try:
        return json.loads(paths.manifest.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _relative(path: Path, paths: ProjectPaths) -> str:
    for base in (paths.raw, paths.root):
        try:
            return str(path.resolve().relative_to(base))
        except ValueError:
            continue
    return path.name


def input_hashes(paths: ProjectPaths, files: Sequence[Path]) -> dict[str, str]:
    """Content hash of each input file, keyed by its path relative to the raw folder."""
    return {_relative(f, paths): sha256_file(f) for f in files}


# --- public API -------------------------------------------------------------------------


def to_storage(df: pd.DataFrame) -> pd.DataFrame:
    """Periods -> month-start timestamps, so Parquet and DuckDB understand them."""
    out = df.copy()
    for column in PERIOD_COLUMNS:
        if column in out.columns and isinstance(out[column].dtype, pd.PeriodDtype):
            out[column] = out[column].dt.to_timestamp(how="start").astype("datetime64[ms]")
    return out


def from_storage(df: pd.DataFrame) -> pd.DataFrame:
    """Inverse of :func:`to_storage`."""
    out = df.copy()
    for column in PERIOD_COLUMNS:
        if column in out.columns and pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.to_period("M")
    return out


def prepare(paths: ProjectPaths | None = None, *, force: bool = False) -> PrepareReport:
    """Validate every raw input and (re)write the processed tables that are out of date."""
    paths = paths or get_paths()
    paths.processed.mkdir(parents=True, exist_ok=True)
    manifest = _read_manifest(paths)
    results = []
    for spec in TABLES:
        results.append(_prepare_table(spec, paths, manifest, force))
        atomic_write_text(paths.manifest, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return PrepareReport(tuple(results))


def _prepare_table(
    spec: TableSpec, paths: ProjectPaths, manifest: dict, force: bool
) -> TableResult:
    target = paths.processed_file(spec.name)
    inputs = spec.inputs(paths)
    if not inputs:
        return TableResult(spec.name, "empty")
    missing = [p for p in inputs if not p.is_file()]
    if missing:
        return TableResult(spec.name, "failed", error=f"{missing[0]}: input file not found")
    key = {"inputs": input_hashes(paths, inputs), "code": _code_hash(spec)}
    entry = manifest.get(spec.name, {})
    if (
        not force
        and target.is_file()
        and entry.get("key") == key
        and entry.get("output_sha256") == sha256_file(target)
    ):
        return TableResult(spec.name, "unchanged", rows=int(entry.get("rows", 0)), path=target)
    try:
        table = spec.build(paths, inputs)
    except AnalysisError as exc:
        return TableResult(spec.name, "failed", error=str(exc))
    write_parquet_atomic(to_storage(table), target)
    manifest[spec.name] = {
        "key": key,
        "rows": len(table),
        "output_sha256": sha256_file(target),
        "description": spec.description,
        "package_version": __version__,
        "built_unix_time": int(time.time()),
    }
    return TableResult(spec.name, "written", rows=len(table), path=target)


def read_table(name: str, paths: ProjectPaths | None = None) -> pd.DataFrame:
    """A processed table as pandas (periods restored). Run ``prepare`` first."""
    paths = paths or get_paths()
    target = paths.processed_file(name)
    if not target.is_file():
        raise AnalysisError(
            f"{target} does not exist: run 'python -m analysis prepare' (or 'make report') first"
        )
    return from_storage(pd.read_parquet(target))


def connect(paths: ProjectPaths | None = None):
    """In-memory DuckDB connection with a view per processed table (``jobindsats``, ...)."""
    import duckdb

    paths = paths or get_paths()
    con = duckdb.connect(":memory:")
    for spec in TABLES:
        target = paths.processed_file(spec.name)
        if target.is_file():
            escaped = str(target).replace("'", "''")
            con.execute(f"CREATE VIEW {spec.name} AS SELECT * FROM read_parquet('{escaped}')")
    return con
