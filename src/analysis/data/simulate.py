"""SIMULATED caseload panel with a known data-generating process (DGP).

There is no public data on caseloads (cases per caseworker) per municipality. This
module generates an honestly labelled simulated panel (every row has
``data_origin = "simulated"``) so that the estimators can be shown to recover an effect
that is known because we put it there. The unemployment rates are real (Jobindsats,
table y25i01, ``totalRate``); everything else is invented.

Data-generating process
-----------------------
Indices: municipality m, unit u in m, month t (the 60 months of the Jobindsats snapshot,
2021M08–2026M07). U_mt is the real municipal unemployment rate in percent; U_ref = 3.

Units. n_m = clip(round(units_scale · sqrt(L_m / 10 000)), 1, max_units) units, where
L_m is the labour force the snapshot implies (mean over months of full-time unemployed
/ (U_mt / 100)). With the defaults: 1–2 units in small municipalities, 8 in København
and Aarhus, about 300 in all. Units are ``team_01``, ``team_02``, ...; the last unit of
København is the trial unit ``forsoeg`` and the last unit of each adopting municipality
is ``pilot``.

Unit latent. z_u ~ N(0, 1): how hard the unit's area is. It raises the unit's caseload
and worsens its outcomes (confounding that unit fixed effects remove).

Caseload, ordinary path (what happens without the unit's own trial):
    log C0_ut = log B_mt + delta · (U_mt − U_ref) + s_kappa · z_u + e_ut
with B_mt = 150 (reference caseload). e_ut is AR(1) with coefficient rho_c and
stationary sd sigma_c. Because delta > 0, caseloads move with the real local
unemployment rate, which also moves the outcomes (confounding that the unemployment
covariate removes). København manages its ordinary units to the municipal norm: B = 200
before the trial start and 125 from the start on (the ordinary norm fell from about 200
to 120–130, partly because of the trial), no unit deviation (s_kappa · z_u = 0) and
U_ref replaced by København's own mean rate, so the norm is the average caseload.

Trials. From its start month a treated unit works at a fixed norm:
    log C1_ut = log N + f_ut,   N = 50 for København's ``forsoeg``, 60 for adopters,
f_ut AR(1) with sd sigma_f. The Copenhagen trial began in January 2018; here it starts
at ``trial_start`` (default 2024-01) so that it falls inside the data window. Adopters
start at staggered months (2023-01, 2024-07, 2025-01 by default).

Reported columns. caseworkers_fte F_u ~ U(4, 14), rounded to 0.1; cases = round(C · F);
caseload = round(cases / F, 2). So caseload = cases / caseworkers_fte exactly (to
rounding), as the data contract requires.

Outcomes, for each standard outcome k, with the reported caseload C_ut:
    Y_kut = mu_k + beta_k · (log C_ut − log 150) + theta_k · (U_mt − U_ref)
            + alpha_ku + tau_kt + eps_kut
    alpha_ku = s_alpha_k · (r · sign(beta_k) · z_u + sqrt(1 − r²) · v_ku)
    tau_kt = a_k · sin(2π (month − 1) / 12) + s_tau_k · w_kt
    eps_kut AR(1) with coefficient rho and stationary sd sigma_k,
with v, w ~ N(0, 1) (sign(0) counts as +1). beta_k is the true effect of log caseload,
theta_k the true effect of one percentage point of unemployment. Values are rounded to
the decimals written to the CSV; values outside [0, 1] (shares) or below 0 (others)
would be clipped and counted in the truth file (none are with the defaults).

Implied effects of the designs (written to the truth file):
- København DiD with a 0/1 treatment (``forsoeg`` against the other København units):
  beta_k · [(mean log C_forsoeg,post − pre) − (mean log C_ordinary,post − pre)],
  about beta_k · [log(50/200) − log(125/200)] = beta_k · log(50/125).
- Staggered cohorts: for the units starting in a month, the average over their
  post-start unit-months of beta_k · (log C1_ut − log C0_ut).

The panel fills the caseload data contract (:mod:`analysis.data.caseloads`) and is checked
against it before it is written; ``python -m analysis simulate``
(:mod:`analysis.data.cli_simulate`) writes it, and beside it (in ``data/raw/surveys``) the
simulated citizen and staff experience surveys whose answers depend on its caseloads
(:mod:`analysis.data.simulate_surveys`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.data.caseloads import STANDARD_OUTCOMES, validate_caseload_panel
from analysis.data.parsing import ParseError, parse_period
from analysis.errors import InputError
from analysis.fileio import atomic_write_text
from analysis.paths import DEFAULT_SEED, ProjectPaths, get_paths

KOEBENHAVN = 101
TRIAL_UNIT = "forsoeg"
ADOPTER_UNIT = "pilot"
_CONFIG_SOURCE = "SimulationConfig"


@dataclass(frozen=True)
class OutcomeEffect:
    """True parameters of one simulated outcome (see the module docstring)."""

    name: str
    mean: float  # level at caseload 150 and unemployment 3 %
    beta_log_caseload: float
    beta_unemployment: float
    unit_sd: float
    noise_sd: float
    seasonal_amplitude: float
    month_sd: float
    decimals: int


DEFAULT_OUTCOMES: tuple[OutcomeEffect, ...] = (
    OutcomeEffect("exit_job_education", 0.060, -0.012, -0.003, 0.008, 0.006, 0.004, 0.002, 5),
    OutcomeEffect("exit_fleksjob", 0.0045, -0.0006, -0.0001, 0.0006, 0.0005, 0.0, 0.0001, 5),
    OutcomeEffect("exit_foertidspension", 0.0035, 0.0, 0.0, 0.0005, 0.0004, 0.0, 0.0001, 5),
    OutcomeEffect("exit_ressourceforloeb", 0.005, -0.0008, 0.0, 0.0007, 0.0005, 0.0, 0.0001, 5),
    OutcomeEffect("meetings_on_time", 0.75, -0.06, -0.01, 0.03, 0.02, 0.01, 0.005, 5),
    OutcomeEffect("company_placements", 0.20, -0.03, -0.005, 0.025, 0.012, 0.008, 0.004, 5),
    OutcomeEffect("preparatory_plans", 8.0, -3.0, 0.3, 1.2, 0.8, 0.4, 0.2, 3),
    OutcomeEffect("staff_sick_days", 1.0, 0.35, 0.02, 0.12, 0.12, 0.15, 0.03, 3),
    OutcomeEffect("staff_turnover", 0.18, 0.06, 0.0, 0.02, 0.015, 0.0, 0.003, 5),
)

#: (municipality code, start month) of the units that adopt a lower caseload.
DEFAULT_ADOPTERS: tuple[tuple[int, str], ...] = (
    (751, "2023-01"),  # Aarhus
    (461, "2023-01"),  # Odense
    (740, "2023-01"),  # Silkeborg
    (851, "2024-07"),  # Aalborg
    (630, "2024-07"),  # Vejle
    (730, "2024-07"),  # Randers
    (561, "2025-01"),  # Esbjerg
    (615, "2025-01"),  # Horsens
)


@dataclass(frozen=True)
class SimulationConfig:
    """Every knob of the simulation; the defaults produce the committed demo panel."""

    seed: int = DEFAULT_SEED
    trial_start: str = "2024-01"
    municipalities: tuple[int, ...] | None = None  # None: all 98
    units_scale: float = 2.0
    max_units: int = 8
    reference_caseload: float = 150.0
    reference_unemployment: float = 3.0
    koebenhavn_caseload_before: float = 200.0
    koebenhavn_caseload_after: float = 125.0
    trial_caseload: float = 50.0
    adopter_caseload: float = 60.0
    adopters: tuple[tuple[int, str], ...] = DEFAULT_ADOPTERS
    caseload_unemployment_slope: float = 0.06  # delta: log points per pct. point
    unit_caseload_sd: float = 0.15  # s_kappa
    caseload_noise_sd: float = 0.06  # sigma_c
    trial_caseload_noise_sd: float = 0.02  # sigma_f
    caseload_rho: float = 0.6
    outcome_rho: float = 0.5
    unit_confounding: float = 0.7  # r
    fte_range: tuple[float, float] = (4.0, 14.0)
    outcomes: tuple[OutcomeEffect, ...] = DEFAULT_OUTCOMES


# --- the real unemployment rates ------------------------------------------------------


@cache
def _default_unemployment(paths: ProjectPaths) -> pd.DataFrame:
    """The real municipal unemployment rate and implied labour force per month."""
    from analysis.data.jobindsats import labour_force, load_snapshot

    return labour_force(load_snapshot(paths.jobindsats_snapshot))


# --- the simulation ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Who is simulated: municipalities, months, units and their trials."""

    codes: np.ndarray  # (M,)
    periods: pd.PeriodIndex  # (T,)
    rate: np.ndarray  # (M, T) unemployment rate
    unit_muni: np.ndarray  # (N,) index into codes
    unit_names: list[str]
    start: np.ndarray  # (N,) index of the trial start month, -1 for never treated
    target: np.ndarray  # (N,) caseload norm from the start, NaN for never treated


