"""The batch runner behind ``python -m analysis run``.

For each municipality it executes the parameterised notebooks that have data for it
(papermill's Python API, in a warm kernel per worker process), merges them into one
self-contained HTML page and records a state file. Shared work (data preparation, pooled
regressions, cluster statistics, the coded corpus) is done once before the workers start.

- Parallel: a process pool (``--workers``, default the number of cores) or a Dask cluster
  (``--scheduler tcp://HOST:PORT``).
- Resumable: a report whose inputs, code, notebooks and parameters are unchanged is
  skipped; ``--retry-failed`` reruns only the municipalities that failed last time.
- Isolated: a failing municipality is logged with its error, its partial notebook is
  kept as ``*.failed.ipynb``, the others continue; the run ends with a summary and exit
  code 1.
- Safe: one run per output folder (lock file); every file is written atomically, so an
  interrupted run never leaves a half-written report in place of a good one. The batch
  deletes and overwrites only files it wrote (the folder's manifest, see
  :mod:`analysis.reports.outputs`) and refuses a non-empty folder of other files unless
  ``allow_nonempty_output`` is set.
- Partial runs (a choice of notebooks that is not the full set) write by default to
  ``reports/partial/<notebooks>/`` and never replace a page that has more sections.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures as cf
import contextlib
import json
import multiprocessing as mp
import os
import secrets
import socket
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.fileio import atomic_write_text, sha256_bytes, sha256_file
from analysis.paths import DEFAULT_LANGUAGE, LANGUAGES, ProjectPaths, get_paths
from analysis.publish import output_policy, publish_html
from analysis.reports import committed, outputs
from analysis.reports.committee import committee_path
from analysis.reports.outputs import OutputWriteError
from analysis.reports.sections import (
    HEADLINES,
    MUNICIPALITY_SECTIONS,
    NATIONAL,
    NATIONAL_SECTIONS,
    Section,
    precompute_all,
    preload_modules,
    section_for,
)

#: Seconds to wait for a Dask scheduler to answer before saying that none does.
SCHEDULER_TIMEOUT = 10.0
#: Address schemes of a Dask scheduler the batch can use (``inproc://`` lives inside one
#: process, ``ucx://`` needs GPU networking the project does not install).
SCHEDULER_SCHEMES = ("tcp", "tls")
#: Subfolder of the reports folder for runs of only some of the notebooks.
PARTIAL_FOLDER = "partial"


@dataclass(frozen=True)
class RunOptions:
    municipalities: tuple[int, ...]
    notebooks: tuple[Path, ...]
    language: str = DEFAULT_LANGUAGE
    workers: int = 0
    output: Path | None = None
    retry_failed: bool = False
    force: bool = False
    allow_personal_data: bool = False
    scheduler: str | None = None
    timeout: float = 600.0
    progress: bool = True
    allow_nonempty_output: bool = False
    #: run notebooks that differ from their committed version (said in every footer)
    allow_modified_notebooks: bool = False


@dataclass(frozen=True)
class MunicipalityJob:
    code: int
    name: str
    slug: str
    region: str
    language: str
    notebooks: tuple[tuple[str, str, dict[str, Any]], ...]  # (key, path, parameters)
    html: str
    notebook_dir: str
    state: str
    key: str
    allow_personal_data: bool
    timeout: float
    root: str
    #: the content hash of each notebook as checked before the run (key -> hash): a
    #: worker runs a notebook only if its content is still that one
    contents: tuple[tuple[str, str], ...] = ()
    #: the footer's line on the notebooks' versions (committed, changed, unchecked)
    versions: str = ""

    def identity(self) -> dict[str, Any]:
        """The fields every run record starts with, whether the run succeeded or not."""
        return {
            "code": self.code,
            "name": self.name,
            "slug": self.slug,
            "region": self.region,
            "language": self.language,
            "key": self.key,
        }


@dataclass
class BatchResult:
    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    index: Path | None = None
    seconds: float = 0.0
    output: Path | None = None
    partial: tuple[str, ...] = ()  # notebook stems of a partial run
    #: what went wrong after the pages were built (the index or the list of outputs
    #: could not be written): the summary still lists every page
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r["status"] == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors


# --- planning -------------------------------------------------------------------------


def default_notebooks(paths: ProjectPaths) -> tuple[Path, ...]:
    return tuple(sorted(paths.notebooks.glob("[0-9][0-9]_*.ipynb")))


def resolve_notebooks(names: Iterable[str], paths: ProjectPaths) -> tuple[Path, ...]:
    """Notebook arguments as given on the command line: paths, file names or stems."""
    found = []
    for name in names:
        candidates = [Path(name), paths.notebooks / name, paths.notebooks / f"{name}.ipynb"]
        match = next((c for c in candidates if c.is_file()), None)
        if match is None:
            raise AnalysisError(f"notebook {name!r} not found (looked in {paths.notebooks})")
        check_notebook(match)
        found.append(match.resolve())
    return tuple(found)


def check_notebook(path: Path) -> None:
    """Refuse a file that is not a Jupyter notebook. Never echoes any of its content (the
    parsers' own messages quote it, which for ``/etc/passwd`` is a line of the file)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnalysisError(f"cannot read notebook {path}: {os.strerror(exc.errno or 0)}") from None
    try:
        notebook = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, or not UTF-8 text at all
        notebook = None
    if not (
        isinstance(notebook, dict)
        and isinstance(notebook.get("cells"), list)
        and isinstance(notebook.get("metadata"), dict)
        and isinstance(notebook.get("nbformat"), int)
    ):
        raise AnalysisError(
            f"{path} is not a Jupyter notebook (expected an .ipynb file: JSON with "
            "'cells', 'metadata' and 'nbformat')"
        )


def prepare_store(paths: ProjectPaths) -> None:
    """Validate the raw data into the processed store (a no-op when nothing changed)."""
    from analysis.data.store import prepare

    report = prepare(paths)
    if not report.ok:
        raise AnalysisError("data preparation failed:\n" + report.summary())


def _chosen_sections(notebooks: Sequence[Path]) -> tuple[Section, ...]:
    if notebooks:
        return tuple(section_for(n) for n in notebooks)
    return (*NATIONAL_SECTIONS, *MUNICIPALITY_SECTIONS)


def precompute_shared(
    paths: ProjectPaths, notebooks: Sequence[Path] = (), parallel: bool = False
) -> None:
    """Prepare the processed store and the shared results of the sections that run (all
    registered sections by default), once; ``parallel``: the sections' functions side
    by side, the first here and the others in two fresh processes, which also take parts
    of the first one's work (spawned, not forked: this process may already hold OpenMP
    or numba threads, which a fork cannot copy)."""
    prepare_store(paths)
    sections = _chosen_sections(notebooks)
    if not parallel:
        precompute_all(sections, paths)
        return
    context = mp.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=context) as others:
        precompute_all(sections, paths, others)


