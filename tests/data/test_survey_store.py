"""``prepare`` validates the survey folder into the processed table ``surveys``: bad files
are named with row and column and leave the previous table untouched, simulated and real
surveys are never pooled, and the folder holds only what it may."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.data.store import connect, prepare, read_table
from analysis.data.surveys import TABLE_COLUMNS
from analysis.fileio import sha256_file

REPO = Path(__file__).resolve().parents[2]
SURVEYS = REPO / "data" / "raw" / "surveys"
STAFF = "simulated_staff_survey.csv"


@pytest.fixture
def prepared(isolated_paths, repo_paths):
    """Reference, snapshot, simulated caseloads and the simulated surveys, prepared."""
    shutil.copytree(repo_paths.caseloads, isolated_paths.caseloads)
    shutil.copytree(SURVEYS, isolated_paths.raw / "surveys")
    done = prepare(isolated_paths)
    assert done.ok, done.summary()
    return isolated_paths


def result(done, name: str = "surveys"):
    return next(t for t in done.tables if t.name == name)


def test_prepare_writes_the_survey_table(prepared):
    table = read_table("surveys", prepared)
    assert list(table.columns) == ["source_file", *TABLE_COLUMNS]
    assert set(table["survey"]) == {"citizen", "staff"}
    assert set(table["source_file"]) == {"simulated_citizen_survey.csv", STAFF}
    assert (table["data_origin"] == "simulated").all()
    assert str(table["period"].dtype) == "period[M]"
    again = prepare(prepared)
    assert result(again).status == "unchanged"
    con = connect(prepared)
    assert con.execute("SELECT count(*) FROM surveys").fetchone()[0] == len(table)
    con.close()


def test_a_bad_survey_file_is_named_and_the_previous_table_is_kept(prepared):
    target = prepared.processed_file("surveys")
    good = sha256_file(target)
    caseloads = sha256_file(prepared.processed_file("caseloads"))
    path = prepared.raw / "surveys" / STAFF
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[5].split(",")
    fields[-2] = "7"  # s_thrive: outside the 1-5 scale
    lines[5] = ",".join(fields)
    path.write_text("".join(lines), encoding="utf-8")
    done = prepare(prepared)
    assert not done.ok
    failed = result(done)
    assert failed.status == "failed"
    assert f"{path}, row 6, column 's_thrive': answer outside the 1–5 scale" in failed.error
    assert sha256_file(target) == good
    assert sha256_file(prepared.processed_file("caseloads")) == caseloads
    assert result(done, "caseloads").status == "unchanged"


def test_simulated_and_real_survey_files_are_not_pooled(prepared):
    folder = prepared.raw / "surveys"
    text = (folder / STAFF).read_text(encoding="utf-8").replace(",simulated,", ",municipal,")
    (folder / STAFF).write_text(text, encoding="utf-8")
    failed = result(prepare(prepared))
    assert failed.status == "failed"
    assert "holds both simulated and real survey files" in failed.error
    assert "Move the simulated files (simulated_citizen_survey.csv)" in failed.error


def test_the_folder_holds_only_survey_files_and_their_companions(prepared):
    folder = prepared.raw / "surveys"
    (folder / "answers.xls").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    (folder / "simulated_staff_survey_format.yaml").write_text("decimal: point\n", "utf-8")
    failed = result(prepare(prepared))
    assert failed.status == "failed"
    assert "holds 2 file(s) that are not survey files" in failed.error
    assert "answers.xls" in failed.error and "notes.txt" in failed.error


def test_survey_files_need_the_items_file(prepared):
    (prepared.raw / "surveys" / "items.yaml").unlink()
    failed = result(prepare(prepared))
    assert failed.status == "failed"
    assert f"{prepared.raw / 'surveys' / 'items.yaml'}: input file not found" in failed.error


def test_taking_the_surveys_out_removes_the_table(prepared):
    for name in ("simulated_citizen_survey.csv", STAFF):
        (prepared.raw / "surveys" / name).unlink()
    done = prepare(prepared)
    assert result(done).status == "removed"
    assert not prepared.processed_file("surveys").exists()


def test_the_command_prints_the_error_without_a_traceback(prepared, capsys):
    path = prepared.raw / "surveys" / STAFF
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.drop(columns=["unit"]).to_csv(path, index=False)
    assert cli.main(["prepare"]) == 1
    captured = capsys.readouterr()
    assert "missing column 'unit'" in captured.out
    assert "Traceback" not in captured.out + captured.err
