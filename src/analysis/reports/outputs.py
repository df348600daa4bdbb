"""Which files in an output folder the report batch wrote, so it touches only those.

An output folder holds a manifest, ``.analysis-outputs.json``, listing (relative to the
folder) every file the batch has written there or is about to write. The batch deletes
and overwrites only files on that list (and its own temporary files next to them), and it
refuses a non-empty folder that is not one of its own unless told otherwise: a user's
``thesis/`` folder must never lose a draft or its ``index.html`` to a report run.

Folders made by versions before the manifest hold ``.state/<code>.json`` records; they
are adopted as they are, as is the project's own ``reports/`` folder.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analysis.errors import AnalysisError
from analysis.fileio import atomic_write_text

MANIFEST = ".analysis-outputs.json"
LOCK = ".lock"
#: Entries that never make a folder count as "not empty".
IGNORED = {".gitkeep"}
#: Temporary files of ``analysis.fileio.atomic_path`` (``.<name>.<8 random>.partial``)
#: and of the notebook runner (``.<stem>.<pid>.partial.ipynb``).
_ATOMIC_TEMP = r"\.{name}\.[a-z0-9_]{{8}}\.partial"
#: ... and the atomic write's own temporary file of a page staged under such a name
_STAGED_TEMP = r"\.\.{name}\.[a-z0-9_]{{8}}\.partial\.[a-z0-9_]{{8}}\.partial"
_NOTEBOOK_TEMP = r"\.{stem}\.\d+\.partial\.ipynb"


class OutputFolderError(AnalysisError):
    """The output folder cannot be used (not a folder, not ours, not writable)."""


class OutputWriteError(AnalysisError):
    """Writing one output file failed; the previous version of the file is kept."""

    def __init__(self, path: Path | str, error: OSError):
        reason = os.strerror(error.errno) if error.errno else str(error)
        super().__init__(
            f"cannot write {path}: {reason} (nothing was half-written; "
            "the previous version of the file, if any, is kept)"
        )


@dataclass(frozen=True)
class Claim:
    """What the batch may do in an output folder.

    ``adopt``: files at the batch's own paths count as written by it (a folder of an
    earlier version, or the project's reports folder); otherwise only files listed in the
    manifest do.
    """

    folder: Path
    files: frozenset[str]
    adopt: bool


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def not_a_regular_file(path: Path, what: str) -> OutputFolderError:
    return OutputFolderError(
        f"{path} is {what}, not a file this command wrote; it is not read (reading a pipe "
        "or device would wait for ever). Remove it, or give another --output folder."
    )


def read_regular_text(path: Path) -> str:
    """The UTF-8 text of a regular file in an output folder, read without following a
    symbolic link and without waiting on a named pipe or a device: those are refused
    (:class:`OutputFolderError` naming the file). A missing file raises
    ``FileNotFoundError``; text that is not UTF-8, ``UnicodeDecodeError``."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise not_a_regular_file(path, "a symbolic link") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise not_a_regular_file(path, _kind(mode))
        data = handle.read()
    return data.decode("utf-8")


def read_manifest(folder: Path) -> set[str] | None:
    """The files listed in ``folder``'s manifest; None when there is no manifest."""
    path = folder / MANIFEST
    try:
        text = read_regular_text(path)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad_manifest(path, type(exc).__name__) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise _bad_manifest(path, "not JSON") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(_is_inside(f) for f in files):
        raise _bad_manifest(path, "expected an object with 'files': relative paths")
    return set(files)


def _bad_manifest(path: Path, why: str) -> OutputFolderError:
    return OutputFolderError(
        f"{path} is not a valid list of outputs ({why}). It was written by "
        "'python -m analysis run'; delete it if this folder holds only report output."
    )


def _is_inside(name: object) -> bool:
    if not isinstance(name, str) or not name or "\\" in name:
        return False
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and str(pure) == name


def _is_earlier_version_folder(folder: Path) -> bool:
    """True for a folder with a ``.state/<code>.json`` run record of an earlier version."""
    state = folder / ".state"
    if not state.is_dir():
        return False
    for record in state.glob("[0-9]*.json"):
        if not record.stem.isdigit():
            continue
        try:
            data = json.loads(read_regular_text(record))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and data.get("code") == int(record.stem) and "status" in data:
            return True
    return False


def _only_a_lock(folder: Path, entries: list[Path]) -> bool:
    """A folder holding only the lock file of a run that stopped before writing."""
    if [e.name for e in entries] != [LOCK]:
        return False
    try:
        text = read_regular_text(entries[0])
    except (OSError, UnicodeDecodeError):  # a link, a pipe, ...: not a run's lock
        return False
    return text == "" or text.startswith("'python -m analysis run'")


