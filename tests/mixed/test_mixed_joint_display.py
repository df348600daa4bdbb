"""The joint display from hand-made evidence and estimates: signals, inferences, missing
sides, overrides, quotes, suppression and escaping."""

from __future__ import annotations

import math
import re
import textwrap

import pandas as pd
import pytest
from mixedtest_helpers import codebook, estimates, evidence_from, national, trial_quotes

from analysis import nb
from analysis.mixed import view as mr
from analysis.mixed.estimates import EstimatesSource, outcome_effects
from analysis.mixed.joint_display import DOMAIN_COLUMNS, OUTCOME_COLUMNS, build_joint_display
from analysis.mixed.mapping import Override, parse_mapping
from analysis.reports.html import joint_display as jd

HOSTILE = '<script>alert("x")</script> & <b>fed</b>'

MAPPING = """\
version: "t"
rules: {min_sources_per_group: 3, min_difference: 0.25, quantitative_basis: national}
contrasts:
  during_vs_before:
    label: {da: Under vs. før, en: During vs before}
    attribute: period
    contrast_group: under
    reference_group: foer
    where: {department: forsoeg}
domains:
  - id: work
    label: {da: Arbejde, en: Work}
    contrast: during_vs_before
    outcomes:
      - outcome: exit_job_education
        themes:
          - {theme: borgerrelation, more_talk_means: improvement}
          - {theme: forberedelse, more_talk_means: context}
      - outcome: exit_foertidspension
        themes: []
  - id: methods
    label: {da: Metoder, en: Methods}
    contrast: during_vs_before
    outcomes:
      - outcome: meetings_on_time
        themes:
          - {theme: arbejdsgivere, more_talk_means: improvement}
      - outcome: staff_sick_days
        themes:
          - {theme: sagsstamme, more_talk_means: worsening}
  - id: quiet
    label: {da: Stille, en: Quiet}
    contrast: during_vs_before
    outcomes:
      - outcome: company_placements
        themes:
          - {theme: arbejdsgivere, more_talk_means: improvement}
"""


def _mapping():
    return parse_mapping(textwrap.dedent(MAPPING), codebook().ids, "t.yaml")


def _evidence(text: str = "Citat"):
    # borgerrelation: 4/5 during vs 1/5 before (more talk: improvement)
    # sagsstamme: 1/5 during vs 4/5 before (less talk of a bad sign: improvement)
    # arbejdsgivere: never coded (a theme with no quotes)
    return evidence_from(
        trial_quotes(
            under={"borgerrelation": 4, "sagsstamme": 1},
            foer={"borgerrelation": 1, "sagsstamme": 4},
            text=text,
        )
    )


def _estimates(sick_slope: float = 0.35):
    # log-caseload slopes: a negative slope means a lower caseload raises the outcome
    rows = [
        national("exit_job_education", -0.012, -0.015, -0.009),
        national("meetings_on_time", -0.06, -0.07, -0.05),
        national("staff_sick_days", sick_slope, sick_slope - 0.05, sick_slope + 0.05),
        national("company_placements", -0.03, -0.04, -0.02),
    ]  # exit_foertidspension: no estimate at all
    return estimates(rows)


def _build(evidence=None, overrides=(), sick_slope: float = 0.35):
    mapping = _mapping()
    frame = _estimates(sick_slope)
    effects = outcome_effects(frame, mapping.outcomes, 101, basis=mapping.rules.quantitative_basis)
    return build_joint_display(
        mapping,
        evidence or _evidence(),
        effects,
        101,
        overrides=overrides,
        simulated=True,
        estimates_origin="shared",
    )


def _outcome(joint, outcome):
    return joint.outcomes.set_index("outcome").loc[outcome]


def test_tables_have_fixed_columns_and_one_row_per_domain():
    joint = _build()
    assert tuple(joint.domains.columns) == DOMAIN_COLUMNS
    assert tuple(joint.outcomes.columns) == OUTCOME_COLUMNS
    assert list(joint.domains["domain"]) == ["work", "methods", "quiet"]
    assert joint.domains["simulated"].all() and joint.outcomes["simulated"].all()
    assert set(joint.domains["estimates_origin"]) == {"shared"}


