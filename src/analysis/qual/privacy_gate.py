"""The door: personal data is normalised and masked when the corpus is read, before any
analysis sees it.

Every analysis of a corpus (the notebooks through :func:`analysis.qual.pipeline.
load_gated_inputs`, ``export-qdpx``, ``reliability``) reads the corpus and its codings as
they are in ``data/raw`` (the codings are checked against the original texts: offsets and
content hashes) and passes them through :func:`pass_gate` at once. The gate

1. normalises every text (:func:`analysis.privacy.normalise`: Unicode NFKC, invisible
   characters such as soft hyphens and zero-width spaces removed, one hyphen for every
   dash, digits of every script as 0-9), so that no analysis, table or figure sees a
   spelling that hides a number or a name from the detector;
2. applies the policy (:func:`analysis.privacy.find_personal_data`): ``pseudonymise``
   (default) replaces CPR numbers, e-mail addresses, phone numbers and listed names by
   placeholders (``[CPR]``, ``[NAVN A]``), ``stop`` raises with the source and the
   position, ``allow`` (explicit ``--allow-personal-data``) passes them;
3. does the same to the source attributes (``name``, ``position``, every free-text
   column), the codings' memos and the ids: a source id made from a file name
   (``Interview Jakob Jensen.txt`` -> ``interview-jakob-jensen``) becomes pseudonymous
   (``interview-navn-a``), and the segment ids and codings follow it.

Both steps change lengths, so coding and segment offsets are carried along
(:class:`analysis.privacy.OffsetMap`): a boundary inside a replaced name moves to the
edge of its placeholder, one next to a removed soft hyphen stays next to the same letter.
The same aliases hold across texts, memos, attributes and ids of one corpus. The files in
``data/raw`` are never changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.data.reference import unique_name
from analysis.paths import get_paths
from analysis.privacy import (
    PersonalDataError,
    PrivacyPolicy,
    Pseudonymiser,
    apply_edits,
    check_texts,
    find_personal_data,
    gate_text,
    load_name_list,
    normalise,
    normalise_text,
    pseudonymous_id,
    remember_door_policy,
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
    #: source ids that held personal data: original -> pseudonymous id
    renamed_sources: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> int:
        """How many texts, memos, attribute values and ids the gate pseudonymised."""
        return (
            len(self.changed_sources)
            + self.changed_memos
            + self.changed_attributes
            + len(self.renamed_sources)
        )


def pass_gate(corpus: Corpus, codings: pd.DataFrame, policy: PrivacyPolicy) -> GateResult:
    """The corpus and its codings through the door: texts, attributes, memos and ids
    normalised and (by ``policy``) pseudonymised, offsets carried along."""
    remember_door_policy(policy)
    if policy.mode == "stop":
        _stop_on_findings(corpus, codings, policy)
    mask = policy.mode == "pseudonymise"
    aliases = Pseudonymiser()  # one alias per person across texts, memos, attributes, ids

    texts, positions, changed = {}, {}, []
    for source_id, text in corpus.texts().items():
        new, where = normalise(text)
        if mask:
            findings = find_personal_data(new, policy.names)
            if findings:
                new, masked = apply_edits(new, aliases.edits(findings))
                where = where.then(masked)
                changed.append(source_id)
        texts[source_id], positions[source_id] = new, where

    memos = codings["memo"].fillna("").astype(str) if "memo" in codings else pd.Series(dtype=str)
    gated_memos = [
        gate_text(normalise_text(m), policy, where="memo", pseudonymiser=aliases) if mask else
        normalise_text(m)
        for m in memos
    ]  # fmt: skip
    memos_changed = sum(normalise_text(m) != g for m, g in zip(memos, gated_memos, strict=True))

    sources = corpus.sources.copy()
    ids = _pseudonymous_ids(list(sources["source_id"]), policy, aliases) if mask else {}
    same_as_id = sources["name"].astype(object) == sources["source_id"]
    sources, attributes_changed = _gate_attributes(sources, policy, aliases, mask)
    sources["source_id"] = sources["source_id"].map(lambda s: ids.get(s, s))
    sources.loc[same_as_id, "name"] = sources.loc[same_as_id, "source_id"]
    sources["text"] = corpus.sources["source_id"].map(texts).to_numpy()

    out_codings = codings.copy()
    if "memo" in out_codings:
        out_codings["memo"] = [
            g if (isinstance(m, str) or g) else m
            for m, g in zip(codings["memo"], gated_memos, strict=True)
        ]
    starts, ends = [], []
    for row in codings.itertuples(index=False):
        where = positions.get(row.source)
        starts.append(where.start(int(row.start)) if where else int(row.start))
        ends.append(where.end(int(row.end)) if where else int(row.end))
    if len(codings):
        out_codings["start"], out_codings["end"] = starts, ends
        out_codings["source"] = out_codings["source"].map(lambda s: ids.get(s, s))

    segments = corpus.segments.drop(columns=["text"]).copy()
    if len(segments):
        spans = [
            (positions[s].start(int(a)), positions[s].end(int(b)))
            for s, a, b in zip(segments["source_id"], segments["start"], segments["end"],
                               strict=True)
        ]  # fmt: skip
        segments["start"] = [a for a, _ in spans]
        segments["end"] = [b for _, b in spans]
        segments["segment_id"] = _segment_ids(segments, ids, policy, aliases, mask)
        segments["source_id"] = segments["source_id"].map(lambda s: ids.get(s, s))
        # a segment of nothing but invisible characters has no text left
        segments = segments[segments["end"] > segments["start"]]
    new_corpus = make_corpus(sources.drop(columns=["content_hash"]), segments, corpus.files)
    renamed = tuple(sorted((old, new) for old, new in ids.items() if old != new))
    return GateResult(
        new_corpus,
        out_codings,
        tuple(changed),
        int(memos_changed),
        policy.mode,
        attributes_changed,
        renamed,
    )


def _stop_on_findings(corpus: Corpus, codings: pd.DataFrame, policy: PrivacyPolicy) -> None:
    """``stop``: raise naming the ids, then every place in the original texts, memos and
    attributes, that hold personal data."""
    problems = [
        f"{kind} id {identifier!r}: {finding.kind} (rename the file or the id)"
        for kind, column, frame in (
            ("source", "source_id", corpus.sources),
            ("segment", "segment_id", corpus.segments),
        )
        for identifier in frame[column]
        for finding in find_personal_data(_spaced(identifier), policy.names)
    ]
    if problems:
        raise PersonalDataError(
            "personal data found in ids; rename them, or rerun with --allow-personal-data if "
            "you are entitled to publish it:\n" + "\n".join(problems[:20])
        )
    table = corpus.sources[["source_id", "text"]].rename(columns={"source_id": "source"})
    check_texts(table, policy)
    if "memo" in codings:
        check_texts(codings[["source", "memo"]].fillna(""), policy, text_column="memo")
    _gate_attributes(corpus.sources, policy, Pseudonymiser(), True)


def _spaced(identifier: str) -> str:
    return re.sub(r"[-_.]+", " ", identifier)


def _pseudonymous_ids(
    source_ids: list[str], policy: PrivacyPolicy, aliases: Pseudonymiser
) -> dict[str, str]:
    """Original -> pseudonymous source id, unique (``-2``, ``-3`` after a repeat)."""
    out: dict[str, str] = {}
    kept = {s for s in source_ids if not find_personal_data(_spaced(s), policy.names)}
    taken = set(kept)
    for source_id in source_ids:
        if source_id in kept:
            out[source_id] = source_id
            continue
        out[source_id] = unique_name(pseudonymous_id(source_id, policy.names, aliases), taken)
    return out


def _segment_ids(
    segments: pd.DataFrame,
    ids: dict[str, str],
    policy: PrivacyPolicy,
    aliases: Pseudonymiser,
    mask: bool,
) -> list[str]:
    """Segment ids that follow their source's new id (``<source>-001``), or are made
    pseudonymous themselves (a quote id of its own)."""
    if not mask:
        return list(segments["segment_id"])
    out, taken = [], set()
    for segment_id, source_id in zip(segments["segment_id"], segments["source_id"], strict=True):
        new_source = ids.get(source_id, source_id)
        if segment_id == source_id or segment_id.startswith(f"{source_id}-"):
            new = new_source + segment_id[len(source_id) :]
            rest = segment_id[len(source_id) :]
            if find_personal_data(_spaced(rest), policy.names):
                new = pseudonymous_id(new, policy.names, aliases)
        else:
            new = pseudonymous_id(segment_id, policy.names, aliases)
        out.append(unique_name(new, taken))
    return out


def _gate_attributes(
    sources: pd.DataFrame, policy: PrivacyPolicy, pseudonymiser: Pseudonymiser, mask: bool
) -> tuple[pd.DataFrame, int]:
    """The sources with every free-text attribute value normalised and gated (name,
    position, ...); ``stop`` names the source and the attribute."""
    out = sources.copy()
    changed, problems = 0, []
    for column in [c for c in sources.columns if c not in _NOT_FREE_TEXT]:
        values = out[column].astype(object)
        for index, value in values.items():
            if not isinstance(value, str) or not value:
                continue
            value = normalise_text(value)
            new = value
            if mask or policy.mode == "stop":
                where = f"{sources.at[index, 'source_id']}, attribute '{column}'"
                try:
                    new = gate_text(value, policy, where=where, pseudonymiser=pseudonymiser)
                except PersonalDataError as exc:
                    problems.append(str(exc).split(":\n", 1)[-1])
                    continue
            if new != value:
                changed += 1
            values.at[index] = new
        out[column] = values
    if problems:
        raise PersonalDataError(
            "personal data found in source attributes; pseudonymise it, remove it, or rerun "
            "with --allow-personal-data if you are entitled to publish it:\n"
            + "\n".join(problems[:20])
        )
    return out, changed
