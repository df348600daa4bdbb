"""Page weight (issue 22): a page carries no markup nothing uses. pandas' Styler gives
every table cell an id and three classes (on København's page 2,456 cells, 150 KB of its
754 KB); the page keeps only those a style of the page refers to."""

from __future__ import annotations

import re

import nbformat
import pandas as pd

from analysis import nb
from analysis.reports.export import ReportMeta, Section, report_html
from analysis.reports.html.markup import trim_markup
from analysis.reports.pagecheck import visible_text


def styled_table() -> str:
    frame = pd.DataFrame({"Tema": ["Arbejdsmåde", "Ledelse"], "Kilder": [5, 0]})
    styler = nb.styled(frame, name="qual-themes", language="da", precision=0)
    styler = styler.map(lambda v: "color: #b3261e" if v == 0 else "", subset=["Kilder"])
    return styler.to_html()


def test_unused_styler_ids_and_classes_go_and_used_ones_stay():
    markup = styled_table()
    assert 'id="T_qual-themes_row0_col0"' in markup and 'class="data row0 col0"' in markup
    trimmed = trim_markup(f"<html><head></head><body>{markup}</body></html>")
    assert 'id="T_qual-themes_row0_col0"' not in trimmed
    assert 'class="data row0 col0"' not in trimmed and "col_heading" not in trimmed
    # the cell the Styler colours keeps the id its style names, the table its own id
    assert "#T_qual-themes_row1_col1" in trimmed and 'id="T_qual-themes_row1_col1"' in trimmed
    assert 'id="T_qual-themes"' in trimmed
    assert " ".join(visible_text(trimmed).split()) == " ".join(visible_text(markup).split())


def test_the_tables_own_styles_are_compact_and_still_apply():
    """The Styler writes each rule over four lines (on København's page 180 rules for
    the right-aligned figures alone, 12.7 KB); the page keeps them without the spaces."""
    markup = styled_table()
    assert "#T_qual-themes tr>:nth-child(2) {\n  text-align: right;\n}" in markup
    trimmed = trim_markup(f"<html><head></head><body>{markup}</body></html>")
    assert "#T_qual-themes tr>:nth-child(2){text-align:right}" in trimmed
    assert "#T_qual-themes_row1_col1{color:#b3261e}" in trimmed
    flat = '<style type="text/css">#T_a x{c:1}\n#T_a y {\n  c: 1;\n}\n#T_a z{c:2}</style>'
    assert trim_markup(flat) == '<style type="text/css">#T_a x,#T_a y{c:1}#T_a z{c:2}</style>'
    spaced = '<style type="text/css"> </style><p>x</p>'
    assert trim_markup(spaced) == "<p>x</p>", "a style block of spaces goes whole"


def test_a_report_page_carries_no_unused_styler_markup():
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": styled_table()}),
        nbformat.v4.new_output(
            "display_data", data={"text/html": '<style type="text/css">\n</style>'}
        ),
    ]
    notebook.cells = [cell]
    meta = ReportMeta(
        municipality_code=101, municipality_name="København", region="Hovedstaden",
        language="da", inputs=(), simulated=False, git_commit="abc", package_version="0",
    )  # fmt: skip
    page = report_html([Section("01_qualitative_themes", notebook)], meta)
    assert 'class="data row' not in page and 'id="T_qual-themes_row0_col0"' not in page
    assert 'id="T_qual-themes_row1_col1"' in page, "its style refers to it"
    assert not re.search(r"<style\b[^>]*>\s*</style>", page), "no empty style block"
    assert "Arbejdsmåde" in page and "Ledelse" in page


def test_the_style_sheets_reach_a_page_without_comments_and_spaces_nothing_reads():
    from analysis.reports.export import TEMPLATE_DIR, _css
    from analysis.reports.html.markup import minify_css

    css = 'a > b , c { content: " ( a, b ; " ; x: 1 }  /* note */ .x :first-child { y : 2 }'
    assert minify_css(css) == 'a>b,c{content:" ( a, b ; ";x:1}.x :first-child{y :2}'
    source = (TEMPLATE_DIR / "caseload" / "report.css").read_text(encoding="utf-8")
    assert len(_css()) < 0.8 * len(source) and "/*" not in _css()
    assert "@page{size:A4;" in _css() and 'content:" · "' in _css()
