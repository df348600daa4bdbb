"""The report batch's output folder and options, tried as a hostile user would (issue 19,
sections 5 and 6): a ``.lock`` that is a link, a pipe in place of the list of outputs,
schedulers the batch cannot use, ``#`` and ``?`` in folder names, a full disk."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from analysis import cli
from analysis.errors import AnalysisError
from analysis.reports import batch
from analysis.reports.batch import RunOptions, run_reports
from analysis.reports.outputs import MANIFEST

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
TOY = FIXTURES / "10_toy_report.ipynb"


@pytest.fixture
def quick(isolated_paths, monkeypatch):
    """``run_reports`` for 101 with the toy notebook and nothing to execute."""
    monkeypatch.setattr(
        batch, "precompute_shared", lambda paths, notebooks=(), parallel=False: None
    )

    def run(out: Path, **changes) -> batch.BatchResult:
        options = RunOptions(
            municipalities=(101,), notebooks=(TOY,), output=out, retry_failed=True, progress=False
        )
        return run_reports(replace(options, **changes), isolated_paths)

    return run


# --- the lock file --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "fifo"])
def test_a_lock_that_is_not_a_plain_file_is_refused_and_its_target_untouched(quick, tmp_path, kind):
    out = tmp_path / "out"
    quick(out)  # an output folder of an earlier run
    (out / ".lock").unlink()
    victim = tmp_path / "thesis.txt"
    victim.write_text("chapter 3, two years of work\n", encoding="utf-8")
    if kind == "symlink":
        (out / ".lock").symlink_to(victim)
        what = "is a symbolic link"
    elif kind == "hardlink":
        os.link(victim, out / ".lock")
        what = "is a file with 2 names (a hard link)"
    else:
        os.mkfifo(out / ".lock")
        what = "is not a regular file"
    with pytest.raises(AnalysisError, match="not the lock file a run writes") as caught:
        quick(out)
    assert f"{out / '.lock'} {what}" in str(caught.value) and "Remove it" in str(caught.value)
    if kind != "fifo":
        assert victim.read_text(encoding="utf-8") == "chapter 3, two years of work\n"


def test_a_dangling_lock_link_creates_nothing(quick, tmp_path):
    out = tmp_path / "out"
    quick(out)
    (out / ".lock").unlink()
    target = tmp_path / "elsewhere" / "created-by-the-run"
    (out / ".lock").symlink_to(target)
    with pytest.raises(AnalysisError, match="is a symbolic link"):
        quick(out)
    assert not target.exists() and not target.parent.exists()


# --- pipes in the output folder ---------------------------------------------------------


@pytest.mark.parametrize("where", [MANIFEST, ".state/101.json"])
def test_a_fifo_in_the_output_folder_gives_an_error_not_a_hang(isolated_paths, tmp_path, where):
    """Before: ``run`` waited for ever to read the pipe (the subprocess hit its timeout)."""
    out = tmp_path / "out"
    (out / ".state").mkdir(parents=True)
    if where != MANIFEST:
        listed = [".lock", ".state/101.json", "101-koebenhavn.html"]
        (out / MANIFEST).write_text(json.dumps({"files": listed}), encoding="utf-8")
    os.mkfifo(out / where)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "run",
            "-m",
            "101",
            "--notebooks",
            str(TOY),
            "--no-progress",
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{out / where} is a named pipe (FIFO)" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


# --- --scheduler ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["inproc://127.0.0.1/1/2", "ucx://127.0.0.1:8786", "file:///tmp/scheduler.json", "ws://h:1"],
)
def test_scheduler_schemes_the_batch_cannot_use_fail_before_any_work(run_cli, tmp_path, address):
    code, err = run_cli("-m", "101", "--scheduler", address, "--output", str(tmp_path / "o"))
    assert code == 1
    assert f"error: --scheduler {address!r}: the batch cannot use a scheduler at" in err
    assert "expected tcp://HOST:PORT" in err
    assert not (tmp_path / "o").exists(), "no folder, lock or manifest left behind"


@pytest.mark.parametrize("address", ["", " ", "tcp://", "tcp://:8786"])
def test_an_empty_scheduler_is_an_error_not_a_local_run(run_cli, tmp_path, address):
    code, err = run_cli("-m", "101", "--scheduler", address, "--output", str(tmp_path / "o"))
    assert code == 1
    assert "error: --scheduler" in err
    assert "is empty" in err or "is not a scheduler address" in err
    assert not (tmp_path / "o").exists()


# --- a full disk ------------------------------------------------------------------------


def fill_disk_under(folder: Path, monkeypatch, *, spare: tuple[str, ...] = (MANIFEST,)) -> None:
    """Every write under ``folder`` (except ``spare`` names) runs out of space half-way;
    worker processes are forked from this one, so they see the same full disk."""
    real = Path.write_bytes

    def write_bytes(self, data):
        inside = Path(self).resolve().is_relative_to(folder.resolve())
        if inside and not any(self.name.startswith((n, f".{n}.")) for n in spare):
            real(self, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


@pytest.mark.slow
def test_disk_full_lists_every_failed_page_in_the_summary(isolated_paths, monkeypatch, capsys):
    """Before: the index could not be written either, the command ended with that one
    error, and which pages had failed was never said."""
    out = isolated_paths.reports / "full"
    fill_disk_under(out, monkeypatch)
    args = ["run", "--no-progress", "--workers", "1", "--notebooks", str(TOY)]
    code = cli.main([*args, "-m", "101", "-m", "580", "--output", str(out)])
    stdout, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in err
    assert "0 report(s) written, 0 unchanged (skipped), 2 failed" in stdout
    for line in ("FAILED 101 København: cannot write", "FAILED 580 Aabenraa: cannot write"):
        assert line in stdout
    assert "No space left on device" in stdout
    assert f"ERROR: cannot write {out.resolve() / 'index.html'}: No space left on device" in (
        stdout
    )
    assert not [p for p in out.rglob("*") if ".partial" in p.name]


@pytest.mark.slow
def test_url_characters_in_the_output_folder_run(isolated_paths, capsys):
    out = isolated_paths.reports / "run#2?draft"
    args = ["run", "--no-progress", "--workers", "1", "--notebooks", str(TOY), "-m", "101"]
    code = cli.main([*args, "--output", str(out)])
    assert code == 0, capsys.readouterr().err
    assert (out / "101-koebenhavn.html").is_file()


def test_a_slug_that_climbs_out_is_refused_before_anything_is_written(
    run_cli, isolated_paths, tmp_path
):
    table = isolated_paths.municipalities_csv
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace("101,København,koebenhavn,", "101,København,../../x,"))
    out = tmp_path / "a" / "b" / "out"
    code, err = run_cli("-m", "101", "--notebooks", str(TOY), "--output", str(out))
    assert code == 1
    assert f"{table}, row 2, column 'slug': not a slug" in err
    assert not (tmp_path / "a").exists()
