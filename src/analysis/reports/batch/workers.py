"""Running one job in a worker process: its warm kernel, its notebooks, its page and its
run record. A job that fails for any reason becomes a failed record, never a dead batch
(:func:`_run_job_safely`); :mod:`analysis.reports.batch.scheduler` hands the jobs out.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import time
from multiprocessing.util import Finalize
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.fileio import atomic_write_text, sha256_file
from analysis.publish import output_policy, publish_html
from analysis.reports.batch.layout import NATIONAL_CODE, RunLayout
from analysis.reports.batch.planning import MunicipalityJob
from analysis.reports.outputs import OutputWriteError
from analysis.reports.records import PageHeadlines
from analysis.reports.sections import HEADLINES

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
        output = job.files.notebook(key)
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
            k: _relative(v, job.files.html.parent, root)
            for k, v in params.items()
            if k not in {"municipality", "language"}
        }
        sections.append(Section(key=key, notebook=notebook, parameters=shown))
        for item in run.scraps.get("inputs") or []:
            inputs[item["file"]] = item
        simulated = simulated or bool(run.scraps.get("simulated"))
    national = job.code == NATIONAL_CODE
    national_page = RunLayout.of_page(job.html).national().html
    scraps["inputs"] = [inputs[k] for k in sorted(inputs)]
    group = PageHeadlines.from_scraps(scraps).benchmark  # the comparison group, if any
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
        comparison_group=group.members if group is not None else (),
        comparison_label=group.cluster if group is not None else "",
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
            html=job.files.html.name,
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
    records = PageHeadlines.from_scraps(scraps)
    values: dict[str, Any] = {}
    for headline in HEADLINES:
        present, value = headline.value(records)
        if present:
            values[headline.column] = value
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


def quiet_libraries() -> None:
    """Keep papermill's per-notebook INFO lines and jupyter_client's shutdown warnings out
    of the progress output; errors still show and failures are in the summary."""
    import logging

    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)


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


def shutdown_worker_kernel() -> None:
    """Stop this process's warm kernel (Dask workers call it when they close)."""
    global _KERNEL
    if _KERNEL is not None:
        _KERNEL.shutdown()
        _KERNEL = None
