"""The indicator catalogue: every benchmark indicator in one place, and how today's
indicators are computed from the Jobindsats snapshot.

Each :class:`Indicator` says what is measured, in which unit, whether a higher value is
better for the municipality, and how the one-year development is measured. KLK's rule
(Bilag 5 of the 2012 Aabenraa report) is followed: for full-time recipients as a share of
the labour force and for durations the development is the change "i procent" (relative
change); for shares of spells and status shares it is the change in percentage points
("Udvikling seneste år i procentpoint"), because KLK could not draw the raw counts.

Two families share the catalogue:

- ``klk2012``: the key figures of Tables 1-9 in KLK's report on Jobcenter Aabenraa (2012),
  used by :mod:`analysis.benchmark.klk` to recompute the published arrows;
- ``jobindsats``: today's indicators, computed for all 98 municipalities from the
  Jobindsats snapshot by :func:`indicator_panel`.

An indicator that measures a result goal of a source document says so in ``goal``
(Copenhagen's action plan, seed 003: of its three result goals the snapshot measures one,
in part; ``docs/benchmark.md`` lists the others and the Jobindsats measures they need).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.data.jobindsats import labour_force
from analysis.errors import AnalysisError
from analysis.labels import check_language
from analysis.paths import SMALL_COUNT_THRESHOLD

#: How a development is measured.
PERCENT = "percent"  # relative change, (new / old - 1) * 100
POINTS = "points"  # difference in percentage points (or in the unit), new - old

#: The July 2025 kontanthjælp reform: first month under the new rules.
KONTANTHJAELP_REFORM = "2025-07"

#: Status of a level in the panel.
STATUS_OK = "ok"
STATUS_MISSING = "missing"  # not published (suppressed by Jobindsats) or outside the series
STATUS_SMALL = "small_count"  # fewer than SMALL_COUNT_THRESHOLD persons behind the figure


@dataclass(frozen=True)
class Indicator:
    """One benchmark indicator."""

    id: str
    label_da: str
    label_en: str
    unit: str  # unit of the level: "pct" or "weeks"
    higher_is_better: bool | None  # None: no judgement (KLK's "Andet"), so no arrow
    development: str  # PERCENT or POINTS
    source: str  # "klk2012" or "jobindsats"
    area: str  # benefit area
    measure: str | None = None  # Jobindsats measure (benefit group in brackets)
    decimals: int = 1  # decimals the level is published with
    series_break: str | None = None  # first month of a new series (YYYY-MM)
    count_measure: str | None = None  # persons behind the figure (small-count rule)
    cost_key: str | None = None  # benefit in costs.yaml (savings potential)
    notes: str = ""
    goal: str = ""  # the result goal of a source document the indicator measures
    #: the persons the figure rests on, shown next to it and tested by the small-base
    #: rule: the persons counted (a rate of the labour force, whose development is the
    #: change in this count) or the recipients a share is taken of (``persons_of``)
    persons_measure: str | None = None
    persons_of: bool = False  # True: the figure is a share *of* these persons
    persons_da: str = "personer"  # what the persons are, in words
    persons_en: str = "persons"
    #: the outcome family the indicator belongs to; a tally counts each family once
    family: str = ""
    #: the indicator whose persons include this one's (dagpenge recipients are part of
    #: the unemployed): shown, but not counted again in a tally
    part_of: str | None = None
    #: a process measure (how the job centre works, not what it achieves): shown, never
    #: counted in a tally (KLK chose outcome indicators only, Bilag 5)
    process: bool = False

    def label(self, language: str = "da") -> str:
        check_language(language)
        return self.label_da if language == "da" else self.label_en

    @property
    def sign(self) -> int:
        """+1 if higher is better, -1 if lower is better, 0 without a judgement."""
        if self.higher_is_better is None:
            return 0
        return 1 if self.higher_is_better else -1

    @property
    def step(self) -> float:
        """One unit of the level's last published decimal (0.1 for one decimal)."""
        return 10.0**-self.decimals

    @property
    def counted(self) -> bool:
        """Whether a tally ("better on X of N") counts this indicator: an outcome that is
        not part of another indicator's persons and has a direction."""
        return self.sign != 0 and not self.process and self.part_of is None

    def persons_label(self, language: str = "da") -> str:
        check_language(language)
        return self.persons_da if language == "da" else self.persons_en


