"""The review loop: a researcher accepts or rejects the assisted coding's proposals, and
the decisions teach the codebook owner which patterns to fix.

One round (:func:`review_round`, run by ``python -m analysis review`` and by notebook 01):

1. the decisions in the coder's review sheet are applied: an accepted proposal becomes
   a human coding in ``codings_<coder>.csv`` (the codings' contract: ``source, start,
   end, code, coder, memo, source_hash``; the memo names the rule or similarity that
   proposed it), and every decision, accepted or rejected, is added to the decision log
   ``review_log_<coder>.csv``;
2. precision is computed from all decisions so far: per method, per pattern (patterns
   below :data:`FLAG_BELOW` with at least :data:`MIN_DECISIONS` decisions are flagged),
   the running acceptance rate per batch (a live estimate of the proposals' precision),
   and words in accepted segments that no pattern of the code caught (suggestions for the
   codebook owner, who edits the patterns and bumps the codebook's version);
3. the next batch is written to the sheet: proposals no human has coded or decided,
   most uncertain first (those only similarity proposed, smallest margin first; then
   rules, fewest patterns first).

The files, in the coder's folder (by default the corpus's, where every ``codings_*.csv``
is read):

``review_<coder>.xlsx`` (or ``.csv``), the sheet (:data:`SHEET_COLUMNS`): ``item``,
``segment_id``, ``source``, ``start``, ``end``, ``code``, ``label``, ``method``,
``confidence``, ``margin``, ``evidence``, ``patterns``, ``quote``, ``decision``,
``note``. Item numbers run on from sheet to sheet and are never given twice. The
researcher fills ``decision`` with ``accept`` or ``reject`` (``a``/``r``, ``ja``/``nej``
are read too; empty: not decided yet, the row comes back) and may write a ``note``. Only
``decision`` and ``note`` are read back; the other columns say what was proposed, and a
row whose ``segment_id`` or ``code`` is unknown is refused naming its row.

``review_log_<coder>.csv`` (:data:`LOG_COLUMNS`): one row per decision, never rewritten
but to add rows: ``batch``, ``item``, ``decided``, ``segment_id``, ``source``,
``start``, ``end``, ``code``, ``decision``, ``method``, ``implied_by``, ``patterns``,
``confidence``, ``margin``, ``evidence``, ``note``, ``codebook_version``.

Nothing is lost: each file is written atomically, the codings and the log before the
sheet, and a decision already in the log or a coding already in the file is not added
twice, so a round stopped half-way is finished by running it again. A sheet whose
decisions are not yet applied is applied before a new one replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.privacy import PrivacyPolicy
from analysis.qual.review_decisions import Applied, apply_decisions, memo
from analysis.qual.review_files import (
    DECISIONS,
    LOG_COLUMNS,
    SHEET_COLUMNS,
    ReviewFiles,
    current_items,
    next_item,
    read_decisions,
    read_log,
    record_decisions,
    write_sheet,
)
from analysis.qual.review_queue import BATCH, QUOTE_CHARS, review_queue, sheet_table
from analysis.qual.review_summary import (
    FLAG_BELOW,
    MIN_DECISIONS,
    MIN_TERM_LETTERS,
    MIN_TERM_SEGMENTS,
    TERM_COLUMNS,
    ReviewSummary,
    suggested_terms,
    summarise,
)

__all__ = [
    "BATCH",
    "DECISIONS",
    "FLAG_BELOW",
    "LOG_COLUMNS",
    "MIN_DECISIONS",
    "MIN_TERM_LETTERS",
    "MIN_TERM_SEGMENTS",
    "QUOTE_CHARS",
    "SHEET_COLUMNS",
    "TERM_COLUMNS",
    "Applied",
    "ReviewFiles",
    "ReviewRound",
    "ReviewSummary",
    "apply_decisions",
    "current_items",
    "memo",
    "next_item",
    "read_decisions",
    "read_log",
    "record_decisions",
    "review_queue",
    "review_round",
    "sheet_table",
    "suggested_terms",
    "summarise",
    "write_sheet",
]


@dataclass(frozen=True)
class ReviewRound:
    """What a round did and found: the decisions applied, the summary, the new sheet and
    its rows (empty when nothing is left to review)."""

    applied: Applied
    summary: ReviewSummary
    sheet: Path | None
    batch: pd.DataFrame = field(default_factory=pd.DataFrame)
    remaining: int = 0


def review_round(
    files: ReviewFiles,
    *,
    corpus_path: Path | str | None = None,
    codebook_path: Path | str | None = None,
    codings_path: Path | str | list[Path | str] | None = None,
    batch: int = BATCH,
    decisions: Mapping[int, str] | None = None,
    embedder: str = "tfidf",
    policy: PrivacyPolicy | None = None,
) -> ReviewRound:
    """Apply the sheet's decisions (and ``decisions``, item number -> accept/reject, for
    the notebook), summarise all decisions so far and write the next batch."""
    from analysis.qual.pipeline import coded_segments, corpus_proposals, corpus_tokens, load_inputs

    policy = policy or PrivacyPolicy()
    inputs = load_inputs(corpus_path, codebook_path, codings_path)
    if decisions:
        record_decisions(files, decisions)
    first_item = next_item(files)
    items = current_items(files)
    applied = Applied()
    for sheet in files.sheets():
        decided = read_decisions(sheet, inputs.corpus, inputs.codebook)
        step = apply_decisions(decided, files, inputs.corpus, inputs.codebook)
        applied = Applied(
            applied.accepted + step.accepted,
            applied.rejected + step.rejected,
            applied.already + step.already,
            applied.codings_added + step.codings_added,
        )
    if applied.codings_added:
        inputs = load_inputs(corpus_path, codebook_path, _with_file(codings_path, files.codings))
    log = read_log(files)
    terms = suggested_terms(log, corpus_tokens(inputs), inputs.codebook)
    summary = summarise(log, terms)
    proposals = corpus_proposals(inputs, method="rules+similarity", embedder=embedder)
    queue = review_queue(proposals, coded_segments(inputs, level="all"), log)
    table = sheet_table(
        queue, inputs.corpus, inputs.codebook, batch=batch, first_item=first_item, items=items
    )
    sheet = write_sheet(table, files, policy)
    return ReviewRound(applied, summary, sheet, table, remaining=queue["id"].nunique())


def _with_file(
    codings_path: Path | str | list[Path | str] | None, path: Path
) -> Path | str | list[Path | str] | None:
    """The codings to read after a round added ``path`` (the defaults pick it up)."""
    if codings_path is None:
        return None
    paths = list(codings_path) if isinstance(codings_path, list | tuple) else [codings_path]
    if all(Path(p).resolve() != path.resolve() for p in paths):
        paths.append(path)
    return paths
