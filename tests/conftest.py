"""Shared test fixtures: isolated project paths so tests never touch real outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.paths import ProjectPaths, get_paths

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="session")
def repo_paths() -> ProjectPaths:
    """The real project paths (read-only use: raw inputs, notebooks)."""
    return get_paths(REPO)


def _isolate(base: Path, setenv) -> ProjectPaths:
    raw = base / "raw"
    processed = base / "processed"
    reports = base / "reports"
    for folder in (raw, processed, reports):
        folder.mkdir(parents=True, exist_ok=True)
    real = get_paths(REPO)
    shutil.copytree(real.reference, raw / "reference", dirs_exist_ok=True)
    shutil.copytree(real.jobindsats, raw / "jobindsats", dirs_exist_ok=True)
    setenv("ANALYSIS_ROOT", str(REPO))
    setenv("ANALYSIS_RAW_DIR", str(raw))
    setenv("ANALYSIS_PROCESSED_DIR", str(processed))
    setenv("ANALYSIS_REPORTS_DIR", str(reports))
    return get_paths(REPO)


@pytest.fixture
def isolated_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectPaths:
    """Project paths whose raw, processed and reports folders live in ``tmp_path``.

    The raw folder starts as a copy of the real reference data and Jobindsats snapshot;
    tests add what else they need. Environment variables are set so that code (and
    subprocesses, kernels) resolving ``get_paths()`` sees the same folders.
    """
    return _isolate(tmp_path, monkeypatch.setenv)


@pytest.fixture(scope="module")
def module_isolated_paths(tmp_path_factory: pytest.TempPathFactory):
    """Like ``isolated_paths``, shared by the tests of one module (for expensive runs)."""
    patch = pytest.MonkeyPatch()
    paths = _isolate(tmp_path_factory.mktemp("isolated"), patch.setenv)
    yield paths
    patch.undo()