def simulate_caseloads(
    config: SimulationConfig | None = None, unemployment: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, dict]:
    """Simulate the caseload panel and return it with its true parameters.

    ``unemployment`` has columns municipality_code, period (Period[M]),
    unemployment_rate (percent) and labour_force; default: read from the Jobindsats
    snapshot. Pass it in when calling many times (Monte Carlo): the function then
    touches no files and is deterministic for ``config.seed``.
    """
    config = config or SimulationConfig()
    if unemployment is None:
        unemployment = _default_unemployment(get_paths())
    layout = _layout(config, unemployment)
    rng = np.random.default_rng(config.seed)
    n_units, n_months = len(layout.unit_names), len(layout.periods)
    z = rng.standard_normal(n_units)
    fte = np.round(rng.uniform(*config.fte_range, size=n_units), 1)
    log_ordinary, log_trial = _log_caseloads(config, layout, z, rng)
    month = np.arange(n_months)[None, :]
    treated_now = (layout.start[:, None] >= 0) & (month >= layout.start[:, None])
    caseload = _reported(np.where(treated_now, log_trial, log_ordinary), fte)
    counterfactual = _reported(log_ordinary, fte)
    rate = layout.rate[layout.unit_muni]
    outcomes, clipped = _outcomes(config, layout, caseload, rate, z, rng)
    panel = _assemble(layout, caseload, fte, rate, outcomes)
    truth = _truth(config, layout, caseload, counterfactual, treated_now, clipped, panel)
    return panel, truth


