"""`python -m analysis run` as a user runs it: exit codes, summary, options."""

from __future__ import annotations

import os
import subprocess
import sys

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
    english = isolated_paths.reports / "en"
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
