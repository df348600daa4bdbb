"""Honest figures for the assisted coding: cross-validated micro-F1 with whole sources held
out, per method, for interview text and documents apart, with bootstrap intervals; and a
learning curve (F1 against the number of coded segments, random against uncertainty
sampling). The benchmark script ``benchmarks/autocode_eval.py`` prints them; the test
suite only checks the machinery on small data.

Unit: segment x code over every code of the codebook, a sub-code counting for its parent
on both sides (the human codings through ``segment_codes(level="all")``, the proposals
through :func:`analysis.qual.autocode.with_parents`). The reference is the codings of
all coders pooled (a code any coder gave). Micro-F1 = 2 TP / (2 TP + FP + FN).

Folds hold out whole sources (``GroupKFold``): nothing learnt from a source's other
segments, and no codebook example taken from a held-out segment
(:func:`analysis.qual.similarity.codebook_texts` ``leave_out``), helps to code it. The
rules learn nothing from the codings, but their patterns were written with the quotes in
view, so on the quotes they are optimistic; the document passages are text they were not
written for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.paths import DEFAULT_SEED
from analysis.qual.autocode import with_parents

#: methods :func:`cross_validated_proposals` knows
METHODS = (
    "every code",
    "rules (no parents)",
    "rules",
    "similarity",
    "rules+similarity",
    "classifier",
    "classifier (threshold 0.3)",
    "rules+similarity+classifier",
)


@dataclass(frozen=True)
class EvalData:
    """What the evaluation needs, computed once: the coded segments with their source,
    kind (document or interview text), text, reference labels (0/1, all codes), the rule
    proposals without parents, and the lemma documents for the classifier."""

    ids: tuple[str, ...]
    sources: tuple[str, ...]
    is_document: np.ndarray
    texts: tuple[str, ...]
    labels: pd.DataFrame
    rules: pd.DataFrame
    documents: tuple[str, ...]
    codebook: object

    @property
    def codes(self) -> list[str]:
        return list(self.labels.columns)


def eval_data(inputs: object, paths: object = None) -> EvalData:
    """The evaluation data of the inputs' coded sources (a :class:`QualInputs`)."""
    from analysis.qual.classifier import label_matrix, lemma_documents
    from analysis.qual.pipeline import coded_segments, corpus_proposals, corpus_tokens
    from analysis.qual.summaries import is_person

    coded = coded_segments(inputs, level="all")
    segments = inputs.corpus.segments
    segments = segments[segments["source_id"].isin(set(inputs.codings["source"]))]
    ids = list(segments["segment_id"])
    sources = inputs.corpus.sources.set_index("source_id")
    person = is_person(sources.reset_index()).to_numpy()
    kind = dict(zip(sources.index, ~person, strict=True))
    rules = corpus_proposals(inputs, paths, method="rules", parents=False)
    return EvalData(
        ids=tuple(ids),
        sources=tuple(segments["source_id"]),
        is_document=np.array([kind[s] for s in segments["source_id"]], dtype=bool),
        texts=tuple(segments["text"]),
        labels=label_matrix(coded, ids, inputs.codebook.ids),
        rules=rules[rules["id"].isin(set(ids))].reset_index(drop=True),
        documents=tuple(lemma_documents(corpus_tokens(inputs, paths), ids)),
        codebook=inputs.codebook,
    )


def folds(data: EvalData, n_folds: int = 5, seed: int = DEFAULT_SEED) -> list[np.ndarray]:
    """Test indices of ``n_folds`` folds holding out whole sources (shuffled by ``seed``),
    the documents spread over the folds like the persons."""
    rng = np.random.default_rng(seed)
    sources = np.asarray(data.sources)
    out: list[list[int]] = [[] for _ in range(n_folds)]
    for documents in (True, False):
        names = sorted(set(sources[data.is_document == documents]))
        rng.shuffle(names)
        sizes = [0] * n_folds
        for name in sorted(names, key=lambda s: -(sources == s).sum()):
            fold = int(np.argmin(sizes))
            members = np.flatnonzero(sources == name)
            out[fold].extend(members.tolist())
            sizes[fold] += len(members)
    return [np.array(sorted(f), dtype=int) for f in out if f]


