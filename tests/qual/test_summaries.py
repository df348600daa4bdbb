"""Analyses: counts of sources vs segments, quantitized links, exemplars, suppression."""

from __future__ import annotations

import pandas as pd
from qualtest_helpers import tiny_corpus_from

from analysis.qual import exemplar_quotes, quantitize, theme_prevalence
from analysis.qual.summaries import (
    before_during_table,
    code_frequencies,
    cooccurrence,
    report_table,
)

CODES = ["sagsstamme", "borgerrelation", "ledelse"]


def _coded(pairs):
    return pd.DataFrame(pairs, columns=["segment_id", "code"])


CODED = _coded(
    [
        ("a-001", "sagsstamme"),
        ("a-002", "borgerrelation"),
        ("b-001", "ledelse"),
        ("c-001", "sagsstamme"),
        ("c-001", "ledelse"),
        ("b-002", "borgerrelation"),
    ]
)


def test_frequencies_count_sources_and_segments(tiny_corpus):
    table = code_frequencies(tiny_corpus, CODED, CODES).set_index("code")
    assert table.loc["sagsstamme", "n_segments"] == 2
    assert table.loc["sagsstamme", "n_sources"] == 2  # a and c
    assert table.loc["borgerrelation", "n_segments"] == 2
    assert table.loc["borgerrelation", "n_sources"] == 2  # a and b, one segment each
    assert table.loc["ledelse", "share_sources"] == 2 / 3
    by_department = code_frequencies(tiny_corpus, CODED, CODES, by="department")
    row = by_department.set_index(["department", "code"]).loc[("ordinaer", "ledelse")]
    assert (row["n_sources"], row["n_sources_group"]) == (2, 2)


def test_quantitize_keeps_links_to_segments(tiny_corpus):
    long = quantitize(tiny_corpus, CODED, CODES)
    assert len(long) == 3 * 3
    row = long.set_index(["source_id", "code"]).loc[("c", "ledelse")]
    assert (row["present"], row["n_segments"], row["segment_ids"]) == (1, 1, "c-001")
    assert long.set_index(["source_id", "code"]).loc[("a", "ledelse"), "segment_ids"] == ""
    assert long.set_index(["source_id", "code"]).loc[("c", "ledelse"), "municipality_code"] == 580
    wide = quantitize(tiny_corpus, CODED, CODES, wide=True).set_index("source_id")
    assert wide.loc["a", ["sagsstamme", "borgerrelation", "ledelse"]].tolist() == [1, 1, 0]
    prevalence = theme_prevalence(long, by="department").set_index(["department", "code"])
    assert prevalence.loc[("ordinaer", "sagsstamme"), "prevalence"] == 0.5


def test_cooccurrence_is_symmetric_with_segment_counts_on_the_diagonal(tiny_corpus):
    matrix = cooccurrence(tiny_corpus, CODED, CODES)
    assert matrix.loc["sagsstamme", "ledelse"] == matrix.loc["ledelse", "sagsstamme"] == 1
    assert matrix.loc["sagsstamme", "sagsstamme"] == 2
    assert matrix.loc["borgerrelation", "ledelse"] == 0


def test_exemplars_are_reproducible_and_stable_when_the_corpus_grows(tiny_corpus):
    first = exemplar_quotes(tiny_corpus, CODED, CODES, n=1, seed=7)
    again = exemplar_quotes(tiny_corpus, CODED, CODES, n=1, seed=7)
    pd.testing.assert_frame_equal(first, again)
    assert (first.groupby("code").size() == 1).all()
    bigger = tiny_corpus_from(
        {
            "a": ["Med lavere sagsstamme får jeg mere tid.", "Relationen til borgeren er bedre."],
            "b": ["Lederne bestemmer alt.", "Vi forbereder samtalerne grundigt.", "Intet her."],
            "c": ["Sagsstammen er for stor, og lederne ser det ikke."],
            "d": ["Ny kilde uden koder."],
        }
    )
    grown = exemplar_quotes(bigger, CODED, CODES, n=1, seed=7)
    assert first["segment_id"].tolist() == grown["segment_id"].tolist()
    two = exemplar_quotes(tiny_corpus, CODED, CODES, n=2, seed=7)
    sag = two[two["code"] == "sagsstamme"]
    assert sag["source_id"].nunique() == 2  # different speakers first


def test_report_table_suppresses_small_person_counts_and_their_shares():
    table = pd.DataFrame(
        {"code": ["x", "y", "z"], "n_sources": [0, 3, 7], "share": [0.0, 0.3, 0.7]}
    )
    shown = report_table(table, counts=["n_sources"], shares=["share"])
    assert shown["n_sources"].tolist() == ["0", "<5", "7"]
    assert pd.isna(shown.loc[1, "share"]) and shown.loc[2, "share"] == 0.7
    assert table["n_sources"].tolist() == [0, 3, 7]  # the numeric table is untouched


def test_report_table_blanks_the_share_of_a_secondarily_hidden_count():
    table = pd.DataFrame(
        {
            "code": ["x", "x", "y", "y"],
            "department": ["forsoeg", "ordinaer", "forsoeg", "ordinaer"],
            "n_sources": [2, 6, 0, 7],
            "share": [0.4, 0.6, 0.0, 0.7],
        }
    )
    shown = report_table(table, counts=["n_sources"], shares=["share"], partition_by=["code"])
    assert shown["n_sources"].tolist() == ["<5", "..", "0", "7"]
    assert shown["share"].isna().tolist() == [True, True, False, False]


def test_before_during_table_orders_before_then_during(tiny_corpus, tiny_codebook):
    table = before_during_table(tiny_corpus, CODED, tiny_codebook, department=None)
    assert table["period"].tolist() == ["foer", "foer", "foer", "under", "under"]
    first_during = table[table["period"] == "under"].iloc[0]
    assert first_during["quote"] == "Med lavere sagsstamme får jeg mere tid."
    assert first_during["codes"] == "Sagsstamme"
