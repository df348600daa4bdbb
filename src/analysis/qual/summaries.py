"""Analyses of the coded corpus for the report and for the mixed-methods joins.

Inputs are the corpus and a table of coded segments (``segment_id``, ``code``; from
:func:`analysis.qual.codings.segment_codes`, any number of coders pooled). Counts are
given for segments *and* for sources (persons, or the interview/written answer that
stands for them), because one talkative speaker can fill many segments.

Persons and documents are counted apart. A policy document (``source_type`` dokument) is
not a person: the tables of what people say (:func:`code_frequencies`,
:func:`theme_prevalence`, :func:`cooccurrence`, :func:`exemplar_quotes`,
:func:`before_during_table`) are computed on the person sources only, so a column
``n_sources`` always counts persons; documents are counted in columns of their own
(``n_documents``: :func:`attribute_summary`, :func:`documents_vs_interviews`) and their
passages listed by :func:`document_passages`. :func:`quantitize` keeps every source (its
``source_type`` tells them apart).

Tables returned here are numeric, for computation. :func:`report_table` turns counts of
persons below the threshold into ``<5`` (and blanks the shares computed from them) for
display; document counts are not passed to it and are shown as they are.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.paths import DEFAULT_SEED, SMALL_COUNT_THRESHOLD
from analysis.privacy import SECONDARY_MARKER, suppress_small_counts
from analysis.qual.codebook import Codebook
from analysis.qual.corpus import ATTRIBUTES, Corpus, is_document

#: attributes the quantitized table carries for joins
JOIN_ATTRIBUTES = ("municipality_code", "role", "department", "period", "round", "source_type")


#: a year, or a span of years, at the end of a source's ``setting`` ("JKI forsøgsafdeling
#: 2018", "Hedeby 2013/14", "Rødovre Jobcenter 2014-15")
_SETTING_YEAR = re.compile(r"((?:19|20)\d\d(?:\s*[/-]\s*\d{2}(?:\d{2})?)?)\s*$")


def source_year(year: object, setting: object = None) -> str | None:
    """The year a quote is from, as text for display (never through number formatting,
    which would print 2018 as "2.018"): the source's ``year`` where it has one (the
    documents), else the year or span of years that ends its ``setting`` (the persons'
    sources: "JKI forsøgsafdeling 2018" gives "2018", "Hedeby 2013/14" gives "2013/14");
    None when neither says."""
    if year is not None and not (isinstance(year, float) and np.isnan(year)):
        try:
            if not pd.isna(year):
                return str(int(year))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            pass
    if isinstance(setting, str):
        match = _SETTING_YEAR.search(setting.strip())
        if match:
            return re.sub(r"\s+", "", match.group(1))
    return None


def _years(frame: pd.DataFrame) -> list[str | None]:
    """:func:`source_year` of each row of a segments-with-attributes table."""
    years = frame["year"] if "year" in frame.columns else pd.Series(None, index=frame.index)
    settings = (
        frame["setting"] if "setting" in frame.columns else pd.Series(None, index=frame.index)
    )
    return [source_year(y, s) for y, s in zip(years, settings, strict=True)]


def _coded(coded: pd.DataFrame, corpus: Corpus, codes: Sequence[str]) -> pd.DataFrame:
    """(segment_id, code) pairs of this corpus and these codes, coders pooled."""
    keep = coded[coded["segment_id"].isin(set(corpus.segments["segment_id"]))]
    keep = keep[keep["code"].isin(set(codes))]
    return keep[["segment_id", "code"]].drop_duplicates()


def _segments(corpus: Corpus) -> pd.DataFrame:
    return corpus.segments_with_attributes()


def is_person(sources: pd.DataFrame) -> pd.Series:
    """True for the sources that stand for persons (interviews, focus groups, written
    answers, newspaper pieces, and sources of unknown type), False for documents."""
    return ~is_document(sources)


def person_sources(corpus: Corpus) -> Corpus:
    """The corpus without its documents: the sources the small-count rule counts."""
    return corpus.subset(corpus.sources.loc[is_person(corpus.sources), "source_id"])


def document_sources(corpus: Corpus) -> Corpus:
    """Only the corpus's documents (policy documents, notes, action plans)."""
    return corpus.subset(corpus.sources.loc[is_document(corpus.sources), "source_id"])