def proposal_matrix(proposals: pd.DataFrame, data: EvalData) -> np.ndarray:
    """0/1 matrix (segments x codes) of the proposals (parents rolled up)."""
    rolled = with_parents(proposals, data.codebook)
    row = {i: n for n, i in enumerate(data.ids)}
    col = {c: n for n, c in enumerate(data.codes)}
    matrix = np.zeros((len(data.ids), len(data.codes)), dtype=int)
    for ident, code in zip(rolled["id"], rolled["code"], strict=True):
        if ident in row and code in col:
            matrix[row[ident], col[code]] = 1
    return matrix


def _fold_proposals(
    data: EvalData, method: str, train: np.ndarray, test: np.ndarray, embedder: str
) -> pd.DataFrame:
    """Proposals for the ``test`` segments by ``method``, learning only from ``train``."""
    from analysis.qual.autocode import empty_proposals

    test_ids = [data.ids[i] for i in test]
    held = set(test_ids)
    rules = data.rules[data.rules["id"].isin(held)]
    if method == "every code":
        return pd.DataFrame(
            [{"id": i, "code": c, "method": method} for i in test_ids for c in data.codes]
        )
    if method in {"rules", "rules (no parents)"}:
        return rules
    frames = []
    if method.startswith("rules"):
        frames.append(rules)
    if "similarity" in method:
        covered = set(rules["id"]) if method != "similarity" else set()
        uncovered = [i for i in test if data.ids[i] not in covered]
        frames.append(_similarity(data, uncovered, test, train, embedder))
    if "classifier" in method:
        threshold = 0.3 if "threshold 0.3" in method else None
        frames.append(_classifier(data, train, test, threshold))
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else empty_proposals()


def _similarity(
    data: EvalData,
    segments: Sequence[int],
    test: np.ndarray,
    train: np.ndarray,
    embedder: str,
) -> pd.DataFrame:
    """Similarity proposals for ``segments``, with the coded ``train`` segments as
    examples (what a researcher's codings teach the fallback)."""
    from analysis.qual.similarity import similarity_proposals

    return similarity_proposals(
        pd.DataFrame({"id": list(data.ids), "text": list(data.texts)}),
        data.codebook,
        embedder=embedder,
        only={data.ids[i] for i in segments},
        leave_out=[data.texts[i] for i in test],
        exemplars=exemplars_of(data, train),
        cache_name="qual_eval_embeddings",
    )


def exemplars_of(data: EvalData, rows: Sequence[int]) -> pd.DataFrame:
    """The coded segments ``rows`` as examples of their most specific codes."""
    from analysis.qual.similarity import exemplar_table

    labels = data.labels.to_numpy()
    coded = pd.DataFrame(
        [
            {"segment_id": data.ids[i], "code": code}
            for i in rows
            for j, code in enumerate(data.codes)
            if labels[i, j]
        ],
        columns=["segment_id", "code"],
    )
    segments = pd.DataFrame({"segment_id": list(data.ids), "text": list(data.texts)})
    return exemplar_table(coded, segments, data.codebook)


def _classifier(
    data: EvalData, train: np.ndarray, test: np.ndarray, threshold: float | None = None
) -> pd.DataFrame:
    from analysis.qual.classifier import THRESHOLD
    from analysis.qual.classifier import train as fit

    labels = data.labels.iloc[train]
    model = fit([data.documents[i] for i in train], labels.reset_index(drop=True))
    documents = [data.documents[i] for i in test]
    return model.predict(documents, [data.ids[i] for i in test], threshold or THRESHOLD)


