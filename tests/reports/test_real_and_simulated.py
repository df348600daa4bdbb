"""Issue 20 §1 and §7 on pages built from small notebooks (no kernel): simulated sections
sit in one method demonstration, every number there is marked data-source="simulated",
the key findings show only findings from real data, printed pages of the demonstration
carry the mark; and no page ever shows exception text, an unfilled placeholder, a
placeholder plural or a year printed as a number."""

from __future__ import annotations

import html
import re

import nbformat
import pytest

from analysis.reports import findings
from analysis.reports.export import ReportMeta, Section, combine, report_html
from analysis.reports.pagecheck import (
    ReportTextError,
    check_reader_text,
    reader_text_problems,
    source_marks,
)


def _glue(name: str, value: object) -> dict:
    return nbformat.v4.new_output(
        "display_data",
        data={
            "application/scrapbook.scrap.json+json": {
                "name": name,
                "data": value,
                "encoder": "json",
                "version": 1,
            }
        },
        metadata={"scrapbook": {"name": name, "data": True, "display": False}},
    )


def _notebook(simulated: bool, text: str = "Estimat 1,2 (0,4 til 2,0)") -> nbformat.NotebookNode:
    """A section that shows a heading, a paragraph with numbers, a figure and a method
    note, and glues ``simulated`` as ``nb.record_inputs`` does."""
    nb = nbformat.v4.new_notebook()
    shown = nbformat.v4.new_code_cell(
        "",
        outputs=[
            nbformat.v4.new_output("display_data", data={"text/markdown": "### Forsøget"}),
            nbformat.v4.new_output("display_data", data={"text/markdown": text}),
            nbformat.v4.new_output(
                "display_data",
                data={
                    "text/html": '<figure class="analysis-figure"><img src="data:image/png;'
                    'base64,AA" alt="Figur 3"/><figcaption>Figur med 3 enheder</figcaption>'
                    "</figure>"
                },
            ),
        ],
    )
    note = nbformat.v4.new_code_cell(
        "",
        outputs=[nbformat.v4.new_output("display_data", data={"text/markdown": "Gns. 148 sager"})],
    )
    note.metadata["tags"] = ["method"]
    glue = nbformat.v4.new_code_cell("", outputs=[_glue("simulated", simulated)])
    nb.cells = [shown, note, glue]
    return nb


def _meta(simulated: bool, key_findings: str = "") -> ReportMeta:
    return ReportMeta(
        municipality_code=101, municipality_name="København", region="Hovedstaden",
        language="da", inputs=(), simulated=simulated, git_commit="abc",
        package_version="0", timestamp="T", key_findings=key_findings,
    )  # fmt: skip


def _sections(caseload_simulated: bool) -> list[Section]:
    return [
        Section("03_benchmark_scorecard", _notebook(False, "Ledighed 4,0 %")),
        Section("02_caseload_regressions", _notebook(caseload_simulated)),
        Section("04_mixed_methods", _notebook(caseload_simulated, "Peger samme vej: 5/9")),
    ]


def test_the_simulated_sections_sit_in_one_method_demonstration_after_the_real_ones():
    merged = combine(_sections(True), "da")
    headings = [c.source for c in merged.cells if c.cell_type == "markdown"]
    assert "Benchmark mod sammenlignelige kommuner" in headings[0]
    assert 'id="section-demo"' in headings[1] and "Metodedemonstration" in headings[1]
    assert "<h3" in headings[2] and "Sagsstammer og resultater" in headings[2]
    assert "Simulerede data" in headings[2]
    assert "<h3" in headings[3] and "Samlet billede" in headings[3]
    tagged = [c for c in merged.cells if "simulated" in c.metadata.get("tags", [])]
    assert len(tagged) == 5  # the demonstration's heading, two part headings, two cells
    demo_cell = tagged[2]
    data = [o["data"] for o in demo_cell.outputs]
    assert data[0]["text/markdown"] == "#### Forsøget", "one level deeper"
    assert (
        '<figcaption><strong class="simulated-mark">Simulerede data.</strong> Figur'
        in (data[2]["text/html"])
    )
    method = merged.cells[-1].outputs[0]["data"]["text/html"]
    assert method.count('data-source="simulated"') == 2  # the notes of both simulated parts
    assert "Ledighed" not in method or 'data-source="simulated"><h3>Benchmark' not in method


def test_every_number_of_the_demonstration_is_marked_and_printed_pages_carry_the_mark():
    page = report_html(_sections(True), _meta(True, '<section id="key-findings">x</section>'))
    marks = source_marks(page)
    assert marks.demo_numbers >= 4  # the paragraphs and captions of both parts
    assert marks.unmarked_demo_numbers == []
    assert marks.key_findings_simulated == 0
    assert marks.simulated_outside_demo == []
    assert '<div class="report-simulated-cell" data-source="simulated">' in page
    assert re.search(r"@page simulated\s*\{\s*@top-center\s*\{\s*content:", page)
    assert re.search(r"\.report-simulated-cell\s*\{\s*page:\s*simulated;", page)
    # the benchmark (real) is not marked
    benchmark = page[page.index('id="section-03-benchmark-scorecard"') : page.index("section-demo")]
    assert 'data-source="simulated"' not in benchmark


def test_with_a_real_panel_the_same_sections_are_findings_without_marks():
    page = report_html(_sections(False), _meta(False))
    assert 'data-source="simulated"' not in page
    assert "section-demo" not in page and "Metodedemonstration" not in page
    assert not re.search(r"@page simulated\s*\{", page)
    assert "Simulerede data" not in page.split('<footer class="report-footer">')[0]
    order = [page.index(f'id="section-{key}"') for key in (
        "03-benchmark-scorecard", "02-caseload-regressions", "04-mixed-methods")]  # fmt: skip
    assert order == sorted(order)
    assert re.search(r'<h2 class="report-section" id="section-02-caseload-regressions"', page)


