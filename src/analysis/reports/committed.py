"""Is a notebook the committed version? The batch publishes what was committed.

A researcher explores in JupyterLab, which autosaves the notebook: the next report run
would publish the scratch cells. So before any work the batch compares each notebook it
runs with the version in the last commit of its git repository (``git show HEAD:...``)
and refuses one that differs, naming it, unless ``--allow-modified-notebooks`` is given
(then every page says which notebooks differed, in its footer).

What is compared is the content that makes a report: each cell's type, source and tags.
Outputs, execution counts, cell ids and metadata are not (nbstripout removes them from
committed notebooks; JupyterLab adds them on every save), so a notebook that was only run
is still the committed one. The batch runs the notebooks with their outputs cleared, and
each worker checks that the content it runs is the content checked here (an autosave
during a run fails the pages that would have used it).

A notebook outside any git repository, or a project without git (a release tarball),
cannot be checked: the run says so when it starts and in every footer.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.fileio import sha256_bytes

COMMITTED = "committed"
CHANGED = "changed"  # differs from HEAD, or is not in HEAD at all
UNCHECKED = "unchecked"  # no git repository (or no git) to compare with
#: the option that lets changed notebooks through
ALLOW_OPTION = "--allow-modified-notebooks"

Cell = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True)
class NotebookCheck:
    """How a notebook compares with its committed version."""

    path: Path
    status: str  # COMMITTED, CHANGED or UNCHECKED
    detail: str = ""  # what differs ("2 cells added, 1 cell changed"), or why unchecked
    content: str = ""  # hash of the content compared (see content_hash)

    @property
    def key(self) -> str:
        return self.path.stem


def cells(notebook: Mapping[str, Any]) -> list[Cell]:
    """The content of a notebook that makes a report: (type, source, tags) per cell."""
    found = []
    for cell in notebook.get("cells") or []:
        if not isinstance(cell, Mapping):
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        metadata = cell.get("metadata")
        tags = metadata.get("tags") if isinstance(metadata, Mapping) else None
        tags = tuple(str(t) for t in tags) if isinstance(tags, list) else ()
        found.append((str(cell.get("cell_type", "")), str(source), tags))
    return found


def content_hash(notebook: Mapping[str, Any]) -> str:
    """A hash of :func:`cells`: equal for a notebook and its copy with outputs."""
    return sha256_bytes(json.dumps(cells(notebook), ensure_ascii=False).encode("utf-8"))


def _parse(data: bytes) -> Mapping[str, Any] | None:
    try:
        notebook = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return notebook if isinstance(notebook, dict) else None


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, timeout=30, env=env, check=False
    )


@cache
def _toplevel(folder: str) -> tuple[Path | None, str]:
    """The git repository holding ``folder`` (None and the reason when there is none)."""
    try:
        done = _git(Path(folder), "rev-parse", "--show-toplevel")
    except FileNotFoundError:
        return None, "git is not installed"
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"git did not answer ({type(exc).__name__})"
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        shown = reason[0].removeprefix("fatal: ") if reason else ""
        if not shown or shown.startswith("not a git repository"):
            shown = "not in a git repository"
        return None, shown
    return Path(done.stdout.decode("utf-8").strip()).resolve(), ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def describe_changes(before: list[Cell], after: list[Cell]) -> str:
    """'2 cells added, 1 cell changed' between two lists of cells."""
    added = removed = changed = 0
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert":
            added += j2 - j1
        elif tag == "delete":
            removed += i2 - i1
        elif tag == "replace":
            common = min(i2 - i1, j2 - j1)
            changed += common
            added += (j2 - j1) - common
            removed += (i2 - i1) - common
    parts = [
        f"{_plural(n, 'cell')} {what}"
        for n, what in ((added, "added"), (changed, "changed"), (removed, "removed"))
        if n
    ]
    return ", ".join(parts) or "the cells' order changed"


def read_notebook(path: Path) -> Mapping[str, Any]:
    """The notebook's JSON (a clear error for a file that cannot be read or is not one)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AnalysisError(f"cannot read notebook {path}: {os.strerror(exc.errno or 0)}") from None
    notebook = _parse(data)
    if notebook is None:
        raise AnalysisError(f"{path} is not a Jupyter notebook (expected an .ipynb file)")
    return notebook


def file_content_hash(path: Path) -> str:
    """:func:`content_hash` of a notebook file."""
    return content_hash(read_notebook(path))


def check_notebook(path: Path) -> NotebookCheck:
    """Compare ``path`` with its version in the last commit (HEAD) of its repository."""
    path = Path(path).resolve()
    notebook = read_notebook(path)
    content = content_hash(notebook)
    top, why = _toplevel(str(path.parent))
    if top is None:
        return NotebookCheck(path, UNCHECKED, why, content)
    relative = path.relative_to(top).as_posix()
    try:
        shown = _git(top, "show", f"HEAD:{relative}")
    except (OSError, subprocess.SubprocessError) as exc:
        return NotebookCheck(path, UNCHECKED, f"git did not answer ({type(exc).__name__})", content)
    if shown.returncode != 0:
        return NotebookCheck(path, CHANGED, "not in the last commit (a new file)", content)
    committed = _parse(shown.stdout)
    if committed is None:
        return NotebookCheck(path, CHANGED, "the committed version is not a notebook", content)
    if content_hash(committed) == content:
        return NotebookCheck(path, COMMITTED, "", content)
    return NotebookCheck(
        path, CHANGED, describe_changes(cells(committed), cells(notebook)), content
    )


def check_notebooks(notebooks: Iterable[Path]) -> list[NotebookCheck]:
    """:func:`check_notebook` for each notebook (one git call per notebook)."""
    return [check_notebook(Path(p)) for p in notebooks]


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def refuse_changed(checks: Iterable[NotebookCheck], root: Path) -> None:
    """Stop before any work when a notebook differs from its committed version."""
    changed = [c for c in checks if c.status == CHANGED]
    if not changed:
        return
    listed = "; ".join(f"{_shown(c.path, root)} ({c.detail})" for c in changed)
    first = _shown(changed[0].path, root)
    raise AnalysisError(
        f"{_plural(len(changed), 'notebook')} differ{'s' if len(changed) == 1 else ''} from "
        f"the committed version: {listed}. The batch publishes committed notebooks only "
        "(outputs are not compared). Commit the change, or undo it (git checkout -- "
        f"{first}; keep an exploration in a notebook whose name does not start with two "
        f"digits), or add {ALLOW_OPTION} to publish the notebooks as they are (every page "
        "then says so in its footer)."
    )


def notes(checks: Iterable[NotebookCheck], root: Path) -> list[str]:
    """What the run prints when it starts: notebooks run although not committed."""
    checks = list(checks)
    lines = []
    changed = [c for c in checks if c.status == CHANGED]
    if changed:
        lines.append(
            f"note: publishing {_plural(len(changed), 'notebook')} that "
            f"differ{'s' if len(changed) == 1 else ''} from the committed version "
            f"({ALLOW_OPTION}): "
            + "; ".join(f"{_shown(c.path, root)} ({c.detail})" for c in changed)
            + ". Every page says so in its footer."
        )
    unchecked = [c for c in checks if c.status == UNCHECKED]
    if unchecked:
        lines.append(
            f"note: {_plural(len(unchecked), 'notebook')} could not be compared with a "
            f"committed version ({unchecked[0].detail}): "
            + ", ".join(_shown(c.path, root) for c in unchecked)
            + ". Every page says so in its footer."
        )
    return lines
