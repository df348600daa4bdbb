"""Provenance facts for report footers: code version, package version, run time."""

from __future__ import annotations

import datetime as dt
import subprocess
from functools import cache
from pathlib import Path

from analysis import __version__
from analysis.paths import get_paths


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


@cache
def git_commit(root: Path | None = None) -> str:
    """Short commit id of the checkout, with '+dirty' for uncommitted changes."""
    root = root or get_paths().root
    try:
        commit = _git(root, "rev-parse", "--short=12", "HEAD")
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return f"{commit}+dirty" if dirty else commit


def package_version() -> str:
    return __version__


def utc_timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
