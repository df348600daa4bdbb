"""Two runs on one output folder, and a run killed mid-way, as users will do it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.fileio import sha256_file

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


def municipality_pages(output: Path) -> list[Path]:
    """The municipality pages in ``output`` (not their one-page committee summaries)."""
    return sorted(p for p in output.glob("[0-9]*.html") if not p.stem.endswith("-resume"))


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
    wait_for(lambda: len(municipality_pages(output)) >= 2)
    os.killpg(run.pid, signal.SIGKILL)  # the runner, its worker and the worker's kernel
    run.wait(timeout=60)
    written = municipality_pages(output)
    assert 2 <= len(written) < len(CODES)
    for page in sorted(output.glob("*.html")):  # pages, summaries and the index
        text = page.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>"), f"{page.name} is half-written"
    rerun = start_run(output, *CODES)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert not list(output.rglob(".*.partial*")), "temporary files left behind"
    reports = {p.name for p in municipality_pages(output)}
    assert len(reports) == len(CODES)
    summaries = {p.name for p in output.glob("[0-9]*-resume.html")}
    assert summaries == {name.replace(".html", "-resume.html") for name in reports}
    done_before = {p.name for p in written}
    assert f"{len(done_before)} unchanged (skipped)" in out, "finished reports are kept"
    index = (output / "index.html").read_text(encoding="utf-8")
    assert index.count('class="status-ok"') == len(CODES)


#: Runs the command and kills the whole run (runner, worker, kernel) with SIGKILL right
#: after one step for one municipality, the way a kill from outside can land there. The
#: steps: its executed notebook written; its page written (beside its place, or in place
#: by a version that wrote it there directly); its run record written; its page in place.
KILLER = """
import os, signal, sys
from pathlib import Path
import analysis.fileio as fileio
from analysis.reports.batch import workers

point, stem = sys.argv[1], sys.argv[2]
real_write = fileio.atomic_write_bytes


def kill():
    os.killpg(os.getpgrp(), signal.SIGKILL)


def write(target, data):
    done = real_write(target, data)
    path = Path(target)
    if point == "notebook" and path.parent.name == stem and path.suffix == ".ipynb":
        kill()
    if point == "page-written" and (
        path.name == f"{stem}.html" or path.name.startswith(f".{stem}.html.")
    ):
        kill()
    if point == "page" and path.name == f"{stem}.html":  # written in place at once
        kill()
    if point == "record" and path.parent.name == ".state" and path.stem == stem.split("-")[0]:
        kill()
    return done


fileio.atomic_write_bytes = write
put = getattr(workers, "put_in_place", None)
if put is not None:

    def put_and_kill(staged, target):
        put(staged, target)
        if point == "page" and Path(target).name == f"{stem}.html":
            kill()

    workers.put_in_place = put_and_kill
from analysis import cli

sys.exit(cli.main(sys.argv[3:]))
"""


@pytest.mark.parametrize("point", ["notebook", "page-written", "record", "page"])
def test_a_rerun_completes_correctly_wherever_the_kill_lands(isolated_paths, point):
    """Deterministic: the kill lands exactly after one step of Frederiksberg's page (the
    second of three). Every page in place afterwards is complete and recorded, so the
    rerun keeps it (skips it) and builds the rest; nothing temporary is left."""
    output = isolated_paths.reports
    codes = ["101", "147", "151"]
    args = ["run", "--notebooks", str(TOY), "--workers", "1", "--no-progress"]
    args += ["--output", str(output)] + [x for code in codes for x in ("-m", code)]
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, point, "147-frederiksberg", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        start_new_session=True,
        timeout=600,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    pages = [p.name for p in municipality_pages(output)]
    assert "101-koebenhavn.html" in pages and "151-ballerup.html" not in pages
    for page in sorted(p.name for p in output.glob("[0-9]*.html")):  # with the summaries
        text = (output / page).read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>"), f"{page} is half-written"
    rerun = start_run(output, *codes)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    assert f"{len(codes) - len(pages)} report(s) written, {len(pages)} unchanged" in out, (
        "every page in place before the rerun was complete and recorded, so it is kept"
    )
    assert not list(output.rglob(".*.partial*")), "temporary files left behind"
    for code in codes:
        record = json.loads((output / ".state" / f"{code}.json").read_text(encoding="utf-8"))
        page = output / record["html"]
        assert record["status"] == "ok" and record["html_sha256"] == sha256_file(page)
    index = (output / "index.html").read_text(encoding="utf-8")
    assert index.count('class="status-ok"') == len(codes)
