"""The demo corpus: only exact quotes from the seeds, with their provenance; committed."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.qual.codebook import load_codebook
from analysis.qual.codings import load_codings, segment_codes
from analysis.qual.corpus import load_corpus
from analysis.qual.demo_corpus import SOURCES, build_demo_corpus, default_seeds_dir

SEEDS = default_seeds_dir()
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason=f"seed documents not available at {SEEDS} (../shared/seeds); the committed "
    "corpus is used elsewhere",
)


@pytest.fixture(scope="module")
def committed():
    return load_corpus()


def test_committed_corpus_has_the_documented_sources(committed):
    assert len(committed.sources) == 23 and len(committed.segments) == 128
    assert set(committed.sources["source_id"]) == set(SOURCES)
    codes = committed.sources["municipality_code"]
    assert int(codes.eq(101).sum()) == 10 and int(codes.eq(580).sum()) == 7
    assert int(codes.eq(175).sum()) == 1
    assert int(codes.isna().sum()) == 5  # Hedeby: pseudonymised municipality
    laerkevej = committed.sources.set_index("source_id").loc["laerkevej_sagsbehandlere"]
    assert (laerkevej["municipality_code"], laerkevej["department"], laerkevej["period"]) == (
        101,
        "ordinaer",
        "foer",
    )
    borger = committed.segments[committed.segments["source_id"] == "kp_borger"]
    assert borger["period"].tolist() == ["foer", "under"]


@needs_seeds
def test_every_quote_is_an_exact_substring_of_its_seed_at_the_recorded_place(committed):
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for row in committed.segments.itertuples(index=False):
        seed = texts[row.seed_file]
        offset = int(row.seed_offset)
        assert seed[offset : offset + len(row.text)] == row.text, row.segment_id
        assert seed.count("\n", 0, offset) + 1 == int(row.seed_line), row.segment_id


@needs_seeds
def test_rebuilding_from_the_seeds_gives_the_committed_corpus(committed):
    rebuilt = build_demo_corpus(SEEDS)
    pd.testing.assert_frame_equal(rebuilt.segments, committed.segments)
    left = rebuilt.sources.drop(columns=["text"]).set_index("source_id").sort_index(axis=1)
    right = committed.sources.drop(columns=["text"]).set_index("source_id").sort_index(axis=1)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


def test_demo_coding_is_valid_and_covers_every_quote(committed):
    codebook = load_codebook()
    from analysis.paths import get_paths

    codings = load_codings(get_paths().interviews / "codings_dev_a.csv", committed, codebook)
    assert set(codings["coder"]) == {"dev_a"}
    coded = segment_codes(codings, committed, codebook, level="top")
    assert set(coded["segment_id"]) == set(committed.segments["segment_id"])
    assert set(coded["code"]) == set(codebook.top_level())


def test_the_two_policy_documents_are_documents_with_author_and_year(committed):
    """Issue 15: Copenhagen's action plan (seed 003) and Rødovre's internal note (004)."""
    sources = committed.sources.set_index("source_id")
    documents = sources[sources["source_type"] == "dokument"]
    assert sorted(documents.index) == ["kk_handleplan_2018", "roedovre_notat_2015"]
    plan, note = documents.loc["kk_handleplan_2018"], documents.loc["roedovre_notat_2015"]
    assert (plan["municipality_code"], plan["author"], plan["year"]) == (101, "forvaltning", 2018)
    assert (note["municipality_code"], note["author"], note["year"]) == (175, "ledelse", 2015)
    for column in ("role", "department", "period"):
        assert documents[column].isna().all(), column  # not persons, no trial group
    assert sources.drop(index=documents.index)["author"].isna().all()
    segments = committed.segments
    seeds = segments.groupby("source_id")["seed_file"].unique()
    assert seeds["kk_handleplan_2018"].tolist() == ["003_6f26653c2bfb00a7.txt"]
    assert seeds["roedovre_notat_2015"].tolist() == ["004_5ff6c6f5fcecd1d0.txt"]
    per_source = segments.groupby("source_id").size()
    assert (per_source["kk_handleplan_2018"], per_source["roedovre_notat_2015"]) == (17, 16)
    assert not committed.text("kk_handleplan_2018").count("Jon Andersen")  # named adviser


def test_both_demo_coders_coded_every_document_passage(committed):
    from analysis.paths import get_paths

    codebook = load_codebook()
    documents = committed.segments[
        committed.segments["source_id"].isin(["kk_handleplan_2018", "roedovre_notat_2015"])
    ]
    for coder in ("dev_a", "dev_b"):
        path = get_paths().interviews / f"codings_{coder}.csv"
        codings = load_codings(path, committed, codebook)
        coded = segment_codes(codings, committed, codebook, level="top")
        assert set(documents["segment_id"]) <= set(coded["segment_id"]), coder
