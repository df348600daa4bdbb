"""Trust III, section 3: text drawn in figures passes the gate before it is drawn.

A listed name in a code label used to be masked in the report's tables (the exit gates
HTML) but drawn in the co-occurrence heatmap and the mixed-methods figure, in both
languages: a PNG is opaque to a text gate. Now :func:`analysis.nb.figure_png` gates every
text a figure draws (titles, axis and tick labels, legends, annotations, figure texts)
and records what it drew in the PNG; the exit refuses a picture whose record holds
personal data, or that has no record (a figure that bypassed nb.figure).
"""

from __future__ import annotations

import base64
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import nb
from analysis.privacy import PersonalDataError, PrivacyPolicy, find_personal_data
from analysis.publish import (
    DRAWN_TEXT_KEY,
    Gate,
    PictureError,
    check_picture,
    png_texts,
)

NAMES = ("Jakob Jensen",)
POLICY = PrivacyPolicy(names=NAMES)


def _drawn(png: bytes) -> list[str]:
    return json.loads(png_texts(png)[DRAWN_TEXT_KEY])


def _leaks(texts: list[str]) -> list[str]:
    return [f.text for t in texts for f in find_personal_data(t, NAMES)]


def test_every_text_a_figure_draws_is_gated_and_recorded():
    from matplotlib.ticker import FuncFormatter

    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
    left.plot([0, 1, 2], [1, 2, 3], label="Jakob Jensens forløb")
    left.set_title("Samtaler med Jakob Jensen")
    left.set_xlabel("CPR 010203-1234")
    left.set_ylabel("tlf. 12 34 56 78")
    left.set_xticks([0, 1, 2], labels=["før", "J. Jensen", "efter"])
    left.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"010203-{int(v):04d}"))
    left.legend(title="Jensen, Jakob")
    left.annotate("her: Jakob M. Jensen", (1, 2))
    image = right.imshow([[1, 2], [3, 4]])
    fig.colorbar(image, ax=right, label="jakob.jensen@kommune.dk")
    fig.suptitle("JAKOB JENSEN")
    fig.text(0, 0, "Kilde: interview-jakob-jensen")
    png = nb.figure_png(fig, policy=POLICY)
    plt.close(fig)
    drawn = _drawn(png)
    assert _leaks(drawn) == []
    for shown in ("Samtaler med [NAVN A]", "CPR [CPR]", "tlf. [TELEFON]", "[NAVN A]", "før",
                  "[NAVN A]s forløb", "her: [NAVN A]", "[E-MAIL]", "Kilde: [NAVN B]"):  # fmt: skip
        assert shown in drawn, shown
    assert "[CPR]" in drawn, "numeric tick labels are made by their formatter, and gated"
    check_picture("image/png", png, Gate(POLICY, "page.html"), "figure")


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_listed_name_in_a_code_label_is_not_drawn(language, tmp_path, qual_paths):
    """The issue's case: the co-occurrence heatmap and the mixed-methods figure."""
    from qualtest_helpers import TINY_CODEBOOK, tiny_corpus_from

    from analysis.mixed.plots import prevalence_by_caseload
    from analysis.qual import view as qr
    from analysis.qual.corpus import write_quote_table

    book = tmp_path / "codebook.yaml"
    book.write_text(
        TINY_CODEBOOK.replace("{da: Sagsstamme, en: Caseload}",
                              "{da: Jakob Jensens sagsstamme, en: Caseload of Jakob Jensen}"),
        encoding="utf-8",
    )  # fmt: skip
    corpus = tiny_corpus_from(
        {"a": ["Med lavere sagsstamme får jeg mere tid og en bedre relation til borgeren."]},
        {"a": {"municipality_code": 101, "role": "sagsbehandler", "department": "forsoeg",
               "period": "under"}},
    )  # fmt: skip
    quotes = write_quote_table(corpus, tmp_path / "quotes.csv")
    names = tmp_path / "names.txt"
    names.write_text("Jakob Jensen\n", encoding="utf-8")
    pd.DataFrame(
        [{"source": "a", "start": 0, "end": 30, "code": c, "coder": "x", "memo": ""}
         for c in ("sagsstamme", "borgerrelation")]
    ).to_csv(tmp_path / "codings_x.csv", index=False)  # fmt: skip
    res = qr.analyse(101, corpus_path=quotes, codebook_path=book,
                     codings_path=tmp_path / "codings_x.csv", privacy_names_path=names)  # fmt: skip
    label = res.inputs.codebook.label("sagsstamme", language)
    assert "Jakob Jensen" in label, "the codebook label is the researchers' own text"
    heatmap = nb.figure_png(qr.cooccurrence_figure(res, language))
    mixed = nb.figure_png(
        prevalence_by_caseload(
            pd.DataFrame([{"theme": "sagsstamme", "department": "forsoeg", "period": "under",
                           "caseload_mean": 60.0, "n_sources_group": 6, "n_sources": 5,
                           "prevalence": 0.5}]),
            themes=["sagsstamme"], theme_labels={"sagsstamme": label},
            group_labels={("forsoeg", "under"): "Jakob Jensens team"},
            colours={}, xlabel="x", ylabel="y", title=label, small_label="s",
            none_label="n", empty="e",
        )
    )  # fmt: skip
    plt.close("all")
    for png in (heatmap, mixed):
        assert _leaks(_drawn(png)) == [] and any("[NAVN A]" in t for t in _drawn(png))
        check_picture("image/png", png, Gate(POLICY, "page.html"), "figure")


