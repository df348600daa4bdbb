"""Notebook 02 runs under papermill and records its results (slow: runs notebooks in
the session's warm kernel; the shared models are fitted once per session)."""

from __future__ import annotations

import pytest

from analysis.data.caseloads import STANDARD_OUTCOMES
from analysis.quant.results import TIDY_COLUMNS

pytestmark = pytest.mark.slow


@pytest.fixture
def prepared(notebook_paths):
    """Isolated folders with the simulated panel prepared and the shared results cached."""
    from analysis.data.store import prepare
    from analysis.quant.batch import precompute

    report = prepare(notebook_paths)
    assert report.ok, report.summary()
    precompute(notebook_paths)
    return notebook_paths


@pytest.mark.parametrize(
    ("municipality", "language"),
    [(101, "da"), (751, "en"), (492, "en")],
    ids=["koebenhavn-da", "aarhus-en", "aeroe-en"],
)
def test_notebook_runs_and_glues_estimates(
    prepared, repo_paths, run_notebook, tmp_path, municipality, language
):
    import scrapbook as sb

    output = run_notebook(
        repo_paths.notebooks / "02_caseload_regressions.ipynb",
        tmp_path / f"02_{municipality}_{language}.ipynb",
        municipality=municipality,
        language=language,
    )
    scraps = sb.read_notebook(str(output)).scraps
    estimates = scraps["estimates"].data
    assert tuple(estimates.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert set(estimates["scope"]) <= {"national", str(municipality)}
    assert estimates["simulated"].all()
    national = estimates[(estimates["scope"] == "national") & (estimates["spec"] == "twfe_log")]
    # every caseload outcome and every value-goal (survey) outcome of the demo panel
    assert len(national) == len(STANDARD_OUTCOMES)
    own = estimates[estimates["scope"] == str(municipality)]
    if municipality == 492:  # Ærø: one unit, no trial
        assert own.empty
    else:
        assert {"did", "did_collapsed", "event_study"} <= set(own["spec"])
    headline = scraps["caseload_headline"].data
    assert headline["outcome"] == "exit_job_education"
    assert headline["spec"] == "twfe_log" and headline["scope"] == "national"
    assert 0.05 < headline["estimate"] < 0.12  # pp per 10 fewer cases; truth about 0.08
    assert headline["simulated"] is True
    assert scraps["simulated"].data is True
    files = {record["file"] for record in scraps["inputs"].data}
    assert any(name.endswith("simulated_caseloads.csv") for name in files)


def _outputs_text(path) -> str:
    """Every text and HTML output of an executed notebook, joined."""
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts += [str(data.get(k, "")) for k in ("text/markdown", "text/html", "text/plain")]
            parts.append(str(output.get("text", "")))
    return "\n".join(parts)


def test_national_report_leads_with_the_trials_and_shows_the_new_sections(
    prepared, repo_paths, run_notebook, tmp_path
):
    """Issue 21: the design-based headline with its pre-trend test, the association
    second, the linearity check and realistic moves, published effects as context, the
    survey-response warning, the MDE checked by placebo; no exception text, no
    placeholder (issue 20 §7: the dose note's literal "{reference}")."""
    import scrapbook as sb

    output = run_notebook(
        repo_paths.notebooks / "00_national_report.ipynb",
        tmp_path / "00_en.ipynb",
        language="en",
    )
    headline = sb.read_notebook(str(output)).scraps["national_headline"].data
    assert headline["lead"] == "design" and headline["design"]["spec"] == "staggered_did2s"
    assert headline["spec"] == "twfe_log" and headline["estimate"] is not None
    text = _outputs_text(output)
    lead = text.index("Headline, from the trials")
    assert lead < text.index("Across all units, 10 fewer cases per caseworker go with")
    assert "Test for differences before the start (parallel trends)" in text
    assert "Linearity check" in text and "200 → 125 (Copenhagen" in text
    assert "What published trials found" in text and "Böheim, Eppel &amp; Mahringer" in text
    assert "Warning – response moves with caseload" in text
    assert "placebo trials on the panel itself" in text
    assert "{reference}" not in text and "{" + "p}" not in text
    for exception in ("broadcast", "Traceback", "Error:"):
        assert exception not in text
    files = {record["file"] for record in sb.read_notebook(str(output)).scraps["inputs"].data}
    assert any(name.endswith("published_caseload_effects.csv") for name in files)


def test_a_trial_municipality_leads_with_its_own_trial(
    prepared, repo_paths, run_notebook, tmp_path
):
    import scrapbook as sb

    output = run_notebook(
        repo_paths.notebooks / "02_caseload_regressions.ipynb",
        tmp_path / "02_101_en.ipynb",
        municipality=101,
        language="en",
    )
    text = _outputs_text(output)
    # the panel is simulated: the trial is the simulation's, never "the trial unit in
    # København" (issue 20 §1)
    heading = "The simulated trial (placed in København by the simulation)"
    lead = "In the simulated trial unit, which the simulation placed in København"
    assert text.index(heading) < text.index(lead) < text.index("Across all units")
    assert "The trial in København" not in text and "the trial unit in København" not in text
    assert "placebo value" in text and "no p-value can go below 0.125" in text
    own = sb.read_notebook(str(output)).scraps["caseload_own"].data
    assert own["lead"] == "trial" and own["trial_design"]["placebo_p_min"] == 0.125
    assert "Left out (&lt; 5 respondents)" in text or "Left out (< 5 respondents)" in text
    assert "Across all municipalities, response rates move with caseload" in text
    assert "Warning – response moves" not in text, "the national warnings stay national"
