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

    def __init__(self, problems: Iterable[InputProblem] | InputProblem, summary: str = ""):
        self.problems: list[InputProblem] = (
            [problems] if isinstance(problems, InputProblem) else list(problems)
        )
        self.summary = summary
        super().__init__(self._render())

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
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            lines.append(f"... and {hidden} more problem(s) of the same kind")
        return "\n".join(lines)
