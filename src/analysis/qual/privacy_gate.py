"""The personal-data gate for qualitative exports and reports.

Before a corpus (and its codings' memos) leaves the project, every text passes
:func:`analysis.privacy.check_texts` with the chosen policy: ``pseudonymise`` (default)
replaces CPR numbers, e-mail addresses, phone numbers and listed names by placeholders,
``stop`` raises with the source and position, ``allow`` (explicit
``--allow-personal-data``) passes them. Replacing text changes its length, so coding
offsets are moved along: a coding boundary inside a replaced name moves to the edge of
its placeholder.

Source attributes are gated too (the source's ``name``, ``position``, ``setting`` and
every other text column: a CPR number or a name can stand there as well as in the text),
with the same aliases as the texts. Ids, hashes and the controlled vocabularies are left
as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.paths import get_paths
from analysis.privacy import (
    PersonalDataError,
    PrivacyPolicy,
    Pseudonymiser,
    check_texts,
    find_personal_data,
    gate_text,
    load_name_list,
)
from analysis.qual.corpus import ATTRIBUTES, Corpus, make_corpus

#: source columns that are never free text (ids, hashes, controlled vocabularies)
_NOT_FREE_TEXT = frozenset({"source_id", "text", "content_hash", *ATTRIBUTES})


def default_names_path() -> Path:
    """``data/raw/interviews/privacy_names.txt``: names to mask, one per line."""
    return get_paths().privacy_names


def make_policy(mode: str = "pseudonymise", names_path: Path | str | None = None) -> PrivacyPolicy:
    """A privacy policy with the names from ``names_path`` (default list if ``None``)."""
    path = Path(names_path) if names_path is not None else default_names_path()
    return PrivacyPolicy(mode=mode, names=load_name_list(path))


@dataclass(frozen=True)
class GateResult:
    """What passed the gate, and how many texts were changed."""

    corpus: Corpus
    codings: pd.DataFrame
    changed_sources: tuple[str, ...]
    changed_memos: int
    mode: str
    changed_attributes: int = 0

    @property
    def changed(self) -> int:
        """How many texts, memos and attribute values the gate changed."""
        return len(self.changed_sources) + self.changed_memos + self.changed_attributes


def pass_gate(corpus: Corpus, codings: pd.DataFrame, policy: PrivacyPolicy) -> GateResult:
    """Apply ``policy`` to the source texts and memos; move coding offsets along."""
    table = corpus.sources[["source_id", "text"]].rename(columns={"source_id": "source"})
    aliases = Pseudonymiser()  # one alias per person across texts, memos and attributes
    checked = check_texts(table, policy, pseudonymiser=aliases)
    memo_table = codings[["source", "memo"]].fillna("")
    checked_memos = check_texts(memo_table, policy, text_column="memo", pseudonymiser=aliases)
    attributes, attributes_changed = _gate_attributes(corpus.sources, policy, aliases)
    if policy.mode == "allow":
        return GateResult(corpus, codings, (), 0, policy.mode)

    old_texts = dict(zip(table["source"], table["text"], strict=True))
    new_texts = dict(zip(checked["source"], checked["text"], strict=True))
    changed = tuple(s for s in old_texts if old_texts[s] != new_texts[s])
    mappers = {
        s: _OffsetMapper(old_texts[s], new_texts[s], find_personal_data(old_texts[s], policy.names))
        for s in changed
    }
    out_codings = codings.copy()
    out_codings["memo"] = checked_memos["memo"].to_numpy()
    for index, row in out_codings.iterrows():
        mapper = mappers.get(row["source"])
        if mapper is not None:
            out_codings.at[index, "start"] = mapper.start(int(row["start"]))
            out_codings.at[index, "end"] = mapper.end(int(row["end"]))
    segments = corpus.segments.drop(columns=["text"]).copy()
    for index, row in segments.iterrows():
        mapper = mappers.get(row["source_id"])
        if mapper is not None:
            segments.at[index, "start"] = mapper.start(int(row["start"]))
            segments.at[index, "end"] = mapper.end(int(row["end"]))
    sources = attributes.drop(columns=["content_hash"]).copy()
    sources["text"] = sources["source_id"].map(new_texts)
    new_corpus = make_corpus(sources, segments, corpus.files)
    memos_changed = int((memo_table["memo"] != checked_memos["memo"]).sum())
    return GateResult(
        new_corpus, out_codings, changed, memos_changed, policy.mode, attributes_changed
    )


def _gate_attributes(
    sources: pd.DataFrame, policy: PrivacyPolicy, pseudonymiser: Pseudonymiser
) -> tuple[pd.DataFrame, int]:
    """The sources with every free-text attribute value gated (name, position, ...);
    ``stop`` names the source and the attribute."""
    out = sources.copy()
    if policy.mode == "allow":
        return out, 0
    changed, problems = 0, []
    for column in [c for c in sources.columns if c not in _NOT_FREE_TEXT]:
        values = out[column].astype(object)
        for index, value in values.items():
            if not isinstance(value, str) or not value:
                continue
            where = f"{sources.at[index, 'source_id']}, attribute '{column}'"
            try:
                new = gate_text(value, policy, where=where, pseudonymiser=pseudonymiser)
            except PersonalDataError as exc:
                problems.append(str(exc).split(":\n", 1)[-1])
                continue
            if new != value:
                values.at[index] = new
                changed += 1
        out[column] = values
    if problems:
        raise PersonalDataError(
            "personal data found in source attributes; pseudonymise it, remove it, or rerun "
            "with --allow-personal-data if you are entitled to publish it:\n"
            + "\n".join(problems[:20])
        )
    return out, changed


class _OffsetMapper:
    """Maps positions in a text to positions in its pseudonymised version.

    The pseudonymised text is the original with each (non-overlapping) finding replaced by
    a bracketed placeholder (``[CPR]``, ``[NAVN A]``, ...), so unchanged stretches can be
    aligned one by one and the placeholders found between them.
    """

    def __init__(self, old: str, new: str, findings: list) -> None:
        self.regions: list[tuple[int, int, int, int, bool]] = []
        last_old, pos = 0, 0
        for finding in sorted(findings, key=lambda f: f.start):
            if finding.start < last_old:
                continue  # overlapping findings are replaced once, as the pseudonymiser does
            piece = old[last_old : finding.start]
            if new[pos : pos + len(piece)] != piece:
                raise AnalysisError("pseudonymised text does not line up with the original")
            self.regions.append((last_old, finding.start, pos, pos + len(piece), False))
            pos += len(piece)
            close = new.find("]", pos)
            if not new.startswith("[", pos) or close < 0:
                raise AnalysisError("placeholder not found in the pseudonymised text")
            self.regions.append((finding.start, finding.end, pos, close + 1, True))
            pos, last_old = close + 1, finding.end
        tail = old[last_old:]
        if new[pos:] != tail:
            raise AnalysisError("pseudonymised text does not line up with the original")
        self.regions.append((last_old, len(old), pos, len(new), False))

    def start(self, position: int) -> int:
        for old_start, old_end, new_start, _new_end, replaced in self.regions:
            if old_start <= position < old_end or (position == old_end == old_start):
                return new_start if replaced else new_start + (position - old_start)
        return self.regions[-1][3]

    def end(self, position: int) -> int:
        for old_start, old_end, new_start, new_end, replaced in self.regions:
            if old_start < position <= old_end:
                return new_end if replaced else new_start + (position - old_start)
        return 0 if position == 0 else self.regions[-1][3]
