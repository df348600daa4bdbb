"""What a report reader sees of a scorecard: the display table (styled like KLK's, with
text as well as colour), one plain-language sentence per indicator in Danish or English,
and the savings table.

Colour never carries meaning alone: every coloured cell also says "Bedre"/"Dårligere"/
"Samme" in words, arrows come with their meaning in the legend, and missing data is
written out ("Ingen data") with the reason in the note column. Every percentage has the
persons behind it beside it; a figure resting on fewer than 20 persons has no arrow and no
colour ("Ingen vurdering"), with the reason.
"""

from __future__ import annotations

import pandas as pd

from analysis import nb
from analysis.benchmark.clusters import ComparisonGroup, GroupFit
from analysis.benchmark.indicators import CATALOGUE, PERCENT
from analysis.benchmark.savings import BenefitCost
from analysis.benchmark.scorecard import (
    ARROW_SYMBOLS,
    BETTER,
    NO_DATA,
    SAME,
    SMALL_BASE,
    SMALL_BASE_THRESHOLD,
    WORSE,
)
from analysis.formatting import MISSING, format_number, format_percent
from analysis.labels import t
from analysis.paths import SMALL_COUNT_THRESHOLD
from analysis.privacy import suppress_small_counts

#: Background colours (KLK: green better, orange worse, grey same); text stays black.
COLOURS = {BETTER: "#b9dfb9", WORSE: "#f8cf9c", SAME: "#dcdcdc"}


def format_level(value: float, indicator_id: str, language: str) -> str:
    """A level in the report's number format, a share with its per cent sign."""
    indicator = CATALOGUE[indicator_id]
    if indicator.unit == "pct":
        return format_percent(value, language, decimals=indicator.decimals)
    return format_number(value, language, decimals=indicator.decimals)


def format_development(value: float, indicator_id: str, language: str) -> str:
    """A development with its sign: per cent or percentage points."""
    indicator = CATALOGUE[indicator_id]
    if indicator.development == PERCENT:
        return format_percent(value, language, decimals=1, sign=True)
    number = format_number(value, language, decimals=1, sign=True)
    if number == MISSING:
        return number
    return f"{number} {t('benchmark.unit.points', language)}"


def format_period(period: str, language: str) -> str:
    """'2026-07' -> 'juli 2026' / 'July 2026'."""
    months = t("benchmark.months", language).split(",")
    value = pd.Period(period, freq="M")
    return f"{months[value.month - 1]} {value.year}"


def format_window(start: object, end: str, language: str) -> str:
    """The months a level averages: 'maj–juli 2026' ('May–July 2026'), 'november 2025–
    januar 2026' across a year, 'juli 2026' for one month (or without a start)."""
    if start is None or pd.isna(start) or str(start) in ("", str(end)):
        return format_period(end, language)
    months = t("benchmark.months", language).split(",")
    first, last = pd.Period(str(start), freq="M"), pd.Period(str(end), freq="M")
    if first.year == last.year:
        return f"{months[first.month - 1]}–{months[last.month - 1]} {last.year}"
    return f"{format_period(str(first), language)}–{format_period(str(last), language)}"


def _row_value(row: object, name: str, default: object = None) -> object:
    return getattr(row, name, default)


def persons_text(row: object, language: str, *, previous: bool = False) -> str:
    """The persons behind a figure: '1.000 fuldtidsledige' (a rate of the labour force)
    or 'af 1.549 fuldtidsmodtagere' (a share of those persons); '' without a count or a
    figure. Fewer than 5 persons are written '<5', as every count of persons is."""
    indicator = CATALOGUE[_row_value(row, "indicator")]
    value = _row_value(row, "previous_persons" if previous else "persons")
    level = _row_value(row, "previous_level" if previous else "level")
    if value is None or pd.isna(value) or not indicator.persons_measure:
        return ""
    if level is not None and pd.isna(level):
        return ""
    number = _persons_cell(value, language)
    key = "benchmark.persons.of" if indicator.persons_of else "benchmark.persons.count"
    return t(key, language, n=number, unit=indicator.persons_label(language))


