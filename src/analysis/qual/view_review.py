"""The review loop in notebook 01 (researchers; the report never runs it): one round of
decisions and the next batch, and the tables and texts that show it; and the report's list
of proposals no human has coded yet, with their evidence in the report language.
Re-exported by :mod:`analysis.qual.view`, the one module notebook 01 imports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.labels import t
from analysis.qual.view_labels import labelled_columns, value_label, with_code_labels

if TYPE_CHECKING:
    from analysis.qual.view import QualResults


def review_display(results: QualResults, language: str, limit: int = 15) -> pd.DataFrame:
    """Proposals no human has coded yet (the first ``limit``), with their method and
    evidence in the report language."""
    frame = results.review.head(limit).copy()
    text = results.corpus.segments.set_index("segment_id")["text"]
    frame["quote"] = frame["id"].map(text).map(lambda q: q if len(q) <= 160 else q[:159] + "…")
    codebook = results.inputs.codebook
    frame["evidence"] = [evidence_text(row, codebook, language) for row in frame.to_dict("records")]
    frame["method"] = [value_label(m, language) for m in frame["method"]]
    frame = frame[["code", "quote", "method", "confidence", "evidence"]]
    return labelled_columns(with_code_labels(frame, results, language), language)


_FIELD_KEYS = {
    "label": "label",
    "definition": "definition",
    "include": "include",
    "example": "example",
    "label (en)": "label_en",
    "definition (en)": "definition_en",
}


def evidence_text(row: dict[str, Any], codebook: Any, language: str) -> str:
    """A proposal's evidence for a reader: "implied by" and the similarity's nearest text
    in the report language; a rule's matched pattern as it is."""
    from analysis.formatting import format_number
    from analysis.qual.similarity import EXEMPLAR

    evidence = str(row.get("evidence") or "")
    if evidence.startswith("implied by "):
        child = evidence.removeprefix("implied by ")
        label = codebook.label(child, language) if child in codebook else child
        return t("qual.evidence_implied", language, code=label)
    field_ = row.get("field")
    if row.get("method") == "similarity" and isinstance(field_, str):
        if field_.startswith(EXEMPLAR):
            name = t("qual.field.coded", language, segment=field_.removeprefix(EXEMPLAR).strip())
        else:
            name = t(f"qual.field.{_FIELD_KEYS.get(field_, 'definition')}", language)
        nearest = " ".join(str(row.get("nearest") or "").split())
        nearest = nearest if len(nearest) <= 120 else nearest[:119] + "…"
        return t(
            "qual.evidence_similar",
            language,
            score=format_number(float(row["confidence"]), language, decimals=2),
            field=name,
            code=codebook.label(row["code"], language),
            text=f"“{nearest}”",
        )
    return evidence


# --- the review loop (researchers; the report never runs it) ----------------------------


def review_loop(
    coder: str,
    *,
    corpus_path: Path | str | None = None,
    codebook_path: Path | str | None = None,
    codings_path: Path | str | None = None,
    batch: int = 20,
    decisions: dict[int, str] | None = None,
    sheet_format: str = "xlsx",
    privacy: str = "pseudonymise",
    privacy_names_path: Path | str | None = None,
) -> Any:
    """One round of the review loop (:func:`analysis.qual.review.review_round`) in the
    corpus's folder: apply the sheet's decisions and ``decisions`` (item number ->
    "accept"/"reject"), summarise, write the next batch. Reads the inputs as they are
    (the codings must match the real texts); the sheet's quotes pass the gate."""
    from analysis.publish import output_policy
    from analysis.qual.cli_review import default_folder
    from analysis.qual.review import ReviewFiles, review_round

    folder = default_folder(Path(corpus_path) if corpus_path is not None else None)
    return review_round(
        ReviewFiles(folder, coder, sheet_format),
        corpus_path=corpus_path,
        codebook_path=codebook_path,
        codings_path=codings_path,
        batch=batch,
        decisions=decisions,
        policy=output_policy(privacy, privacy_names_path),
    )


def review_status_text(round_: Any, language: str) -> str:
    """What the round applied, the running acceptance rate and the next batch."""
    from analysis.formatting import format_number

    applied, summary = round_.applied, round_.summary
    rate = (
        format_number(summary.acceptance_rate, language, decimals=2)
        if summary.n_decided
        else format_number(float("nan"), language, decimals=2)
    )
    return t(
        "qual.review_loop_status",
        language,
        accepted=applied.accepted,
        added=applied.codings_added,
        codings=f"codings_{round_.sheet.stem.removeprefix('review_')}.csv",
        rejected=applied.rejected,
        rate=rate,
        decided=summary.n_decided,
        n_items=len(round_.batch),
        n_segments=round_.batch["segment_id"].nunique() if len(round_.batch) else 0,
        sheet=round_.sheet.name,
        remaining=round_.remaining,
    )


def review_batch_display(round_: Any, language: str) -> pd.DataFrame:
    """The next batch as the notebook shows it (item numbers for ``decisions``)."""
    frame = round_.batch[["item", "quote", "code", "method", "confidence", "margin", "evidence"]]
    frame = frame.copy()
    frame["method"] = [value_label(m, language) for m in frame["method"]]
    return labelled_columns(frame, language)


def review_precision_display(round_: Any, language: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Precision per method and per pattern from all decisions so far."""
    methods = round_.summary.methods.copy()
    methods["method"] = [value_label(m, language) for m in methods["method"]]
    patterns = round_.summary.patterns.copy()
    patterns["flagged"] = [
        t("qual.value.yes" if f else "qual.value.no", language) for f in patterns["flagged"]
    ]
    return labelled_columns(methods, language), labelled_columns(patterns, language)


def review_flagged_text(round_: Any, language: str) -> str:
    from analysis.formatting import format_number
    from analysis.qual.review import FLAG_BELOW, MIN_DECISIONS

    flagged = round_.summary.flagged
    names = ", ".join(f"{r.code}: {r.pattern}" for r in flagged.itertuples(index=False))
    return t(
        "qual.review_flagged",
        language,
        limit=format_number(FLAG_BELOW, language, decimals=1),
        n=MIN_DECISIONS,
        patterns=names or t("qual.review_none", language),
    )


def review_terms_display(round_: Any, language: str) -> pd.DataFrame:
    """Words in accepted segments no pattern caught, per code."""
    terms = round_.summary.terms[["code", "term", "forms", "n_segments", "n_corpus_segments"]]
    return labelled_columns(terms, language)


def review_acceptance_display(round_: Any, language: str) -> pd.DataFrame:
    """Acceptance per batch and so far (the live precision estimate)."""
    frame = round_.summary.acceptance
    frame = frame[["batch", "n_decided", "n_accepted", "batch_acceptance", "acceptance_rate"]]
    return labelled_columns(frame, language)
