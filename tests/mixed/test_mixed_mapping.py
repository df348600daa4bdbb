"""The mapping and overrides files: the committed ones validate, bad ones fail with the
line and the offending id named."""

from __future__ import annotations

import textwrap

import pytest
from mixedtest_helpers import REPO, codebook

from analysis.data.caseloads import STANDARD_OUTCOMES, SURVEY_OUTCOMES
from analysis.errors import InputError
from analysis.mixed.mapping import (
    load_mapping,
    load_overrides,
    parse_mapping,
    parse_overrides,
)

MAPPING = REPO / "data" / "raw" / "joint_display.yaml"
OVERRIDES = REPO / "data" / "raw" / "joint_display_overrides.yaml"
CODES = tuple(codebook().ids)

GOOD = """\
version: "t1"
rules:
  min_sources_per_group: 2
  min_difference: 0.3
  quantitative_basis: national
contrasts:
  during_vs_before:
    label: {da: Under/før, en: During/before}
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
        min_effect: 0.05
        themes:
          - theme: borgerrelation
            more_talk_means: improvement
          - theme: forberedelse
            more_talk_means: context
      - outcome: exit_foertidspension
        themes: []
"""


def _parse(text: str):
    return parse_mapping(textwrap.dedent(text), CODES, "map.yaml")


def _problems(text: str) -> list:
    with pytest.raises(InputError) as info:
        _parse(text)
    return info.value.problems


def test_committed_mapping_validates_against_the_codebook():
    mapping = load_mapping(MAPPING, CODES)
    assert mapping.domains, "the committed mapping has domains"
    assert set(mapping.outcomes) <= set(STANDARD_OUTCOMES)
    assert len(mapping.outcomes) == len(set(mapping.outcomes))
    for domain in mapping.domains:
        assert domain.label("da") and domain.label("en")
        mapping.contrast(domain.contrast)  # every domain's contrast exists
        assert set(domain.themes) <= set(CODES)


def test_the_value_goals_of_the_surveys_have_their_own_domain():
    """The survey outcomes (issue 15) form one row of the joint display, read against the
    codebook's themes of the citizen relationship and perspective (citizen goals) and of
    the caseworker's role and work environment (staff goals)."""
    mapping = load_mapping(MAPPING, CODES)
    domain = next(d for d in mapping.domains if d.id == "value_goals")
    assert [o.outcome for o in domain.outcomes] == list(SURVEY_OUTCOMES)
    for link in domain.outcomes:
        themes = {t.theme: t.more_talk_means for t in link.themes}
        if link.outcome.startswith("citizen_"):
            assert themes == {"borgerrelation": "improvement", "borgerperspektiv": "context"}
        else:
            assert themes == {"arbejdsmiljoe": "context", "sagsbehandlerrolle": "context"}
    others = [o.outcome for d in mapping.domains if d.id != "value_goals" for o in d.outcomes]
    assert not set(others) & set(SURVEY_OUTCOMES)


def test_good_mapping_is_read_completely():
    mapping = _parse(GOOD)
    assert mapping.version == "t1"
    assert (mapping.rules.min_sources_per_group, mapping.rules.min_difference) == (2, 0.3)
    assert mapping.rules.quantitative_basis == "national"
    contrast = mapping.contrast("during_vs_before")
    assert (contrast.attribute, contrast.contrast_group, contrast.reference_group) == (
        "period",
        "under",
        "foer",
    )
    assert contrast.where == (("department", ("forsoeg",)),)
    work = mapping.domain("work")
    assert work.themes == ("borgerrelation", "forberedelse")
    first, second = work.outcomes
    assert first.min_effect == 0.05
    assert [(t.theme, t.more_talk_means) for t in first.themes] == [
        ("borgerrelation", "improvement"),
        ("forberedelse", "context"),
    ]
    assert second.outcome == "exit_foertidspension" and second.themes == ()


def test_unknown_theme_names_line_and_id():
    bad = GOOD.replace("theme: borgerrelation", "theme: borgerrelationer")
    [problem] = _problems(bad)
    assert problem.row == 21  # the line of "- theme: borgerrelationer"
    assert problem.found == "borgerrelationer"
    assert problem.column == "theme"
    assert "unknown theme id" in str(problem) and "map.yaml, row 21" in str(problem)


def test_unknown_outcome_names_line_and_id():
    bad = GOOD.replace("outcome: exit_foertidspension", "outcome: exit_pension")
    [problem] = _problems(bad)
    assert problem.row == 25
    assert problem.found == "exit_pension"
    assert "unknown outcome id" in problem.message
    assert "exit_job_education" in problem.expected


def test_all_problems_are_collected():
    bad = (
        GOOD.replace("theme: borgerrelation", "theme: nope")
        .replace("outcome: exit_foertidspension", "outcome: nope_outcome")
        .replace("contrast: during_vs_before\n    outcomes", "contrast: other\n    outcomes")
    )
    problems = _problems(bad)
    found = {p.found for p in problems}
    assert {"nope", "nope_outcome", "other"} <= found
    assert all(p.row is not None for p in problems)