def _declared_parameters(notebook: Path) -> set[str]:
    import papermill as pm

    try:
        return set(pm.inspect_notebook(str(notebook)).keys())
    except Exception as exc:  # the message may quote the file: name only the kind
        raise AnalysisError(
            f"cannot read the parameters of notebook {notebook} ({type(exc).__name__}); "
            "open it in JupyterLab to check it"
        ) from None


def _tree_hash(files: Iterable[Path], root: Path) -> str:
    parts = []
    for file in sorted(files):
        try:
            name = str(file.relative_to(root))
        except ValueError:
            name = file.name
        parts.append(f"{name}:{sha256_file(file)}")
    return sha256_bytes("\n".join(parts).encode("utf-8"))


def batch_fingerprint(paths: ProjectPaths, notebooks: Sequence[Path]) -> str:
    """Hash of everything a report depends on besides its parameters (the notebooks by
    their content: cells, not outputs)."""
    package = Path(__file__).resolve().parents[1]
    code = [
        p
        for p in package.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".yaml", ".j2", ".json", ".css", ".xsd"}
        and "__pycache__" not in p.parts
    ]
    raw = [p for p in paths.raw.rglob("*") if p.is_file()]
    return sha256_bytes(
        "|".join(
            [
                _tree_hash(code, package),
                _tree_hash(raw, paths.raw),
                *(committed.file_content_hash(nb) for nb in sorted(notebooks)),
            ]
        ).encode("utf-8")
    )


def partial_selection(options: RunOptions, paths: ProjectPaths) -> tuple[str, ...]:
    """The chosen notebooks' stems (sorted) when they are not the project's full set of
    notebooks, else ``()``: such a run makes pages with only some of the sections."""
    if not options.notebooks:
        return ()
    chosen = {Path(p).resolve() for p in options.notebooks}
    if chosen == {p.resolve() for p in default_notebooks(paths)}:
        return ()
    return tuple(sorted({Path(p).stem for p in options.notebooks}))


def project_output_dirs(paths: ProjectPaths) -> set[Path]:
    """The project's own report folders (``reports/`` and ``reports/<language>/``)."""
    base = paths.reports.resolve()
    return {base} | {base / lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE}


def output_dir(options: RunOptions, paths: ProjectPaths) -> Path:
    """``--output`` exactly as given; by default ``reports/``, and ``reports/<language>/``
    for a language other than Danish so the two sets never overwrite each other. A partial
    run goes by default to ``partial/<stem>+<stem>/`` below that, so its pages (with only
    the chosen sections) never replace the full ones."""
    if options.output is not None:
        return Path(options.output).resolve()
    base = paths.reports.resolve()
    base = base if options.language == DEFAULT_LANGUAGE else base / options.language
    partial = partial_selection(options, paths)
    return base / PARTIAL_FOLDER / "+".join(partial) if partial else base


def _check_codes(codes: Iterable[int], paths: ProjectPaths) -> None:
    from analysis.data.reference import load_municipalities

    known = set(load_municipalities(paths.municipalities_csv)["code"])
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise AnalysisError(
            f"unknown municipality code(s): {', '.join(map(str, unknown))} "
            f"(see {paths.municipalities_csv})"
        )


