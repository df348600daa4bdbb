"""Policy documents as sources: their attributes, counted apart from persons, compared with
the interviews, and carried through REFI-QDA (issue 15, item 1)."""

from __future__ import annotations

import pandas as pd
import pytest
from qualtest_helpers import TINY_CODEBOOK, tiny_corpus_from

from analysis.errors import InputError
from analysis.qual.corpus import load_quote_table, write_quote_table
from analysis.qual.count_rule import load_count_rule
from analysis.qual.summaries import (
    attribute_summary,
    code_frequencies,
    document_passages,
    document_sources,
    documents_vs_interviews,
    is_person,
    person_sources,
    quantitize,
    report_table,
    theme_prevalence,
)

CODES = ["sagsstamme", "borgerrelation", "ledelse"]
_PERSON = {"municipality_code": 101, "role": "sagsbehandler", "source_type": "interview"}
_DOC = {"municipality_code": 101, "source_type": "dokument"}


def _mixed_corpus():
    """Two interviews and three documents of one municipality."""
    return tiny_corpus_from(
        {
            "i1": ["Med lavere sagsstamme får jeg mere tid.", "Relationen er bedre."],
            "i2": ["Lederne bestemmer alt."],
            "d1": ["Sagsstammen skal ned.", "Ledelsen følger op."],
            "d2": ["Sagsstammen skal ned i 2019."],
            "d3": ["Relationen til borgeren skal styrkes."],
        },
        {
            "i1": _PERSON,
            "i2": {**_PERSON, "role": "leder"},
            "d1": {**_DOC, "author": "forvaltning", "year": 2018},
            "d2": {**_DOC, "author": "forvaltning", "year": 2019},
            "d3": {**_DOC, "author": "ledelse", "year": 2015},
        },
    )


CODED = pd.DataFrame(
    [
        ("i1-001", "sagsstamme"),
        ("i1-002", "borgerrelation"),
        ("i2-001", "ledelse"),
        ("d1-001", "sagsstamme"),
        ("d1-002", "ledelse"),
        ("d2-001", "sagsstamme"),
        ("d3-001", "borgerrelation"),
    ],
    columns=["segment_id", "code"],
)


def _write(path, rows):
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# --- attributes ---------------------------------------------------------------------------


def test_a_document_source_has_an_author_and_a_year(tmp_path):
    path = _write(
        tmp_path / "quotes.csv",
        [
            {"source_id": "plan", "quote": "Lavere sagsstammer.", "source_type": "dokument",
             "author": "forvaltning", "year": "2018", "municipality_code": "101"},
            {"source_id": "plan", "quote": "Flere i job.", "source_type": "dokument",
             "author": "forvaltning", "year": "2018", "municipality_code": "101"},
            {"source_id": "i1", "quote": "Jeg har tid.", "source_type": "interview",
             "author": "", "year": "", "role": "sagsbehandler"},
        ],
    )  # fmt: skip
    corpus = load_quote_table(path)
    plan = corpus.sources.set_index("source_id").loc["plan"]
    assert (plan["source_type"], plan["author"], plan["year"]) == ("dokument", "forvaltning", 2018)
    assert str(corpus.sources["year"].dtype) == "Int64"
    assert pd.isna(corpus.sources.set_index("source_id").loc["i1", "author"])
    assert is_person(corpus.sources).tolist() == [True, False]  # sorted: i1, plan


def test_bad_document_attributes_name_file_row_and_column(tmp_path):
    path = _write(
        tmp_path / "bad.csv",
        [
            {"source_id": "a", "quote": "x", "source_type": "dokument", "author": "borgmester",
             "year": "2018"},
            {"source_id": "b", "quote": "y", "source_type": "dokument", "author": "ledelse",
             "year": "2018/19"},
            {"source_id": "c", "quote": "z", "source_type": "dokument", "author": "ledelse",
             "year": "218"},
        ],
    )  # fmt: skip
    with pytest.raises(InputError) as info:
        load_quote_table(path)
    text = str(info.value)
    assert "bad.csv, row 2, column 'author': unknown value" in text
    assert "forvaltning, ledelse" in text
    assert "bad.csv, row 3, column 'year'" in text and "2018/19" in text
    assert "bad.csv, row 4, column 'year'" in text and "a year such as 2018" in text


# --- persons and documents counted apart ----------------------------------------------------


def test_persons_and_documents_are_told_apart():
    corpus = _mixed_corpus()
    assert sorted(person_sources(corpus).sources["source_id"]) == ["i1", "i2"]
    assert sorted(document_sources(corpus).sources["source_id"]) == ["d1", "d2", "d3"]
    assert set(person_sources(corpus).segments["source_id"]) == {"i1", "i2"}
    # a source without a source type is a person (the rule never counts people less carefully)
    plain = tiny_corpus_from({"x": ["Tekst."]})
    assert is_person(plain.sources).tolist() == [True]


