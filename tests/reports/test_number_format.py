"""Numbers on the index page and in the report footer use the reports' one number
format (``analysis.formatting``)."""

from __future__ import annotations

import nbformat

from analysis.reports.export import ReportMeta, Section, report_html
from analysis.reports.index import index_html


def _index(value: object, language: str) -> str:
    row = {"code": 101, "name": "København", "region": "Hovedstaden", "status": "ok",
           "href": "101.html", "effect": value}  # fmt: skip
    return index_html([row], [("effect", "Effekt")], language, css="")


def test_index_headlines_in_both_languages():
    assert 'data-sort="-1234.56">-1.234,6</td>' in _index(-1234.56, "da")
    assert 'data-sort="-1234.56">-1,234.6</td>' in _index(-1234.56, "en")
    assert 'data-sort="">–</td>' in _index(None, "da")


def test_an_index_headline_that_rounds_to_zero_has_no_sign():
    """Before: "-0,0" for -0.04, where the joint display wrote "0,0"."""
    assert 'data-sort="-0.04">0,0</td>' in _index(-0.04, "da")


def test_footer_seconds_in_the_report_number_format():
    """Before: "1234,5" without the thousands separator every other number has."""
    meta = ReportMeta(municipality_code=101, municipality_name="København",
                      region="Hovedstaden", language="da", inputs=(), simulated=False,
                      git_commit="abc", package_version="0", timestamp="T",
                      seconds=1234.54)  # fmt: skip
    html = report_html([Section("03_benchmark_scorecard", nbformat.v4.new_notebook())], meta)
    assert "Dannet T på 1.234,5 s." in html
