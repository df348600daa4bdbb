"""What a report reader sees of a scorecard: the display table (styled like KLK's, with
text as well as colour), one plain-language sentence per indicator in Danish or English,
and the savings table.

Colour never carries meaning alone: every coloured cell also says "Bedre"/"Dårligere"/
"Samme" in words, arrows come with their meaning in the legend, and missing data is
written out ("Ingen data") with the reason in the note column.
"""

from __future__ import annotations

import pandas as pd

from analysis import nb
from analysis.benchmark.clusters import ComparisonGroup
from analysis.benchmark.indicators import CATALOGUE, PERCENT
from analysis.benchmark.savings import BenefitCost
from analysis.benchmark.scorecard import ARROW_SYMBOLS, BETTER, NO_DATA, SAME, WORSE
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


def note_text(note: str, language: str) -> str:
    """The scorecard's note codes ('small_count;series_break') as readable text."""
    parts = [p for p in str(note).split(";") if p]
    return "; ".join(
        t(f"benchmark.note.{p}", language, threshold=SMALL_COUNT_THRESHOLD) for p in parts
    )


def _status_text(status: str, language: str) -> str:
    return t(f"benchmark.status.{status}", language)


def framework_text(row: pd.Series | None, language: str) -> str:
    """'3,0 % (nr. 93 af 98)': the level expected from the framework conditions and the
    municipality's rank among those with a level (descriptive); '–' without a model."""
    if row is None or pd.isna(row.get("expected")):
        return MISSING
    expected = format_level(row["expected"], row["indicator"], language)
    if pd.isna(row.get("rank")):
        return expected
    rank = t("benchmark.framework.rank_short", language, rank=int(row["rank"]),
             n=int(row["n_ranked"]))  # fmt: skip
    return f"{expected} ({rank})"


