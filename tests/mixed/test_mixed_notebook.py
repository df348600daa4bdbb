"""Notebook 04 runs under papermill on the demo corpus and the simulated panel, with and
without the (unread) regression_notebook parameter, and records the joint display (slow: runs
notebooks in the session's warm kernel; shared models are fitted once per session)."""

from __future__ import annotations

import pytest
from mixedtest_helpers import REPO

from analysis.mixed.joint_display import DOMAIN_COLUMNS

pytestmark = pytest.mark.slow

NOTEBOOK = REPO / "notebooks" / "04_mixed_methods.ipynb"
REGRESSIONS = REPO / "notebooks" / "02_caseload_regressions.ipynb"

OVERRIDE = """\
version: 1
overrides:
  - municipality: 101
    domain: staff
    meta_inference: inconclusive
    reason: "Test: two written answers are too thin for staff outcomes."
    who: "pytest"
    date: 2026-12-01
"""


def test_notebook_records_the_joint_display(notebook_paths, run_notebook, tmp_path):
    import scrapbook as sb

    from analysis.data.store import prepare
    from analysis.quant.batch import precompute

    def _run(notebook, output, tmp_path, **parameters):
        return sb.read_notebook(str(run_notebook(notebook, output, **parameters))).scraps

    # a confidential corpus (no corpus.yaml): small counts of persons are hidden
    (notebook_paths.raw / "interviews" / "corpus.yaml").unlink()
    (notebook_paths.raw / "joint_display_overrides.yaml").write_text(OVERRIDE, encoding="utf-8")
    report = prepare(notebook_paths)
    assert report.ok, report.summary()
    precompute(notebook_paths)

    # 1. København, Danish, estimates from the shared results (no regression notebook)
    out = tmp_path / "04_101_da.ipynb"
    scraps = _run(NOTEBOOK, out, tmp_path, municipality=101, language="da")
    joint = scraps["joint_display"].data
    assert tuple(joint.columns) == DOMAIN_COLUMNS
    assert list(joint["domain"]) == [
        "citizens_into_work",
        "working_methods",
        "staff",
        "value_goals",
    ]
    assert set(joint["estimates_origin"]) == {"shared"}
    assert joint["simulated"].all() and scraps["simulated"].data is True
    staff = joint.set_index("domain").loc["staff"]
    assert staff["inference_override"] == "inconclusive"
    assert staff["override_reason"].startswith("Test: two written answers")
    assert staff["inference_computed"] in {
        "convergence", "complementarity", "divergence", "inconclusive",
        "no_qualitative_comparison", "no_qualitative_evidence", "no_quantitative_estimate",
    }  # fmt: skip
    outcomes = scraps["joint_display_outcomes"].data
    assert set(outcomes["basis"]) == {"trial"}  # København has its own trial
    files = {r["file"] for r in scraps["inputs"].data}
    assert {"interviews/quotes.csv", "joint_display.yaml", "joint_display_overrides.yaml"} <= files
    assert "caseloads/simulated_caseloads.csv" in files
    link = scraps["caseload_link"].data
    trial_during = link[(link["department"] == "forsoeg") & (link["period"] == "under")]
    assert abs(trial_during["caseload_mean"].iloc[0] - 50) < 2.5
    html = out.read_text(encoding="utf-8")
    assert 'data-table=\\"joint-display\\"' in html and "data-simulated" in html
    assert "&lt;5" in html  # person counts suppressed in the display

    # 2. given the executed regression notebook (the batch passes it): not read, the same
    #    shared results (issue 23: mixed reads quant's results, not notebook scraps)
    regressions = tmp_path / "02_101.ipynb"
    _run(REGRESSIONS, regressions, tmp_path, municipality=101, language="da")
    scraps_nb = _run(
        NOTEBOOK,
        tmp_path / "04_101_nb.ipynb",
        tmp_path,
        municipality=101,
        language="da",
        regression_notebook=str(regressions),
    )
    assert set(scraps_nb["joint_display"].data["estimates_origin"]) == {"shared"}
    from_notebook = scraps_nb["joint_display_outcomes"].data
    numbers = ["effect_10", "ci_low_10", "ci_high_10", "trial_effect", "trial_ci_low"]
    assert from_notebook[numbers].round(10).equals(outcomes[numbers].round(10))
    assert list(from_notebook["inference"]) == list(outcomes["inference"])

    # 3. Aabenraa in English: no trial, no periods in its sources
    scraps_580 = _run(
        NOTEBOOK, tmp_path / "04_580_en.ipynb", tmp_path, municipality=580, language="en"
    )
    joint_580 = scraps_580["joint_display"].data
    assert list(joint_580["domain"]) == [
        "citizens_into_work",
        "working_methods",
        "staff",
        "value_goals",
    ]
    assert set(joint_580["municipality"]) == {580}
    assert (joint_580["n_sources_contrast"] == 0).all()
    assert joint_580["inference_override"].isna().all()  # the override is for 101 only
    assert set(scraps_580["joint_display_outcomes"].data["basis"]) == {"national"}
    # no trial department and no periods: no verdict, the reason instead (issue 20 §6)
    assert set(joint_580["inference"]) == {"no_qualitative_comparison"}
    verdicts = scraps_580["joint_display_verdicts"].data
    assert {v["inference_label"] for v in verdicts} == {"Cannot be assessed"}
    assert all("0 sources in the group" in v["reason"] for v in verdicts)
