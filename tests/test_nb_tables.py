"""Report tables: figures right-aligned, words left (``nb.styled``), and the classes that
do it survive the trimming of pandas' markup."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis import nb
from analysis.formatting import MISSING, numeric_columns
from analysis.reports.export import trim_markup


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


def test_styled_marks_figure_cells_and_headers_and_the_page_keeps_the_mark():
    df = pd.DataFrame({"Tema": ["Ledelse", "Borgerrelation"], "Kilder": [3, 12]})
    markup = nb.table_markup(df, name="t")
    trimmed = trim_markup(markup)
    cells = re.findall(r"<td([^>]*)>\s*([^<]*?)\s*</td>", trimmed)
    assert [(attrs.strip(), text) for attrs, text in cells] == [
        ("", "Ledelse"),
        ('class="num"', "3"),
        ("", "Borgerrelation"),
        ('class="num"', "12"),
    ]
    header = re.search(r'<th id="([^"]+)"[^>]*>Kilder</th>', trimmed)
    assert header, "the figure column's header keeps the id its alignment refers to"
    assert re.search(rf"#{header.group(1)}\s*{{\s*text-align: right;", trimmed)
    assert "Tema</th>" in trimmed and not re.search(r'<th id="[^"]+"[^>]*>Tema</th>', trimmed)


def test_a_table_without_figures_or_with_repeated_labels_is_left_as_it_was():
    words = pd.DataFrame({"a": ["x", "y"]})
    assert "num" not in nb.table_markup(words, name="w")
    repeated = pd.DataFrame([[1, 2]], columns=["n", "n"])
    assert "<td" in nb.table_markup(repeated, name="r")  # no error: pandas matches by label
