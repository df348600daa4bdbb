"""The outcome catalogue: every outcome the analyses know, with its labels and limits.

The caseload outcomes (:data:`CASELOAD_OUTCOMES`) are what a caseload panel reports
(:mod:`analysis.data.caseloads`); the survey outcomes (:data:`SURVEY_OUTCOMES`) are the
value goals the experience surveys measure (:mod:`analysis.data.surveys`). Together, in
report order, they are :data:`STANDARD_OUTCOMES`. The catalogue is data only: the contract
readers check values against its limits, the analyses label and order by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Limit:
    """The largest plausible value of a column, and why, so a reader can check it. A
    value above it is an error (most often a unit or a reading error: 45 for 45 %, or a
    thousands separator read as a decimal mark, 212.200 as 212200), not an outlier."""

    maximum: float
    reason: str


@dataclass(frozen=True)
class OutcomeSpec:
    """Metadata of a standard outcome column.

    ``higher_is_better`` is None for transitions without a normative direction (an exit
    to fleksjob can be the right outcome for one citizen and the wrong one for another).
    ``limit`` is the plausibility limit (1 for every share).
    """

    name: str
    label_da: str
    label_en: str
    unit_da: str
    unit_en: str
    is_share: bool
    higher_is_better: bool | None
    limit: Limit


def _by_name(*specs: OutcomeSpec) -> Mapping[str, OutcomeSpec]:
    return MappingProxyType({spec.name: spec for spec in specs})


_PER_MONTH_DA, _PER_MONTH_EN = "andel af sagerne pr. måned", "share of cases per month"
_EXITS = Limit(1.0, "a share of the cases per month: at most every case leaves")

#: The outcomes the Copenhagen administration planned to measure, in report order.
STANDARD_OUTCOMES: Mapping[str, OutcomeSpec] = _by_name(
    OutcomeSpec(
        "exit_job_education",
        "Afgang til job, ordinære timer eller uddannelse",
        "Exits to job, ordinary hours or education",
        _PER_MONTH_DA, _PER_MONTH_EN, is_share=True, higher_is_better=True, limit=_EXITS,
    ),
    OutcomeSpec(
        "exit_fleksjob", "Afgang til fleksjob", "Exits to flexi-job (fleksjob)",
        _PER_MONTH_DA, _PER_MONTH_EN, is_share=True, higher_is_better=None, limit=_EXITS,
    ),
    OutcomeSpec(
        "exit_foertidspension", "Afgang til førtidspension",
        "Exits to disability pension (førtidspension)",
        _PER_MONTH_DA, _PER_MONTH_EN, is_share=True, higher_is_better=None, limit=_EXITS,
    ),
    OutcomeSpec(
        "exit_ressourceforloeb", "Afgang til ressourceforløb",
        "Exits to resource programme (ressourceforløb)",
        _PER_MONTH_DA, _PER_MONTH_EN, is_share=True, higher_is_better=None, limit=_EXITS,
    ),
    OutcomeSpec(
        "meetings_on_time", "Samtalerettidighed", "Meetings held on time",
        "andel af samtalerne", "share of meetings", is_share=True, higher_is_better=True,
        limit=Limit(1.0, "a share of the meetings due: at most all of them are on time"),
    ),
    OutcomeSpec(
        "company_placements", "Andel i virksomhedsrettede tilbud",
        "Share in company placements",
        "andel af borgerne", "share of citizens", is_share=True, higher_is_better=True,
        limit=Limit(1.0, "a share of the citizens: at most all of them are in a placement"),
    ),
    OutcomeSpec(
        "preparatory_plans", "Forberedende planer", "Preparatory plans",
        "pr. 100 sager pr. måned", "per 100 cases per month",
        is_share=False, higher_is_better=True,
        limit=Limit(100.0, "plans per 100 cases in a month: 100 is a new plan for every "
                    "case of the unit in that month"),
    ),
    OutcomeSpec(
        "staff_sick_days", "Sygefravær, medarbejdere", "Staff sick leave",
        "dage pr. årsværk pr. måned", "days per FTE per month",
        is_share=False, higher_is_better=False,
        limit=Limit(31.0, "sick days per FTE in a month: a month has at most 31 days"),
    ),
    OutcomeSpec(
        "staff_turnover", "Personaleomsætning", "Staff turnover",
        "andel pr. år (årsniveau)", "annualised share", is_share=True, higher_is_better=False,
        limit=Limit(1.0, "an annualised share of the staff: at most all of them leave in a year"),
    ),
)  # fmt: skip

#: The nine outcomes above: what a caseload panel itself reports (and the simulated panel
#: holds), before the survey outcomes join them.
CASELOAD_OUTCOMES: Mapping[str, OutcomeSpec] = STANDARD_OUTCOMES

_AGREE_DA = "andel enige (svar over skalaens midte)"
_AGREE_EN = "share agreeing (answers above the scale's middle)"
_RESPONDENTS = Limit(1.0, "a share of the respondents: at most all of them agree")

#: Value goals of Copenhagen's 2018 action plan measured by experience surveys
#: (:mod:`analysis.data.surveys`): per unit-month, the share of the respondents agreeing
#: (an answer above the middle of the scale: 4 or 5 on 1–5, 3 or 4 on 1–4; negatively worded
#: items reversed) averaged over the goal's items.
SURVEY_OUTCOMES: Mapping[str, OutcomeSpec] = _by_name(
    OutcomeSpec(
        "citizen_goal_direction", "Borgere: mål og retning i forløbet",
        "Citizens: a goal and a direction in their course",
        _AGREE_DA, _AGREE_EN, is_share=True, higher_is_better=True, limit=_RESPONDENTS,
    ),
    OutcomeSpec(
        "citizen_recognition_respect", "Borgere: mødt med anerkendelse og respekt",
        "Citizens: met with recognition and respect",
        _AGREE_DA, _AGREE_EN, is_share=True, higher_is_better=True, limit=_RESPONDENTS,
    ),
    OutcomeSpec(
        "citizen_sees_way_out", "Borgere: sagsbehandleren ser udgangen på forløbet",
        "Citizens: the caseworker sees the way out of their course",
        _AGREE_DA, _AGREE_EN, is_share=True, higher_is_better=True, limit=_RESPONDENTS,
    ),
    OutcomeSpec(
        "staff_attractive_workplace", "Medarbejdere: en attraktiv arbejdsplads",
        "Staff: an attractive workplace",
        _AGREE_DA, _AGREE_EN, is_share=True, higher_is_better=True, limit=_RESPONDENTS,
    ),
    OutcomeSpec(
        "staff_wellbeing", "Medarbejdere: trivsel", "Staff: well-being",
        _AGREE_DA, _AGREE_EN, is_share=True, higher_is_better=True, limit=_RESPONDENTS,
    ),
)  # fmt: skip

#: The outcome catalogue: the caseload outcomes in their order, then the survey outcomes.
STANDARD_OUTCOMES = _by_name(*CASELOAD_OUTCOMES.values(), *SURVEY_OUTCOMES.values())