def plan_jobs(options: RunOptions, paths: ProjectPaths) -> list[MunicipalityJob]:
    """One job per municipality with the notebooks that apply to it."""
    from analysis.data.reference import load_municipalities

    table = load_municipalities(paths.municipalities_csv).set_index("code")
    _check_codes(options.municipalities, paths)
    notebooks = options.notebooks or default_notebooks(paths)
    if not notebooks:
        raise AnalysisError(f"no notebooks found in {paths.notebooks}")
    out = output_dir(options, paths)
    fingerprint = batch_fingerprint(paths, notebooks)
    checks = {c.key: c for c in committed.check_notebooks(notebooks)}
    applicable: dict[str, set[int] | None] = {}
    declared: dict[Path, set[str]] = {}
    sections = {nb_path: section_for(nb_path) for nb_path in notebooks}
    for nb_path, section in sections.items():
        where = section.applies_to
        applicable[nb_path.stem] = {int(c) for c in where(paths)} if where else None
        declared[nb_path] = _declared_parameters(nb_path)
    national = [nb for nb in notebooks if sections[nb].scope == NATIONAL]
    notebooks = [nb for nb in notebooks if sections[nb].scope != NATIONAL]
    jobs = [_national_job(national, options, paths, out, fingerprint, checks)] if national else []
    for code in options.municipalities:
        row = table.loc[code]
        stem = f"{code}-{row['slug']}"
        nb_dir = out / "notebooks" / stem
        entries = []
        for nb_path in notebooks:
            codes = applicable[nb_path.stem]
            if codes is not None and code not in codes:
                continue
            params: dict[str, Any] = {"municipality": int(code), "language": options.language}
            if "allow_personal_data" in declared[nb_path]:
                params["allow_personal_data"] = options.allow_personal_data
            if "privacy" in declared[nb_path] and options.allow_personal_data:
                params["privacy"] = "allow"  # only ever by the explicit switch
            for parameter, linked in sections[nb_path].links.items():
                if parameter in declared[nb_path]:
                    params[parameter] = str(nb_dir / f"{linked}.ipynb")
            entries.append((nb_path.stem, str(nb_path), params))
        versions = versions_line([checks[k] for k, _, _ in entries], options.language)
        key = sha256_bytes(
            json.dumps(
                [fingerprint, entries, options.allow_personal_data, versions],
                sort_keys=True,
                default=str,
            ).encode("utf-8")
        )
        jobs.append(
            MunicipalityJob(
                code=int(code),
                name=str(row["name"]),
                slug=str(row["slug"]),
                region=str(row["region"]),
                language=options.language,
                notebooks=tuple(entries),
                html=str(out / f"{stem}.html"),
                notebook_dir=str(nb_dir),
                state=str(out / ".state" / f"{code}.json"),
                key=key,
                allow_personal_data=options.allow_personal_data,
                timeout=options.timeout,
                root=str(paths.root),
                contents=tuple((k, checks[k].content) for k, _, _ in entries),
                versions=versions,
            )
        )
    return jobs


def versions_line(checks: Sequence[committed.NotebookCheck], language: str) -> str:
    """The footer's line on the versions of a page's notebooks: all committed, or which
    differ from the committed version (run with the option) and which could not be
    checked (no git repository)."""
    from analysis.labels import t

    changed = [c.key for c in checks if c.status == committed.CHANGED]
    unchecked = [c for c in checks if c.status == committed.UNCHECKED]
    parts = []
    if changed:
        parts.append(t("reports.prov.notebooks_changed", language, names=", ".join(changed)))
    if unchecked:
        names = ", ".join(c.key for c in unchecked)
        parts.append(t("reports.prov.notebooks_unchecked", language, names=names))
    return "; ".join(parts) or t("reports.prov.notebooks_committed", language)


#: the national report's job stands in the run records as "code" 0
NATIONAL_CODE = 0
NATIONAL_STEM = "national"


def _national_job(
    notebooks: Sequence[Path],
    options: RunOptions,
    paths: ProjectPaths,
    out: Path,
    fingerprint: str,
    checks: dict[str, committed.NotebookCheck],
) -> MunicipalityJob:
    """The one job of a run that writes the national report (``national.html``)."""
    from analysis.labels import t

    entries = tuple((nb.stem, str(nb), {"language": options.language}) for nb in notebooks)
    versions = versions_line([checks[k] for k, _, _ in entries], options.language)
    key = sha256_bytes(
        json.dumps(
            [fingerprint, entries, options.allow_personal_data, versions], default=str
        ).encode()
    )
    return MunicipalityJob(
        code=NATIONAL_CODE,
        name=t("reports.national.name", options.language),
        slug=NATIONAL_STEM,
        region="",
        language=options.language,
        notebooks=entries,
        html=str(out / f"{NATIONAL_STEM}.html"),
        notebook_dir=str(out / "notebooks" / NATIONAL_STEM),
        state=str(out / ".state" / f"{NATIONAL_STEM}.json"),
        key=key,
        allow_personal_data=options.allow_personal_data,
        timeout=options.timeout,
        root=str(paths.root),
        contents=tuple((k, checks[k].content) for k, _, _ in entries),
        versions=versions,
    )


