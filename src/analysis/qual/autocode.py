"""Assisted coding by transparent rules: the codebook's Danish patterns on lemmas and stems.

Pattern syntax (one pattern = one or more words that must follow each other):

- a plain word matches a token whose lower-case form equals it, whose lemma equals the
  word's lemma, or whose Snowball stem equals the word's stem (only for stems of five or
  more letters: short stems such as "led" from "leder" would match unrelated words);
- ``*`` at the start and/or end of a word matches any rest of the word, tested on the
  lower-case form and on the lemma (``*sagsstamme*`` matches "sagsstammer",
  ``leder*`` matches "lederne").

A proposal says which pattern matched which words (``evidence``; ``patterns`` lists the
patterns alone, for the review's precision per pattern). Its ``confidence`` is a simple score,
not a probability: 1 - 0.5 ** (number of distinct patterns of the code that matched),
i.e. 0.5 for one pattern, 0.75 for two. Proposals are a separate table; they are never
merged into the manual codings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.qual.codebook import Codebook
from analysis.qual.nlp import lemma, stem

PROPOSAL_COLUMNS = ("id", "code", "confidence", "method", "evidence")
#: the methods that propose, in the order a segment's proposals are listed
METHOD_ORDER = {"rules": 0, "similarity": 1, "classifier": 2}
MIN_STEM = 5


@dataclass(frozen=True)
class WordMatcher:
    """How one pattern word is matched against a token."""

    word: str
    regex: re.Pattern[str] | None
    lemma: str
    stem: str

    def matches(self, lower: str, lemma_: str, stem_: str) -> bool:
        if self.regex is not None:
            return bool(self.regex.fullmatch(lower) or self.regex.fullmatch(lemma_))
        if lower == self.word or lemma_ == self.lemma:
            return True
        return len(self.stem) >= MIN_STEM and stem_ == self.stem


@dataclass(frozen=True)
class Rule:
    """One codebook pattern, compiled."""

    code: str
    pattern: str
    words: tuple[WordMatcher, ...]


def compile_rules(codebook: Codebook) -> list[Rule]:
    """The codebook's patterns as matchers, in codebook order."""
    rules = []
    for row in codebook.codes.itertuples(index=False):
        for pattern in row.patterns:
            words = []
            for word in pattern.lower().split():
                if "*" in word:
                    body = ".*".join(re.escape(part) for part in word.split("*"))
                    words.append(WordMatcher(word, re.compile(body), "", ""))
                else:
                    words.append(WordMatcher(word, None, lemma(word), stem(word)))
            rules.append(Rule(row.id, pattern, tuple(words)))
    return rules


def rule_matches(tokens: pd.DataFrame, rules: list[Rule]) -> pd.DataFrame:
    """Every match of every rule: id, code, pattern, start, end (offsets in the text)."""
    rows = []
    for ident, group in tokens.groupby("id", sort=False):
        lowers = list(group["lower"])
        lemmas = list(group["lemma"])
        stems = list(group["stem"])
        starts = list(group["start"])
        ends = list(group["end"])
        n = len(lowers)
        for rule in rules:
            width = len(rule.words)
            for i in range(n - width + 1):
                if all(
                    w.matches(lowers[i + k], lemmas[i + k], stems[i + k])
                    for k, w in enumerate(rule.words)
                ):
                    rows.append((ident, rule.code, rule.pattern, starts[i], ends[i + width - 1]))
    return pd.DataFrame(rows, columns=["id", "code", "pattern", "start", "end"])