def test_the_exit_refuses_a_figure_that_bypassed_nb_figure():
    import io

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title("Jakob Jensen")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    with pytest.raises(PictureError, match="drawn text the gate cannot read"):
        check_picture("image/png", buffer.getvalue(), Gate(POLICY, "page.html"), "figure")
    forged = nb.figure_png(plt.figure(), policy=PrivacyPolicy(mode="allow"))
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title("Jakob Jensen")
    drawn_with_allow = nb.figure_png(fig, policy=PrivacyPolicy(mode="allow", names=NAMES))
    plt.close("all")
    check_picture("image/png", forged, Gate(POLICY, "page.html"), "figure")
    with pytest.raises(PictureError, match=r"picture text \d+: name on the list 'Jakob Jensen'"):
        check_picture("image/png", drawn_with_allow, Gate(POLICY, "page.html"), "figure")


def test_stop_refuses_to_draw_a_listed_name():
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_xticks([0], labels=["Jakob Jensen"])
    with pytest.raises(PersonalDataError, match="figure, x tick label"):
        nb.figure_png(fig, policy=PrivacyPolicy(mode="stop", names=NAMES))
    plt.close(fig)


def test_figures_use_the_policy_the_door_read_the_corpus_with(monkeypatch, isolated_paths):
    from analysis import privacy

    monkeypatch.setattr(privacy.gate, "_DOOR", [])
    assert nb.figure_policy().mode == "pseudonymise"
    privacy.remember_door_policy(PrivacyPolicy(mode="allow", names=("Åse Holm",)))
    assert nb.figure_policy().mode == "allow"
    privacy.remember_door_policy(PrivacyPolicy(names=("Åse Holm",)))
    assert "Åse Holm" in nb.figure_policy().names


def test_cached_figures_are_gated_and_keyed_by_the_policy(monkeypatch, isolated_paths):
    from analysis import privacy

    monkeypatch.setattr(privacy.gate, "_DOOR", [])
    calls = []

    def build():
        calls.append(1)
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.set_title("Jakob Jensen")
        return fig

    data = {"x": 1}
    privacy.remember_door_policy(POLICY)
    png = nb.cached_png("test-figure", data, build)
    assert "[NAVN A]" in _drawn(png) and _leaks(_drawn(png)) == []
    assert nb.cached_png("test-figure", data, build) == png and len(calls) == 1
    privacy.remember_door_policy(PrivacyPolicy(mode="allow", names=NAMES))
    assert "Jakob Jensen" in _drawn(nb.cached_png("test-figure", data, build))
    assert len(calls) == 2, "another policy draws anew"


def test_a_figure_in_a_notebook_output_is_checked_at_the_exit(tmp_path):
    import nbformat

    from analysis.publish import publish_notebook

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title("Jakob Jensen")
    png = nb.figure_png(fig, policy=PrivacyPolicy(mode="allow"))
    plt.close(fig)
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"image/png": base64.b64encode(png).decode(), "text/plain": "f"}
        )
    ]
    notebook.cells = [cell]  # fmt: skip
    with pytest.raises(PictureError):
        publish_notebook(tmp_path / "n.ipynb", notebook, POLICY)
    assert not (tmp_path / "n.ipynb").exists()
