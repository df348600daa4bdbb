"""Exploration must not reach the published report (issue 19, section 4).

A researcher edits a notebook in JupyterLab (autosave) and runs the batch: the batch
compares every notebook with its version in the last git commit and refuses one that
differs, unless ``--allow-modified-notebooks`` is given (then every footer says so).
Outputs do not count: a notebook that was only run is still the committed one.

The tests build a small project root of their own (``ANALYSIS_ROOT``) that is a git
repository holding the toy notebook as ``notebooks/10_toy_report.ipynb``, so the real
repository is never changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import cli
from analysis.paths import get_paths
from analysis.reports import batch, committed
from analysis.reports.execute import execute_notebook

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
TOY = FIXTURES / "10_toy_report.ipynb"
SCRATCH = "print('scratch: 2 of the 14 outcomes')"


def git(folder: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    done = subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


@pytest.fixture
def project(isolated_paths, tmp_path, monkeypatch):
    """A project root that is a git repository with one committed notebook."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(TOY, root / "notebooks" / TOY.name)
    git(root, "init", "-q")
    git(root, "add", "notebooks")
    git(root, "commit", "-q", "-m", "notebooks")
    monkeypatch.setenv("ANALYSIS_ROOT", str(root))
    return get_paths()


def autosave(path: Path, *, scratch: bool = True, outputs: bool = False) -> None:
    """What JupyterLab writes: outputs and execution counts of a run, cell ids and
    metadata, and (``scratch``) an edited parameter cell and added scratch cells."""
    nb = nbformat.read(path, as_version=4)
    for number, cell in enumerate(nb.cells, start=1):
        cell.metadata["collapsed"] = False
        if outputs and cell.cell_type == "code":
            cell.execution_count = number
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="OLD OUTPUT\n")]
    nb.metadata["widgets"] = {"state": {}}
    if scratch:
        nb.cells[1].source = nb.cells[1].source.replace("101", "580")
        nb.cells.append(nbformat.v4.new_code_cell(SCRATCH))
        nb.cells.append(nbformat.v4.new_code_cell("nb.text('scratch')"))
    nbformat.write(nb, path)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["run", "--no-progress", "--workers", "1", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def no_shared_work(monkeypatch) -> None:
    def refuse(paths, notebooks=(), parallel=False):
        raise AssertionError("the refusal must come before any work")

    monkeypatch.setattr(batch, "precompute_shared", refuse)


def test_an_autosaved_notebook_is_refused_naming_it_and_the_option(project, capsys, monkeypatch):
    no_shared_work(monkeypatch)
    notebook = project.notebooks / TOY.name
    autosave(notebook, outputs=True)
    out_dir = project.reports / "out"
    code, _, err = run_cli(capsys, "-m", "101", "--output", str(out_dir))
    assert code == 1
    assert "error: 1 notebook differs from the committed version" in err
    assert "notebooks/10_toy_report.ipynb (2 cells added, 1 cell changed)" in err
    assert "--allow-modified-notebooks" in err and "git checkout -- notebooks/" in err
    assert len(err.strip().splitlines()) == 1
    assert not out_dir.exists(), "nothing created: no folder, lock or manifest"


def test_a_new_notebook_not_yet_committed_is_refused(project, capsys, monkeypatch):
    no_shared_work(monkeypatch)
    copy = project.notebooks / "10_toy_report-Copy1.ipynb"  # JupyterLab's "Duplicate"
    shutil.copy(TOY, copy)
    code, _, err = run_cli(capsys, "-m", "101", "--output", str(project.reports / "o"))
    assert code == 1
    assert "notebooks/10_toy_report-Copy1.ipynb (not in the last commit (a new file))" in err


def test_outputs_ids_and_metadata_are_not_a_change(project):
    notebook = project.notebooks / TOY.name
    before = committed.check_notebook(notebook)
    autosave(notebook, scratch=False, outputs=True)
    after = committed.check_notebook(notebook)
    assert before.status == after.status == committed.COMMITTED
    assert before.content == after.content
    # a change in a tag is a change (the parameters cell is found by its tag)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[1].metadata["tags"] = []
    nbformat.write(nb, notebook)
    check = committed.check_notebook(notebook)
    assert check.status == committed.CHANGED and check.detail == "1 cell changed"


def test_describe_changes_counts_cells():
    a, b, c, d = (("code", x, ()) for x in "abcd")
    assert committed.describe_changes([a, b, c], [a, c]) == "1 cell removed"
    assert committed.describe_changes([a, b], [a, d, b, c]) == "2 cells added"
    assert committed.describe_changes([a, b], [a, d]) == "1 cell changed"
    assert committed.describe_changes([a, b], [b, a]) != ""


def test_without_git_the_notebooks_are_run_and_the_run_says_they_were_not_checked(tmp_path):
    outside = tmp_path / "10_toy_report.ipynb"  # tmp is in no git repository
    shutil.copy(TOY, outside)
    check = committed.check_notebook(outside)
    assert check.status == committed.UNCHECKED
    assert check.detail == "not in a git repository"
    (note,) = committed.notes([check], tmp_path)
    assert "could not be compared with a committed version (not in a git repository)" in note
    assert "footer" in note
    line = batch.versions_line([check], "en")
    assert line.startswith("not compared with a committed version") and "10_toy_report" in line
    committed.refuse_changed([check], tmp_path)  # not refused


def test_without_a_git_program_nothing_is_refused(project, monkeypatch):
    monkeypatch.setenv("PATH", str(project.root / "no-such-folder"))
    committed._toplevel.cache_clear()
    try:
        check = committed.check_notebook(project.notebooks / TOY.name)
    finally:
        committed._toplevel.cache_clear()
    assert check.status == committed.UNCHECKED and check.detail == "git is not installed"


def test_a_notebook_saved_during_the_run_is_not_run(tmp_path):
    """A worker checks that the content it runs is the content checked at the start."""
    notebook = tmp_path / TOY.name
    shutil.copy(TOY, notebook)
    checked = committed.file_content_hash(notebook)
    autosave(notebook)  # JupyterLab saves after the check
    run = execute_notebook(notebook, tmp_path / "out.ipynb", {}, kernel=None, content=checked)
    assert run.status == "failed"
    assert "changed after the run checked it" in run.error and str(notebook) in run.error
    assert not (tmp_path / "out.ipynb").exists()


def test_the_batch_key_ignores_outputs(project):
    notebook = project.notebooks / TOY.name
    before = batch.batch_fingerprint(project, [notebook])
    autosave(notebook, scratch=False, outputs=True)
    assert batch.batch_fingerprint(project, [notebook]) == before
    autosave(notebook)
    assert batch.batch_fingerprint(project, [notebook]) != before


@pytest.mark.slow
def test_allowed_changes_are_published_and_named_in_every_footer(project):
    notebook = project.notebooks / TOY.name
    autosave(notebook, outputs=True)
    out_dir = project.reports / "allowed"
    env = {**os.environ, "ANALYSIS_ROOT": str(project.root)}
    args = [sys.executable, "-m", "analysis", "run", "-m", "101", "-m", "580", "--no-progress"]
    args += ["--workers", "1", "--output", str(out_dir), "--language", "en"]
    refused = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    assert refused.returncode == 1 and "differs from the committed version" in refused.stderr
    done = subprocess.run(
        [*args, "--allow-modified-notebooks"], capture_output=True, text=True, env=env, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "note: publishing 1 notebook that differs from the committed version" in done.stdout
    for page in ("101-koebenhavn.html", "580-aabenraa.html"):
        text = (out_dir / page).read_text(encoding="utf-8")
        assert "CHANGED from the last git commit, run with --allow-modified-notebooks" in text
        assert "10_toy_report" in text
        assert "OLD OUTPUT" not in text  # the saved outputs never stand in for a run
    executed = (out_dir / "notebooks" / "101-koebenhavn" / "10_toy_report.ipynb").read_text()
    assert "OLD OUTPUT" not in executed and "scratch: 2 of the 14 outcomes" in executed
    # committed again: the footer changes, so the pages are rebuilt, not skipped
    git(project.root, "commit", "-q", "-am", "the change, deliberately")
    again = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "2 report(s) written, 0 unchanged" in again.stdout
    text = (out_dir / "580-aabenraa.html").read_text(encoding="utf-8")
    assert "as in the last git commit" in text and "CHANGED" not in text
    record = json.loads((out_dir / ".state" / "580.json").read_text(encoding="utf-8"))
    assert record["status"] == "ok"