def _layout(config: SimulationConfig, unemployment: pd.DataFrame) -> _Layout:
    table = unemployment.pivot_table(
        index="municipality_code", columns="period", values="unemployment_rate", aggfunc="mean"
    )
    labour = unemployment.groupby("municipality_code")["labour_force"].mean()
    wanted = table.index if config.municipalities is None else pd.Index(config.municipalities)
    unknown = sorted(set(wanted) - set(table.index))
    if unknown:
        raise InputError.single(
            _CONFIG_SOURCE,
            "municipalities without unemployment data",
            column="municipalities",
            expected="codes of the 98 municipalities",
            found=unknown,
        )
    table = table.loc[sorted(set(wanted))]
    if table.isna().to_numpy().any() or table.shape[1] < 2:
        raise InputError.single(
            _CONFIG_SOURCE,
            "the unemployment rate has gaps",
            expected="a rate for every municipality and month",
            found=int(table.isna().sum().sum()),
        )
    periods = pd.PeriodIndex(table.columns, freq="M")
    codes = table.index.to_numpy(dtype=np.int64)
    sizes = np.sqrt(labour.loc[codes].to_numpy() / 10_000)
    n_units = np.clip(np.round(config.units_scale * sizes), 1, config.max_units).astype(int)
    unit_muni = np.repeat(np.arange(len(codes)), n_units)
    names = [f"team_{i + 1:02d}" for n in n_units for i in range(n)]
    start = np.full(len(names), -1)
    target = np.full(len(names), np.nan)
    last_unit = np.cumsum(n_units) - 1
    trials = {KOEBENHAVN: (config.trial_start, config.trial_caseload, TRIAL_UNIT)}
    for code, month in config.adopters:
        trials.setdefault(int(code), (month, config.adopter_caseload, ADOPTER_UNIT))
    for m, code in enumerate(codes):
        if int(code) in trials:
            month, norm, name = trials[int(code)]
            unit = last_unit[m]
            names[unit] = name
            start[unit] = _month_index(periods, month)
            target[unit] = norm
    return _Layout(codes, periods, table.to_numpy(dtype=float), unit_muni, names, start, target)