def _klk(
    id_: str,
    label_da: str,
    label_en: str,
    area: str,
    *,
    higher: bool | None,
    development: str,
    unit: str = "pct",
    notes: str = "",
) -> Indicator:
    return Indicator(
        id=id_,
        label_da=label_da,
        label_en=label_en,
        unit=unit,
        higher_is_better=higher,
        development=development,
        source="klk2012",
        area=area,
        notes=notes,
    )


_SHARE_DA = "Andel fuldtidsmodtagere ift. arbejdsstyrken"
_SHARE_EN = "Full-time recipients, % of the labour force"
_DUR_DA = "Gennemsnitlig varighed i uger"
_DUR_EN = "Average duration in weeks"
_OVER26_DA = "Andel forløb med varighed over 26 uger"
_OVER26_EN = "Share of spells longer than 26 weeks"
_EMPL_DA = "Andel der er i beskæftigelse 3 mdr. efter afsluttet forløb"
_EMPL_EN = "Share in employment 3 months after the spell ended"

#: Status three months after a closed spell (KLK Tables 2 and 9): public benefits are
#: bad outcomes (KLK: fewer "kommer over på en anden offentlig ydelse" is a good result),
#: employment is good, "Andet" (death, emigration, leave, ...) carries no judgement.
_STATUSES = (
    ("employment", "Beskæftigelse", "Employment", True),
    ("a_dagpenge", "A-dagpenge", "Unemployment insurance benefit", False),
    ("kontanthjaelp", "Kontant- og starthjælp mv.", "Cash assistance", False),
    ("revalidering", "Revalidering/Forrevalidering", "Rehabilitation", False),
    ("sygedagpenge", "Sygedagpenge", "Sickness benefit", False),
    ("fleksjob", "Fleksjob", "Flex job", False),
    ("ledighedsydelse", "Ledighedsydelse", "Flex-job unemployment benefit", False),
    ("foertidspension", "Førtidspension mv.", "Disability pension", False),
    ("other", "Andet", "Other", None),
)


def _status_indicators(prefix: str, area: str, spell_da: str, spell_en: str) -> list[Indicator]:
    return [
        _klk(
            f"{prefix}_status_{key}",
            f"Status 3 mdr. efter afsluttet {spell_da}: {da}",
            f"Status 3 months after a {spell_en} spell: {en}",
            area,
            higher=higher,
            development=POINTS,
            notes="Percent of closed spells; development in percentage points (KLK).",
        )
        for key, da, en, higher in _STATUSES
    ]