def code_frequencies(
    corpus: Corpus,
    coded: pd.DataFrame,
    codes: Sequence[str],
    by: str | None = None,
) -> pd.DataFrame:
    """Per code (and group): segments and sources with the code, the share of the
    group's sources that mention it and the share of the group's segments coded with it.
    ``by`` is a source attribute or ``period`` (the segment's period, so a source
    contrasting before and during counts in both). Only person sources are counted
    (documents: :func:`documents_vs_interviews`)."""
    corpus = person_sources(corpus)
    segments = _segments(corpus)
    pairs = _coded(coded, corpus, codes).merge(segments, on="segment_id")
    group_col = by or "_all"
    if by is None:
        segments = segments.assign(_all="all")
        pairs = pairs.assign(_all="all")
    groups = segments[group_col].astype("string").fillna("(ukendt)")
    pairs_groups = pairs[group_col].astype("string").fillna("(ukendt)")
    totals = (
        segments.assign(_g=groups)
        .groupby("_g", sort=True)
        .agg(n_sources_group=("source_id", "nunique"), n_segments_group=("segment_id", "nunique"))
    )
    counted = (
        pairs.assign(_g=pairs_groups)
        .groupby(["_g", "code"], sort=False)
        .agg(n_segments=("segment_id", "nunique"), n_sources=("source_id", "nunique"))
    )
    grid = pd.MultiIndex.from_product([totals.index, list(codes)], names=["_g", "code"])
    table = counted.reindex(grid, fill_value=0).reset_index()
    table = table.merge(totals, left_on="_g", right_index=True)
    table["share_sources"] = np.where(
        table["n_sources_group"] > 0, table["n_sources"] / table["n_sources_group"], np.nan
    )
    table["share_segments"] = np.where(
        table["n_segments_group"] > 0, table["n_segments"] / table["n_segments_group"], np.nan
    )
    table = table.rename(columns={"_g": by or "group"})
    order = {c: i for i, c in enumerate(codes)}
    table = table.sort_values([by or "group", "code"], key=_code_order(order), kind="stable")
    columns = [
        by or "group",
        "code",
        "n_segments",
        "n_sources",
        "n_sources_group",
        "share_sources",
        "n_segments_group",
        "share_segments",
    ]
    out = table[columns].reset_index(drop=True)
    counts = ["n_segments", "n_sources", "n_sources_group", "n_segments_group"]
    out[counts] = out[counts].astype("int64")
    if by is None:
        out = out.drop(columns=["group"])
    return out


def _code_order(order: dict[str, int]):
    def key(series: pd.Series) -> pd.Series:
        if series.name == "code":
            return series.map(order)
        return series

    return key


def quantitize(
    corpus: Corpus, coded: pd.DataFrame, codes: Sequence[str], *, wide: bool = False
) -> pd.DataFrame:
    """Source x code 0/1 table for mixed-methods joins, with links to the segments.

    Long form (default): one row per source and code with ``present`` (0/1),
    ``n_segments`` and ``segment_ids`` (semicolon-separated, empty when absent), plus the
    source's join attributes. ``wide=True``: one row per source, one 0/1 column per code.
    """
    pairs = _coded(coded, corpus, codes).merge(
        corpus.segments[["segment_id", "source_id", "start"]], on="segment_id"
    )
    pairs = pairs.sort_values(["source_id", "start"])
    linked = pairs.groupby(["source_id", "code"], sort=False).agg(
        n_segments=("segment_id", "nunique"), segment_ids=("segment_id", ";".join)
    )
    sources = list(corpus.sources["source_id"])
    grid = pd.MultiIndex.from_product([sources, list(codes)], names=["source_id", "code"])
    table = linked.reindex(grid).reset_index()
    table["n_segments"] = table["n_segments"].fillna(0).astype("int64")
    table["segment_ids"] = table["segment_ids"].fillna("").astype("str")
    table["present"] = (table["n_segments"] > 0).astype("int64")
    attrs = corpus.sources[["source_id", *JOIN_ATTRIBUTES]]
    table = table.merge(attrs, on="source_id", how="left")
    long = table[["source_id", *JOIN_ATTRIBUTES, "code", "present", "n_segments", "segment_ids"]]
    long = long.astype({"code": "str", "source_id": "str"})
    if not wide:
        return long.reset_index(drop=True)
    matrix = long.pivot(index="source_id", columns="code", values="present")[list(codes)]
    matrix = matrix.reset_index()
    matrix.columns.name = None
    return attrs.merge(matrix, on="source_id").reset_index(drop=True)