def test_frequencies_and_prevalence_count_only_persons():
    corpus = _mixed_corpus()
    table = code_frequencies(corpus, CODED, CODES).set_index("code")
    assert table.loc["sagsstamme", "n_sources"] == 1  # i1 only, not d1 and d2
    assert table["n_sources_group"].unique().tolist() == [2]
    assert table.loc["sagsstamme", "n_segments"] == 1
    assert table["n_segments_group"].unique().tolist() == [3]
    long = quantitize(corpus, CODED, CODES)
    assert set(long["source_id"]) == {"i1", "i2", "d1", "d2", "d3"}  # the data keep them all
    prevalence = theme_prevalence(long).set_index("code")
    assert prevalence.loc["sagsstamme", "n_sources"] == 1
    assert prevalence["n_sources_group"].unique().tolist() == [2]


def test_attribute_summary_counts_documents_in_their_own_column():
    table = attribute_summary(_mixed_corpus()).set_index(["attribute", "value"])
    assert table.loc[("source_type", "dokument"), ["n_sources", "n_documents"]].tolist() == [0, 3]
    assert table.loc[("source_type", "interview"), ["n_sources", "n_documents"]].tolist() == [2, 0]
    assert table.loc[("municipality_code", "101"), ["n_sources", "n_documents"]].tolist() == [2, 3]
    assert table.loc[("source_type", "dokument"), "n_segments"] == 4


def test_documents_vs_interviews_per_theme():
    table = documents_vs_interviews(_mixed_corpus(), CODED, CODES).set_index("code")
    row = table.loc["sagsstamme"]
    assert (row["n_sources"], row["n_sources_group"], row["share_sources"]) == (1, 2, 0.5)
    assert (row["n_documents"], row["n_documents_group"]) == (2, 3)
    assert row["share_documents"] == pytest.approx(2 / 3)
    assert (row["n_document_segments"], row["n_document_segments_group"]) == (2, 4)
    assert row["share_document_segments"] == 0.5
    ledelse = table.loc["ledelse"]
    assert (ledelse["n_sources"], ledelse["n_documents"], ledelse["n_document_segments"]) == (
        1,
        1,
        1,
    )
    assert list(table.index) == CODES
    assert str(table["n_documents"].dtype) == "int64"


def test_documents_vs_interviews_without_persons_or_documents_gives_empty_shares():
    only_documents = document_sources(_mixed_corpus())
    table = documents_vs_interviews(only_documents, CODED, CODES).set_index("code")
    assert (table["n_sources_group"] == 0).all() and table["share_sources"].isna().all()
    assert table.loc["sagsstamme", "share_documents"] == pytest.approx(2 / 3)
    none = documents_vs_interviews(person_sources(_mixed_corpus()), CODED, CODES)
    assert (none["n_documents_group"] == 0).all() and none["share_documents"].isna().all()


def test_confidential_corpus_hides_the_interviews_and_shows_the_documents(tmp_path):
    """2 interviews and 3 documents, no corpus.yaml: the 2 persons are a small count; the 3
    documents are not persons and are shown as they are. Before, the five sources were
    counted as five persons, so the table showed '5' and let the two be worked out."""
    quotes = write_quote_table(_mixed_corpus(), tmp_path / "quotes.csv")
    rule = load_count_rule(quotes)
    assert (rule.confidentiality, rule.threshold) == ("confidential", 5)
    from analysis.qual.corpus import load_corpus

    corpus = load_corpus(quotes)
    table = documents_vs_interviews(corpus, CODED, CODES)
    shown = report_table(
        table,
        counts=["n_sources", "n_sources_group"],
        shares=["share_sources"],
        threshold=rule.threshold,
    ).set_index("code")
    assert shown["n_sources_group"].tolist() == ["<5", "<5", "<5"]
    assert shown["share_sources"].isna().all()
    assert shown["n_documents_group"].tolist() == [3, 3, 3]
    assert shown.loc["sagsstamme", "n_documents"] == 2
    assert shown.loc["sagsstamme", "share_documents"] == pytest.approx(2 / 3)

    frequencies = report_table(
        code_frequencies(corpus, CODED, CODES),
        counts=["n_sources", "n_sources_group"],
        shares=["share_sources"],
        threshold=rule.threshold,
    )
    assert frequencies["n_sources_group"].tolist() == ["<5", "<5", "<5"]