# --- the key findings ----------------------------------------------------------------------

OWN = {  # every field of notebook 02's record (analysis.reports.records.CaseloadOwn)
    "municipality": 101,
    "outcome": "exit_job_education",
    "has_trial": True,
    "n_units": 8,
    "caseload_mean": 157.1,
    "trial": {"estimate": 1.2, "ci_low": 0.4, "ci_high": 2.0},
    "trial_design": {"pretrend_p": 0.001, "placebo_p": 0.125, "placebo_p_min": 0.125},
    "national": {"estimate": 0.083, "ci_low": 0.074, "ci_high": 0.093},
    "national_design": None,
    "trial_index": True,
    "lead": "trial",
}
VERDICTS = [
    {"domain": "staff", "label": "Medarbejdere", "inference": "convergence",
     "inference_label": "Peger samme vej", "assessed": True, "reason": "", "reason_short": ""},
    {"domain": "work", "label": "Arbejdsmåde", "inference": "no_qualitative_comparison",
     "inference_label": "Kan ikke vurderes", "assessed": False, "reason": "for få kilder",
     "reason_short": "for få kilder i de grupper, der sammenlignes"},
]  # fmt: skip
INPUTS = [
    {"file": "jobindsats/x.json", "simulated": False},
    {"file": "caseloads/simulated_caseloads.csv", "simulated": True},
    {"file": "interviews/quotes.csv", "simulated": False},
]


def _scraps(simulated: bool) -> dict:
    return {
        "caseload_own": {**OWN, "simulated": simulated},
        "joint_display_verdicts": [{**v, "simulated": simulated} for v in VERDICTS],
        "top_themes": [
            {
                "kind": "interviews",
                "code": "arbejdsmaade",
                "label": "Arbejdsmåde",
                "n_sources": 5,
                "shown": "5",
                "n_sources_group": 9,
            }
        ],
        "inputs": INPUTS,
    }


def test_with_a_simulated_panel_the_first_screen_shows_only_real_findings():
    """København's first screen said "I forsøgsenheden steg afgang til job … med 1,2
    procentpoint (95 %-interval 0,40 til 2,0)": a simulated trial."""
    page = findings.key_findings(_scraps(True), "København", "da")
    assert "kf-caseload" not in page and "kf-joint" not in page
    assert "forsøgsenhed" not in page and "1,2" not in page and "0,083" not in page
    assert "Peger samme vej" not in page and "peger samme vej" not in page
    assert page.count('href="#section-demo"') == 1
    assert "Tallene om sagsstammer i København er simulerede" in page
    assert "kf-interviews" in page and "Arbejdsmåde (5 af 9 kilder)" in page


def test_with_a_real_panel_the_caseload_and_the_verdicts_are_findings():
    page = findings.key_findings(_scraps(False), "København", "da")
    assert "kf-caseload" in page and "kf-joint" in page and "section-demo" not in page
    assert "simulerede data" not in page.lower().replace("simulerede: ", "")
    assert "peger samme vej" in page
    assert "kan ikke vurderes (for få kilder i de grupper, der sammenlignes)" in page


def test_a_municipality_with_documents_only_names_its_documents_not_an_interview_corpus():
    """Rødovre's "Data: Reelle: … interviewkorpus", although it has one document."""
    scraps = {
        "top_themes": [
            {
                "kind": "documents",
                "code": "sagsstamme",
                "label": "Sagsstamme og tid",
                "n_sources": 8,
                "shown": "8",
                "n_sources_group": 16,
            }
        ],
        "inputs": INPUTS,
    }
    page = findings.key_findings(scraps, "Rødovre", "da")
    assert "interviewkorpus" not in page and "kommunens dokumenter" in page


# --- text a reader must never see (§7) -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Traceback (most recent call last): File x",
        "Modellen fejlede: ValueError: operands could not be broadcast together with shapes",
        "Error: something",
        "<pyfixest.estimation.Feols object at 0x7f3a2c1b9d50>",
        "Se {reference} for detaljer",
        "302 enhed(er) i 98 kommune(r)",
        "3 unit(s) in 2 municipality(ies)",
    ],
)
def test_reader_text_problems_are_found(text):
    shown = html.escape(text)  # as a page shows text from data
    assert reader_text_problems(f"<main><p>{shown}</p></main>")
    with pytest.raises(ReportTextError, match="never see"):
        check_reader_text(f"<p>{shown}</p>")


def test_a_year_printed_as_a_number_is_found_in_a_year_column():
    table = "<table><tr><th>Kilde</th><th>År</th></tr><tr><td>x</td><td>{}</td></tr></table>"
    assert reader_text_problems(table.format("2.018"))
    assert reader_text_problems(table.format("2,018"))
    assert reader_text_problems(table.format("2018")) == []
    assert reader_text_problems(table.format("2013/14")) == []


def test_clean_text_and_styles_and_figures_are_not_flagged():
    markup = (
        "<style>.a { color: red; }</style><script>var x = {a: 1};</script>"
        '<p>AR(1) og 1.234 enheder; p = 0,125</p><img alt="x" src="data:image/png;base64,{x}">'
    )
    assert reader_text_problems(markup) == []


def test_a_page_with_exception_text_is_not_written():
    sections = [Section("03_benchmark_scorecard", _notebook(False, "ValueError: bad shapes"))]
    with pytest.raises(ReportTextError, match="ValueError: "):
        report_html(sections, _meta(False))
