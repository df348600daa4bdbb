"""`python -m analysis run` as a user runs it: exit codes, summary, options."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", "run", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_cli_reports_failures_with_exit_code_and_summary(isolated_paths, toy_notebook):
    fails = toy_notebook.with_name("11_fails_for_147.ipynb")
    env = dict(os.environ)
    result = run_cli(
        "-m",
        "147",
        "-m",
        "580",
        "--notebooks",
        str(toy_notebook),
        str(fails),
        "--workers",
        "1",
        "--language",
        "en",
        "--no-progress",
        env=env,
    )
    assert result.returncode == 1, result.stderr
    assert "1 report(s) written, 0 unchanged (skipped), 1 failed" in result.stdout
    assert "FAILED 147 Frederiksberg" in result.stdout
    # the toy notebooks are not the project's full set: a partial run, written aside
    english = isolated_paths.reports / "en" / "partial" / "10_toy_report+11_fails_for_147"
    assert f"Partial run (only 10_toy_report, 11_fails_for_147): writing to {english}" in (
        result.stdout
    )
    assert (english / "580-aabenraa.html").is_file() and (english / "index.html").is_file()
    assert "Caseloads, outcomes and benchmark – Aabenraa" in (
        english / "580-aabenraa.html"
    ).read_text(encoding="utf-8")


def test_cli_rejects_bad_arguments_clearly(isolated_paths):
    env = dict(os.environ)
    result = run_cli("-m", "999", "--no-progress", env=env)
    assert result.returncode == 1
    assert "error: unknown municipality code(s): 999" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("--all", "-m", "101", env=env)
    assert result.returncode == 2 and "not allowed with argument" in result.stderr


def full_page(reports: Path) -> dict[str, bytes]:
    """Aabenraa's page as a run of all notebooks left it (sections 02 and 03)."""
    record = {
        "code": 580,
        "name": "Aabenraa",
        "status": "ok",
        "key": "all notebooks",
        "html": "580-aabenraa.html",
        "notebooks": [
            {"notebook": "02_caseload_regressions", "status": "ok"},
            {"notebook": "03_benchmark_scorecard", "status": "ok"},
        ],
        "headline": {},
    }
    files = {
        ".state/580.json": json.dumps(record).encode(),
        "580-aabenraa.html": b"<html>the full page, 505 KB</html>",
        "notebooks/580-aabenraa/02_caseload_regressions.ipynb": b"{}",
        "notebooks/580-aabenraa/03_benchmark_scorecard.ipynb": b"{}",
        "index.html": b"<html>index</html>",
    }
    for name, data in files.items():
        (reports / name).parent.mkdir(parents=True, exist_ok=True)
        (reports / name).write_bytes(data)
    return files


def test_a_partial_run_leaves_the_full_pages_alone_and_says_where_it_wrote(
    isolated_paths, toy_notebook
):
    env = dict(os.environ)
    reports = isolated_paths.reports
    before = full_page(reports)
    args = ("-m", "580", "--notebooks", str(toy_notebook), "--workers", "1", "--no-progress")
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    partial = reports / "partial" / "10_toy_report"
    assert f"Partial run (only 10_toy_report): writing to {partial}" in result.stdout
    assert f"they are in {partial}" in result.stdout
    assert "Toy section for 580" in (partial / "580-aabenraa.html").read_text(encoding="utf-8")
    assert {name: (reports / name).read_bytes() for name in before} == before
    refused = run_cli(*args, "--output", str(reports), env=env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "would replace it with a partial page" in refused.stderr
    assert {name: (reports / name).read_bytes() for name in before} == before