def read_record(path: Path | str) -> dict[str, Any] | None:
    """A run record (``.state/<code>.json``); None when it is missing or not a record.
    A pipe, device or link at its place is refused, never read (it could block)."""
    try:
        data = json.loads(outputs.read_regular_text(Path(path)))
    except (FileNotFoundError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def read_state(job: MunicipalityJob) -> dict[str, Any] | None:
    return read_record(job.state)


def is_current(job: MunicipalityJob) -> bool:
    state = read_state(job)
    return bool(
        state
        and state.get("status") == "ok"
        and state.get("key") == job.key
        and Path(job.html).is_file()
        and state.get("html_sha256") == sha256_file(job.html)
        and (job.code == NATIONAL_CODE or committee_path(job.html).is_file())
    )


# --- running one municipality (in a worker process) -------------------------------------

_KERNEL = None


def _worker_kernel(cwd: Path):
    """The worker process's warm kernel, started on first use."""
    global _KERNEL
    from analysis.reports.kernel import WarmKernel

    if _KERNEL is None:
        _KERNEL = WarmKernel(cwd=cwd)
        atexit.register(_KERNEL.shutdown)
        # pool workers leave through os._exit (no atexit); multiprocessing still runs its
        # own finalizers, so the kernel is shut down with the worker either way
        Finalize(None, _KERNEL.shutdown, exitpriority=10)
    return _KERNEL


def _relative(value: Any, *bases: Path) -> Any:
    """A path parameter as shown in a report: relative to the first base it lies under
    (the report's folder, then the project), else just its name; never absolute."""
    if not isinstance(value, str) or not os.path.isabs(value):
        return value
    for base in bases:
        if Path(value).is_relative_to(base):
            return os.path.relpath(value, base)
    return Path(value).name


def run_job(job: MunicipalityJob) -> dict[str, Any]:
    """Execute a municipality's notebooks, export its page, write its state record."""
    from analysis.reports import committee, findings
    from analysis.reports.execute import execute_notebook
    from analysis.reports.export import ReportMeta, Section, report_html
    from analysis.reports.provenance import git_commit, package_version, utc_timestamp

    start = time.perf_counter()
    root = Path(job.root)
    kernel = _worker_kernel(root / "notebooks")
    policy = output_policy("allow" if job.allow_personal_data else "pseudonymise")
    contents = dict(job.contents)
    runs = []
    for key, nb_path, params in job.notebooks:
        output = Path(job.notebook_dir) / f"{key}.ipynb"
        runs.append(
            (
                key,
                params,
                execute_notebook(
                    Path(nb_path),
                    output,
                    params,
                    kernel,
                    timeout=job.timeout,
                    policy=policy,
                    content=contents.get(key),
                ),
            )
        )
    record: dict[str, Any] = {
        **job.identity(),
        "notebooks": [
            {
                "notebook": key,
                "status": run.status,
                # a failed notebook that could not be kept (refused, disk full) has none
                "output": _relative(str(run.output), root) if run.output.is_file() else None,
                "error": run.error,
                "seconds": round(run.duration, 2),
            }
            for key, _, run in runs
        ],
        "headline": _headlines(runs),
    }
    failures = [(key, run) for key, _, run in runs if run.status != "ok"]
    if failures:
        key, run = failures[0]
        record.update(
            status="failed",
            error=f"{key}: {run.error}",
            seconds=round(time.perf_counter() - start, 2),
        )
        write_state(job, record)
        return record
    sections, inputs, simulated, scraps = [], {}, False, {}
    for key, params, run in runs:
        scraps.update(run.scraps)
        notebook = run.executed
        shown = {
            k: _relative(v, Path(job.html).parent, root)
            for k, v in params.items()
            if k not in {"municipality", "language"}
        }
        sections.append(Section(key=key, notebook=notebook, parameters=shown))
        for item in run.scraps.get("inputs") or []:
            inputs[item["file"]] = item
        simulated = simulated or bool(run.scraps.get("simulated"))
    national = job.code == NATIONAL_CODE
    national_page = Path(job.html).with_name(f"{NATIONAL_STEM}.html")
    scraps["inputs"] = [inputs[k] for k in sorted(inputs)]
    if national:
        summary_markup = findings.national_findings(scraps, job.language)
    else:
        summary_markup = findings.key_findings(
            scraps, job.name, job.language, national_href=national_page.name
        )
    meta = ReportMeta(
        municipality_code=job.code,
        municipality_name=job.name,
        region=job.region,
        language=job.language,
        inputs=tuple(inputs[k] for k in sorted(inputs)),
        simulated=simulated,
        git_commit=git_commit(root),
        package_version=package_version(),
        allow_personal_data=job.allow_personal_data,
        timestamp=utc_timestamp(),
        seconds=time.perf_counter() - start,
        kind="national" if national else "municipality",
        key_findings=summary_markup,
        national_href=None if national else national_page.name,
        count_rule=scraps.get("small_count_rule"),
        notebooks=job.versions,
        comparison_group=tuple((scraps.get("benchmark_headline") or {}).get("members") or ()),
        comparison_label=str((scraps.get("benchmark_headline") or {}).get("cluster") or ""),
        committee_href=None if national else committee.committee_href(job.html),
    )
    html = report_html(sections, meta)
    # the municipality's one-page summary for a committee, written beside its page
    summary_page = (
        None if national else committee.build_committee_page(job.html, scraps, meta, runs)
    )
    # The page is written beside its place first, its run record (with the page's hash)
    # next, and only then is the page renamed into place: a page in place always has the
    # record that lets a rerun skip it, wherever a kill lands (a record without its page
    # is rebuilt, as its hash no longer matches).
    staged = staged_path(job.html)
    try:
        try:
            publish_html(staged, html, policy)
            digest = sha256_file(staged)
        except OSError as exc:  # disk full, folder made read-only mid-run ...
            raise OutputWriteError(job.html, exc) from None
        if summary_page is not None:  # before the record: a page in place has its summary
            committee.write_committee_page(summary_page, policy)
        record.update(
            status="ok",
            error=None,
            html=Path(job.html).name,
            html_sha256=digest,
            simulated=simulated,
            seconds=round(time.perf_counter() - start, 2),
        )
        write_state(job, record)
        put_in_place(staged, job.html)
    finally:
        staged.unlink(missing_ok=True)
    return record


def staged_path(target: Path | str) -> Path:
    """A temporary name beside ``target`` of the form a rerun removes after a kill
    (``.<name>.<8 characters>.partial``, see :mod:`analysis.reports.outputs`)."""
    target = Path(target)
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")


def put_in_place(staged: Path, target: Path | str) -> None:
    """Rename a file the gate wrote (``staged``) over ``target``, in one step."""
    try:
        os.replace(staged, target)
    except OSError as exc:
        raise OutputWriteError(target, exc) from None


def write_state(job: MunicipalityJob, record: dict[str, Any]) -> None:
    """Write a municipality's run record (atomically; a failed write names the file)."""
    try:
        atomic_write_text(job.state, json.dumps(record, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise OutputWriteError(job.state, exc) from None


def _headlines(runs: list[tuple[str, dict, Any]]) -> dict[str, Any]:
    scraps: dict[str, Any] = {}
    for _, _, run in runs:
        if run.status == "ok":
            scraps.update(run.scraps)
    values: dict[str, Any] = {}
    for headline in HEADLINES:
        data = scraps.get(headline.scrap)
        if not headline.field and data is not None:
            values[headline.column] = data
        elif isinstance(data, dict) and headline.field in data:
            values[headline.column] = data[headline.field]
    return values


def _run_job_safely(job: MunicipalityJob) -> dict[str, Any]:
    """run_job, but an unexpected crash becomes a failed record, not a dead batch."""
    try:
        return run_job(job)
    except Exception as exc:
        error = str(exc) if isinstance(exc, AnalysisError) else f"{type(exc).__name__}: {exc}"
        record = {
            **job.identity(),
            "status": "failed",
            "error": error,
            "notebooks": [],
            "headline": {},
        }
        with contextlib.suppress(OutputWriteError):  # e.g. the disk is still full
            write_state(job, record)
        return record


# --- the batch --------------------------------------------------------------------------


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="kommune",
        disable=not enabled or total == 0,
        file=sys.stderr,
        dynamic_ncols=True,
    )


def quiet_libraries() -> None:
    """Keep papermill's per-notebook INFO lines and jupyter_client's shutdown warnings out
    of the progress output; errors still show and failures are in the summary."""
    import logging

    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)


#: the numeric libraries' thread pools, one thread each (unless set already)
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextlib.contextmanager
def one_thread_per_process():
    """Run the batch with one thread per process in OpenBLAS, OpenMP and MKL: the batch
    already runs as many processes as there are cores, and OpenBLAS's extra threads
    wait for work busily, taking CPU from the other processes (the shared qualitative
    work alone: 14.7 s of CPU in 10.8 s with two threads, 9.2 s in 9.3 s with one). The
    variables reach the processes the batch starts (kernels, spawned helpers); this
    process's libraries, already loaded, are limited directly. A variable the user set
    is kept, and everything is restored afterwards."""
    from threadpoolctl import threadpool_limits

    saved = {key: os.environ.get(key) for key in ONE_THREAD}
    for key, value in ONE_THREAD.items():
        os.environ.setdefault(key, value)
    try:
        blas = os.environ["OPENBLAS_NUM_THREADS"]
        with threadpool_limits(limits=int(blas) if blas.isdigit() else 1):
            yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _warm_parent() -> None:
    """Import and initialise what every worker needs before forking, so forked workers
    start with it loaded (templates compiled, scrapbook and papermill imported)."""
    import papermill  # noqa: F401
    import scrapbook  # noqa: F401

    quiet_libraries()

    from analysis.reports.export import _css, _exporter

    _exporter()
    _css()


def _start_worker(cwd: str, preload: tuple[str, ...]) -> None:
    """Pool initializer: start this worker's kernel and load the notebooks' modules while
    the parent does the shared work. A failed start is left to the first job, which
    tries again and reports the error in its record."""
    global _KERNEL
    from analysis.reports.kernel import DEFAULT_PRELOAD, WarmKernel

    quiet_libraries()
    kernel = WarmKernel(cwd=Path(cwd), preload=(*DEFAULT_PRELOAD, *preload))
    try:
        kernel.start()
    except Exception:
        return
    _KERNEL = kernel
    atexit.register(kernel.shutdown)
    Finalize(None, kernel.shutdown, exitpriority=10)


@contextlib.contextmanager
def _local_pool(workers: int, paths: ProjectPaths, sections: Sequence[Section]):
    """The worker processes (``None`` for no workers), each starting its warm kernel at
    once, so kernel starts overlap the shared precompute."""
    if workers < 1:
        yield None
        return
    _warm_parent()
    context = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    pool = cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(str(paths.root / "notebooks"), preload_modules(sections)),
    )
    try:
        pool.submit(int)  # starts every worker now (and with it each worker's kernel)
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _execute_local(jobs: list[MunicipalityJob], pool: cf.Executor, progress: bool):
    futures = {pool.submit(_run_job_safely, job): job for job in jobs}
    with _progress(len(jobs), progress) as bar:
        for future in cf.as_completed(futures):
            job = futures[future]
            try:
                record = future.result()
            except Exception as exc:
                record = {
                    "code": job.code,
                    "name": job.name,
                    "slug": job.slug,
                    "region": job.region,
                    "status": "failed",
                    "error": f"worker crashed: {type(exc).__name__}: {exc}",
                    "headline": {},
                    "notebooks": [],
                }
            bar.set_postfix_str(f"{job.code} {job.name}", refresh=False)
            bar.update()
            yield record


