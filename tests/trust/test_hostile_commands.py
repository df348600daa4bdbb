"""The commands besides ``run``, tried as a hostile user would (issue 19, section 6):
outputs in read-only folders or naming folders, control characters and odd dates in the
export's options, alias bombs in the simulation's truth file, CPR numbers as ids.

Every command runs in this process (``analysis.cli.main``), so any exception that is not
turned into a one-line ``error: ...`` fails the test as it would show a traceback."""

from __future__ import annotations

import errno
import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from analysis import cli
from analysis.errors import InputError
from analysis.paths import get_paths

REPO = Path(__file__).resolve().parents[2]
INTERVIEWS = REPO / "data" / "raw" / "interviews"
CODINGS = [str(INTERVIEWS / "codings_dev_a.csv"), str(INTERVIEWS / "codings_dev_b.csv")]


def run(capsys, *args: object) -> tuple[int, str, str]:
    """``python -m analysis ARGS``; the exit code (argparse's 2 included), out and err."""
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exit_:  # argparse refuses an option value
        code = exit_.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return int(code), out, err


@pytest.fixture
def ids_csv(tmp_path: Path) -> Path:
    path = tmp_path / "texts.csv"
    path.write_text(
        "id,text\nt1,Vi har ingen tid til borgerne\nt2,Lederne styrer alt\n", encoding="utf-8"
    )
    return path


@pytest.fixture
def small_qdpx(tmp_path: Path) -> Path:
    import zipfile

    fixtures = REPO / "tests" / "fixtures" / "qual"
    path = tmp_path / "small.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", (fixtures / "crlf_chars.qde").read_bytes())
        archive.writestr(
            "Sources/{0A000000-0000-4000-8000-000000000001}.txt",
            (fixtures / "crlf_source.txt").read_bytes(),
        )
    return path


#: command -> (arguments with the output as ``{out}``, the option that names it)
OUTPUTS: dict[str, tuple[Callable[[Path, Path, Path], list[object]], str]] = {
    "simulate --output": (
        lambda o, ids, q: ["simulate", "--no-surveys", "--output", o],
        "--output",
    ),
    "simulate --surveys": (
        lambda o, ids, q: ["simulate", "--output", ids.with_name("sim.csv"), "--surveys", o],
        "--surveys",
    ),
    "autocode --output": (lambda o, ids, q: ["autocode", ids, "--output", o], "--output"),
    "export-qdpx --output": (lambda o, ids, q: ["export-qdpx", "--output", o], "--output"),
    "export-qdpx --qdc": (
        lambda o, ids, q: ["export-qdpx", "--output", ids.with_name("x.qdpx"), "--qdc", o],
        "--qdc",
    ),
    "import-qdpx --output": (lambda o, ids, q: ["import-qdpx", q, "--output", o], "--output"),
    "regress --output": (lambda o, ids, q: ["regress", "--output", o], "--output"),
    "regress --skipped": (
        lambda o, ids, q: ["regress", "--output", ids.with_name("e.csv"), "--skipped", o],
        "--skipped",
    ),
    "reliability --output": (
        lambda o, ids, q: ["reliability", *CODINGS, "--output", o],
        "--output",
    ),
    "reliability --disagreements": (
        lambda o, ids, q: ["reliability", *CODINGS, "--disagreements", o],
        "--disagreements",
    ),
}
FOLDER_OUTPUTS = {"simulate --surveys", "import-qdpx --output"}


@pytest.fixture
def no_models(monkeypatch):
    """The regressions must not run before the output is checked (minutes of work)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the output must be checked before the models run")

    monkeypatch.setattr("analysis.quant.compute.load_results", refuse)


@pytest.mark.parametrize("case", list(OUTPUTS))
def test_a_read_only_output_folder_is_a_one_line_error(
    case, tmp_path, ids_csv, small_qdpx, isolated_paths, no_models, deny_writes, capsys
):
    """Before: a PermissionError traceback, after the command's work."""
    build, option = OUTPUTS[case]
    locked = tmp_path / "locked"
    locked.mkdir()
    out = locked / ("folder" if case in FOLDER_OUTPUTS else "out.csv")
    deny_writes(locked)
    code, _, err = run(capsys, *build(out, ids_csv, small_qdpx))
    assert code == 1
    assert f"error: cannot write {option} {out}: Permission denied (in {locked})" in err
    assert f"Choose another {option}, or make that folder writable" in err
    assert len(err.strip().splitlines()) == 1
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("case", list(OUTPUTS))
def test_a_folder_given_for_a_file_and_a_file_for_a_folder(
    case, tmp_path, ids_csv, small_qdpx, isolated_paths, no_models, capsys
):
    """Before: IsADirectoryError (or for import-qdpx and --surveys, a file named as the
    folder: NotADirectoryError) as a traceback."""
    build, option = OUTPUTS[case]
    if case in FOLDER_OUTPUTS:
        out = tmp_path / "a-file.txt"
        out.write_text("keep me", encoding="utf-8")
        expected = f"{option} {out} is a file, not a folder"
    else:
        out = tmp_path / "a-folder"
        out.mkdir()
        expected = f"{option} {out} is a folder, not a file"
    code, _, err = run(capsys, *build(out, ids_csv, small_qdpx))
    assert code == 1
    assert f"error: {expected}" in err
    assert len(err.strip().splitlines()) == 1
    if case in FOLDER_OUTPUTS:
        assert out.read_text(encoding="utf-8") == "keep me"
    else:
        assert list(out.iterdir()) == []


