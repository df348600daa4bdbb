"""One run at a time per output folder: an exclusive lock file with a clear message."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.reports.outputs import folder_error


class OutputLockedError(AnalysisError):
    """Another run holds the output folder."""


@contextlib.contextmanager
def exclusive_lock(folder: Path) -> Iterator[Path]:
    """Hold ``folder/.lock`` for the duration; fail at once if another process holds it.

    The operating system releases the lock when the process ends, so a killed run never
    leaves a stale lock behind.
    """
    path = folder / ".lock"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
    except OSError as exc:  # read-only folder, a file in the way, disk full ...
        raise folder_error(folder, exc) from None
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputLockedError(
                f"{folder} is being written by {holder}. Wait for that run to finish, "
                "or give this run another --output folder."
            ) from None
        started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"'python -m analysis run' (pid {os.getpid()}, started {started})\n")
            handle.flush()
        except OSError as exc:
            raise folder_error(folder, exc) from None
        yield path
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
