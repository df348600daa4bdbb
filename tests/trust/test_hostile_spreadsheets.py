"""Hostile spreadsheets: formula-like cells, formulas with planted cached values, damaged
and oversized .xlsx files, XML tricks inside them, and the exports that must neutralise
formulas. See docs/trust.md.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from analysis.data.caseloads import read_caseload_panel
from analysis.data.jobindsats import read_jobindsats_export
from analysis.errors import AnalysisError, InputError
from analysis.qual.codebook import parse_codebook
from analysis.qual.codings import validate_codings, write_codings
from analysis.qual.corpus import load_quote_table, write_quote_table, write_source_folder
from analysis.qual.spreadsheet import FORMULA_TRIGGERS, read_table

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "qual"))
from qualtest_helpers import TINY_CODEBOOK, tiny_corpus_from  # noqa: E402

FORMULA_LIKE = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-2+3",
    "=1+1",
]
SHEET = "xl/worksheets/sheet1.xml"


def assert_input_error(exc: BaseException, path: Path, *phrases: str) -> None:
    assert isinstance(exc, InputError), f"{type(exc).__name__}: {exc}"
    text = str(exc)
    assert str(path) in text, f"the message does not name {path}: {text[:300]}"
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in {text[:400]}"


def workbook(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def rewrite_member(path: Path, member: str, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite one part of an .xlsx (a zip archive of XML)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def plant_cached_value(path: Path, value: str = "99") -> Path:
    """Give every formula a cached result, as if a program had computed it. A reader that
    asks openpyxl for cached values (``data_only=True``) would see ``value``."""
    return rewrite_member(
        path, SHEET, lambda xml: xml.replace(b"<v></v>", f"<v>{value}</v>".encode())
    )


def test_planted_cached_value_is_what_data_only_would_read(tmp_path: Path) -> None:
    """The fixture does what it claims: openpyxl's cached-value mode reads 99."""
    path = plant_cached_value(workbook(tmp_path / "f.xlsx", [["a"], ["=1+1"]]))
    assert load_workbook(path, data_only=True).active["A2"].value == 99
    assert load_workbook(path, data_only=False).active["A2"].value == "=1+1"


# --- formula-like cells are read as text, formulas are never evaluated -------------------------


def test_quote_table_reads_formula_like_cells_as_plain_text(tmp_path: Path) -> None:
    rows = [["source_id", "quote", "name"]] + [["s1", q, "=NAME()"] for q in FORMULA_LIKE]
    path = plant_cached_value(workbook(tmp_path / "quotes.xlsx", rows))
    corpus = load_quote_table(path)
    assert list(corpus.segments["text"]) == FORMULA_LIKE
    assert list(corpus.sources["name"]) == ["=NAME()"]
    table = read_table(path)
    assert "99" not in set(table["quote"]) | set(table["name"])
    text = tmp_path / "quotes.csv"
    pd.DataFrame(rows[1:], columns=rows[0]).to_csv(text, index=False)
    assert list(load_quote_table(text).segments["text"]) == FORMULA_LIKE


def test_caseload_formula_reads_its_saved_value_and_formula_like_text_is_kept(
    tmp_path: Path,
) -> None:
    """A formula in a number column is read as the value saved with the workbook (what
    Excel shows); a formula saved without a value is an error naming the cell (before the
    fix it was read as missing); text that merely looks like a formula stays text."""
    header = ["municipality_code", "unit", "period", "caseload", "staff_sick_days"]
    rows = [
        header,
        [101, "+cmd|' /C calc'!A0", "2024-01", 20.0, "=1+1"],
        [101, "@SUM(1)", "2024-01", 21.0, 1.0],
    ]
    unsaved = workbook(tmp_path / "panel.xlsx", rows)
    with pytest.raises(Exception) as info:
        read_caseload_panel(unsaved)
    assert_input_error(
        info.value, unsaved, "row 2, column 'staff_sick_days'", "saved without its value", "=1+1"
    )
    saved = plant_cached_value(workbook(tmp_path / "saved.xlsx", rows), "2.5")
    panel = read_caseload_panel(saved)
    assert panel.loc[panel["unit"].str.startswith("+"), "staff_sick_days"].item() == 2.5
    assert sorted(panel["unit"]) == ["+cmd|' /C calc'!A0", "@SUM(1)"]