def persons_change(row: object, language: str) -> str:
    """'928 → 1.000' (the persons a year before and now), '' without both counts."""
    before, now = _row_value(row, "previous_persons"), _row_value(row, "persons")
    if before is None or now is None or pd.isna(before) or pd.isna(now):
        return ""
    return f"{_persons_cell(before, language)} → {_persons_cell(now, language)}"


def note_text(note: str, language: str, indicator_id: str | None = None) -> str:
    """The scorecard's note codes ('small_count;series_break') as readable text; with
    ``indicator_id`` also why an indicator is shown but not counted in the tally."""
    parts = [p for p in str(note).split(";") if p]
    texts = [
        t(
            f"benchmark.note.{p}",
            language,
            threshold=SMALL_COUNT_THRESHOLD,
            base=SMALL_BASE_THRESHOLD,
        )
        for p in parts
    ]
    if indicator_id is not None:
        texts += [x for x in [counted_text(indicator_id, language)] if x]
    return "; ".join(texts)


def counted_text(indicator_id: str, language: str) -> str:
    """Why a tally leaves the indicator out ('' when it counts it)."""
    indicator = CATALOGUE[indicator_id]
    if indicator.process:
        return t("benchmark.note.process", language)
    if indicator.part_of:
        return t(
            "benchmark.note.part_of",
            language,
            whole=CATALOGUE[indicator.part_of].label(language),
        )
    return ""


def status_text(status: str, language: str) -> str:
    """A comparison's status in words ("● Bedre", "Ingen vurdering", ...)."""
    return t(f"benchmark.status.{status}", language, base=SMALL_BASE_THRESHOLD)


def framework_text(row: pd.Series | None, language: str) -> str:
    """'3,0 % (nr. 93 af 98, 90 %-interval nr. 80–97)': the level expected from the
    framework conditions by the model fitted without the municipality, and its rank with
    an interval (descriptive); 'ingen placering' below the cross-validated R² floor, a
    warning for high leverage; '–' without a model."""
    if row is None:
        return MISSING
    value = row.get("expected_loo")
    if value is None or pd.isna(value):
        value = row.get("expected")
    if value is None or pd.isna(value):
        return MISSING
    expected = format_level(value, row["indicator"], language)
    parts = []
    if not pd.isna(row.get("rank")):
        rank = t("benchmark.framework.rank_short", language, rank=int(row["rank"]),
                 n=int(row["n_ranked"]))  # fmt: skip
        if not pd.isna(row.get("rank_low")) and not pd.isna(row.get("rank_high")):
            rank += ", " + t(
                "benchmark.framework.rank_interval",
                language,
                low=int(row["rank_low"]),
                high=int(row["rank_high"]),
            )
        parts.append(rank)
    elif row.get("note") == "weak_model":
        parts.append(t("benchmark.framework.no_rank_short", language))
    if bool(row.get("high_leverage")):
        parts.append(t("benchmark.framework.high_leverage_short", language))
    return f"{expected} ({'; '.join(parts)})" if parts else expected


def _development_cell(row: object, language: str) -> str:
    development = format_development(row.development, row.indicator, language)
    if development == MISSING:
        return development
    text = f"{ARROW_SYMBOLS[row.arrow]} {development}".strip()
    counted_persons = not CATALOGUE[row.indicator].persons_of
    change = persons_change(row, language) if counted_persons else ""
    return f"{text} ({change})" if change else text


def _with_status(value: str, status: str, language: str) -> str:
    """'3,0 % · ● Dårligere': a comparison figure and its verdict in one cell."""
    word = status_text(status, language)
    if value == MISSING or word in ("", MISSING):
        return value if word in ("", MISSING) else word
    return f"{value} · {word}"


