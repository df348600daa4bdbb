"""Atomic file writes and content hashes.

A reader never sees a half-written file: data go to a temporary file in the same folder,
are flushed to disk and then renamed over the target in one step (``os.replace``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError

_CHUNK = 1 << 20


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: Path | str, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` on success.

    On any exception the temporary file is removed and ``target`` is left untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=suffix or ".partial", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; use the normal file mode
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_bytes(target: Path | str, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def atomic_write_text(target: Path | str, text: str, encoding: str = "utf-8") -> Path:
    return atomic_write_bytes(target, text.encode(encoding))


def write_parquet_atomic(df: pd.DataFrame, target: Path | str) -> Path:
    """Write ``df`` as Parquet without ever exposing a partial file."""
    with atomic_path(target, suffix=".parquet.partial") as tmp:
        df.to_parquet(tmp, index=False)
    return Path(target)


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_writable(
    path: Path | str, *, option: str = "--output", folder: bool = False, beside: bool = False
) -> Path:
    """Check, before any work, that a command can write its output ``path``: a file path
    that is not a folder (``folder=True``: a folder path that is not a file), in a folder
    that exists or can be made, and where a file can be created now (a temporary file is
    made and removed: this finds read-only folders and file systems as the write would).
    ``beside``: the file is written next to ``path`` first (a folder put in place by a
    rename), so its parent is tried. Raises an ``AnalysisError`` that names the option,
    the path and what to do; returns ``path``."""
    target = Path(path).expanduser()
    if folder and target.exists() and not target.is_dir():
        raise AnalysisError(f"{option} {path} is a file, not a folder: give a folder")
    if not folder and target.is_dir():
        raise AnalysisError(
            f"{option} {path} is a folder, not a file: give the file to write "
            f"(e.g. {target / 'output.csv'})"
        )
    start = target.parent if (beside or not folder) else target
    existing = start.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise AnalysisError(
            f"cannot write {option} {path}: {existing} is a file, not a folder. Choose "
            f"another {option}."
        )
    try:
        handle, name = tempfile.mkstemp(prefix=".write-check-", dir=existing)
        os.close(handle)
        os.unlink(name)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise AnalysisError(
            f"cannot write {option} {path}: {reason} (in {existing}). Choose another "
            f"{option}, or make that folder writable."
        ) from None
    return Path(path)