_KLK_INDICATORS: list[Indicator] = [
    # Table 1: sygedagpenge
    _klk(
        "sdp_fulltime_share",
        f"Sygedagpenge: {_SHARE_DA}",
        f"Sickness benefit: {_SHARE_EN}",
        "sygedagpenge",
        higher=False,
        development=PERCENT,
    ),
    _klk(
        "sdp_duration_weeks",
        f"Sygedagpenge: {_DUR_DA}",
        f"Sickness benefit: {_DUR_EN}",
        "sygedagpenge",
        higher=False,
        development=PERCENT,
        unit="weeks",
    ),
    _klk(
        "sdp_over_26w",
        f"Sygedagpenge: {_OVER26_DA}",
        f"Sickness benefit: {_OVER26_EN}",
        "sygedagpenge",
        higher=False,
        development=POINTS,
    ),
    _klk(
        "sdp_over_52w",
        "Sygedagpenge: Andel forløb med varighed over 52 uger",
        "Sickness benefit: Share of spells longer than 52 weeks",
        "sygedagpenge",
        higher=False,
        development=POINTS,
    ),
    _klk(
        "sdp_employed_3m",
        f"Sygedagpenge: {_EMPL_DA}",
        f"Sickness benefit: {_EMPL_EN}",
        "sygedagpenge",
        higher=True,
        development=POINTS,
    ),
    # Table 2
    *_status_indicators("sdp", "sygedagpenge", "sygedagpengeforløb", "sickness-benefit"),
    # Table 3: førtidspension
    _klk(
        "ftp_fulltime_share",
        f"Førtidspension: {_SHARE_DA}",
        f"Disability pension: {_SHARE_EN}",
        "foertidspension",
        higher=False,
        development=PERCENT,
    ),
    _klk(
        "ftp_awards_share",
        "Førtidspension: Tilkendelser ift. arbejdsstyrken",
        "Disability pension: Awards, % of the labour force",
        "foertidspension",
        higher=False,
        development=PERCENT,
        notes="Published as a level only (four quarters), without a development row.",
    ),
    # Table 4: fleksjob og ledighedsydelse
    _klk(
        "fleks_fulltime_share",
        f"Fleksjob: {_SHARE_DA}",
        f"Flex job: {_SHARE_EN}",
        "fleksjob",
        higher=False,
        development=PERCENT,
    ),
    _klk(
        "ledyd_fulltime_share",
        f"Ledighedsydelse: {_SHARE_DA}",
        f"Flex-job unemployment benefit: {_SHARE_EN}",
        "ledighedsydelse",
        higher=False,
        development=PERCENT,
    ),
    _klk(
        "ledyd_duration_weeks",
        f"Ledighedsydelse: {_DUR_DA}",
        f"Flex-job unemployment benefit: {_DUR_EN}",
        "ledighedsydelse",
        higher=False,
        development=PERCENT,
        unit="weeks",
    ),
    _klk(
        "ledyd_over_26w",
        f"Ledighedsydelse: {_OVER26_DA}",
        f"Flex-job unemployment benefit: {_OVER26_EN}",
        "ledighedsydelse",
        higher=False,
        development=POINTS,
    ),
    # Table 5: fleksjob retention (survival curve with relapse to the benefit)
    _klk(
        "fleks_retention_26w",
        "Fleksjob: andel fortsat i fleksjob efter 26 uger",
        "Flex job: share still in the flex job after 26 weeks",
        "fleksjob",
        higher=True,
        development=POINTS,
        notes="KLK: 'overlevelseskurve m. tilbagefald til ydelsen'; retention is good.",
    ),
    _klk(
        "fleks_retention_52w",
        "Fleksjob: andel fortsat i fleksjob efter 52 uger",
        "Flex job: share still in the flex job after 52 weeks",
        "fleksjob",
        higher=True,
        development=POINTS,
    ),
    # Table 6: kontanthjælp under 30
    _klk(
        "kh_u30_fulltime_share",
        f"Kontanthjælp under 30 år: {_SHARE_DA}",
        f"Cash assistance, under 30: {_SHARE_EN}",
        "kontanthjaelp",
        higher=False,
        development=PERCENT,
    ),
    _klk(
        "kh_u30_duration_weeks",
        f"Kontanthjælp under 30 år: {_DUR_DA}",
        f"Cash assistance, under 30: {_DUR_EN}",
        "kontanthjaelp",
        higher=False,
        development=PERCENT,
        unit="weeks",
    ),
    _klk(
        "kh_u30_over_26w",
        f"Kontanthjælp under 30 år: {_OVER26_DA}",
        f"Cash assistance, under 30: {_OVER26_EN}",
        "kontanthjaelp",
        higher=False,
        development=POINTS,
    ),
    # Table 7: kontanthjælp 30 and over
    _klk(
        "kh_o30_fulltime_share",
        f"Kontanthjælp over 30 år: {_SHARE_DA}",
        f"Cash assistance, 30 and over: {_SHARE_EN}",
        "kontanthjaelp",
        higher=False,
        development=PERCENT,
    ),
    _klk(
        "kh_o30_duration_weeks",
        f"Kontanthjælp over 30 år: {_DUR_DA}",
        f"Cash assistance, 30 and over: {_DUR_EN}",
        "kontanthjaelp",
        higher=False,
        development=PERCENT,
        unit="weeks",
    ),
    _klk(
        "kh_o30_over_26w",
        f"Kontanthjælp over 30 år: {_OVER26_DA}",
        f"Cash assistance, 30 and over: {_OVER26_EN}",
        "kontanthjaelp",
        higher=False,
        development=POINTS,
    ),
    # Table 8
    _klk(
        "kh_employed_3m",
        f"Kontanthjælp: {_EMPL_DA}",
        f"Cash assistance: {_EMPL_EN}",
        "kontanthjaelp",
        higher=True,
        development=POINTS,
    ),
    # Table 9
    *_status_indicators("kh", "kontanthjaelp", "kontanthjælpsforløb", "cash-assistance"),
]

