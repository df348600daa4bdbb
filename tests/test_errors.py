"""The shared problem collector (``analysis.errors.ProblemCollector``) and how an
``InputError`` lists what it carries."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from analysis.errors import MAX_PROBLEMS, InputError, InputProblem, ProblemCollector


def test_collector_raises_nothing_when_empty() -> None:
    problems = ProblemCollector("f.csv")
    assert not problems and len(problems) == 0
    problems.raise_if_any("nothing to see")  # no error


def test_collector_names_file_row_column_and_expectation() -> None:
    problems = ProblemCollector(Path("data/raw/x.csv"))
    problems.add("not a number", row=7, column="caseload", expected="a number", found=12.5)
    problems.add("missing columns", expected="period")
    with pytest.raises(InputError) as info:
        problems.raise_if_any("2 problem(s) in x.csv")
    error = info.value
    assert error.problems == [
        InputProblem("data/raw/x.csv", "not a number", 7, "caseload", "a number", "12.5"),
        InputProblem("data/raw/x.csv", "missing columns", expected="period"),
    ]
    text = str(error)
    assert text.splitlines()[0] == "2 problem(s) in x.csv"
    assert "data/raw/x.csv, row 7, column 'caseload': not a number" in text


def test_collector_keeps_one_cap_and_counts_the_rest() -> None:
    problems = ProblemCollector("big.csv")
    for row in range(2, 2 + MAX_PROBLEMS + 300):
        problems.add("bad", row=row)
    assert len(problems) == MAX_PROBLEMS + 300
    assert len(problems.problems) == MAX_PROBLEMS
    assert problems.full
    error = problems.error()
    assert error.count == MAX_PROBLEMS + 300
    shown = MAX_PROBLEMS + 300 - InputError.max_listed
    assert str(error).splitlines()[-1] == f"... and {shown} more problem(s) not listed"


def test_the_not_listed_line_counts_every_problem_found() -> None:
    """Before: a caller capped its list at 50 (or 500) and the last line counted only the
    capped list ("... and 30 more" for 1,000 problems)."""
    problems = ProblemCollector("f.yaml", limit=50)
    for row in range(1000):
        problems.add("bad", row=row)
    assert str(problems.error()).endswith("... and 980 more problem(s) not listed")


def test_extend_takes_problems_of_an_inner_error_and_keeps_their_file() -> None:
    inner = InputError.single("partition.csv", "unknown municipality", row=3)
    problems = ProblemCollector("clusters.yaml")
    problems.add("unknown section", row=1)
    problems.extend(inner.problems)
    assert [p.file for p in problems.problems] == ["clusters.yaml", "partition.csv"]
    assert len(problems) == 2


def test_input_error_survives_pickling() -> None:
    """Errors cross process boundaries (worker processes, a Dask cluster). Before: the
    unpickled error was rebuilt from its text, one problem per character."""
    problems = ProblemCollector("f.csv", limit=2)
    for row in (2, 3, 4):
        problems.add("bad", row=row, column="x")
    error = problems.error("3 problem(s) in f.csv")
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert copy.problems == error.problems and copy.count == 3
    single = pickle.loads(pickle.dumps(InputError.single("f.csv", "bad", row=3)))
    assert str(single) == "f.csv, row 3: bad"
