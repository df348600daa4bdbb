"""Loading the qualitative inputs once and the cached work the notebook and CLIs share.

:func:`load_inputs` resolves the corpus, codebook and codings (defaults in
``data/raw``; every ``codings_*.csv`` next to the corpus is read, so a second coder's
file is picked up without changing anything). :func:`assisted_coding` tokenises the
corpus once (cached in ``data/processed/cache``), proposes codes by rules and, with
enough human codings, evaluates the classifier by cross-validation (cached too), so a
batch of many municipality reports does not redo any of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.cache import CacheKey, cached_frame
from analysis.fileio import sha256_bytes
from analysis.paths import DEFAULT_SEED, ProjectPaths, get_paths
from analysis.qual.autocode import combine_proposals, empty_proposals, rule_proposals
from analysis.qual.classifier import (
    cross_validate,
    label_matrix,
    lemma_documents,
    rules_evaluation,
)
from analysis.qual.codebook import Codebook, load_codebook
from analysis.qual.codings import empty_codings, load_codings, only_coders, segment_codes
from analysis.qual.corpus import Corpus, load_corpus
from analysis.qual.count_rule import CountRule, load_count_rule, settings_path
from analysis.qual.nlp import cached_tokens, versions


@dataclass(frozen=True)
class QualInputs:
    """The corpus, codebook and validated codings, and the files they came from."""

    corpus: Corpus
    codebook: Codebook
    codings: pd.DataFrame
    files: tuple[Path, ...]

    @property
    def coders(self) -> list[str]:
        return sorted(set(self.codings["coder"]))


def default_codings_files(corpus_path: Path | str | None = None) -> list[Path]:
    """Every ``codings_*.csv`` in the corpus's folder (default ``data/raw/interviews``)."""
    if corpus_path is None:
        folder = get_paths().interviews
    else:
        path = Path(corpus_path)
        folder = path if path.is_dir() else path.parent
    return sorted(folder.glob("codings_*.csv"))


def load_inputs(
    corpus_path: Path | str | None = None,
    codebook_path: Path | str | None = None,
    codings_path: Path | str | list[Path | str] | None = None,
) -> QualInputs:
    """Corpus, codebook and codings (validated against both)."""
    corpus = load_corpus(corpus_path)
    codebook = load_codebook(codebook_path)
    if codings_path is None:
        files = default_codings_files(corpus_path)
    elif isinstance(codings_path, list | tuple):
        files = [Path(p) for p in codings_path]
    else:
        files = [Path(codings_path)]
    codings = load_codings(files, corpus, codebook) if files else empty_codings()
    book = [codebook.file] if codebook.file is not None else []
    return QualInputs(corpus, codebook, codings, (*corpus.files, *book, *files))


@dataclass(frozen=True)
class GatedInputs:
    """The inputs after the personal-data gate, how many texts it changed, and the
    corpus's rule for small counts (``raw``: the inputs as read, for cached work keyed
    by the files, such as the assisted-coding evaluation)."""

    inputs: QualInputs
    changed: int
    count_rule: CountRule
    raw: QualInputs


def load_gated_inputs(
    corpus_path: Path | str | None = None,
    codebook_path: Path | str | None = None,
    codings_path: Path | str | list[Path | str] | None = None,
    *,
    privacy: str = "pseudonymise",
    privacy_names_path: Path | str | None = None,
) -> GatedInputs:
    """What every report of the corpus starts from: the inputs through the personal-data
    gate (``privacy``, names from ``privacy_names_path`` or the default list), with the
    name list and the corpus settings among the input files when they exist."""
    from analysis.qual.privacy_gate import default_names_path, make_policy, pass_gate

    raw = load_inputs(corpus_path, codebook_path, codings_path)
    names = Path(privacy_names_path) if privacy_names_path else default_names_path()
    gate = pass_gate(raw.corpus, raw.codings, make_policy(privacy, names))
    files = (*raw.files, names) if names.is_file() else raw.files
    rule = load_count_rule(corpus_path)
    if rule.file is not None:
        files = (*files, settings_path(corpus_path))
    inputs = QualInputs(gate.corpus, raw.codebook, gate.codings, tuple(files))
    return GatedInputs(inputs, gate.changed, rule, raw)


def coded_segments(
    inputs: QualInputs, *, coder: str | None = None, level: str = "all"
) -> pd.DataFrame:
    """Segment x code rows from the chosen coder's codings (``None``: all coders pooled)."""
    codings = only_coders(inputs.codings, coder)
    return segment_codes(codings, inputs.corpus, inputs.codebook, level=level)


def corpus_tokens(inputs: QualInputs, paths: ProjectPaths | None = None) -> pd.DataFrame:
    """Tokens of every segment of the corpus (cached on disk)."""
    return cached_tokens(
        inputs.corpus.segments[["segment_id", "text"]], inputs=inputs.corpus.files, paths=paths
    )


