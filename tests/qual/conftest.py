"""Shared fixtures for the qualitative tests: a tiny corpus, a tiny codebook, demo paths."""

from __future__ import annotations

import shutil

import pytest
from qualtest_helpers import REPO, TINY_CODEBOOK, tiny_corpus_from

from analysis.qual.codebook import Codebook, parse_codebook
from analysis.qual.corpus import Corpus


@pytest.fixture
def tiny_codebook() -> Codebook:
    return parse_codebook(TINY_CODEBOOK, "tiny.yaml")


@pytest.fixture
def tiny_corpus() -> Corpus:
    return tiny_corpus_from(
        {
            "a": ["Med lavere sagsstamme får jeg mere tid.", "Relationen til borgeren er bedre."],
            "b": ["Lederne bestemmer alt.", "Vi forbereder samtalerne grundigt.", "Intet her."],
            "c": ["Sagsstammen er for stor, og lederne ser det ikke."],
        },
        {
            "a": {
                "municipality_code": 101,
                "role": "sagsbehandler",
                "department": "forsoeg",
                "period": "under",
            },
            "b": {
                "municipality_code": 101,
                "role": "leder",
                "department": "ordinaer",
                "period": "foer",
            },
            "c": {"municipality_code": 580, "role": "sagsbehandler", "department": "ordinaer"},
        },
    )


@pytest.fixture
def qual_paths(isolated_paths):
    """Isolated paths whose raw folder also holds the demo codebook and interviews."""
    real = REPO / "data" / "raw"
    shutil.copy2(real / "codebook.yaml", isolated_paths.raw / "codebook.yaml")
    shutil.copytree(real / "interviews", isolated_paths.raw / "interviews")
    return isolated_paths
