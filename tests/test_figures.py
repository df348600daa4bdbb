"""Figures on a page (issue 22): a short visible caption with the long description kept
as alt text, and a palette for every figure so that pages stay light."""

from __future__ import annotations

import html
import io
import json
import re

import numpy as np
import pytest

from analysis import nb
from analysis.labels import t
from analysis.publish import DRAWN_TEXT_KEY, png_texts


def shown_figure(png: bytes, **kwargs) -> str:
    """The HTML ``nb.figure`` displays (the display call is captured)."""
    shown: list = []
    import IPython.display

    original = IPython.display.display
    IPython.display.display = lambda obj, raw=False: shown.append(obj)
    try:
        nb.figure(png, **kwargs)
    finally:
        IPython.display.display = original
    (item,) = shown
    return item["text/html"]


def trend_alt() -> str:
    """The trend figure's alt text as notebook 03 builds it (a chart described value by
    value, then the source): about 230 words for København."""
    head = t(
        "benchmark.trends.alt",
        "da",
        start="juli 2021",
        end="juli 2026",
        name="København",
        cluster="Lignende kommuner",
        window="maj–juli 2026",
    )
    lines = [
        f"Indikator {i} i pct. af arbejdsstyrken: 4,0 % mod 3,1 %, året før 3,8 % mod 3,0 % – "
        "samme afstand til gruppen."
        for i in range(7)
    ]
    return " ".join([head, *lines, t("common.jobindsats_source", "da")])


PNG = b"\x89PNG\r\n\x1a\n"  # nb.figure only embeds the bytes


def test_a_long_alt_text_gets_a_short_visible_caption_and_stays_the_alt_text():
    """Before, the caption was the alt text: 230 words under the trend figure."""
    alt = trend_alt()
    assert len(alt.split()) > 150
    markup = shown_figure(PNG, alt=alt)
    caption = html.unescape(re.search(r"<figcaption>(.*?)</figcaption>", markup).group(1))
    assert len(caption.split()) <= nb.CAPTION_WORDS
    assert caption == (
        "Små kurver for hvert nøgletal i København, måned for måned fra juli 2021 til juli 2026. "
        "Kilde: Jobindsats.dk / STAR"
    )
    assert html.unescape(re.search(r'alt="([^"]*)"', markup).group(1)) == alt


def test_a_short_alt_text_is_the_caption_and_a_caption_can_be_given():
    alt = (
        "Prikdiagram: København (sort rombe) blandt Lignende kommuner (blå prikker) og alle "
        "kommuner (lysegrå) for hvert nøgletal. Kilde: Jobindsats.dk / STAR"
    )
    assert f"<figcaption>{html.escape(alt)}</figcaption>" in shown_figure(PNG, alt=alt)
    given = shown_figure(PNG, alt=alt, caption="Figur 1")
    assert "<figcaption>Figur 1</figcaption>" in given and html.escape(alt) in given


def test_a_first_sentence_over_the_limit_is_cut_at_its_first_colon():
    long = "Figur: " + " ".join(["ord"] * 60) + ". Resten."
    assert nb.short_caption(long) == "Figur."
    english = nb.short_caption(
        "Small charts for each indicator: " + " ".join(["x"] * 50) + ". Source: Jobindsats.dk"
    )
    assert english == "Small charts for each indicator. Source: Jobindsats.dk"


@pytest.fixture
def heatmap():
    """A co-occurrence heatmap like notebook 01's (seaborn, a continuous colour map)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    rng = np.random.default_rng(0)
    values = rng.integers(0, 10, size=(9, 9))
    fig, ax = plt.subplots(figsize=(7, 6.5))
    labels = [f"Tema {i} – æøå" for i in range(9)]
    sns.heatmap(
        values, annot=True, cmap="Blues", linewidths=0.5, xticklabels=labels,
        yticklabels=labels, cbar=False, ax=ax,
    )  # fmt: skip
    ax.set_title("Tekststykker kodet med begge temaer")
    yield fig
    plt.close(fig)


def test_every_figure_gets_a_palette_that_keeps_its_colours_and_its_text_record(heatmap):
    """Before, only the benchmark's figures had a palette; notebook 01's heatmap was a
    130 KB full-colour PNG on København's page."""
    from PIL import Image

    full = nb.figure_png(heatmap, colours=None)
    small = nb.figure_png(heatmap)
    image = Image.open(io.BytesIO(small))
    assert image.mode == "P" and len(image.getcolors()) <= nb.FIGURE_COLOURS
    assert len(small) < len(full) / 2, (len(small), len(full))
    original = np.asarray(Image.open(io.BytesIO(full)).convert("RGB"), dtype=int)
    shown = np.asarray(image.convert("RGB"), dtype=int)
    assert np.abs(original - shown).max() <= 12, "no colour moves visibly"
    assert shown[2, 2].tolist() == [255, 255, 255], "white stays white"
    drawn = json.loads(png_texts(small)[DRAWN_TEXT_KEY])
    assert "Tekststykker kodet med begge temaer" in drawn
    assert png_texts(small) == png_texts(full)
    assert nb.figure_png(heatmap) == small, "the same figure gives the same bytes"
