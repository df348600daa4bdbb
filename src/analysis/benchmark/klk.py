"""Reproduction of KLK's scorecard in the 2012 report on Jobcenter Aabenraa (seed 002).

``data/raw/benchmark/klk_aabenraa_2012.csv`` holds every published figure of the report's
Tables 1-9: one row per level row and development row, with the values for Aabenraa, the
AMS-klynge and the Sønderjysk klynge, the arrows as printed and the level glyphs as the
text extraction left them (the colours of the circles are lost). Where the report's text
states how a figure compares with a cluster ("stort set samme niveau", "lidt bedre", ...),
the row also records that statement and its line.

:func:`reproduce` recomputes each arrow from Aabenraa's own development and the
catalogue's direction (Bilag 5), compares it with the printed arrows, recomputes the
level and development colours against both clusters, and checks the text statements
against those colours. Nothing is bent to fit: a disagreement is reported with its reason.
:func:`check_savings` checks the savings amounts the text states against each other.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from analysis.benchmark.indicators import CATALOGUE, PERCENT
from analysis.benchmark.scorecard import (
    ARROW_SYMBOLS,
    BETTER,
    DEFAULT_TOLERANCE,
    FLAT,
    NO_DIRECTION,
    SAME,
    SYMBOL_ARROWS,
    UP,
    WORSE,
    Tolerance,
    arrow,
    compare,
)
from analysis.errors import InputError, InputProblem
from analysis.paths import get_paths

KLK_COLUMNS = [
    "table",
    "indicator",
    "label_da",
    "period",
    "row_type",
    "unit",
    "aabenraa",
    "ams_klynge",
    "soenderjysk_klynge",
    "published_arrow",
    "published_arrow_soenderjysk",
    "published_level_symbol",
    "published_level_symbol_soenderjysk",
    "text_ams",
    "text_soenderjysk",
    "text_line",
    "source_line",
]
CLUSTERS = {"ams_klynge": "AMS-klynge", "soenderjysk_klynge": "Sønderjysk klynge"}
ROW_TYPES = ("level", "development")
TEXT_CLAIMS = ("", BETTER, WORSE, SAME)
LEVEL_UNITS = ("pct", "weeks")
DEVELOPMENT_UNITS = (PERCENT, "points")
SAVINGS_COLUMNS = ["area", "cluster", "amount_mio_dkk", "qualifier", "source_line", "quote"]

#: What the extracted circle glyphs tell (Bilag 5 defines colours, the text keeps glyphs).
GLYPH_NOTE = (
    "The level circles were coloured (green better, orange worse, grey same); the text "
    "extraction kept only glyphs (○ ⊕ ⊙ ●). The glyph is the same throughout Tables 1, 2, "
    "5 and 6 (○), 4 (⊕) and 7-9 (⊙) whatever the comparison, so it carries no colour; "
    "only Table 3 shows two glyphs in one row (○ against the AMS-klynge, where Aabenraa is "
    "worse, ● against the Sønderjysk klynge, where it is better). Level colours are "
    "therefore recomputed, not checked."
)


#: A table or line number (ASCII digits; int64 columns)
_LINE_NUMBER = re.compile(r"[0-9]{1,9}")


def default_klk_path() -> Path:
    return get_paths().benchmark / "klk_aabenraa_2012.csv"


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def load_klk_table(path: Path | str | None = None) -> pd.DataFrame:
    """Read and validate a KLK scorecard transcription (``KLK_COLUMNS``).

    Values are numbers with a decimal point (as printed, Danish commas converted); every
    problem is reported with its line (header = line 1).
    """
    file = Path(path) if path is not None else default_klk_path()
    try:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    except OSError as exc:  # a folder where the file is expected, no permission, ...
        raise InputError.single(file, f"cannot read the file: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError) as exc:  # ParserError, EmptyDataError
        raise InputError.single(file, f"cannot read as UTF-8 CSV: {exc}") from None
    if not isinstance(raw.index, pd.RangeIndex):
        raise InputError.single(
            file,
            "the data rows have more fields than the header",
            row=1,
            expected="as many fields as the header",
        )
    missing = [c for c in KLK_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError.single(
            file,
            "missing columns",
            row=1,
            expected=", ".join(KLK_COLUMNS),
            found=", ".join(raw.columns),
        )
    name = str(file)
    problems: list[InputProblem] = []

    def problem(line: int, column: str, message: str, expected: str, found: str) -> None:
        problems.append(
            InputProblem(name, message, row=line, column=column, expected=expected, found=found)
        )

    for index, row in raw.iterrows():
        line = int(index) + 2
        if not _LINE_NUMBER.fullmatch(row["table"]):
            problem(line, "table", "not a table number", "a whole number", row["table"])
        indicator = CATALOGUE.get(row["indicator"])
        if indicator is None or indicator.source != "klk2012":
            problem(
                line,
                "indicator",
                "unknown indicator",
                "a klk2012 id of the catalogue",
                row["indicator"],
            )
        if row["row_type"] not in ROW_TYPES:
            problem(line, "row_type", "unknown row type", "level or development", row["row_type"])
        elif indicator is not None:
            expected_unit = indicator.unit if row["row_type"] == "level" else indicator.development
            if row["unit"] != expected_unit:
                problem(line, "unit", "unit differs from the catalogue", expected_unit, row["unit"])
        for column in ("aabenraa", "ams_klynge", "soenderjysk_klynge"):
            if _number(row[column]) is None:
                problem(line, column, "not a number", "a number with a decimal point", row[column])
        for column in ("published_arrow", "published_arrow_soenderjysk"):
            if row[column] not in SYMBOL_ARROWS:
                problem(line, column, "unknown arrow", "▲, ▼, ▶ or empty", row[column])
            elif row[column] and row["row_type"] == "level":
                problem(line, column, "an arrow on a level row", "empty", row[column])
        for column in ("text_ams", "text_soenderjysk"):
            if row[column] not in TEXT_CLAIMS:
                problem(
                    line,
                    column,
                    "unknown text statement",
                    "better, worse, same or empty",
                    row[column],
                )
        has_claim = bool(row["text_ams"] or row["text_soenderjysk"])
        if row["text_line"] and not _LINE_NUMBER.fullmatch(row["text_line"]):
            problem(line, "text_line", "not a line number", "a line number", row["text_line"])
        elif has_claim and not row["text_line"]:
            problem(
                line,
                "text_line",
                "a text statement needs its line",
                "a line number",
                row["text_line"],
            )
        if not _LINE_NUMBER.fullmatch(row["source_line"]):
            problem(line, "source_line", "missing source line", "a line number", row["source_line"])
    if problems:
        raise InputError(problems)
    table = raw[KLK_COLUMNS].copy()
    for column in ("aabenraa", "ams_klynge", "soenderjysk_klynge"):
        table[column] = table[column].astype("float64")
    table["table"] = table["table"].astype("int64")
    table["source_line"] = table["source_line"].astype("int64")
    table["text_line"] = pd.array([int(x) if x else None for x in raw["text_line"]], dtype="Int64")
    return table


def _fmt(value: float) -> str:
    return f"{value:g}"


def _rule_text(development: float, indicator_id: str, recomputed: str) -> str:
    indicator = CATALOGUE[indicator_id]
    if recomputed == NO_DIRECTION:
        return "no judgement for this indicator (KLK shows no arrow)"
    unit = "%" if indicator.development == PERCENT else " pp"
    if recomputed == FLAT:
        return f"unchanged ({_fmt(development)}{unit} rounds to 0)"
    movement = "rise" if development > 0 else "fall"
    direction = "higher" if indicator.higher_is_better else "lower"
    verdict = "good" if recomputed == UP else "bad"
    return f"{movement} ({_fmt(development)}{unit}), {direction} is better: {verdict}"


def _text_check(
    claim: str,
    computed: str,
    value: float,
    cluster_value: float,
    line: object,
    who: str,
    band: float,
) -> tuple[str, str]:
    if not claim:
        return "", ""
    if claim == computed:
        return "yes", ""
    difference = abs(value - cluster_value)
    relation = "within" if difference <= band + 1e-9 else "outside"
    reason = (
        f"text (line {line}) calls Aabenraa {claim} against the {who}, the rule gives "
        f"{computed}: the difference {difference:.2g} is {relation} the tolerance {band:g}"
    )
    return "no", reason


REPRODUCTION_COLUMNS = [
    "table",
    "indicator",
    "row_type",
    "period",
    "unit",
    "aabenraa",
    "ams_klynge",
    "soenderjysk_klynge",
    "published_arrow",
    "recomputed_arrow",
    "arrow_matches",
    "rule",
    "status_ams",
    "status_soenderjysk",
    "published_level_symbol",
    "published_level_symbol_soenderjysk",
    "text_ams",
    "text_soenderjysk",
    "text_agrees",
    "reason",
    "source_line",
    "text_line",
]


def reproduce(table: pd.DataFrame, tolerance: Tolerance = DEFAULT_TOLERANCE) -> pd.DataFrame:
    """Recompute arrows and colours of a KLK table and compare them with what is printed.

    ``arrow_matches`` is "yes"/"no" on development rows (both clusters' printed arrows must
    equal the recomputed one, since the arrow concerns the municipality only) and empty on
    level rows. ``status_*`` are the recomputed colours (better/worse/same) of the level or
    development against each cluster; ``text_agrees`` checks the report's own statements.
    ``reason`` explains every disagreement.
    """
    rows = []
    for row in table.itertuples(index=False):
        indicator = CATALOGUE[row.indicator]
        kind = row.row_type
        statuses = {
            column: compare(
                row.aabenraa,
                getattr(row, column),
                indicator,
                kind="level" if kind == "level" else "development",
                tolerance=tolerance,
            )
            for column in CLUSTERS
        }
        reasons: list[str] = []
        recomputed, matches, rule = "", "", ""
        if kind == "development":
            key = arrow(row.aabenraa, indicator, tolerance)
            recomputed = ARROW_SYMBOLS[key]
            rule = _rule_text(row.aabenraa, row.indicator, key)
            printed = (row.published_arrow, row.published_arrow_soenderjysk)
            matches = "yes" if all(p == recomputed for p in printed) else "no"
            if printed[0] != printed[1]:
                reasons.append(
                    f"the report prints different arrows for the two clusters ({printed[0]!r} "
                    f"and {printed[1]!r}), but the arrow concerns Aabenraa's own development"
                )
            for who, p in zip(CLUSTERS.values(), printed, strict=True):
                if p != recomputed:
                    shown = p or "no arrow"
                    reasons.append(
                        f"{who} column prints {shown}, Bilag 5 gives {recomputed or 'no arrow'}"
                        f" ({rule})"
                    )
        agreements = []
        for column, claim in (
            ("ams_klynge", row.text_ams),
            ("soenderjysk_klynge", row.text_soenderjysk),
        ):
            band = (
                tolerance.level_band(indicator, getattr(row, column))
                if kind == "level"
                else tolerance.development_band
            )
            agrees, reason = _text_check(
                claim,
                statuses[column],
                row.aabenraa,
                getattr(row, column),
                row.text_line,
                CLUSTERS[column],
                band,
            )
            if agrees:
                agreements.append(agrees)
            if reason:
                reasons.append(reason)
        rows.append(
            {
                "table": row.table,
                "indicator": row.indicator,
                "row_type": kind,
                "period": row.period,
                "unit": row.unit,
                "aabenraa": row.aabenraa,
                "ams_klynge": row.ams_klynge,
                "soenderjysk_klynge": row.soenderjysk_klynge,
                "published_arrow": row.published_arrow,
                "recomputed_arrow": recomputed,
                "arrow_matches": matches,
                "rule": rule,
                "status_ams": statuses["ams_klynge"],
                "status_soenderjysk": statuses["soenderjysk_klynge"],
                "published_level_symbol": row.published_level_symbol,
                "published_level_symbol_soenderjysk": row.published_level_symbol_soenderjysk,
                "text_ams": row.text_ams,
                "text_soenderjysk": row.text_soenderjysk,
                "text_agrees": ("no" if "no" in agreements else "yes") if agreements else "",
                "reason": "; ".join(reasons),
                "source_line": row.source_line,
                "text_line": row.text_line,
            }
        )
    return pd.DataFrame(rows, columns=REPRODUCTION_COLUMNS)


def summary(reproduced: pd.DataFrame) -> dict[str, int]:
    """Counts for the report: rows, arrows printed, matched and not, text statements."""
    development = reproduced[reproduced["row_type"].eq("development")]
    printed = development["published_arrow"].ne("") | development["recomputed_arrow"].ne("")
    claims = reproduced["text_ams"].ne("").astype(int) + reproduced["text_soenderjysk"].ne(
        ""
    ).astype(int)
    disagreeing = reproduced["reason"].str.contains("text \\(line", regex=True)
    return {
        "rows": len(reproduced),
        "level_rows": int(reproduced["row_type"].eq("level").sum()),
        "development_rows": len(development),
        "rows_with_arrows": int(printed.sum()),
        "arrows_matched": int((printed & development["arrow_matches"].eq("yes")).sum()),
        "arrows_mismatched": int((printed & development["arrow_matches"].eq("no")).sum()),
        "text_statements": int(claims.sum()),
        "text_rows_disagreeing": int(disagreeing.sum()),
    }


# --- savings statements --------------------------------------------------------------------


def default_savings_path() -> Path:
    return get_paths().benchmark / "klk_aabenraa_2012_savings.csv"


def load_klk_savings(path: Path | str | None = None) -> pd.DataFrame:
    """The savings amounts the report's text states (one row per statement)."""
    file = Path(path) if path is not None else default_savings_path()
    try:
        table = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    missing = [c for c in SAVINGS_COLUMNS if c not in table.columns]
    if missing:
        raise InputError.single(
            file,
            "missing columns",
            row=1,
            expected=", ".join(SAVINGS_COLUMNS),
            found=", ".join(table.columns),
        )
    problems = [
        InputProblem(
            str(file),
            "not a number",
            row=i + 2,
            column="amount_mio_dkk",
            expected="a number",
            found=v,
        )
        for i, v in enumerate(table["amount_mio_dkk"])
        if _number(v) is None
    ]
    problems += [
        InputProblem(
            str(file),
            "unknown cluster",
            row=i + 2,
            column="cluster",
            expected=", ".join(CLUSTERS),
            found=v,
        )
        for i, v in enumerate(table["cluster"])
        if v not in CLUSTERS
    ]
    if problems:
        raise InputError(problems)
    table["amount_mio_dkk"] = table["amount_mio_dkk"].astype("float64")
    table["source_line"] = table["source_line"].astype("int64")
    return table[SAVINGS_COLUMNS]


