"""The processed store: validated raw inputs as Parquet in ``data/processed/``.

``prepare()`` rebuilds a table only when the content hash of one of its inputs, or of the
code that builds it, has changed; otherwise it does nothing. Tables are written
atomically and a table that fails validation leaves its previous Parquet file untouched.
``connect()`` gives an in-memory DuckDB connection with one view per table for ad hoc SQL.

Periods are stored as the first day of the month (a DATE for DuckDB) and turned back into
pandas monthly Periods by :func:`read_table`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.errors import AnalysisError, InputError, InputProblem
from analysis.fileio import atomic_write_text, sha256_file, write_parquet_atomic
from analysis.paths import ProjectPaths, get_paths

PERIOD_COLUMNS = ("period", "trial_start")
CASELOAD_SUFFIXES = (".csv", ".xlsx", ".parquet")
#: What a raw caseload folder may hold besides panels: documentation, the true
#: parameters of a simulated panel and the files that state a panel's decimal mark.
CASELOAD_COMPANIONS = ("README*", "*_truth.yaml", "*_format.yaml")
_ACCEPTED = (
    "caseload panels as .csv, .xlsx or .parquet; besides them only README files, "
    "*_truth.yaml and *_format.yaml (files starting with '.' and subfolders are not read)"
)
_SAVE_AS = {
    ".xls": "an old Excel workbook: save it as .xlsx or CSV",
    ".xlsm": "save it as .xlsx (without macros) or CSV",
    ".xlsb": "save it as .xlsx or CSV",
    ".ods": "save it as .xlsx or CSV",
    ".numbers": "export it as .xlsx or CSV",
}


@dataclass(frozen=True)
class TableSpec:
    """How to build one processed table from raw files."""

    name: str
    description: str
    inputs: Callable[[ProjectPaths], list[Path]]
    build: Callable[[ProjectPaths, list[Path]], pd.DataFrame]
    #: The folder whose files are the inputs, if they are whatever it holds: a file gone
    #: from it was taken out on purpose, so a table built from it is stale (a missing
    #: fixed input is an error instead, and the previous table is kept).
    folder: Callable[[ProjectPaths], Path] | None = None
    #: What the inputs hold that the table leaves out (one line each), printed by
    #: ``prepare`` whenever the table is built or found unchanged.
    ignored: Callable[[ProjectPaths, list[Path]], tuple[str, ...]] | None = None
    #: For an optional table: what its folder would hold (printed when it is empty).
    when_empty: str | None = None


@dataclass(frozen=True)
class TableResult:
    name: str
    status: str  # "written", "unchanged", "failed", "empty", "removed"
    rows: int = 0
    path: Path | None = None
    error: str | None = None
    note: str | None = None
    #: parts of the inputs the table does not hold (see :attr:`TableSpec.ignored`)
    ignored: tuple[str, ...] = ()


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
            for text in (table.error, table.note):
                if text:
                    line += f"\n{_indent(text)}"
            if table.ignored:
                line += f"\n{_indent(_ignored_text(table.ignored))}"
            lines.append(line)
        return "\n".join(lines)


def _ignored_text(ignored: tuple[str, ...]) -> str:
    items = "\n".join(f"- {item}" for item in ignored)
    return f"not read ({len(ignored)}; this version does not know them):\n{items}"


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


def _jobindsats_ignored(paths: ProjectPaths, inputs: list[Path]) -> tuple[str, ...]:
    from analysis.data.jobindsats import snapshot_ignored

    return snapshot_ignored(inputs[0])


def _caseload_inputs(paths: ProjectPaths) -> list[Path]:
    """The panels in the raw caseload folder, their format files and the reference table.

    Any other file is an error naming it (an .xls would otherwise be skipped without a
    word while an older table stayed in use)."""
    from analysis.data.caseloads import format_file_for

    folder = paths.caseloads
    if not folder.is_dir():
        return []
    panels: list[Path] = []
    unsupported: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix.lower() in CASELOAD_SUFFIXES:
            panels.append(path)
        elif not any(path.match(pattern) for pattern in CASELOAD_COMPANIONS):
            unsupported.append(path)
    if unsupported:
        raise InputError(
            [
                InputProblem(
                    str(path),
                    "not a file the caseload folder can hold"
                    + (
                        f" ({_SAVE_AS[path.suffix.lower()]})"
                        if path.suffix.lower() in _SAVE_AS
                        else ""
                    ),
                    expected=_ACCEPTED,
                    found=path.suffix or path.name,
                )
                for path in unsupported
            ],
            summary=f"{folder} holds {len(unsupported)} file(s) that are not caseload panels",
        )
    if not panels:
        return []
    formats = sorted({format_file_for(p) for p in panels if format_file_for(p).is_file()})
    return [*panels, *formats, paths.municipalities_csv]


def _build_caseloads(paths: ProjectPaths, inputs: list[Path]) -> pd.DataFrame:
    from analysis.data.caseloads import read_caseload_panel

    panels = []
    problems = []
    for file in inputs:
        if file == paths.municipalities_csv or file.suffix.lower() not in CASELOAD_SUFFIXES:
            continue  # the reference table and format files are read by the panel reader
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


def _survey_inputs(paths: ProjectPaths) -> list[Path]:
    """The survey files in data/raw/surveys, their format files, items.yaml, the reference
    table (see :func:`analysis.data.surveys.survey_inputs`)."""
    from analysis.data.surveys import survey_inputs

    return survey_inputs(paths)


def _build_surveys(paths: ProjectPaths, inputs: list[Path]) -> pd.DataFrame:
    from analysis.data.surveys import build_survey_table

    return build_survey_table(paths, inputs)


def _survey_folder(paths: ProjectPaths) -> Path:
    from analysis.data.surveys import survey_folder

    return survey_folder(paths)


def _star_inputs(paths: ProjectPaths) -> list[Path]:
    from analysis.data.star import star_inputs

    return star_inputs(paths)


def _build_star(paths: ProjectPaths, inputs: list[Path]) -> pd.DataFrame:
    from analysis.data.star import build_star_table

    return build_star_table(paths, inputs)


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
        ignored=_jobindsats_ignored,
    ),
    TableSpec(
        "caseloads",
        "caseload panels (unit x month) from data/raw/caseloads, validated",
        _caseload_inputs,
        _build_caseloads,
        folder=lambda paths: paths.caseloads,
    ),
    TableSpec(
        "surveys",
        "experience surveys (survey x unit x month x item) from data/raw/surveys, validated",
        _survey_inputs,
        _build_surveys,
        folder=_survey_folder,
    ),
    TableSpec(
        "star_expected",
        "STAR's expected against actual public support (Jobindsats y30r21) from data/raw/star",
        _star_inputs,
        _build_star,
        folder=lambda paths: paths.star,
        when_empty="optional: a Jobindsats API answer for y30r21 in data/raw/star "
        "(docs/data-inputs.md)",
    ),
)


# --- manifest ---------------------------------------------------------------------------


def _code_hash(spec: TableSpec) -> str:
    """Hash of the code that builds a table, so changed code rebuilds it: the builder, the
    helpers of this module it uses and every package module they import, at any depth
    (derived from the source by :func:`analysis.codegraph.function_hash`)."""
    from analysis.codegraph import function_hash

    if spec.ignored is None:
        return function_hash(spec.build)
    return f"{function_hash(spec.build)}+{function_hash(spec.ignored)}"


def _read_manifest(paths: ProjectPaths) -> dict:
    try:
        data = json.loads(_manifest_on_disk(paths) or "")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _manifest_on_disk(paths: ProjectPaths) -> str | None:
    """The manifest's text as it is on disk (None when there is none to read)."""
    try:
        return paths.manifest.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def _recorded_inputs(entry: object) -> dict[str, str]:
    key = entry.get("key") if isinstance(entry, dict) else None
    inputs = key.get("inputs") if isinstance(key, dict) else None
    return inputs if isinstance(inputs, dict) else {}


