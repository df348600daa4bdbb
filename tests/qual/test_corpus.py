"""Corpus model and loaders: offsets with æ/ø/å and CRLF, encodings, docx, quote tables."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.qual.corpus import (
    load_corpus,
    load_docx_source,
    load_quote_table,
    load_source_folder,
    load_text_source,
    select_sources,
    write_quote_table,
    write_source_folder,
)
from analysis.qual.offsets import content_hash, newline_offset_map, normalise_newlines
from analysis.qual.spreadsheet import read_table

DANISH = (
    "Første afsnit om sagsstammen.\r\nAndet linje med æble.\r\n\r\nSidste afsnit: på gensyn, Åse."
)


def test_crlf_is_normalised_and_offsets_count_code_points(tmp_path):
    path = tmp_path / "interview.txt"
    path.write_bytes(DANISH.encode("utf-8"))
    corpus = load_text_source(path, "i1")
    text = corpus.text("i1")
    assert "\r" not in text
    assert (
        text
        == "Første afsnit om sagsstammen.\nAndet linje med æble.\n\nSidste afsnit: på gensyn, Åse."
    )
    segments = corpus.segments
    assert list(segments["text"]) == [
        "Første afsnit om sagsstammen.\nAndet linje med æble.",
        "Sidste afsnit: på gensyn, Åse.",
    ]
    # "Første" has 6 code points (7 UTF-8 bytes); the second paragraph starts after
    # 29 + 1 + 21 + 2 = 53 characters of LF text
    assert segments["start"].tolist() == [0, 53]
    assert segments["end"].tolist() == [51, 83]
    assert text[53:83] == "Sidste afsnit: på gensyn, Åse."


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
)
def test_text_sources_in_every_encoding_give_the_same_text_and_hash(tmp_path, encoding, prefix):
    path = tmp_path / "x.txt"
    path.write_bytes(prefix + DANISH.encode(encoding))
    corpus = load_text_source(path, "x")
    expected = normalise_newlines(DANISH)
    assert corpus.text("x") == expected
    assert corpus.sources["content_hash"].iloc[0] == content_hash(expected)
    assert content_hash(DANISH) == content_hash(expected)  # the hash is of the LF text


def test_newline_offset_map_moves_positions_after_each_crlf():
    raw = "ab\r\ncd\r\nef"
    mapping = newline_offset_map(raw)
    lf = normalise_newlines(raw)
    assert lf == "ab\ncd\nef"
    assert mapping[raw.index("c")] == lf.index("c") == 3
    assert mapping[raw.index("e")] == lf.index("e") == 6
    assert mapping[len(raw)] == len(lf)


def test_docx_paragraphs_become_segments(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Interviewer: Hvordan går det?")
    document.add_paragraph("")
    document.add_paragraph("Borger: Det går bedre nu, jeg kan få fat på min sagsbehandler.")
    path = tmp_path / "Interview Åse.docx"
    document.save(path)
    corpus = load_docx_source(path)
    assert corpus.sources["source_id"].tolist() == ["interview-aase"]
    assert corpus.segments["text"].tolist() == [
        "Interviewer: Hvordan går det?",
        "Borger: Det går bedre nu, jeg kan få fat på min sagsbehandler.",
    ]


def _write_quotes(path, rows):
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_quote_table_builds_sources_with_blank_line_separators(tmp_path):
    path = _write_quotes(
        tmp_path / "quotes.csv",
        [
            {
                "source_id": "s1",
                "quote": "Første citat på ø.",
                "role": "borger",
                "municipality_code": "København",
            },
            {
                "source_id": "s1",
                "quote": "Andet citat.",
                "role": "borger",
                "municipality_code": "København",
            },
            {"source_id": "s2", "quote": "Tredje.", "role": "leder", "municipality_code": ""},
        ],
    )
    corpus = load_quote_table(path)
    assert corpus.text("s1") == "Første citat på ø.\n\nAndet citat."
    seg = corpus.segments.set_index("segment_id")
    assert (seg.loc["s1-002", "start"], seg.loc["s1-002", "end"]) == (20, 32)
    assert corpus.sources.set_index("source_id").loc["s1", "municipality_code"] == 101
    assert pd.isna(corpus.sources.set_index("source_id").loc["s2", "municipality_code"])


def test_quote_table_errors_name_file_row_and_column(tmp_path):
    path = _write_quotes(
        tmp_path / "bad.csv",
        [
            {"source_id": "s1", "quote": "ok", "role": "borger", "period": "foer"},
            {"source_id": "s1", "quote": "ok too", "role": "leder", "period": "foer"},
            {"source_id": "s2", "quote": "", "role": "chef", "period": "senere"},
        ],
    )
    with pytest.raises(InputError) as info:
        load_quote_table(path)
    text = str(info.value)
    assert "bad.csv, row 3, column 'role': source s1 has another value on row 2" in text
    assert "bad.csv, row 4, column 'quote': empty quote" in text
    assert "bad.csv, row 4, column 'role': unknown value" in text
    assert "bad.csv, row 4, column 'period': unknown value" in text


def test_formula_cells_are_text_and_neutralised_on_export(tmp_path):
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["source_id", "quote", "role"])
    sheet.append(["s1", '=HYPERLINK("http://example.invalid","klik")', "borger"])
    sheet.append(["s1", "@SUM(A1:A2)", "borger"])
    path = tmp_path / "quotes.xlsx"
    book.save(path)
    corpus = load_quote_table(path)
    assert corpus.segments["text"].tolist() == [
        '=HYPERLINK("http://example.invalid","klik")',
        "@SUM(A1:A2)",
    ]
    for suffix in ("csv", "xlsx"):
        out = write_quote_table(corpus, tmp_path / f"export.{suffix}")
        if suffix == "csv":
            raw = out.read_text(encoding="utf-8")
            assert "'=HYPERLINK" in raw and "'@SUM" in raw
        else:
            cells = [c.value for row in load_workbook(out).active.iter_rows() for c in row]
            assert '\'=HYPERLINK("http://example.invalid","klik")' in cells
            assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
        again = load_quote_table(out)  # the guard is removed again on reading
        assert again.segments["text"].tolist() == corpus.segments["text"].tolist()


def test_source_folder_round_trip(tmp_path, tiny_corpus):
    write_source_folder(tiny_corpus, tmp_path / "folder")
    again = load_source_folder(tmp_path / "folder")
    assert again.texts() == tiny_corpus.texts()
    left = again.sources.set_index("source_id")[["municipality_code", "role", "period"]]
    right = tiny_corpus.sources.set_index("source_id")[["municipality_code", "role", "period"]]
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    assert load_corpus(tmp_path / "folder").texts() == tiny_corpus.texts()


def test_select_sources_by_municipality(tiny_corpus):
    chosen, scope = select_sources(tiny_corpus, 101)
    assert scope == "municipality" and sorted(chosen.sources["source_id"]) == ["a", "b"]
    assert set(chosen.segments["source_id"]) == {"a", "b"}
    none, scope = select_sources(tiny_corpus, 147)
    assert scope == "empty" and len(none) == 0
    every, scope = select_sources(tiny_corpus, 147, fallback_to_all=True)
    assert scope == "fallback" and len(every) == 3


def test_read_table_reads_semicolon_cp1252_csv(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("id;text\r\n1;Sagsbehandleren så på økonomien\r\n".encode("cp1252"))
    table = read_table(path)
    assert table.to_dict("records") == [{"id": "1", "text": "Sagsbehandleren så på økonomien"}]


def test_quote_table_counts_every_problem_past_the_cap(tmp_path):
    """Before: reading stopped after 201 problems and the summary said "201 problem(s)"."""
    rows = [{"source_id": f"s{i}", "quote": "x", "role": "chef"} for i in range(300)]
    path = _write_quotes(tmp_path / "bad.csv", rows)
    with pytest.raises(InputError) as info:
        load_quote_table(path)
    text = str(info.value)
    assert text.startswith(f"300 problem(s) in {path}")
    assert text.endswith("... and 280 more problem(s) not listed")
