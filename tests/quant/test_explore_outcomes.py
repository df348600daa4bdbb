"""Changing the analysis in notebook 02 (issue 23): the outcome chosen drives the headline,
the texts and the figures; a misspelt outcome is an error listing the valid ones; the
model specification is passed on; the outcome names are in the docstrings."""

from __future__ import annotations

import inspect

import pytest

from analysis.data.outcomes import STANDARD_OUTCOMES
from analysis.labels import t
from analysis.quant import compute
from analysis.quant import specs as S
from analysis.quant import view as qv

FAST = S.SpecConfig(wild_reps=99, placebo_draws=19)


@pytest.fixture(scope="module")
def turnover(panel_csv, module_isolated_paths):
    return qv.load_results(panel_csv, ["staff_turnover"], paths=module_isolated_paths, config=FAST)


@pytest.mark.parametrize("municipality", [101, 147])  # a trial unit, and none
def test_the_outcome_chosen_drives_the_headline_texts_and_figure(turnover, municipality):
    view = qv.build_view(turnover, municipality, "en")
    assert view.outcome == "staff_turnover"
    assert view.headline["outcome"] == "staff_turnover"
    assert view.headline["estimate"] is not None
    summary = qv.national_summary_text(view)
    assert summary != t("quant.text.national_none", "en")
    fig, alt = qv.event_figure(view)
    assert fig is not None, "the event plot vanished"
    assert "Staff turnover" in alt
    assert qv.own_finding(view)["outcome"] == "staff_turnover"
    if view.has_trial:
        assert qv.trial_effect(view)["outcome"] == "staff_turnover"


def test_an_outcome_for_the_figures_among_those_modelled(panel_csv, module_isolated_paths):
    both = ["exit_job_education", "staff_sick_days"]
    results = qv.load_results(panel_csv, both, paths=module_isolated_paths, config=FAST)
    assert qv.build_view(results, 101, "da").outcome == "exit_job_education"
    view = qv.build_view(results, 101, "da", outcome="staff_sick_days")
    assert view.headline["outcome"] == "staff_sick_days"
    assert "Sygefravær" in qv.event_figure(view)[1]
    with pytest.raises(qv.UnknownOutcomeError, match="not among the outcomes modelled"):
        qv.build_view(results, 101, "da", outcome="staff_turnover")


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        (["staf_turnover"], "unknown outcome 'staf_turnover' (did you mean 'staff_turnover'?)"),
        (["exit_job_education", "nonsense"], "unknown outcome 'nonsense'"),
        ("staff_turnover", "a list of names"),
        ([], "outcomes is empty"),
    ],
)
def test_an_unknown_outcome_is_an_error_listing_the_valid_ones(
    panel_csv, module_isolated_paths, outcomes, message
):
    with pytest.raises(qv.UnknownOutcomeError) as info:
        qv.load_results(panel_csv, outcomes, paths=module_isolated_paths, config=FAST)
    assert message in str(info.value)
    if outcomes and not isinstance(outcomes, str):
        assert "exit_job_education, exit_fleksjob" in str(info.value)


def test_a_panels_own_outcome_columns_are_valid(small_panel):
    panel, _ = small_panel
    own = panel.assign(my_outcome=0.5, unit_note="text")
    valid = compute.outcome_columns(own)
    assert valid[-1] == "my_outcome" and "unit_note" not in valid
    assert "caseload" not in valid and "unemployment_rate" not in valid
    assert valid[:9] == [o for o in STANDARD_OUTCOMES if o in panel.columns][:9]


def test_the_model_specification_is_passed_on(panel_csv, module_isolated_paths):
    spec = S.SpecConfig(wild_reps=99, placebo_draws=19, event_window=(-3, 3))
    results = qv.load_results(
        panel_csv, ["exit_job_education"], paths=module_isolated_paths, config=spec
    )
    assert results.config == spec
    view = qv.build_view(results, 101, "da")
    assert view.config == spec
    events = view.estimates[view.estimates["spec"] == S.EVENT]["event_time"].dropna()
    assert events.min() >= -3 and events.max() <= 3


@pytest.mark.parametrize("function", [qv.load_results, qv.build_view])
def test_the_outcome_names_are_in_the_docstrings(function):
    doc = inspect.getdoc(function)
    missing = [name for name in STANDARD_OUTCOMES if f"``{name}``" not in doc]
    assert not missing, f"{function.__name__}'s docstring does not name {missing}"


@pytest.mark.parametrize(
    ("chosen", "outcome", "expected"),
    [
        (None, None, "exit_job_education"),
        (["staff_turnover"], None, "staff_turnover"),
        (["staff_turnover", "exit_job_education"], None, "exit_job_education"),
        (["staff_turnover", "exit_fleksjob"], "exit_fleksjob", "exit_fleksjob"),
    ],
)
def test_main_outcome(chosen, outcome, expected):
    assert compute.main_outcome(chosen, outcome) == expected