def test_convergence_when_both_sides_point_to_improvement():
    joint = _build()
    row = _outcome(joint, "exit_job_education")
    assert row["basis"] == "national" and row["effect_10"] > 0
    assert row["quant_signal"] == "improvement"
    assert row["theme_signals"] == "borgerrelation=improvement;forberedelse=not_mentioned"
    assert row["qual_signal"] == "improvement"
    assert row["inference_computed"] == row["inference"] == "convergence"
    themes = joint.themes[joint.themes["theme"] == "borgerrelation"].iloc[0]
    assert (themes["n_contrast_with"], themes["n_contrast"]) == (4, 5)
    assert (themes["n_reference_with"], themes["n_reference"]) == (1, 5)
    assert math.isclose(themes["difference"], 0.6)


def test_less_talk_of_a_bad_sign_converges_with_fewer_sick_days():
    row = _outcome(_build(), "staff_sick_days")
    assert row["effect_10"] < 0  # fewer sick days with 10 fewer cases
    assert (row["quant_signal"], row["qual_signal"]) == ("improvement", "improvement")
    assert row["inference"] == "convergence"


def test_divergence_when_the_estimate_points_the_other_way():
    row = _outcome(_build(sick_slope=-0.35), "staff_sick_days")
    assert row["quant_signal"] == "worsening"
    assert row["inference"] == "divergence"
    domain = _build(sick_slope=-0.35).domains.set_index("domain").loc["methods"]
    assert domain["inference_computed"] == "divergence"


def test_outcome_without_linked_theme_has_no_qualitative_evidence():
    row = _outcome(_build(), "exit_foertidspension")
    assert row["themes"] == "" and row["theme_signals"] == ""
    assert row["qual_signal"] == "no_evidence"
    # no estimate either: the quantitative side is named first
    assert row["quant_signal"] == "no_estimate"
    assert row["inference"] == "no_quantitative_estimate"


def test_theme_with_no_quotes():
    joint = _build()
    row = _outcome(joint, "meetings_on_time")
    assert row["theme_signals"] == "arbejdsgivere=not_mentioned"
    assert row["inference"] == "no_qualitative_evidence"
    quiet = joint.domains.set_index("domain").loc["quiet"]
    assert quiet["quotes"] == ""
    assert quiet["inference"] == "no_qualitative_evidence"
    table = mr.joint_display_table(_results(joint), "en")
    cell = table.loc[2, "Quotes"]
    assert cell == "No quotes with the domain's themes"


def test_domain_row_takes_the_first_inference_by_priority():
    domains = _build().domains.set_index("domain")
    assert domains.loc["work", "outcome_inferences"] == (
        "exit_job_education=convergence;exit_foertidspension=no_quantitative_estimate"
    )
    assert domains.loc["work", "inference"] == "convergence"
    assert domains.loc["methods", "inference"] == "convergence"


def test_quotes_come_from_both_sides_of_the_contrast():
    joint = _build()
    quotes = joint.quotes[joint.quotes["domain"] == "work"]
    assert list(quotes["group"]) == ["contrast", "reference"]
    assert list(quotes["period"]) == ["under", "foer"]
    assert set(quotes["theme"]) == {"borgerrelation"}
    assert joint.domains.set_index("domain").loc["work", "quotes"] == ";".join(quotes["segment_id"])


def test_overrides_show_computed_and_overridden_with_reason():
    flu = "Sick days reflect a flu wave"
    items = [
        Override(101, "methods", "staff_sick_days", "complementarity", flu, "AB", "2026-12-01"),
        Override(101, "work", None, "inconclusive", "Too few sources to trust", "CD", "2026-12-02"),
    ]
    joint = _build(overrides=items)
    row = _outcome(joint, "staff_sick_days")
    assert row["inference_computed"] == "convergence"
    assert row["inference"] == "complementarity"
    assert row["override_reason"] == "Sick days reflect a flu wave"
    work = joint.domains.set_index("domain").loc["work"]
    assert (work["inference_computed"], work["inference"]) == ("convergence", "inconclusive")
    assert work["override_who"] == "CD"
    table = mr.joint_display_table(_results(joint), "en")
    assert table.loc[0, "Verdict (computed)"].startswith("Point the same way (convergence)")
    assert table.loc[0, "Researcher's judgement"] == (
        "No clear direction: Too few sources to trust (CD, 2026-12-02)"
    )
    assert (
        "Staff sick leave: Do not contradict each other: Sick days reflect a flu wave"
        in table.loc[1, "Researcher's judgement"]
    )
    assert table.loc[2, "Researcher's judgement"] == "–"