def cross_validated_proposals(
    data: EvalData,
    method: str,
    *,
    n_folds: int = 5,
    seed: int = DEFAULT_SEED,
    embedder: str = "tfidf",
) -> np.ndarray:
    """Out-of-fold 0/1 predictions (segments x codes) of ``method`` (see :data:`METHODS`)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    predicted = np.zeros((len(data.ids), len(data.codes)), dtype=int)
    everything = np.arange(len(data.ids))
    for test in folds(data, n_folds, seed):
        train = np.setdiff1d(everything, test)
        proposals = _fold_proposals(data, method, train, test, embedder)
        if method == "rules (no parents)":
            matrix = _plain_matrix(proposals, data)
        else:
            matrix = proposal_matrix(proposals, data)
        predicted[test] = matrix[test]
    return predicted


def _plain_matrix(proposals: pd.DataFrame, data: EvalData) -> np.ndarray:
    row = {i: n for n, i in enumerate(data.ids)}
    col = {c: n for n, c in enumerate(data.codes)}
    matrix = np.zeros((len(data.ids), len(data.codes)), dtype=int)
    for ident, code in zip(proposals["id"], proposals["code"], strict=True):
        matrix[row[ident], col[code]] = 1
    return matrix


def micro_scores(predicted: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """Micro precision, recall and F1 over segment x code cells."""
    tp = int(((predicted == 1) & (truth == 1)).sum())
    fp = int(((predicted == 1) & (truth == 0)).sum())
    fn = int(((predicted == 0) & (truth == 1)).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return precision, recall, f1


def bootstrap_f1(
    predicted: np.ndarray,
    truth: np.ndarray,
    groups: Sequence[str],
    *,
    n_boot: int = 2000,
    seed: int = DEFAULT_SEED,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of micro-F1, resampling whole ``groups`` (sources; pass the
    segment ids to resample segments) with replacement."""
    groups = np.asarray(groups)
    names, index = np.unique(groups, return_inverse=True)
    tp = np.bincount(index, ((predicted == 1) & (truth == 1)).sum(axis=1), len(names))
    fp = np.bincount(index, ((predicted == 1) & (truth == 0)).sum(axis=1), len(names))
    fn = np.bincount(index, ((predicted == 0) & (truth == 1)).sum(axis=1), len(names))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(names), size=(n_boot, len(names)))
    t, p, n = tp[draws].sum(axis=1), fp[draws].sum(axis=1), fn[draws].sum(axis=1)
    denominator = 2 * t + p + n
    f1 = np.divide(2 * t, denominator, out=np.full(n_boot, np.nan), where=denominator > 0)
    alpha = (1 - level) / 2
    low, high = np.nanquantile(f1, [alpha, 1 - alpha])
    return float(low), float(high)


#: subsets of the segments reported apart, and what the bootstrap resamples in each
PARTS = {
    "interview text": ("persons", "sources"),
    "documents": ("documents", "passages"),
    "all": ("all", "sources"),
}


