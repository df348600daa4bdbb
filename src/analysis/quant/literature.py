"""Published effects of lower caseloads: context for the project's own estimates.

``data/raw/literature/published_caseload_effects.csv`` (see its ``PROVENANCE.md``) holds
effect sizes from trials and studies in Austria, Germany, Denmark and Switzerland: one row
per study and outcome with the design, population, the caseloads compared, the effect as
published and its unit. They are other populations, outcomes and units than the caseload
panel's, so they are shown as published, each with its study, country, population,
caseloads and unit, and never converted (e.g. into percentage points per 10 fewer cases)
nor used as data in a regression.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import InputError, InputProblem
from analysis.labels import t

#: the columns the file must have, in its order
COLUMNS = (
    "study",
    "country",
    "design",
    "population",
    "caseload_treated",
    "caseload_control",
    "outcome",
    "effect",
    "unit",
    "se_or_note",
    "source_url",
    "checked",
)
#: the columns a reader must see next to every figure
REQUIRED_TEXT = ("study", "country", "population", "outcome", "effect", "unit")


def read_published_effects(path: Path | str) -> pd.DataFrame:
    """The published effects as text (no number is parsed: "about -10", "14 -> 11.5" and
    "+16" stay as written). Missing columns, or a row without its study, country,
    population, outcome, effect or unit, raise an :class:`InputError` naming the file,
    row and column."""
    path = Path(path)
    if not path.is_file():
        raise InputError.single(path, "file not found", expected="the published effects CSV")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError.single(
            path,
            f"missing column(s): {', '.join(missing)}",
            row=1,
            expected=", ".join(COLUMNS),
            found=", ".join(frame.columns),
        )
    problems = [
        InputProblem(
            str(path), "empty cell", row=int(i) + 2, column=c, expected="text as published"
        )
        for i, row in frame.iterrows()
        for c in REQUIRED_TEXT
        if not str(row[c]).strip()
    ]
    if problems:
        raise InputError(problems)
    return frame[list(COLUMNS)].apply(lambda c: c.str.strip())


def published_table(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """The published effects for a report: study, country, design, population, the
    caseloads compared, outcome, effect as published, its unit, standard error or note,
    and whether the figure was checked on its source page."""
    caseloads = [
        f"{treated} {t('quant.lit.against', language)} {control}".strip() if control else treated
        for treated, control in zip(frame["caseload_treated"], frame["caseload_control"],
                                    strict=True)
    ]  # fmt: skip
    return pd.DataFrame(
        {
            t("quant.lit.study", language): frame["study"],
            t("quant.lit.country", language): frame["country"],
            t("quant.lit.design", language): frame["design"],
            t("quant.lit.population", language): frame["population"],
            t("quant.lit.caseloads", language): caseloads,
            t("quant.lit.outcome", language): frame["outcome"],
            t("quant.lit.effect", language): frame["effect"],
            t("quant.lit.unit", language): frame["unit"],
            t("quant.lit.se", language): frame["se_or_note"],
            t("quant.lit.checked", language): frame["checked"],
        }
    ).reset_index(drop=True)