def _vanished(entry: object, folder: Path, paths: ProjectPaths) -> list[str]:
    """Recorded inputs of a manifest entry from ``folder`` that are no longer files."""
    inside = _relative(folder, paths).rstrip("/") + "/"
    return [
        name
        for name in _recorded_inputs(entry)
        if name.startswith(inside)
        and not any((base / name).is_file() for base in (paths.raw, paths.root))
    ]


@contextmanager
def _writing(paths: ProjectPaths) -> Iterator[None]:
    """Turn a failed write into an error naming the processed folder (no traceback)."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise AnalysisError(
            f"cannot write to {paths.processed}: {exc.strerror or exc}{where}; prepare "
            "writes the processed tables there: make the folder writable, or set "
            "ANALYSIS_PROCESSED_DIR to a folder that is"
        ) from None


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
    """Validate every raw input and (re)write the processed tables that are out of date.

    Nothing is written when nothing changed (a read-only processed folder is fine then);
    a write that fails raises an :class:`AnalysisError` naming the folder. A table of a
    folder's files (caseloads) whose recorded inputs are gone is removed with its
    manifest entry, whether or not a new one can be built."""
    paths = paths or get_paths()
    with _writing(paths):
        paths.processed.mkdir(parents=True, exist_ok=True)
    on_disk = _manifest_on_disk(paths)
    manifest = _read_manifest(paths)
    results = []
    for spec in TABLES:
        results.append(_prepare_table(spec, paths, manifest, force))
        text = _manifest_text(manifest)
        if text != on_disk:
            with _writing(paths):
                atomic_write_text(paths.manifest, text)
            on_disk = text
    return PrepareReport(tuple(results))


def _prepare_table(
    spec: TableSpec, paths: ProjectPaths, manifest: dict, force: bool
) -> TableResult:
    target = paths.processed_file(spec.name)
    gone = (
        [] if spec.folder is None else _vanished(manifest.get(spec.name), spec.folder(paths), paths)
    )
    note = None
    if gone:
        with _writing(paths):
            target.unlink(missing_ok=True)
        manifest.pop(spec.name, None)
        note = (
            f"{target} was built from {', '.join(gone)}, no longer in {paths.raw}: "
            "removed it and its manifest entry"
        )
    try:
        inputs = spec.inputs(paths)
    except AnalysisError as exc:
        return TableResult(spec.name, "failed", error=str(exc), note=note)
    if not inputs:
        return TableResult(spec.name, "removed" if gone else "empty", note=note or spec.when_empty)
    missing = [p for p in inputs if not p.is_file()]
    if missing:
        return TableResult(
            spec.name, "failed", error=f"{missing[0]}: input file not found", note=note
        )
    key = {"inputs": input_hashes(paths, inputs), "code": _code_hash(spec)}
    entry = manifest.get(spec.name, {})
    if (
        not force
        and target.is_file()
        and entry.get("key") == key
        and entry.get("output_sha256") == sha256_file(target)
    ):
        ignored = entry.get("ignored", [])
        return TableResult(
            spec.name,
            "unchanged",
            rows=int(entry.get("rows", 0)),
            path=target,
            ignored=tuple(str(item) for item in ignored) if isinstance(ignored, list) else (),
        )
    try:
        table = spec.build(paths, inputs)
        ignored = () if spec.ignored is None else spec.ignored(paths, inputs)
    except AnalysisError as exc:
        return TableResult(spec.name, "failed", error=str(exc), note=note)
    with _writing(paths):
        write_parquet_atomic(to_storage(table), target)
    manifest[spec.name] = {
        "key": key,
        "rows": len(table),
        "output_sha256": sha256_file(target),
        "description": spec.description,
        "package_version": __version__,
        "built_unix_time": int(time.time()),
    }
    if ignored:
        manifest[spec.name]["ignored"] = list(ignored)
    return TableResult(
        spec.name, "written", rows=len(table), path=target, note=note, ignored=ignored
    )


def built_from(name: str, paths: ProjectPaths | None = None) -> dict[Path, str]:
    """The raw files a processed table was built from and their content hashes, as the
    manifest records them, for a report's list of data sources.

    Raises :class:`AnalysisError` when the table has no record, or when the table or
    its raw files changed since it was built (a file edited, added or removed): the
    analysis would otherwise run on a table that no longer matches the files named."""
    paths = paths or get_paths()
    spec = next(s for s in TABLES if s.name == name)
    target = paths.processed_file(name)
    entry = _read_manifest(paths).get(name)
    rerun = "run 'python -m analysis prepare'"
    if not target.is_file() or not isinstance(entry, dict):
        raise AnalysisError(f"{target} has no record of its inputs in {paths.manifest}: {rerun}")
    files = spec.inputs(paths)
    current = input_hashes(paths, [f for f in files if f.is_file()])
    recorded = _recorded_inputs(entry)
    changed = sorted(
        n for n in recorded.keys() | current.keys() if recorded.get(n) != current.get(n)
    )
    if changed or entry.get("output_sha256") != sha256_file(target):
        what = ", ".join(changed) if changed else target.name
        raise AnalysisError(
            f"{target} is out of date ({what} changed, appeared or disappeared since it was "
            f"built): {rerun}"
        )
    return {f: recorded[_relative(f, paths)] for f in files}


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