#: Why stated totals may exceed the itemised amounts (seed 002, footnote 1, line 39).
TOTAL_NOTE = (
    "footnote 1 (line 39) says the total covers every benefit except førtidspension, so "
    "benefits not itemised may explain the gap"
)


def check_savings(statements: pd.DataFrame, total_note: str = TOTAL_NOTE) -> pd.DataFrame:
    """Internal consistency of the savings amounts: the same amount stated twice must
    agree, and the per-area amounts are set against the stated total.

    Columns: check ("repeated" or "sum"), cluster, area, consistent (yes/no/unclear),
    finding, lines.
    """
    findings = []
    areas = statements[statements["area"].ne("total")]
    for (area, cluster), group in areas.groupby(["area", "cluster"], sort=False):
        amounts = set(group["amount_mio_dkk"])
        lines = ", ".join(str(line) for line in sorted(group["source_line"]))
        text = "; ".join(
            f"'{row.qualifier} {row.amount_mio_dkk:g} mio. kr.' (line {row.source_line})"
            for row in group.itertuples(index=False)
        )
        if len(group) > 1:
            findings.append(
                {
                    "check": "repeated",
                    "cluster": cluster,
                    "area": area,
                    "consistent": "yes" if len(amounts) == 1 else "no",
                    "finding": (
                        f"stated {len(group)} times alike: {text}"
                        if len(amounts) == 1
                        else f"stated differently: {text}"
                    ),
                    "lines": lines,
                }
            )
    for cluster, group in statements.groupby("cluster", sort=False):
        total = group[group["area"].eq("total")]
        parts = group[group["area"].ne("total")].groupby("area")["amount_mio_dkk"]
        low, high = float(parts.min().sum()), float(parts.max().sum())
        if total.empty:
            continue
        stated = total.iloc[0]
        span = f"{low:g}" if low == high else f"{low:g}-{high:g}"
        findings.append(
            {
                "check": "sum",
                "cluster": cluster,
                "area": "total",
                "consistent": "unclear",
                "finding": (
                    f"the areas add up to {span} mio. kr. against a total of "
                    f"'{stated['qualifier']} {stated['amount_mio_dkk']:g} mio. kr.'; {total_note}"
                ),
                "lines": ", ".join(str(x) for x in sorted(group["source_line"].unique())),
            }
        )
    return pd.DataFrame(
        findings, columns=["check", "cluster", "area", "consistent", "finding", "lines"]
    )