_JOBINDSATS_INDICATORS: list[Indicator] = [
    Indicator(
        id="unemployment_rate",
        label_da="Ledighed i pct. af arbejdsstyrken",
        label_en="Unemployment, % of the labour force",
        unit="pct",
        higher_is_better=False,
        development=PERCENT,
        source="jobindsats",
        area="ledighed",
        measure="unemployment_rate[total]",
        cost_key=None,
        persons_measure="unemployed_fulltime[total]",
        persons_da="fuldtidsledige",
        persons_en="full-time unemployed",
        family="unemployment",
        notes=(
            "Full-time unemployed (dagpenge and jobparate kontanthjælp recipients) in percent "
            "of the labour force 16-66, y25i01. A share of the labour force, so the "
            "development is in percent (KLK), computed from the full-time persons."
        ),
    ),
    Indicator(
        id="longterm_rate",
        label_da="Langtidsledige i pct. af arbejdsstyrken",
        label_en="Long-term unemployed, % of the labour force",
        unit="pct",
        higher_is_better=False,
        development=PERCENT,
        source="jobindsats",
        area="ledighed",
        measure="longterm_unemployed[total] / labour force",
        decimals=2,
        count_measure="longterm_unemployed[total]",
        persons_measure="longterm_unemployed[total]",
        persons_da="langtidsledige",
        persons_en="long-term unemployed",
        family="longterm",
        notes=(
            "Long-term unemployed persons (y25i09) divided by the labour force implied by "
            "unemployed_fulltime / (unemployment_rate / 100); the rate's one-decimal "
            "rounding makes the denominator exact to about 2 %. Published with two "
            "decimals because the rate is small."
        ),
    ),
    Indicator(
        id="dagpenge_rate",
        label_da="Fuldtidsledige på dagpenge i pct. af arbejdsstyrken",
        label_en="Full-time unemployed on dagpenge, % of the labour force",
        unit="pct",
        higher_is_better=False,
        development=PERCENT,
        source="jobindsats",
        area="dagpenge",
        measure="unemployment_rate[dagpenge]",
        cost_key="dagpenge",
        persons_measure="unemployed_fulltime[dagpenge]",
        persons_da="fuldtidsledige på dagpenge",
        persons_en="full-time unemployed on dagpenge",
        family="unemployment",
        part_of="unemployment_rate",
        notes=(
            "The insured part of the unemployment rate (y25i01, benefit group dagpenge): "
            "its persons are part of unemployment_rate's, so a tally does not count it again."
        ),
    ),
    Indicator(
        id="kh_workforce_rate",
        label_da="Fuldtidsmodtagere af kontanthjælp i pct. af arbejdsstyrken",
        label_en="Full-time cash-assistance recipients, % of the labour force",
        unit="pct",
        higher_is_better=False,
        development=PERCENT,
        source="jobindsats",
        area="kontanthjaelp",
        measure="recipients_workforce_rate[kontanthjaelp]",
        series_break=KONTANTHJAELP_REFORM,
        cost_key="kontanthjaelp",
        persons_measure="recipients_fulltime[kontanthjaelp]",
        persons_da="fuldtidsmodtagere",
        persons_en="full-time recipients",
        family="kontanthjaelp",
        notes=(
            "y60a02. The July 2025 reform merged uddannelseshjælp, selvforsørgelses- og "
            "hjemrejseydelse and overgangsydelse into kontanthjælp: comparisons across "
            "2025-07 are flagged."
        ),
    ),
    Indicator(
        id="activation_degree",
        label_da="Aktiveringsgrad, kontanthjælp",
        label_en="Activation degree, cash assistance",
        unit="pct",
        higher_is_better=True,
        development=POINTS,
        source="jobindsats",
        area="kontanthjaelp",
        measure="activation_degree[kontanthjaelp]",
        series_break=KONTANTHJAELP_REFORM,
        persons_measure="recipients_fulltime[kontanthjaelp]",
        persons_of=True,
        persons_da="fuldtidsmodtagere",
        persons_en="full-time recipients",
        family="process",
        process=True,
        notes=(
            "y60c07, all visitation categories. A process indicator, not an outcome: it is "
            "scored higher-is-better because an active effort is the aim of the law, but a "
            "tally never counts it (KLK chose outcome indicators, Bilag 5). Set "
            "higher_is_better to None here if you prefer no judgement (no arrow, no colour)."
        ),
    ),
    Indicator(
        id="ordinary_hours_share",
        label_da="Kontanthjælpsmodtagere med ordinære løntimer, pct.",
        label_en="Cash-assistance recipients with ordinary wage hours, %",
        unit="pct",
        higher_is_better=True,
        development=POINTS,
        source="jobindsats",
        area="kontanthjaelp",
        measure="ordinary_hours_share[kontanthjaelp]",
        series_break=KONTANTHJAELP_REFORM,
        count_measure="ordinary_hours_persons[kontanthjaelp]",
        persons_measure="recipients_persons[kontanthjaelp]",
        persons_of=True,
        persons_da="modtagere",
        persons_en="recipients",
        family="ordinary_hours",
        notes=(
            "y60j01; the share of the month's kontanthjælp recipients (y60a02, persons); "
            "published a month later than the other series, so its latest month is "
            "one earlier and its one-year comparison crosses the July 2025 reform."
        ),
    ),
    Indicator(
        id="kh_aktivitetsparat_rate",
        label_da="Aktivitetsparate kontanthjælpsmodtagere (fuldtid) i pct. af arbejdsstyrken",
        label_en="Activity-ready cash-assistance recipients (full-time), % of the labour force",
        unit="pct",
        higher_is_better=False,
        development=PERCENT,
        source="jobindsats",
        area="kontanthjaelp",
        measure="recipients_fulltime[kontanthjaelp, aktivitetsparat] / labour force",
        series_break=KONTANTHJAELP_REFORM,
        count_measure="recipients_fulltime[kontanthjaelp, aktivitetsparat]",
        persons_measure="recipients_fulltime[kontanthjaelp, aktivitetsparat]",
        persons_da="aktivitetsparate fuldtidsmodtagere",
        persons_en="activity-ready full-time recipients",
        family="kontanthjaelp",
        part_of="kh_workforce_rate",
        notes=(
            "y60a02 by visitation category (the snapshot's cashVisitation block): full-time "
            "activity-ready recipients divided by the labour force implied by "
            "unemployed_fulltime / (unemployment_rate / 100). The snapshot holds the latest "
            "month only, so there is a level but no development (no arrow). All durations: "
            "the goal's '3 years or more' needs Jobindsats' duration breakdown. No cost key: "
            "these recipients are part of kh_workforce_rate, whose savings potential "
            "already counts them (and a tally counts them there)."
        ),
        goal=(
            "003 resultatmål 3: Færre aktivitetsparate kontanthjælpsmodtagere, der har været "
            "3 år eller mere på kontanthjælp (measured here for all durations)"
        ),
    ),
]

