"""The joint display's theme prevalence counts persons; documents are shown beside it
(issue 15, item 1)."""

from __future__ import annotations

import pandas as pd
from mixedtest_helpers import CODEBOOK

from analysis.mixed.evidence import (
    contrast_prevalence,
    document_prevalence,
    load_evidence,
    prevalence,
)
from analysis.mixed.mapping import Contrast
from analysis.qual.corpus import load_quote_table

THEMES = ["sagsstamme", "borgerrelation", "resultat_styring"]

ROWS = [
    # quote, source, attributes
    ("Med 50 sager har jeg mere tid til den enkelte.", "i1", "forsoeg", "under", "interview"),
    ("Jeg kender mine borgere og deres situation.", "i1", "forsoeg", "under", "interview"),
    ("Vi havde 180-220 borgere hver.", "i2", "ordinaer", "foer", "interview"),
    ("Antal sager per medarbejder skal ned.", "plan", None, None, "dokument"),
    ("Flere borgere afklares til fleksjob.", "plan", None, None, "dokument"),
    ("Det samlede sagsantal reduceres.", "note", None, None, "dokument"),
]
CODES = {
    "i1-001": ["sagsstamme"],
    "i1-002": ["borgerrelation"],
    "i2-001": ["sagsstamme"],
    "plan-001": ["sagsstamme"],
    "plan-002": ["resultat_styring"],
    "note-001": ["sagsstamme"],
}


def _inputs(tmp_path):
    records = []
    for quote, source, department, period, kind in ROWS:
        document = kind == "dokument"
        records.append(
            {
                "source_id": source,
                "quote": quote,
                "municipality_code": "101",
                "role": "" if document else "sagsbehandler",
                "department": department or "",
                "period": period or "",
                "source_type": kind,
                "author": ("forvaltning" if source == "plan" else "ledelse") if document else "",
                "year": ("2018" if source == "plan" else "2015") if document else "",
            }
        )
    quotes = tmp_path / "quotes.csv"
    pd.DataFrame(records).to_csv(quotes, index=False)
    corpus = load_quote_table(quotes)
    hashes = dict(zip(corpus.sources["source_id"], corpus.sources["content_hash"], strict=True))
    segments = corpus.segments.set_index("segment_id")
    codings = [
        {
            "source": segments.loc[sid, "source_id"],
            "start": int(segments.loc[sid, "start"]),
            "end": int(segments.loc[sid, "end"]),
            "code": code,
            "coder": "t",
            "memo": "",
            "source_hash": hashes[segments.loc[sid, "source_id"]],
        }
        for sid, codes in CODES.items()
        for code in codes
    ]
    path = tmp_path / "codings_t.csv"
    pd.DataFrame(codings).to_csv(path, index=False)
    return quotes, path


def _evidence(tmp_path):
    quotes, codings = _inputs(tmp_path)
    return load_evidence(
        101, corpus_path=quotes, codebook_path=CODEBOOK, codings_path=codings, privacy="allow"
    )


def test_the_evidence_holds_the_persons_and_the_documents_apart(tmp_path):
    evidence = _evidence(tmp_path)
    assert sorted(evidence.corpus.sources["source_id"]) == ["i1", "i2"]
    assert sorted(evidence.documents.sources["source_id"]) == ["note", "plan"]
    assert (evidence.n_sources, evidence.n_documents) == (2, 2)
    assert set(evidence.coded["segment_id"]) >= {"plan-001", "note-001", "i1-001"}


def test_the_joint_display_prevalence_counts_only_persons(tmp_path):
    evidence = _evidence(tmp_path)
    contrast = Contrast("trial", "Forsøg", "Trial", "department", "forsoeg", "ordinaer")
    table = contrast_prevalence(evidence, contrast, THEMES).set_index(["group", "theme"])
    everyone = table.loc[("all", "sagsstamme")]
    assert (everyone["n_sources"], everyone["n_sources_group"]) == (2, 2)  # not 4 of 4
    assert table.loc[("all", "resultat_styring"), "n_sources"] == 0  # only the plan has it
    assert table.loc[("contrast", "sagsstamme"), "n_sources_group"] == 1


def test_prevalence_leaves_out_documents_even_when_given_them(tmp_path):
    """A corpus with documents passed straight in (not through load_evidence): before, the
    two documents were counted as two more persons."""
    quotes, codings = _inputs(tmp_path)
    from analysis.qual.pipeline import coded_segments, load_inputs

    inputs = load_inputs(quotes, CODEBOOK, codings)
    coded = coded_segments(inputs)
    table = prevalence(inputs.corpus, coded, THEMES, "all", "all").set_index("theme")
    assert table.loc["sagsstamme", "n_sources"] == 2
    assert table["n_sources_group"].unique().tolist() == [2]
    assert table.loc["sagsstamme", "prevalence"] == 1.0


def test_documents_are_shown_beside_the_interviews(tmp_path):
    table = document_prevalence(_evidence(tmp_path), THEMES).set_index("theme")
    row = table.loc["sagsstamme"]
    assert (row["n_sources"], row["n_sources_group"]) == (2, 2)
    assert (row["n_documents"], row["n_documents_group"], row["share_documents"]) == (2, 2, 1.0)
    assert (row["n_document_segments"], row["n_document_segments_group"]) == (2, 3)
    result = table.loc["resultat_styring"]
    assert (result["n_sources"], result["n_documents"], result["share_documents"]) == (0, 1, 0.5)
    assert list(table.index) == THEMES
