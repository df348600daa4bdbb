"""What to review next: the proposals no human has coded or decided, most uncertain
first, and the sheet of the next batch with its item numbers."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.qual.codebook import Codebook
from analysis.qual.review_files import SHEET_COLUMNS

BATCH = 20
QUOTE_CHARS = 300


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