CATALOGUE: dict[str, Indicator] = {i.id: i for i in _KLK_INDICATORS + _JOBINDSATS_INDICATORS}
#: Today's indicators in display order.
JOBINDSATS_INDICATORS: tuple[str, ...] = tuple(i.id for i in _JOBINDSATS_INDICATORS)
#: KLK 2012 indicators in the report's order.
KLK_INDICATORS: tuple[str, ...] = tuple(i.id for i in _KLK_INDICATORS)


def get_indicator(indicator_id: str) -> Indicator:
    """The catalogue entry ``indicator_id``; an unknown id is an analyst's error."""
    try:
        return CATALOGUE[indicator_id]
    except KeyError:
        raise AnalysisError(
            f"unknown indicator {indicator_id!r}; see analysis.benchmark.indicators.CATALOGUE"
        ) from None


def catalogue_frame() -> pd.DataFrame:
    """The catalogue as a table (one row per indicator), for documentation and reports."""
    rows = [
        {
            "id": i.id,
            "source": i.source,
            "area": i.area,
            "label_da": i.label_da,
            "label_en": i.label_en,
            "unit": i.unit,
            "higher_is_better": i.higher_is_better,
            "development": i.development,
            "decimals": i.decimals,
            "measure": i.measure,
            "series_break": i.series_break,
            "count_measure": i.count_measure,
            "cost_key": i.cost_key,
            "notes": i.notes,
            "goal": i.goal,
            "persons_measure": i.persons_measure,
            "family": i.family,
            "part_of": i.part_of,
            "process": i.process,
            "counted": i.counted,
        }
        for i in CATALOGUE.values()
    ]
    return pd.DataFrame(rows)


# --- today's indicators from the Jobindsats snapshot ----------------------------------------

PANEL_COLUMNS = [
    "municipality_code",
    "indicator",
    "period",
    "value",
    "count",
    "status",
    "labour_force",
    "persons",
]


