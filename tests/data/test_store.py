"""The processed store: validated Parquet, content-hash reruns, safe failures, DuckDB."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.data.store import connect, prepare, read_table
from analysis.errors import AnalysisError
from analysis.fileio import sha256_file


@pytest.fixture
def with_simulated_panel(isolated_paths, repo_paths):
    shutil.copytree(repo_paths.caseloads, isolated_paths.caseloads)
    return isolated_paths


def test_prepare_writes_real_snapshot_and_simulated_panel(with_simulated_panel):
    paths = with_simulated_panel
    report = prepare(paths)
    assert report.ok, report.summary()
    assert {t.name: t.status for t in report.tables} == {
        "municipalities": "written",
        "jobindsats": "written",
        "caseloads": "written",
        "surveys": "empty",  # no data/raw/surveys in this raw folder
        "star_expected": "empty",  # no API answer in data/raw/star
    }
    jobs = read_table("jobindsats", paths)
    rate = jobs[(jobs.measure == "unemployment_rate") & (jobs.benefit_group == "total")]
    assert rate.municipality_code.nunique() == 98
    assert rate.period.nunique() == 60
    assert str(rate.period.min()) == "2021-08" and str(rate.period.max()) == "2026-07"
    assert isinstance(rate.period.dtype, pd.PeriodDtype)
    panel = read_table("caseloads", paths)
    assert (panel.data_origin == "simulated").all()
    assert isinstance(panel.period.dtype, pd.PeriodDtype)


def test_rerun_with_unchanged_inputs_does_nothing(with_simulated_panel):
    paths = with_simulated_panel
    prepare(paths)
    stamp = {p.name: p.stat().st_mtime_ns for p in paths.processed.glob("*.parquet")}
    again = prepare(paths)
    assert {t.status for t in again.tables} == {"unchanged", "empty"}  # empty: no surveys
    assert {p.name: p.stat().st_mtime_ns for p in paths.processed.glob("*.parquet")} == stamp


def test_changed_input_rebuilds_only_its_table(with_simulated_panel):
    paths = with_simulated_panel
    prepare(paths)
    csv = paths.simulated_caseloads
    csv.write_text(csv.read_text(encoding="utf-8").replace("\n", "\n", 1), encoding="utf-8")
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    csv.write_text("".join(lines[:-1]), encoding="utf-8")  # drop the last unit-month
    report = {t.name: t.status for t in prepare(paths).tables}
    assert report == {
        "municipalities": "unchanged",
        "jobindsats": "unchanged",
        "caseloads": "written",
        "surveys": "empty",
        "star_expected": "empty",
    }


def test_bad_input_names_file_row_column_and_keeps_previous_table(with_simulated_panel):
    paths = with_simulated_panel
    prepare(paths)
    good = sha256_file(paths.processed_file("caseloads"))
    csv = paths.simulated_caseloads
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    fields = lines[5].rstrip("\n").split(",")
    fields[header.index("caseload")] = "0"
    lines[5] = ",".join(fields) + "\n"
    csv.write_text("".join(lines), encoding="utf-8")
    report = prepare(paths)
    assert not report.ok
    failed = next(t for t in report.tables if t.name == "caseloads")
    assert failed.status == "failed"
    assert "simulated_caseloads.csv" in failed.error
    assert "row 6" in failed.error and "'caseload'" in failed.error
    assert sha256_file(paths.processed_file("caseloads")) == good
    assert not list(paths.processed.glob(".*partial*"))


def test_duckdb_views_for_ad_hoc_sql(with_simulated_panel):
    paths = with_simulated_panel
    prepare(paths)
    con = connect(paths)
    rows = con.execute(
        "SELECT count(DISTINCT municipality_code) FROM jobindsats "
        "WHERE measure = 'unemployment_rate' AND period = DATE '2026-07-01'"
    ).fetchone()
    assert rows == (98,)
    joined = con.execute(
        "SELECT count(*) FROM caseloads c JOIN municipalities m "
        "ON c.municipality_code = m.code WHERE m.name = 'København'"
    ).fetchone()[0]
    assert joined == 8 * 60


def test_reading_before_prepare_says_what_to_run(isolated_paths):
    with pytest.raises(AnalysisError, match="python -m analysis prepare"):
        read_table("jobindsats", isolated_paths)


def test_cli_prepare_exit_codes(with_simulated_panel, capsys):
    from analysis.cli import main

    assert main(["prepare"]) == 0
    assert "caseloads" in capsys.readouterr().out
    with_simulated_panel.simulated_caseloads.write_text("municipality_code,unit\n101,a\n")
    assert main(["prepare"]) == 1
    out = capsys.readouterr().out
    assert "missing" in out and "previous processed tables were left untouched" in out


def test_real_and_simulated_panels_are_never_pooled(with_simulated_panel):
    paths = with_simulated_panel
    prepare(paths)
    good = sha256_file(paths.processed_file("caseloads"))
    real = pd.DataFrame({
        "municipality_code": [580, 580], "unit": ["jobcenter", "jobcenter"],
        "period": ["2024-01", "2024-02"], "caseload": [131.0, 128.5],
    })  # fmt: skip
    real.to_csv(paths.caseloads / "aabenraa_2024.csv", index=False)
    report = prepare(paths)
    failed = next(t for t in report.tables if t.name == "caseloads")
    assert failed.status == "failed"
    assert "both simulated and real" in failed.error
    assert "simulated_caseloads.csv" in failed.error and "aabenraa_2024.csv" in failed.error
    assert sha256_file(paths.processed_file("caseloads")) == good
    paths.simulated_caseloads.unlink()
    paths.simulated_truth.unlink()
    assert prepare(paths).ok
    panel = read_table("caseloads", paths)
    assert set(panel["municipality_code"]) == {580} and len(panel) == 2


def test_prepare_names_the_snapshot_blocks_it_does_not_read(with_simulated_panel, capsys):
    """A block the loader does not know (issue 25: ``outcomes``, table y60b15) is printed
    by prepare, also when the table is found unchanged. Before: dropped without a word."""
    import json

    paths = with_simulated_panel
    snapshot = paths.jobindsats_snapshot
    data = json.loads(snapshot.read_text(encoding="utf-8"))
    for area in [*data["municipalities"].values(), data["national"]]:
        area["outcomes"] = {"name": area["name"], "labels": ["2026M03"], "employed6m": [41.2]}
    data["meta"]["sourceStatus"]["outcomes"] = {"dataset": "y60b15", "state": "ok"}
    snapshot.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    expected = (
        "municipalities.*.outcomes (block, in 98 of 98 municipalities, Jobindsats table "
        "y60b15 in meta.sourceStatus)"
    )
    for status in ("written", "unchanged"):
        report = prepare(paths)
        table = next(t for t in report.tables if t.name == "jobindsats")
        assert table.status == status and report.ok
        assert expected in table.ignored
        summary = report.summary()
        assert "    not read (2; this version does not know them):" in summary
        assert f"    - {expected}" in summary
        assert "    - national.outcomes (block, Jobindsats table y60b15" in summary
    from analysis.cli import main

    assert main(["prepare"]) == 0
    assert f"- {expected}" in capsys.readouterr().out


def test_prepare_prints_nothing_extra_for_the_real_snapshot(with_simulated_panel):
    report = prepare(with_simulated_panel)
    assert "not read" not in report.summary()
    assert all(t.ignored == () for t in report.tables)
