"""Applying a sheet's decisions: an accepted proposal becomes a human coding in
``codings_<coder>.csv`` (its memo names what proposed it), and every decision is added to
the decision log; a decision already logged or a coding already in the file is not added
twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from analysis.qual.codebook import Codebook
from analysis.qual.codings import COLUMNS as CODING_COLUMNS
from analysis.qual.review_files import LOG_COLUMNS, ReviewFiles, read_log


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
