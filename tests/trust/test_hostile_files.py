"""Hostile and broken files for every loader: random bytes, empty files, a folder where a
file is expected, truncated valid files.

The rule (docs/conventions.md): bad input gives an ``InputError`` that names the file;
a traceback of any other exception is a bug. See docs/trust.md for the table of results.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.benchmark.clusters import load_clusters, read_partition_file
from analysis.benchmark.klk import load_klk_table
from analysis.benchmark.savings import load_costs
from analysis.data.caseloads import read_caseload_panel
from analysis.data.jobindsats import load_snapshot, read_jobindsats_export
from analysis.data.reference import load_municipalities
from analysis.data.statbank import read_statbank_csv
from analysis.errors import InputError
from analysis.qual.codebook import load_codebook, parse_codebook
from analysis.qual.codings import load_codings
from analysis.qual.corpus import (
    load_docx_source,
    load_quote_table,
    load_text_source,
    write_quote_table,
)
from analysis.qual.refi import codebook_qdc, import_qdc, import_qdpx

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "qual"))
from qualtest_helpers import TINY_CODEBOOK, fixture_qdpx, tiny_corpus_from  # noqa: E402

CODEBOOK = parse_codebook(TINY_CODEBOOK, "tiny.yaml")
CORPUS = tiny_corpus_from({"a": ["Med lavere sagsstamme får jeg mere tid."]})
RAW = REPO / "data" / "raw"
FIXTURES = REPO / "tests" / "fixtures"

#: name -> (loader, file suffix)
LOADERS: dict[str, tuple[Callable[[Path], object], str]] = {
    "statbank": (read_statbank_csv, ".csv"),
    "jobindsats_csv": (read_jobindsats_export, ".csv"),
    "jobindsats_xlsx": (read_jobindsats_export, ".xlsx"),
    "snapshot": (load_snapshot, ".json"),
    "caseload_csv": (read_caseload_panel, ".csv"),
    "caseload_xlsx": (read_caseload_panel, ".xlsx"),
    "caseload_parquet": (read_caseload_panel, ".parquet"),
    "reference": (load_municipalities, ".csv"),
    "quotes_csv": (load_quote_table, ".csv"),
    "quotes_xlsx": (load_quote_table, ".xlsx"),
    "text": (load_text_source, ".txt"),
    "docx": (load_docx_source, ".docx"),
    "codebook": (load_codebook, ".yaml"),
    "codings": (lambda p: load_codings(p, CORPUS, CODEBOOK), ".csv"),
    "qdc": (import_qdc, ".qdc"),
    "qdpx": (import_qdpx, ".qdpx"),
    "clusters": (load_clusters, ".yaml"),
    "partition_csv": (read_partition_file, ".csv"),
    "partition_yaml": (read_partition_file, ".yaml"),
    "klk": (load_klk_table, ".csv"),
    "costs": (load_costs, ".yaml"),
}

#: What each loader says about an empty file (``None``: an empty file is valid).
EMPTY_MESSAGES = {
    "statbank": "the file is empty",
    "jobindsats_csv": "no table header found",
    "jobindsats_xlsx": "cannot open as an Excel workbook",
    "snapshot": "malformed JSON",
    "caseload_csv": "the file is empty",
    "caseload_xlsx": "cannot read as an Excel workbook",
    "caseload_parquet": "cannot read as Parquet",
    "reference": "No columns to parse",
    "quotes_csv": "the file is empty",
    "quotes_xlsx": "cannot read as XLSX",
    "text": None,  # an empty interview: one source without segments
    "docx": "cannot read as .docx",
    "codebook": "must be a mapping with 'version' and 'codes'",
    "codings": "the file is empty",
    "qdc": "not well-formed XML",
    "qdpx": "not a zip archive",
    "clusters": None,  # an empty clusters.yaml: built-in groups only
    "partition_csv": "empty file",
    "partition_yaml": "expected a mapping municipality: cluster",
    "klk": "No columns to parse",
    "costs": "expected a 'benefits' mapping",
}

#: What each loader says about a folder where its file should be.
FOLDER_MESSAGES = {
    "statbank": "Is a directory",
    "jobindsats_csv": "Is a directory",
    "jobindsats_xlsx": "Is a directory",
    "snapshot": "Is a directory",
    "caseload_csv": "file not found",
    "caseload_xlsx": "file not found",
    "caseload_parquet": "file not found",
    "reference": "Is a directory",
    "quotes_csv": "file not found",
    "quotes_xlsx": "file not found",
    "text": "Is a directory",
    "docx": "cannot read as .docx",
    "codebook": "Is a directory",
    "codings": "file not found",
    "qdc": "Is a directory",
    "qdpx": "Is a directory",
    "clusters": "cluster file not found",
    "partition_csv": "Is a directory",
    "partition_yaml": "Is a directory",
    "klk": "Is a directory",
    "costs": "Is a directory",
}


def assert_input_error(exc: BaseException, path: Path, *phrases: str) -> None:
    """The error is an InputError that names the file and says the given things."""
    assert isinstance(exc, InputError), f"{type(exc).__name__}: {exc}"
    text = str(exc)
    assert str(path) in text, f"the message does not name {path}: {text[:300]}"
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in {text[:300]}"


def load_or_error(loader: Callable[[Path], object], path: Path) -> BaseException | None:
    """Run a loader; return the exception it raised (any kind), None on success."""
    try:
        loader(path)
    except Exception as exc:  # the tests check the kind
        return exc
    return None


@pytest.mark.parametrize("name", list(LOADERS))
def test_empty_file_gives_a_clear_error(tmp_path: Path, name: str) -> None:
    loader, suffix = LOADERS[name]
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    error = load_or_error(loader, path)
    if EMPTY_MESSAGES[name] is None:
        assert error is None
    else:
        assert_input_error(error, path, EMPTY_MESSAGES[name])


@pytest.mark.parametrize("name", list(LOADERS))
def test_folder_where_a_file_is_expected(tmp_path: Path, name: str) -> None:
    loader, suffix = LOADERS[name]
    path = tmp_path / f"folder{suffix}"
    path.mkdir()
    (path / "inside.txt").write_text("x", encoding="utf-8")
    assert_input_error(load_or_error(loader, path), path, FOLDER_MESSAGES[name])


HOSTILE_BYTES = st.one_of(
    st.binary(max_size=3000),
    st.binary(max_size=1000).map(lambda b: b"PK\x03\x04" + b),  # zip-looking
    st.binary(max_size=1000).map(lambda b: b"\xef\xbb\xbf" + b),  # UTF-8 BOM, then anything
    st.binary(max_size=1000).map(lambda b: b"\xff\xfe" + b),  # UTF-16 BOM, then anything
    st.text(max_size=1000).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@pytest.mark.parametrize("name", list(LOADERS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=HOSTILE_BYTES)
def test_random_bytes_never_crash(name: str, data: bytes) -> None:
    loader, suffix = LOADERS[name]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"random{suffix}"
        path.write_bytes(data)
        error = load_or_error(loader, path)
        if error is not None:
            assert_input_error(error, path)


# --- truncated valid files ------------------------------------------------------------------


def _valid_files(folder: Path) -> dict[str, Path]:
    """One valid file per loader (copies of real data and fixtures)."""
    folder.mkdir(parents=True, exist_ok=True)
    caseloads = (RAW / "caseloads" / "simulated_caseloads.csv").read_text(encoding="utf-8")
    files = {
        "statbank": FIXTURES / "data" / "statbank_bulk.csv",
        "jobindsats_csv": FIXTURES / "data" / "jobindsats_long.csv",
        "jobindsats_xlsx": FIXTURES / "data" / "jobindsats_ordinary_hours.xlsx",
        "caseload_xlsx": FIXTURES / "caseloads" / "municipal_export.xlsx",
        "reference": RAW / "reference" / "municipalities.csv",
        "quotes_csv": RAW / "interviews" / "quotes.csv",
        "codebook": RAW / "codebook.yaml",
        "klk": RAW / "benchmark" / "klk_aabenraa_2012.csv",
        "costs": RAW / "benchmark" / "costs.yaml",
        "clusters": RAW / "reference" / "clusters.yaml",
    }
    out = {
        name: Path(shutil.copy2(path, folder / f"{name}{path.suffix}"))
        for name, path in files.items()
    }
    out["caseload_csv"] = folder / "caseload_csv.csv"
    out["caseload_csv"].write_text("".join(caseloads.splitlines(True)[:60]), encoding="utf-8")
    out["caseload_parquet"] = folder / "caseload_parquet.parquet"
    pd.read_csv(out["caseload_csv"]).to_parquet(out["caseload_parquet"])
    out["text"] = folder / "text.txt"
    out["text"].write_text("Første afsnit.\n\nAndet afsnit om sagsstammen.\n", encoding="utf-8")
    out["codings"] = folder / "codings.csv"
    out["codings"].write_text(
        "source,start,end,code,coder,memo\na,0,10,sagsstamme,dev_a,\na,11,20,ledelse,dev_b,\n",
        encoding="utf-8",
    )
    out["qdc"] = folder / "qdc.qdc"
    out["qdc"].write_bytes(codebook_qdc(CODEBOOK))
    out["qdpx"] = fixture_qdpx(folder, "crlf_chars.qde", "crlf_source.txt")
    out["partition_csv"] = folder / "partition_csv.csv"
    out["partition_csv"].write_text("municipality,cluster\n101,a\n147,a\n580,b\n", encoding="utf-8")
    out["partition_yaml"] = folder / "partition_yaml.yaml"
    out["partition_yaml"].write_text("København: a\nFrederiksberg: a\n580: b\n", encoding="utf-8")
    out["quotes_xlsx"] = write_quote_table(
        load_quote_table(out["quotes_csv"]), folder / "quotes_xlsx.xlsx"
    )
    out["snapshot"] = folder / "snapshot.json"
    shutil.copy2(RAW / "jobindsats" / "dashboard-data-2026-08-22.json", out["snapshot"])
    return out


TRUNCATABLE = [n for n in LOADERS if n != "docx"]


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _valid_files(tmp_path_factory.mktemp("valid"))


def _rows(result: object) -> int:
    """A size of what a loader returned, to compare a truncated file with the whole."""
    if isinstance(result, pd.DataFrame):
        return len(result)
    for attribute in ("sources", "codes"):  # Corpus, Codebook
        if hasattr(result, attribute):
            return len(getattr(result, attribute))
    if hasattr(result, "corpus"):  # ImportResult
        return len(result.codings)
    return len(result) if hasattr(result, "__len__") else 0


def test_every_valid_file_loads(valid: dict[str, Path]) -> None:
    """The baseline the truncation test starts from."""
    for name in TRUNCATABLE:
        loader, _ = LOADERS[name]
        assert load_or_error(loader, valid[name]) is None, name


@pytest.mark.parametrize("name", TRUNCATABLE)
@settings(max_examples=15, deadline=None)
@given(cut=st.floats(min_value=0.0, max_value=0.999))
def test_truncated_valid_file_is_refused_or_a_prefix(
    valid: dict[str, Path], name: str, cut: float
) -> None:
    """A file cut anywhere gives an InputError naming it, or (cut at a record boundary)
    loads with no more rows than the whole file: never a traceback."""
    loader, suffix = LOADERS[name]
    whole = valid[name].read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"cut{suffix}"
        path.write_bytes(whole[: int(len(whole) * cut)])
        try:
            result = loader(path)
        except Exception as exc:  # the kind is checked
            assert_input_error(exc, path)
        else:
            assert _rows(result) <= _rows(loader(valid[name]))
