"""The notebook runs under papermill with parameters and records its results."""

from __future__ import annotations

import pytest
from qualtest_helpers import REPO

NOTEBOOK = REPO / "notebooks" / "01_qualitative_themes.ipynb"


def _cache_state():
    """The real cache's qual_* files (other parts of the project may write theirs meanwhile)."""
    folder = REPO / "data" / "processed" / "cache"
    return sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("qual_*"))


@pytest.mark.slow
def test_notebook_runs_with_parameters_and_glues_results(tmp_path, notebook_paths, run_notebook):
    import scrapbook as sb

    qual_paths = notebook_paths
    # a confidential corpus (no corpus.yaml): small counts of persons are hidden
    (qual_paths.raw / "interviews" / "corpus.yaml").unlink()
    before = _cache_state()
    out = run_notebook(
        NOTEBOOK,
        tmp_path / "out.ipynb",
        municipality=580,
        language="en",
        corpus_path=None,
        codebook_path=None,
    )
    scraps = sb.read_notebook(str(out)).scraps
    assert scraps["n_sources"].data == 7
    frequencies = scraps["code_frequencies"].data
    assert set(frequencies["code"]) >= {"sagsstamme", "ledelse", "borgerrelation"}
    quantitized = scraps["quantitized"].data
    assert set(quantitized["municipality_code"]) == {580}
    assert {"source_id", "code", "present", "segment_ids"} <= set(quantitized.columns)
    assert len(scraps["exemplars"].data) > 0
    reliability = scraps["reliability"].data  # the two demo coders coded every source
    assert {"n_present_dev_a", "n_present_dev_b"} <= set(reliability.columns)
    recorded = [r["file"] for r in scraps["inputs"].data]
    assert sorted(name.rsplit("/", 1)[-1] for name in recorded) == [
        "codebook.yaml",
        "codings_dev_a.csv",
        "codings_dev_b.csv",
        "privacy_names.txt",
        "quotes.csv",
    ]
    assert not any(name.startswith("/") or str(tmp_path) in name for name in recorded)
    from analysis import cache

    assert [e for e in cache.entries(qual_paths) if e.name == "qual_rule_proposals"]
    assert _cache_state() == before, "the notebook wrote into the real data/processed"
    html = out.read_text(encoding="utf-8")
    assert ">Ordinary department</td>" in html and ">Trial department</td>" not in html
    assert "&lt;5" in html  # small counts of persons are suppressed


@pytest.mark.slow
def test_notebook_with_a_second_coder_shows_reliability(tmp_path, notebook_paths, run_notebook):
    import pandas as pd
    import scrapbook as sb

    qual_paths = notebook_paths
    interviews = qual_paths.raw / "interviews"
    (interviews / "codings_dev_b.csv").unlink()  # a controlled pair: dev_a and a variant
    first = pd.read_csv(interviews / "codings_dev_a.csv", dtype=str, keep_default_na=False)
    second = first[~first["code"].isin(["ledelse"])].assign(coder="test_b")
    second.to_csv(interviews / "codings_test_b.csv", index=False)
    out = run_notebook(NOTEBOOK, tmp_path / "out.ipynb", municipality=None, language="da")
    scraps = sb.read_notebook(str(out)).scraps
    reliability = scraps["reliability"].data.set_index("code")
    assert reliability.loc["ledelse", "percent_agreement"] < 1
    assert reliability.loc["sagsstamme", "krippendorff_alpha"] == 1.0


@pytest.mark.slow
def test_the_review_loop_runs_in_the_notebook(tmp_path, notebook_paths, run_notebook):
    import pandas as pd

    interviews = notebook_paths.raw / "interviews"
    params = {"municipality": None, "language": "da", "review_coder": "nb_rev", "review_batch": 3}
    first = run_notebook(NOTEBOOK, tmp_path / "first.ipynb", **params)
    sheet = interviews / "review_nb_rev.xlsx"
    assert sheet.is_file()
    assert "qual-review-batch" in first.read_text(encoding="utf-8")
    table = pd.read_excel(sheet, dtype=str)
    table.loc[0, "decision"] = "accept"
    table.loc[1, "decision"] = "reject"
    table.to_excel(sheet, index=False)
    second = run_notebook(NOTEBOOK, tmp_path / "second.ipynb", **params)
    codings = pd.read_csv(interviews / "codings_nb_rev.csv", dtype=str)
    assert codings[["source", "code"]].values.tolist() == [
        [table.loc[0, "source"], table.loc[0, "code"]]
    ]
    html = second.read_text(encoding="utf-8")
    assert "qual-review-methods" in html and "qual-review-patterns" in html
    log = pd.read_csv(interviews / "review_log_nb_rev.csv", dtype=str)
    assert sorted(log["decision"]) == ["accept", "reject"]
