"""Everything the qualitative notebook shows, computed in one call and labelled for display.

:func:`analyse` loads the inputs, selects the municipality's sources and computes the
numeric tables (kept for computation and for ``nb.glue``). The ``*_display`` functions
turn them into report tables: labels in the report language, counts of persons below the
threshold suppressed, quote text left as data (``nb.table`` escapes it).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.labels import t
from analysis.paths import DEFAULT_SEED
from analysis.qual import plots, summaries
from analysis.qual.autocode import proposals_for_review
from analysis.qual.codebook import Codebook
from analysis.qual.codings import codes_at_level, only_coders
from analysis.qual.corpus import Corpus, select_sources
from analysis.qual.count_rule import CountRule
from analysis.qual.pipeline import (
    QualInputs,
    assisted_coding_evaluation,
    coded_segments,
    corpus_proposals,
    load_gated_inputs,
)
from analysis.qual.reliability import ReliabilityError, reliability_report
from analysis.qual.view_labels import labelled_columns, value_label, with_code_labels
from analysis.qual.view_review import (  # the review loop's helpers, for notebook 01
    evidence_text,  # noqa: F401
    review_acceptance_display,  # noqa: F401
    review_batch_display,  # noqa: F401
    review_display,  # noqa: F401
    review_flagged_text,  # noqa: F401
    review_loop,  # noqa: F401
    review_precision_display,  # noqa: F401
    review_status_text,  # noqa: F401
    review_terms_display,  # noqa: F401
)

BY = ("department", "period", "role")
#: exemplar quotes longer than this are shortened with "…" (notebook 01: ``quote_length``)
QUOTE_LENGTH = 400


@dataclass(frozen=True)
class QualResults:
    """Numeric results of the qualitative analysis for one municipality (or all)."""

    inputs: QualInputs
    corpus: Corpus
    scope: str
    municipality: int | None
    coded: pd.DataFrame
    codes: tuple[str, ...]
    frequencies: pd.DataFrame
    by_group: dict[str, pd.DataFrame]
    quantitized: pd.DataFrame
    prevalence_department: pd.DataFrame
    cooccurrence: pd.DataFrame
    exemplars: pd.DataFrame
    before_during: pd.DataFrame
    reliability: pd.DataFrame | None
    disagreements: pd.DataFrame | None
    reliability_left_out: tuple[str, ...]
    evaluation: pd.DataFrame
    review: pd.DataFrame
    privacy: str = "pseudonymise"
    privacy_changed: int = 0
    count_rule: CountRule = field(default_factory=CountRule)
    #: the themes analysed when a subset was asked for (None: all of the codebook)
    themes: tuple[str, ...] | None = None

    @property
    def threshold(self) -> int:
        """Counts of sources below this are hidden (1: the corpus shows its counts)."""
        return self.count_rule.threshold

    @property
    def n_sources(self) -> int:
        """Sources that stand for persons (interviews, written answers, newspaper pieces):
        documents are not counted, as in every ``n_sources`` of the package (the glue
        ``n_sources`` is the index's "interview sources" column)."""
        return n_persons(self)

    @property
    def n_segments(self) -> int:
        return len(self.corpus.segments)

    @property
    def input_files(self) -> list[Path]:
        return list(self.inputs.files)


def analyse(
    municipality: int | None = None,
    *,
    corpus_path: Path | str | None = None,
    codebook_path: Path | str | None = None,
    codings_path: Path | str | None = None,
    coder: str | None = None,
    fallback_to_all: bool = False,
    n_exemplars: int = 2,
    seed: int = DEFAULT_SEED,
    level: str = "top",
    privacy: str = "pseudonymise",
    privacy_names_path: Path | str | None = None,
    themes: Sequence[str] | None = None,
    quote_length: int | None = QUOTE_LENGTH,
) -> QualResults:
    """Load, pass the texts through the personal-data gate, select the municipality's
    sources and compute every table of the report.

    ``privacy``: ``"pseudonymise"`` (default) replaces CPR numbers, e-mail addresses,
    phone numbers and names on the list (``privacy_names_path``, default
    ``data/raw/interviews/privacy_names.txt``) before any quote reaches a table;
    ``"stop"`` raises if there are any; ``"allow"`` shows texts unchanged.

    ``themes``: the top-level codes to analyse (e.g. ``["sagsstamme", "ledelse"]``), with
    their sub-codes; ``None`` analyses every theme of the codebook. Only the analysis
    changes (frequencies, quotes, reliability, co-occurrence follow it), never the
    codebook or the codings files; an id that is not a theme of the codebook is an error
    listing the themes. ``quote_length``: exemplar quotes longer than this many
    characters are shortened with "…" (``None``: in full).

    The results are cached by all of these settings and the input files' contents
    (:func:`analysis.cache.cached`), so a setting computed before comes back at once.
    """
    from analysis.cache import CacheKey, cached
    from analysis.privacy import remember_door_policy
    from analysis.qual.nlp import versions
    from analysis.qual.privacy_gate import make_policy

    settings = {
        "municipality": None if municipality is None else int(municipality),
        "corpus_path": corpus_path,
        "codebook_path": codebook_path,
        "codings_path": codings_path,
        "coder": coder,
        "fallback_to_all": fallback_to_all,
        "n_exemplars": n_exemplars,
        "seed": seed,
        "level": level,
        "privacy": privacy,
        "privacy_names_path": privacy_names_path,
        "themes": None if themes is None else list(themes),
        "quote_length": quote_length,
    }
    files = input_files(corpus_path, codebook_path, codings_path, privacy_names_path)
    key = CacheKey(inputs=files, modules=(__name__,), params={**settings, **versions()})
    results = cached("qual_results", key, lambda: _analyse(**settings))
    # the door's policy, as reading the corpus sets it: figures gate their text with it
    remember_door_policy(make_policy(privacy, privacy_names_path))
    return results


def input_files(
    corpus_path: Path | str | None = None,
    codebook_path: Path | str | None = None,
    codings_path: Path | str | list[Path | str] | None = None,
    privacy_names_path: Path | str | None = None,
) -> tuple[Path, ...]:
    """Every file :func:`analyse` may read, for its cache key: the corpus's folder (the
    quote table or the source files, ``corpus.yaml``, every ``codings_*.csv``) with all
    its files, the codebook, codings given elsewhere and the name list."""
    from analysis.paths import get_paths
    from analysis.qual.privacy_gate import default_names_path

    paths = get_paths()
    corpus = Path(corpus_path) if corpus_path is not None else paths.interviews / "quotes.csv"
    folder = corpus if corpus.is_dir() else corpus.parent
    files = [corpus] if corpus.is_file() else []
    files += [p for p in sorted(folder.rglob("*")) if p.is_file() and p != corpus]
    files.append(Path(codebook_path) if codebook_path is not None else paths.codebook)
    if codings_path is not None:
        listed = codings_path if isinstance(codings_path, list | tuple) else [codings_path]
        files += [Path(p) for p in listed]
    files.append(Path(privacy_names_path) if privacy_names_path else default_names_path())
    return tuple(files)


def themes_of(codebook: Codebook) -> list[str]:
    """The codebook's themes: its top-level codes, in file order."""
    return codes_at_level(codebook, "top")


def check_themes(codebook: Codebook, themes: Sequence[str] | str) -> tuple[str, ...]:
    """``themes`` as the codebook's theme ids (file order), or a :class:`ValueError`
    naming each unknown id (and the theme of a sub-code) and listing the themes."""
    if isinstance(themes, str):
        themes = [themes]
    valid = themes_of(codebook)
    problems = []
    for theme in themes:
        if theme in valid:
            continue
        if theme in codebook:
            problems.append(f"{theme!r} is a sub-code of the theme {codebook.top(theme)!r}")
        else:
            close = difflib.get_close_matches(str(theme), valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{theme!r} is not a theme of the codebook{hint}")
    if problems or not themes:
        where = codebook.file if codebook.file is not None else "the codebook"
        found = "; ".join(problems) if problems else "no theme given"
        raise ValueError(f"themes: {found}. The themes of {where} are: {', '.join(valid)}")
    return tuple(t for t in valid if t in set(themes))


def _analyse(
    municipality: int | None = None,
    *,
    corpus_path: Path | str | None = None,
    codebook_path: Path | str | None = None,
    codings_path: Path | str | None = None,
    coder: str | None = None,
    fallback_to_all: bool = False,
    n_exemplars: int = 2,
    seed: int = DEFAULT_SEED,
    level: str = "top",
    privacy: str = "pseudonymise",
    privacy_names_path: Path | str | None = None,
    themes: Sequence[str] | None = None,
    quote_length: int | None = QUOTE_LENGTH,
) -> QualResults:
    """:func:`analyse` without the cache."""
    gated = load_gated_inputs(
        corpus_path,
        codebook_path,
        codings_path,
        privacy=privacy,
        privacy_names_path=privacy_names_path,
    )
    inputs = gated.inputs
    codes = tuple(codes_at_level(inputs.codebook, level))
    kept: set[str] | None = None
    if themes is not None:  # only these themes: their codes and sub-codes, nothing else
        chosen = check_themes(inputs.codebook, themes)
        kept = {c for c in inputs.codebook.ids if inputs.codebook.top(c) in chosen}
        inputs = replace(inputs, codings=inputs.codings[inputs.codings["code"].isin(kept)])
        codes = tuple(c for c in codes if c in kept)
    corpus, scope = select_sources(inputs.corpus, municipality, fallback_to_all=fallback_to_all)
    coded = coded_segments(inputs, coder=coder, level="all")
    frequencies = summaries.code_frequencies(corpus, coded, codes)
    by_group = {by: summaries.code_frequencies(corpus, coded, codes, by=by) for by in BY}
    quantitized = summaries.quantitize(corpus, coded, codes)
    reliability = disagreements = None
    left_out: tuple[str, ...] = ()
    codings = only_coders(inputs.codings, None)
    codings = codings[codings["source"].isin(set(corpus.sources["source_id"]))]
    if codings["coder"].nunique() >= 2:
        try:
            reliability, disagreements, left = reliability_report(
                codings, corpus, inputs.codebook, level=level
            )
            left_out = tuple(left)
        except ReliabilityError:
            reliability = disagreements = None
    proposals = corpus_proposals(inputs)
    in_scope = set(corpus.segments["segment_id"])
    if kept is not None:
        proposals = proposals[proposals["code"].isin(kept)]
    review = proposals_for_review(proposals[proposals["id"].isin(in_scope)], coded)
    evaluation = assisted_coding_evaluation(gated.raw, coder=coder, seed=seed)
    if kept is not None:
        evaluation = evaluation[evaluation["code"].isin(kept)].reset_index(drop=True)
    return QualResults(
        inputs=inputs,
        corpus=corpus,
        scope=scope,
        municipality=municipality,
        coded=coded,
        codes=codes,
        frequencies=frequencies,
        by_group=by_group,
        quantitized=quantitized,
        prevalence_department=summaries.theme_prevalence(quantitized, by="department"),
        cooccurrence=summaries.cooccurrence(corpus, coded, codes),
        exemplars=summaries.exemplar_quotes(
            corpus, coded, codes, n=n_exemplars, seed=seed, max_chars=quote_length
        ),
        before_during=summaries.before_during_table(corpus, coded, inputs.codebook),
        reliability=reliability,
        disagreements=disagreements,
        reliability_left_out=left_out,
        evaluation=evaluation,
        review=review,
        privacy=privacy,
        privacy_changed=gated.changed,
        count_rule=gated.count_rule,
        themes=None if themes is None else codes,
    )


# --- display helpers ----------------------------------------------------------------------


def frequencies_display(results: QualResults, language: str, by: str | None = None) -> pd.DataFrame:
    """Code frequencies (segments, sources, share of sources) with small counts suppressed."""
    frame = results.frequencies if by is None else results.by_group[by]
    frame = frame.drop(columns=["n_segments_group", "share_segments"])
    if by is not None:
        frame[by] = [value_label(v if v != "(ukendt)" else None, language) for v in frame[by]]
    # per theme, the groups' counts add up to the theme's (and the corpus's) total
    shown = summaries.report_table(
        frame,
        counts=["n_sources", "n_sources_group"],
        shares=["share_sources"],
        threshold=results.threshold,
        partition_by=None if by is None else ["code"],
    )
    return labelled_columns(with_code_labels(shown, results, language), language)


def corpus_display(results: QualResults, language: str) -> pd.DataFrame:
    """Sources and segments per attribute value (person counts suppressed below 5)."""
    table = summaries.attribute_summary(results.corpus)
    table["attribute"] = [t(f"qual.col.{a}", language) for a in table["attribute"]]
    table["value"] = [value_label(v if v != "(ukendt)" else None, language) for v in table["value"]]
    # each attribute's values split all sources, whose number the notebook states
    shown = summaries.report_table(
        table, counts=["n_sources"], threshold=results.threshold, partition_by=["attribute"]
    )
    return labelled_columns(shown, language)


def year_text(value: object) -> str:
    """A year as text (never a number the tables would print as "2.018"); the missing
    mark when there is none."""
    from analysis.formatting import MISSING, is_missing

    return MISSING if is_missing(value) or value == "" else str(value)


def exemplars_display(results: QualResults, language: str) -> pd.DataFrame:
    """The exemplar quotes with their theme, role, period, year, type of source and
    source."""
    columns = ["code", "quote", "role", "period", "year", "source_type", "source_name"]
    frame = results.exemplars.reindex(columns=columns).copy()
    frame["role"] = [value_label(v, language) for v in frame["role"]]
    frame["period"] = [value_label(v, language) for v in frame["period"]]
    frame["year"] = [year_text(v) for v in frame["year"]]
    frame["source_type"] = [value_label(v, language) for v in frame["source_type"]]
    return labelled_columns(with_code_labels(frame, results, language), language)


def before_during_display(results: QualResults, language: str) -> pd.DataFrame:
    """The quotes before and during the trial, each with its year and type of source."""
    columns = ["period", "quote", "role", "year", "source_type", "codes"]
    frame = results.before_during.reindex(columns=columns).copy()
    frame["period"] = [value_label(v, language) for v in frame["period"]]
    frame["role"] = [value_label(v, language) for v in frame["role"]]
    frame["year"] = [year_text(v) for v in frame["year"]]
    frame["source_type"] = [value_label(v, language) for v in frame["source_type"]]
    return labelled_columns(frame, language)


def quantitized_display(results: QualResults, language: str) -> pd.DataFrame:
    """Source x theme 0/1 matrix with source names (the long table is glued)."""
    wide = results.quantitized.pivot(index="source_id", columns="code", values="present")
    wide = wide.reindex(columns=list(results.codes)).reset_index()
    names = dict(
        zip(results.corpus.sources["source_id"], results.corpus.sources["name"], strict=True)
    )
    wide.insert(0, "source_name", wide["source_id"].map(names))
    wide = wide.drop(columns=["source_id"])
    wide.columns = [
        t("qual.col.source_name", language)
        if c == "source_name"
        else results.inputs.codebook.label(c, language)
        for c in wide.columns
    ]
    return wide


def prevalence_display(results: QualResults, language: str) -> pd.DataFrame:
    frame = results.prevalence_department.copy()
    frame["department"] = [
        value_label(v if v != "(ukendt)" else None, language) for v in frame["department"]
    ]
    shown = summaries.report_table(
        frame,
        counts=["n_sources", "n_sources_group"],
        shares=["prevalence"],
        threshold=results.threshold,
        partition_by=["code"],
    )
    return labelled_columns(with_code_labels(shown, results, language), language)


def reliability_display(results: QualResults, language: str) -> pd.DataFrame | None:
    if results.reliability is None:
        return None
    frame = results.reliability.drop(columns=["unit"]).copy()
    frame["code"] = [
        t("qual.all_codes", language)
        if c.startswith("(")
        else results.inputs.codebook.label(c, language)
        for c in frame["code"]
    ]
    return labelled_columns(frame, language)


def disagreements_display(results: QualResults, language: str) -> pd.DataFrame | None:
    if results.disagreements is None:
        return None
    frame = results.disagreements[["code", "quote", "coded_by", "not_coded_by"]]
    return labelled_columns(with_code_labels(frame, results, language), language)


def evaluation_display(results: QualResults, language: str) -> pd.DataFrame:
    frame = results.evaluation[
        [
            "code",
            "method",
            "n_positive",
            "n_sources_positive",
            "folds",
            "precision",
            "recall",
            "f1",
            "average_precision",
            "base_rate",
            "note",
        ]
    ].copy()
    frame["note"] = [_evaluation_note(row, language) for row in frame.itertuples(index=False)]
    frame["method"] = [value_label(m, language) for m in frame["method"]]
    frame = frame.drop(columns=["folds"])
    return labelled_columns(with_code_labels(frame, results, language), language)


def _evaluation_note(row: Any, language: str) -> str:
    from analysis.qual.classifier import MIN_GROUPS, MIN_POSITIVES

    if row.method == "rules":
        return t("qual.note_rules", language)
    folds = int(row.folds)
    if not folds:
        return t(
            "qual.note_too_few",
            language,
            n=row.n_positive,
            sources=row.n_sources_positive,
            min_n=MIN_POSITIVES,
            min_sources=MIN_GROUPS,
        )
    return t("qual.note_cv", language, folds=folds)


def codebook_display(results: QualResults, language: str) -> pd.DataFrame:
    table = results.inputs.codebook.table(language)
    table["parent"] = [
        results.inputs.codebook.label(p, language) if isinstance(p, str) else ""
        for p in table["parent"]
    ]
    return labelled_columns(table.drop(columns=["id"]), language)


def cooccurrence_figure(results: QualResults, language: str) -> Any:
    labels = [results.inputs.codebook.label(c, language) for c in results.codes]
    return plots.cooccurrence_heatmap(
        results.cooccurrence,
        labels,
        title=t("qual.cooccurrence_title", language),
        empty=t("qual.no_codings", language),
    )


def period_figure(results: QualResults, language: str) -> Any:
    frame = results.by_group["period"]
    frame = frame[frame["period"].isin(["foer", "under"])]
    return plots.prevalence_bars(
        frame,
        group="period",
        value="share_segments",
        code_labels={c: results.inputs.codebook.label(c, language) for c in results.codes},
        group_labels={p: value_label(p, language) for p in ("foer", "under")},
        xlabel=t("qual.share_segments_axis", language),
        title=t("qual.period_figure_title", language),
        empty=t("qual.too_few_for_figure", language, threshold=max(results.threshold, 2)),
        threshold=max(results.threshold, 2),  # one source is no group to compare
    )


def privacy_text(results: QualResults, language: str) -> str:
    """How the personal-data gate treated the texts (label text)."""
    if results.privacy == "allow":
        return t("qual.privacy_allowed", language)
    key = "qual.privacy_checked_one" if results.privacy_changed == 1 else "qual.privacy_checked"
    return t(key, language, n=results.privacy_changed)


def _municipality(code: int | None) -> str:
    """The municipality's name for the texts (its code if the reference table lacks it)."""
    from analysis.data.reference import municipality_name, resolve_municipality

    if code is None:
        return ""
    return municipality_name(int(code)) if resolve_municipality(code) is not None else str(code)


def scope_text(results: QualResults, language: str) -> str:
    """One sentence on which sources the report covers (label text, no quote text)."""
    key = {
        "municipality": "qual.scope_municipality",
        "all": "qual.scope_all",
        "fallback": "qual.scope_fallback",
        "empty": "qual.scope_empty",
    }[results.scope]
    return t(
        key,
        language,
        municipality=_municipality(results.municipality),
        n_sources=len(results.corpus.sources),
        n_persons=n_persons(results),
        n_documents=n_documents(results),
        documents=t(
            "qual.documents_one" if n_documents(results) == 1 else "qual.documents_many",
            language,
            n=n_documents(results),
        ),
        n_segments=results.n_segments,
        n_total=len(results.inputs.corpus.sources),
    )


def no_interviews_text(results: QualResults, language: str) -> str:
    """Said where the municipality has documents but no interviews (label text)."""
    return t("qual.no_interviews", language, municipality=_municipality(results.municipality))


def top_themes(results: QualResults, language: str, n: int = 3) -> list[dict]:
    """The ``n`` themes most interview sources mention (scrapbook record ``top_themes``,
    for the key findings): label, sources with the theme, sources in scope, and the count
    as the report shows it (hidden below the corpus's threshold). Without interviews, the
    themes of most document passages (``kind`` "documents"; passages are not persons)."""
    if n_persons(results) == 0:
        frame = summaries.documents_vs_interviews(results.corpus, results.coded, results.codes)
        frame = frame[frame["n_document_segments"] > 0].sort_values(
            "n_document_segments", ascending=False, kind="stable"
        )
        return [
            {
                "kind": "documents",
                "code": str(row.code),
                "label": results.inputs.codebook.label(row.code, language),
                "n_sources": int(row.n_document_segments),
                "n_sources_group": int(row.n_document_segments_group),
                "shown": str(int(row.n_document_segments)),
            }
            for row in frame.head(n).itertuples(index=False)
        ]
    frame = results.frequencies.sort_values(
        ["n_sources", "n_segments"], ascending=False, kind="stable"
    )
    frame = frame[frame["n_sources"] > 0].head(n)
    shown = summaries.report_table(frame, counts=["n_sources"], threshold=results.threshold)
    return [
        {
            "kind": "interviews",
            "code": str(row.code),
            "label": results.inputs.codebook.label(row.code, language),
            "n_sources": int(row.n_sources),
            "n_sources_group": int(row.n_sources_group),
            "shown": str(count),
        }
        for row, count in zip(frame.itertuples(index=False), shown["n_sources"], strict=True)
    ]


def n_persons(results: QualResults) -> int:
    """Sources in scope that stand for persons (the documents not counted)."""
    return int(summaries.is_person(results.corpus.sources).sum())


def n_documents(results: QualResults) -> int:
    return len(results.corpus.sources) - n_persons(results)


def documents_display(results: QualResults, language: str) -> pd.DataFrame:
    """Per theme, what the documents write against what the interviewed persons say:
    share of person sources and of document passages with the theme (person counts under
    the corpus's small-count rule; documents are not persons and are shown as they are)."""
    frame = summaries.documents_vs_interviews(results.corpus, results.coded, results.codes)
    shown = summaries.report_table(
        frame,
        counts=["n_sources", "n_sources_group"],
        shares=["share_sources"],
        threshold=results.threshold,
    )
    table = pd.DataFrame(
        {
            t("qual.col.code", language): [
                results.inputs.codebook.label(c, language) for c in shown["code"]
            ],
            t("qual.col.persons_with", language): [
                f"{a}/{b}"
                for a, b in zip(shown["n_sources"], shown["n_sources_group"], strict=True)
            ],
            t("qual.col.share_persons", language): shown["share_sources"] * 100,
            t("qual.col.passages_with", language): [
                f"{int(a)}/{int(b)}"
                for a, b in zip(
                    frame["n_document_segments"], frame["n_document_segments_group"], strict=True
                )
            ],
            t("qual.col.share_passages", language): frame["share_document_segments"] * 100,
        }
    )
    return table


def document_passages_display(results: QualResults, language: str) -> pd.DataFrame:
    """The documents' passages with their source, author, year and codes."""
    frame = summaries.document_passages(
        results.corpus, results.coded, results.inputs.codebook, language=language
    )
    frame = frame[["source_name", "author", "year", "passage", "codes"]].copy()
    frame["author"] = [value_label(v, language) for v in frame["author"]]
    frame["year"] = [year_text(v) for v in frame["year"]]  # text: not "2.018"
    return labelled_columns(frame, language)


def count_rule_text(results: QualResults, language: str) -> str:
    """How the tables show small counts, for this corpus (label text)."""
    if not results.count_rule.suppresses:
        return t("qual.counts_published", language)
    return t("qual.suppression_note_threshold", language, threshold=results.threshold)


def theme_quotes(results: QualResults, theme: str) -> pd.DataFrame:
    """Every quote in scope coded with ``theme`` (a theme or any code of the codebook;
    a theme includes its sub-codes), in full and in corpus order: the way from a theme to
    all its quotes (the exemplars show ``n_exemplars`` of them). Columns as
    :attr:`QualResults.exemplars`."""
    codebook = results.inputs.codebook
    if theme not in codebook:
        check_themes(codebook, [theme])  # raises, listing the themes
    order = {s: i for i, s in enumerate(results.corpus.segments["segment_id"])}
    frame = summaries.exemplar_quotes(
        results.corpus, results.coded, [theme], n=len(order) or 1, max_chars=None
    )
    frame = frame.assign(_o=frame["segment_id"].map(order)).sort_values("_o", kind="stable")
    return frame.drop(columns="_o").reset_index(drop=True)


def theme_quotes_display(results: QualResults, theme: str, language: str) -> pd.DataFrame:
    """:func:`theme_quotes` as the notebook shows it (labels in the report language)."""
    frame = theme_quotes(results, theme)
    shown = replace(results, exemplars=frame)
    return exemplars_display(shown, language)
