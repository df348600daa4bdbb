"""Report tables: figures right-aligned, words left (``nb.styled``), and the classes that
do it survive the trimming of pandas' markup."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis import nb
from analysis.formatting import MISSING, numeric_columns
from analysis.reports.html.markup import trim_markup


def test_figure_columns_are_found_by_type_and_by_their_text():
    df = pd.DataFrame(
        {
            "name": ["Kontanthjælp", "A-dagpenge"],
            "count": [8541, 13789],
            "share": [0.33, np.nan],
            "text figure": ["8.541", "13.789"],
            "range": ["0,0–0,0", "369,0–666,5"],
            "fraction": ["3/9", "4/9"],
            "percent": ["4,0 %", "-2,5%"],
            "missing": [MISSING, "12"],
            "flag": [True, False],
            "words": ["illustrativ", "12 personer"],
            "empty": [None, None],
        }
    )
    found = [df.columns[i] for i in numeric_columns(df)]
    assert found == ["count", "share", "text figure", "range", "fraction", "percent", "missing"]


def _right_aligned(markup: str, table: str) -> set[str]:
    """The selectors of the table's own style that set text right-aligned."""
    rules = re.findall(r"(#T_[^{}<]+?)\s*\{\s*text-align:\s*right;?\s*\}", markup)
    selectors = {" ".join(sel.split()) for rule in rules for sel in rule.split(",")}
    return {sel for sel in selectors if sel.startswith(f"#T_{table} ")}


def test_styled_right_aligns_figure_columns_and_their_headers_after_the_trim():
    df = pd.DataFrame(
        {"Tema": ["Ledelse", "Borgerrelation"], "Kilder": [3, 12], "Note": ["a", "b"]}
    )
    trimmed = trim_markup(nb.table_markup(df, name="t"))
    assert _right_aligned(trimmed, "t") == {"#T_t tr>:nth-child(2)"}
    assert '<table id="T_t"' in trimmed, "the id the rule names stays"
    assert 'class="num"' not in trimmed, "one rule per column, not a class per cell"


def test_a_shown_index_moves_the_figure_columns_along():
    df = pd.DataFrame({"Kilder": [3, 12]}, index=["Ledelse", "Borgerrelation"])
    markup = nb.table_markup(df, name="i", hide_index=False)
    assert _right_aligned(markup, "i") == {"#T_i tr>:nth-child(2)"}
    hidden = nb.table_markup(df, name="h")
    assert _right_aligned(hidden, "h") == {"#T_h tr>:nth-child(1)"}


def test_tables_without_figures_with_repeated_labels_or_two_header_rows():
    words = pd.DataFrame({"a": ["x", "y"]})
    assert "text-align" not in nb.table_markup(words, name="w")
    repeated = pd.DataFrame([[1, 2]], columns=["n", "n"])
    assert _right_aligned(nb.table_markup(repeated, name="r"), "r") == {
        "#T_r tr>:nth-child(1)",
        "#T_r tr>:nth-child(2)",
    }, "columns are found by position, so repeated labels do not matter"
    two_rows = pd.DataFrame([[1, "a"]], columns=pd.MultiIndex.from_tuples([("x", "n"), ("x", "t")]))
    assert _right_aligned(nb.table_markup(two_rows, name="m"), "m") == {"#T_m td:nth-child(1)"}


def test_show_items_lays_out_a_section_in_order(monkeypatch):
    """Notebooks 00 and 02 show the response section with one call (the loop over the
    kinds of item was written out in both)."""
    from types import SimpleNamespace as Item

    shown = []
    monkeypatch.setattr(nb, "_display", lambda obj: shown.append(obj.data))
    frame = pd.DataFrame({"Bånd": ["50–99"], "Svar": [12]})
    part = Item(frame=frame, name="quant-response-band", formats={})
    nb.show_items(
        [
            Item(kind="heading", text="Hvem svarer?"),
            Item(kind="text", text="Nogle enheder er udeladt."),
            Item(kind="warning", text="Få svar"),
            Item(kind="table", table=part, summary="Svar efter sagsstamme"),
        ],
        "da",
    )
    assert shown[0] == "#### Hvem svarer?" and shown[1] == "Nogle enheder er udeladt."
    assert 'analysis-note-warning">Få svar</div>' in shown[2]
    assert "<summary>Svar efter sagsstamme</summary>" in shown[3]
    assert 'data-table="quant-response-band"' in shown[3] and len(shown) == 4
    with pytest.raises(ValueError, match="unknown kind of item 'chart'"):
        nb.show_items([Item(kind="chart")], "da")
