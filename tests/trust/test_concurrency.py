"""Two runs on one output folder, and a run killed mid-way, as users will do it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
TOY = FIXTURES / "10_toy_report.ipynb"
CODES = ["101", "147", "151", "153", "155", "157"]


def start_run(output: Path, *codes: str) -> subprocess.Popen:
    args = [
        sys.executable,
        "-m",
        "analysis",
        "run",
        "--notebooks",
        str(TOY),
        "--workers",
        "1",
        "--no-progress",
        "--output",
        str(output),
    ]
    for code in codes:
        args += ["-m", code]
    return subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        start_new_session=True,
    )


def wait_for(condition, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def test_second_run_on_the_same_folder_is_refused_and_the_first_completes(isolated_paths):
    output = isolated_paths.reports
    first = start_run(output, *CODES[:3])
    lock = output / ".lock"
    wait_for(lambda: lock.is_file() and "pid" in lock.read_text())
    second = start_run(output, "580")
    out, err = second.communicate(timeout=300)
    assert second.returncode == 1
    assert "error:" in err and "is being written by" in err and f"pid {first.pid}" in err
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert "3 report(s) written" in out
    assert not (output / "580-aabenraa.html").exists()


def test_killed_run_leaves_only_complete_reports_and_a_rerun_completes(isolated_paths):
    output = isolated_paths.reports
    run = start_run(output, *CODES)
    wait_for(lambda: len(list(output.glob("*.html"))) >= 2)
    os.killpg(run.pid, signal.SIGKILL)  # the runner, its worker and the worker's kernel
    run.wait(timeout=60)
    written = sorted(output.glob("*.html"))
    assert 2 <= len(written) < len(CODES) + 1
    for page in written:
        text = page.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>"), f"{page.name} is half-written"
    rerun = start_run(output, *CODES)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert not list(output.rglob(".*.partial*")), "temporary files left behind"
    reports = {p.name for p in output.glob("[0-9]*.html")}
    assert len(reports) == len(CODES)
    done_before = {p.name for p in written if p.name != "index.html"}
    assert f"{len(done_before)} unchanged (skipped)" in out, "finished reports are kept"
    index = (output / "index.html").read_text(encoding="utf-8")
    assert index.count('class="status-ok"') == len(CODES)