def theme_prevalence(quantitized: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Share of sources (persons) with each theme, overall or by a source attribute,
    from the long :func:`quantitize` table (its document rows are left out)."""
    frame = quantitized[is_person(quantitized)].copy()
    group = by or "group"
    if by is None:
        frame[group] = "all"
    frame[group] = frame[group].astype("string").fillna("(ukendt)")
    out = (
        frame.groupby([group, "code"], sort=False)
        .agg(n_sources=("present", "sum"), n_sources_group=("source_id", "nunique"))
        .reset_index()
    )
    out["prevalence"] = np.where(
        out["n_sources_group"] > 0, out["n_sources"] / out["n_sources_group"], np.nan
    )
    out[["n_sources", "n_sources_group"]] = out[["n_sources", "n_sources_group"]].astype("int64")
    out = out.sort_values(group, kind="stable").reset_index(drop=True)
    return out.drop(columns=["group"]) if by is None else out


def cooccurrence(corpus: Corpus, coded: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """Code x code matrix: segments of persons coded with both (diagonal: segments with
    the code)."""
    pairs = _coded(coded, person_sources(corpus), codes)
    matrix = pd.DataFrame(0, index=list(codes), columns=list(codes), dtype="int64")
    if pairs.empty:
        return matrix
    indicator = pd.crosstab(pairs["segment_id"], pairs["code"]).reindex(
        columns=list(codes), fill_value=0
    )
    product = indicator.T.dot(indicator)
    return product.reindex(index=list(codes), columns=list(codes), fill_value=0).astype("int64")


def _rank(seed: int, segment_id: str) -> str:
    return hashlib.sha256(f"{seed}:{segment_id}".encode()).hexdigest()


def exemplar_quotes(
    corpus: Corpus,
    coded: pd.DataFrame,
    codes: Sequence[str],
    *,
    n: int = 2,
    seed: int = DEFAULT_SEED,
    max_chars: int | None = 400,
) -> pd.DataFrame:
    """Up to ``n`` quotes per code, chosen reproducibly.

    Each coded segment gets a rank from a hash of the seed and its id (stable when other
    segments are added or removed); one quote per source first, so exemplars come from
    different speakers where possible. Long quotes are shortened to ``max_chars`` with
    an ellipsis (the full text stays in the corpus). Quotes are persons' (document
    passages: :func:`document_passages`).
    """
    corpus = person_sources(corpus)
    pairs = _coded(coded, corpus, codes).merge(_segments(corpus), on="segment_id")
    pairs["quote_year"] = _years(pairs)
    if "source_type" not in pairs.columns:
        pairs["source_type"] = pd.NA
    rows = []
    for code in codes:
        group = pairs[pairs["code"] == code].copy()
        if group.empty:
            continue
        group["_rank"] = [_rank(seed, s) for s in group["segment_id"]]
        group = group.sort_values("_rank")
        first = group.drop_duplicates("source_id")
        chosen = pd.concat([first, group[~group.index.isin(first.index)]]).head(n)
        for i, row in enumerate(chosen.itertuples(index=False), start=1):
            quote = str(row.text)
            if max_chars and len(quote) > max_chars:
                quote = quote[: max_chars - 1].rstrip() + "…"
            rows.append(
                {
                    "code": code,
                    "rank": i,
                    "segment_id": row.segment_id,
                    "source_id": row.source_id,
                    "source_name": row.source_name,
                    "municipality_code": row.municipality_code,
                    "role": row.role,
                    "period": row.period,
                    "quote": quote,
                    "seed_file": row.seed_file,
                    "seed_line": row.seed_line,
                    "year": row.quote_year,
                    "source_type": row.source_type,
                }
            )
    columns = [
        "code",
        "rank",
        "segment_id",
        "source_id",
        "source_name",
        "municipality_code",
        "role",
        "period",
        "quote",
        "seed_file",
        "seed_line",
        "year",
        "source_type",
    ]
    out = pd.DataFrame(rows, columns=columns)
    out["rank"] = out["rank"].astype("int64")
    out["municipality_code"] = out["municipality_code"].astype("Int64")
    out["seed_line"] = out["seed_line"].astype("Int64")
    for column in ("code", "segment_id", "source_id", "source_name", "quote"):
        out[column] = out[column].astype("str")
    for column in ("role", "period", "seed_file", "year", "source_type"):
        out[column] = out[column].astype("string")
    return out


def before_during_table(
    corpus: Corpus,
    coded: pd.DataFrame,
    codebook: Codebook,
    *,
    department: str | None = "forsoeg",
    language: str = "da",
    level_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Quotes about before and during the trial side by side (like table 2 of the
    Copenhagen note): period, quote, source, role and the codes applied (persons'
    quotes only)."""
    segments = _segments(person_sources(corpus))
    mask = segments["period"].isin(["foer", "under"]).fillna(False)
    if department is not None:
        mask &= segments["department"].eq(department).fillna(False)
    chosen = segments[mask]
    codes = list(level_codes) if level_codes is not None else codebook.top_level()
    pairs = _coded(coded, corpus, codes)
    order = {c: i for i, c in enumerate(codes)}
    labels = (
        pairs.assign(_o=pairs["code"].map(order))
        .sort_values(["segment_id", "_o"])
        .groupby("segment_id")["code"]
        .agg(lambda s: ", ".join(codebook.label(c, language) for c in s))
    )
    out = chosen.assign(codes=chosen["segment_id"].map(labels).astype("string").fillna(""))
    out["_p"] = out["period"].map({"foer": 0, "under": 1})
    out = out.sort_values(["_p", "source_id", "start"], kind="stable")
    out["year"] = pd.Series(_years(out), index=out.index, dtype="string")
    if "source_type" not in out.columns:
        out["source_type"] = pd.NA
    columns = ["period", "segment_id", "source_id", "role", "text", "codes", "year", "source_type"]
    table = out[columns].rename(columns={"text": "quote"}).reset_index(drop=True)
    return table.astype({"quote": "str", "codes": "str", "source_type": "string"})