def shutdown_worker_kernel() -> None:
    """Stop this process's warm kernel (Dask workers call it when they close)."""
    global _KERNEL
    if _KERNEL is not None:
        _KERNEL.shutdown()
        _KERNEL = None


def _execute_dask(jobs: list[MunicipalityJob], scheduler: str, progress: bool):
    from distributed import Client, as_completed
    from distributed.diagnostics.plugin import WorkerPlugin

    class KernelTeardown(WorkerPlugin):
        name = "caseload-kernel-teardown"

        def teardown(self, worker):
            shutdown_worker_kernel()

    try:
        client = Client(scheduler)
    except (OSError, TimeoutError) as exc:
        raise _no_scheduler(scheduler, exc) from None
    with client:
        client.register_plugin(KernelTeardown())
        client.run(quiet_libraries)
        futures = client.map(_run_job_safely, jobs, pure=False)
        names = {f.key: job for f, job in zip(futures, jobs, strict=True)}
        with _progress(len(jobs), progress) as bar:
            for future in as_completed(futures):
                job = names[future.key]
                record = future.result()
                bar.set_postfix_str(f"{job.code} {job.name}", refresh=False)
                bar.update()
                yield record


def _no_scheduler(address: str, error: BaseException) -> AnalysisError:
    reason = os.strerror(error.errno) if isinstance(error, OSError) and error.errno else ""
    reason = reason or str(error).split("\n")[0] or type(error).__name__
    return AnalysisError(
        f"no Dask scheduler answers at {address} ({reason}). Start the scheduler first "
        "(README: 'On a cluster') and give the address it prints, or run without --scheduler."
    )


