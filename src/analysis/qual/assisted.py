"""Proposals for a table of texts by the chosen method: what the ``autocode`` command runs.

Methods (:data:`METHODS`):

- ``rules+similarity`` (the default): the codebook's patterns, and for every text no
  pattern matched, the closest code by similarity to the codebook's texts and to the
  human-coded segments of the training corpus (:mod:`analysis.qual.similarity`);
- ``rules``: the patterns only;
- ``classifier``: a classifier trained on the human codings (weak with the demo's 128
  segments, see docs/qual.md); ``both``: rules and classifier.

Every proposal of a sub-code also proposes its parent (``implied by <sub-code>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.qual.autocode import combine_proposals, propose_rules
from analysis.qual.codebook import Codebook

METHODS = ("rules+similarity", "rules", "classifier", "both")
DEFAULT_METHOD = "rules+similarity"


@dataclass(frozen=True)
class Training:
    """Where the human codings to learn from are (``None``: the demo corpus and its
    codings), and whether they are to be used with the codebook given."""

    corpus: Path | None = None
    codings: list[Path] | None = None
    use_for_similarity: bool = True


@dataclass(frozen=True)
class Proposed:
    """The proposals, the similarity embedder used (``""`` without similarity) and the
    notes to show the user (what was missing and what was used instead)."""

    proposals: pd.DataFrame
    embedder: str = ""
    notes: tuple[str, ...] = ()


def propose_texts(
    texts: pd.DataFrame,
    codebook: Codebook,
    *,
    method: str = DEFAULT_METHOD,
    embedding: str = "tfidf",
    training: Training | None = None,
) -> Proposed:
    """Proposals for ``texts`` (``id``, ``text``) by ``method`` with parents rolled up."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    training = training or Training()
    frames = []
    notes: list[str] = []
    embedder = ""
    if method in {"rules", "both", "rules+similarity"}:
        frames.append(propose_rules(texts, codebook))
    if method == "rules+similarity":
        from analysis.qual.similarity import choose_embedder, similarity_proposals

        choice = choose_embedder(embedding)
        embedder = choice.embedder
        if choice.note:
            notes.append(choice.note)
        covered = set(frames[0]["id"])
        exemplars = None
        if training.use_for_similarity and training_available(training):
            exemplars = training_exemplars(codebook, training)
        elif training.use_for_similarity:
            notes.append(
                "no demo corpus to learn from (data/raw/interviews/quotes.csv is missing): "
                "the similarity compares with the codebook's texts only"
            )
        frames.append(
            similarity_proposals(
                texts,
                codebook,
                embedder=embedder,
                only=[i for i in texts["id"] if i not in covered],
                exemplars=exemplars,
            )
        )
    if method in {"classifier", "both"}:
        frames.append(classifier_proposals(texts, codebook, training))
    proposals = combine_proposals(frames, codebook, list(texts["id"]))
    return Proposed(proposals, embedder, tuple(notes))


def training_available(training: Training) -> bool:
    """False only when the default training corpus (the demo) is not there; a corpus
    given explicitly is always tried (and a missing one is an error)."""
    if training.corpus is not None or training.codings is not None:
        return True
    from analysis.paths import get_paths

    return (get_paths().interviews / "quotes.csv").is_file()


def training_exemplars(codebook: Codebook, training: Training) -> pd.DataFrame:
    """The training corpus's human-coded segments as examples of their codes."""
    from analysis.qual.pipeline import coded_segments, load_inputs
    from analysis.qual.similarity import exemplar_table

    inputs = load_inputs(training.corpus, codebook.file, training.codings)
    if inputs.codings.empty:
        return pd.DataFrame(columns=["id", "code", "text"])
    coded = coded_segments(inputs, level="all")
    return exemplar_table(coded, inputs.corpus.segments, inputs.codebook)


def classifier_proposals(
    texts: pd.DataFrame, codebook: Codebook, training: Training
) -> pd.DataFrame:
    """Train on the human codings of the training corpus (or reuse the model trained on
    the same data and settings), then predict for ``texts``."""
    from analysis.errors import InputError
    from analysis.qual.classifier import lemma_documents
    from analysis.qual.nlp import tokens
    from analysis.qual.pipeline import load_inputs, trained_classifier

    inputs = load_inputs(training.corpus, codebook.file, training.codings)
    if inputs.codings.empty:
        raise InputError.single(
            training.corpus or "training corpus", "no human codings to train on"
        )
    model = trained_classifier(inputs)
    pairs = list(zip(texts["id"], texts["text"], strict=True))
    documents = lemma_documents(tokens(pairs), list(texts["id"]))
    return model.predict(documents, list(texts["id"]))
