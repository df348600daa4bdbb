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


# --- the value found, and one line per distinct problem (issue 14, items 8 and 11) ---------


def test_found_is_shown_also_without_expected() -> None:
    """Before: ``found`` was printed only when ``expected`` was set, so twelve call sites
    (``found=`` alone) dropped the value from the message."""
    problem = InputProblem("corpus", "duplicate source ids", found="s1, s2")
    assert str(problem) == "corpus: duplicate source ids (found 's1, s2')"
    both = InputProblem("f.csv", "not a number", 3, "x", expected="a number", found="abc")
    assert str(both) == "f.csv, row 3, column 'x': not a number (expected a number, found 'abc')"
    assert str(InputProblem("f.csv", "bad", 3, expected="a number")) == (
        "f.csv, row 3: bad (expected a number)"
    )


def test_the_same_value_on_many_rows_is_one_line_with_row_ranges() -> None:
    """Before: one line per row, so 20 lines of 'Copenhagen' hid every other bad value."""
    problems = ProblemCollector("en.csv", group=True)
    for row in [*range(2, 42), 60]:
        problems.add(
            "unknown area", row=row, column="OMRÅDE", expected="an area", found="Copenhagen"
        )
    problems.add("unknown area", row=61, column="OMRÅDE", expected="an area", found="Abroad")
    error = problems.error()
    assert error.count == 42 and len(problems) == 42
    assert str(error).splitlines() == [
        "en.csv, rows 2-41, 60, column 'OMRÅDE': unknown area "
        "(expected an area, found 'Copenhagen')",
        "en.csv, row 61, column 'OMRÅDE': unknown area (expected an area, found 'Abroad')",
    ]
    first = error.problems[0]
    assert (first.row, first.count, first.rows) == (2, 41, ((2, 41), (60, 60)))


def test_every_distinct_value_is_kept_and_every_problem_counted_past_the_cap() -> None:
    """Before: the collector kept the first 200 problems (all 'Copenhagen'), so 'Abroad'
    in rows 202-229 was never named."""
    problems = ProblemCollector("en.csv", group=True)
    for row in range(2, 230):
        value = "Copenhagen" if row < 202 else "Abroad"
        problems.add("unknown area", row=row, column="OMRÅDE", found=value)
    error = problems.error("228 problem(s)")
    assert error.count == 228 and len(problems) == 228
    text = str(error)
    assert "rows 2-201, column 'OMRÅDE': unknown area (found 'Copenhagen')" in text
    assert "rows 202-229, column 'OMRÅDE': unknown area (found 'Abroad')" in text
    assert "not listed" not in text


def test_a_group_lists_its_first_row_runs_and_counts_the_others() -> None:
    problems = ProblemCollector("f.csv", group=True)
    for row in range(2, 1002, 2):  # 500 rows, none adjacent
        problems.add("not a number", row=row, column="x", found="abc")
    (problem,) = problems.problems
    assert problem.count == 500
    assert str(problem) == (
        "f.csv, rows 2, 4, 6, 8, 10, 12, 14, 16, 18, 20 and 490 more rows, column 'x': "
        "not a number (found 'abc')"
    )


def test_grouped_problems_survive_extend_and_pickling() -> None:
    inner = ProblemCollector("partition.csv", group=True)
    for row in (3, 4, 5, 9):
        inner.add("unknown municipality", row=row, column="municipality", found="Atlantis")
    outer = ProblemCollector("clusters.yaml", group=True)
    outer.extend(inner.problems)
    outer.extend(inner.problems)  # the same rows again: counted, runs unchanged
    (problem,) = outer.problems
    assert problem.rows == ((3, 5), (9, 9)) and problem.count == 8 and len(outer) == 8
    assert str(problem).startswith("partition.csv, rows 3-5, 9, column")  # no "more rows"
    error = outer.error()
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error) and copy.count == 8


def test_problems_without_a_value_and_collectors_without_group_stay_one_per_row() -> None:
    """Grouping is by (message, column, expected, value), and only where the reader asks
    for it: a problem without a value found (a row-specific message such as a duplicate
    row) stays on its own line, and so does every problem of a collector made without
    ``group=True``."""
    problems = ProblemCollector("f.csv", group=True)
    for row in (2, 3):
        problems.add("wrong number of fields", row=row)
    assert [p.row for p in problems.problems] == [2, 3]
    plain = ProblemCollector("f.csv")
    for row in (2, 3):
        plain.add("not a number", row=row, column="x", found="abc")
    assert [p.row for p in plain.problems] == [2, 3]
    plain.extend([InputProblem("g.csv", "bad", 4, "x", found="y", rows=((4, 5),), count=2)])
    assert len(plain) == 4 and plain.error().count == 4
