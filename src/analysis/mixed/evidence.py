"""The qualitative side of the joint display: gated texts, theme prevalence by contrast
group and exemplar quotes.

Texts pass the same personal-data gate as the qualitative notebook
(:func:`analysis.qual.privacy_gate.pass_gate`) before anything is selected, so a quote
in the joint display is pseudonymised (or the run stops) exactly as it would be there.

Groups are formed per *segment* (quote): a segment belongs to a group when its attribute
has the group's value (a segment's period is its own ``quote_period`` where the source
contrasts before and during, else the source's) and it passes the contrast's ``where``
filter. A source is in a group when at least one of its segments is, and mentions a
theme in that group when one of those segments is coded with the theme (sub-codes imply
their parent). The prevalence is then the share of the group's sources mentioning the
theme, computed with :func:`analysis.qual.summaries.quantitize` and
:func:`analysis.qual.summaries.theme_prevalence` on the group's segments.

Documents (``source_type`` dokument: what the administration or management writes) are
not persons: the prevalence and the quotes are the persons' (``QualEvidence.corpus``), and
the municipality's documents are kept apart (``QualEvidence.documents``) to be shown
beside them (:func:`document_prevalence`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.mixed.mapping import Contrast
from analysis.paths import DEFAULT_SEED
from analysis.qual import summaries
from analysis.qual.corpus import Corpus, concat, select_sources
from analysis.qual.count_rule import CountRule
from analysis.qual.pipeline import QualInputs, coded_segments, load_gated_inputs

PREVALENCE_COLUMNS = ("theme", "group", "value", "n_sources", "n_sources_group", "prevalence")
#: exemplars per theme considered when choosing a domain's quotes
_CANDIDATES = 20
QUOTE_COLUMNS = (
    "segment_id",
    "source_id",
    "source_name",
    "theme",
    "group",
    "role",
    "department",
    "period",
    "year",
    "source_type",
    "quote",
)


@dataclass(frozen=True)
class QualEvidence:
    """The municipality's gated sources and their coded segments: ``corpus`` holds the
    persons' sources (the joint display's evidence), ``documents`` its documents."""

    inputs: QualInputs
    corpus: Corpus
    coded: pd.DataFrame
    scope: str
    privacy: str
    privacy_changed: int
    count_rule: CountRule = field(default_factory=CountRule)
    documents: Corpus | None = None

    @property
    def threshold(self) -> int:
        """Counts of sources below this are hidden (1: the corpus shows its counts)."""
        return self.count_rule.threshold

    @property
    def files(self) -> list[Path]:
        return list(self.inputs.files)

    @property
    def n_sources(self) -> int:
        """Sources of persons (documents are not counted)."""
        return len(summaries.person_sources(self.corpus).sources)

    @property
    def n_documents(self) -> int:
        return 0 if self.documents is None else len(self.documents.sources)


def load_evidence(
    municipality: int | None,
    *,
    corpus_path: Path | str | None = None,
    codebook_path: Path | str | None = None,
    codings_path: Path | str | None = None,
    coder: str | None = None,
    privacy: str = "pseudonymise",
    privacy_names_path: Path | str | None = None,
) -> QualEvidence:
    """Load corpus, codebook and codings, pass the personal-data gate, keep the
    municipality's sources (``None``: all) and their codes (all coders pooled unless
    ``coder``; sub-codes imply their parents), the persons' sources apart from the
    documents."""
    gated = load_gated_inputs(
        corpus_path,
        codebook_path,
        codings_path,
        privacy=privacy,
        privacy_names_path=privacy_names_path,
    )
    inputs = gated.inputs
    corpus, scope = select_sources(inputs.corpus, municipality)
    coded = coded_segments(inputs, coder=coder, level="all")
    coded = coded[coded["segment_id"].isin(set(corpus.segments["segment_id"]))]
    return QualEvidence(
        inputs=inputs,
        corpus=summaries.person_sources(corpus),
        coded=coded.reset_index(drop=True),
        scope=scope,
        privacy=privacy,
        privacy_changed=gated.changed,
        count_rule=gated.count_rule,
        documents=summaries.document_sources(corpus),
    )


def segments_where(corpus: Corpus, conditions: Sequence[tuple[str, Sequence[str]]]) -> pd.Series:
    """Ids of the segments whose (segment-level) attributes take one of the given values."""
    segments = corpus.segments_with_attributes()
    mask = pd.Series(True, index=segments.index)
    for attribute, values in conditions:
        column = segments[attribute].astype("string")
        mask &= column.isin([str(v) for v in values]).fillna(False)
    return segments.loc[mask, "segment_id"].reset_index(drop=True)


def sub_corpus(corpus: Corpus, segment_ids: Sequence[str]) -> Corpus:
    """The corpus restricted to some segments and the sources they belong to."""
    keep = set(segment_ids)
    segments = corpus.segments[corpus.segments["segment_id"].isin(keep)]
    sources = corpus.sources[corpus.sources["source_id"].isin(set(segments["source_id"]))]
    return Corpus(sources.reset_index(drop=True), segments.reset_index(drop=True), corpus.files)


def group_conditions(contrast: Contrast, group: str) -> list[tuple[str, tuple[str, ...]]]:
    """The segment conditions of one side of a contrast (``group``: its value)."""
    return [(contrast.attribute, (group,)), *contrast.where]


def prevalence(
    corpus: Corpus, coded: pd.DataFrame, themes: Sequence[str], label: str, value: str
) -> pd.DataFrame:
    """Sources of persons in ``corpus`` mentioning each theme, and their share (one row per
    theme); documents are left out."""
    themes = list(themes)
    corpus = summaries.person_sources(corpus)
    quantitized = summaries.quantitize(corpus, coded, themes)
    n_group = int(corpus.sources["source_id"].nunique())
    if quantitized.empty:
        counts = pd.Series(0, index=themes, dtype="int64")
    else:
        table = summaries.theme_prevalence(quantitized).set_index("code")
        counts = table["n_sources"].reindex(themes, fill_value=0).astype("int64")
    out = pd.DataFrame(
        {
            "theme": themes,
            "group": label,
            "value": value,
            "n_sources": counts.to_numpy(),
            "n_sources_group": n_group,
        }
    )
    out["prevalence"] = out["n_sources"] / n_group if n_group else float("nan")
    return out[list(PREVALENCE_COLUMNS)]


def contrast_prevalence(
    evidence: QualEvidence, contrast: Contrast, themes: Sequence[str]
) -> pd.DataFrame:
    """Theme prevalence in the contrast group, the reference group and the whole
    municipality (``group``: ``contrast``, ``reference``, ``all``)."""
    frames = []
    for label, value in (
        ("contrast", contrast.contrast_group),
        ("reference", contrast.reference_group),
    ):
        ids = segments_where(evidence.corpus, group_conditions(contrast, value))
        frames.append(
            prevalence(sub_corpus(evidence.corpus, ids), evidence.coded, themes, label, value)
        )
    frames.append(prevalence(evidence.corpus, evidence.coded, themes, "all", "all"))
    return pd.concat(frames, ignore_index=True)


def document_prevalence(evidence: QualEvidence, themes: Sequence[str]) -> pd.DataFrame:
    """Per theme, the municipality's documents beside its persons' sources: the columns
    of :func:`analysis.qual.summaries.documents_vs_interviews` with ``theme`` for
    ``code``. Person counts follow the small-count rule; document counts do not."""
    documents = evidence.documents
    corpus = evidence.corpus if documents is None else concat([evidence.corpus, documents])
    table = summaries.documents_vs_interviews(corpus, evidence.coded, list(themes))
    return table.rename(columns={"code": "theme"})


def domain_quotes(
    evidence: QualEvidence,
    contrast: Contrast,
    themes: Sequence[str],
    *,
    n: int = 2,
    seed: int = DEFAULT_SEED,
    max_chars: int | None = None,
    avoid: Iterable[str] = (),
) -> pd.DataFrame:
    """Up to ``n`` exemplar quotes for a domain's themes: first one from the contrast
    group, then one from the reference group, then any of the municipality's; each with
    its own attributes (role, department, period, the year and the type of its source)
    and its whole text (the display shortens it and promises the whole quote behind a
    click; ``max_chars`` shortens it here instead).

    Within each pool the candidates are the exemplars (reproducible hash rank, see
    :func:`analysis.qual.summaries.exemplar_quotes`) of the themes in mapping order; the
    first one not in ``avoid`` (quotes already shown in other rows) is taken, else the
    first one. Quotes are already pseudonymised by the gate; they are data and must be
    escaped for display."""
    avoid = set(avoid)
    pools = []
    for label, value in (
        ("contrast", contrast.contrast_group),
        ("reference", contrast.reference_group),
    ):
        ids = segments_where(evidence.corpus, group_conditions(contrast, value))
        pools.append((label, sub_corpus(evidence.corpus, ids)))
    pools.append(("all", evidence.corpus))
    departments = evidence.corpus.sources.set_index("source_id")["department"]
    rows: list[dict] = []
    chosen: set[str] = set()
    for label, corpus in pools:
        if len(rows) >= n or not themes:
            break
        exemplars = summaries.exemplar_quotes(
            corpus, evidence.coded, list(themes), n=_CANDIDATES, seed=seed, max_chars=max_chars
        )
        candidates = exemplars[~exemplars["segment_id"].isin(chosen)]
        candidates = candidates.drop_duplicates("segment_id")
        shown_before = candidates["segment_id"].isin(avoid)
        candidates = pd.concat([candidates[~shown_before], candidates[shown_before]])
        room = n - len(rows) if label == "all" else 1  # one per side, then fill
        for row in candidates.head(room).itertuples(index=False):
            chosen.add(row.segment_id)
            rows.append(
                {
                    "segment_id": row.segment_id,
                    "source_id": row.source_id,
                    "source_name": row.source_name,
                    "theme": row.code,
                    "group": label,
                    "role": _value(row.role),
                    "department": _value(departments.get(row.source_id)),
                    "period": _value(row.period),
                    "year": _value(row.year),
                    "source_type": _value(row.source_type),
                    "quote": row.quote,
                }
            )
    return pd.DataFrame(rows, columns=list(QUOTE_COLUMNS)).astype(
        {"segment_id": "object", "quote": "object"}
    )


def _value(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)