def test_a_file_that_cannot_be_written_mid_way_is_one_line(ids_csv, tmp_path, capsys, monkeypatch):
    """A full disk after the check: the dispatcher names the file, no traceback."""
    import analysis.fileio as fileio

    def full(target, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(fileio, "atomic_write_bytes", full)
    out = tmp_path / "proposals.csv"
    code, _, err = run(capsys, "autocode", ids_csv, "--output", out)
    assert code == 1
    assert err.strip() == f"error: cannot write or read {out}: No space left on device"


# --- export-qdpx --name and --date --------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["a\x07b", "Projekt\nto linjer", "\x1b[31mred", "x\x00y", "\ud800"]
)
def test_a_project_name_with_a_control_character_is_refused(name, tmp_path, capsys):
    """Before: "invalid XML syntax: not well-formed (invalid token)" as a traceback."""
    code, _, err = run(capsys, "export-qdpx", "--output", tmp_path / "x.qdpx", "--name", name)
    assert code == 2
    assert "argument --name:" in err and "holds the control character U+" in err
    assert "a project name is one line of text" in err
    assert not (tmp_path / "x.qdpx").exists()


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("0001-01-01", "is before 1980-01-01, the earliest export date"),
        ("1979-12-31T23:59:59", "is before 1980-01-01"),
        ("9999-12-31T23:00:00-05:00", "is past the year 9999"),
        ("2026-02-30", "is not a date"),
    ],
)
def test_an_export_date_out_of_range_says_why(date, message, tmp_path, capsys):
    """Before: 0001-01-01 ended in "the project export does not validate against the
    REFI-QDA schema: attribute creationDateTime='1-01-01T00:00:00Z': Invalid datetime"
    (dozens of lines), and the year 9999 with a negative offset in OverflowError."""
    code, _, err = run(capsys, "export-qdpx", "--output", tmp_path / "x.qdpx", "--date", date)
    assert code == 2
    assert f"argument --date: {date!r} {message}" in err
    assert not (tmp_path / "x.qdpx").exists()


# --- the simulation's truth file ----------------------------------------------------------


def _laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        prev, name = chr(96 + n), chr(97 + n)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("outcomes: *i")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_truth_file_is_refused_at_once(tmp_path):
    """Before: read with libyaml's loader, which expands aliases: MemoryError after 26 s."""
    from analysis.quant.validation import load_truth

    path = tmp_path / "simulated_caseloads_truth.yaml"
    path.write_text(_laughs(), encoding="utf-8")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(InputError) as caught:
            load_truth(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(path) in str(caught.value) and "aliases (*a) are not allowed" in str(caught.value)
    assert peak < 50 * 1024**2
    assert time.perf_counter() - start < 60  # a hang guard, not a timing claim


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {beta_log_caseload: 1}\noutcomes: {x: *b}\n",
        "outcomes: !!python/object/apply:os.system ['true']\n",
        "outcomes: " + "[" * 3000 + "]" * 3000 + "\n",
    ],
)
def test_truth_files_refuse_aliases_tags_and_deep_nesting(tmp_path, text):
    from analysis.quant.validation import load_truth

    path = tmp_path / "t_truth.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"not valid YAML|not allowed|nested too deeply") as caught:
        load_truth(path)
    assert str(path) in str(caught.value)


def test_the_real_truth_files_read_as_before_and_are_written_without_aliases():
    from analysis.data.simulate import truth_yaml
    from analysis.quant.validation import load_truth

    paths = get_paths(REPO)
    files = [paths.simulated_truth, *sorted((paths.raw / "surveys").glob("*_truth.yaml"))]
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert load_truth(file) == yaml.safe_load(text)
        first = load_truth(file)
        first["outcomes"].clear()
        assert load_truth(file)["outcomes"], "each call gets its own copy"
    shared = [1.5, 2.5]
    written = truth_yaml({"a": shared, "b": shared}, "# header\n")
    assert "&" not in written and "*" not in written
    assert yaml.safe_load(written) == {"a": shared, "b": shared}


# --- autocode with CPR-like ids -----------------------------------------------------------


def test_ids_holding_cpr_numbers_are_refused_naming_rows_not_values(tmp_path, capsys):
    """Before: every such id became "borger-[CPR]" in the proposals without a word, so the
    proposals could not be joined back to the texts."""
    path = tmp_path / "texts.csv"
    path.write_text(
        "id,text\n"
        "borger-010203-1234,Vi har ingen tid til borgerne\n"
        "borger-020304-2345,Lederne styrer alt\n"
        "t3,Der er tid nok\n"
        "0506071234,Mere tid til hver borger\n",
        encoding="utf-8",
    )
    out = tmp_path / "proposals.csv"
    code, _, err = run(capsys, "autocode", path, "--output", out)
    assert code == 1
    assert f"error: {path}, rows 2-3, 5, column 'id': the id holds personal data" in err
    assert "(found 'a CPR number')" in err and "--allow-personal-data" in err
    assert "1234" not in err and "2345" not in err, "the error never shows the number"
    assert not out.exists()
    code, _, err = run(capsys, "autocode", path, "--output", out, "--allow-personal-data")
    assert code == 0, err
    ids = set(out.read_text(encoding="utf-8").split())
    assert any(line.startswith("borger-010203-1234,") for line in ids), "ids kept, joinable"


def test_ids_without_personal_data_still_work(ids_csv, tmp_path, capsys):
    out = tmp_path / "proposals.csv"
    code, printed, err = run(capsys, "autocode", ids_csv, "--output", out)
    assert code == 0, err
    assert "text(s) ->" in printed
    assert out.read_text(encoding="utf-8").startswith("id,code,confidence,method")