def display_table(
    scorecard: pd.DataFrame, language: str = "da", framework: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The scorecard as text, one row per indicator, with KLK's arrows and words: the
    municipality's figure with the persons behind it, the cluster and (in one cell each,
    figure and verdict) the whole country side by side, as KLK showed two groups; with
    ``framework`` (:func:`analysis.benchmark.framework.framework_column`) a column of the
    level expected from the framework conditions and the rank among the 98."""
    expected = {} if framework is None else {r["indicator"]: r for _, r in framework.iterrows()}
    has_country = "country_level" in scorecard and scorecard["country_level"].notna().any()
    rows = []
    for row in scorecard.itertuples(index=False):
        indicator = CATALOGUE[row.indicator]
        period = format_window(_row_value(row, "period_start"), row.period, language)
        level = format_level(row.level, row.indicator, language)
        persons = persons_text(row, language)
        cells = {
            t("benchmark.col.indicator", language): indicator.label(language),
            t("benchmark.col.period", language): period,
            t("benchmark.col.level", language): f"{level} ({persons})" if persons else level,
            t("benchmark.col.cluster_level", language): format_level(
                row.cluster_level, row.indicator, language
            ),
            t("benchmark.col.level_status", language): status_text(row.level_status, language),
        }
        if has_country:
            cells[t("benchmark.col.country_level", language)] = _with_status(
                format_level(row.country_level, row.indicator, language),
                row.country_level_status,
                language,
            )
        cells |= {
            t("benchmark.col.development", language): _development_cell(row, language),
            t("benchmark.col.cluster_development", language): format_development(
                row.cluster_development, row.indicator, language
            ),
            t("benchmark.col.development_status", language): status_text(
                row.development_status, language
            ),
        }
        if has_country:
            cells[t("benchmark.col.country_development", language)] = _with_status(
                format_development(row.country_development, row.indicator, language),
                row.country_development_status,
                language,
            )
        if framework is not None:
            cells[t("benchmark.framework.col.expected_short", language)] = framework_text(
                expected.get(row.indicator), language
            )
        cells[t("benchmark.col.note", language)] = note_text(row.note, language, row.indicator)
        rows.append(cells)
    return pd.DataFrame(rows)


def intro_text(
    name: str,
    group: ComparisonGroup,
    weighted: bool,
    language: str = "da",
    fit: GroupFit | None = None,
) -> str:
    """The section's opening paragraph: who is compared with whom, and how (plain text:
    :func:`analysis.reports.html.benchmark.intro_markdown` escapes it for the page); with
    ``fit`` each member's distance from the municipality in brackets."""
    names = list(group.member_names)
    if fit is not None and len(fit.distances) == len(names):
        names = [
            f"{member} ({format_number(distance, language, decimals=1)})"
            for member, distance in zip(names, fit.distances, strict=True)
        ]
    intro = t(
        "benchmark.intro",
        language,
        name=name,
        cluster=group.label(language),
        n=len(group.members),
        members=", ".join(names),
    )
    weighting = t("benchmark.weighted_note" if weighted else "benchmark.unweighted_note", language)
    parts = [intro]
    if fit is not None and len(fit.distances) == len(names):
        parts.append(
            t(
                "benchmark.distance_note",
                language,
                typical=format_number(fit.typical_mean, language, decimals=1),
            )
        )
    parts += [weighting, t("benchmark.seasonal_note", language)]
    return " ".join(parts)