def corpus_proposals(
    inputs: QualInputs,
    paths: ProjectPaths | None = None,
    *,
    method: str = "rules+similarity",
    embedder: str = "tfidf",
    parents: bool = True,
) -> pd.DataFrame:
    """Proposals for every segment (``id`` = segment id): the rules (cached on disk, so
    that a notebook run on cached results does not even load spaCy), with ``method``
    ``rules+similarity`` the similarity fallback for the segments no rule matched (to the
    codebook's texts and the human-coded segments; a model's vectors cached too), and
    with ``parents`` every sub-code's parent ("implied by")."""
    segments = inputs.corpus.segments
    if segments.empty:
        return empty_proposals()
    texts = dict(zip(segments["segment_id"], segments["text"], strict=True))
    digest = sha256_bytes("\x1e".join(f"{k}\x1f{v}" for k, v in texts.items()).encode("utf-8"))
    book = [inputs.codebook.file] if inputs.codebook.file is not None else []
    key = CacheKey(
        inputs=(*inputs.corpus.files, *book),
        modules=("analysis.qual.autocode", "analysis.qual.nlp", "analysis.qual.codebook"),
        params={"texts": digest, "codebook": inputs.codebook.version, **versions()},
    )
    rules = cached_frame(
        "qual_rule_proposals",
        key,
        lambda: rule_proposals(corpus_tokens(inputs, paths), inputs.codebook, texts),
        paths=paths,
    )
    if method not in {"rules", "rules+similarity"}:
        raise ValueError(f"method must be rules or rules+similarity, got {method!r}")
    frames = [rules]
    if method == "rules+similarity":
        from analysis.qual.similarity import exemplar_table, similarity_proposals

        uncovered = set(texts) - set(rules["id"])
        coded = coded_segments(inputs, level="all")
        table = pd.DataFrame({"id": list(texts), "text": list(texts.values())})
        frames.append(
            similarity_proposals(
                table,
                inputs.codebook,
                embedder=embedder,
                only=uncovered,
                exemplars=exemplar_table(coded, segments, inputs.codebook),
                paths=paths,
                cache_name="qual_embeddings",
            )
        )
    return combine_proposals(frames, inputs.codebook, list(texts), parents=parents)


def trained_classifier(inputs: QualInputs, paths: ProjectPaths | None = None) -> Any:
    """The classifier trained on the inputs' human codings; fitted once and kept in
    ``data/processed/cache`` until the training data or settings change."""
    from analysis.cache import cache_dir
    from analysis.qual.classifier import cached_train

    coded = coded_segments(inputs, level="all")
    sources = set(inputs.codings["source"])
    segments = inputs.corpus.segments[inputs.corpus.segments["source_id"].isin(sources)]
    ids = list(segments["segment_id"])
    documents = lemma_documents(corpus_tokens(inputs, paths), ids)
    labels = label_matrix(coded, ids, inputs.codebook.ids)
    return cached_train(documents, labels, cache_dir(paths))


def assisted_coding_evaluation(
    inputs: QualInputs,
    *,
    coder: str | None = None,
    seed: int = DEFAULT_SEED,
    paths: ProjectPaths | None = None,
) -> pd.DataFrame:
    """Precision/recall per code of the rules (in-sample) and of the classifier
    (grouped cross-validation) against the human codings; cached on disk."""
    codings = only_coders(inputs.codings, coder)
    key = CacheKey(
        inputs=tuple(inputs.files),
        modules=("analysis.qual",),
        params={"coder": coder, "seed": seed, **versions()},
    )

    def compute() -> pd.DataFrame:
        from analysis.qual.classifier import EVAL_COLUMNS

        if codings.empty:
            return pd.DataFrame(columns=list(EVAL_COLUMNS))
        coded = segment_codes(codings, inputs.corpus, inputs.codebook, level="all")
        coded_sources = set(codings["source"])
        segments = inputs.corpus.segments
        segments = segments[segments["source_id"].isin(coded_sources)]
        ids = list(segments["segment_id"])
        groups = list(segments["source_id"])
        labels = label_matrix(coded, ids, inputs.codebook.ids)
        tokens = corpus_tokens(inputs, paths)
        documents = lemma_documents(tokens, ids)
        proposals = corpus_proposals(inputs, paths, method="rules")
        rules = rules_evaluation(proposals[proposals["id"].isin(set(ids))], labels, groups)
        model = cross_validate(documents, labels, groups, seed=seed)
        order = {c: i for i, c in enumerate(inputs.codebook.ids)}
        table = pd.concat([model, rules], ignore_index=True)
        table["_o"] = table["code"].map(order)
        table = table.sort_values(["_o", "method"], kind="stable").drop(columns="_o")
        return table.reset_index(drop=True)

    return cached_frame("qual_assisted_evaluation", key, compute, paths=paths)
