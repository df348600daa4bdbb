"""User-facing errors that name the file, row and column and say what was expected."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path


class AnalysisError(Exception):
    """Base class for errors meant to be read by an analyst, not a traceback reader."""


@dataclass(frozen=True)
class InputProblem:
    """One problem in one input file, or the same problem on several rows.

    ``row`` is the number a person sees: the line number in a text file (header = 1) or
    the row number in a spreadsheet. ``None`` when the problem concerns the whole file
    or a whole column. A problem found on several rows (the same message, column,
    expectation and value) is one problem: ``rows`` holds its runs of rows as
    ``(first, last)`` pairs (the first :data:`MAX_RUNS` runs), ``more_rows`` the rows past
    those, ``row`` the first row and ``count`` how many times it was found.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None
    rows: tuple[tuple[int, int], ...] = ()
    more_rows: int = 0
    count: int = 1

    def __str__(self) -> str:
        where = self.file
        if self.count > 1 and self.rows:
            where += f", rows {self._rows_text()}"
        elif self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        details = [] if self.expected is None else [f"expected {self.expected}"]
        if self.found is not None:
            details.append(f"found {self.found!r}")
        return f"{text} ({', '.join(details)})" if details else text

    def _rows_text(self) -> str:
        """'2-41, 60' and, past the runs kept, 'and 12 more rows'."""
        runs = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in self.rows)
        return f"{runs} and {self.more_rows} more rows" if self.more_rows else runs


class InputError(AnalysisError, ValueError):
    """A bad input file; carries every problem found, not just the first."""

    max_listed = 20

    def __init__(
        self,
        problems: Iterable[InputProblem] | InputProblem,
        summary: str = "",
        *,
        omitted: int = 0,
    ):
        self.problems: list[InputProblem] = (
            [problems] if isinstance(problems, InputProblem) else list(problems)
        )
        self.summary = summary
        #: problems found but not kept (see :class:`ProblemCollector`)
        self.omitted = omitted
        super().__init__(self._render())

    @property
    def count(self) -> int:
        """Every problem found, listed or not (a problem on several rows counts each)."""
        return sum(p.count for p in self.problems) + self.omitted

    def __reduce__(self) -> tuple:
        # rebuilt from its problems, not from its text (errors cross process boundaries)
        return (_rebuild_input_error, (type(self), self.problems, self.summary, self.omitted))

    @classmethod
    def single(
        cls,
        file: str | Path,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        found: object = None,
    ) -> InputError:
        return cls(
            InputProblem(
                file=str(file),
                message=message,
                row=row,
                column=column,
                expected=expected,
                found=None if found is None else str(found),
            )
        )

    def _render(self) -> str:
        lines = [self.summary] if self.summary else []
        shown = self.problems[: self.max_listed]
        lines += [str(p) for p in shown]
        hidden = self.count - sum(p.count for p in shown)
        if hidden > 0:
            lines.append(f"... and {hidden} more problem(s) not listed")
        return "\n".join(lines)


def _rebuild_input_error(
    cls: type[InputError], problems: list[InputProblem], summary: str, omitted: int
) -> InputError:
    return cls(problems, summary, omitted=omitted)


#: The most problems one file's error keeps; every further one is only counted (a file
#: with a million bad rows must not fill memory, and nobody reads past the first screen).
#: A problem found on many rows is kept once (see :class:`ProblemCollector`).
MAX_PROBLEMS = 200
#: The runs of rows a problem found on many rows lists; further rows are counted.
MAX_RUNS = 10

_GroupKey = tuple[str, str, str | None, str | None, str]


class _Group:
    """The rows of one problem found again and again (same message, column, expectation
    and value), kept as runs of adjacent rows."""

    def __init__(self, problem: InputProblem):
        self.problem = problem
        self.runs: list[list[int]] = []
        self.more_rows = 0
        self.count = 0
        self.merge(problem)

    def merge(self, problem: InputProblem) -> None:
        self.count += problem.count
        for first, last in problem.rows or ((problem.row, problem.row),):
            run = next((r for r in self.runs if r[0] <= first <= r[1] + 1), None)
            if run is not None:  # the next row of a run, or rows already listed
                run[1] = max(run[1], last)
            elif len(self.runs) < MAX_RUNS:
                self.runs.append([first, last])
            else:
                self.more_rows += last - first + 1
        self.more_rows += problem.more_rows

    def as_problem(self) -> InputProblem:
        if self.count == 1:
            return self.problem
        return replace(
            self.problem,
            row=self.runs[0][0],
            rows=tuple((a, b) for a, b in self.runs),
            more_rows=self.more_rows,
            count=self.count,
        )


def _group_key(problem: InputProblem) -> _GroupKey | None:
    """Problems with the same key are one problem on several rows; None: not grouped (no
    row, or no value found that makes the message the same on every row)."""
    if problem.row is None or problem.found is None:
        return None
    return (problem.file, problem.message, problem.column, problem.expected, problem.found)


class ProblemCollector:
    """The problems of one input file, collected so that they are raised together.

    The one way to gather problems while validating a file: ``add`` one (file, row,
    column, what was expected, what was found), ``extend`` with those of an inner error,
    then ``raise_if_any``. It keeps the first ``limit`` problems and counts the rest, and
    the error's last line says how many were not listed. ``full`` tells a caller that a
    new problem would only be counted.

    With ``group=True`` the same problem with the same value on many rows (the same
    unknown area in 200 rows) is kept once with its rows ("rows 2-41, 60"), so that one
    run names every distinct bad value; problems without a value found stay one per row.
    """

    def __init__(self, file: str | Path, *, limit: int = MAX_PROBLEMS, group: bool = False):
        self.file = str(file)
        self.limit = limit
        self.group = group
        self._kept: list[InputProblem | _Group] = []
        self._groups: dict[_GroupKey, _Group] = {}
        self._count = 0
        self._omitted = 0

    def __len__(self) -> int:
        """Every problem added, kept or not."""
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    @property
    def full(self) -> bool:
        return len(self._kept) >= self.limit

    @property
    def problems(self) -> list[InputProblem]:
        """The problems kept, in the order first found (grouped ones with their rows)."""
        return [p.as_problem() if isinstance(p, _Group) else p for p in self._kept]

    def add(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        found: object = None,
    ) -> None:
        """One problem of this collector's file (``found`` is shown as text)."""
        self.append(
            InputProblem(
                self.file,
                message,
                row=row,
                column=column,
                expected=expected,
                found=None if found is None else str(found),
            )
        )

    def append(self, problem: InputProblem) -> None:
        """A ready problem (it may name another file, e.g. one this file refers to)."""
        self._count += problem.count
        key = _group_key(problem) if self.group else None
        if key is not None and key in self._groups:
            self._groups[key].merge(problem)
        elif self.full:
            self._omitted += problem.count
        elif key is not None:
            self._groups[key] = group = _Group(problem)
            self._kept.append(group)
        else:
            self._kept.append(problem)

    def extend(self, problems: Iterable[InputProblem]) -> None:
        for problem in problems:
            self.append(problem)

    def error(self, summary: str = "") -> InputError:
        """The collected problems as one error (``summary``: its first line)."""
        return InputError(self.problems, summary, omitted=self._omitted)

    def raise_if_any(self, summary: str = "") -> None:
        if self:
            raise self.error(summary)