def method_table(
    data: EvalData,
    methods: Sequence[str] = METHODS,
    *,
    n_folds: int = 5,
    seed: int = DEFAULT_SEED,
    embedder: str = "tfidf",
    n_boot: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Cross-validated precision, recall and micro-F1 with a 95 % bootstrap interval per
    method and part (interview text: sources resampled; documents: only two sources, so
    their passages are resampled)."""
    truth = data.labels.to_numpy()
    rows = []
    for method in methods:
        if progress:
            progress(method)
        predicted = cross_validated_proposals(
            data, method, n_folds=n_folds, seed=seed, embedder=embedder
        )
        for part, (_, unit) in PARTS.items():
            mask = _mask(data, part)
            if not mask.any():
                continue
            groups = np.asarray(data.ids if unit == "passages" else data.sources)[mask]
            precision, recall, f1 = micro_scores(predicted[mask], truth[mask])
            low, high = bootstrap_f1(predicted[mask], truth[mask], groups, n_boot=n_boot, seed=seed)
            rows.append(
                {
                    "method": method,
                    "embedder": embedder if "similarity" in method else "",
                    "part": part,
                    "n_segments": int(mask.sum()),
                    "n_sources": len(set(np.asarray(data.sources)[mask])),
                    "precision": precision,
                    "recall": recall,
                    "f1": f1,
                    "f1_low": low,
                    "f1_high": high,
                    "resampled": unit,
                }
            )
    return pd.DataFrame(rows)


def _mask(data: EvalData, part: str) -> np.ndarray:
    if part == "interview text":
        return ~data.is_document
    if part == "documents":
        return data.is_document.copy()
    return np.ones(len(data.ids), dtype=bool)


# --- learning curve ----------------------------------------------------------------------


def _uncertainty(
    data: EvalData, pool: np.ndarray, coded: np.ndarray, embedder: str, method: str
) -> np.ndarray:
    """The pool's segments not yet coded, most uncertain first: for ``rules+similarity``
    the review queue's order (no rule match first, smallest similarity margin first;
    then rules, lowest confidence first); for ``similarity`` the smallest margin first."""
    from analysis.qual.similarity import similarity_proposals

    left = np.setdiff1d(pool, coded)
    rules_first = method != "similarity"
    near = similarity_proposals(
        pd.DataFrame({"id": list(data.ids), "text": list(data.texts)}),
        data.codebook,
        embedder=embedder,
        only={data.ids[i] for i in left},
        exemplars=exemplars_of(data, coded),
        cache_name="qual_eval_embeddings",
    )
    margin = near.groupby("id")["margin"].min()
    confidence = data.rules.groupby("id")["confidence"].max()
    score = []
    for i in left:
        ident = data.ids[i]
        if rules_first and ident in confidence.index:
            score.append(1.0 - float(confidence[ident]))
        else:
            score.append(2.0 + 1.0 - float(margin.get(ident, 0.0)))
    return left[np.argsort(-np.asarray(score), kind="stable")]


def learning_curve(
    data: EvalData,
    *,
    methods: Sequence[str] = ("rules+similarity", "similarity"),
    step: int = 8,
    n_folds: int = 5,
    seeds: Sequence[int] = (1, 2, 3, 4, 5),
    embedder: str = "tfidf",
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Held-out micro-F1 against the number of coded segments: in each fold (whole
    sources held out) the training sources' segments are coded ``step`` at a time, in
    random order (``seeds``) or by uncertainty (the review queue's order, recomputed after
    each step), and the similarity learns from the coded ones. Rows: ``sampling``,
    ``method``, ``n_coded`` (per fold), ``f1`` (out-of-fold, pooled over folds; random:
    the mean over seeds), ``f1_min``, ``f1_max`` (over seeds)."""
    truth = data.labels.to_numpy()
    everything = np.arange(len(data.ids))
    splits = [(np.setdiff1d(everything, test), test) for test in folds(data, n_folds, seed)]
    largest = min(len(train) for train, _ in splits)
    sizes = list(range(0, largest + 1, step))
    if sizes[-1] != largest:
        sizes.append(largest)
    orders: dict[tuple[str, int], list[np.ndarray]] = {}
    for s in seeds:
        rng = np.random.default_rng(s)
        orders[("random", s)] = [rng.permutation(train) for train, _ in splits]
    rows = []
    for method in methods:
        runs: dict[tuple[str, int], list[float]] = {}
        for (sampling, s), per_fold in orders.items():
            runs[(sampling, s)] = [
                _curve_point(data, method, splits, [o[:n] for o in per_fold], embedder, truth)
                for n in sizes
            ]
        uncertain = _uncertainty_runs(data, method, splits, sizes, step, embedder, truth)
        f1_random = np.array([runs[("random", s)] for s in seeds])
        for k, n in enumerate(sizes):
            rows.append(
                {
                    "sampling": "random",
                    "method": method,
                    "n_coded": n,
                    "f1": float(f1_random[:, k].mean()),
                    "f1_min": float(f1_random[:, k].min()),
                    "f1_max": float(f1_random[:, k].max()),
                }
            )
            rows.append(
                {
                    "sampling": "uncertainty",
                    "method": method,
                    "n_coded": n,
                    "f1": uncertain[k],
                    "f1_min": uncertain[k],
                    "f1_max": uncertain[k],
                }
            )
    return pd.DataFrame(rows)


def _uncertainty_runs(
    data: EvalData,
    method: str,
    splits: list[tuple[np.ndarray, np.ndarray]],
    sizes: list[int],
    step: int,
    embedder: str,
    truth: np.ndarray,
) -> list[float]:
    coded = [np.array([], dtype=int) for _ in splits]
    out = []
    for n in sizes:
        for k, (train, _) in enumerate(splits):
            while len(coded[k]) < n:
                ranked = _uncertainty(data, train, coded[k], embedder, method)
                coded[k] = np.concatenate([coded[k], ranked[: min(step, n - len(coded[k]))]])
        out.append(_curve_point(data, method, splits, coded, embedder, truth))
    return out


def _curve_point(
    data: EvalData,
    method: str,
    splits: list[tuple[np.ndarray, np.ndarray]],
    coded: list[np.ndarray],
    embedder: str,
    truth: np.ndarray,
) -> float:
    """Out-of-fold micro-F1 when each fold has coded ``coded[k]`` of its training
    segments."""
    predicted = np.zeros_like(truth)
    for (_, test), known in zip(splits, coded, strict=True):
        proposals = _fold_proposals(data, method, known, test, embedder)
        predicted[test] = proposal_matrix(proposals, data)[test]
    return micro_scores(predicted, truth)[2]
