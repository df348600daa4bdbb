"""python -m analysis scorecard: through a subprocess with the venv python and through main()."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.benchmark.indicators import JOBINDSATS_INDICATORS
from analysis.cli import main

REPO = Path(__file__).resolve().parents[2]
KLK_CSV = REPO / "data" / "raw" / "benchmark" / "klk_aabenraa_2012.csv"
PYTHON = REPO / ".venv" / "bin" / "python"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    python = str(PYTHON) if PYTHON.exists() else sys.executable
    return subprocess.run(
        [python, "-m", "analysis", "scorecard", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
        timeout=300,
    )


def test_subprocess_csv_reproduces_every_published_arrow():
    result = run("--input", str(KLK_CSV), "--format", "csv")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert len(table) == 75
    development = table[table["row_type"].eq("development")]
    printed = development[development["published_arrow"].ne("")]
    assert len(printed) == 35
    assert (printed["published_arrow"] == printed["recomputed_arrow"]).all()
    assert set(development["arrow_matches"]) == {"yes"}
    assert {"reason", "rule", "status_ams", "status_soenderjysk", "text_agrees"} <= set(table)


def test_subprocess_table_for_humans():
    result = run("--input", str(KLK_CSV), "--format", "table")
    assert result.returncode == 0, result.stderr
    assert "35 of 35 match, 0 do not" in result.stdout
    assert "små 3 mio. kr.' (line 71); 'ca. 2.5 mio. kr.' (line 465)" in result.stdout
    assert "line 199" in result.stdout


def test_main_json(capsys):
    assert main(["scorecard", "--input", str(KLK_CSV), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["arrows_matched"] == 35
    assert len(document["rows"]) == 75
    assert any(c["consistent"] == "no" for c in document["savings_checks"])
    assert document["notes"] and "glyph" in document["notes"][0]


def test_main_bad_input_is_an_error_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(KLK_CSV.read_text(encoding="utf-8").replace("sdp_over_26w", "sdp_over_27w"))
    assert main(["scorecard", "--input", str(bad), "--format", "csv"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "bad.csv, row 6, column 'indicator'" in err
    assert main(["scorecard", "--input", str(tmp_path / "none.csv")]) == 1


def test_main_requires_one_source(capsys):
    with pytest.raises(SystemExit):
        main(["scorecard", "--format", "csv"])


@pytest.fixture(scope="module")
def paths(benchmark_paths):
    return benchmark_paths


def test_main_real_data_json(paths, capsys):
    assert (
        main(
            [
                "scorecard",
                "--municipality",
                "Aabenraa",
                "--cluster",
                "soenderjysk",
                "--format",
                "json",
            ]
        )
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["municipality"] == 580
    assert document["members"] == [540, 550, 510]
    assert len(document["scorecard"]) == len(JOBINDSATS_INDICATORS)
    assert document["headline"]["cluster"] == "Sønderjysk klynge"
    assert main(["scorecard", "--municipality", "Atlantis"]) == 1
    assert "unknown municipality" in capsys.readouterr().err


def test_subprocess_real_data_table_in_isolated_paths(paths):
    env = {
        "ANALYSIS_RAW_DIR": str(paths.raw),
        "ANALYSIS_PROCESSED_DIR": str(paths.processed),
        "ANALYSIS_REPORTS_DIR": str(paths.reports),
    }
    result = run("--municipality", "825", "--language", "en", "--format", "table", env=env)
    assert result.returncode == 0, result.stderr
    assert "Læsø (825) vs Similar municipalities" in result.stdout
    assert "No data" in result.stdout
    csv = run("--municipality", "101", "--format", "csv", "--tolerance-steps", "5", env=env)
    assert csv.returncode == 0, csv.stderr
    assert len(pd.read_csv(io.StringIO(csv.stdout))) == len(JOBINDSATS_INDICATORS)
