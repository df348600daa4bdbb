"""What ``prepare`` does when raw caseload files vanish, cannot be read or are unchanged
(issue 11, item 8, and the read-only processed folder), and how reports learn which files
a processed table was built from."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli, fileio, nb
from analysis.data import store
from analysis.data.store import prepare, read_table
from analysis.errors import AnalysisError
from analysis.fileio import sha256_file
from analysis.quant import view as report
from analysis.quant.compute import PanelSource, QuantResults

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def prepared(isolated_paths, repo_paths):
    """The real raw folders (reference, snapshot, simulated caseloads) prepared once."""
    shutil.copytree(repo_paths.caseloads, isolated_paths.caseloads)
    done = prepare(isolated_paths)
    assert done.ok, done.summary()
    return isolated_paths


def statuses(done) -> dict[str, str]:
    return {t.name: t.status for t in done.tables}


def caseloads_result(done):
    return next(t for t in done.tables if t.name == "caseloads")


def manifest(paths) -> dict:
    return json.loads(paths.manifest.read_text(encoding="utf-8"))


# --- files in the raw caseload folder -----------------------------------------------------


def test_an_unsupported_file_is_an_error_naming_it(prepared):
    """Before: an .xls in the folder was ignored without a word ("unchanged")."""
    paths = prepared
    good = paths.processed_file("caseloads").read_bytes()
    xls = paths.caseloads / "caseloads_2025.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(500))
    done = prepare(paths)
    assert not done.ok
    failed = caseloads_result(done)
    assert failed.status == "failed"
    assert str(xls) in failed.error
    assert "save it as .xlsx or CSV" in failed.error
    assert ".csv, .xlsx or .parquet" in failed.error
    # the panel it was built from is still there: the table is kept
    assert paths.processed_file("caseloads").read_bytes() == good
    assert statuses(done)["jobindsats"] == "unchanged"


def test_documentation_truth_and_format_files_are_accepted(prepared):
    paths = prepared
    (paths.caseloads / "notes_format.yaml").write_text("decimal: point\n", encoding="utf-8")
    (paths.caseloads / ".gitkeep").write_text("", encoding="utf-8")
    (paths.caseloads / "old").mkdir()
    (paths.caseloads / "old" / "caseloads_2019.csv").write_text("not read\n", encoding="utf-8")
    done = prepare(paths)
    assert done.ok, done.summary()
    assert statuses(done)["caseloads"] == "unchanged"
    assert {p.name for p in paths.caseloads.iterdir()} >= {
        "README.md",
        "simulated_caseloads_truth.yaml",
    }


def test_removing_the_only_panel_removes_the_table_and_its_manifest_entry(prepared):
    """Before: "caseloads empty 0 rows", the old Parquet kept and used by regress/run."""
    paths = prepared
    paths.simulated_caseloads.unlink()
    done = prepare(paths)
    assert done.ok, done.summary()
    result = caseloads_result(done)
    assert result.status == "removed"
    assert "caseloads/simulated_caseloads.csv" in result.note
    assert not paths.processed_file("caseloads").exists()
    assert "caseloads" not in manifest(paths)
    assert {"municipalities", "jobindsats"} <= set(manifest(paths))
    with pytest.raises(AnalysisError, match="does not exist"):
        read_table("caseloads", paths)
    assert statuses(prepare(paths))["caseloads"] == "empty"


def test_the_issue_case_panel_removed_and_an_xls_added(prepared, tmp_path, capsys):
    """Issue 11, item 8: prepare said "caseloads empty 0 rows", exit 0, kept the old
    Parquet, and regress used it."""
    paths = prepared
    paths.simulated_caseloads.unlink()
    xls = paths.caseloads / "caseloads_2025.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(500))
    assert cli.main(["prepare"]) == 1
    out = capsys.readouterr().out
    assert "caseloads_2025.xls" in out and "save it as .xlsx or CSV" in out
    assert not paths.processed_file("caseloads").exists()
    assert "caseloads" not in manifest(paths)
    assert cli.main(["regress", "--output", str(tmp_path / "estimates.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "caseloads.parquet does not exist" in err
    assert not (tmp_path / "estimates.csv").exists()


def test_a_format_file_is_an_input_of_the_table(prepared):
    paths = prepared
    frame = pd.read_csv(paths.simulated_caseloads, dtype=str, keep_default_na=False).head(60)
    frame = frame[["municipality_code", "unit", "period", "caseload", "data_origin"]]
    frame["caseload"] = frame["caseload"].map(lambda v: f"{float(v):.3f}")
    panel = paths.caseloads / "simulated_caseloads.csv"
    frame.to_csv(panel, sep=";", index=False)
    done = prepare(paths)
    assert not done.ok and "cannot tell the decimal mark" in caseloads_result(done).error
    sidecar = paths.caseloads / "simulated_caseloads_format.yaml"
    sidecar.write_text("decimal: point\n", encoding="utf-8")
    done = prepare(paths)
    assert done.ok, done.summary()
    assert read_table("caseloads", paths)["caseload"].max() < 400
    assert (
        "caseloads/simulated_caseloads_format.yaml" in manifest(paths)["caseloads"]["key"]["inputs"]
    )
    sidecar.write_text("decimal: comma\n", encoding="utf-8")
    done = prepare(paths)
    assert not done.ok and "above 1000" in caseloads_result(done).error


# --- the manifest and a folder that cannot be written -------------------------------------


def _refuse_writes(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        target = next((a for a in args if isinstance(a, str | Path)), "")
        raise PermissionError(13, "Permission denied", str(target))

    for module in (store, fileio):
        for name in ("atomic_write_text", "write_parquet_atomic"):
            monkeypatch.setattr(module, name, refuse)


def test_unchanged_inputs_write_nothing(prepared, monkeypatch):
    """Before: the manifest was rewritten on every run, so a read-only processed folder
    gave an OSError traceback although nothing had changed. (Tests run as root, whom
    chmod does not stop, so writing is refused by replacing the writers.)"""
    paths = prepared
    before = {p.name: p.read_bytes() for p in paths.processed.iterdir() if p.is_file()}
    _refuse_writes(monkeypatch)
    done = prepare(paths)
    assert done.ok and set(statuses(done).values()) == {"unchanged", "empty"}, done.summary()
    assert {p.name: p.read_bytes() for p in paths.processed.iterdir() if p.is_file()} == before


def test_a_folder_that_must_be_written_and_cannot_gives_a_clear_error(
    isolated_paths, repo_paths, monkeypatch, capsys
):
    shutil.copytree(repo_paths.caseloads, isolated_paths.caseloads)
    _refuse_writes(monkeypatch)
    assert cli.main(["prepare"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot write to {isolated_paths.processed}")
    assert "Permission denied" in err and "ANALYSIS_PROCESSED_DIR" in err


def test_command_line_names_the_folder_it_cannot_create(isolated_paths, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    env = {**dict(__import__("os").environ), "ANALYSIS_PROCESSED_DIR": str(blocker / "processed")}
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "prepare"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"error: cannot write to {blocker / 'processed'}" in done.stderr


# --- which files a report says the table was built from ------------------------------------


def _results(paths, simulated_files: str = "simulated_caseloads.csv") -> QuantResults:
    truth = paths.simulated_truth if paths.simulated_truth.is_file() else None
    source = PanelSource(paths.processed_file("caseloads"), True, truth, "default")
    panel = pd.DataFrame(
        [{"simulated": True, "simulated_files": simulated_files, "covariates": ""}]
    )
    empty = pd.DataFrame()
    return QuantResults(source, empty, empty, empty, panel, empty, empty)


def test_report_inputs_are_the_files_the_table_was_built_from(prepared):
    paths = prepared
    files, simulated = report.input_files(_results(paths), paths)
    assert files == [paths.simulated_caseloads, paths.simulated_truth]
    assert simulated == files
    recorded = manifest(paths)["caseloads"]["key"]["inputs"]
    shown = {r["file"]: r["sha256"] for r in nb.describe_inputs(files, simulated)}
    assert (
        shown["caseloads/simulated_caseloads.csv"] == recorded["caseloads/simulated_caseloads.csv"]
    )
    assert shown["caseloads/simulated_caseloads.csv"] == sha256_file(paths.simulated_caseloads)


@pytest.mark.parametrize("change", ["added", "removed", "edited"])
def test_a_table_out_of_date_is_refused_not_credited_to_other_files(prepared, change):
    """Before: the raw folder was globbed when the report was made, so a file added after
    prepare was listed as an input, and after the panel was removed the footer listed no
    caseload file at all while the old table was still analysed."""
    paths = prepared
    if change == "added":
        shutil.copy(paths.simulated_caseloads, paths.caseloads / "caseloads_2025.csv")
    elif change == "removed":
        paths.simulated_caseloads.unlink()
    else:
        text = paths.simulated_caseloads.read_text(encoding="utf-8")
        paths.simulated_caseloads.write_text(text.replace("212.20", "212.21", 1), "utf-8")
    with pytest.raises(AnalysisError, match="run 'python -m analysis prepare'"):
        report.input_files(_results(paths), paths)


def test_the_value_goals_survey_files_are_listed_and_flagged_simulated(isolated_paths, repo_paths):
    """The value goals rest on the simulated surveys, but the footer and the key findings'
    "Simulated:" named only the caseload panel (issue 20 §1)."""
    from analysis.data.surveys import survey_folder

    shutil.copytree(repo_paths.caseloads, isolated_paths.caseloads)
    shutil.copytree(survey_folder(repo_paths), survey_folder(isolated_paths))
    done = prepare(isolated_paths)
    assert done.ok, done.summary()
    truth = isolated_paths.simulated_truth
    surveys = isolated_paths.processed_file("surveys")
    caseloads = isolated_paths.processed_file("caseloads")
    source = PanelSource(caseloads, True, truth, "default", surveys)
    results = dataclasses.replace(_results(isolated_paths), source=source)
    files, simulated = report.input_files(results, isolated_paths)
    names = {f.name for f in files}
    assert {"simulated_citizen_survey.csv", "simulated_staff_survey.csv", "items.yaml"} <= names
    flagged = {f.name for f in simulated}
    assert {"simulated_citizen_survey.csv", "simulated_staff_survey.csv"} <= flagged
    assert "items.yaml" not in flagged
