"""What notebook 02's texts and tables show of a number and a name: the shared helpers
(``analysis.formatting``, ``analysis.data.reference.municipality_name``)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import nb
from analysis.errors import InputError
from analysis.quant import view as report
from analysis.quant import view_select


def test_an_unknown_municipality_code_is_an_input_error():
    """Before: the report's own copy of municipality_name returned the code as the name
    ("9999"), while the data layer's raised; now both raise, naming the reference table."""
    assert view_select.municipality_name(101) == "København"
    with pytest.raises(InputError) as info:
        view_select.municipality_name(9999)
    text = str(info.value)
    assert "municipalities.csv" in text and "unknown municipality code" in text


def test_table_formats_and_running_text():
    frame = pd.DataFrame({"estimate": [-0.0456, math.inf], "n": [1, 2]})
    formats = view_select._formats(frame, "da")
    assert set(formats) == {"estimate"}
    assert [formats["estimate"](v) for v in frame["estimate"]] == ["-0.0456", "∞"]
    assert report.number(-0.0456, "da") == "-0,0456"
    assert report.number(1234.5678, "en", 2) == "1235"
    assert report.number(None, "da") == "–"


def test_p_values_are_plain_text_and_the_table_escapes_them():
    """Issue 23: no HTML in the analysis areas. The p-value format returned the HTML
    entity "&lt;0.001" itself because the Styler does not escape a format's output; now
    the format is plain text and ``nb.styled`` escapes what any format returns."""
    assert report.p_format(0.0001) == "<0.001"
    assert report.p_format(0.0456) == "0.046"
    p = "p"
    table = report.table_of(pd.DataFrame({p: [0.0001, 0.2]}), "t", "en")
    table = report.Table(table.frame, table.name, {p: report.p_format})
    html = nb.styled(table.frame, name=table.name, language="en", formats=table.formats).to_html()
    assert ">&lt;0.001</td>" in html and "<0.001" not in html
    hostile = nb.styled(
        pd.DataFrame({"x": [1.0]}), name="t", formats={"x": lambda _: "<b>A & B</b>"}
    ).to_html()
    assert "&lt;b&gt;A &amp; B&lt;/b&gt;" in hostile and "<b>" not in hostile
