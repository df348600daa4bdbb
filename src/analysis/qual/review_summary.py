"""What the decisions say: precision per method and per pattern (flagging weak
patterns), the running acceptance rate, and words in accepted segments that no pattern
caught (suggestions for the codebook owner)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.qual.codebook import Codebook

FLAG_BELOW = 0.4
MIN_DECISIONS = 3


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
