"""The checks of a parsed caseload panel: its pandera schema, and every failure turned
into a problem a person can act on.

:mod:`analysis.data.caseloads` reads and parses a panel; this module holds what a parsed
panel must satisfy (:func:`caseload_schema`: known municipalities, caseload > 0 and below
its plausibility limit, shares in 0–1, caseload = cases / FTE, one row per unit-month, a
trial start only in treated units and the same in every month of a unit) and translates
pandera's failure cases into :class:`~analysis.errors.InputProblem` s naming the row,
the column and what was expected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.data.contract_reader import KEY_EXPECTED, is_missing, unknown_municipality
from analysis.data.outcomes import STANDARD_OUTCOMES, Limit
from analysis.data.reference import load_municipalities
from analysis.errors import InputProblem

#: Active cases per caseworker FTE above this are an error, not a heavy workload.
CASELOAD_LIMIT = Limit(
    1000.0,
    "caseloads in Danish job centres are tens to a few hundred active cases per caseworker "
    "(Copenhagen's ordinary departments about 200 before 2018, its trial department 50); "
    "above 1,000 is a unit or reading error, such as a thousands separator read as a "
    "decimal mark (212.200 read as 212200) or cases not divided by caseworker FTE",
)

KEY_COLUMNS = ("municipality_code", "unit", "period")
REQUIRED_COLUMNS = (*KEY_COLUMNS, "caseload")
OPTIONAL_COLUMNS = (
    "cases",
    "caseworkers_fte",
    "treated",
    "trial_start",
    "benefit_group",
    "data_origin",
)
#: Relative tolerance of ``caseload`` against ``cases / caseworkers_fte``.
CASELOAD_TOLERANCE = 0.01

_DUPLICATE_COLUMN = "municipality_code, unit, period"


def caseload_schema(codes: Sequence[int] | None = None) -> pa.DataFrameSchema:
    """The pandera schema of a parsed caseload panel (values already typed).

    ``codes`` are the valid municipality codes (default: the reference table). Check
    ``error`` strings are keys that :func:`validate_caseload_panel` turns into messages.
    """
    valid = sorted(int(c) for c in (codes if codes is not None else _reference_codes()))
    columns: dict[str, pa.Column] = {
        "municipality_code": pa.Column(
            "Int64", pa.Check.isin(valid, error="municipality_known"), nullable=False
        ),
        "unit": pa.Column(nullable=False),
        "period": pa.Column(nullable=False),
        "caseload": pa.Column(
            "float64",
            [
                pa.Check.gt(0, error="caseload_positive"),
                pa.Check.le(CASELOAD_LIMIT.maximum, error="above_limit"),
            ],
        ),
        "cases": pa.Column(
            "float64", pa.Check.ge(0, error="non_negative"), nullable=True, required=False
        ),
        "caseworkers_fte": pa.Column(
            "float64", pa.Check.gt(0, error="fte_positive"), nullable=True, required=False
        ),
        "treated": pa.Column("float64", pa.Check.isin([0.0, 1.0], error="binary"), required=False),
        "trial_start": pa.Column(nullable=True, required=False),
    }
    for name, spec in STANDARD_OUTCOMES.items():
        checks = (
            [pa.Check.in_range(0, spec.limit.maximum, error="share_range")]
            if spec.is_share
            else [
                pa.Check.ge(0, error="non_negative"),
                pa.Check.le(spec.limit.maximum, error="above_limit"),
            ]
        )
        columns[name] = pa.Column("float64", checks, nullable=True, required=False)
    return pa.DataFrameSchema(
        columns,
        checks=[
            pa.Check(_caseload_matches_cases, error="caseload_matches_cases"),
            pa.Check(_trial_start_only_treated, error="trial_start_only_treated"),
            pa.Check(_trial_start_constant, error="trial_start_constant"),
        ],
        unique=list(KEY_COLUMNS),
        report_duplicates="all",
        strict=False,
    )


# --- schema checks (whole-frame; missing values pass, other checks report them) -------


def _caseload_matches_cases(df: pd.DataFrame) -> pd.Series:
    if not {"cases", "caseworkers_fte"} <= set(df.columns):
        return pd.Series(True, index=df.index)
    ratio = df["cases"] / df["caseworkers_fte"].where(df["caseworkers_fte"] > 0)
    off = (df["caseload"] - ratio).abs() > CASELOAD_TOLERANCE * ratio.abs()
    return ~(off & ratio.notna() & df["caseload"].gt(0))


def _first_in_unit(df: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
    """Per row: the value of ``column`` in the unit's first row (missing or not), and the
    number of that row."""
    group = df.groupby(["municipality_code", "unit"], dropna=False, sort=False).ngroup()
    first = pd.Series(np.arange(len(df))).groupby(group.to_numpy()).transform("min").to_numpy()
    values = pd.Series(df[column].to_numpy()[first], index=df.index)
    rows = pd.Series(df.index.to_numpy()[first], index=df.index)
    return values, rows


def _trial_start_only_treated(df: pd.DataFrame) -> pd.Series:
    """A start month only in units that are treated in some month (a ``treated`` that
    changes within a unit is the indicator layout, judged by :mod:`.treatment`)."""
    if "trial_start" not in df.columns or "treated" not in df.columns:
        return pd.Series(True, index=df.index)
    unit = [df["municipality_code"], df["unit"]]
    ever = df["treated"].eq(1.0).groupby(unit, dropna=False, sort=False).transform("any")
    return df["trial_start"].isna() | ever | df["treated"].isna()


def _trial_start_constant(df: pd.DataFrame) -> pd.Series:
    if "trial_start" not in df.columns:
        return pd.Series(True, index=df.index)
    first, _ = _first_in_unit(df, "trial_start")
    same = df["trial_start"].eq(first)
    return same | (df["trial_start"].isna() & first.isna())


# --- translating pandera failure cases --------------------------------------------------


def schema_problems(typed: pd.DataFrame, source: str) -> list[InputProblem]:
    try:
        caseload_schema().validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return _translate(exc.failure_cases, typed, source)
    except pa.errors.SchemaError as exc:  # non-lazy failures (should not happen)
        return [InputProblem(source, f"the panel does not fit the data contract: {exc}")]
    return []


def _translate(cases: pd.DataFrame, typed: pd.DataFrame, source: str) -> list[InputProblem]:
    problems: list[InputProblem] = []
    for check, group in cases.groupby("check", sort=False):
        rows = [int(i) for i in pd.unique(group["index"].dropna())]
        builder = _TRANSLATORS.get(str(check))
        if builder is not None:
            problems += builder(typed, rows, source, group)
        elif rows:
            problems += _cell_problems(typed, rows, group, source, f"failed check {check}")
        else:
            problems.append(
                InputProblem(
                    source, f"column check failed: {check}", column=str(group["column"].iloc[0])
                )
            )
    return problems


def _cell_problems(
    typed: pd.DataFrame, rows: list[int], group: pd.DataFrame, source: str, message: str
) -> list[InputProblem]:
    out = []
    for row, column in group[["index", "column"]].drop_duplicates().itertuples(index=False):
        if pd.isna(row):
            continue
        value = typed.at[int(row), column]
        out.append(
            InputProblem(
                source,
                message,
                row=int(row),
                column=str(column),
                expected=expected_text(str(column)),
                found=_show(value),
            )
        )
    return out


def _simple(message: str) -> Callable[..., list[InputProblem]]:
    def build(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
        return _cell_problems(typed, rows, group, source, message)

    return build


def _missing(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
    return _cell_problems(typed, rows, group, source, "missing value")


def _municipality_known(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
    return [unknown_municipality(source, r, typed.at[r, "municipality_code"]) for r in rows]


def _duplicates(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
    subset = typed.loc[rows, list(KEY_COLUMNS)]
    out = []
    for (code, unit, period), block in subset.groupby(list(KEY_COLUMNS), sort=False):
        listed = sorted(int(r) for r in block.index)
        names = ", ".join(map(str, listed[:-1])) + f" and {listed[-1]}"
        out.append(
            InputProblem(
                source,
                f"duplicate unit-month: municipality {code}, unit {unit!r}, "
                f"{period} appears in rows {names}",
                row=listed[1],
                column=_DUPLICATE_COLUMN,
                expected="one row per municipality, unit and month",
                found=f"{len(listed)} rows",
            )
        )
    return out


def _caseload_vs_cases(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
    out = []
    for row in rows:
        cases, fte = typed.at[row, "cases"], typed.at[row, "caseworkers_fte"]
        out.append(
            InputProblem(
                source,
                "caseload does not equal cases / caseworkers_fte",
                row=row,
                column="caseload",
                expected=f"{cases:g} / {fte:g} = {cases / fte:.2f} "
                f"(within {CASELOAD_TOLERANCE:.0%})",
                found=_show(typed.at[row, "caseload"]),
            )
        )
    return out


def _above_limit(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
    out = []
    for row, column in group[["index", "column"]].drop_duplicates().itertuples(index=False):
        if pd.isna(row):
            continue
        limit = _limit_of(str(column))
        out.append(
            InputProblem(
                source,
                f"implausible value: above {limit.maximum:g}, the limit for {column} "
                f"({limit.reason})",
                row=int(row),
                column=str(column),
                expected=expected_text(str(column)),
                found=_show(typed.at[int(row), column]),
            )
        )
    return out


def _limit_of(column: str) -> Limit:
    return CASELOAD_LIMIT if column == "caseload" else STANDARD_OUTCOMES[column].limit


def _unit_constant(column: str, message: str) -> Callable[..., list[InputProblem]]:
    def build(typed: pd.DataFrame, rows: list[int], source: str, group: pd.DataFrame):
        first, first_row = _first_in_unit(typed, column)
        out = []
        for row in rows:
            unit = typed.at[row, "unit"]
            code = typed.at[row, "municipality_code"]
            out.append(
                InputProblem(
                    source,
                    f"{message} (unit {unit!r} in municipality {code})",
                    row=row,
                    column=column,
                    expected=f"{_show(first[row]) or 'empty'} as in row {int(first_row[row])}",
                    found=_show(typed.at[row, column]),
                )
            )
        return out

    return build


def _start_without_treatment(typed: pd.DataFrame, rows: list[int], source: str, group):
    return [
        InputProblem(
            source,
            "trial_start is set for a unit that is not treated",
            row=row,
            column="trial_start",
            expected="empty, because treated = 0",
            found=_show(typed.at[row, "trial_start"]),
        )
        for row in rows
    ]


_TRANSLATORS: Mapping[str, Callable[..., list[InputProblem]]] = MappingProxyType(
    {
        "not_nullable": _missing,
        "municipality_known": _municipality_known,
        "caseload_positive": _simple(
            "caseload must be greater than 0 (a caseload of 0 is an error, not a missing "
            "value; leave out months without a caseload)"
        ),
        "non_negative": _simple("negative value"),
        "fte_positive": _simple("caseworkers_fte must be greater than 0"),
        "binary": _simple("treated must be 0 or 1"),
        "share_range": _simple("share outside 0–1"),
        "above_limit": _above_limit,
        "multiple_fields_uniqueness": _duplicates,
        "caseload_matches_cases": _caseload_vs_cases,
        "trial_start_constant": _unit_constant(
            "trial_start", "trial_start must be the same in every month of a unit"
        ),
        "trial_start_only_treated": _start_without_treatment,
    }
)


def expected_text(column: str) -> str:
    """What a cell of ``column`` must hold, as a problem's "expected" says it."""
    spec = STANDARD_OUTCOMES.get(column)
    if spec is not None and spec.is_share:
        return "a share between 0 and 1 (write 45 % as 0.45)"
    if spec is not None:
        return f"a number from 0 to {spec.limit.maximum:g} ({spec.unit_en})"
    return {
        **KEY_EXPECTED,
        "trial_start": "a month such as 2024-01, or empty for a unit without a trial",
        "caseload": f"a number > 0 and at most {CASELOAD_LIMIT.maximum:g} "
        "(active cases per caseworker FTE)",
        "cases": "a number >= 0",
        "caseworkers_fte": "a number > 0",
        "treated": "0 or 1",
    }.get(column, "a number")


def _show(value: object) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _reference_codes() -> list[int]:
    return load_municipalities()["code"].astype(int).tolist()