@pytest.mark.parametrize(
    ("old", "new", "column", "line"),
    [
        ("more_talk_means: improvement", "more_talk_means: better", "more_talk_means", 22),
        ("            more_talk_means: improvement\n", "", "more_talk_means", 21),
        ("min_difference: 0.3", "min_difference: 1.5", "min_difference", 4),
        ("min_sources_per_group: 2", "min_sources_per_group: 0", "min_sources_per_group", 3),
        ("quantitative_basis: national", "quantitative_basis: both", "quantitative_basis", 5),
        ("attribute: period", "attribute: mood", "attribute", 9),
        ("reference_group: foer", "reference_group: later", "reference_group", 11),
        ("where: {department: forsoeg}", "where: {department: pilot}", "department", 12),
        ("min_effect: 0.05", "min_effect: -1", "min_effect", 19),
        ("{da: Arbejde, en: Work}", "{da: Arbejde}", "label", 15),
        ("{da: Arbejde, en: Work}", "{da: Arbejde, en: Work, de: Arbeit}", "de", 15),
        (
            "        min_effect: 0.05\n",
            "        min_effect: 0.05\n        weight: 2\n",
            "weight",
            20,
        ),
    ],
)
def test_bad_values_name_the_line(old, new, column, line):
    assert old in GOOD
    problems = _problems(GOOD.replace(old, new))
    assert [(p.column, p.row) for p in problems] == [(column, line)]


def test_outcome_in_two_domains_is_an_error():
    extra = """\
  - id: again
    label: {da: Igen, en: Again}
    contrast: during_vs_before
    outcomes:
      - outcome: exit_job_education
        themes: []
"""
    [problem] = _problems(GOOD + extra)
    assert problem.found == "exit_job_education" and "already linked" in problem.message
    assert problem.row == 31


def test_yaml_syntax_and_duplicate_keys_are_reported_with_lines():
    [problem] = _problems(GOOD.replace("attribute: period", "attribute: [period"))
    assert problem.row is not None and "not valid YAML" in problem.message
    dup = GOOD.replace("    attribute: period\n", "    attribute: period\n    attribute: period\n")
    [problem] = _problems(dup)
    assert (problem.row, problem.column) == (10, "attribute")
    assert problem.message == "key given twice (first on line 9)"


def test_missing_mapping_file(tmp_path):
    with pytest.raises(InputError, match="mapping file not found"):
        load_mapping(tmp_path / "none.yaml", CODES)


# --- overrides -----------------------------------------------------------------------------

OVERRIDE = """\
version: 1
overrides:
  - municipality: 101
    domain: work
    outcome: exit_job_education
    meta_inference: divergence
    reason: "The caseworkers describe exits that the registers do not show."
    who: "AB, evaluator"
    date: 2026-12-01
  - municipality: 101
    domain: work
    meta_inference: complementarity
    reason: Domain-level reading.
    who: CD
    date: "2026-12-02"
"""


def _overrides(text: str):
    return parse_overrides(textwrap.dedent(text), _parse(GOOD), "ov.yaml", [101, 580])


def test_overrides_are_read():
    first, second = _overrides(OVERRIDE)
    assert (first.municipality, first.domain, first.outcome) == (101, "work", "exit_job_education")
    assert first.meta_inference == "divergence" and first.date == "2026-12-01"
    assert first.who == "AB, evaluator" and first.line == 3
    assert second.outcome is None and second.date == "2026-12-02"


@pytest.mark.parametrize(
    "reason_line",
    ['    reason: ""\n', "    reason:\n", ""],
    ids=["empty", "null", "missing"],
)
def test_override_without_a_reason_is_an_error(reason_line):
    text = OVERRIDE.replace(
        '    reason: "The caseworkers describe exits that the registers do not show."\n',
        reason_line,
    )
    with pytest.raises(InputError) as info:
        _overrides(text)
    [problem] = info.value.problems
    assert problem.column == "reason" and "needs a reason" in problem.message
    assert problem.row in (3, 7)  # the reason line, or the entry when the key is missing


@pytest.mark.parametrize(
    ("old", "new", "column"),
    [
        ("domain: work", "domain: play", "domain"),
        ("outcome: exit_job_education", "outcome: staff_turnover", "outcome"),
        ("meta_inference: divergence", "meta_inference: agreement", "meta_inference"),
        ("date: 2026-12-01", "date: 1.12.2026", "date"),
        ("municipality: 101", "municipality: 999", "municipality"),
        ('who: "AB, evaluator"', 'who: ""', "who"),
    ],
)
def test_bad_overrides_name_the_field(old, new, column):
    assert old in OVERRIDE
    with pytest.raises(InputError) as info:
        _overrides(OVERRIDE.replace(old, new, 1))  # the first override only
    assert [p.column for p in info.value.problems] == [column]


def test_the_same_row_overridden_twice_is_an_error():
    twice = OVERRIDE + OVERRIDE.split("overrides:\n", 1)[1]
    with pytest.raises(InputError, match="overridden on line 3 too"):
        _overrides(twice)


def test_overrides_file_missing_is_fine_by_default_but_not_when_named(tmp_path, monkeypatch):
    mapping = _parse(GOOD)
    monkeypatch.setenv("ANALYSIS_RAW_DIR", str(tmp_path))
    assert load_overrides(None, mapping) == ()
    with pytest.raises(InputError, match="overrides file not found"):
        load_overrides(tmp_path / "missing.yaml", mapping)


def test_committed_overrides_file_validates():
    mapping = load_mapping(MAPPING, CODES)
    assert load_overrides(OVERRIDES, mapping) == ()  # the demo records no judgement
