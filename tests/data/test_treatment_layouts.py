"""Both treatment layouts of a caseload panel (issue 14, item 12).

Layout 1: ``treated`` the same in every month of a unit, plus ``trial_start``. Layout 2:
``treated`` a 0/1 indicator that switches on at the trial start and stays 1 (the layout
of Stata's ``xtdidregress``, pyfixest's and R's ``did2s``, csdid's treatment dummy). Both
must give the same normalised panel; an indicator that switches off or on twice, that
switches on after a gap in the months, or that disagrees with a stated ``trial_start`` is
refused naming the file, the unit, the rows and the months.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.data.caseloads import read_caseload_panel, validate_caseload_panel
from analysis.errors import InputError, InputProblem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "caseloads"
CONSTANT = FIXTURES / "treatment_constant.csv"
INDICATOR_FILES = [FIXTURES / "treatment_indicator.csv", FIXTURES / "treatment_indicator.xlsx"]
HEADER = "municipality_code,unit,period,caseload,treated"


def write_csv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "panel.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def refused(path: Path) -> tuple[InputError, list[InputProblem]]:
    with pytest.raises(InputError) as info:
        read_caseload_panel(path)
    return info.value, info.value.problems


def months(values: pd.Series) -> list[str | None]:
    return [None if pd.isna(m) else str(m) for m in values]


def unit_rows(unit: str, treated: list[int], start: int = 1, code: int = 101) -> list[str]:
    """CSV lines for one unit, months 2024-<start> on, one per value of ``treated``."""
    return [f"{code},{unit},2024-{start + i:02d},100,{value}" for i, value in enumerate(treated)]


# --- both layouts, one normalised panel -------------------------------------------------


@pytest.mark.parametrize("indicator", INDICATOR_FILES, ids=lambda p: p.suffix[1:])
def test_indicator_layout_gives_the_constant_layouts_panel(indicator: Path) -> None:
    """Before: refused with "treated must be the same in every month of a unit" for each
    month whose value differs from the unit's first month (6 rows here)."""
    expected = read_caseload_panel(CONSTANT)
    panel = read_caseload_panel(indicator)
    pd.testing.assert_frame_equal(panel, expected)
    first = panel.drop_duplicates("unit")
    assert dict(zip(first["unit"], months(first["trial_start"]), strict=True)) == {
        "forsoeg": "2024-03",
        "team_nord": None,
        "pilot": "2024-05",
        "team_syd": None,
    }
    assert panel.groupby("unit")["treated"].nunique().eq(1).all()


def test_indicator_in_memory_gives_the_same_panel() -> None:
    expected = read_caseload_panel(CONSTANT)
    frame = pd.read_csv(INDICATOR_FILES[0])
    pd.testing.assert_frame_equal(validate_caseload_panel(frame), expected)


def test_indicator_that_agrees_with_a_stated_trial_start_is_accepted(tmp_path: Path) -> None:
    """Both given (csdid's dummy plus its first-treated month): read when they agree."""
    indicator = pd.read_csv(INDICATOR_FILES[0])
    stated = read_caseload_panel(CONSTANT)[["unit", "trial_start"]].drop_duplicates("unit")
    stated["trial_start"] = stated["trial_start"].astype(str).replace("NaT", "")
    both = indicator.merge(stated, on="unit", how="left")
    path = tmp_path / "both.csv"
    both.to_csv(path, index=False)
    pd.testing.assert_frame_equal(read_caseload_panel(path), read_caseload_panel(CONSTANT))


def test_units_keep_their_own_layout(tmp_path: Path) -> None:
    """A unit whose indicator is 1 in every month (its trial began before the panel) is a
    trial unit without a known start, as in layout 1; a 0 unit is a control."""
    path = write_csv(
        tmp_path,
        [
            HEADER,
            *unit_rows("switch", [0, 0, 1]),
            *unit_rows("always", [1, 1, 1]),
            *unit_rows("never", [0, 0, 0]),
        ],
    )
    first = read_caseload_panel(path).drop_duplicates("unit")
    assert dict(zip(first["unit"], first["treated"], strict=True)) == {
        "always": 1,
        "never": 0,
        "switch": 1,
    }
    assert dict(zip(first["unit"], months(first["trial_start"]), strict=True)) == {
        "always": None,
        "never": None,
        "switch": "2024-03",
    }


def test_a_gap_away_from_the_switch_is_fine(tmp_path: Path) -> None:
    lines = [HEADER, "101,a,2024-01,100,0", "101,a,2024-03,100,0", "101,a,2024-04,100,1"]
    panel = read_caseload_panel(write_csv(tmp_path, lines))
    assert set(panel["trial_start"].astype(str)) == {"2024-04"}