def rule_proposals(
    tokens: pd.DataFrame, codebook: Codebook, texts: dict[str, str] | None = None
) -> pd.DataFrame:
    """One proposal per (id, code) whose patterns matched, with evidence and a score.

    ``texts`` (id -> text) lets the evidence quote the matched words; without it the
    evidence gives the pattern only.
    """
    matches = rule_matches(tokens, compile_rules(codebook))
    if matches.empty:
        return empty_proposals()
    order = {code: i for i, code in enumerate(codebook.ids)}
    rows = []
    for (ident, code), group in matches.groupby(["id", "code"], sort=False):
        patterns = list(dict.fromkeys(group["pattern"]))
        found = []
        for pattern in patterns:
            first = group[group["pattern"] == pattern].iloc[0]
            if texts is not None and ident in texts:
                found.append(f"{pattern!r} ← {texts[ident][first['start'] : first['end']]!r}")
            else:
                found.append(repr(pattern))
        rows.append(
            {
                "id": ident,
                "code": code,
                "confidence": round(1 - 0.5 ** len(patterns), 4),
                "method": "rules",
                "evidence": "; ".join(found),
                "patterns": "; ".join(patterns),
                "_order": order[code],
            }
        )
    out = pd.DataFrame(rows).sort_values(["id", "_order"], kind="stable")
    return out.drop(columns=["_order"]).reset_index(drop=True)


def with_parents(proposals: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Every proposal of a sub-code also proposes its parent (and the parent's parent),
    with the evidence ``implied by <sub-code>``: the codebook says a sub-code implies its
    parent, as the human codings' analysis does (``codings.segment_codes(level="all")``).

    The implied row keeps the sub-code's method and confidence (and any other column). A
    parent proposed in its own right keeps its own row; the implied one is left out. The
    one roll-up for the command line, the notebook, the exports and the evaluation.
    """
    if proposals.empty:
        return proposals.reset_index(drop=True)
    parents = {
        code: parent
        for code, parent in zip(codebook.codes["id"], codebook.codes["parent"], strict=True)
        if isinstance(parent, str)
    }
    frames = [proposals]
    current = proposals
    while True:
        current = current[current["code"].isin(set(parents))]
        if current.empty:
            break
        child = current["code"]
        current = current.assign(code=child.map(parents))
        if "evidence" in current.columns:
            current = current.assign(evidence="implied by " + child)
        frames.append(current)
    out = pd.concat(frames, ignore_index=True)
    return out.drop_duplicates(subset=["id", "code"], keep="first").reset_index(drop=True)


def combine_proposals(
    frames: list[pd.DataFrame], codebook: Codebook, ids: list[str], *, parents: bool = True
) -> pd.DataFrame:
    """The proposals of several methods as one table: parents rolled up (see
    :func:`with_parents`), in the order of ``ids``, then method, then codebook order."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return empty_proposals()
    out = pd.concat(frames, ignore_index=True)
    if parents:
        out = with_parents(out, codebook)
    position = {i: n for n, i in enumerate(ids)}
    order = {code: n for n, code in enumerate(codebook.ids)}
    out = out.assign(
        _id=out["id"].map(position), _m=out["method"].map(METHOD_ORDER), _c=out["code"].map(order)
    )
    out = out.sort_values(["_id", "_m", "_c"], kind="stable", na_position="last")
    return out.drop(columns=["_id", "_m", "_c"]).reset_index(drop=True)


def empty_proposals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series(dtype="str"),
            "code": pd.Series(dtype="str"),
            "confidence": pd.Series(dtype="float64"),
            "method": pd.Series(dtype="str"),
            "evidence": pd.Series(dtype="str"),
        }
    )


def propose_rules(texts: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Rule proposals for a table of ``id``, ``text`` (tokenises it first)."""
    from analysis.qual.nlp import tokens

    pairs = list(zip(texts["id"].astype(str), texts["text"].astype(str), strict=True))
    return rule_proposals(tokens(pairs), codebook, dict(pairs))


def proposals_for_review(proposals: pd.DataFrame, coded: pd.DataFrame) -> pd.DataFrame:
    """Proposals a human has not (yet) coded: the review list. ``coded`` has
    ``segment_id`` and ``code`` (any coder); ``proposals`` has ``id`` = segment id."""
    done = set(zip(coded["segment_id"], coded["code"], strict=True))
    keep = [(i, c) not in done for i, c in zip(proposals["id"], proposals["code"], strict=True)]
    return proposals[pd.Series(keep, index=proposals.index, dtype="bool")].reset_index(drop=True)
