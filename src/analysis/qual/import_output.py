"""Where ``import-qdpx --output DIR`` puts an import: as a whole, and never over files
the import did not write.

The import writes ``sources.csv``, ``sources/<id>.txt``, ``codings_imported.csv`` and
``codebook.yaml``, plus ``.qdpx-import.json``: the list of those files with their
SHA-256. A new import of the same project must replace the earlier one as a whole (a
source withdrawn in the newer file must not come back from the old import), and must not
overwrite what someone changed or put there by hand.

- A new or empty folder: the import is written into a temporary folder beside it and
  renamed into place in one step.
- A folder holding exactly an earlier import (every file listed, unchanged): the new
  import is written beside it and the two folders are exchanged in one step (Linux
  ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames), then the old one is removed.
- Anything else is refused before anything is written, naming the files: a file changed
  since the import wrote it (a hand-edited ``codebook.yaml``), files the import did not
  write (an import by an earlier version, the project's ``data/raw``). ``--overwrite``
  writes anyway: over an unchanged or hand-edited earlier import as a whole; into a
  folder with other files file by file (each file atomically, the earlier import's files
  that the new one lacks removed, other files kept, but not all in one step).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analysis.errors import AnalysisError
from analysis.fileio import atomic_write_text, sha256_file

MANIFEST = ".qdpx-import.json"
#: the files an import writes besides ``sources/<id>.txt``
IMPORT_FILES = frozenset({"sources.csv", "codings_imported.csv", "codebook.yaml"})
#: the option that writes over files the import did not write
OVERWRITE_OPTION = "--overwrite"


class ImportFolderError(AnalysisError):
    """The import cannot be written to the folder asked for without losing files."""


@dataclass(frozen=True)
class Placed:
    """How an import went into its folder."""

    folder: Path
    how: str  # "created", "replaced" (an earlier import, as a whole) or "merged"
    removed: tuple[str, ...] = ()  # files of the earlier import the new one lacks


def _files(folder: Path) -> dict[str, Path]:
    """Every file below ``folder`` (relative POSIX name -> path), links as files."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_dir():
            found[path.relative_to(folder).as_posix()] = path
    return found


def _read_manifest(folder: Path) -> dict[str, str] | None:
    path = folder / MANIFEST
    if path.is_symlink() or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return None
    safe = {}
    for name, digest in files.items():
        pure = PurePosixPath(str(name))
        if pure.is_absolute() or ".." in pure.parts or not isinstance(digest, str):
            return None
        safe[str(pure)] = digest
    return safe


