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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError, ProblemCollector
from analysis.privacy import PrivacyPolicy
from analysis.qual.codebook import Codebook
from analysis.qual.codings import COLUMNS as CODING_COLUMNS

SHEET_COLUMNS = (
    "item",
    "segment_id",
    "source",
    "start",
    "end",
    "code",
    "label",
    "method",
    "confidence",
    "margin",
    "evidence",
    "patterns",
    "quote",
    "decision",
    "note",
)
LOG_COLUMNS = (
    "batch",
    "item",
    "decided",
    "segment_id",
    "source",
    "start",
    "end",
    "code",
    "decision",
    "method",
    "implied_by",
    "patterns",
    "confidence",
    "margin",
    "evidence",
    "note",
    "codebook_version",
)
#: what a researcher may write in ``decision`` (case and spaces ignored)
DECISIONS = {
    "accept": "accept",
    "a": "accept",
    "ja": "accept",
    "yes": "accept",
    "reject": "reject",
    "r": "reject",
    "nej": "reject",
    "no": "reject",
}
#: patterns with precision below this (and enough decisions) are flagged
FLAG_BELOW = 0.4
MIN_DECISIONS = 3
BATCH = 20
QUOTE_CHARS = 300
_CODER = re.compile(r"^[\w.@-]+$")


@dataclass(frozen=True)
class ReviewFiles:
    """The coder's files in ``folder``; ``sheet_format`` ``xlsx`` or ``csv``."""

    folder: Path
    coder: str
    sheet_format: str = "xlsx"

    def __post_init__(self) -> None:
        if not _CODER.match(self.coder):
            raise InputError.single(
                "review", f"bad coder name {self.coder!r}", expected="letters, digits, _.-@"
            )
        if self.sheet_format not in {"xlsx", "csv"}:
            raise ValueError(f"sheet_format must be xlsx or csv, got {self.sheet_format!r}")

    @property
    def sheet(self) -> Path:
        return self.folder / f"review_{self.coder}.{self.sheet_format}"

    @property
    def log(self) -> Path:
        return self.folder / f"review_log_{self.coder}.csv"

    @property
    def codings(self) -> Path:
        return self.folder / f"codings_{self.coder}.csv"

    def sheets(self) -> list[Path]:
        """Every review sheet of the coder present (either format)."""
        return [
            p
            for p in (self.folder / f"review_{self.coder}.{x}" for x in ("xlsx", "csv"))
            if p.is_file()
        ]


# --- reading the sheet ----------------------------------------------------------------


def read_decisions(path: Path, corpus: object, codebook: Codebook) -> pd.DataFrame:
    """The rows of a sheet that carry a decision, checked: ``segment_id``, ``code``,
    ``decision`` (``accept``/``reject``), ``note`` and the proposal's columns. All
    problems are raised together, naming the file, row and column; nothing is applied
    then."""
    from analysis.qual.spreadsheet import read_table

    table = read_table(path)
    missing = [c for c in ("segment_id", "code", "decision") if c not in table.columns]
    if missing:
        raise InputError.single(
            path,
            "missing columns",
            expected=", ".join(SHEET_COLUMNS),
            found=", ".join(table.columns),
        )
    for column in SHEET_COLUMNS:
        if column not in table.columns:
            table[column] = ""
    segments = set(corpus.segments["segment_id"])
    codes = set(codebook.ids)
    problems = ProblemCollector(str(path))
    keep = []
    for index, row in table.iterrows():
        raw = str(row["decision"]).strip().casefold()
        if not raw:
            continue
        if raw not in DECISIONS:
            problems.add(
                "unknown decision",
                row=int(index) + 2,
                column="decision",
                expected="accept or reject (or empty: not decided yet)",
                found=str(row["decision"]),
            )
            continue
        if str(row["segment_id"]) not in segments:
            problems.add(
                f"unknown segment {row['segment_id']!r}", row=int(index) + 2, column="segment_id"
            )
            continue
        if str(row["code"]) not in codes:
            problems.add(
                f"code {row['code']!r} is not in the codebook", row=int(index) + 2, column="code"
            )
            continue
        keep.append({**row.to_dict(), "decision": DECISIONS[raw]})
    problems.raise_if_any(f"{len(problems)} problem(s) in {path}")
    frame = pd.DataFrame(keep, columns=list(table.columns))
    return frame.drop_duplicates(subset=["segment_id", "code"], keep="last").reset_index(drop=True)


