"""The report batch touches only files it wrote (issue 11, items 6 and 9).

These runs execute nothing (only failed municipalities are retried, and none has failed)
and skip the shared precompute, so they are quick: what they pin is what the batch does
to the output folder before and after the notebooks run.
"""

from __future__ import annotations

import errno
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from analysis.errors import AnalysisError
from analysis.reports import batch, outputs
from analysis.reports.batch import RunOptions, run_reports

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
TOY = FIXTURES / "10_toy_report.ipynb"


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for folders)."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def quick(isolated_paths, monkeypatch):
    """``run_reports`` for 101 with the toy notebook, without the shared precompute and
    with nothing to execute (``retry_failed`` and no failed municipality)."""
    monkeypatch.setattr(
        batch, "precompute_shared", lambda paths, notebooks=(), parallel=False: None
    )

    def run(out: Path | None, **changes) -> batch.BatchResult:
        options = RunOptions(
            municipalities=(101,),
            notebooks=(TOY,),
            output=out,
            retry_failed=True,
            progress=False,
        )
        return run_reports(replace(options, **changes), isolated_paths)

    return run


def old_version_folder(out: Path) -> None:
    """An output folder as earlier versions left it: state record, page, notebook, index."""
    (out / ".state").mkdir(parents=True)
    record = {
        "code": 101,
        "name": "København",
        "status": "ok",
        "key": "from-an-earlier-version",
        "html": "101-koebenhavn.html",
        "notebooks": [{"notebook": "10_toy_report", "status": "ok"}],
        "headline": {},
    }
    (out / ".state" / "101.json").write_text(json.dumps(record), encoding="utf-8")
    (out / "101-koebenhavn.html").write_text("<html>old page</html>", encoding="utf-8")
    (out / "notebooks" / "101-koebenhavn").mkdir(parents=True)
    (out / "notebooks" / "101-koebenhavn" / "10_toy_report.ipynb").write_text("{}")
    (out / "index.html").write_text("<html>old index</html>", encoding="utf-8")


# --- item 6: a folder of other files --------------------------------------------------


