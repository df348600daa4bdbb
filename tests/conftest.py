"""Shared test fixtures: isolated project paths so tests never touch real outputs."""

from __future__ import annotations

import builtins
import errno
import os
import shutil
from pathlib import Path

import pytest

from analysis.paths import ProjectPaths, get_paths

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    """Point the default processed and reports folders at empty temporary folders for
    the whole session, as on a fresh clone: a test that forgets to prepare its own data
    then fails here too, instead of passing on whatever an earlier ``make report`` left
    in ``data/processed`` (CI runs on a clean clone)."""
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="analysis-tests-"))
    for name, folder in (
        ("ANALYSIS_PROCESSED_DIR", "processed"),
        ("ANALYSIS_REPORTS_DIR", "reports"),
    ):
        os.environ.setdefault(name, str(base / folder))


def _real_paths() -> ProjectPaths:
    """The repository's own folders whatever the environment says: session fixtures are
    created lazily, possibly while a module's isolated paths are set, and must not copy
    (or point at) those instead."""
    data = REPO / "data"
    return ProjectPaths(
        root=REPO, raw=data / "raw", processed=data / "processed", reports=REPO / "reports"
    )


@pytest.fixture(scope="session")
def repo_paths() -> ProjectPaths:
    """The real project paths (read-only use: raw inputs, notebooks)."""
    return _real_paths()


def _isolate(base: Path, setenv) -> ProjectPaths:
    raw = base / "raw"
    processed = base / "processed"
    reports = base / "reports"
    for folder in (raw, processed, reports):
        folder.mkdir(parents=True, exist_ok=True)
    real = _real_paths()
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


@pytest.fixture(scope="session")
def _full_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of all of ``data/raw`` and one processed folder for the whole session,
    so expensive shared results (models, scorecards, coded corpus) are computed once."""
    base = tmp_path_factory.mktemp("full")
    shutil.copytree(_real_paths().raw, base / "raw")
    return base


@pytest.fixture(scope="module")
def full_isolated_paths(_full_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """Isolated paths with a copy of all of ``data/raw`` (for tests that run the real
    notebooks end to end); the processed folder is shared by the session, the reports
    folder is the module's own."""
    patch = pytest.MonkeyPatch()
    patch.setenv("ANALYSIS_ROOT", str(REPO))
    patch.setenv("ANALYSIS_RAW_DIR", str(_full_data / "raw"))
    patch.setenv("ANALYSIS_PROCESSED_DIR", str(_full_data / "processed"))
    patch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path_factory.mktemp("reports")))
    yield get_paths(REPO)
    patch.undo()


@pytest.fixture
def notebook_paths(_full_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A private copy of all of ``data/raw`` (free to change) with the session's shared
    processed folder, for tests that run the real notebooks: shared results (models,
    scorecards, the coded corpus) are computed once per session, not once per test."""
    shutil.copytree(_full_data / "raw", tmp_path / "raw")
    monkeypatch.setenv("ANALYSIS_ROOT", str(REPO))
    monkeypatch.setenv("ANALYSIS_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("ANALYSIS_PROCESSED_DIR", str(_full_data / "processed"))
    monkeypatch.setenv("ANALYSIS_REPORTS_DIR", str(tmp_path / "reports"))
    return get_paths(REPO)


@pytest.fixture(scope="session")
def _warm_kernel():
    from analysis.reports.kernel import WarmKernel

    kernel = WarmKernel(cwd=REPO / "notebooks")
    yield kernel
    kernel.shutdown()


@pytest.fixture
def run_notebook(_warm_kernel, tmp_path: Path):
    """Run a notebook with papermill's Python API in the session's warm kernel (the way
    the report batch runs it; the kernel gets the test's path settings first). Returns
    the executed notebook's path; a failed notebook fails the test with its error."""
    from analysis.reports.execute import execute_notebook

    def run(notebook: Path | str, output: Path | str | None = None, **parameters) -> Path:
        notebook = Path(notebook)
        target = Path(output) if output else tmp_path / f"{notebook.stem}.ipynb"
        result = execute_notebook(notebook, target, parameters, _warm_kernel)
        assert result.status == "ok", f"{notebook.name} failed: {result.error}"
        return target

    return run


@pytest.fixture
def deny_writes(monkeypatch: pytest.MonkeyPatch):
    """``deny_writes(folder)`` makes ``folder`` behave as read-only for the rest of the
    test (tests may run as root, who can write anyway): creating, opening for writing or
    making a folder there fails with EACCES."""

    def deny(folder: Path) -> None:
        real_open, real_os_open, real_mkdir = builtins.open, os.open, os.mkdir
        base = str(folder.absolute())

        def inside(path) -> bool:
            return str(Path(os.fsdecode(path)).absolute()).startswith(base)

        def refuse(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))

        def fake_open(file, mode="r", *args, **kwargs):
            writes = set(mode) & set("wax+")
            if isinstance(file, str | bytes | os.PathLike) and inside(file) and writes:
                refuse(file)
            return real_open(file, mode, *args, **kwargs)

        def fake_os_open(path, flags, *args, **kwargs):
            if inside(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                refuse(path)
            return real_os_open(path, flags, *args, **kwargs)

        def fake_mkdir(path, *args, **kwargs):
            if inside(path):
                refuse(path)
            return real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(os, "open", fake_os_open)
        monkeypatch.setattr(os, "mkdir", fake_mkdir)

    return deny


@pytest.fixture
def run_cli(isolated_paths, monkeypatch, capsys):
    """``python -m analysis run ARGS`` in this process, without the shared work (an error
    must come before it); returns (exit code, stderr) and checks for no traceback."""
    from analysis import cli
    from analysis.reports import batch

    def no_shared_work(paths, notebooks=(), parallel=False):
        raise AssertionError("the error should come before the shared precompute")

    monkeypatch.setattr(batch, "precompute_shared", no_shared_work)

    def run(*args: str) -> tuple[int, str]:
        code = cli.main(["run", "--no-progress", *args])
        err = capsys.readouterr().err
        assert "Traceback" not in err
        return code, err

    return run