def _month_index(periods: pd.PeriodIndex, month: str) -> int:
    try:
        period = parse_period(month)
    except ParseError as exc:
        raise InputError.single(_CONFIG_SOURCE, str(exc), column="trial_start") from None
    if period.freqstr != "M" or period not in periods or period == periods[0]:
        raise InputError.single(
            _CONFIG_SOURCE,
            "a trial must start inside the data window, after its first month",
            column="trial_start",
            expected=f"a month from {periods[1]} to {periods[-1]}",
            found=month,
        )
    return int(periods.get_loc(period))


def _ar1(rng: np.random.Generator, shape: tuple[int, ...], rho: float, sd: float) -> np.ndarray:
    """Stationary AR(1) series along the last axis with marginal sd ``sd``."""
    shocks = rng.standard_normal(shape)
    out = np.empty(shape)
    out[..., 0] = sd * shocks[..., 0]
    scale = sd * math.sqrt(1 - rho**2)
    for t in range(1, shape[-1]):
        out[..., t] = rho * out[..., t - 1] + scale * shocks[..., t]
    return out


def _log_caseloads(
    config: SimulationConfig, layout: _Layout, z: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Log caseload without the unit's own trial (ordinary) and under its trial norm."""
    shape = (len(layout.unit_names), len(layout.periods))
    rate = layout.rate[layout.unit_muni]
    base = np.full(shape, math.log(config.reference_caseload))
    centre = np.full((shape[0], 1), config.reference_unemployment)
    unit_effect = config.unit_caseload_sd * z
    in_kbh = layout.codes[layout.unit_muni] == KOEBENHAVN
    if in_kbh.any():
        # København manages its ordinary units to the municipal norm: no unit deviation,
        # unemployment measured from its own mean, so the norm is the average caseload.
        after = np.arange(shape[1]) >= _month_index(layout.periods, config.trial_start)
        before_norm = math.log(config.koebenhavn_caseload_before)
        base[in_kbh] = np.where(after, math.log(config.koebenhavn_caseload_after), before_norm)
        centre[in_kbh] = rate[in_kbh].mean()
        unit_effect = np.where(in_kbh, 0.0, unit_effect)
    ordinary = (
        base
        + config.caseload_unemployment_slope * (rate - centre)
        + unit_effect[:, None]
        + _ar1(rng, shape, config.caseload_rho, config.caseload_noise_sd)
    )
    noise = _ar1(rng, shape, config.caseload_rho, config.trial_caseload_noise_sd)
    norm = np.where(np.isnan(layout.target), config.reference_caseload, layout.target)
    return ordinary, np.log(norm)[:, None] + noise


def _reported(log_caseload: np.ndarray, fte: np.ndarray) -> np.ndarray:
    """Caseload as a job centre reports it: whole cases over FTE, two decimals."""
    cases = np.round(np.exp(log_caseload) * fte[:, None])
    return np.round(cases / fte[:, None], 2)


def _outcomes(
    config: SimulationConfig,
    layout: _Layout,
    caseload: np.ndarray,
    rate: np.ndarray,
    z: np.ndarray,
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    n_units, n_months = caseload.shape
    log_c = np.log(caseload) - math.log(config.reference_caseload)
    u_dev = rate - config.reference_unemployment
    season = np.sin(2 * np.pi * (layout.periods.month.to_numpy() - 1) / 12)
    r = config.unit_confounding
    values: dict[str, np.ndarray] = {}
    clipped: dict[str, int] = {}
    for effect in config.outcomes:
        direction = 1.0 if effect.beta_log_caseload >= 0 else -1.0
        v = rng.standard_normal(n_units)
        alpha = effect.unit_sd * (r * direction * z + math.sqrt(1 - r**2) * v)
        tau = effect.seasonal_amplitude * season + effect.month_sd * rng.standard_normal(n_months)
        eps = _ar1(rng, (n_units, n_months), config.outcome_rho, effect.noise_sd)
        y = (
            effect.mean
            + effect.beta_log_caseload * log_c
            + effect.beta_unemployment * u_dev
            + alpha[:, None]
            + tau[None, :]
            + eps
        )
        y = np.round(y, effect.decimals)
        upper = 1.0 if STANDARD_OUTCOMES[effect.name].is_share else np.inf
        clipped[effect.name] = int(((y < 0) | (y > upper)).sum())
        values[effect.name] = np.clip(y, 0.0, upper)
    return values, clipped


def _assemble(
    layout: _Layout,
    caseload: np.ndarray,
    fte: np.ndarray,
    rate: np.ndarray,
    outcomes: dict[str, np.ndarray],
) -> pd.DataFrame:
    """The long panel in the contract's column order, sorted by municipality, unit and
    month (the form :func:`validate_caseload_panel` returns)."""
    n_units, n_months = caseload.shape
    unit_names = np.array(layout.unit_names, dtype=object)
    ordinals = layout.periods.asi8
    start_ordinals = np.where(layout.start >= 0, ordinals[layout.start], np.iinfo(np.int64).min)
    frame = pd.DataFrame(
        {
            "municipality_code": np.repeat(layout.codes[layout.unit_muni], n_months),
            "unit": pd.array(np.repeat(unit_names, n_months), dtype="str"),
            "period": pd.PeriodIndex.from_ordinals(np.tile(ordinals, n_units), freq="M"),
            "caseload": caseload.ravel(),
            "cases": np.round(caseload * fte[:, None]).ravel(),
            "caseworkers_fte": np.repeat(fte, n_months),
            "treated": np.repeat((layout.start >= 0).astype(np.int64), n_months),
            "trial_start": pd.PeriodIndex.from_ordinals(
                np.repeat(start_ordinals, n_months), freq="M"
            ),
            "data_origin": pd.array(["simulated"] * (n_units * n_months), dtype="str"),
            **{name: y.ravel() for name, y in outcomes.items()},
            "unemployment_rate": rate.ravel(),
        }
    )
    frame["municipality_code"] = frame["municipality_code"].astype("int64")
    frame = frame.sort_values(["municipality_code", "unit", "period"], kind="stable")
    return frame.reset_index(drop=True)


# --- the truth ------------------------------------------------------------------------------


def _truth(
    config: SimulationConfig,
    layout: _Layout,
    caseload: np.ndarray,
    counterfactual: np.ndarray,
    treated_now: np.ndarray,
    clipped: dict[str, int],
    panel: pd.DataFrame,
) -> dict:
    betas = {e.name: e.beta_log_caseload for e in config.outcomes}
    # The module's old name below is kept so that the committed truth file stays byte for
    # byte the same (its hash is part of every report's footer).
    return {
        "description": (
            "SIMULATED caseload panel (data_origin = simulated). Not real data: no public "
            "caseload data per municipality exist. Only the unemployment rates are real "
            "(Jobindsats y25i01). See the DGP in analysis/simulate.py and README.md."
        ),
        "generator": "analysis.simulate.simulate_caseloads",
        "seed": config.seed,
        "window": {
            "first": str(layout.periods[0]),
            "last": str(layout.periods[-1]),
            "months": len(layout.periods),
        },
        "size": {
            "rows": len(panel),
            "units": len(layout.unit_names),
            "municipalities": len(layout.codes),
            "treated_units": int((layout.start >= 0).sum()),
        },
        "ar_rho": {"outcomes": config.outcome_rho, "caseload": config.caseload_rho},
        "outcomes": {
            e.name: {
                "beta_log_caseload": e.beta_log_caseload,
                "beta_unemployment_rate": e.beta_unemployment,
                "mean_at_reference": e.mean,
                "unit_sd": e.unit_sd,
                "noise_sd": e.noise_sd,
                "seasonal_amplitude": e.seasonal_amplitude,
                "month_sd": e.month_sd,
                "clipped_values": clipped[e.name],
            }
            for e in config.outcomes
        },
        "trial_start": config.trial_start,
        "trial_note": (
            "The Copenhagen trial began in January 2018; the simulation shifts its start "
            "into the data window. From the start the trial unit works at the trial norm "
            "and København's ordinary units fall from about 200 to about 125 cases."
        ),
        "koebenhavn_did": _koebenhavn_did(config, layout, caseload, betas),
        "staggered_cohorts": _cohorts(layout, caseload, counterfactual, treated_now, betas),
        "staggered_note": (
            "Each cohort's counterfactual is the unit's own path without its trial. For the "
            "København cohort that path already falls to about 125 at the start, as for all "
            "København units; a 0/1 design comparing forsoeg with units outside København "
            "also picks up that shared fall (about beta × log(125/200))."
        ),
        "config": _plain(asdict(config)),
    }


def _koebenhavn_did(
    config: SimulationConfig, layout: _Layout, caseload: np.ndarray, betas: dict[str, float]
) -> dict | None:
    in_kbh = layout.codes[layout.unit_muni] == KOEBENHAVN
    trial = in_kbh & (layout.start >= 0)
    if not trial.any() or not (in_kbh & ~trial).any():
        return None
    post = np.arange(len(layout.periods)) >= layout.start[trial][0]
    logs = np.log(caseload)

    def change(rows: np.ndarray) -> float:
        return float(logs[rows][:, post].mean() - logs[rows][:, ~post].mean())

    delta = change(trial) - change(in_kbh & ~trial)
    nominal = math.log(config.trial_caseload / config.koebenhavn_caseload_before) - math.log(
        config.koebenhavn_caseload_after / config.koebenhavn_caseload_before
    )
    return {
        "treated_unit": TRIAL_UNIT,
        "controls": "the other København units (their caseload also falls at the start)",
        "formula": (
            "beta × [(mean log caseload of forsoeg, post − pre) − (mean log caseload of "
            "the other København units, post − pre)] ≈ beta × [log(50/200) − log(125/200)]"
        ),
        "mean_caseload": {
            "trial_pre": float(caseload[trial][:, ~post].mean()),
            "trial_post": float(caseload[trial][:, post].mean()),
            "ordinary_pre": float(caseload[in_kbh & ~trial][:, ~post].mean()),
            "ordinary_post": float(caseload[in_kbh & ~trial][:, post].mean()),
        },
        "delta_log_caseload": delta,
        "nominal_delta_log_caseload": nominal,
        "implied_effect": {name: beta * delta for name, beta in betas.items()},
    }


def _cohorts(
    layout: _Layout,
    caseload: np.ndarray,
    counterfactual: np.ndarray,
    treated_now: np.ndarray,
    betas: dict[str, float],
) -> dict:
    """Per start month: mean over post-start unit-months of log C1 − log C0, times beta."""
    gap = np.log(caseload) - np.log(counterfactual)
    out: dict[str, dict] = {}
    for start in sorted({int(s) for s in layout.start if s >= 0}):
        units = np.flatnonzero(layout.start == start)
        mean_gap = float(gap[units][treated_now[units]].mean())
        out[str(layout.periods[start])] = {
            "units": [f"{layout.codes[layout.unit_muni[u]]}/{layout.unit_names[u]}" for u in units],
            "post_unit_months": int(treated_now[units].sum()),
            "mean_delta_log_caseload": mean_gap,
            "implied_att": {name: beta * mean_gap for name, beta in betas.items()},
        }
    return out


def _plain(value: object) -> object:
    """YAML-safe builtins, floats rounded to 10 significant digits (stable bytes)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(f"{float(value):.10g}") + 0.0  # + 0.0 turns -0.0 into 0.0
    return value


# --- writing ---------------------------------------------------------------------------


def panel_to_csv(panel: pd.DataFrame, config: SimulationConfig) -> str:
    """The panel as CSV text with fixed column order and number formats (same bytes for
    the same panel)."""
    decimals = {e.name: e.decimals for e in config.outcomes}
    text = {
        "municipality_code": panel["municipality_code"].astype(str),
        "unit": panel["unit"].astype(str),
        "period": panel["period"].dt.strftime("%Y-%m"),
        "caseload": panel["caseload"].map("{:.2f}".format),
        "cases": panel["cases"].map("{:.0f}".format),
        "caseworkers_fte": panel["caseworkers_fte"].map("{:.1f}".format),
        "treated": panel["treated"].astype(str),
        "trial_start": panel["trial_start"].dt.strftime("%Y-%m").fillna(""),
        "data_origin": panel["data_origin"].astype(str),
    }
    for name, places in decimals.items():
        text[name] = panel[name].map(f"{{:.{places}f}}".format)
    text["unemployment_rate"] = panel["unemployment_rate"].map("{:.1f}".format)
    return pd.DataFrame(text).to_csv(index=False, lineterminator="\n")


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a value used twice in full both times: the truth files are read by
    :mod:`analysis.yamlio`, which refuses aliases (``&id001`` / ``*id001``)."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def truth_yaml(truth: object, header: str) -> str:
    """A truth file's text: ``header`` (comment lines), then the plain values, no aliases."""
    return header + yaml.dump(
        truth,
        Dumper=_NoAliasDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def truth_to_yaml(truth: dict) -> str:
    header = "# SIMULATED data: true parameters of data/raw/caseloads/simulated_caseloads.csv\n"
    return truth_yaml(_plain(truth), header)


def write_simulation(
    paths: ProjectPaths | None = None,
    config: SimulationConfig | None = None,
    output: Path | str | None = None,
    *,
    survey_folder: Path | str | None = None,
) -> tuple[Path, Path]:
    """Simulate, validate against the data contract and write the CSV and the truth
    YAML atomically. ``output`` overrides the CSV path; the truth file goes beside it
    as ``<stem>_truth.yaml``. Returns (csv path, truth path).

    With ``survey_folder`` (a folder holding ``items.yaml``, e.g. ``data/raw/surveys``)
    the simulated citizen and staff surveys that answer its items for this panel's units
    are written there too, each with its truth file
    (:mod:`analysis.data.simulate_surveys`; :func:`survey_files` names them)."""
    paths = paths or get_paths()
    config = config or SimulationConfig()
    csv_path = Path(output) if output is not None else paths.simulated_caseloads
    truth_path = (
        csv_path.with_name(f"{csv_path.stem}_truth.yaml")
        if output is not None
        else paths.simulated_truth
    )
    panel, truth = simulate_caseloads(config, _default_unemployment(paths))
    validate_caseload_panel(panel, source="simulated panel")
    truth["unemployment_source"] = (
        f"{paths.jobindsats_snapshot.name} (Jobindsats y25i01 totalRate; real data)"
    )
    survey_texts = {}
    if survey_folder is not None:
        survey_texts = _survey_texts(panel, Path(survey_folder), config.seed)
    atomic_write_text(csv_path, panel_to_csv(panel, config))
    atomic_write_text(truth_path, truth_to_yaml(truth))
    for name, text in survey_texts.items():
        atomic_write_text(Path(survey_folder) / name, text)
    return csv_path, truth_path


def _survey_texts(panel: pd.DataFrame, folder: Path, seed: int) -> dict[str, str]:
    """File name -> text of the simulated surveys answering the items in ``folder``."""
    from analysis.data.simulate_surveys import SurveySimulationConfig, survey_demo_texts
    from analysis.data.survey_items import load_survey_items
    from analysis.data.surveys import ITEMS_FILE

    items = load_survey_items(folder / ITEMS_FILE)
    return survey_demo_texts(panel, items, SurveySimulationConfig(seed=seed), plain=_plain)


def survey_files(folder: Path | str) -> list[Path]:
    """The files :func:`write_simulation` writes into a survey folder."""
    from analysis.data.simulate_surveys import DEFAULT_DESIGNS

    folder = Path(folder)
    names = [d.file for d in DEFAULT_DESIGNS]
    return [p for name in names for p in (folder / name, folder / f"{Path(name).stem}_truth.yaml")]
