"""SIMULATED citizen and staff experience surveys with a known effect of caseload.

There is no public survey of how citizens and staff experience the casework per job-centre
unit. This module answers the items of ``data/raw/surveys/items.yaml`` for every unit of
the simulated caseload panel (:mod:`analysis.data.simulate`), so that the regressions can
be shown to recover an effect on the value goals that is known because we put it there.
Every row is marked ``data_origin = simulated``. ``python -m analysis simulate`` writes
the files (through :func:`analysis.data.simulate.write_simulation`).

Data-generating process
-----------------------
Indices: value goal g, item i of g, unit u, survey month t. C_ut is the simulated
caseload of the unit in that month, C_ref = 150.

Share agreeing. The probability that a respondent agrees (answers 4 or 5, after reversing
a negatively worded item) is
    p_gut = s_g + beta_g · (log C_ut − log 150) + alpha_gu + tau_gt
    alpha_gu = a_g · (r · sign(beta_g) · m_u + sqrt(1 − r²) · v_gu)
    tau_gt = b_g · w_gt,   p_iut = clip(p_gut + delta_i, 0.02, 0.98)
with m_u the unit's standardised mean log caseload (so units with high caseloads answer
worse: confounding that unit fixed effects remove), v, w ~ N(0, 1) and an item offset
delta_i ~ N(0, 0.04²). Because the share is linear in log caseload, the expected share
agreeing of a goal (the mean of its items' shares) changes by exactly beta_g per log point
of caseload: the true effect the regressions should recover.

Answers. Given agreement the answer is 5 with probability 0.4, else 4; otherwise 1, 2 or 3
with probabilities 0.15, 0.35 and 0.5. So the expected answer is 2.35 + 2.05 · p and the
mean score changes by 2.05 · beta_g per log point. Each answer is missing with
probability 0.03. A negatively worded item's written answer is 6 minus the answer.

Surveys and who answers. Citizens are invited every third month (March, June, September,
December), on average 5 per caseworker FTE of the unit (Poisson); the file is aggregated,
one row per unit and survey month (invited, respondents, and per item the mean answer and
the share agreeing, or for a negative item the share answering 1 or 2). Staff are invited
in March and September, every caseworker (round(FTE)); the file has one row per
respondent, with the unit-month's invited count on each row. **Response falls with
caseload**: an invited person answers with probability

    r_ut = clip(r_s + rho_s · (log C_ut − log 150), 0.05, 0.98)

(citizens r = 0.5, rho = −0.30; staff r = 0.8, rho = −0.40), so high-caseload unit-months
have lower response rates and more of them fall below 5 respondents, which the small-count
rule leaves out: the demo of the warning that response moves with caseload. Response
depends on caseload only, not on the answers, so the estimates stay unbiased; a knob
(``response_on_agreement`` = d, 0 in the demo) adds d · (log C_ut − log 150) · (the
person's share of items agreed − 0.5) to each person's probability: the dissatisfied stop
answering where caseloads are high, which biases the caseload slope of the respondents'
share agreeing towards zero (the case the bounds of
:func:`analysis.quant.nonresponse.bound_estimates` are for).

The truth files (``<file>_truth.yaml``) hold every parameter, the true effect per goal
(share agreeing and mean score per log point of caseload) and the effect the København
trial implies over the survey months, beta_g times the difference in differences of log
caseload (trial unit against the other København units).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.data.survey_items import AGREE, SurveyItems
from analysis.data.surveys import INVITED, KEY_COLUMNS, RESPONDENTS, validate_survey_frame
from analysis.paths import DEFAULT_SEED

KOEBENHAVN = 101
TRIAL_UNIT = "forsoeg"


@dataclass(frozen=True)
class GoalEffect:
    """True parameters of one simulated value goal (see the module docstring)."""

    name: str
    share_at_reference: float  # s_g: share agreeing at caseload 150
    beta_log_caseload: float  # beta_g: change in the share per log point of caseload
    unit_sd: float  # a_g
    month_sd: float  # b_g


DEFAULT_GOALS: tuple[GoalEffect, ...] = (
    GoalEffect("citizen_goal_direction", 0.55, -0.12, 0.06, 0.02),
    GoalEffect("citizen_recognition_respect", 0.65, -0.08, 0.05, 0.02),
    GoalEffect("citizen_sees_way_out", 0.45, -0.15, 0.06, 0.02),
    GoalEffect("staff_attractive_workplace", 0.60, -0.15, 0.06, 0.03),
    GoalEffect("staff_wellbeing", 0.50, -0.20, 0.06, 0.03),
)


@dataclass(frozen=True)
class SurveyDesign:
    """How one survey is run and written: the survey months are those whose calendar
    month is ``first_month`` plus a multiple of ``every_months``."""

    survey: str
    layout: str  # "aggregated" (one row per unit-month) or "respondents"
    file: str
    every_months: int
    first_month: int


DEFAULT_DESIGNS: tuple[SurveyDesign, ...] = (
    SurveyDesign("citizen", "aggregated", "simulated_citizen_survey.csv", 3, 3),
    SurveyDesign("staff", "respondents", "simulated_staff_survey.csv", 6, 3),
)


@dataclass(frozen=True)
class SurveySimulationConfig:
    """Every knob of the survey simulation; the defaults produce the committed demo."""

    seed: int = DEFAULT_SEED
    reference_caseload: float = 150.0
    goals: tuple[GoalEffect, ...] = DEFAULT_GOALS
    designs: tuple[SurveyDesign, ...] = DEFAULT_DESIGNS
    citizens_per_fte: float = 5.0  # invited per caseworker FTE and survey month
    #: response probability at caseload 150 and its change per log point of caseload
    citizen_response: tuple[float, float] = (0.5, -0.30)
    staff_response: tuple[float, float] = (0.8, -0.40)
    #: times (log caseload − log 150) × (share of items agreed − 0.5), added to a person's
    #: response probability: positive, the dissatisfied answer less where caseloads are high
    response_on_agreement: float = 0.0
    response_clip: tuple[float, float] = (0.05, 0.98)
    unit_confounding: float = 0.7  # r
    item_offset_sd: float = 0.04
    five_given_agree: float = 0.4
    given_disagree: tuple[float, float, float] = (0.15, 0.35, 0.50)  # answers 1, 2, 3
    item_nonresponse: float = 0.03
    clip: tuple[float, float] = (0.02, 0.98)

    @property
    def mean_slope(self) -> float:
        """Expected answer per unit of the share agreeing: E[a | agree] − E[a | not]."""
        low = sum(p * a for p, a in zip(self.given_disagree, (1, 2, 3), strict=True))
        return 4 + self.five_given_agree - low

    @property
    def mean_at_zero(self) -> float:
        return sum(p * a for p, a in zip(self.given_disagree, (1, 2, 3), strict=True))


@dataclass(frozen=True)
class SimulatedSurvey:
    """One simulated survey file: the frame as written and its truth."""

    design: SurveyDesign
    frame: pd.DataFrame
    truth: dict


def simulate_surveys(
    panel: pd.DataFrame, items: SurveyItems, config: SurveySimulationConfig | None = None
) -> list[SimulatedSurvey]:
    """Simulate each survey of ``config.designs`` for the units and months of ``panel``
    (a caseload panel in the contract's form: caseload, caseworkers_fte, treated,
    trial_start) answering ``items``. Deterministic for ``config.seed``; no files read."""
    config = config or SurveySimulationConfig()
    rng = np.random.default_rng([config.seed, 2018, 3])
    grid = _grid(panel)
    log_c = np.log(grid.caseload) - math.log(config.reference_caseload)
    mean_log = np.log(grid.caseload).mean(axis=1)
    standard = (mean_log - mean_log.mean()) / (mean_log.std() or 1.0)
    r = config.unit_confounding
    shares: dict[str, np.ndarray] = {}
    for goal in config.goals:
        sign = 1.0 if goal.beta_log_caseload >= 0 else -1.0
        v = rng.standard_normal(len(grid.units))
        alpha = goal.unit_sd * (r * sign * standard + math.sqrt(1 - r**2) * v)
        tau = goal.month_sd * rng.standard_normal(len(grid.periods))
        shares[goal.name] = (
            goal.share_at_reference + goal.beta_log_caseload * log_c + alpha[:, None] + tau[None, :]
        )
    offsets = {item: float(rng.normal(0, config.item_offset_sd)) for item in items.items}
    out = []
    for design in config.designs:
        out.append(_survey(design, grid, shares, offsets, items, config, rng))
    return out


@dataclass(frozen=True)
class _Grid:
    """The panel as unit × month arrays."""

    units: pd.DataFrame  # municipality_code, unit, fte, treated, trial_start
    periods: pd.PeriodIndex
    caseload: np.ndarray  # (units, months)


def _grid(panel: pd.DataFrame) -> _Grid:
    frame = panel.sort_values(list(KEY_COLUMNS), kind="stable")
    wide = frame.pivot(index=["municipality_code", "unit"], columns="period", values="caseload")
    if wide.isna().to_numpy().any():
        raise ValueError("the survey simulation needs a caseload in every unit-month")
    first = frame.groupby(["municipality_code", "unit"], sort=True).first()
    units = pd.DataFrame(
        {
            "municipality_code": wide.index.get_level_values(0).astype("int64"),
            "unit": wide.index.get_level_values(1).astype(str),
            "fte": first.loc[wide.index, "caseworkers_fte"].to_numpy(dtype=float),
            "treated": first.loc[wide.index, "treated"].to_numpy(dtype=int),
            "trial_start": first.loc[wide.index, "trial_start"].to_numpy(),
        }
    )
    periods = pd.PeriodIndex(wide.columns, freq="M")
    return _Grid(units, periods, wide.to_numpy(dtype=float))


def _survey(
    design: SurveyDesign,
    grid: _Grid,
    shares: dict[str, np.ndarray],
    offsets: dict[str, float],
    items: SurveyItems,
    config: SurveySimulationConfig,
    rng: np.random.Generator,
) -> SimulatedSurvey:
    wave = np.flatnonzero(
        (grid.periods.month.to_numpy() - design.first_month) % design.every_months == 0
    )
    asked = items.of(design.survey)
    low, high = config.clip
    n_units = len(grid.units)
    shape = (n_units, len(wave))
    if design.survey == "citizen":
        lam = config.citizens_per_fte * grid.units["fte"].to_numpy()
        invited = rng.poisson(np.repeat(lam[:, None], len(wave), axis=1))
        base, slope = config.citizen_response
    else:
        staff = np.round(grid.units["fte"].to_numpy()).astype(int)
        invited = np.repeat(staff[:, None], len(wave), axis=1)
        base, slope = config.staff_response
    log_c = np.log(grid.caseload[:, wave]) - math.log(config.reference_caseload)
    rate = np.clip(base + slope * log_c, *config.response_clip)
    unit_of = np.repeat(np.repeat(np.arange(n_units), len(wave)), invited.ravel())
    month_of = np.repeat(np.tile(np.arange(len(wave)), n_units), invited.ravel())
    answers: dict[str, np.ndarray] = {}
    agreed = np.zeros(unit_of.size)
    clipped: dict[str, int] = {}
    for item in asked:
        p = shares[item.goal][:, wave] + offsets[item.id]
        clipped[item.goal] = clipped.get(item.goal, 0) + int(((p < low) | (p > high)).sum())
        p = np.clip(p, low, high)[unit_of, month_of]
        agree = rng.random(p.size) < p
        agreed += agree
        pick = rng.random(p.size)
        one, two, _ = config.given_disagree
        value = np.where(
            agree,
            np.where(pick < config.five_given_agree, 5, 4),
            np.where(pick < one, 1, np.where(pick < one + two, 2, 3)),
        ).astype(float)
        value[rng.random(p.size) < config.item_nonresponse] = np.nan
        answers[item.id] = 6 - value if item.reversed else value
    if asked:  # a respondent answers at least one item
        none = np.all([np.isnan(answers[i.id]) for i in asked], axis=0)
        fill = answers[asked[0].id]
        fill[none] = 3.0
    person_rate = rate[unit_of, month_of] + config.response_on_agreement * log_c[
        unit_of, month_of
    ] * (agreed / max(len(asked), 1) - 0.5)
    responds = rng.random(unit_of.size) < np.clip(person_rate, *config.response_clip)
    counts = np.zeros(shape, dtype=int)
    np.add.at(counts, (unit_of[responds], month_of[responds]), 1)
    keys = pd.DataFrame(
        {
            "municipality_code": grid.units["municipality_code"].to_numpy()[unit_of],
            "unit": grid.units["unit"].to_numpy()[unit_of],
            "period": grid.periods[wave][month_of],
        }
    )
    respondents = keys.assign(data_origin="simulated", **answers)[responds]
    if design.layout == "respondents":
        frame = respondents.assign(invited=invited[unit_of, month_of][responds])
        frame.insert(4, INVITED, frame.pop(INVITED))  # after data_origin, as in the citizen file
    else:
        frame = _aggregate(respondents, asked, grid, wave, invited)
    frame = frame.sort_values(list(KEY_COLUMNS), kind="stable").reset_index(drop=True)
    truth = _truth(design, grid, wave, counts, asked, offsets, clipped, config, frame)
    truth["response"] = _response_truth(design, invited, counts, rate, base, slope, config)
    return SimulatedSurvey(design, frame, truth)


def _response_truth(
    design: SurveyDesign,
    invited: np.ndarray,
    counts: np.ndarray,
    rate: np.ndarray,
    base: float,
    slope: float,
    config: SurveySimulationConfig,
) -> dict:
    """How response was simulated, and what it gave."""
    return {
        "model": (
            "an invited person answers with probability clip(rate_at_reference + "
            "per_log_point × (log caseload − log 150), clip)"
            + (
                " + response_on_agreement × (share of items agreed − 0.5)"
                if config.response_on_agreement
                else ""
            )
        ),
        "rate_at_reference": base,
        "per_log_point": slope,
        "clip": list(config.response_clip),
        "response_on_agreement": config.response_on_agreement,
        "invited": int(invited.sum()),
        "respondents": int(counts.sum()),
        "mean_expected_rate": float(rate.mean()),
        "unit_months_below_5_respondents": int((counts < 5).sum()),
        "layout_note": (
            "unit-months without respondents have no row in a respondent file"
            if design.layout == "respondents"
            else "every unit-month has a row, with 0 respondents where nobody answered"
        ),
    }


def _aggregate(
    respondents: pd.DataFrame, asked: list, grid: _Grid, wave: np.ndarray, invited: np.ndarray
) -> pd.DataFrame:
    """One row per unit and survey month: invited, respondents, mean answer and share per
    item."""
    index = pd.MultiIndex.from_product(
        [
            list(zip(grid.units["municipality_code"], grid.units["unit"], strict=True)),
            list(grid.periods[wave]),
        ],
    )
    keys = pd.DataFrame(
        [(code, unit, period) for (code, unit), period in index], columns=list(KEY_COLUMNS)
    )
    group = respondents.groupby(list(KEY_COLUMNS), sort=False)
    stats = pd.DataFrame({RESPONDENTS: group.size()})
    for item in asked:
        values = respondents[item.id]
        side = values.isin((1, 2) if item.reversed else AGREE).astype(float)
        side = side.where(values.notna())
        stats[f"{item.id}_mean"] = group[item.id].mean()
        name = f"{item.id}_disagree" if item.reversed else f"{item.id}_agree"
        stats[name] = side.groupby([respondents[k] for k in KEY_COLUMNS]).mean()
    out = keys.merge(stats.reset_index(), on=list(KEY_COLUMNS), how="left")
    out[RESPONDENTS] = out[RESPONDENTS].fillna(0).astype("int64")
    out.insert(3, "data_origin", "simulated")
    out.insert(4, INVITED, invited.ravel().astype("int64"))  # units × months, as ``keys``
    return out


def _truth(
    design: SurveyDesign,
    grid: _Grid,
    wave: np.ndarray,
    counts: np.ndarray,
    asked: list,
    offsets: dict[str, float],
    clipped: dict[str, int],
    config: SurveySimulationConfig,
    frame: pd.DataFrame,
) -> dict:
    goals = [g for g in config.goals if any(i.goal == g.name for i in asked)]
    months = grid.periods[wave]
    return {
        "description": (
            f"SIMULATED {design.survey} survey (data_origin = simulated). Not real data: no "
            "public survey of citizens' and staff's experience per job-centre unit exists. "
            "The answers depend on the simulated caseloads of data/raw/caseloads/"
            "simulated_caseloads.csv. See the DGP in analysis/data/simulate_surveys.py and "
            "data/raw/surveys/README.md."
        ),
        "generator": "analysis.data.simulate_surveys.simulate_surveys",
        "seed": config.seed,
        "survey": design.survey,
        "layout": design.layout,
        "months": {
            "every": design.every_months,
            "first": str(months[0]),
            "last": str(months[-1]),
            "count": len(months),
        },
        "size": {
            "rows": len(frame),
            "units": len(grid.units),
            "unit_months": int(counts.size),
            "respondents": int(counts.sum()),
            "unit_months_below_5_respondents": int((counts < 5).sum()),
        },
        "answers": {
            "five_given_agree": config.five_given_agree,
            "one_two_three_given_not_agree": list(config.given_disagree),
            "item_nonresponse": config.item_nonresponse,
            "mean_score": f"{config.mean_at_zero:g} + {config.mean_slope:g} × share agreeing",
        },
        "outcomes": {
            g.name: {
                "beta_log_caseload": g.beta_log_caseload,
                "beta_mean_score": g.beta_log_caseload * config.mean_slope,
                "share_at_reference": g.share_at_reference,
                "unit_sd": g.unit_sd,
                "month_sd": g.month_sd,
                "items": {i.id: offsets[i.id] for i in asked if i.goal == g.name},
                "clipped_values": clipped.get(g.name, 0),
            }
            for g in goals
        },
        "koebenhavn_did": _koebenhavn_did(grid, wave, goals),
        "config": {
            key: value for key, value in asdict(config).items() if key not in ("goals", "designs")
        }
        | {"design": asdict(design)},
    }


def _koebenhavn_did(grid: _Grid, wave: np.ndarray, goals: list[GoalEffect]) -> dict | None:
    units = grid.units
    in_kbh = (units["municipality_code"] == KOEBENHAVN).to_numpy()
    trial = in_kbh & (units["unit"] == TRIAL_UNIT).to_numpy() & (units["treated"] == 1).to_numpy()
    if not trial.any() or not (in_kbh & ~trial).any():
        return None
    start = pd.Period(units.loc[trial, "trial_start"].iloc[0], freq="M")
    post = np.asarray(grid.periods[wave] >= start)
    if post.all() or not post.any():
        return None
    logs = np.log(grid.caseload[:, wave])

    def change(rows: np.ndarray) -> float:
        return float(logs[rows][:, post].mean() - logs[rows][:, ~post].mean())

    delta = change(trial) - change(in_kbh & ~trial)
    return {
        "treated_unit": TRIAL_UNIT,
        "controls": "the other København units",
        "formula": (
            "beta × [(mean log caseload of forsoeg, post − pre) − (mean log caseload of the "
            "other København units, post − pre)], over the survey months; unit-months with "
            "fewer than 5 respondents leave the estimation sample, so this is approximate"
        ),
        "trial_start": str(start),
        "delta_log_caseload": delta,
        "implied_effect": {g.name: g.beta_log_caseload * delta for g in goals},
    }


# --- writing ---------------------------------------------------------------------------


def survey_to_csv(survey: SimulatedSurvey) -> str:
    """The survey as CSV text with fixed formats (same bytes for the same survey):
    answers as whole numbers, means with 2 decimals, shares with 3, empty for none."""
    frame = survey.frame
    text: dict[str, pd.Series] = {
        "municipality_code": frame["municipality_code"].astype(str),
        "unit": frame["unit"].astype(str),
        "period": frame["period"].dt.strftime("%Y-%m"),
        "data_origin": frame["data_origin"].astype(str),
    }
    for column in frame.columns:
        if column in text:
            continue
        values = frame[column]
        if column in (RESPONDENTS, INVITED) or survey.design.layout == "respondents":
            shown = values.map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
        elif column.endswith("_mean"):
            shown = values.map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
        else:
            shown = values.map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
        text[column] = shown
    return pd.DataFrame(text).to_csv(index=False, lineterminator="\n")


def survey_demo_texts(
    panel: pd.DataFrame,
    items: SurveyItems,
    config: SurveySimulationConfig | None = None,
    *,
    plain: object = None,
) -> dict[str, str]:
    """File name -> text of every simulated survey file and its truth YAML, each survey
    validated against the contract first. ``plain`` turns the truth into YAML-safe
    builtins (``analysis.data.simulate._plain``)."""
    from analysis.data.simulate import truth_yaml

    config = config or SurveySimulationConfig()
    out: dict[str, str] = {}
    for survey in simulate_surveys(panel, items, config):
        validate_survey_frame(survey.frame, items, source=f"simulated {survey.design.survey}")
        name = survey.design.file
        out[name] = survey_to_csv(survey)
        truth = plain(survey.truth) if callable(plain) else survey.truth
        stem = name.removesuffix(".csv")
        header = f"# SIMULATED data: true parameters of data/raw/surveys/{name}\n"
        out[f"{stem}_truth.yaml"] = truth_yaml(truth, header)
    return out