def check_scheduler(address: str, timeout: float | None = None) -> None:
    """Fail at once, before any shared work, when no Dask scheduler answers at ``address``
    (``distributed`` itself would retry for 30 s, after the data preparation, and a port
    where something else listens can keep its client waiting for ever)."""
    timeout = SCHEDULER_TIMEOUT if timeout is None else timeout
    try:
        from distributed.comm import connect
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError:
        raise AnalysisError("--scheduler needs the 'distributed' package") from None
    if not address.strip():
        raise AnalysisError(
            "--scheduler is empty: give the address the Dask scheduler prints "
            "(tcp://HOST:PORT), or leave --scheduler out to run on this machine"
        )
    try:
        scheme, location = parse_address(address, strict=False)
    except (ValueError, TypeError):
        scheme, location = "", ""
    if scheme not in SCHEDULER_SCHEMES:
        raise AnalysisError(
            f"--scheduler {address!r}: the batch cannot use a scheduler at "
            f"{scheme + '://' if scheme else 'this address'} (expected tcp://HOST:PORT, or "
            "tls://HOST:PORT for a cluster with certificates); workers on other machines "
            "reach a scheduler only over TCP"
        )
    try:
        host, port = parse_host_port(location)
    except (ValueError, TypeError):
        host, port = "", None
    if not host or not port:
        raise AnalysisError(
            f"--scheduler {address!r} is not a scheduler address (expected tcp://HOST:PORT)"
        )
    try:  # a refused connection is known at once
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise _no_scheduler(address, exc) from None
    if scheme != "tcp":  # tls needs the cluster's certificates: the client checks it later
        return

    async def identity() -> Any:
        comm = await connect(address, timeout=timeout)
        try:
            await comm.write({"op": "identity"})
            return await comm.read()
        finally:
            comm.abort()

    def ask() -> Any:  # its own thread, so a caller's running event loop is no obstacle
        return asyncio.run(asyncio.wait_for(identity(), timeout))

    with cf.ThreadPoolExecutor(max_workers=1) as pool:
        try:
            answer = pool.submit(ask).result()
        except (OSError, TimeoutError) as exc:
            raise _no_scheduler(address, exc) from None
        except Exception as exc:  # it answered, but not as Dask does
            raise _no_scheduler(address, RuntimeError(type(exc).__name__)) from None
    if not (isinstance(answer, dict) and answer.get("type") == "Scheduler"):
        raise _no_scheduler(address, RuntimeError("something else answers there"))


def write_index(options: RunOptions, paths: ProjectPaths) -> Path:
    """Rebuild the index page from the state records of every municipality."""
    from analysis.data.reference import load_municipalities

    policy = output_policy("allow" if options.allow_personal_data else "pseudonymise")
    from analysis.reports.export import _css
    from analysis.reports.index import index_html

    out = output_dir(options, paths)
    lang = options.language
    rows = []
    for row in load_municipalities(paths.municipalities_csv).itertuples(index=False):
        state = read_record(out / ".state" / f"{row.code}.json") or {}
        html_name = f"{row.code}-{row.slug}.html"
        status = state.get("status", "missing")
        rows.append(
            {
                "code": int(row.code),
                "name": row.name,
                "region": row.region,
                "status": status,
                "error": state.get("error"),
                "href": html_name if (out / html_name).is_file() else None,
                "committee_href": (
                    committee_path(out / html_name).name
                    if committee_path(out / html_name).is_file()
                    else None
                ),
                **(state.get("headline") or {}),
            }
        )
    from analysis.labels import t

    columns = [(h.column, t(f"reports.index.headline.{h.column}", lang)) for h in HEADLINES]
    target = out / "index.html"
    try:
        # error messages of failed runs can quote a text: the index passes the gate too
        national = out / f"{NATIONAL_STEM}.html"
        markup = index_html(
            rows,
            columns,
            lang,
            _css(),
            national_href=national.name if national.is_file() else None,
            paths=paths,
        )
        publish_html(target, markup, policy)
    except OSError as exc:  # disk full ...: the previous index stays as it was
        raise OutputWriteError(target, exc) from None
    return target