def test_jobindsats_formula_without_saved_value_is_refused_not_read_as_suppressed(
    tmp_path: Path,
) -> None:
    """Before the fix a formula cell without a saved value became NaN, indistinguishable
    from a suppressed value. With a saved value it is read as that value."""
    rows = [["Antal personer"], [], ["Område", "2026M03", "2026M04"], ["København", 5, "=1+1"]]
    path = workbook(tmp_path / "plain.xlsx", rows)
    with pytest.raises(Exception) as info:
        read_jobindsats_export(path)
    assert_input_error(
        info.value, path, "row 4, column '2026M04'", "saved without its value", "=1+1"
    )
    saved = plant_cached_value(workbook(tmp_path / "saved.xlsx", rows), "7")
    table = read_jobindsats_export(saved)
    assert table.loc[table["period"].astype(str) == "2026-04", "value"].item() == 7.0


# --- exports neutralise formulas ------------------------------------------------------------------

TRIGGERED_TEXT = st.builds(
    lambda trigger, body: trigger + body,
    st.sampled_from(["=", "+", "-", "@"]),
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\x85"
        ),
        max_size=40,
    ).map(str.strip),
)


def _csv_cells(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _xlsx_cells(path: Path) -> list[object]:
    book = load_workbook(path, data_only=False)
    return [cell.value for row in book.active.iter_rows() for cell in row]


@settings(max_examples=30, deadline=None)
@given(quotes=st.lists(TRIGGERED_TEXT, min_size=1, max_size=4), name=TRIGGERED_TEXT)
def test_quote_exports_neutralise_every_formula(quotes: list[str], name: str) -> None:
    """Every exported cell that a spreadsheet would run (leading = + - @ tab CR) gets a
    leading apostrophe, the .xlsx holds no formula element, and reading the export back
    gives the original text."""
    corpus = tiny_corpus_from({"s1": quotes}, {"s1": {"name": name}})
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".csv", ".xlsx"):
            path = write_quote_table(corpus, Path(folder) / f"quotes{suffix}")
            cells = _csv_cells(path) if suffix == ".csv" else _xlsx_cells(path)
            texts = [c for c in cells if isinstance(c, str)]
            assert not [c for c in texts if c.startswith(FORMULA_TRIGGERS)], texts
            for value in [*quotes, name]:
                assert "'" + value in texts
            if suffix == ".xlsx":
                with zipfile.ZipFile(path) as archive:
                    assert b"<f>" not in archive.read(SHEET)
            back = load_quote_table(path)
            assert list(back.segments["text"]) == quotes
            assert list(back.sources["name"]) == [name]


def test_codings_and_source_folder_exports_neutralise_formulas(tmp_path: Path) -> None:
    codebook = parse_codebook(TINY_CODEBOOK, "tiny.yaml")
    corpus = tiny_corpus_from({"a": ["Lederne bestemmer alt."]}, {"a": {"name": "=cmd()"}})
    table = pd.DataFrame(
        {
            "source": ["a"],
            "start": ["0"],
            "end": ["7"],
            "code": ["ledelse"],
            "coder": ["dev_a"],
            "memo": ['=HYPERLINK("http://x","y")'],
        }
    )
    codings = validate_codings(table, corpus, codebook)
    path = write_codings(codings, tmp_path / "codings.csv")
    assert '\'=HYPERLINK("http://x","y")' in _csv_cells(path)
    assert read_table(path)["memo"].tolist() == ['=HYPERLINK("http://x","y")']
    folder = write_source_folder(corpus, tmp_path / "folder")
    assert "'=cmd()" in _csv_cells(folder / "sources.csv")


# --- damaged, oversized and XML-tricked workbooks ------------------------------------------------

XLSX_LOADERS = {
    "caseloads": read_caseload_panel,
    "jobindsats": read_jobindsats_export,
    "quotes": load_quote_table,
}


def _valid_xlsx(folder: Path) -> bytes:
    rows = [
        ["Antal"],
        [],
        ["Område", "2024M01"],
        ["København", 1],
    ]
    return workbook(folder / "valid.xlsx", rows).read_bytes()


