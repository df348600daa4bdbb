"""User-facing errors that name the file, row and column and say what was expected."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class AnalysisError(Exception):
    """Base class for errors meant to be read by an analyst, not a traceback reader."""


@dataclass(frozen=True)
class InputProblem:
    """One problem in one input file.

    ``row`` is the number a person sees: the line number in a text file (header = 1) or
    the row number in a spreadsheet. ``None`` when the problem concerns the whole file
    or a whole column.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.expected is not None:
            text += f" (expected {self.expected}"
            text += f", found {self.found!r})" if self.found is not None else ")"
        return text


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
        """Every problem found, listed or not."""
        return len(self.problems) + self.omitted

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
        hidden = self.count - len(shown)
        if hidden > 0:
            lines.append(f"... and {hidden} more problem(s) not listed")
        return "\n".join(lines)


def _rebuild_input_error(
    cls: type[InputError], problems: list[InputProblem], summary: str, omitted: int
) -> InputError:
    return cls(problems, summary, omitted=omitted)


#: The most problems one file's error keeps; every further one is only counted (a file
#: with a million bad rows must not fill memory, and nobody reads past the first screen).
MAX_PROBLEMS = 200


class ProblemCollector:
    """The problems of one input file, collected so that they are raised together.

    The one way to gather problems while validating a file: ``add`` one (file, row,
    column, what was expected, what was found), ``extend`` with those of an inner error,
    then ``raise_if_any``. It keeps the first ``limit`` problems and counts the rest, and
    the error's last line says how many were not listed. ``full`` tells a caller scanning
    a long file that it may stop.
    """

    def __init__(self, file: str | Path, *, limit: int = MAX_PROBLEMS):
        self.file = str(file)
        self.limit = limit
        self.problems: list[InputProblem] = []
        self._count = 0

    def __len__(self) -> int:
        """Every problem added, kept or not."""
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    @property
    def full(self) -> bool:
        return self._count >= self.limit

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
        self._count += 1
        if len(self.problems) < self.limit:
            self.problems.append(problem)

    def extend(self, problems: Iterable[InputProblem]) -> None:
        for problem in problems:
            self.append(problem)

    def error(self, summary: str = "") -> InputError:
        """The collected problems as one error (``summary``: its first line)."""
        return InputError(self.problems, summary, omitted=self._count - len(self.problems))

    def raise_if_any(self, summary: str = "") -> None:
        if self:
            raise self.error(summary)
