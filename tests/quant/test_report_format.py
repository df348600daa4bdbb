"""What notebook 02's texts and tables show of a number and a name: the shared helpers
(``analysis.formatting``, ``analysis.data.reference.municipality_name``)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.quant import view as report


def test_an_unknown_municipality_code_is_an_input_error():
    """Before: the report's own copy of municipality_name returned the code as the name
    ("9999"), while the data layer's raised; now both raise, naming the reference table."""
    assert report.municipality_name(101) == "København"
    with pytest.raises(InputError) as info:
        report.municipality_name(9999)
    text = str(info.value)
    assert "municipalities.csv" in text and "unknown municipality code" in text


def test_table_formats_and_running_text():
    frame = pd.DataFrame({"estimate": [-0.0456, math.inf], "n": [1, 2]})
    formats = report._formats(frame, "da")
    assert set(formats) == {"estimate"}
    assert [formats["estimate"](v) for v in frame["estimate"]] == ["-0.0456", "∞"]
    assert report.number(-0.0456, "da") == "-0,0456"
    assert report.number(1234.5678, "en", 2) == "1235"
    assert report.number(None, "da") == "–"
