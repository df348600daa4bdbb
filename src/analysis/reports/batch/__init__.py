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

The batch's parts, one module each (everything is importable from here, as before):

- :mod:`~analysis.reports.batch.planning`: the options, the jobs, their keys, whether a
  page is current, and every file a run may write;
- :mod:`~analysis.reports.batch.layout`: where each output goes (one value object for
  the paths of a run's folder and of each page);
- :mod:`~analysis.reports.batch.workers`: running one job in a worker (its kernel,
  notebooks, page and run record);
- :mod:`~analysis.reports.batch.scheduler`: the local process pool or the Dask cluster
  that runs the jobs;
- :mod:`~analysis.reports.batch.index_writer`: the index page.

This module runs a batch from them (:func:`run_reports`) and prints its summary.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.paths import ProjectPaths, get_paths
from analysis.reports import committed, outputs
from analysis.reports.batch.index_writer import write_index
from analysis.reports.batch.layout import (
    FILE_ENDINGS,
    NATIONAL_CODE,
    NATIONAL_STEM,
    PageFiles,
    RunLayout,
)
from analysis.reports.batch.planning import (
    PARTIAL_FOLDER,
    MunicipalityJob,
    RunOptions,
    _batch_named_files,
    _check_codes,
    _declared_parameters,
    _national_job,
    _tree_hash,
    batch_fingerprint,
    check_notebook,
    chosen_notebooks,
    default_notebooks,
    expected_targets,
    is_current,
    job_targets,
    output_dir,
    partial_selection,
    plan_jobs,
    project_output_dirs,
    read_record,
    read_state,
    refuse_partial_pages,
    resolve_notebooks,
    versions_line,
)
from analysis.reports.batch.scheduler import (
    ONE_THREAD,
    SCHEDULER_SCHEMES,
    SCHEDULER_TIMEOUT,
    _execute_dask,
    _execute_local,
    _local_pool,
    _no_scheduler,
    _progress,
    _warm_parent,
    check_scheduler,
    one_thread_per_process,
)
from analysis.reports.batch.workers import (
    _headlines,
    _relative,
    _run_job_safely,
    _start_worker,
    _worker_kernel,
    put_in_place,
    quiet_libraries,
    run_job,
    shutdown_worker_kernel,
    staged_path,
    write_state,
)
from analysis.reports.outputs import OutputWriteError
from analysis.reports.sections import (
    MUNICIPALITY_SECTIONS,
    NATIONAL_SECTIONS,
    Section,
    precompute_all,
    section_for,
)

#: the names other modules, tests and the command line import from here
__all__ = [
    "FILE_ENDINGS",
    "NATIONAL_CODE",
    "NATIONAL_STEM",
    "ONE_THREAD",
    "PARTIAL_FOLDER",
    "SCHEDULER_SCHEMES",
    "SCHEDULER_TIMEOUT",
    "BatchResult",
    "MunicipalityJob",
    "PageFiles",
    "RunLayout",
    "RunOptions",
    "_batch_named_files",
    "_check_codes",
    "_chosen_sections",
    "_cold",
    "_declared_parameters",
    "_execute_dask",
    "_execute_local",
    "_headlines",
    "_local_pool",
    "_national_job",
    "_no_scheduler",
    "_progress",
    "_relative",
    "_run_job_safely",
    "_start_worker",
    "_tree_hash",
    "_warm_parent",
    "_worker_kernel",
    "as_dict",
    "batch_fingerprint",
    "check_notebook",
    "check_scheduler",
    "chosen_notebooks",
    "default_notebooks",
    "expected_targets",
    "get_paths",
    "is_current",
    "job_targets",
    "one_thread_per_process",
    "output_dir",
    "partial_selection",
    "plan_jobs",
    "precompute_shared",
    "prepare_store",
    "project_output_dirs",
    "put_in_place",
    "quiet_libraries",
    "read_record",
    "read_state",
    "refuse_partial_pages",
    "remove_stale_partials",
    "resolve_notebooks",
    "run_job",
    "run_reports",
    "shutdown_worker_kernel",
    "staged_path",
    "summary",
    "versions_line",
    "write_index",
    "write_state",
]


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


def remove_stale_partials(folder: Path, targets: Iterable[Path]) -> list[Path]:
    """Delete temporary files a killed run left next to the batch's own ``targets`` (they
    are never read: every output is renamed into place only when complete). Other files,
    such as a user's ``.chapter3.partial.docx``, are never touched. Call only while
    holding the lock."""
    stale = outputs.stale_temporaries(folder, targets)
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def _cold(options: RunOptions, out: Path) -> bool:
    """True when every page of the run will be built (forced, or no page recorded yet)
    on local workers, so they can start before the jobs are planned; a rerun plans first
    and starts only the workers its changed pages need."""
    if options.scheduler or options.retry_failed:
        return False
    state = RunLayout(out).state_folder
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
        chosen = chosen_notebooks(options, paths)
        committed.refuse_changed(committed.check_notebooks(chosen), paths.root)
    expected = expected_targets(options, paths, out)
    outputs.refuse_conflicts(claim(), [out / outputs.LOCK, *expected])
    refuse_partial_pages(options, paths, out)
    if options.scheduler is not None:
        check_scheduler(options.scheduler)
    with exclusive_lock(out), contextlib.ExitStack() as stack:
        stack.enter_context(one_thread_per_process())
        owned = claim()  # again: another run may have written here before we got the lock
        chosen = chosen_notebooks(options, paths)
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
        index = RunLayout(out).index
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