def read_log(files: ReviewFiles) -> pd.DataFrame:
    """The decision log (empty with its columns when there is none yet)."""
    from analysis.qual.spreadsheet import read_table

    if not files.log.is_file():
        return pd.DataFrame({c: pd.Series(dtype="str") for c in LOG_COLUMNS})
    table = read_table(files.log)
    missing = [c for c in LOG_COLUMNS if c not in table.columns]
    if missing:
        raise InputError.single(
            files.log,
            "missing columns",
            expected=", ".join(LOG_COLUMNS),
            found=", ".join(table.columns),
        )
    return table


# --- applying decisions ----------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """What one round's decisions did."""

    accepted: int = 0
    rejected: int = 0
    already: int = 0
    codings_added: int = 0


def memo(row: Mapping[str, object]) -> str:
    """The memo of an accepted proposal: which rule or similarity proposed it
    (``accepted proposal (rules '*sagsstamme*', 'mere tid')``)."""
    method = str(row.get("method", ""))
    implied = str(row.get("implied_by", "") or "")
    patterns = [p for p in str(row.get("patterns", "") or "").split("; ") if p]
    if method == "rules" and patterns:
        why = "rules " + ", ".join(repr(p) for p in patterns)
    elif method == "similarity" and not implied:
        why = f"similarity: {row.get('evidence', '')}"
    else:
        why = method or "a proposal"
    text = f"accepted proposal ({why})"
    if implied:
        text = f"accepted proposal (implied by {implied}, proposed by {why})"
    note = str(row.get("note", "") or "").strip()
    return f"{text}; note: {note}" if note else text


def apply_decisions(
    decided: pd.DataFrame,
    files: ReviewFiles,
    corpus: object,
    codebook: Codebook,
    *,
    now: datetime | None = None,
) -> Applied:
    """Add the accepted proposals to ``codings_<coder>.csv`` and every decision to the
    log (each atomically, codings first); decisions already logged are skipped."""
    from analysis.qual.spreadsheet import read_table
    from analysis.tablefiles import write_csv

    if decided.empty:
        return Applied()
    log = read_log(files)
    logged = set(zip(log["segment_id"], log["code"], strict=True))
    fresh = decided[
        [(s, c) not in logged for s, c in zip(decided["segment_id"], decided["code"], strict=True)]
    ]
    already = len(decided) - len(fresh)
    segments = corpus.segments.set_index("segment_id")
    hashes = dict(zip(corpus.sources["source_id"], corpus.sources["content_hash"], strict=True))
    batch = int(pd.to_numeric(log["batch"], errors="coerce").max()) + 1 if len(log) else 1
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = []
    for row in fresh.to_dict("records"):
        segment = segments.loc[row["segment_id"]]
        rows.append(
            {
                "batch": str(batch),
                "item": str(row.get("item", "")),
                "decided": stamp,
                "segment_id": row["segment_id"],
                "source": str(segment["source_id"]),
                "start": str(int(segment["start"])),
                "end": str(int(segment["end"])),
                "code": row["code"],
                "decision": row["decision"],
                "method": str(row.get("method", "")),
                "implied_by": _implied_by(row),
                "patterns": _patterns(row),
                "confidence": str(row.get("confidence", "")),
                "margin": str(row.get("margin", "")),
                "evidence": str(row.get("evidence", "")),
                "note": str(row.get("note", "") or ""),
                "codebook_version": codebook.version,
            }
        )
    new_log = pd.DataFrame(rows, columns=list(LOG_COLUMNS))
    accepted = new_log[new_log["decision"] == "accept"]
    added = 0
    if len(accepted):
        existing = (
            read_table(files.codings)
            if files.codings.is_file()
            else pd.DataFrame(columns=[*CODING_COLUMNS, "source_hash"])
        )
        for column in (*CODING_COLUMNS, "source_hash"):
            if column not in existing.columns:
                existing[column] = ""
        have = set(
            zip(
                existing["source"],
                existing["start"].astype(str),
                existing["end"].astype(str),
                existing["code"],
                existing["coder"],
                strict=True,
            )
        )
        new = []
        for row in accepted.to_dict("records"):
            key = (row["source"], row["start"], row["end"], row["code"], files.coder)
            if key in have:
                continue
            have.add(key)
            new.append(
                {
                    "source": row["source"],
                    "start": row["start"],
                    "end": row["end"],
                    "code": row["code"],
                    "coder": files.coder,
                    "memo": memo(row),
                    "source_hash": hashes[row["source"]],
                }
            )
        if new:
            combined = pd.concat([existing, pd.DataFrame(new)], ignore_index=True)
            write_csv(combined.fillna(""), files.codings)
            added = len(new)
    if len(new_log):
        write_csv(pd.concat([log, new_log], ignore_index=True).fillna(""), files.log)
    return Applied(
        accepted=int((new_log["decision"] == "accept").sum()),
        rejected=int((new_log["decision"] == "reject").sum()),
        already=already,
        codings_added=added,
    )


