"""The two ways a caseload panel codes its trial, brought to one.

1. ``treated`` the same in every month of a unit (1 for a trial unit, 0 for a control),
   with ``trial_start`` the month its lower caseload began (this project's layout).
2. ``treated`` a 0/1 indicator that is 0 before the trial and 1 from its first month on,
   the layout of Stata's ``xtdidregress``, ``did2s`` (R and pyfixest) and csdid's
   treatment dummy. ``trial_start`` is then the first month with 1.

Each unit is judged on its own: a ``treated`` that never changes within a unit is layout
1 (a unit whose indicator is 1 in every month is read as ``treated`` = 1 with the
``trial_start`` given, if any); one that changes is layout 2 and must switch on exactly
once. :func:`normalise_treatment` rewrites layout 2 into layout 1, so the estimators and the
simulated demo see one layout. It refuses, naming the unit and the rows and months:

- an indicator that switches off (a trial that ended or paused; the contract has no way
  to say so, so the months after the end are to be left out);
- an indicator that switches on more than once;
- a switch on right after a gap in the months without a stated ``trial_start``: the start
  lies somewhere in the gap, and it is not guessed;
- an indicator and a stated ``trial_start`` that disagree (neither is preferred: one of
  them is wrong). A ``trial_start`` left empty for the unit is taken from the indicator.

A unit with an unreadable, missing or non-0/1 ``treated``, an unreadable month or the
same month twice is left as it is: those problems are reported by the caseload schema,
and its layout is judged once they are fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from analysis.errors import InputProblem

_UNIT = ["municipality_code", "unit"]
#: Switches and rows listed in one message; further ones are counted.
_MAX_LISTED = 5
_SEVERAL = object()
_SWITCH_EXPECTED = "0 before the trial start, then 1 in every month from it on"
_ENDED = (
    "a treatment indicator switches on once and then stays 1; for a trial that ended, "
    "leave out the months after its end"
)


@dataclass(frozen=True)
class _Unit:
    """One unit's readable rows, in month order: months, 0/1 values, file rows."""

    code: object
    name: object
    months: list[pd.Period]
    values: np.ndarray
    rows: list[int]

    def at(self, i: int) -> str:
        return f"{self.months[i]} (row {self.rows[i]})"

    def label(self) -> str:
        return f"unit {self.name!r} in municipality {self.code}"