#: A measure expression divided by the implied labour force (a rate in percent).
PER_LABOUR_FORCE = " / labour force"


def _series(
    snapshot: pd.DataFrame, measure: str, benefit_group: str, category: str = "total"
) -> pd.DataFrame:
    rows = snapshot[
        snapshot["measure"].eq(measure)
        & snapshot["benefit_group"].eq(benefit_group)
        & snapshot["category"].eq(category)
    ]
    return rows[["municipality_code", "period", "value"]]


def _split(expression: str) -> tuple[str, str, str]:
    """'measure[group, category]' -> (measure, group, category); both default to total."""
    measure, _, inside = expression.partition("[")
    group, _, category = inside.rstrip("]").partition(",")
    return measure.strip(), group.strip() or "total", category.strip() or "total"


def _missing_rows(snapshot: pd.DataFrame) -> pd.DataFrame:
    """One missing value per municipality in the snapshot's latest month: for an
    indicator whose series the snapshot lacks (an older or a partial snapshot)."""
    latest = snapshot["period"].max()
    codes = sorted(snapshot["municipality_code"].unique())
    return pd.DataFrame(
        {
            "municipality_code": codes,
            "period": pd.PeriodIndex([latest] * len(codes), freq="M"),
            "value": np.nan,
        }
    )


def indicator_panel(snapshot: pd.DataFrame, threshold: int = SMALL_COUNT_THRESHOLD) -> pd.DataFrame:
    """Every Jobindsats indicator for every municipality and month (long table).

    ``value`` is NaN where Jobindsats suppressed the figure (``status`` "missing") and where
    fewer than ``threshold`` persons stand behind it (``status`` "small_count"; a suppressed
    count counts as small, since Jobindsats suppresses exactly the small ones). ``count`` is
    the persons count the small-count rule looked at (NaN where the indicator has none).
    ``labour_force`` is the implied labour force of the month (weights, savings).
    ``persons`` is the published count of the indicator's ``persons_measure`` (the persons
    a rate counts, or the recipients a share is taken of): a development in percent is
    computed from it, it is shown next to the figure and the small-base rule tests it.
    It is kept where the figure is hidden, so that the reason can be stated.
    """
    labour = labour_force(snapshot)[["municipality_code", "period", "labour_force"]]
    frames = []
    for indicator_id in JOBINDSATS_INDICATORS:
        indicator = CATALOGUE[indicator_id]
        measure = indicator.measure or ""
        if measure.endswith(PER_LABOUR_FORCE):
            persons = _series(snapshot, *_split(measure.removesuffix(PER_LABOUR_FORCE)))
            if persons.empty:
                persons = _missing_rows(snapshot)
            frame = persons.merge(labour, on=["municipality_code", "period"], how="left")
            frame["count"] = frame["value"]
            frame["value"] = frame["value"] / frame["labour_force"] * 100
            frame = frame.drop(columns="labour_force")
        else:
            frame = _series(snapshot, *_split(measure))
            frame["count"] = np.nan
            if indicator.count_measure:
                counts = _series(snapshot, *_split(indicator.count_measure)).rename(
                    columns={"value": "count"}
                )
                frame = frame.drop(columns="count").merge(
                    counts, on=["municipality_code", "period"], how="left"
                )
        frame["status"] = np.where(frame["value"].isna(), STATUS_MISSING, STATUS_OK)
        if indicator.count_measure:
            small = frame["value"].notna() & (
                frame["count"].isna() | (frame["count"].gt(0) & frame["count"].lt(threshold))
            )
            frame.loc[small, "status"] = STATUS_SMALL
            frame.loc[small, "value"] = np.nan
        frame["persons"] = np.nan
        if indicator.persons_measure:
            persons = _series(snapshot, *_split(indicator.persons_measure)).rename(
                columns={"value": "persons"}
            )
            frame = frame.drop(columns="persons").merge(
                persons, on=["municipality_code", "period"], how="left"
            )
        frame["indicator"] = indicator_id
        frames.append(frame)
    panel = pd.concat(frames, ignore_index=True)
    panel = panel.merge(labour, on=["municipality_code", "period"], how="left")
    panel["status"] = panel["status"].astype("str")
    panel["indicator"] = panel["indicator"].astype("str")
    return (
        panel[PANEL_COLUMNS]
        .sort_values(["indicator", "municipality_code", "period"], kind="stable")
        .reset_index(drop=True)
    )