def report_table(
    table: pd.DataFrame,
    counts: Sequence[str],
    shares: Sequence[str] = (),
    threshold: int = SMALL_COUNT_THRESHOLD,
    partition_by: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Display copy: person counts 1..threshold-1 shown as ``<threshold`` (and, with
    ``partition_by``, one more count per group where the suppressed one could otherwise be
    worked out from the total, shown as ``..``); shares computed from a hidden count (or
    from a group that small) are blanked."""
    out = suppress_small_counts(table, list(counts), threshold=threshold, partition_by=partition_by)
    hidden = pd.Series(False, index=table.index)
    for count in counts:
        hidden |= out[count].isin([f"<{threshold}", SECONDARY_MARKER]).fillna(False)
    for share in shares:
        out[share] = table[share].where(~hidden)
    return out


def attribute_summary(corpus: Corpus) -> pd.DataFrame:
    """Sources and segments per municipality, department, period and role (for the
    corpus description): ``n_sources`` counts persons, ``n_documents`` documents and
    ``n_segments`` the segments of both."""
    rows = []
    segments = _segments(corpus)
    person = is_person(corpus.sources)
    person_ids = set(corpus.sources.loc[person, "source_id"])
    seg_person = segments["source_id"].isin(person_ids)
    for attribute in ATTRIBUTES:
        if attribute in {"round"}:
            continue
        values = corpus.sources[attribute].astype("string").fillna("(ukendt)")
        seg_values = segments[attribute].astype("string").fillna("(ukendt)")
        # a segment's period may differ from its source's, so periods count segments' values
        shown = set(seg_values) if attribute == "period" else set(values)
        for value in sorted(shown):
            if attribute == "period":
                here = segments.loc[seg_values == value]
                n_persons = int(here.loc[seg_person[here.index], "source_id"].nunique())
                n_documents = int(here.loc[~seg_person[here.index], "source_id"].nunique())
            else:
                n_persons = int(((values == value) & person).sum())
                n_documents = int(((values == value) & ~person).sum())
            rows.append(
                {
                    "attribute": attribute,
                    "value": value,
                    "n_sources": n_persons,
                    "n_documents": n_documents,
                    "n_segments": int((seg_values == value).sum()),
                }
            )
    columns = ["attribute", "value", "n_sources", "n_documents", "n_segments"]
    return pd.DataFrame(rows, columns=columns)


#: columns of :func:`documents_vs_interviews`
DOCUMENTS_VS_INTERVIEWS_COLUMNS = (
    "code",
    "n_sources",
    "n_sources_group",
    "share_sources",
    "n_segments",
    "n_segments_group",
    "share_segments",
    "n_documents",
    "n_documents_group",
    "share_documents",
    "n_document_segments",
    "n_document_segments_group",
    "share_document_segments",
)


def documents_vs_interviews(
    corpus: Corpus, coded: pd.DataFrame, codes: Sequence[str]
) -> pd.DataFrame:
    """Per theme, what the documents (administration, management) write against what the
    persons (staff, citizens, ...) say: person sources with the theme (``n_sources``, of
    ``n_sources_group``, ``share_sources``) and their segments, documents with the theme
    (``n_documents`` of ``n_documents_group``, ``share_documents``) and document passages
    (``n_document_segments`` of ``n_document_segments_group``, ``share_document_segments``).

    Person counts are subject to the small-count rule (pass ``n_sources`` and
    ``n_sources_group`` to :func:`report_table`); document counts are not persons and are
    shown as they are. A share is missing where its group is empty."""
    codes = list(codes)
    persons = code_frequencies(corpus, coded, codes).set_index("code")
    documents = document_sources(corpus)
    pairs = _coded(coded, documents, codes).merge(
        documents.segments[["segment_id", "source_id"]], on="segment_id"
    )
    per_code = pairs.groupby("code").agg(
        n_documents=("source_id", "nunique"), n_document_segments=("segment_id", "nunique")
    )
    per_code = per_code.reindex(codes, fill_value=0)
    n_documents = int(documents.sources["source_id"].nunique())
    n_passages = len(documents.segments)
    out = pd.DataFrame({"code": codes})
    for column in ("n_sources", "n_sources_group", "n_segments", "n_segments_group"):
        out[column] = persons[column].reindex(codes, fill_value=0).to_numpy()
    out["share_sources"] = _share(out["n_sources"], out["n_sources_group"])
    out["share_segments"] = _share(out["n_segments"], out["n_segments_group"])
    out["n_documents"] = per_code["n_documents"].to_numpy()
    out["n_documents_group"] = n_documents
    out["share_documents"] = _share(out["n_documents"], out["n_documents_group"])
    out["n_document_segments"] = per_code["n_document_segments"].to_numpy()
    out["n_document_segments_group"] = n_passages
    out["share_document_segments"] = _share(
        out["n_document_segments"], out["n_document_segments_group"]
    )
    counts = [c for c in DOCUMENTS_VS_INTERVIEWS_COLUMNS if c.startswith("n_")]
    out[counts] = out[counts].astype("int64")
    return out[list(DOCUMENTS_VS_INTERVIEWS_COLUMNS)]


def _share(count: pd.Series, total: pd.Series) -> pd.Series:
    counts = count.to_numpy(dtype="float64")
    totals = total.to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.Series(np.where(totals > 0, counts / totals, np.nan), index=count.index)


def document_passages(
    corpus: Corpus,
    coded: pd.DataFrame,
    codebook: Codebook,
    *,
    language: str = "da",
    level_codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The document sources' passages with their provenance and the codes applied (labels
    in ``language``, top-level codes unless ``level_codes``), in source and text order:
    ``source_id, source_name, author, year, municipality_code, segment_id, passage,
    codes, seed_file, seed_line``."""
    columns = [
        "source_id",
        "source_name",
        "author",
        "year",
        "municipality_code",
        "segment_id",
        "passage",
        "codes",
        "seed_file",
        "seed_line",
    ]
    documents = document_sources(corpus)
    segments = _segments(documents)
    for column in ("author", "year"):
        if column not in segments.columns:
            segments[column] = pd.NA
    codes = list(level_codes) if level_codes is not None else codebook.top_level()
    pairs = _coded(coded, documents, codes)
    order = {c: i for i, c in enumerate(codes)}
    labels = (
        pairs.assign(_o=pairs["code"].map(order))
        .sort_values(["segment_id", "_o"])
        .groupby("segment_id")["code"]
        .agg(lambda s: ", ".join(codebook.label(c, language) for c in s))
    )
    segments = segments.sort_values(["source_id", "start"], kind="stable")
    out = segments.assign(
        passage=segments["text"],
        codes=segments["segment_id"].map(labels).astype("string").fillna(""),
    )
    out = out[columns].reset_index(drop=True)
    out["year"] = out["year"].astype("Int64")
    out["municipality_code"] = out["municipality_code"].astype("Int64")
    for column in ("author", "seed_file"):
        out[column] = out[column].astype("string")
    return out.astype({"passage": "str", "codes": "str", "segment_id": "str"})
