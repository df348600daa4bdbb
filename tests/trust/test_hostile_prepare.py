"""``prepare`` with one hostile raw input at a time: the report is not ok, the failing
table's error names the file, the previous Parquet files, the manifest and the reports
are byte-identical, and no temporary file is left behind. See docs/trust.md.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

from analysis.data.store import TABLES, prepare
from analysis.paths import ProjectPaths

REPO = Path(__file__).resolve().parents[2]
TABLE_NAMES = [spec.name for spec in TABLES]


@dataclass(frozen=True)
class Hostile:
    """Break one raw input; ``failing`` tables must fail naming ``file`` and ``message``."""

    break_input: Callable[[ProjectPaths], Path]
    failing: tuple[str, ...]
    message: str
    #: tables legitimately rebuilt from a still-valid input (a renamed municipality)
    rewritten: tuple[str, ...] = ()


def _text(path: Path, text: str | bytes) -> Path:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def _snapshot(paths: ProjectPaths) -> str:
    return paths.jobindsats_snapshot.read_text(encoding="utf-8")


def _reference(paths: ProjectPaths) -> str:
    return paths.municipalities_csv.read_text(encoding="utf-8")


def _formula_panel(paths: ProjectPaths) -> Path:
    book = Workbook()
    book.active.append(["municipality_code", "unit", "period", "caseload"])
    book.active.append([101, "extra", "2024-01", "=1+1"])
    path = paths.caseloads / "formula.xlsx"
    book.save(path)
    return path


def _folder_instead_of_snapshot(paths: ProjectPaths) -> Path:
    path = paths.jobindsats_snapshot
    path.unlink()
    path.mkdir()
    return path


def _zip_bomb_panel(paths: ProjectPaths) -> Path:
    """A well-formed workbook whose sheet holds a 300 MB XML comment (~300 kB packed):
    the old reader spent hours in expat on it."""
    book = Workbook()
    book.active.append(["municipality_code", "unit", "period", "caseload"])
    book.active.append([101, "bomb", "2024-01", 20])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    head, tail = parts.pop(sheet).split(b"<sheetData>", 1)
    path = paths.caseloads / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open(sheet, "w") as stream:
            stream.write(head + b"<sheetData><!--")
            for _ in range(300):
                stream.write(b" " * (1024 * 1024))
            stream.write(b"-->" + tail)
    return path


CASES: dict[str, Hostile] = {
    "reference: random bytes": Hostile(
        lambda p: _text(p.municipalities_csv, bytes(range(256)) * 4),
        ("municipalities", "jobindsats", "caseloads", "surveys"),
        "cannot read as UTF-8 CSV",
    ),
    "reference: a renamed municipality": Hostile(
        # the cached reference table used to hide this change: "written", no error
        lambda p: _text(p.municipalities_csv, _reference(p).replace("101,København", "101,Kbh")),
        ("jobindsats",),
        "municipality name does not match the reference table",
        rewritten=("municipalities", "caseloads", "surveys"),
    ),
    "reference: a slug that climbs out of the output folder": Hostile(
        # before: read; the page of København was written to <output>/../../x.html
        lambda p: _text(
            p.municipalities_csv,
            _reference(p).replace("101,København,koebenhavn,", "101,København,../../x,", 1),
        ),
        ("municipalities", "jobindsats", "caseloads", "surveys"),
        "row 2, column 'slug': not a slug",
    ),
    "snapshot: a second one named -old": Hostile(
        # before: dashboard-data-old.json sorted last and was read instead of the dated one
        lambda p: _text(p.jobindsats / "dashboard-data-old.json", _snapshot(p)),
        ("jobindsats",),
        "2 Jobindsats snapshots",
    ),
    "snapshot: truncated": Hostile(
        lambda p: _text(p.jobindsats_snapshot, _snapshot(p)[: len(_snapshot(p)) // 2]),
        ("jobindsats",),
        "malformed JSON",
    ),
    "snapshot: NaN literal": Hostile(
        lambda p: _text(p.jobindsats_snapshot, _snapshot(p).replace("null", "NaN", 1)),
        ("jobindsats",),
        "NaN is not valid JSON",
    ),
    "snapshot: duplicated key": Hostile(
        lambda p: _text(
            p.jobindsats_snapshot,
            _snapshot(p).replace('"albertslund": {', '"albertslund": {}, "albertslund": {', 1),
        ),
        ("jobindsats",),
        "duplicate key(s) in one JSON object: 'albertslund'",
    ),
    "snapshot: nested 100,000 deep": Hostile(
        lambda p: _text(p.jobindsats_snapshot, "[" * 100_000 + "]" * 100_000),
        ("jobindsats",),
        "JSON nested too deeply",
    ),
    "snapshot: a folder": Hostile(
        _folder_instead_of_snapshot,
        ("jobindsats",),
        "input file not found",
    ),
    "caseloads: 10 MB field in a new CSV": Hostile(
        lambda p: _text(
            p.caseloads / "huge.csv",
            "municipality_code,unit,period,caseload\n101,a,2024-01," + "9" * (10 * 1024**2) + "x\n",
        ),
        ("caseloads",),
        "not a number",
    ),
    "caseloads: BOM then invalid UTF-8": Hostile(
        lambda p: _text(p.caseloads / "bom.csv", b"\xef\xbb\xbfmunicipality_code,unit\n\xff\xfe\n"),
        ("caseloads",),
        "byte-order mark but is not valid",
    ),
    "caseloads: formula saved without its value in an .xlsx": Hostile(
        _formula_panel, ("caseloads",), "a formula saved without its value"
    ),
    "caseloads: 300 MB comment in an .xlsx": Hostile(
        _zip_bomb_panel, ("caseloads",), "(limit 268435456); save a smaller file or use CSV"
    ),
    "caseloads: an old Excel .xls beside the panel": Hostile(
        lambda p: _text(p.caseloads / "caseloads_2025.xls", b"\xd0\xcf\x11\xe0" + bytes(512)),
        ("caseloads",),
        "save it as .xlsx or CSV",
    ),
    "caseloads: a semicolon CSV whose decimals all have three digits": Hostile(
        lambda p: _text(
            p.caseloads / "extra.csv",
            "municipality_code;unit;period;caseload;data_origin\n"
            "101;extra;2024-01;212.200;simulated\n101;extra;2024-02;194.320;simulated\n",
        ),
        ("caseloads",),
        "cannot tell the decimal mark",
    ),
    "caseloads: random bytes as .parquet": Hostile(
        lambda p: _text(p.caseloads / "random.parquet", bytes(range(256)) * 8),
        ("caseloads",),
        "cannot read as Parquet",
    ),
    "surveys: staff answers on a 0-10 scale": Hostile(
        lambda p: _text(
            p.raw / "surveys" / "staff_2025.csv",
            "municipality_code,unit,period,s_recommend,s_stay,s_thrive,s_pressed,data_origin\n"
            + "".join(f"101,forsoeg,2025-03,{v},4,4,2,simulated\n" for v in (0, 7, 10, 3)),
        ),
        ("surveys",),
        "the survey used a 0–10 scale",
    ),
    "surveys: random bytes as .xlsx": Hostile(
        lambda p: _text(p.raw / "surveys" / "answers.xlsx", bytes(range(256)) * 8),
        ("surveys",),
        "cannot read as an Excel workbook",
    ),
}


@dataclass
class Prepared:
    paths: ProjectPaths
    raw: dict[Path, bytes]


@pytest.fixture(scope="module")
def prepared(module_isolated_paths: ProjectPaths) -> Prepared:
    paths = module_isolated_paths
    shutil.copytree(REPO / "data" / "raw" / "caseloads", paths.caseloads, dirs_exist_ok=True)
    shutil.copytree(REPO / "data" / "raw" / "surveys", paths.raw / "surveys", dirs_exist_ok=True)
    (paths.raw / "star").mkdir(exist_ok=True)  # a user's y30r21 API answer (issue 25)
    shutil.copy(REPO / "tests" / "fixtures" / "data" / "jobindsats_api_y30r21.json", paths.star)
    (paths.reports / "previous-report.html").write_text("<p>old report</p>", encoding="utf-8")
    report = prepare(paths)
    assert report.ok and {t.status for t in report.tables} == {"written"}, report.summary()
    return Prepared(paths, {f: f.read_bytes() for f in paths.raw.rglob("*") if f.is_file()})


def _restore(state: Prepared) -> None:
    """Put the raw folder back as it was (remove added files, rewrite changed ones)."""
    raw = state.paths.raw
    for path in sorted(raw.rglob("*"), reverse=True):
        if path in state.raw:
            continue
        if path.is_file():
            path.unlink()
        elif path.is_dir() and not any(q.is_relative_to(path) for q in state.raw):
            shutil.rmtree(path)
    for path, data in state.raw.items():
        if path.is_dir():
            shutil.rmtree(path)
        path.write_bytes(data)


def _state(paths: ProjectPaths) -> tuple[dict[str, bytes], dict, list[tuple[str, bytes]]]:
    parquet = {name: paths.processed_file(name).read_bytes() for name in TABLE_NAMES}
    manifest = json.loads(paths.manifest.read_text(encoding="utf-8"))
    reports = [(str(p), p.read_bytes()) for p in sorted(paths.reports.rglob("*")) if p.is_file()]
    return parquet, manifest, reports


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_leaves_processed_data_untouched(prepared: Prepared, case: str) -> None:
    hostile = CASES[case]
    paths = prepared.paths
    parquet, manifest, reports = _state(paths)
    try:
        broken = hostile.break_input(paths)
        report = prepare(paths)
        status = {t.name: t for t in report.tables}
        assert not report.ok
        assert {n for n, t in status.items() if t.status == "failed"} == set(hostile.failing)
        for name in hostile.failing:
            error = status[name].error or ""
            assert hostile.message in error, error[:500]
            if "reference: a renamed" not in case:
                assert str(broken) in error, error[:500]
        after_parquet, after_manifest, after_reports = _state(paths)
        for name in TABLE_NAMES:
            if name in hostile.rewritten:
                assert status[name].status == "written"
            else:
                assert after_parquet[name] == parquet[name], name
                assert after_manifest[name] == manifest[name], name
        assert after_reports == reports
        leftovers = [p.name for p in paths.processed.iterdir() if p.name.startswith(".")]
        assert not leftovers and not list(paths.processed.glob("*.partial"))
    finally:
        _restore(prepared)
    again = prepare(paths)
    assert again.ok, again.summary()
    assert _state(paths)[0] == parquet  # nothing was lost


def test_command_line_reports_the_error_and_exits_1(prepared: Prepared) -> None:
    paths = prepared.paths
    before = paths.processed_file("jobindsats").read_bytes()
    try:
        CASES["snapshot: NaN literal"].break_input(paths)
        done = subprocess.run(
            [sys.executable, "-m", "analysis", "prepare"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        _restore(prepared)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "NaN is not valid JSON" in done.stdout
    assert "their previous processed tables were left untouched" in done.stdout
    assert paths.processed_file("jobindsats").read_bytes() == before
