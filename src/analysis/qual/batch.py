"""What the report batch asks of the qualitative part: which municipalities have interview
data, and the shared work to do once before the per-municipality notebooks run."""

from __future__ import annotations

from concurrent.futures import Executor

from analysis.paths import ProjectPaths, get_paths
from analysis.qual.corpus import load_corpus
from analysis.qual.pipeline import assisted_coding_evaluation, corpus_proposals, load_inputs


def municipalities_with_sources(paths: ProjectPaths | None = None) -> set[int]:
    """Codes of the municipalities with at least one source in the corpus (default
    ``data/raw/interviews``); sources without a municipality code are not assigned."""
    paths = paths or get_paths()
    if not paths.interviews.exists():
        return set()
    codes = load_corpus(paths.interviews).sources["municipality_code"].dropna()
    return {int(code) for code in codes}


def municipalities_with_interviews(paths: ProjectPaths | None = None) -> set[int]:
    """Codes of the municipalities with at least one source that stands for persons
    (interviews, focus groups, written answers): the joint display compares what persons
    say, so a municipality with documents only has no qualitative strand for it."""
    from analysis.qual.summaries import is_person

    paths = paths or get_paths()
    if not paths.interviews.exists():
        return set()
    sources = load_corpus(paths.interviews).sources
    codes = sources.loc[is_person(sources), "municipality_code"].dropna()
    return {int(code) for code in codes}


def precompute(paths: ProjectPaths | None = None, helpers: Executor | None = None) -> None:
    """Tokenise and rule-code the corpus and evaluate the assisted coding once (cached),
    so no per-municipality notebook loads spaCy or trains a classifier (``helpers`` is
    not used: the work is one chain)."""
    paths = paths or get_paths()
    if not paths.interviews.exists():
        return
    inputs = load_inputs(paths.interviews)
    corpus_proposals(inputs, paths)
    assisted_coding_evaluation(inputs, paths=paths)
