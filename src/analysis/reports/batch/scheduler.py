"""Handing the jobs to workers: a local process pool (each worker with its warm kernel,
started while the shared work runs) or a Dask cluster (``--scheduler``), one thread per
process in the numeric libraries, and the progress bar. Each job runs in
:func:`analysis.reports.batch.workers._run_job_safely`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from analysis.errors import AnalysisError
from analysis.paths import ProjectPaths
from analysis.reports.batch.planning import MunicipalityJob
from analysis.reports.batch.workers import (
    _run_job_safely,
    _start_worker,
    quiet_libraries,
    shutdown_worker_kernel,
)
from analysis.reports.sections import Section, preload_modules

#: Seconds to wait for a Dask scheduler to answer before saying that none does.
SCHEDULER_TIMEOUT = 10.0
#: Address schemes of a Dask scheduler the batch can use (``inproc://`` lives inside one
#: process, ``ucx://`` needs GPU networking the project does not install).
SCHEDULER_SCHEMES = ("tcp", "tls")
#: Subfolder of the reports folder for runs of only some of the notebooks.


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit="kommune",
        disable=not enabled or total == 0,
        file=sys.stderr,
        dynamic_ncols=True,
    )


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