def normalise_treatment(
    typed: pd.DataFrame, source: str
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """The panel with every switching indicator rewritten as a constant ``treated`` = 1
    plus ``trial_start`` (added when absent), and the problems of indicators that cannot
    be rewritten. ``typed`` holds parsed values (``treated`` as floats, months as
    ``Period[M]``) indexed by the rows a person sees."""
    if "treated" not in typed.columns or "period" not in typed.columns:
        return typed, []
    out = typed
    problems: list[InputProblem] = []
    for index in _switching_units(typed):
        unit = _unit(typed.loc[index])
        stated = _stated_start(typed, index)
        if unit is None or stated is _SEVERAL:
            continue
        start, problem = _start(unit, stated, source)
        if problem is not None:
            problems.append(problem)
            continue
        if out is typed:
            out = typed.copy()
        if "trial_start" not in out.columns:
            out["trial_start"] = pd.Series(pd.NaT, index=out.index, dtype="period[M]")
        out.loc[index, "treated"] = 1.0
        if stated is None:
            out.loc[index, "trial_start"] = start
    return out, problems


def _switching_units(typed: pd.DataFrame) -> list[pd.Index]:
    """Row labels of each unit whose 0/1 values of ``treated`` are not all the same."""
    binary = typed["treated"].isin([0.0, 1.0])
    spread = (
        typed["treated"].where(binary).groupby([typed[c] for c in _UNIT], dropna=False, sort=False)
    )
    varying = spread.transform("nunique").gt(1)
    if not varying.any():
        return []
    groups = typed[varying].groupby(_UNIT, dropna=False, sort=False).groups
    return [pd.Index(rows) for rows in groups.values()]


def _unit(block: pd.DataFrame) -> _Unit | None:
    """The unit's rows in month order, or None when a value or month is unreadable or a
    month appears twice (reported elsewhere; judging the switches would only add noise)."""
    if not block["treated"].isin([0.0, 1.0]).all() or block["period"].isna().any():
        return None
    if block["period"].duplicated().any():
        return None
    ordered = block.sort_values("period", kind="stable")
    return _Unit(
        code=ordered["municipality_code"].iloc[0],
        name=ordered["unit"].iloc[0],
        months=list(ordered["period"]),
        values=ordered["treated"].to_numpy(dtype="float64"),
        rows=[int(r) for r in ordered.index],
    )


def _stated_start(typed: pd.DataFrame, index: pd.Index) -> pd.Period | object | None:
    """The unit's stated trial start; None when empty in every month, ``_SEVERAL`` when
    it names different months (the schema reports that: one value per unit)."""
    if "trial_start" not in typed.columns:
        return None
    stated = pd.unique(typed.loc[index, "trial_start"].dropna())
    if len(stated) > 1:
        return _SEVERAL
    return stated[0] if len(stated) else None


def _start(
    unit: _Unit, stated: pd.Period | None, source: str
) -> tuple[pd.Period | None, InputProblem | None]:
    """The month the unit's indicator says its trial began, or the problem why not."""
    switches = np.flatnonzero(np.diff(unit.values) != 0) + 1
    if (unit.values[switches] == 0).any():
        return None, _switch_problem(unit, switches, source)
    (first_on,) = switches
    if stated is not None:
        return stated, _disagreement(unit, stated, source)
    if _months_between(unit.months[first_on - 1], unit.months[first_on]) > 1:
        return None, _gap_problem(unit, first_on, source)
    return unit.months[first_on], None


def _months_between(earlier: pd.Period, later: pd.Period) -> int:
    return later.ordinal - earlier.ordinal


def _switch_problem(unit: _Unit, switches: np.ndarray, source: str) -> InputProblem:
    ons = int((unit.values[switches] == 1).sum())
    what = "switches on more than once" if ons > 1 else "switches off"
    if ons == 1 and unit.values[0] == 0:
        what = "switches off again"
    listed = [
        f"{'on' if unit.values[i] == 1 else 'off'} in {unit.at(i)}" for i in switches[:_MAX_LISTED]
    ]
    if len(switches) > _MAX_LISTED:
        listed.append(f"and {len(switches) - _MAX_LISTED} more switches")
    first_off = next(int(i) for i in switches if unit.values[i] == 0)
    return InputProblem(
        source,
        f"treated {what} ({unit.label()}): {', '.join(listed)}; {_ENDED}",
        row=unit.rows[first_off],
        column="treated",
        expected=_SWITCH_EXPECTED,
        found=_runs(unit),
    )


def _runs(unit: _Unit) -> str:
    """'0 in 2024-01 to 2024-02, 1 in 2024-03': the values month by month, run by run."""
    bounds = [0, *(np.flatnonzero(np.diff(unit.values) != 0) + 1), len(unit.values)]
    parts = []
    for first, end in pairwise(bounds):
        months = f"{unit.months[first]}"
        if end - 1 > first:
            months += f" to {unit.months[end - 1]}"
        parts.append(f"{unit.values[first]:g} in {months}")
    if len(parts) > 2 * _MAX_LISTED:
        parts = [*parts[: 2 * _MAX_LISTED], f"and {len(parts) - 2 * _MAX_LISTED} more runs"]
    return ", ".join(parts)


def _gap_problem(unit: _Unit, first_on: int, source: str) -> InputProblem:
    last_off, start = unit.months[first_on - 1], unit.months[first_on]
    return InputProblem(
        source,
        f"treated switches on after a gap in the months ({unit.label()}): "
        f"0 in {unit.at(first_on - 1)}, then 1 in {unit.at(first_on)}, so the trial "
        f"started in one of {last_off + 1} to {start}; give the unit a trial_start saying "
        "which, or add the missing months",
        row=unit.rows[first_on],
        column="treated",
        expected="a trial_start for the unit, or no months missing just before the switch",
        found=f"no rows for {last_off + 1}"
        + (f" to {start - 1}" if _months_between(last_off, start) > 2 else ""),
    )


def _disagreement(unit: _Unit, stated: pd.Period, source: str) -> InputProblem | None:
    after = np.array([month >= stated for month in unit.months])
    zero_after = np.flatnonzero(after & (unit.values == 0))
    one_before = np.flatnonzero(~after & (unit.values == 1))
    if not len(zero_after) and not len(one_before):
        return None
    parts = []
    if len(zero_after):
        parts.append(f"treated is 0 from trial_start on in {_rows_text(unit, zero_after)}")
    if len(one_before):
        parts.append(f"treated is 1 before trial_start in {_rows_text(unit, one_before)}")
    switch_on = int(np.flatnonzero(np.diff(unit.values) != 0)[0] + 1)
    first = min([*zero_after, *one_before])
    return InputProblem(
        source,
        f"treated and trial_start disagree ({unit.label()}): treated switches on in "
        f"{unit.at(switch_on)}, trial_start says {stated}; {'; '.join(parts)}",
        row=unit.rows[first],
        column="trial_start",
        expected=f"treated 0 before {stated} and 1 from it on, or an empty trial_start to "
        "take the start from treated",
        found=str(stated),
    )


def _rows_text(unit: _Unit, positions: np.ndarray) -> str:
    """'row 3 (2024-02)' or 'rows 3 (2024-02), 4 (2024-03) and 2 more'."""
    shown = [f"{unit.rows[i]} ({unit.months[i]})" for i in positions[:_MAX_LISTED]]
    text = ("row " if len(positions) == 1 else "rows ") + ", ".join(shown)
    more = len(positions) - _MAX_LISTED
    return f"{text} and {more} more" if more > 0 else text