def test_the_report_tables_of_a_confidential_corpus_hide_the_two_persons(tmp_path, isolated_paths):
    """Through today's report view: the code frequencies and the corpus description count
    only the two interviews as persons (before: 5 sources, shown as '5')."""
    from analysis.qual.view import analyse, frequencies_display

    quotes = write_quote_table(_mixed_corpus(), tmp_path / "quotes.csv")
    book = tmp_path / "codebook.yaml"
    book.write_text(TINY_CODEBOOK, encoding="utf-8")
    codings = tmp_path / "codings_t.csv"
    corpus = load_quote_table(quotes)
    hashes = dict(zip(corpus.sources["source_id"], corpus.sources["content_hash"], strict=True))
    segments = corpus.segments.set_index("segment_id")
    rows = [
        {
            "source": segments.loc[s, "source_id"],
            "start": int(segments.loc[s, "start"]),
            "end": int(segments.loc[s, "end"]),
            "code": code,
            "coder": "t",
            "memo": "",
            "source_hash": hashes[segments.loc[s, "source_id"]],
        }
        for s, code in CODED.itertuples(index=False)
    ]
    pd.DataFrame(rows).to_csv(codings, index=False)
    results = analyse(None, corpus_path=quotes, codebook_path=book, codings_path=codings)
    assert results.threshold == 5
    frequencies = frequencies_display(results, "da")
    assert "5" not in frequencies.astype(str).to_numpy().ravel().tolist()
    assert results.frequencies["n_sources_group"].unique().tolist() == [2]
    described = results.corpus.sources.set_index("source_id")
    assert described.loc["d1", "author"] == "forvaltning"


def test_document_passages_list_each_passage_with_its_codes(tiny_codebook):
    table = document_passages(_mixed_corpus(), CODED, tiny_codebook)
    assert table["segment_id"].tolist() == ["d1-001", "d1-002", "d2-001", "d3-001"]
    first = table.iloc[0]
    assert (first["author"], first["year"], first["passage"]) == (
        "forvaltning",
        2018,
        "Sagsstammen skal ned.",
    )
    assert first["codes"] == "Sagsstamme"
    assert table.set_index("segment_id").loc["d3-001", "codes"] == "Borgerrelation"
    empty = document_passages(person_sources(_mixed_corpus()), CODED, tiny_codebook)
    assert empty.empty and list(empty.columns) == list(table.columns)


# --- REFI-QDA -------------------------------------------------------------------------------


def test_a_document_source_round_trips_through_refi_qda(tmp_path, tiny_codebook):
    from analysis.qual.refi import import_qdpx, qdpx_bytes

    corpus = _mixed_corpus()
    codings = pd.DataFrame(
        [
            {
                "source": "d1",
                "start": 0,
                "end": 21,
                "code": "sagsstamme",
                "coder": "dev_a",
                "memo": "",
            }
        ]
    )
    path = tmp_path / "documents.qdpx"
    path.write_bytes(qdpx_bytes(corpus, tiny_codebook, codings))
    result = import_qdpx(path)
    assert result.notes == ()
    back = result.corpus.sources.set_index("source_id")
    assert back.loc["d1", "source_type"] == "dokument"
    assert (back.loc["d1", "author"], back.loc["d3", "author"]) == ("forvaltning", "ledelse")
    assert (back.loc["d1", "year"], back.loc["d3", "year"]) == (2018, 2015)
    assert str(back["year"].dtype) == "Int64"
    assert pd.isna(back.loc["i1", "author"]) and pd.isna(back.loc["i1", "year"])
    assert is_person(result.corpus.sources).tolist() == is_person(corpus.sources).tolist()
    assert result.codings[["source", "start", "end", "code"]].values.tolist() == [
        ["d1", 0, 21, "sagsstamme"]
    ]


def test_an_imported_document_with_a_bad_author_or_year_is_noted_and_left_empty(
    tmp_path, tiny_codebook
):
    from analysis.qual.refi import import_qdpx, qdpx_bytes

    corpus = tiny_corpus_from(
        {"d": ["Tekst."]},
        {"d": {"source_type": "dokument", "author": "forvaltning", "year": 2018}},
    )
    data = qdpx_bytes(
        corpus,
        tiny_codebook,
        pd.DataFrame(columns=["source", "start", "end", "code", "coder", "memo"]),
    )
    import io
    import zipfile

    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            members[name] = archive.read(name)
    project = members["project.qde"].decode("utf-8")
    project = project.replace(">forvaltning<", ">borgmesteren<")
    project = project.replace(
        "<IntegerValue>2018</IntegerValue>", "<IntegerValue>år 18</IntegerValue>"
    )
    project = project.replace("<TextValue>2018</TextValue>", "<TextValue>år 18</TextValue>")
    members["project.qde"] = project.encode("utf-8")
    path = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    result = import_qdpx(path)
    back = result.corpus.sources.set_index("source_id")
    assert pd.isna(back.loc["d", "author"]) and pd.isna(back.loc["d", "year"])
    notes = " ".join(result.notes)
    assert "author 'borgmesteren' is not one of forvaltning, ledelse" in notes
    assert "year 'år 18' is not a year" in notes