def fit_text(
    fit: GroupFit | None, name: str, language: str = "da", group: ComparisonGroup | None = None
) -> str:
    """A warning when the comparison group fits poorly ('' when it fits): how far its
    members are, against a typical municipality's. Plain text, for :func:`analysis.nb.note`
    (which escapes it). ``group`` names the nearest member (else its code is shown)."""
    if fit is None or not fit.poor:
        return ""
    nearest = MISSING
    if fit.nearest_member is not None:
        nearest = str(fit.nearest_member)
        if group is not None and fit.nearest_member in group.members:
            nearest = group.member_names[group.members.index(fit.nearest_member)]
    return t(
        "benchmark.poor_fit",
        language,
        name=name,
        mean=format_number(fit.mean, language, decimals=1),
        nearest=nearest,
        nearest_distance=format_number(fit.nearest, language, decimals=1),
        typical_mean=format_number(fit.typical_mean, language, decimals=1),
        typical_nearest=format_number(fit.typical_nearest, language, decimals=1),
        threshold=format_number(fit.threshold, language, decimals=1),
    )


def _css(status: str) -> str:
    colour = COLOURS.get(status)
    return f"background-color: {colour}; color: #000000" if colour else ""


def styled_scorecard(
    scorecard: pd.DataFrame,
    language: str = "da",
    *,
    name: str = "benchmark-scorecard",
    framework: pd.DataFrame | None = None,
) -> pd.io.formats.style.Styler:
    """The display table with KLK's colours on the status and development cells (and the
    framework-adjusted column with ``framework``)."""
    table = display_table(scorecard, language, framework)
    coloured = {
        t("benchmark.col.level_status", language): "level_status",
        t("benchmark.col.development", language): "development_status",
        t("benchmark.col.development_status", language): "development_status",
        t("benchmark.col.country_level", language): "country_level_status",
        t("benchmark.col.country_development", language): "country_development_status",
    }
    statuses = {
        column: list(scorecard[source])
        for column, source in coloured.items()
        if column in table.columns and source in scorecard
    }

    def colours(frame: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for column, values in statuses.items():
            css[column] = [_css(s) for s in values]
        return css

    return nb.styled(table, name=name, language=language).apply(colours, axis=None)


def summary_sentences(
    scorecard: pd.DataFrame, name: str, cluster: str, language: str = "da"
) -> pd.DataFrame:
    """One plain-language sentence (or two) per indicator: level with the persons behind
    it against the cluster (and the whole country), then the development from the counts.
    Columns: indicator, text."""
    rows = []
    for row in scorecard.itertuples(index=False):
        indicator = CATALOGUE[row.indicator]
        label = indicator.label(language)
        period = format_window(_row_value(row, "period_start"), row.period, language)
        codes = ";".join(
            c
            for c in str(row.note).split(";")
            if c not in ("series_break", SMALL_BASE, f"previous_{SMALL_BASE}")
        )
        reason = note_text(codes, language) or t("benchmark.arrow.no_data", language)
        if row.level_status == NO_DATA:
            text = t(
                "benchmark.summary.level_no_data",
                language,
                indicator=label,
                period=period,
                reason=reason,
            )
        else:
            persons = persons_text(row, language)
            country = _row_value(row, "country_level")
            text = t(
                "benchmark.summary.level",
                language,
                indicator=label,
                name=name,
                level=format_level(row.level, row.indicator, language),
                persons=f" ({persons})" if persons else "",
                period=period,
                cluster_level=format_level(row.cluster_level, row.indicator, language),
                cluster=cluster,
                status=t(
                    f"benchmark.summary.level.{row.level_status}",
                    language,
                    base=SMALL_BASE_THRESHOLD,
                ),
                country=""
                if country is None or pd.isna(country)
                else t(
                    "benchmark.summary.country",
                    language,
                    level=format_level(country, row.indicator, language),
                ),
            )
        if row.arrow == NO_DATA:
            if row.level_status != NO_DATA:
                text += " " + t("benchmark.summary.development_no_data", language, reason=reason)
        else:
            development = format_development(row.development, row.indicator, language)
            change = persons_change(row, language) if not indicator.persons_of else ""
            change = f" ({change} {indicator.persons_label(language)})" if change else ""
            if row.arrow == SMALL_BASE:
                text += " " + t(
                    "benchmark.summary.development_small",
                    language,
                    development=development,
                    change=change,
                    base=SMALL_BASE_THRESHOLD,
                )
            else:
                cluster_development = format_development(
                    row.cluster_development, row.indicator, language
                )
                arrow_text = (
                    f"{ARROW_SYMBOLS[row.arrow]} {t(f'benchmark.arrow.{row.arrow}', language)}"
                )
                text += " " + t(
                    "benchmark.summary.development",
                    language,
                    development=development,
                    change=change,
                    arrow=arrow_text,
                    status=t(
                        f"benchmark.summary.development.{row.development_status}",
                        language,
                        cluster_development=cluster_development,
                        base=SMALL_BASE_THRESHOLD,
                    ),
                )
        if row.crosses_break:
            text += " " + t("benchmark.summary.break", language)
        aside = counted_text(row.indicator, language)
        if aside:
            text += " " + t("benchmark.summary.not_counted", language, reason=aside)
        rows.append({"indicator": row.indicator, "text": text})
    return pd.DataFrame(rows, columns=["indicator", "text"])


def savings_table(
    savings: pd.DataFrame, costs: dict[str, BenefitCost], language: str = "da"
) -> pd.DataFrame:
    """The savings potential per benefit for display (amounts in million kroner).

    Full-time persons are rounded to whole persons and counts below the small-count
    threshold are hidden by :func:`analysis.privacy.suppress_small_counts` ("<5"), as
    counts of persons are in every report table.
    """
    marker = f"<{SMALL_COUNT_THRESHOLD}"
    persons = pd.DataFrame({"n": savings["fulltime_recipients"].astype("float64").round()})
    hidden = suppress_small_counts(persons, ["n"], marker=marker)["n"]
    rows = []
    for row, count, hidden_count in zip(
        savings.itertuples(index=False), persons["n"], hidden, strict=True
    ):
        cost = costs[row.benefit]
        suppressed = isinstance(hidden_count, str) and hidden_count == marker
        shown = marker if suppressed else format_number(count, language, decimals=0)
        rows.append(
            {
                t("benchmark.col.benefit", language): cost.label(language),
                t("benchmark.col.fulltime", language): shown,
                t("benchmark.col.excess", language): format_number(
                    row.excess_fulltime, language, decimals=0
                ),
                t("benchmark.col.cost", language): format_number(
                    row.yearly_cost_per_fulltime, language, decimals=0
                ),
                t("benchmark.col.potential", language): format_number(
                    row.potential_dkk / 1e6, language, decimals=1
                ),
                t("benchmark.col.status", language): t(
                    "benchmark.param.sourced" if row.sourced else "benchmark.param.illustrative",
                    language,
                ),
            }
        )
    return pd.DataFrame(rows)


def _persons_cell(value: float, language: str) -> str:
    """Whole full-time persons, '<5' below the small-count threshold (as every report
    table hides small counts of persons)."""
    if value is None or pd.isna(value):
        return MISSING
    marker = f"<{SMALL_COUNT_THRESHOLD}"
    frame = pd.DataFrame({"n": [round(float(value))]}).astype("float64")
    hidden = suppress_small_counts(frame, ["n"], marker=marker)["n"].iloc[0]
    if isinstance(hidden, str) and hidden == marker:
        return marker
    return format_number(round(float(value)), language, decimals=0)


def _millions(value: float, language: str) -> str:
    return format_number(value / 1e6, language, decimals=1)


def savings_range_table(
    ranges: pd.DataFrame, costs: dict[str, BenefitCost], language: str = "da"
) -> pd.DataFrame:
    """The savings potential per benefit from 12-month averages (million kroner), with
    the lowest and highest single month, the full-time persons as Jobindsats publishes
    them and as rate x labour force (:func:`analysis.benchmark.savings.savings_range`)."""
    rows = []
    for row in ranges.itertuples(index=False):
        cost = costs[row.benefit]
        low, high = row.potential_low_dkk, row.potential_high_dkk
        spread = (
            MISSING
            if pd.isna(low) or pd.isna(high)
            else f"{_millions(low, language)}–{_millions(high, language)}"
        )
        rows.append(
            {
                t("benchmark.col.benefit", language): cost.label(language),
                t("benchmark.col.published", language): _persons_cell(
                    row.published_fulltime, language
                ),
                t("benchmark.col.computed", language): _persons_cell(
                    row.computed_fulltime, language
                ),
                t("benchmark.col.excess_short", language): format_number(
                    row.excess_fulltime, language, decimals=0
                ),
                t("benchmark.col.cost", language): format_number(
                    row.yearly_cost_per_fulltime, language, decimals=0
                ),
                t("benchmark.col.potential_12m", language): format_number(
                    row.potential_dkk / 1e6, language, decimals=1
                ),
                t("benchmark.col.potential_range", language): spread,
                t("benchmark.col.status", language): t(
                    "benchmark.param.sourced" if row.sourced else "benchmark.param.illustrative",
                    language,
                ),
            }
        )
    return pd.DataFrame(rows)


def savings_summary(ranges: pd.DataFrame, name: str, language: str = "da") -> str:
    """The savings potential in one line under its table: the total of the 12-month
    figures, the months, what the range is, the published counts, and that refusion and
    compensation are not deducted (plain text)."""
    periods = ranges[ranges["period"].ne("")]
    period = (
        format_window(periods["period_start"].iloc[0], periods["period"].iloc[0], language)
        if len(periods)
        else MISSING
    )
    total = ranges["potential_dkk"].sum(min_count=1)
    return t(
        "benchmark.savings.summary",
        language,
        name=name,
        period=period,
        total=format_number(total / 1e6 if not pd.isna(total) else total, language, decimals=1),
    )


def savings_caveats(
    ranges: pd.DataFrame, costs: dict[str, BenefitCost], language: str = "da"
) -> list[str]:
    """The savings potential's caveats in words: why 12 months and what the range is,
    the published count against rate x labour force, refusion and the municipal share
    assumed, and what the beskæftigelsestilskud and the budget guarantee mean."""
    texts = [t("benchmark.savings.months", language)]
    # the example: the benefit with the largest potential, else the largest difference
    order = ranges.assign(
        _potential=ranges["potential_dkk"].fillna(0),
        _gap=(ranges["latest_published"] - ranges["latest_computed"]).abs().fillna(0),
    ).sort_values(["_potential", "_gap"], ascending=False)
    for row in order.itertuples(index=False):
        if pd.isna(row.latest_published) or pd.isna(row.latest_computed):
            continue
        if round(row.latest_published) == round(row.latest_computed):
            continue
        texts.append(
            t(
                "benchmark.savings.published",
                language,
                benefit=costs[row.benefit].label(language).lower(),
                period=format_period(row.latest_period, language),
                published=_persons_cell(row.latest_published, language),
                computed=_persons_cell(row.latest_computed, language),
            )
        )
        break  # one example says it; the table shows both counts for every benefit
    shares = ", ".join(
        f"{cost.label(language).lower()} "
        + format_percent(cost.municipal_share.value * 100, language, decimals=0)
        for cost in costs.values()
    )
    texts.append(t("benchmark.savings.refusion", language, shares=shares))
    texts.append(t("benchmark.savings.compensation", language))
    return texts


#: KLK's symbols (Bilag 5): a circle for the level, an arrow for the development
LEVEL_SYMBOL = "⊙"
#: the shape twin of each colour: a sign in the circle, so that a comparison reads
#: without colour (greyscale, print, colour blindness): + better, − worse, = the same
STATUS_MARKS = {BETTER: "+", WORSE: "\u2212", SAME: "="}
#: a cell without a judgement (no data, too few persons, no direction)
NO_MARK = "–"