# --- refused indicators -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_indicator_that_switches_off_is_refused(suffix: str) -> None:
    path = FIXTURES / f"treatment_switch_off.{suffix}"
    error, problems = refused(path)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.row, problem.column) == (6, "treated")
    assert problem.message.startswith(
        "treated switches off again (unit 'forsoeg' in municipality 101): "
        "on in 2024-03 (row 4), off in 2024-05 (row 6)"
    )
    assert "for a trial that ended, leave out the months after its end" in problem.message
    assert problem.expected == "0 before the trial start, then 1 in every month from it on"
    assert problem.found == (
        "0 in 2024-01 to 2024-02, 1 in 2024-03 to 2024-04, 0 in 2024-05 to 2024-06"
    )
    assert f"{path}, row 6, column 'treated': treated switches off again" in str(error)
    assert "must be the same in every month" not in str(error)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_indicator_that_switches_on_twice_is_refused(suffix: str) -> None:
    path = FIXTURES / f"treatment_switch_on_twice.{suffix}"
    error, problems = refused(path)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.row, problem.column) == (4, "treated")
    assert problem.message.startswith(
        "treated switches on more than once (unit 'forsoeg' in municipality 101): "
        "on in 2024-02 (row 3), off in 2024-03 (row 4), on in 2024-04 (row 5)"
    )
    assert problem.found == "0 in 2024-01, 1 in 2024-02, 0 in 2024-03, 1 in 2024-04 to 2024-06"
    assert f"{path}, row 4, column 'treated': treated switches on more than once" in str(error)


def test_switch_rows_are_file_rows_when_the_file_is_not_sorted(tmp_path: Path) -> None:
    lines = [HEADER, "101,a,2024-03,100,0", "101,a,2024-01,100,1", "101,a,2024-02,100,1"]
    _, problems = refused(write_csv(tmp_path, lines))
    assert [(p.row, p.column) for p in problems] == [(2, "treated")]
    assert "off in 2024-03 (row 2)" in problems[0].message
    assert problems[0].message.startswith("treated switches off (unit 'a'")


def test_switch_on_right_after_a_gap_needs_a_trial_start(tmp_path: Path) -> None:
    lines = [HEADER, "101,a,2024-01,100,0", "101,a,2024-02,100,0", "101,a,2024-05,100,1"]
    _, problems = refused(write_csv(tmp_path, lines))
    problem = problems[0]
    assert len(problems) == 1 and (problem.row, problem.column) == (4, "treated")
    assert problem.message == (
        "treated switches on after a gap in the months (unit 'a' in municipality 101): "
        "0 in 2024-02 (row 3), then 1 in 2024-05 (row 4), so the trial started in one of "
        "2024-03 to 2024-05; give the unit a trial_start saying which, or add the missing "
        "months"
    )
    assert problem.found == "no rows for 2024-03 to 2024-04"
    # a stated start inside the gap settles it
    stated = [lines[0] + ",trial_start"] + [line + ",2024-04" for line in lines[1:]]
    panel = read_caseload_panel(write_csv(tmp_path, stated))
    assert set(panel["trial_start"].astype(str)) == {"2024-04"}
    assert panel["treated"].tolist() == [1, 1, 1]


def test_indicator_that_disagrees_with_trial_start_is_refused(tmp_path: Path) -> None:
    lines = [HEADER + ",trial_start"] + [f"{line},2024-02" for line in unit_rows("a", [0, 0, 1, 1])]
    _, problems = refused(write_csv(tmp_path, lines))
    problem = problems[0]
    assert len(problems) == 1 and (problem.row, problem.column) == (3, "trial_start")
    assert problem.message == (
        "treated and trial_start disagree (unit 'a' in municipality 101): treated switches "
        "on in 2024-03 (row 4), trial_start says 2024-02; treated is 0 from trial_start on "
        "in row 3 (2024-02)"
    )
    assert problem.expected == (
        "treated 0 before 2024-02 and 1 from it on, or an empty trial_start to take the "
        "start from treated"
    )
    assert problem.found == "2024-02"


def test_constant_layout_is_unchanged_by_a_trial_start_inside_the_panel(tmp_path: Path) -> None:
    """Layout 1 is read as before: a constant 1 with a start after the first month is a
    trial unit observed before its trial, not a disagreement."""
    lines = [HEADER + ",trial_start"] + [f"{line},2024-03" for line in unit_rows("a", [1] * 4)]
    panel = read_caseload_panel(write_csv(tmp_path, lines))
    assert panel["treated"].tolist() == [1] * 4
    assert set(panel["trial_start"].astype(str)) == {"2024-03"}


def test_other_problems_of_a_switching_unit_are_still_reported(tmp_path: Path) -> None:
    lines = [HEADER, "101,a,2024-01,100,0", "101,a,2024-02,100,2", "101,a,2024-03,100,1"]
    _, problems = refused(write_csv(tmp_path, lines))
    assert [(p.row, p.column, p.message) for p in problems] == [
        (3, "treated", "treated must be 0 or 1")
    ]


def test_several_trial_starts_of_a_switching_unit_are_reported_once(tmp_path: Path) -> None:
    lines = [
        HEADER + ",trial_start",
        "101,a,2024-01,100,0,2024-03",
        "101,a,2024-02,100,1,2024-03",
        "101,a,2024-03,100,1,2024-02",
    ]
    _, problems = refused(write_csv(tmp_path, lines))
    assert [(p.row, p.column, p.message) for p in problems] == [
        (
            4,
            "trial_start",
            "trial_start must be the same in every month of a unit (unit 'a' in municipality 101)",
        )
    ]
