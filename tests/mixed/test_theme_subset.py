"""Notebook 04 with a subset of the themes (issue 23): the joint display and the themes
against caseload follow it; the codebook, codings and joint_display.yaml do not change."""

from __future__ import annotations

import pytest

from analysis.data.store import prepare
from analysis.fileio import sha256_file
from analysis.mixed import view as mr
from analysis.mixed.mapping import default_mapping_path, load_mapping
from analysis.paths import get_paths


def test_the_joint_display_follows_a_theme_subset(notebook_paths):
    paths = get_paths()
    assert prepare(paths).ok  # the caseload panel the joint display links to
    files = [default_mapping_path(), paths.codebook, *sorted(paths.interviews.glob("*.csv"))]
    before = {p: sha256_file(p) for p in files}
    full = mr.analyse(101)
    subset = mr.analyse(101, themes=["sagsstamme", "arbejdsmaade"])
    assert subset.link_themes == ("arbejdsmaade", "sagsstamme")
    assert set(subset.link["theme"]) == set(subset.link_themes)
    codebook = subset.evidence.inputs.codebook
    shown = {codebook.top(t) for t in subset.joint.themes["theme"]}
    assert shown == {"arbejdsmaade", "sagsstamme"}
    assert len(set(full.joint.themes["theme"])) > len(set(subset.joint.themes["theme"]))
    assert list(subset.joint.domains["domain"]) == list(full.joint.domains["domain"])
    assert {p: sha256_file(p) for p in files} == before


def test_only_themes_keeps_every_domain_and_outcome():
    mapping = load_mapping(default_mapping_path())
    none = mapping.only_themes([])
    assert [d.id for d in none.domains] == [d.id for d in mapping.domains]
    assert none.outcomes == mapping.outcomes
    assert all(not d.themes for d in none.domains)


def test_an_unknown_theme_is_named_with_the_themes_of_the_codebook():
    with pytest.raises(ValueError) as info:
        mr.analyse(101, themes=["ledelsen"])
    assert "'ledelsen' is not a theme of the codebook (did you mean 'ledelse'?)" in str(info.value)
    assert "sagsstamme" in str(info.value)