def _results(joint, evidence=None) -> mr.MixedResults:
    evidence = evidence or _evidence()
    return mr.MixedResults(
        municipality=101,
        mapping=_mapping(),
        overrides=(),
        evidence=evidence,
        estimates=EstimatesSource(_estimates()),
        effects=pd.DataFrame(),
        joint=joint,
        caseloads=pd.DataFrame(),
        link=pd.DataFrame(),
        link_themes=(),
        files=(),
        simulated_files=(),
    )


def test_display_suppresses_small_counts_but_rules_use_them():
    joint = _build()
    table = mr.joint_display_table(_results(joint), "da")
    cell = table.loc[0, "Kvalitativt: kilder med temaet / kilder i gruppen, og signal"]
    # borgerrelation: 4 of 5 during, 1 of 5 before, 5 of the municipality's 10 sources
    assert "Borgerrelation: Under <5/5 · Før <5/5 · alle kilder 5/10 (50 %)" in cell
    assert "4/5" not in cell and "80" not in cell  # neither the count nor its share
    assert "Forberedelse og overblik: Under 0/5 (0 %) · Før 0/5 (0 %) · alle kilder 0/10" in cell
    assert "Afgang til job, ordinære timer eller uddannelse: forbedring (Borgerrelation: " in cell
    # Danish number format in the effects, e.g. +0,08 pct.-point (0,07 til 0,10)
    quantitative = table.loc[0, "Kvantitativt: effekt af lavere sagsstamme (95 %-interval)"]
    assert "· 10 færre sager pr. sagsbehandler (landsplan): +0,0" in quantitative
    assert " pct.-point (0,0" in quantitative and " til 0,1" in quantitative


@pytest.mark.parametrize("language", ["da", "en"])
def test_hostile_quote_is_escaped_in_the_report_table(language):
    evidence = _evidence(text=HOSTILE)
    joint = _build(evidence=evidence)
    assert HOSTILE in joint.quotes["quote"].iloc[0]  # data keep the text as it is
    table = mr.joint_display_table(_results(joint, evidence), language)
    html = nb.styled(table, name=mr.TABLE_NAME, language=language).to_html()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html or (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    )
    # nothing that goes into markdown carries quote text
    results = _results(joint, evidence)
    for text in (mr.rules_text(results, language), mr.scope_text(results, language)):
        assert "script" not in text


def test_effects_use_the_report_number_format():
    """One minus sign in every report (analysis.formatting): before, the joint display
    wrote U+2212 where the scorecard, the regression texts and every table write '-'."""
    text = mr.effect_text(-0.4412, -0.47, -0.40, "exit_job_education", "da")
    assert text.startswith("-0,44 ") and "−" not in text
    assert mr.effect_text(0.4412, 0.40, 0.47, "exit_job_education", "en").startswith("+0.44 ")
    assert mr.effect_text(-0.0004, -0.05, 0.05, "exit_job_education", "da").startswith("0,000 ")


def test_prevalence_shares_use_the_report_per_cent_format():
    row = pd.Series(
        {
            "contrast_value": "under",
            "reference_value": "foer",
            **{f"n_{side}_with": 6 for side in ("contrast", "reference", "municipality")},
            **{f"n_{side}": 8 for side in ("contrast", "reference", "municipality")},
        }
    )
    assert "6/8 (75 %)" in mr._prevalence_text(row, "da", 5)
    assert "6/8 (75%)" in mr._prevalence_text(row, "en", 5)


# --- issue 20 §6: verdicts only where there is evidence; quotes with year, type, full text ---


def _no_trial_evidence():
    """Like Aabenraa: every source in an ordinary department, none with a before/during
    period, so the groups of the trial-department comparison hold 0 and 0 sources."""
    rows = [
        {
            "source": f"ord_{i}",
            "text": f"Citat {i}",
            "department": "ordinaer",
            "period": None,
            "codes": ["borgerrelation", "forberedelse", "sagsstamme"],
        }
        for i in range(1, 8)
    ]
    return evidence_from(rows, municipality=580)


