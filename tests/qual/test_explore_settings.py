"""What a researcher changes in notebook 01 (issue 23): a subset of the themes, the length
of the quotes, all the quotes of one theme, and settings that come back from the cache."""

from __future__ import annotations

import pytest

from analysis.fileio import sha256_file
from analysis.qual import view as qr

THEMES = ["sagsstamme", "ledelse"]


def test_a_theme_subset_changes_the_analysis_not_the_files(qual_paths):
    files = [qual_paths.raw / "codebook.yaml", *sorted(qual_paths.interviews.glob("*"))]
    before = {p: sha256_file(p) for p in files}
    full = qr.analyse(101)
    subset = qr.analyse(101, themes=THEMES)
    assert subset.codes == tuple(THEMES) and subset.themes == tuple(THEMES)
    assert list(subset.frequencies["code"]) == THEMES
    assert set(subset.exemplars["code"]) <= set(THEMES)
    assert set(subset.quantitized["code"]) <= set(THEMES)
    assert subset.cooccurrence.shape == (2, 2)
    kept = {c for c in full.inputs.codebook.ids if full.inputs.codebook.top(c) in THEMES}
    assert set(subset.coded["code"]) <= kept
    assert set(subset.evaluation["code"]) <= kept
    for theme in THEMES:  # the same counts as in the full analysis
        row = full.frequencies[full.frequencies["code"] == theme]
        again = subset.frequencies[subset.frequencies["code"] == theme]
        assert list(again["n_sources"]) == list(row["n_sources"])
    assert len(full.frequencies) == 9
    assert {p: sha256_file(p) for p in files} == before  # codebook and codings untouched


@pytest.mark.parametrize(
    ("themes", "message"),
    [
        (["sagstamme"], "'sagstamme' is not a theme of the codebook (did you mean 'sagsstamme'?)"),
        (["forberedelse"], "'forberedelse' is a sub-code of the theme 'arbejdsmaade'"),
        ([], "no theme given"),
    ],
)
def test_an_unknown_theme_is_an_error_listing_the_themes(qual_paths, themes, message):
    with pytest.raises(ValueError) as info:
        qr.analyse(101, themes=themes)
    text = str(info.value)
    assert message in text
    assert "borgerperspektiv, borgerrelation, arbejdsmaade" in text and "ledelse" in text


def test_quotes_in_full_and_every_quote_of_a_theme(qual_paths):
    cut = qr.analyse(None)
    full = qr.analyse(None, quote_length=None)
    assert cut.exemplars["quote"].str.len().max() <= qr.QUOTE_LENGTH
    assert any(q.endswith("…") for q in cut.exemplars["quote"])
    assert full.exemplars["quote"].str.len().max() > qr.QUOTE_LENGTH
    assert not any(q.endswith("…") for q in full.exemplars["quote"])
    quotes = qr.theme_quotes(full, "sagsstamme")
    coded = full.coded[full.coded["code"] == "sagsstamme"]["segment_id"].unique()
    persons = qr.summaries.person_sources(full.corpus).segments["segment_id"]
    assert set(quotes["segment_id"]) == set(coded) & set(persons)
    assert len(quotes) > 2 * 2  # more than n_exemplars per theme
    texts = full.corpus.segments.set_index("segment_id")["text"]
    assert list(quotes["quote"]) == [texts[s] for s in quotes["segment_id"]]  # in full
    shown = qr.theme_quotes_display(full, "sagsstamme", "en")
    assert list(shown.columns)[:2] == ["Theme", "Quote"] and len(shown) == len(quotes)
    with pytest.raises(ValueError, match="not a theme of the codebook"):
        qr.theme_quotes(full, "sagstamme")


def test_settings_come_back_from_the_cache_and_follow_the_files(qual_paths, monkeypatch):
    calls = []
    compute = qr._analyse

    def counting(**settings):
        calls.append(settings["coder"])
        return compute(**settings)

    monkeypatch.setattr(qr, "_analyse", counting)
    for coder in (None, "dev_a", None, "dev_a"):
        result = qr.analyse(101, coder=coder)
        assert set(result.coded["coder"]) <= ({"dev_a"} if coder else {"dev_a", "dev_b"})
    assert calls == [None, "dev_a"]
    codings = qual_paths.interviews / "codings_dev_a.csv"
    codings.write_text(codings.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    qr.analyse(101, coder="dev_a")
    assert calls == [None, "dev_a", "dev_a"]  # a changed codings file: computed again