@pytest.mark.parametrize("name", list(XLSX_LOADERS))
@settings(max_examples=25, deadline=None)
@given(
    flips=st.lists(st.tuples(st.floats(0, 0.999), st.integers(0, 255)), min_size=1, max_size=4),
    cut=st.one_of(st.none(), st.floats(0.0, 0.999)),
)
def test_damaged_workbooks_give_input_errors(
    name: str, flips: list[tuple[float, int]], cut: float | None
) -> None:
    """Random byte changes and truncation (zlib errors, unsupported compression, bad zip
    versions, broken XML) used to escape as zlib.error, NotImplementedError, EOFError or
    ValueError tracebacks from the caseload and Jobindsats readers."""
    with tempfile.TemporaryDirectory() as folder:
        data = bytearray(_valid_xlsx(Path(folder)))
        for where, value in flips:
            data[int(where * len(data))] = value
        if cut is not None:
            data = data[: int(cut * len(data))]
        path = Path(folder) / "damaged.xlsx"
        path.write_bytes(bytes(data))
        try:
            XLSX_LOADERS[name](path)
        except Exception as exc:  # the kind is checked
            assert_input_error(exc, path)


@pytest.mark.parametrize("name", list(XLSX_LOADERS))
def test_huge_comment_is_refused_at_once(tmp_path: Path, name: str) -> None:
    """An 86 kB workbook whose sheet held an 80 MB XML comment kept the caseload reader
    busy for 198 s (a 300 kB one: hours), because expat re-scans a token that spans many
    read chunks. A comment (or DOCTYPE) is now refused before openpyxl parses anything."""
    path = workbook(tmp_path / "comment.xlsx", [["Område", "2024M01"], ["København", 1]])
    rewrite_member(path, SHEET, lambda xml: xml.replace(b"<sheetData>", b"<sheetData><!-- x -->"))
    with pytest.raises(Exception) as info:
        XLSX_LOADERS[name](path)
    assert_input_error(info.value, path, "DOCTYPE, comment, CDATA section or processing")


def test_huge_text_token_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "token.xlsx", [["Område", "2024M01"], ["København", 1]])
    padding = b" " * (5 * 1024 * 1024)
    rewrite_member(path, SHEET, lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding))
    for loader in XLSX_LOADERS.values():
        with pytest.raises(Exception) as info:
            loader(path)
        assert_input_error(info.value, path, "a single text or tag longer than")