def display_table(
    scorecard: pd.DataFrame, language: str = "da", framework: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The scorecard as text, one row per indicator, with KLK's arrows and words; with
    ``framework`` (:func:`analysis.benchmark.framework.framework_column`) a column of the
    level expected from the framework conditions and the rank among the 98."""
    expected = {} if framework is None else {r["indicator"]: r for _, r in framework.iterrows()}
    rows = []
    for row in scorecard.itertuples(index=False):
        indicator = CATALOGUE[row.indicator]
        symbol = ARROW_SYMBOLS[row.arrow]
        development = format_development(row.development, row.indicator, language)
        rows.append(
            {
                t("benchmark.col.indicator", language): indicator.label(language),
                t("benchmark.col.period", language): format_period(row.period, language),
                t("benchmark.col.level", language): format_level(
                    row.level, row.indicator, language
                ),
                t("benchmark.col.cluster_level", language): format_level(
                    row.cluster_level, row.indicator, language
                ),
                t("benchmark.col.level_status", language): _status_text(row.level_status, language),
                t("benchmark.col.development", language): (
                    f"{symbol} {development}".strip() if development != MISSING else development
                ),
                t("benchmark.col.cluster_development", language): format_development(
                    row.cluster_development, row.indicator, language
                ),
                t("benchmark.col.development_status", language): _status_text(
                    row.development_status, language
                ),
                **(
                    {
                        t("benchmark.framework.col.expected_short", language): framework_text(
                            expected.get(row.indicator), language
                        )
                    }
                    if framework is not None
                    else {}
                ),
                t("benchmark.col.note", language): note_text(row.note, language),
            }
        )
    return pd.DataFrame(rows)


def intro_text(name: str, group: ComparisonGroup, weighted: bool, language: str = "da") -> str:
    """The section's opening paragraph: who is compared with whom, and how (escaped)."""
    intro = t(
        "benchmark.intro",
        language,
        name=nb.escape(name),
        cluster=nb.escape(group.label(language)),
        n=len(group.members),
        members=nb.escape(", ".join(group.member_names)),
    )
    weighting = t("benchmark.weighted_note" if weighted else "benchmark.unweighted_note", language)
    return f"{intro} {weighting}"


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
    level_col = t("benchmark.col.level_status", language)
    dev_cols = [
        t("benchmark.col.development", language),
        t("benchmark.col.development_status", language),
    ]
    level_status = list(scorecard["level_status"])
    dev_status = list(scorecard["development_status"])

    def colours(frame: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        css[level_col] = [_css(s) for s in level_status]
        for column in dev_cols:
            css[column] = [_css(s) for s in dev_status]
        return css

    return nb.styled(table, name=name, language=language).apply(colours, axis=None)


def summary_sentences(
    scorecard: pd.DataFrame, name: str, cluster: str, language: str = "da"
) -> pd.DataFrame:
    """One plain-language sentence (or two) per indicator. Columns: indicator, text."""
    rows = []
    for row in scorecard.itertuples(index=False):
        indicator = CATALOGUE[row.indicator]
        label = indicator.label(language)
        period = format_period(row.period, language)
        codes = ";".join(c for c in str(row.note).split(";") if c != "series_break")
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
            text = t(
                "benchmark.summary.level",
                language,
                indicator=label,
                name=name,
                level=format_level(row.level, row.indicator, language),
                period=period,
                cluster_level=format_level(row.cluster_level, row.indicator, language),
                cluster=cluster,
                status=t(f"benchmark.summary.level.{row.level_status}", language),
            )
        if row.arrow == NO_DATA:
            if row.level_status != NO_DATA:
                text += " " + t("benchmark.summary.development_no_data", language, reason=reason)
        else:
            cluster_development = format_development(
                row.cluster_development, row.indicator, language
            )
            text += " " + t(
                "benchmark.summary.development",
                language,
                development=format_development(row.development, row.indicator, language),
                arrow=f"{ARROW_SYMBOLS[row.arrow]} {t(f'benchmark.arrow.{row.arrow}', language)}",
                status=t(
                    f"benchmark.summary.development.{row.development_status}",
                    language,
                    cluster_development=cluster_development,
                ),
            )
        if row.crosses_break:
            text += " " + t("benchmark.summary.break", language)
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


#: KLK's symbols (Bilag 5): a circle for the level, an arrow for the development
LEVEL_SYMBOL = "⊙"


def brief_markup(scorecard: pd.DataFrame, language: str = "da") -> str:
    """The scorecard in brief, as KLK's summary pages show it: one row per indicator with
    the level against the cluster (circle) and the development (arrow), coloured green
    (better than the cluster), orange (worse) or grey (the same), with the same meaning
    in words for a screen reader and in print (escaped HTML)."""
    head = (
        f"<tr><th>{nb.escape(t('benchmark.col.indicator', language))}</th>"
        f'<th class="num">{nb.escape(t("benchmark.col.level", language))}</th>'
        f'<th class="num">{nb.escape(t("benchmark.col.cluster_level", language))}</th>'
        f"<th>{nb.escape(t('benchmark.brief.level', language))}</th>"
        f"<th>{nb.escape(t('benchmark.brief.development', language))}</th></tr>"
    )
    rows = []
    for row in scorecard.itertuples(index=False):
        indicator = CATALOGUE[row.indicator]
        level_word = _status_text(row.level_status, language).lstrip("● ")
        dev_word = _status_text(row.development_status, language).lstrip("● ")
        arrow = ARROW_SYMBOLS.get(row.arrow, "")
        rows.append(
            "<tr>"
            f"<td>{nb.escape(indicator.label(language))}</td>"
            f'<td class="num">{nb.escape(format_level(row.level, row.indicator, language))}</td>'
            f'<td class="num">'
            f"{nb.escape(format_level(row.cluster_level, row.indicator, language))}</td>"
            f'<td class="kf-symbol status-{nb.escape(row.level_status)}" '
            f'title="{nb.escape(level_word)}" aria-label="{nb.escape(level_word)}">'
            f"{LEVEL_SYMBOL if row.level_status in COLOURS else '–'}</td>"
            f'<td class="kf-symbol status-{nb.escape(row.development_status)}" '
            f'title="{nb.escape(dev_word)}" aria-label="{nb.escape(dev_word)}">'
            f"{nb.escape(arrow or '–')}</td>"
            "</tr>"
        )
    return (
        '<table class="analysis-table kf-benchmark" data-table="benchmark-brief">'
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"
    )
