"""Danish tokens, lemmas and stems, offline.

spaCy's blank Danish pipeline with the lookup lemmatizer from ``spacy-lookups-data``
(sager -> sag, borgerne -> borger) and the Snowball Danish stemmer for compounds the
lookup table does not know. Nothing is downloaded. Loading spaCy takes seconds, so the
pipeline is built once per process, lazily, and token tables are cached on disk by
:func:`cached_tokens`.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable
from functools import cache
from typing import Any

import pandas as pd

from analysis.cache import CacheKey, cached_frame
from analysis.paths import ProjectPaths

TOKEN_COLUMNS = ("id", "i", "start", "end", "lower", "lemma", "stem", "is_word")


@cache
def danish_pipeline() -> Any:
    """spaCy's blank Danish pipeline with the lookup lemmatizer (built once per process)."""
    import spacy

    nlp = spacy.blank("da")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@cache
def _lemma_table() -> Any:
    return danish_pipeline().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


@cache
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("danish")


def lemma(word: str) -> str:
    """Lemma of one lower-case word (the word itself when the table does not know it)."""
    table = _lemma_table()
    return str(table.get(word, word))


def stem(word: str) -> str:
    """Snowball Danish stem of one lower-case word."""
    return str(_stemmer().stemWord(word))


def tokens(texts: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """Tokens of ``(id, text)`` pairs: offsets (code points), lower-case form, lemma, stem.

    Lemmas are looked up on the lower-case form, so sentence-initial words ("Sagerne")
    are lemmatised too.
    """
    nlp = danish_pipeline()
    rows = []
    for ident, text in texts:
        for token in nlp.make_doc(text):
            lower = token.lower_
            rows.append(
                (
                    ident,
                    token.i,
                    token.idx,
                    token.idx + len(token.text),
                    lower,
                    lemma(lower),
                    stem(lower),
                    any(ch.isalnum() for ch in lower),
                )
            )
    frame = pd.DataFrame(rows, columns=list(TOKEN_COLUMNS))
    return frame.astype(
        {"id": "str", "i": "int64", "start": "int64", "end": "int64", "is_word": "bool"}
    )


def versions() -> dict[str, str]:
    """Versions of the language resources (part of every cache key built on tokens)."""
    out = {}
    for name in ("spacy", "spacy-lookups-data", "snowballstemmer"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def cached_tokens(
    segments: pd.DataFrame,
    *,
    inputs: Iterable[Any] = (),
    name: str = "qual_tokens",
    paths: ProjectPaths | None = None,
) -> pd.DataFrame:
    """Tokens of the segments (``segment_id``, ``text``), cached on disk.

    The key combines the input files, this module's source, the language resources and a
    hash of the texts themselves, so a changed text or tool version recomputes.
    """
    from analysis.fileio import sha256_bytes

    texts = list(zip(segments["segment_id"], segments["text"], strict=True))
    digest = sha256_bytes("\x1e".join(f"{i}\x1f{t}" for i, t in texts).encode("utf-8"))
    key = CacheKey(
        inputs=tuple(inputs),
        modules=("analysis.qual.nlp",),
        params={"texts": digest, **versions()},
    )
    return cached_frame(name, key, lambda: tokens(texts), paths=paths)