def _implied_by(row: Mapping[str, object]) -> str:
    evidence = str(row.get("evidence", "") or "")
    return evidence.removeprefix("implied by ") if evidence.startswith("implied by ") else ""


def _patterns(row: Mapping[str, object]) -> str:
    value = row.get("patterns")
    return value if isinstance(value, str) and str(row.get("method")) == "rules" else ""


# --- the queue -------------------------------------------------------------------------


def review_queue(proposals: pd.DataFrame, coded: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Proposals no human has coded and the coder has not decided, most uncertain first:
    segments only similarity proposed for (smallest margin first), then rules (fewest
    patterns, i.e. lowest confidence, first). A segment's proposals stay together."""
    done = set(zip(coded["segment_id"], coded["code"], strict=True))
    done |= set(zip(log["segment_id"], log["code"], strict=True))
    keep = [(i, c) not in done for i, c in zip(proposals["id"], proposals["code"], strict=True)]
    queue = proposals[np.array(keep, dtype=bool)].copy()
    if queue.empty:
        return queue.assign(uncertainty=pd.Series(dtype="float64"))
    margin = pd.to_numeric(queue.get("margin"), errors="coerce") if "margin" in queue else None
    similarity = queue["method"] == "similarity"
    # 2 + (1 - margin) for similarity (always above rules), 1 - confidence for rules
    score = np.where(
        similarity,
        2.0 + (1.0 - (margin.fillna(0.0) if margin is not None else 0.0)),
        1.0 - pd.to_numeric(queue["confidence"], errors="coerce").fillna(0.0),
    )
    queue["uncertainty"] = np.round(score, 4)
    queue["_segment"] = queue.groupby("id", sort=False)["uncertainty"].transform("max")
    queue["_implied"] = queue["evidence"].fillna("").str.startswith("implied by ")
    queue = queue.sort_values(
        ["_segment", "id", "uncertainty", "_implied"],
        ascending=[False, True, False, True],
        kind="stable",
    )
    return queue.drop(columns=["_segment", "_implied"]).reset_index(drop=True)


def sheet_table(
    queue: pd.DataFrame,
    corpus: object,
    codebook: Codebook,
    *,
    batch: int = BATCH,
    first_item: int = 1,
    items: Mapping[tuple[str, str], int] | None = None,
) -> pd.DataFrame:
    """The first ``batch`` segments of the queue as the sheet (:data:`SHEET_COLUMNS`). A
    proposal keeps its number from ``items`` ((segment, code) -> item of the sheet
    before); new ones are numbered from ``first_item``, so a number is never given to two
    proposals and a decision meant for an earlier sheet cannot land on another one."""
    ids = list(dict.fromkeys(queue["id"]))[:batch]
    rows = queue[queue["id"].isin(set(ids))]
    segments = corpus.segments.set_index("segment_id")
    out = pd.DataFrame(
        {
            "item": _numbers(rows, first_item, items or {}),
            "segment_id": rows["id"].to_numpy(),
            "source": [segments.at[i, "source_id"] for i in rows["id"]],
            "start": [int(segments.at[i, "start"]) for i in rows["id"]],
            "end": [int(segments.at[i, "end"]) for i in rows["id"]],
            "code": rows["code"].to_numpy(),
            "label": [codebook.label(c) for c in rows["code"]],
            "method": rows["method"].to_numpy(),
            "confidence": rows["confidence"].to_numpy(),
            "margin": rows["margin"].to_numpy() if "margin" in rows else np.nan,
            "evidence": rows["evidence"].to_numpy(),
            "patterns": rows["patterns"].fillna("").to_numpy() if "patterns" in rows else "",
            "quote": [_quote(segments.at[i, "text"]) for i in rows["id"]],
            "decision": "",
            "note": "",
        }
    )
    return out[list(SHEET_COLUMNS)]


def _numbers(rows: pd.DataFrame, first: int, items: Mapping[tuple[str, str], int]) -> list[int]:
    numbers, following = [], first
    for pair in zip(rows["id"], rows["code"], strict=True):
        if pair in items:
            numbers.append(int(items[pair]))
        else:
            numbers.append(following)
            following += 1
    return numbers


def _quote(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def write_sheet(table: pd.DataFrame, files: ReviewFiles, policy: PrivacyPolicy) -> Path:
    """Write the sheet (atomically; the quotes through the personal-data gate) and remove
    a sheet of the other format, whose decisions have been applied."""
    from analysis.publish import publish_csv

    if files.sheet_format == "csv":
        publish_csv(files.sheet, table, policy)
    else:
        _write_xlsx_sheet(table, files.sheet, policy)
    for other in files.sheets():
        if other != files.sheet:
            other.unlink()
    return files.sheet


def _write_xlsx_sheet(table: pd.DataFrame, path: Path, policy: PrivacyPolicy) -> None:
    from analysis.privacy import gate_frame
    from analysis.tablefiles import write_xlsx

    write_xlsx(gate_frame(table, policy, where=str(path)), path, sheet="review")


# --- what the decisions say --------------------------------------------------------------


@dataclass(frozen=True)
class ReviewSummary:
    """Precision from the decisions so far (see the module docstring)."""

    methods: pd.DataFrame
    patterns: pd.DataFrame
    acceptance: pd.DataFrame
    terms: pd.DataFrame
    n_decided: int = 0
    n_accepted: int = 0

    @property
    def acceptance_rate(self) -> float:
        """Accepted share of all decisions: a live estimate of the proposals' precision."""
        return self.n_accepted / self.n_decided if self.n_decided else float("nan")

    @property
    def flagged(self) -> pd.DataFrame:
        return self.patterns[self.patterns["flagged"]]


def _precision(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(by, sort=True)["decision"]
    out = pd.DataFrame(
        {
            "n_decided": grouped.size(),
            "n_accepted": grouped.agg(lambda d: int((d == "accept").sum())),
        }
    ).reset_index()
    out["precision"] = out["n_accepted"] / out["n_decided"]
    return out


def summarise(log: pd.DataFrame, terms: pd.DataFrame | None = None) -> ReviewSummary:
    """Precision per method and per pattern, acceptance per batch, from the log."""
    decided = log[log["decision"].isin(["accept", "reject"])]
    methods = (
        _precision(decided, ["method"])
        if len(decided)
        else pd.DataFrame(columns=["method", "n_decided", "n_accepted", "precision"])
    )
    own = decided[(decided["method"] == "rules") & (decided["implied_by"].fillna("") == "")]
    pattern_rows = [
        {"code": r["code"], "pattern": p, "decision": r["decision"]}
        for r in own.to_dict("records")
        for p in str(r["patterns"]).split("; ")
        if p
    ]
    if pattern_rows:
        patterns = _precision(pd.DataFrame(pattern_rows), ["code", "pattern"])
        patterns["flagged"] = (patterns["n_decided"] >= MIN_DECISIONS) & (
            patterns["precision"] < FLAG_BELOW
        )
        patterns = patterns.sort_values(
            ["precision", "n_decided"], ascending=[True, False], kind="stable"
        )
    else:
        patterns = pd.DataFrame(
            columns=["code", "pattern", "n_decided", "n_accepted", "precision", "flagged"]
        )
    patterns = patterns.reset_index(drop=True)
    patterns["flagged"] = patterns["flagged"].astype(bool)
    if len(decided):
        batch = pd.to_numeric(decided["batch"], errors="coerce")
        per = _precision(decided.assign(batch=batch), ["batch"])
        per["cumulative_decided"] = per["n_decided"].cumsum()
        per["cumulative_accepted"] = per["n_accepted"].cumsum()
        per["acceptance_rate"] = per["cumulative_accepted"] / per["cumulative_decided"]
        acceptance = per.rename(columns={"precision": "batch_acceptance"})
    else:
        acceptance = pd.DataFrame(
            columns=[
                "batch",
                "n_decided",
                "n_accepted",
                "batch_acceptance",
                "cumulative_decided",
                "cumulative_accepted",
                "acceptance_rate",
            ]
        )
    return ReviewSummary(
        methods=methods.reset_index(drop=True),
        patterns=patterns,
        acceptance=acceptance.reset_index(drop=True),
        terms=terms if terms is not None else pd.DataFrame(columns=TERM_COLUMNS),
        n_decided=len(decided),
        n_accepted=int((decided["decision"] == "accept").sum()),
    )


TERM_COLUMNS = ("code", "term", "forms", "n_segments", "n_corpus_segments", "segments")
MIN_TERM_LETTERS = 4
#: a word is suggested when it is in at least this many accepted segments of the code
MIN_TERM_SEGMENTS = 2


def suggested_terms(
    log: pd.DataFrame, tokens: pd.DataFrame, codebook: Codebook, *, per_code: int = 8
) -> pd.DataFrame:
    """Words in accepted segments that no pattern of the accepted code caught: for each
    code accepted where its patterns did not match (proposed by similarity), the content
    words (lemmas of at least four letters, not stop words) found in at least
    :data:`MIN_TERM_SEGMENTS` of those segments, most segments first, then the rarest in
    the corpus. ``term`` is the lemma (what a pattern matches), ``forms`` the words as
    written. For the codebook owner to consider as
    patterns (``arbejdspres``, ``sagsantal``, ``arbejdsbyrde``)."""
    from spacy.lang.da.stop_words import STOP_WORDS

    from analysis.qual.autocode import compile_rules

    accepted = log[(log["decision"] == "accept") & (log["method"] == "similarity")]
    accepted = accepted[accepted["implied_by"].fillna("") == ""]
    if accepted.empty or tokens.empty:
        return pd.DataFrame(columns=list(TERM_COLUMNS))
    words = tokens[tokens["is_word"] & ~tokens["lower"].str.isdigit()]
    words = words[
        (words["lemma"].str.len() >= MIN_TERM_LETTERS)
        & ~words["lower"].isin(STOP_WORDS)
        & ~words["lemma"].isin(STOP_WORDS)
    ]
    in_corpus = words.groupby("lemma")["id"].nunique()
    rules = compile_rules(codebook)
    rows = []
    for code, group in accepted.groupby("code", sort=False):
        matchers = [w for r in rules if r.code == code for w in r.words]
        mine = words[words["id"].isin(set(group["segment_id"]))]
        caught = [
            any(m.matches(lower, lemma_, stem_) for m in matchers)
            for lower, lemma_, stem_ in zip(mine["lower"], mine["lemma"], mine["stem"], strict=True)
        ]
        free = mine[~np.array(caught, dtype=bool)] if caught else mine
        for lemma_, hits in free.groupby("lemma"):
            segment_ids = sorted(set(hits["id"]))
            if len(segment_ids) < MIN_TERM_SEGMENTS:
                continue
            rows.append(
                {
                    "code": code,
                    "term": lemma_,
                    "forms": ", ".join(sorted(set(hits["lower"]))),
                    "n_segments": len(segment_ids),
                    "n_corpus_segments": int(in_corpus.get(lemma_, 0)),
                    "segments": "; ".join(segment_ids),
                }
            )
    if not rows:
        return pd.DataFrame(columns=list(TERM_COLUMNS))
    out = pd.DataFrame(rows)
    out = out.sort_values(
        ["code", "n_segments", "n_corpus_segments", "term"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    return out.groupby("code", sort=False).head(per_code).reset_index(drop=True)


# --- one round -------------------------------------------------------------------------


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


def next_item(files: ReviewFiles) -> int:
    """One more than every item number given so far (in the sheets and the log)."""
    from analysis.qual.spreadsheet import read_table

    numbers = list(read_log(files)["item"])
    for sheet in files.sheets():
        table = read_table(sheet)
        numbers += list(table["item"]) if "item" in table.columns else []
    values = pd.to_numeric(pd.Series(numbers, dtype="object"), errors="coerce").dropna()
    return int(values.max()) + 1 if len(values) else 1


def current_items(files: ReviewFiles) -> dict[tuple[str, str], int]:
    """(segment, code) -> item number in the coder's current sheet(s)."""
    from analysis.qual.spreadsheet import read_table

    out: dict[tuple[str, str], int] = {}
    for sheet in files.sheets():
        table = read_table(sheet)
        if not {"item", "segment_id", "code"} <= set(table.columns):
            continue
        for item, segment, code in zip(
            table["item"], table["segment_id"], table["code"], strict=True
        ):
            if str(item).strip().isdecimal():
                out[(str(segment), str(code))] = int(item)
    return out


def record_decisions(files: ReviewFiles, decisions: Mapping[int, str]) -> Path | None:
    """Write ``decisions`` (item number -> accept/reject) into the current sheet
    (atomically), as a researcher would in a spreadsheet. Items already in the log were
    applied before and are skipped; an item number never given is refused."""
    from analysis.qual.spreadsheet import read_table
    from analysis.tablefiles import write_csv, write_xlsx

    logged = set(read_log(files)["item"].astype(str))
    pending = {str(k): v for k, v in decisions.items() if str(k) not in logged}
    if not pending:
        return None
    sheets = files.sheets()
    if not sheets:
        raise InputError.single(files.sheet, "no review sheet to record decisions in")
    path = sheets[0]
    table = read_table(path)
    items = {str(i): n for n, i in enumerate(table["item"])}
    unknown = [k for k in pending if k not in items]
    if unknown:
        raise InputError.single(
            path,
            "unknown item number(s)",
            column="item",
            expected=f"items of the current sheet ({', '.join(items) or 'none'})",
            found=", ".join(unknown),
        )
    for item, decision in pending.items():
        table.loc[items[item], "decision"] = str(decision)
    if path.suffix == ".csv":
        write_csv(table, path)
    else:
        write_xlsx(table, path, sheet="review")
    return path