def remove_stale_partials(folder: Path, targets: Iterable[Path]) -> list[Path]:
    """Delete temporary files a killed run left next to the batch's own ``targets`` (they
    are never read: every output is renamed into place only when complete). Other files,
    such as a user's ``.chapter3.partial.docx``, are never touched. Call only while
    holding the lock."""
    stale = outputs.stale_temporaries(folder, targets)
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


FILE_ENDINGS = (".ipynb", ".failed.ipynb")  # an executed notebook, or a failed one


def job_targets(job: MunicipalityJob) -> list[Path]:
    """Every file running ``job`` may write."""
    nb_dir = Path(job.notebook_dir)
    files = [Path(job.html), Path(job.state)]
    if job.code != NATIONAL_CODE:
        files.append(committee_path(job.html))
    for key, _, _ in job.notebooks:
        files += [nb_dir / f"{key}{end}" for end in FILE_ENDINGS]
    return files


def _batch_named_files(folder: Path, paths: ProjectPaths) -> list[Path]:
    """Files in ``folder`` at the paths earlier versions wrote (adopted as the batch's)."""
    from analysis.data.reference import load_municipalities

    found = [folder / "index.html", folder / outputs.LOCK]
    found += [folder / f"{NATIONAL_STEM}.html", folder / ".state" / f"{NATIONAL_STEM}.json"]
    national_dir = folder / "notebooks" / NATIONAL_STEM
    if national_dir.is_dir():
        found += [p for p in national_dir.glob("*.ipynb") if not p.name.startswith(".")]
    for row in load_municipalities(paths.municipalities_csv).itertuples(index=False):
        stem = f"{row.code}-{row.slug}"
        found += [folder / f"{stem}.html", folder / ".state" / f"{row.code}.json"]
        nb_dir = folder / "notebooks" / stem
        if nb_dir.is_dir():
            found += [p for p in nb_dir.glob("*.ipynb") if not p.name.startswith(".")]
    return [p for p in found if p.is_file()]


def expected_targets(options: RunOptions, paths: ProjectPaths, out: Path) -> list[Path]:
    """Every file this run may write, known before any planning (a superset of its jobs'
    own: all chosen notebooks, whether or not they apply to a municipality)."""
    from analysis.data.reference import load_municipalities

    table = load_municipalities(paths.municipalities_csv).set_index("code")
    chosen = options.notebooks or default_notebooks(paths)
    national = [Path(p).stem for p in chosen if section_for(Path(p)).scope == NATIONAL]
    keys = [Path(p).stem for p in chosen if Path(p).stem not in national]
    files = [out / "index.html"]
    if national:
        files += [out / f"{NATIONAL_STEM}.html", out / ".state" / f"{NATIONAL_STEM}.json"]
        for key in national:
            files += [out / "notebooks" / NATIONAL_STEM / f"{key}{end}" for end in FILE_ENDINGS]
    for code in options.municipalities:
        stem = f"{code}-{table.loc[code, 'slug']}"
        files += [out / f"{stem}.html", committee_path(out / f"{stem}.html")]
        files += [out / ".state" / f"{code}.json"]
        for key in keys:
            files += [out / "notebooks" / stem / f"{key}{end}" for end in FILE_ENDINGS]
    return files


def refuse_partial_pages(options: RunOptions, paths: ProjectPaths, out: Path) -> None:
    """A partial run must not replace a page that has sections it does not run (such a
    page's run record lists other notebooks, so it would never be skipped as current)."""
    from analysis.data.reference import load_municipalities

    partial = partial_selection(options, paths)
    if not partial or options.retry_failed:  # a retry reruns failed pages only
        return
    table = load_municipalities(paths.municipalities_csv).set_index("code")
    losing = []
    for code in options.municipalities:
        page = out / f"{code}-{table.loc[code, 'slug']}.html"
        state = read_record(out / ".state" / f"{code}.json")
        if state is None or state.get("status") != "ok" or not page.is_file():
            continue
        had = [n.get("notebook") for n in state.get("notebooks") or [] if isinstance(n, dict)]
        lost = [str(key) for key in had if key not in partial]
        if lost:
            losing.append((page, lost))
    if losing:
        page, lost = losing[0]
        more = f" (and {len(losing) - 1} more page(s) like it)" if len(losing) > 1 else ""
        default = output_dir(replace(options, output=None), paths)
        raise AnalysisError(
            f"{page} also has the section(s) {', '.join(lost)}{more}; this run of only "
            f"{', '.join(partial)} would replace it with a partial page. Run all notebooks, "
            f"or give another --output folder (without --output, this partial run writes "
            f"to {default})."
        )


