"""The Jobindsats measures the snapshot holds.

Snapshot measures (``MEASURES``; rates are percent of the labour force 16-66 unless
stated otherwise):

=============================  ==============  ===========================================
measure                        dataset         content
=============================  ==============  ===========================================
unemployed_fulltime            y25i01          full-time unemployed persons
unemployment_rate              y25i01          full-time unemployed, pct. of labour force
longterm_unemployed            y25i09          long-term unemployed persons
recipients_persons             y60a02          kontanthjælp recipients (persons)
recipients_fulltime            y60a02          kontanthjælp recipients (full-time persons);
                                               by visitation category in ``category``
recipients_workforce_rate      y60a02          full-time recipients, pct. of labour force
recipients_population_rate     y60a02          full-time recipients, pct. of population
activation_degree              y60c07          activation degree (aktiveringsgrad), pct.
activation_affected_share      y60c07          share touched by activation, pct.
activation_courses             y60c02          activation courses by offer type
activated_persons              y60c02          activated persons by offer type
activation_courses_per_person  y60c02          courses per activated person (all types)
ordinary_hours_persons         y60j01          recipients with ordinary wage hours
ordinary_hours_share           y60j01          same, pct. of recipients
=============================  ==============  ===========================================

``benefit_group`` is ``total``, ``dagpenge`` or ``kontanthjaelp`` (the y60 tables are all
kontanthjælp). ``category`` is ``total`` except in the two breakdown blocks, where it is
the snake_case visitation category (``jobparat``, ``aktivitetsparat``, ...) or offer type
(``vejledning_og_opkvalificering``, ``loentilskud``, ...); the offer block's totals
(``coursesTotal``, ``activatedTotal``, ``averageCourses``) have category ``total``.
``activated_persons`` in category ``total`` counts each person once, so it is less than
the sum over offer types.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """What a snapshot measure counts, in which unit, from which Jobindsats table."""

    description: str
    unit: str
    dataset: str


MEASURES: dict[str, Measure] = {
    "unemployed_fulltime": Measure(
        "Full-time unemployed persons (fuldtidsledige)", "full-time persons", "y25i01"
    ),
    "unemployment_rate": Measure(
        "Full-time unemployed in percent of the labour force", "percent", "y25i01"
    ),
    "longterm_unemployed": Measure("Long-term unemployed persons", "persons", "y25i09"),
    "recipients_persons": Measure("Kontanthjælp recipients in the month", "persons", "y60a02"),
    "recipients_fulltime": Measure(
        "Kontanthjælp recipients as full-time persons (by visitation category in the breakdown)",
        "full-time persons",
        "y60a02",
    ),
    "recipients_workforce_rate": Measure(
        "Full-time kontanthjælp recipients in percent of the labour force 16-66",
        "percent",
        "y60a02",
    ),
    "recipients_population_rate": Measure(
        "Full-time kontanthjælp recipients in percent of the population 16-66",
        "percent",
        "y60a02",
    ),
    "activation_degree": Measure(
        "Activation degree (aktiveringsgrad), all visitation categories", "percent", "y60c07"
    ),
    "activation_affected_share": Measure(
        "Share of recipients touched by activation (andel aktiveringsberørte)",
        "percent",
        "y60c07",
    ),
    "activation_courses": Measure(
        "Activation courses (aktiveringsforløb) by offer type", "courses", "y60c02"
    ),
    "activated_persons": Measure(
        "Activated persons by offer type; the total counts each person once",
        "persons",
        "y60c02",
    ),
    "activation_courses_per_person": Measure(
        "Average activation courses per activated person", "courses per person", "y60c02"
    ),
    "ordinary_hours_persons": Measure(
        "Kontanthjælp recipients with ordinary wage hours in the month", "persons", "y60j01"
    ),
    "ordinary_hours_share": Measure(
        "Kontanthjælp recipients with ordinary wage hours, percent of recipients",
        "percent",
        "y60j01",
    ),
}
