"""The evaluation's machinery on small data (the figures themselves come from
benchmarks/autocode_eval.py, not from the test suite)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.qual import evaluation
from analysis.qual.codebook import parse_codebook
from analysis.qual.similarity import codebook_texts

BOOK = """\
version: "t"
codes:
  - id: sagsstamme
    label: {da: Sagsstamme}
    definition: Antallet af sager.
    example: for mange sager på hver sagsbehandler
    colour: "#000000"
"""


def _data(sources: list[str], documents: list[bool]) -> evaluation.EvalData:
    ids = [f"s{i}" for i in range(len(sources))]
    return evaluation.EvalData(
        ids=tuple(ids),
        sources=tuple(sources),
        is_document=np.array(documents),
        texts=tuple("x" for _ in ids),
        labels=pd.DataFrame({"a": 0}, index=ids),
        rules=pd.DataFrame(columns=["id", "code"]),
        documents=tuple("x" for _ in ids),
        codebook=None,
    )


def test_folds_hold_out_whole_sources_and_spread_the_documents():
    sources = ["a", "a", "b", "c", "c", "c", "d", "e", "doc1", "doc1", "doc2"]
    documents = [s.startswith("doc") for s in sources]
    data = _data(sources, documents)
    folds = evaluation.folds(data, n_folds=3, seed=7)
    assert sorted(np.concatenate(folds).tolist()) == list(range(len(sources)))
    for fold in folds:
        held = {sources[i] for i in fold}
        rest = {s for n, s in enumerate(sources) if n not in set(fold)}
        assert not held & rest  # a source is never on both sides
    with_documents = [f for f in folds if any(documents[i] for i in f)]
    assert len(with_documents) == 2  # the two document sources in different folds
    assert [f.tolist() for f in evaluation.folds(data, 3, seed=7)] == [f.tolist() for f in folds]


def test_micro_scores_and_a_bootstrap_interval_around_them():
    truth = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    predicted = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])
    precision, recall, f1 = evaluation.micro_scores(predicted, truth)
    assert (precision, recall, f1) == (0.75, 0.75, 0.75)  # TP 3, FP 1, FN 1
    low, high = evaluation.bootstrap_f1(predicted, truth, ["a", "a", "b", "c"], n_boot=500, seed=1)
    assert 0 <= low <= f1 <= high <= 1
    same = evaluation.bootstrap_f1(predicted, truth, ["a", "a", "b", "c"], n_boot=500, seed=1)
    assert same == (low, high)
    exact = evaluation.bootstrap_f1(truth, truth, ["a", "b", "c", "d"], n_boot=100)
    assert exact == (1.0, 1.0)


def test_a_codebook_example_taken_from_a_held_out_segment_is_left_out():
    codebook = parse_codebook(BOOK, "t.yaml")
    fields = set(codebook_texts(codebook)["field"])
    assert "example" in fields
    held = ["Der er for mange sager på hver sagsbehandler, siger hun."]
    assert "example" not in set(codebook_texts(codebook, leave_out=held)["field"])
