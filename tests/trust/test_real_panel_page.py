"""A caseload panel labelled real by the data contract makes the same sections findings,
without demonstration, marks or banners (issue 20 §1): the demo's panel with its
``data_origin`` set to ``real`` and without the simulated
surveys (real caseloads are never pooled with simulated surveys), through ``prepare`` and
the report batch for København, whose trial then is the municipality's own."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from analysis.paths import get_paths
from analysis.reports.pagecheck import reader_text_problems, source_marks

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_panel_reports(tmp_path_factory):
    from analysis.data.store import prepare
    from analysis.reports.batch import RunOptions, run_reports

    repo = get_paths()
    base = tmp_path_factory.mktemp("real-panel")
    raw = base / "raw"
    shutil.copytree(repo.raw, raw)
    panel = pd.read_csv(raw / "caseloads" / "simulated_caseloads.csv", dtype=str)
    (raw / "caseloads" / "simulated_caseloads.csv").unlink()
    (raw / "caseloads" / "simulated_caseloads_truth.yaml").unlink()
    real = panel.assign(data_origin="real")  # labelled real by the data contract's column
    real.to_csv(raw / "caseloads" / "caseloads_2026.csv", index=False)
    for survey in (raw / "surveys").glob("simulated_*"):
        survey.unlink()
    patch = pytest.MonkeyPatch()
    patch.setenv("ANALYSIS_ROOT", str(repo.root))
    patch.setenv("ANALYSIS_RAW_DIR", str(raw))
    patch.setenv("ANALYSIS_PROCESSED_DIR", str(base / "processed"))
    patch.setenv("ANALYSIS_REPORTS_DIR", str(base / "reports"))
    try:
        paths = get_paths(repo.root)
        report = prepare(paths)
        assert report.ok, report.summary()
        options = RunOptions(
            municipalities=(101,), notebooks=(), workers=1, output=paths.reports, progress=False
        )
        result = run_reports(options)
        assert result.ok, result.failed
        yield paths.reports
    finally:
        patch.undo()


def test_with_a_real_panel_the_caseload_sections_are_findings_without_marks(real_panel_reports):
    page = (real_panel_reports / "101-koebenhavn.html").read_text(encoding="utf-8")
    assert reader_text_problems(page) == []
    marks = source_marks(page)
    assert marks.simulated_elements == 0 and marks.demo_numbers == 0
    assert not re.search(r"@page simulated\s*\{", page)
    body = page[page.index("<body") : page.index('<footer class="report-footer">')]
    for text in ("section-demo", "Metodedemonstration", "Simulerede data", "simulerede data",
                 "report-simulated-cell", 'data-source="simulated"'):  # fmt: skip
        assert text not in body, text
    key_findings = body[body.index('id="key-findings"') : body.index("</section>")]
    assert 'class="kf-caseload"' in key_findings and 'class="kf-joint"' in key_findings
    assert "I forsøgsenheden steg" in key_findings
    assert '<h2 class="report-section" id="section-02-caseload-regressions"' in body
    assert "Forsøget i København" in body and "simulerede forsøgsenhed" not in body
    national = (real_panel_reports / "national.html").read_text(encoding="utf-8")
    assert source_marks(national).simulated_elements == 0
    assert "section-demo" not in national and "Hovedresultat fra forsøgene" in national
    index = (real_panel_reports / "index.html").read_text(encoding="utf-8")
    row = index[index.index('<tr data-code="101">') :].split("</tr>")[0]
    assert ">ja<" in row and "simuleret" not in row


def test_with_a_real_panel_the_committee_page_gives_its_finding_with_its_source(
    real_panel_reports,
):
    """Issue 22 §4: a real panel's findings may appear on the committee page, marked by
    the data contract's provenance (the files it was read from)."""
    from lxml import html as lxml_html

    page = (real_panel_reports / "101-koebenhavn-resume.html").read_text(encoding="utf-8")
    assert reader_text_problems(page) == []
    tree = lxml_html.fromstring(page)
    assert tree.xpath('//*[@data-source="simulated"]') == []
    assert "metodedemonstration" not in page.lower()
    lines = tree.xpath('//li[@data-source="real"]')
    caseload = [x.text_content() for x in lines if "forsøgsenheden" in x.text_content()]
    assert caseload and "(egne data: caseloads/caseloads_2026.csv)" in caseload[0]