def test_a_municipality_without_the_compared_groups_gets_no_verdict_but_the_reason():
    """Aabenraa's first screen said "komplementaritet" for four domains whose theme cells
    all read "Under 0/0 · Før 0/0"."""
    evidence = _no_trial_evidence()
    joint = _build(evidence=evidence)
    assert set(joint.domains["n_sources_contrast"]) == {0}
    assert set(joint.domains["n_sources_reference"]) == {0}
    assert "complementarity" not in set(joint.outcomes["inference"])
    assert set(joint.domains["inference"]) <= {
        "no_qualitative_comparison",
        "no_qualitative_evidence",
        "no_quantitative_estimate",
    }
    assert joint.domains.set_index("domain").loc["work", "inference"] == (
        "no_qualitative_comparison"
    )
    results = _results(joint, evidence)
    for language, withheld, zero in (
        ("da", "Kan ikke vurderes", "0 kilder i gruppen"),
        ("en", "Cannot be assessed", "0 sources in the group"),
    ):
        markup = jd.joint_display_markup(results, language)
        badges = re.findall(r'<span class="jd-badge[^"]*"[^>]*>([^<]*)</span>', markup)
        assert badges and set(badges) == {withheld}, badges
        assert zero in mr.verdicts(results, language)[0]["reason"] and "0/0" not in markup
        verdicts = mr.verdicts(results, language)
        assert all(not v["assessed"] and v["reason"] for v in verdicts)
        assert all(v["inference_label"] == withheld for v in verdicts)
    text = mr.joint_display_table(results, "da").to_string()
    assert "Under 0/0" not in text and "ingen kilder i de sammenlignede grupper" in text


def test_verdicts_are_plain_words_explained_on_the_page():
    results = _results(_build())
    for language in ("da", "en"):
        markup = jd.joint_display_markup(results, language)
        shown = re.sub(r"<[^>]+>", " ", markup)  # what a reader reads, not the attributes
        for term in ("onvergen", "omplementari", "ivergen"):
            assert term not in shown, term
        assert 'class="jd-legend"' in markup
    da = jd.joint_display_markup(results, "da")
    assert ">Peger samme vej</span>" in da and "peger samme vej" in da.lower()


def test_each_quote_carries_its_own_period_year_and_type_of_source_and_its_full_text():
    """København's "God, hvis man tænker på drift…" is a before quote, but the compact
    display printed the first (during) quote's attribution after both quotes."""
    long = "Langt citat om arbejdet " * 20  # over 200 characters: shortened on screen
    rows = trial_quotes(under={"borgerrelation": 4}, foer={"borgerrelation": 1}, text=long)
    evidence = evidence_from(rows)
    evidence.corpus.sources["source_type"] = "skriftligt_svar"
    evidence.corpus.sources["setting"] = "JKI forsøgsafdeling 2018"
    joint = _build(evidence=evidence)
    quotes = joint.quotes[joint.quotes["domain"] == "work"]
    assert list(quotes["period"]) == ["under", "foer"]
    assert list(quotes["year"]) == ["2018", "2018"]
    assert set(quotes["source_type"]) == {"skriftligt_svar"}
    assert all(len(q) > 300 for q in quotes["quote"]), "the data keep the whole quote"
    cell = jd._quote_cell(quotes, "da")
    full = re.findall(r'<blockquote class="jd-quote-full">(.*?)</blockquote>\s*'
                      r'<p class="jd-source">(.*?)</p>', cell)  # fmt: skip
    assert len(full) == 2
    for (text, _source), (_, quote) in zip(full, quotes.iterrows(), strict=True):
        assert text == f"“{quote['quote']}”", "the whole quote, not shortened"
    assert "Før" in full[1][1] and "Under" not in full[1][1]
    assert "Skriftligt svar, 2018" in full[1][1]
    shown = cell[: cell.index("<details")]
    assert "— Sagsbehandler, Forsøgsafdeling, Under · Skriftligt svar, 2018" in shown
    table = mr.joint_display_table(_results(joint, evidence), "en").to_string()
    assert "Before · Written answer, 2018" in table


def test_a_row_without_the_compared_groups_does_not_name_a_comparison():
    """Aabenraa (no trial) labelled each domain "Under vs. før forsøget, i
    forsøgsafdelingen" although nothing is compared there (issue 22)."""
    evidence = _no_trial_evidence()
    results = _results(_build(evidence=evidence), evidence)
    for language, label, none in (
        ("da", "Under vs. før", "Ingen sammenligning: kommunens kilder samlet"),
        ("en", "During vs before", "No comparison: the municipality's sources together"),
    ):
        markup = jd.joint_display_markup(results, language)
        shown = re.findall(r'<span class="jd-contrast">([^<]*)</span>', markup)
        assert shown and set(shown) == {nb.escape(none)}, shown
        table = mr.joint_display_table(results, language)
        domains = table.iloc[:, 0].tolist()
        assert all(f"({none})" in d and label not in d for d in domains), domains
    trial = jd.joint_display_markup(_results(_build()), "da")
    assert set(re.findall(r'<span class="jd-contrast">([^<]*)</span>', trial)) == {
        nb.escape("Under vs. før")
    }
