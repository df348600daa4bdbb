"""Quotes and names with HTML in them (``<script>``, ``<img onerror>``) appear escaped
wherever the project renders them: ``nb.table``/``nb.styled``, the qualitative report
tables, and the exported report page. See docs/trust.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest

from analysis import nb
from analysis.qual import view as qr
from analysis.reports.export import ReportMeta, Section, report_html

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "qual"))
from qualtest_helpers import TINY_CODEBOOK  # noqa: E402

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
HOSTILE = f"Sagsstammen er for stor {SCRIPT} og {IMG} & mere tid"
RAW_MARKUP = ("<script>alert", "<img src=x")


def assert_escaped(html_text: str, expect_escaped: bool = True) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html_text, f"unescaped {raw!r} in the HTML"
    if expect_escaped:
        assert "&lt;script&gt;alert(" in html_text
        assert "&lt;img src=x onerror=" in html_text


def captured_table(df: pd.DataFrame, **kwargs: Any) -> str:
    """The HTML ``nb.table`` displays (the display call is captured)."""
    shown: list[Any] = []
    original = nb._display
    nb._display = shown.append
    try:
        nb.table(df, **kwargs)
    finally:
        nb._display = original
    (item,) = shown
    return item.data


def test_nb_table_escapes_cells_and_caption() -> None:
    frame = pd.DataFrame({"quote": [HOSTILE, SCRIPT], "n": [1.5, 2.0]})
    html_text = captured_table(frame, name="t", caption=f"Citater {IMG}")
    assert_escaped(html_text)
    assert "1,5" in html_text  # Danish number format still applied


def test_nb_table_with_formats_escapes_cells() -> None:
    frame = pd.DataFrame({"quote": [HOSTILE], "share": [0.25]})
    html_text = nb.styled(frame, name="t", formats={"share": "{:.0%}"}).to_html()
    assert_escaped(html_text)


def test_nb_table_escapes_column_and_index_labels() -> None:
    frame = pd.DataFrame({SCRIPT: [1.0]}, index=pd.Index([IMG], name="navn"))
    html_text = nb.styled(frame, name="t", hide_index=False).to_html()
    assert_escaped(html_text)


def test_heading_note_and_figure_alt_escape_text() -> None:
    shown: list[Any] = []
    original = nb._display
    nb._display = shown.append
    try:
        nb.heading(HOSTILE)
        nb.note(HOSTILE)
    finally:
        nb._display = original
    assert_escaped(shown[0].data)
    assert_escaped(shown[1].data)


# --- the qualitative report tables --------------------------------------------------------------

QUOTES = [
    ("s1", "sagsbehandler", "forsoeg", "foer", f"Med lavere sagsstamme {SCRIPT} får jeg mere tid."),
    ("s1", "sagsbehandler", "forsoeg", "foer", f"Relationen til borgeren {IMG} er bedre."),
    ("s2", "leder", "ordinaer", "under", f"Lederne bestemmer alt {SCRIPT}."),
    ("s2", "leder", "ordinaer", "under", f"Vi forbereder samtalerne grundigt {IMG}."),
    ("s3", "sagsbehandler", "forsoeg", "under", f"Sagsstammen er for stor {SCRIPT}, lederne."),
]


@pytest.fixture
def hostile_results(tmp_path: Path, isolated_paths: Any) -> qr.QualResults:
    folder = tmp_path / "interviews"
    folder.mkdir()
    rows = [
        {
            "quote_id": f"{sid}-{i:03d}",
            "source_id": sid,
            "name": f"Interview {sid} {IMG}",
            "municipality_code": 101,
            "role": role,
            "department": department,
            "period": period,
            "quote": quote,
        }
        for i, (sid, role, department, period, quote) in enumerate(QUOTES, start=1)
    ]
    pd.DataFrame(rows).to_csv(folder / "quotes.csv", index=False)
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text(TINY_CODEBOOK, encoding="utf-8")
    from analysis.qual.corpus import load_quote_table

    corpus = load_quote_table(folder / "quotes.csv")
    codings = []
    for coder, codes in (("dev_a", ["sagsstamme", "ledelse"]), ("dev_b", ["sagsstamme"])):
        for segment in corpus.segments.itertuples(index=False):
            for code in codes:
                codings.append(
                    {
                        "source": segment.source_id,
                        "start": segment.start,
                        "end": segment.end,
                        "code": code,
                        "coder": coder,
                        "memo": SCRIPT,
                    }
                )
        pd.DataFrame(codings[-len(codes) * len(corpus.segments) :]).to_csv(
            folder / f"codings_{coder}.csv", index=False
        )
    return qr.analyse(
        None, corpus_path=folder / "quotes.csv", codebook_path=codebook, n_exemplars=3
    )


DISPLAYS = [
    "corpus_display",
    "frequencies_display",
    "prevalence_display",
    "exemplars_display",
    "before_during_display",
    "quantitized_display",
    "reliability_display",
    "disagreements_display",
    "evaluation_display",
    "review_display",
    "codebook_display",
]


def test_qual_report_tables_escape_hostile_quotes(hostile_results: qr.QualResults) -> None:
    """Every display table of notebook 01, rendered through nb.table; the tables that show
    quotes carry them escaped, none carries raw markup."""
    with_quotes = 0
    for name in DISPLAYS:
        frame = getattr(qr, name)(hostile_results, "da")
        if frame is None:
            continue
        html_text = captured_table(frame, name=f"qual-{name}", language="da")
        has_quote = (
            frame.astype(str).apply(lambda c: c.str.contains("<script>", regex=False)).any().any()
        )
        assert_escaped(html_text, expect_escaped=bool(has_quote))
        with_quotes += bool(has_quote)
    assert with_quotes >= 3  # exemplars, before/during, review or disagreements


# --- the exported report page -------------------------------------------------------------------


def _section(html_text: str) -> Section:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source="nb.table(...)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": html_text, "text/plain": "t"}),
        nbformat.v4.new_output("stream", name="stdout", text=f"printed: {SCRIPT}\n"),
    ]
    notebook.cells = [cell]
    return Section(key="01_qualitative_themes", notebook=notebook, parameters={"note": SCRIPT})


def test_report_page_keeps_table_text_escaped() -> None:
    table = captured_table(pd.DataFrame({"quote": [HOSTILE]}), name="qual-exemplars")
    meta = ReportMeta(
        municipality_code=101,
        municipality_name="København",
        region="Hovedstaden",
        language="da",
        inputs=({"file": f"interviews/{SCRIPT}.csv", "sha256": "ab" * 32, "simulated": False},),
        simulated=False,
        git_commit="0" * 40,
        package_version="test",
    )
    page = report_html([_section(table)], meta)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert page.count("&lt;script&gt;alert(") >= 3  # the table, the printed line, the footer
    assert "&lt;img src=x onerror=" in page