def test_a_folder_of_other_files_is_refused_and_left_untouched(quick, tmp_path):
    out = tmp_path / "thesis"
    (out / "drafts").mkdir(parents=True)
    (out / "drafts" / ".chapter3.partial.docx").write_bytes(b"three months of work")
    (out / "index.html").write_text("<p>my thesis site</p>", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(AnalysisError, match="--allow-nonempty-output") as caught:
        quick(out)
    assert f"{out} is not empty and is not an output folder of this command" in str(caught.value)
    assert snapshot(out) == before, "nothing created, deleted or overwritten (not even .lock)"


def test_allowed_nonempty_folder_still_never_overwrites_a_file_the_batch_did_not_write(
    quick, tmp_path
):
    out = tmp_path / "thesis"
    (out / "drafts").mkdir(parents=True)
    (out / "drafts" / ".chapter3.partial.docx").write_bytes(b"three months of work")
    (out / "index.html").write_text("<p>my thesis site</p>", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(AnalysisError, match="did not write") as caught:
        quick(out, allow_nonempty_output=True)
    assert str(out / "index.html") in str(caught.value)
    assert snapshot(out) == before


def test_allowed_nonempty_folder_keeps_the_users_files_and_becomes_an_output_folder(
    quick, tmp_path
):
    out = tmp_path / "thesis"
    draft = out / "drafts" / ".chapter3.partial.docx"
    draft.parent.mkdir(parents=True)
    draft.write_bytes(b"three months of work")
    quick(out, allow_nonempty_output=True)
    assert draft.read_bytes() == b"three months of work"
    assert (out / "index.html").is_file()
    listed = outputs.read_manifest(out)
    assert "index.html" in listed and not any(name.startswith("drafts") for name in listed)
    quick(out)  # the folder is now one of the batch's own: no option needed
    assert draft.read_bytes() == b"three months of work"


def test_folder_of_an_earlier_version_is_adopted_and_only_its_own_temporaries_removed(
    quick, tmp_path
):
    out = tmp_path / "reports-2025"
    old_version_folder(out)
    ours = [
        out / ".index.html.k3j9x0q1.partial",  # a killed run's atomic write
        out / ".state" / ".101.json.a1b2c3d4.partial",
        out / "notebooks" / "101-koebenhavn" / ".10_toy_report.4242.partial.ipynb",
    ]
    theirs = [
        out / "notes" / ".todo.partial.txt",
        out / ".index.html.draft.partial.docx",
        out / "notebooks" / "101-koebenhavn" / ".my-analysis.partial.ipynb",
    ]
    for path in ours + theirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half", encoding="utf-8")
    quick(out)
    assert [p for p in ours if p.exists()] == []
    assert all(p.read_text(encoding="utf-8") == "half" for p in theirs)
    assert (out / "101-koebenhavn.html").read_text(encoding="utf-8") == "<html>old page</html>"
    listed = outputs.read_manifest(out)
    assert {"index.html", "101-koebenhavn.html", ".state/101.json"} <= listed
    assert not any(name.startswith("notes") for name in listed)


def test_the_default_reports_folder_works_with_gitkeep_and_screenshots(
    quick, isolated_paths, monkeypatch
):
    monkeypatch.setattr(batch.planning, "default_notebooks", lambda paths: (TOY,))
    reports = isolated_paths.reports
    (reports / ".gitkeep").write_bytes(b"")
    (reports / "screenshots").mkdir()
    (reports / "screenshots" / "index.png").write_bytes(b"\x89PNG")
    result = quick(None, notebooks=())
    assert result.index == reports.resolve() / "index.html"
    assert (reports / ".gitkeep").is_file()
    assert (reports / "screenshots" / "index.png").read_bytes() == b"\x89PNG"


def test_a_manifest_that_is_not_one_is_refused(quick, tmp_path):
    out = tmp_path / "out"
    quick(out)
    (out / outputs.MANIFEST).write_text("not json", encoding="utf-8")
    with pytest.raises(AnalysisError, match="not a valid list of outputs"):
        quick(out)
    (out / outputs.MANIFEST).write_text(json.dumps({"files": ["../../etc/passwd"]}))
    with pytest.raises(AnalysisError, match="not a valid list of outputs"):
        quick(out)


# --- item 9: a partial run --------------------------------------------------------------


def test_a_partial_run_writes_beside_the_full_reports(isolated_paths):
    paths = isolated_paths
    benchmark = (paths.notebooks / "03_benchmark_scorecard.ipynb").resolve()
    options = RunOptions(municipalities=(147,), notebooks=(benchmark,))
    reports = paths.reports.resolve()
    assert batch.output_dir(options, paths) == reports / "partial" / "03_benchmark_scorecard"
    english = replace(options, language="en")
    assert batch.output_dir(english, paths) == reports / "en" / "partial" / "03_benchmark_scorecard"
    both = replace(options, notebooks=(benchmark, TOY))
    assert batch.output_dir(both, paths).name == "03_benchmark_scorecard+10_toy_report"
    full = replace(options, notebooks=batch.default_notebooks(paths))
    assert batch.output_dir(full, paths) == reports
    assert batch.output_dir(replace(options, output=paths.root), paths) == paths.root


def test_a_partial_run_into_a_folder_of_full_pages_is_refused(quick, tmp_path):
    out = tmp_path / "reports"
    (out / ".state").mkdir(parents=True)
    record = {
        "code": 147,
        "name": "Frederiksberg",
        "status": "ok",
        "key": "full",
        "html": "147-frederiksberg.html",
        "notebooks": [
            {"notebook": "02_caseload_regressions", "status": "ok"},
            {"notebook": "03_benchmark_scorecard", "status": "ok"},
        ],
        "headline": {},
    }
    (out / ".state" / "147.json").write_text(json.dumps(record), encoding="utf-8")
    (out / "147-frederiksberg.html").write_bytes(b"<html>full page</html>")
    before = snapshot(out)
    with pytest.raises(AnalysisError, match="partial page") as caught:
        quick(out, municipalities=(147,), retry_failed=False)
    message = str(caught.value)
    assert "147-frederiksberg.html" in message and "02_caseload_regressions" in message
    assert "--output" in message
    assert snapshot(out) == before


# --- clear errors instead of tracebacks -------------------------------------------------


def test_output_naming_a_file_is_a_clear_error(quick, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(AnalysisError, match="is a file, not a folder"):
        quick(target)
    with pytest.raises(AnalysisError, match="cannot create the output folder"):
        quick(target / "reports")
    assert target.read_text(encoding="utf-8") == "keep me"


def test_read_only_output_folder_is_a_clear_error(quick, tmp_path, deny_writes):
    out = tmp_path / "read-only"
    out.mkdir()
    deny_writes(out)
    with pytest.raises(AnalysisError, match="cannot write to the output folder") as caught:
        quick(out)
    assert str(out) in str(caught.value) and "Permission denied" in str(caught.value)


def fill_disk_when_writing(name: str, monkeypatch) -> None:
    """Writing the file ``name`` runs out of space half-way (ENOSPC), as on a full disk."""
    real = Path.write_bytes

    def write_bytes(self, data):
        if self.name == name or self.name.startswith(f".{name}."):  # or its temporary file
            real(self, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def test_disk_full_while_writing_the_index_keeps_the_previous_index(quick, tmp_path, monkeypatch):
    out = tmp_path / "out"
    quick(out)
    good = (out / "index.html").read_bytes()
    fill_disk_when_writing("index.html", monkeypatch)
    result = quick(out)  # the pages' results are still reported (issue 19: the summary)
    assert not result.ok
    (error,) = result.errors
    assert f"cannot write {out.resolve() / 'index.html'}: No space left on device" in error
    assert f"ERROR: {error}" in batch.summary(result)
    assert (out / "index.html").read_bytes() == good
    assert [p.name for p in out.iterdir() if ".partial" in p.name] == []


def test_notebook_that_is_not_a_notebook_is_named_without_its_content(isolated_paths, tmp_path):
    passwd = tmp_path / "passwd"
    passwd.write_text("root:x:0:0:SECRET-FIRST-LINE:/root:/bin/bash\n", encoding="utf-8")
    not_a_notebook = tmp_path / "data.ipynb"
    not_a_notebook.write_text('{"SECRET": [1, 2, 3]}', encoding="utf-8")
    binary = tmp_path / "image.ipynb"
    binary.write_bytes(b"\xff\xd8\xff\xe0SECRET")
    for path in (passwd, not_a_notebook, binary):
        with pytest.raises(AnalysisError, match="is not a Jupyter notebook") as caught:
            batch.resolve_notebooks([str(path)], isolated_paths)
        assert str(path) in str(caught.value) and "SECRET" not in str(caught.value)
    assert batch.resolve_notebooks([str(TOY)], isolated_paths) == (TOY.resolve(),)