def claim_folder(folder: Path, *, project_folder: bool, allow_nonempty: bool) -> Claim:
    """Check that the batch may write into ``folder`` and say what it owns there.

    Reads only; nothing is created. ``project_folder`` is true for the project's own
    reports folder (``reports/``, ``reports/en/``), which is always the batch's.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputFolderError(
            f"--output {folder} is a file, not a folder: give a new folder or one that "
            "an earlier run wrote"
        )
    if not folder.exists():
        return Claim(folder, frozenset(), adopt=False)
    listed = read_manifest(folder)
    if listed is not None:
        return Claim(folder, frozenset(listed), adopt=False)
    if project_folder or _is_earlier_version_folder(folder):
        return Claim(folder, frozenset(), adopt=True)
    try:
        entries = sorted(e for e in folder.iterdir() if e.name not in IGNORED)
    except OSError as exc:
        raise folder_error(folder, exc) from None
    if not entries or _only_a_lock(folder, entries):
        return Claim(folder, frozenset(), adopt=False)
    if allow_nonempty:
        return Claim(folder, frozenset(), adopt=False)
    shown = ", ".join(e.name for e in entries[:5]) + (" ..." if len(entries) > 5 else "")
    raise OutputFolderError(
        f"{folder} is not empty and is not an output folder of this command (it holds "
        f"{shown}). Give a new or empty folder to --output, or add --allow-nonempty-output "
        "to write the reports beside these files (they are never deleted or overwritten)."
    )


def folder_error(folder: Path, error: OSError) -> OutputFolderError:
    """A clear message for an output folder that cannot be created or written."""
    reason = os.strerror(error.errno) if error.errno else str(error)
    where = f" ({error.filename})" if error.filename and str(error.filename) != str(folder) else ""
    if isinstance(error, FileExistsError | NotADirectoryError) or not folder.exists():
        verb = "cannot create the output folder"
    else:
        verb = "cannot write to the output folder"
    return OutputFolderError(
        f"{verb} {folder}: {reason}{where}. Choose another --output folder, or make this "
        "one writable."
    )


def relative(folder: Path, path: Path | str) -> str:
    return Path(path).relative_to(folder).as_posix()


def conflicts(claim: Claim, targets: Iterable[Path]) -> list[Path]:
    """Targets that exist but were not written by the batch (it must not replace them)."""
    if claim.adopt:
        return []
    return sorted(p for p in targets if p.exists() and relative(claim.folder, p) not in claim.files)


def refuse_conflicts(claim: Claim, targets: Iterable[Path]) -> None:
    found = conflicts(claim, targets)
    if found:
        shown = ", ".join(str(p) for p in found[:5]) + (" ..." if len(found) > 5 else "")
        raise OutputFolderError(
            f"refusing to overwrite {len(found)} file(s) this command did not write: "
            f"{shown}. Move them away or give another --output folder."
        )


def write_manifest(folder: Path, files: Iterable[str]) -> Path:
    """Record the batch's files in ``folder`` (atomically; sorted for stable diffs)."""
    target = folder / MANIFEST
    body = {
        "written_by": "python -m analysis run",
        "about": "files this command wrote here; it deletes or overwrites only these",
        "files": sorted(set(files)),
    }
    try:
        atomic_write_text(target, json.dumps(body, indent=1, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise OutputWriteError(target, exc) from None
    return target


def stale_temporaries(folder: Path, targets: Iterable[Path]) -> list[Path]:
    """Temporary files a killed run left next to the batch's own ``targets``.

    Only names the batch's writers produce for those targets match; a user's
    ``.chapter3.partial.docx`` never does.
    """
    by_parent: dict[Path, list[re.Pattern[str]]] = {}
    for target in targets:
        name = re.escape(target.name)
        patterns = [_ATOMIC_TEMP.format(name=name), _STAGED_TEMP.format(name=name)]
        if target.suffix == ".ipynb":
            patterns.append(_NOTEBOOK_TEMP.format(stem=re.escape(target.stem)))
        by_parent.setdefault(target.parent, []).extend(re.compile(p) for p in patterns)
    stale = []
    for parent, patterns in by_parent.items():
        if not parent.is_dir() or not parent.resolve().is_relative_to(folder.resolve()):
            continue
        for entry in parent.iterdir():
            if entry.is_file() and any(p.fullmatch(entry.name) for p in patterns):
                stale.append(entry)
    return sorted(stale)
