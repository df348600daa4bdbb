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