def write_manifest(folder: Path, source: Path) -> Path:
    """List every file of the import in ``folder`` with its hash."""
    files = {name: sha256_file(path) for name, path in _files(folder).items() if name != MANIFEST}
    body = {
        "written_by": "python -m analysis import-qdpx",
        "imported_from": str(source),
        "about": "the files this import wrote; a new import replaces exactly these",
        "files": files,
    }
    return atomic_write_text(
        folder / MANIFEST, json.dumps(body, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    )


def _listed(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP}:
        return False
    raise OSError(code, os.strerror(code), str(b))


def _move_into_place(staged: Path, folder: Path) -> None:
    """Put ``staged`` where ``folder`` is; the earlier folder ends up at ``staged``."""
    if _exchange(staged, folder):
        return
    old = staged.with_name(staged.name + ".old")
    os.rename(folder, old)
    os.rename(staged, folder)
    os.rename(old, staged)


@dataclass(frozen=True)
class _Survey:
    """What ``folder`` holds compared with its import manifest."""

    listed: dict[str, str]  # name -> hash, from the manifest
    unchanged: list[str]
    changed: list[str]  # listed, but different now (hand edits)
    other: list[str]  # not written by an import


def _survey(folder: Path) -> _Survey:
    listed = _read_manifest(folder) or {}
    unchanged, changed, other = [], [], []
    for name, path in _files(folder).items():
        if name == MANIFEST and listed:
            continue
        digest = listed.get(name)
        if digest is None or path.is_symlink():
            other.append(name)
        elif sha256_file(path) == digest:
            unchanged.append(name)
        else:
            changed.append(name)
    return _Survey(listed, unchanged, changed, other)


def check_folder(folder: Path, *, overwrite: bool, raw: Path | None = None) -> None:
    """Refuse, before anything is written, a folder where the import would replace or
    mix with files it did not write (unless ``overwrite``)."""
    if folder.exists() and not folder.is_dir():
        raise ImportFolderError(
            f"--output {folder} is a file, not a folder: give a new folder, or the folder "
            "of an earlier import"
        )
    if overwrite or not folder.is_dir():
        return
    survey = _survey(folder)
    in_raw = raw is not None and folder.resolve().is_relative_to(raw.resolve())
    where = " (the project's own inputs in data/raw)" if in_raw else ""
    if survey.changed:
        raise ImportFolderError(
            f"{folder} holds {len(survey.changed)} file(s) changed since the import wrote "
            f"them: {_listed(survey.changed)} (edited by hand?). The new import would "
            f"replace them. Move them away first, give another --output folder, or add "
            f"{OVERWRITE_OPTION} to replace them."
        )
    if survey.other:
        # the files the import would replace first: they are what would be lost
        clashing = [n for n in survey.other if n in IMPORT_FILES or n.startswith("sources/")]
        shown = clashing + [n for n in survey.other if n not in clashing]
        raise ImportFolderError(
            f"{folder} holds {len(survey.other)} file(s) that no import wrote{where}: "
            f"{_listed(shown)}. The import writes sources.csv, sources/, "
            "codings_imported.csv and codebook.yaml and replaces an earlier import as a "
            f"whole; give a new or empty folder, or the folder of an earlier import, or "
            f"add {OVERWRITE_OPTION} to write beside these files (those at the import's "
            "paths are replaced)."
        )


def place_import(
    folder: Path,
    write: Callable[[Path], None],
    source: Path,
    *,
    overwrite: bool = False,
    raw: Path | None = None,
) -> Placed:
    """Write an import into ``folder`` (``write(staging_folder)`` writes its files)."""
    folder = Path(folder).absolute()
    check_folder(folder, overwrite=overwrite, raw=raw)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix=f".{folder.name}.import-", dir=folder.parent))
    except OSError as exc:
        raise _cannot_write(folder, exc, folder.parent) from None
    try:
        try:
            write(staged)
            write_manifest(staged, source)
        except OSError as exc:
            name = Path(exc.filename or "").name if exc.filename else ""
            raise _cannot_write(folder, exc, folder / name if name else folder) from None
        if not folder.exists():
            os.rename(staged, folder)
            return Placed(folder, "created")
        survey = _survey(folder)
        if not survey.other and not (survey.changed and not overwrite):
            removed = sorted(set(survey.listed) - set(_files(staged)))
            _move_into_place(staged, folder)  # the earlier import is now at ``staged``
            return Placed(folder, "replaced" if survey.listed else "created", tuple(removed))
        return _merge(staged, folder, survey)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _cannot_write(folder: Path, error: OSError, where: Path) -> ImportFolderError:
    reason = os.strerror(error.errno) if error.errno else str(error)
    return ImportFolderError(
        f"cannot write the import into {folder}: {reason} ({where}); nothing was changed "
        "there. Free some space or choose another --output folder."
    )


def _merge(staged: Path, folder: Path, survey: _Survey) -> Placed:
    """``--overwrite`` into a folder with other files: file by file, manifest last."""
    new = _files(staged)
    for name, path in new.items():
        if name == MANIFEST:
            continue
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            raise ImportFolderError(f"{target} is a folder where the import writes a file")
        os.replace(path, target)
    removed = []
    for name in sorted(set(survey.listed) - set(new)):  # the earlier import's, now gone
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()
            removed.append(name)
    os.replace(staged / MANIFEST, folder / MANIFEST)
    return Placed(folder, "merged", tuple(removed))
