"""One run at a time per output folder: an exclusive lock file with a clear message."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.reports.outputs import LOCK, OutputFolderError, folder_error


class OutputLockedError(AnalysisError):
    """Another run holds the output folder."""


def _refuse_odd_lock(path: Path, what: str) -> OutputFolderError:
    return OutputFolderError(
        f"{path} is {what}, not the lock file a run writes; the run does not open it (it "
        "would write its process id into whatever the name leads to). Remove it, or give "
        "this run another --output folder."
    )


def open_lock_file(path: Path) -> int:
    """Open (or create) the lock file without following a symbolic link, and only as a
    regular file with a single name: a ``.lock`` that is a link (or a second name of a
    user's file, or a FIFO) is refused instead of being truncated."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse_odd_lock(path, "a symbolic link") from None
        raise
    info = os.fstat(fd)
    what = None
    if not stat.S_ISREG(info.st_mode):
        what = "not a regular file"
    elif info.st_nlink > 1:
        what = f"a file with {info.st_nlink} names (a hard link)"
    if what:
        os.close(fd)
        raise _refuse_odd_lock(path, what)
    os.set_blocking(fd, True)
    return fd


@contextlib.contextmanager
def exclusive_lock(folder: Path) -> Iterator[Path]:
    """Hold ``folder/.lock`` for the duration; fail at once if another process holds it.

    The operating system releases the lock when the process ends, so a killed run never
    leaves a stale lock behind. The file is opened without following links.
    """
    path = folder / LOCK
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = open_lock_file(path)
    except OSError as exc:  # read-only folder, a file in the way, disk full ...
        raise folder_error(folder, exc) from None
    handle = os.fdopen(fd, "r+", encoding="utf-8")  # held for the whole run
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read(500).strip() or "another process"
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
