"""Notebook 03 runs under papermill for real municipalities and glues its scorecard."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
import scrapbook as sb

from analysis.benchmark.indicators import CATALOGUE, JOBINDSATS_INDICATORS
from analysis.data.store import prepare

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "03_benchmark_scorecard.ipynb"
Y30R21 = REPO / "tests" / "fixtures" / "data" / "jobindsats_api_y30r21.json"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("municipality", "cluster", "language", "weighted"),
    [(825, "similar", "en", False), (580, "soenderjysk", "da", True)],
)
def test_notebook_runs_and_glues(
    notebook_paths, run_notebook, tmp_path, municipality, cluster, language, weighted
):
    if municipality == 825:  # issue 25: a user's y30r21 API answer (Læsø is in it)
        (notebook_paths.raw / "star").mkdir(exist_ok=True)
        shutil.copy(Y30R21, notebook_paths.raw / "star" / "y30r21.json")
    assert prepare(notebook_paths).ok
    output = run_notebook(
        NOTEBOOK,
        tmp_path / f"03-{municipality}.ipynb",
        municipality=municipality,
        cluster=cluster,
        language=language,
        weighted=weighted,
    )
    scraps = sb.read_notebook(str(output)).scraps
    card = scraps["scorecard"].data
    assert len(card) == len(JOBINDSATS_INDICATORS)
    assert set(card["municipality_code"]) == {municipality}
    assert set(card["cluster"]) == {cluster}
    assert card["weighted"].all() == weighted
    headline = scraps["benchmark_headline"].data
    assert {
        "indicator",
        "level",
        "cluster_mean",
        "period",
        "cluster",
        "n_better",
        "n_worse",
    } <= set(headline)
    assert headline["indicator"] == "unemployment_rate"
    row = card[card["indicator"].eq("unemployment_rate")].iloc[0]
    assert headline["level"] == pytest.approx(row["level"], abs=0.01)
    assert headline["cluster_mean"] == pytest.approx(row["cluster_level"], abs=0.01)
    files = {entry["file"] for entry in scraps["inputs"].data}
    assert "reference/clusters.yaml" in files and "benchmark/costs.yaml" in files
    # issue 25: STAR's expected against actual beside the scorecard, when the user has it
    star = [
        o["data"]["text/html"]
        for cell in nbformat.read(output, as_version=4).cells
        for o in cell.get("outputs", [])
        if 'data-table="benchmark-star-expected"' in o.get("data", {}).get("text/html", "")
    ]
    if municipality == 825:
        assert "star/y30r21.json" in files
        assert len(star) == 1 and "All benefit groups" in star[0]
        # Læsø's row in the answer's latest rolling year: 21.0 % expected, 20.6 % actual
        assert "21.0%" in star[0] and "20.6%" in star[0] and "-0.4" in star[0]
    else:
        assert star == [] and not any(f.startswith("star/") for f in files)
    assert scraps["simulated"].data is False
    # issue 20: the persons behind each figure travel with the scrap (a column added)
    assert {"persons", "previous_persons", "small_base", "country_level"} <= set(card.columns)
    assert card.set_index("indicator").loc["unemployment_rate", "persons"] > 0
    assert headline["n_indicators"] == 4  # outcome areas, each counted once
    # issue 22: a trend chart of every indicator, with an alt text that says in words
    # whether the municipality moved towards its group or away from it
    figures = [
        output["data"]["text/html"]
        for cell in nbformat.read(output, as_version=4).cells
        for output in cell.get("outputs", [])
        if 'alt="' in output.get("data", {}).get("text/html", "")
    ]
    start = "Small charts for each indicator" if language == "en" else "Små kurver"
    trend = [f for f in figures if f'alt="{start}' in f]
    assert len(trend) == 1, "one trend figure"
    for indicator in JOBINDSATS_INDICATORS:
        assert CATALOGUE[indicator].label(language) in trend[0]
    words = (
        ("closer", "further", "same distance", "too few")
        if language == "en"
        else ("tættere på", "længere fra", "samme afstand", "for få personer")
    )
    assert any(w in trend[0] for w in words)
    gaps = scraps["benchmark_gaps"].data
    assert list(gaps["indicator"]) == list(card["indicator"])
    assert set(gaps["movement"]) <= {
        "towards",
        "away",
        "steady",
        "crossed",
        "small_base",
        "no_data",
    }
    if municipality == 825:  # Læsø: suppressed and small figures are "no data"
        tiny = card.set_index("indicator")
        assert tiny.loc["longterm_rate", "arrow"] == "no_data"
        assert tiny.loc["ordinary_hours_share", "level_status"] == "no_data"
        # 15 -> 21 full-time unemployed (May-July): too few for an arrow or a colour
        assert tiny.loc["unemployment_rate", "arrow"] == "small_base"
        assert headline["poor_fit"] is True
