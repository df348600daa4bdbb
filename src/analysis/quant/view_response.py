"""What the pages show about survey response: the dropped unit-months, response rates by
period, caseload band and unit, the warning when response moves with caseload, and the
value goals' slopes under the extreme assumptions about non-respondents. Tables and texts
only (re-exported by :mod:`analysis.quant.view`, the one module the notebooks import)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.data.caseloads import SURVEY_OUTCOMES
from analysis.data.reference import municipality_name
from analysis.data.survey_summaries import response_summary
from analysis.formatting import format_number, format_percent
from analysis.labels import t
from analysis.quant import specs as S
from analysis.quant.compute import QuantResults
from analysis.quant.results import outcome_label, ten_fewer_factor
from analysis.quant.texts import p_text
from analysis.quant.view_select import Table, table_of


def _table(frame: pd.DataFrame, name: str, language: str) -> Table:
    return table_of(frame, name, language)


def _empty(name: str) -> Table:
    return Table(pd.DataFrame(), name)


def _survey_name(survey: str, language: str) -> str:
    return t(f"data.survey.{survey}", language)


def _response(results: QuantResults, municipality: int | None = None) -> pd.DataFrame:
    frame = results.response
    if frame.empty:
        return frame
    if municipality is not None:
        frame = frame[frame["municipality_code"] == int(municipality)]
    return frame


def dropped_text(results: QuantResults, language: str, municipality: int | None = None) -> str:
    """How many unit-months each survey left out for fewer than 5 respondents (empty
    without surveys)."""
    frame = _response(results, municipality)
    if frame.empty:
        return ""
    counts = frame.groupby("survey", sort=True)["dropped"].agg(["sum", "size"])
    parts = [
        t(
            "quant.response.dropped_part",
            language,
            survey=_survey_name(str(survey), language).lower(),
            dropped=format_number(int(row["sum"]), language, decimals=0),
            total=format_number(int(row["size"]), language, decimals=0),
        )
        for survey, row in counts.iterrows()
    ]
    if municipality is None:
        return t("quant.response.dropped", language, parts="; ".join(parts))
    name = municipality_name(int(municipality))
    return t("quant.response.dropped_own", language, parts="; ".join(parts), name=name)


def caution(results: QuantResults, language: str) -> str:
    """What a warning means for the value goals (once, after the warnings; empty when
    there is none)."""
    return t("quant.response.caution", language) if warnings(results, language) else ""


def warnings(results: QuantResults, language: str) -> list[str]:
    """One warning per survey whose response rate or dropped unit-months move with
    caseload (p < 0.05); :func:`caution` says what it means for the value goals."""
    checks = results.response_checks
    if checks.empty:
        return []
    out = []
    for survey, rows in checks[checks["moves"].astype(bool)].groupby("survey", sort=True):
        parts = []
        for row in rows.itertuples(index=False):
            change = row.estimate * math.log(1.1) * 100  # per 10 % higher caseload, pp
            parts.append(
                t(
                    f"quant.response.moves_{row.measure}",
                    language,
                    change=format_number(change, language, decimals=1, sign=True),
                    p=p_text(row.p_value, language),
                )
            )
        out.append(
            t(
                "quant.response.warning",
                language,
                survey=_survey_name(str(survey), language).lower(),
                moves="; ".join(parts),
            )
        )
    return out


def by_period(results: QuantResults, language: str):
    """Response by survey and month over all units: unit-months, those left out,
    persons invited and answering, the response rate."""
    frame = _response(results)
    if frame.empty:
        return _empty("quant-response-period")
    summary = response_summary(frame, ["survey", "period"])
    return _table(_display(summary, language, ("survey", "period")), "quant-response-period",
                  language)  # fmt: skip


def by_band(results: QuantResults, language: str):
    """Response by survey and caseload band: does it fall where caseloads are high?"""
    frame = _response(results)
    if frame.empty or frame["caseload"].isna().all():
        return _empty("quant-response-band")
    bands = S.caseload_bands()
    labels = {b.term: b.label() for b in bands}
    edges = [0.0, *S.DEFAULT_CONFIG.band_edges, math.inf]
    band = pd.cut(frame["caseload"], edges, labels=[b.term for b in bands], right=True)
    summary = response_summary(frame.assign(band=band.astype(str)), ["survey", "band"])
    summary = summary[summary["band"].isin(labels)]
    summary["band"] = pd.Categorical(summary["band"], [b.term for b in bands], ordered=True)
    summary = summary.sort_values(["survey", "band"])
    summary["band"] = summary["band"].astype(str).map(labels)
    return _table(_display(summary, language, ("survey", "band")), "quant-response-band",
                  language)  # fmt: skip


def by_unit(results: QuantResults, municipality: int, language: str):
    """Response in the municipality's units: months surveyed, months left out (< 5
    respondents), the response rate and the mean caseload (no person counts)."""
    frame = _response(results, municipality)
    if frame.empty:
        return _empty("quant-response-units")
    summary = response_summary(frame, ["survey", "unit"])
    shown = pd.DataFrame(
        {
            t("data.survey.col.survey", language): summary["survey"].map(
                lambda s: _survey_name(s, language)
            ),
            t("data.survey.col.unit", language): summary["unit"],
            t("quant.response.col.months", language): summary["unit_months"],
            t("quant.response.col.dropped", language): summary["dropped"],
            t("quant.response.col.rate", language): summary["response_rate"] * 100,
            t("quant.col.caseload_mean", language): summary["caseload"],
        }
    )
    return _table(shown, "quant-response-units", language)


def _display(summary: pd.DataFrame, language: str, keys: tuple[str, str]) -> pd.DataFrame:
    second = {
        "period": t("common.period", language),
        "band": t("quant.response.col.band", language),
    }[keys[1]]
    return pd.DataFrame(
        {
            t("data.survey.col.survey", language): summary["survey"].map(
                lambda s: _survey_name(s, language)
            ),
            second: summary[keys[1]].astype(str),
            t("quant.response.col.months", language): summary["unit_months"],
            t("quant.response.col.dropped", language): summary["dropped"],
            t("quant.response.col.invited", language): summary["invited"].astype("int64"),
            t("quant.response.col.answered", language): summary["respondents"].astype("int64"),
            t("quant.response.col.rate", language): summary["response_rate"] * 100,
        }
    ).reset_index(drop=True)


def bounds_text(results: QuantResults, language: str) -> str:
    """What the bounds table shows (empty without it)."""
    if results.response_bounds.empty:
        return ""
    return t("quant.response.bounds", language)


def bounds_table(results: QuantResults, language: str):
    """Each value goal's effect of 10 fewer cases (pp) as answered (with its 95 %
    interval), if the non-respondents agreed 10 pp less or more than the respondents, and
    the range whatever they think (:func:`analysis.quant.nonresponse.bound_estimates`)."""
    bounds = results.response_bounds
    if bounds.empty:
        return _empty("quant-response-bounds")
    rows = []
    for goal in [g for g in SURVEY_OUTCOMES if g in set(bounds["outcome"])]:
        own = bounds[bounds["outcome"] == goal].set_index("scenario")["estimate"]
        first = bounds[bounds["outcome"] == goal].iloc[0]
        factor = ten_fewer_factor(S.TERM_LOG, float(first["caseload_mean"])) * 100
        answered = bounds[(bounds["outcome"] == goal) & (bounds["scenario"] == "answered")]
        record = {t("quant.col.outcome", language): outcome_label(goal, language)}
        if not answered.empty:
            row = answered.iloc[0]
            low, high = sorted([row["ci_low"] * factor, row["ci_high"] * factor])
            record[t("quant.response.scenario.answered", language)] = (
                f"{_pp(row['estimate'] * factor, language)} ({_pp(low, language)} "
                f"{t('quant.response.to', language)} {_pp(high, language)})"
            )
        for key, (a, b) in {"gap": ("gap_less", "gap_more"),
                            "worst": ("worst_low", "worst_high")}.items():  # fmt: skip
            if a in own.index and b in own.index:
                ends = sorted([own[a] * factor, own[b] * factor])
                record[t(f"quant.response.scenario.{key}", language)] = (
                    f"{_pp(ends[0], language)} {t('quant.response.to', language)} "
                    f"{_pp(ends[1], language)}"
                )
        rows.append(record)
    return _table(pd.DataFrame(rows), "quant-response-bounds", language)


def _pp(value: float, language: str) -> str:
    return format_number(value, language, decimals=2)


def rate_percent(value: float, language: str) -> str:
    return format_percent(value * 100, language, decimals=0)


@dataclass(frozen=True)
class Item:
    """One piece of the response section, in page order: ``kind`` is ``heading``,
    ``text``, ``warning`` or ``table`` (with its Table and the summary of its closed
    ``<details>``, None for an open table)."""

    kind: str
    text: str = ""
    table: object = None
    summary: str | None = None


def section(results: QuantResults, language: str, municipality: int | None = None) -> list[Item]:
    """The "Who answers?" part of a page, in order (empty without surveys): the
    unit-months left out, the warnings and what they mean, response by caseload band and
    by month (national report) or by unit (a municipality), and the sensitivity table
    (national report)."""
    dropped = dropped_text(results, language, municipality)
    if not dropped:
        return []
    alerts = warnings(results, language)
    if municipality is not None:
        # a municipality's page: its own counts and units; the national check only as a
        # pointer in the same paragraph (the national text is not repeated on 98 pages)
        if alerts:
            dropped = f"{dropped} {t('quant.response.see_national', language)}"
        items = [Item("text", dropped)]
        table = by_unit(results, municipality, language)
        if not table.empty:
            summary = t("quant.details.response_units", language,
                        name=municipality_name(int(municipality)))  # fmt: skip
            items.append(Item("table", table=table, summary=summary))
        return items
    items = [Item("heading", t("quant.h.response", language)), Item("text", dropped)]
    items += [Item("warning", text) for text in alerts]
    if alerts:
        items.append(Item("text", caution(results, language)))
    elif not results.response_checks.empty:
        items.append(Item("text", t("quant.response.no_warning", language)))
    for table, key in (
        (by_band(results, language), "quant.details.response_band"),
        (by_period(results, language), "quant.details.response_period"),
    ):
        if not table.empty:
            items.append(Item("table", table=table, summary=t(key, language)))
    bounds = bounds_table(results, language)
    if not bounds.empty:
        items += [Item("text", bounds_text(results, language)), Item("table", table=bounds)]
    return items