def _cold(options: RunOptions, out: Path) -> bool:
    """True when every page of the run will be built (forced, or no page recorded yet)
    on local workers, so they can start before the jobs are planned; a rerun plans first
    and starts only the workers its changed pages need."""
    if options.scheduler or options.retry_failed:
        return False
    state = out / ".state"
    return options.force or not (state.is_dir() and any(state.iterdir()))


def run_reports(options: RunOptions, paths: ProjectPaths | None = None) -> BatchResult:
    """Run the batch described by ``options``; see the module docstring."""
    from analysis.reports.lock import exclusive_lock

    paths = paths or get_paths()
    start = time.perf_counter()
    quiet_libraries()  # before planning, which reads each notebook's parameters
    out = output_dir(options, paths)
    result = BatchResult(output=out, partial=partial_selection(options, paths))
    _check_codes(options.municipalities, paths)

    def claim() -> outputs.Claim:
        return outputs.claim_folder(
            out,
            project_folder=out in project_output_dirs(paths),
            allow_nonempty=options.allow_nonempty_output,
        )

    # before the lock touches the folder: nothing is created where the run must not write
    if not options.allow_modified_notebooks:
        chosen = options.notebooks or default_notebooks(paths)
        committed.refuse_changed(committed.check_notebooks(chosen), paths.root)
    expected = expected_targets(options, paths, out)
    outputs.refuse_conflicts(claim(), [out / outputs.LOCK, *expected])
    refuse_partial_pages(options, paths, out)
    if options.scheduler is not None:
        check_scheduler(options.scheduler)
    with exclusive_lock(out), contextlib.ExitStack() as stack:
        stack.enter_context(one_thread_per_process())
        owned = claim()  # again: another run may have written here before we got the lock
        chosen = options.notebooks or default_notebooks(paths)
        sections = _chosen_sections(chosen)
        pool = None
        if _cold(options, out):  # every page will be built: kernels start while we plan
            early = max(1, options.workers or os.cpu_count() or 1)
            if options.municipalities:  # at most one job each, and the national report
                early = min(early, len(options.municipalities) + 1)
            pool = stack.enter_context(_local_pool(early, paths, sections))
        prepare_store(paths)  # the job keys hash the processed data
        jobs = plan_jobs(options, paths)
        if options.retry_failed:
            jobs = [j for j in jobs if (read_state(j) or {}).get("status") == "failed"]
        todo = []
        for job in jobs:
            if not options.force and not options.retry_failed and is_current(job):
                result.skipped.append(job.code)
            else:
                todo.append(job)
        workers = max(1, min(options.workers or os.cpu_count() or 1, len(todo) or 1))
        local = bool(todo) and not options.scheduler
        if pool is None:
            pool = stack.enter_context(_local_pool(workers if local else 0, paths, sections))
        precompute_shared(paths, chosen, parallel=(os.cpu_count() or 1) > 1)
        index = out / "index.html"
        targets = [index, *(t for job in todo for t in job_targets(job))]
        outputs.refuse_conflicts(owned, targets)
        files = set(owned.files) | {outputs.LOCK}
        if owned.adopt:
            files |= {outputs.relative(out, p) for p in _batch_named_files(out, paths)}
        remove_stale_partials(
            out,
            [out / outputs.MANIFEST, *expected, *(out / f for f in files)],
        )
        files |= {outputs.relative(out, t) for t in targets}
        outputs.write_manifest(out, files)  # before writing: a killed run's files are listed
        # longest jobs first (the national report draws its figures, then most notebooks),
        # so a slow one never ends the run alone
        todo.sort(key=lambda job: (job.code != NATIONAL_CODE, -len(job.notebooks), job.code))
        runner = (
            _execute_local(todo, pool, options.progress)
            if pool is not None
            else _execute_dask(todo, options.scheduler, options.progress)
            if options.scheduler
            else iter(())
        )
        for record in runner:
            result.records.append(record)
        # a full disk must not hide which pages failed: the summary lists them and these
        try:
            result.index = write_index(options, paths)
        except OutputWriteError as exc:
            result.errors.append(str(exc))
        try:  # the list written before the pages already names every file they may be
            outputs.write_manifest(out, {f for f in files if (out / f).is_file()})
        except OutputWriteError as exc:
            result.errors.append(str(exc))
    result.seconds = time.perf_counter() - start
    return result


def summary(result: BatchResult) -> str:
    ok = sum(1 for r in result.records if r["status"] == "ok")
    lines = [
        f"{ok} report(s) written, {len(result.skipped)} unchanged (skipped), "
        f"{len(result.failed)} failed, in {result.seconds:.1f} s."
    ]
    for record in sorted(result.failed, key=lambda r: r["code"]):
        lines.append(f"  FAILED {record['code']} {record['name']}: {record['error']}")
        for nb in record.get("notebooks", []):
            if nb["status"] != "ok" and nb.get("output"):
                lines.append(f"         partial notebook kept: {nb['output']}")
    for error in result.errors:
        lines.append(f"  ERROR: {error}")
    if result.index:
        lines.append(f"Index: {result.index}")
    if result.partial:
        lines.append(
            f"Partial run (only {', '.join(result.partial)}): these pages have only those "
            f"sections; they are in {result.output}."
        )
    return "\n".join(lines)


def as_dict(job: MunicipalityJob) -> dict[str, Any]:
    return asdict(job)