def _declare_size(path: Path, member: str, size: int) -> Path:
    """Patch a member's uncompressed size in the zip's central directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02" + b"\x00" * 0, data.rfind(b"PK\x05\x06") - 10_000)
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + 24, size)
            path.write_bytes(bytes(data))
            return path
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{member} not in the central directory")


def test_zip_bomb_workbook_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    path = workbook(tmp_path / "bomb.xlsx", [["Område", "2024M01"], ["København", 1]])
    _declare_size(path, SHEET, 3 * 1024**3)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo(SHEET).file_size == 3 * 1024**3
    for loader in XLSX_LOADERS.values():
        with pytest.raises(Exception) as info:
            loader(path)
        assert_input_error(info.value, path, "unpacks to 3221225472 bytes")


def test_member_larger_than_declared_is_refused(tmp_path: Path) -> None:
    """A header that under-states the size: zipfile stops at the declared size, so the
    data fail their checksum; the readers say the part is damaged."""
    path = workbook(tmp_path / "liar.xlsx", [["Område", "2024M01"], ["København", 1]])
    _declare_size(path, SHEET, 10)
    for loader in XLSX_LOADERS.values():
        with pytest.raises(Exception) as info:
            loader(path)
        assert_input_error(info.value, path, "damaged")


def test_external_entity_in_a_workbook_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "xxe.xlsx", [["source_id", "quote"], ["s1", "PLACEHOLDER"]])
    doctype = b'<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    rewrite_member(
        path,
        SHEET,
        lambda xml: re.sub(rb"(<worksheet)", doctype + rb"\1", xml, count=1).replace(
            b"PLACEHOLDER", b"&e;"
        ),
    )
    for loader in XLSX_LOADERS.values():
        with pytest.raises(Exception) as info:
            loader(path)
        assert_input_error(info.value, path, "DOCTYPE")
        assert "root:" not in str(info.value)


def test_quote_sheet_header_problems_are_refused(tmp_path: Path) -> None:
    """Duplicate column names used to crash with AttributeError; values under columns
    without a name became a source attribute named "" (and of two, one was lost)."""
    duplicate = workbook(tmp_path / "dup.xlsx", [["source_id", "quote", "quote"], ["s1", "a", "b"]])
    with pytest.raises(Exception) as info:
        load_quote_table(duplicate)
    assert_input_error(info.value, duplicate, "duplicate column names", "quote")
    unnamed = workbook(
        tmp_path / "unnamed.xlsx", [["source_id", "quote"], ["s1", "a", "LOST", "LOST"]]
    )
    with pytest.raises(Exception) as info:
        load_quote_table(unnamed)
    assert_input_error(info.value, unnamed, "a column has values but no name", "column 'C'")


def test_ten_megabyte_cell_is_refused_and_an_excel_sized_one_read(tmp_path: Path) -> None:
    """openpyxl cannot write such cells (it keeps 32,767 characters), so the sheet XML is
    edited. A 10 MB cell is refused before parsing (one token that large costs expat
    quadratic time; Excel cells hold at most 32,767 characters); 1 MB is read in full."""
    for size, refused in ((10 * 1024 * 1024, True), (1024 * 1024, False)):
        big = "æ" + "x" * size
        path = workbook(
            tmp_path / f"big{size}.xlsx", [["source_id", "quote"], ["s1", "PLACEHOLDER"]]
        )
        rewrite_member(path, SHEET, lambda xml, big=big: xml.replace(b"PLACEHOLDER", big.encode()))
        if refused:
            with pytest.raises(Exception) as info:
                load_quote_table(path)
            assert_input_error(info.value, path, "a single text or tag longer than 4194304 bytes")
        else:
            assert load_quote_table(path).segments["text"].tolist() == [big]


def test_xlsx_export_refuses_what_a_cell_cannot_hold(tmp_path: Path) -> None:
    """openpyxl cut a 40,000-character quote to 32,767 characters without a word and
    raised its own IllegalCharacterError for a control character; both are now a clear
    error that suggests CSV, and nothing is written."""
    for quote, message in (("y" * 40_000, "40000 characters"), ("bell\x07", "a control character")):
        corpus = tiny_corpus_from({"s1": [quote]})
        target = tmp_path / "quotes.xlsx"
        with pytest.raises(AnalysisError) as info:
            write_quote_table(corpus, target)
        assert str(target) in str(info.value) and "column 'quote'" in str(info.value)
        assert message in str(info.value) and "write a .csv file instead" in str(info.value)
        assert not target.exists() and not list(tmp_path.glob(".quotes.xlsx.*"))
        csv_copy = write_quote_table(corpus, tmp_path / "quotes.csv")
        assert load_quote_table(csv_copy).segments["text"].tolist() == [quote]


def test_csv_export_quotes_a_cell_with_a_carriage_return(tmp_path: Path) -> None:
    """Python's csv writer quotes only the characters of the line terminator ("\\n"): a bare
    CR inside a text was written unquoted, so Excel (and any CSV reader) started a new row
    there, and a formula after the CR escaped the neutralisation."""
    from analysis.qual.spreadsheet import write_csv

    frame = pd.DataFrame({"a": ["\t=1+1", "\r=1+1", "x\r=1+1", "ok"]})
    path = write_csv(frame, tmp_path / "t.csv")
    cells = _csv_cells(path)
    assert cells == ["a", "'\t=1+1", "'\r=1+1", "x\r=1+1", "ok"]
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    assert read_table(path)["a"].tolist() == ["\t=1+1", "\r=1+1", "x\r=1+1", "ok"]


def test_csv_export_of_formula_like_text_reads_back_exactly(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": FORMULA_LIKE})
    from analysis.qual.spreadsheet import write_csv, write_xlsx

    for path in (write_csv(frame, tmp_path / "f.csv"), write_xlsx(frame, tmp_path / "f.xlsx")):
        assert read_table(path)["a"].tolist() == FORMULA_LIKE
    raw = io.StringIO((tmp_path / "f.csv").read_text(encoding="utf-8"))
    assert [row[0] for row in csv.reader(raw)][1:] == ["'" + v for v in FORMULA_LIKE]
