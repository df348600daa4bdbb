"""Which estimate leads (issue 21 §1): where trials exist, the design-based estimate with
its pre-trend test; the fixed-effects slope as the association across all units with its
assumption; a sentence when the two disagree beyond their intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.labels import t
from analysis.paths import LANGUAGES
from analysis.quant import fit, texts
from analysis.quant import specs as S
from analysis.quant.results import adjust_pvalues, design_record, headline
from analysis.quant.specs import SpecConfig, prepare_panel
from analysis.reports.findings import caseload_sentence, national_findings
from analysis.reports.records import CaseloadOwn

OUTCOME = "exit_job_education"
FAST = SpecConfig(wild_reps=99)


def _national(frame: pd.DataFrame) -> pd.DataFrame:
    """The headline outcome's slope, the trials' two-stage DiD and their event study."""
    sample, _ = fit.staggered_sample(frame, FAST)
    run = fit.ModelRun.combine(
        [
            fit.fit_twfe(frame, [OUTCOME], FAST),
            fit.fit_staggered(sample, [OUTCOME], FAST),
            fit.fit_event_study(sample, [OUTCOME], FAST, spec=S.STAGGERED_EVENT),
        ]
    )
    return adjust_pvalues(run.estimates)


def growing_effects_panel(seed: int = 1, growth: float = 0.0004) -> tuple[pd.DataFrame, float]:
    """30 municipalities of two units; in 15 of them one unit starts a trial (caseload
    150 -> 60) in month 8, 26 or 44, and its effect grows by ``growth`` each month from
    the start. Caseload changes outside the trials have no effect. Returns the panel and
    the true average effect over the trial unit-months."""
    rng = np.random.default_rng(seed)
    months = 60
    periods = pd.period_range("2021-01", periods=months, freq="M")
    starts = {m: (8, 26, 44)[m % 3] for m in range(15)}
    rows, effects = [], []
    for m in range(30):
        for u in range(2):
            start = starts.get(m) if u == 1 else None
            noise_c, noise_y = np.zeros(months), np.zeros(months)
            for k in range(1, months):
                noise_c[k] = 0.6 * noise_c[k - 1] + rng.normal(0, 0.06)
                noise_y[k] = 0.5 * noise_y[k - 1] + rng.normal(0, 0.004)
            log_c = np.log(150) + 0.15 * rng.normal() + noise_c
            y = 0.06 + rng.normal(0, 0.01) + noise_y
            if start is not None:
                post = np.arange(months) >= start
                log_c = np.where(post, np.log(60) + rng.normal(0, 0.02, months), log_c)
                effect = np.where(post, growth * (np.arange(months) - start + 1), 0.0)
                y = y + effect
                effects += list(effect[post])
            for k in range(months):
                rows.append(
                    {
                        "municipality_code": 101 + 10 * m,
                        "unit": f"u{u}",
                        "period": periods[k],
                        "caseload": float(np.exp(log_c[k])),
                        "treated": int(start is not None),
                        "trial_start": str(periods[start]) if start is not None else None,
                        OUTCOME: y[k],
                    }
                )
    return pd.DataFrame(rows), float(np.mean(effects))


@pytest.fixture(scope="module")
def committed_estimates(committed_panel) -> pd.DataFrame:
    return _national(prepare_panel(committed_panel))


def test_the_trials_lead_on_the_committed_panel(committed_estimates, committed_truth):
    record = headline(committed_estimates, OUTCOME, simulated=True)
    assert record["lead"] == "design"
    design = record["design"]
    assert design["spec"] == S.STAGGERED and design["inference"] == "crv1"
    assert design["n_treated"] == 8 and 0 <= design["pretrend_p"] <= 1
    # the association keeps its old fields (the effect of 10 fewer cases, twfe_log)
    assert record["spec"] == S.TWFE_LOG and 0.05 < record["estimate"] < 0.12
    # the log-linear truth: the trials and the slope agree, and the trials' move is ~60 %
    assert design["agreement"] == "agree"
    assert -1.0 < design["shift"] < -0.8
    assert design["ci_low"] < design["estimate"] < design["ci_high"]


def test_growing_effects_make_the_two_disagree_and_the_trials_are_right():
    panel, truth = growing_effects_panel()
    estimates = _national(prepare_panel(panel))
    design = design_record(estimates, OUTCOME)
    assert design["ci_low"] <= truth * 100 <= design["ci_high"]  # pp
    assert design["agreement"] == "disagree"
    assert design["twfe_implied_high"] < design["ci_low"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_leads_with_the_design_and_says_when_they_disagree(language):
    panel, _ = growing_effects_panel()
    record = headline(_national(prepare_panel(panel)), OUTCOME)
    first, second = texts.lead_paragraphs(record, language)
    assert first.startswith(t("quant.text.design_national", language).split(":")[0])
    assert texts.p_text(record["design"]["pretrend_p"], language) in first
    assert texts.association_sentence(record, language) in second
    assert t("quant.text.disagree", language) in second
    assert "{" not in first + second


@pytest.mark.parametrize("language", LANGUAGES)
def test_agreement_is_said_too(committed_estimates, language):
    record = headline(committed_estimates, OUTCOME)
    paragraphs = texts.lead_paragraphs(record, language)
    assert t("quant.text.agree", language) in paragraphs[1]


def test_placebo_design_has_no_interval_and_says_so():
    design = {"estimate": 1.2, "ci_low": None, "ci_high": None, "p_value": 0.25,
              "inference": "placebo", "p_min": 0.125, "n_treated": 1}  # fmt: skip
    text = texts.design_sentence(design, OUTCOME, "en")
    assert "no confidence interval with 1 trial cluster" in text
    assert "7 control units" in text and "0.125" in text and "p = 0.250" in text


def test_key_findings_lead_with_the_trials(committed_estimates):
    record = headline(committed_estimates, OUTCOME, simulated=True)
    own = {
        "municipality": 165,
        "outcome": OUTCOME,
        "has_trial": False,
        "n_units": 3,
        "caseload_mean": 150.0,
        "trial": None,
        "national": {k: record[k] for k in ("estimate", "ci_low", "ci_high")},
        "national_design": record["design"],
        "simulated": True,
        "trial_index": False,
        "lead": "design",
        "trial_design": None,
    }
    sentence = caseload_sentence(CaseloadOwn.from_scrap(own), "Albertslund", "en")
    trials = sentence.index("In the trials (caseloads about")
    association = sentence.index("All units:")
    assert trials < association
    assert "pre-trend test: p = " in sentence and "an association assuming" in sentence
    real = {**record, "simulated": False}  # a real panel: its estimates are findings
    page = national_findings({"national_headline": real, "inputs": []}, "da")
    assert page.index("I forsøgene (sagsstammen") < page.index("Alle enheder:")
    # a simulated panel: one line pointing to the method demonstration (issue 20 §1)
    page = national_findings({"national_headline": record, "inputs": []}, "da")
    assert "I forsøgene" not in page and 'href="#section-demo"' in page


def test_a_trial_municipality_gets_its_pretrend_and_placebo_in_the_key_findings():
    own = {
        "municipality": 101,
        "caseload_mean": 157.1,
        "trial_index": True,
        "lead": "trial",
        "national_design": None,
        "outcome": OUTCOME,
        "has_trial": True,
        "n_units": 8,
        "trial": {"estimate": 1.2, "ci_low": 0.4, "ci_high": 2.0},
        "trial_design": {
            "pretrend_p": 0.41,
            "placebo_p": 0.125,
            "placebo_p_min": 0.125,
            "agreement": "agree",
        },
        "national": {"estimate": 0.08, "ci_low": 0.07, "ci_high": 0.09},
        "simulated": True,
    }
    sentence = caseload_sentence(CaseloadOwn.from_scrap(own), "København", "en")
    assert "Test for differences before the start: p = 0.410." in sentence
    assert "placebo value p = 0.125 (lowest possible 0.125)" in sentence
