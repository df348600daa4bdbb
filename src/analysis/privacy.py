"""Personal data gate for everything that leaves the project (reports, exports).

Interview transcripts are personal data. Before any text reaches a report or an export it
passes :func:`check_texts`: CPR numbers (``ddmmyy-xxxx``, without the dash, or with the
digits split by spaces), e-mail addresses, Danish phone numbers and names on a
configurable list are either pseudonymised (the default) or stop the run with a message
naming the source and position. Only an explicit ``allow`` policy (the
``--allow-personal-data`` switch) lets them through, and reports print that it was used.

Counts of persons below a threshold (default 5) are suppressed in report tables, as
Jobindsats and Statistics Denmark do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.paths import SMALL_COUNT_THRESHOLD

MODES = ("pseudonymise", "stop", "allow")

# Day 01-31, month 01-12, two-digit year, then four digits; separators: none, dash, spaces.
_CPR = re.compile(
    r"(?<![\d-])(0[1-9]|[12]\d|3[01])\s?(0[1-9]|1[0-2])\s?(\d{2})\s?(?:-\s?)?(\d{4})(?![\d-])"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?![\w-])")
# +45 / 0045 prefix optional; 8 digits, grouped 2-2-2-2, 4-4 or not at all.
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)45[\s-]?)?"
    r"(?:\d{2}[\s-]\d{2}[\s-]\d{2}[\s-]\d{2}|\d{4}[\s-]\d{4}|\d{8})(?![\d])"
)

PLACEHOLDERS = {"cpr": "[CPR]", "email": "[E-MAIL]", "phone": "[TELEFON]"}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data found in a text (character offsets, code points)."""

    kind: str  # "cpr", "email", "phone", "name"
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class PrivacyPolicy:
    """What to do with personal data: pseudonymise (default), stop, or allow."""

    mode: str = "pseudonymise"
    names: tuple[str, ...] = ()
    small_count_threshold: int = SMALL_COUNT_THRESHOLD

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"privacy mode must be one of {', '.join(MODES)}, got {self.mode!r}")

    @property
    def allows_personal_data(self) -> bool:
        return self.mode == "allow"


class PersonalDataError(AnalysisError):
    """Personal data found where the policy says stop."""


@dataclass
class Pseudonymiser:
    """Replaces findings with placeholders; the same name always gets the same alias."""

    aliases: dict[str, str] = field(default_factory=dict)

    def alias(self, name: str) -> str:
        key = name.casefold()
        if key not in self.aliases:
            self.aliases[key] = f"[NAVN {_letters(len(self.aliases))}]"
        return self.aliases[key]

    def replace(self, text: str, findings: Sequence[Finding]) -> str:
        out, last = [], 0
        for finding in sorted(findings, key=lambda f: f.start):
            if finding.start < last:
                continue
            out.append(text[last : finding.start])
            out.append(
                self.alias(finding.text) if finding.kind == "name" else PLACEHOLDERS[finding.kind]
            )
            last = finding.end
        out.append(text[last:])
        return "".join(out)


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def load_name_list(path: Path | str | None) -> tuple[str, ...]:
    """Names to mask, one per line (``#`` starts a comment); a missing file gives none."""
    if path is None or not Path(path).is_file():
        return ()
    names = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.append(name)
    return tuple(sorted(set(names), key=str.casefold))


def find_personal_data(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """Every CPR number, e-mail address, phone number and listed name in ``text``."""
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, match: re.Match[str]) -> None:
        start, end = match.span()
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        findings.append(Finding(kind, start, end, match.group(0)))

    for match in _CPR.finditer(text):
        add("cpr", match)
    for match in _EMAIL.finditer(text):
        add("email", match)
    for match in _PHONE.finditer(text):
        add("phone", match)
    for name in names:
        # a listed name masks the whole hyphenated name it is part of ("Hanne-Lise")
        pattern = re.compile(
            rf"(?<![\w-])(?:\w+-)*{re.escape(name)}(?:-\w+)*(?![\w-])", flags=re.IGNORECASE
        )
        for match in pattern.finditer(text):
            add("name", match)
    return sorted(findings, key=lambda f: f.start)


def check_texts(
    texts: pd.DataFrame,
    policy: PrivacyPolicy,
    *,
    text_column: str = "text",
    source_column: str = "source",
) -> pd.DataFrame:
    """Apply the policy to a table of texts; returns a copy with pseudonymised text.

    With mode ``stop`` the first findings raise :class:`PersonalDataError` naming the
    source and the character position; with ``allow`` the texts pass unchanged.
    """
    if policy.mode == "allow":
        return texts.copy()
    out = texts.copy()
    pseudonymiser = Pseudonymiser()
    problems = []
    for index, row in texts.iterrows():
        text = str(row[text_column])
        findings = find_personal_data(text, policy.names)
        if not findings:
            continue
        if policy.mode == "stop":
            problems += [
                f"{row[source_column]}, character {f.start}: {_describe(f)}" for f in findings
            ]
        else:
            out.at[index, text_column] = pseudonymiser.replace(text, findings)
    if problems:
        listed = "\n".join(problems[:20])
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise PersonalDataError(
            "personal data found; pseudonymise it, remove it, or rerun with "
            f"--allow-personal-data if you are entitled to publish it:\n{listed}{more}"
        )
    return out


def _describe(finding: Finding) -> str:
    label = {
        "cpr": "CPR number",
        "email": "e-mail address",
        "phone": "phone number",
        "name": "name on the list",
    }[finding.kind]
    masked = finding.text if finding.kind == "name" else re.sub(r"\w", "•", finding.text)
    return f"{label} {masked!r}"


#: marks a count hidden only so that a suppressed one cannot be worked out from a total
SECONDARY_MARKER = ".."


def suppress_small_counts(
    table: pd.DataFrame,
    columns: Sequence[str],
    threshold: int = SMALL_COUNT_THRESHOLD,
    marker: str | None = None,
    partition_by: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Replace counts of persons from 1 to ``threshold - 1`` by ``<threshold``.

    Zero stays zero (no person is identified by an empty cell). The result's count columns
    are text, ready for display; keep the numeric table for computation.

    ``partition_by``: columns whose values split the rows into groups whose counts add up
    to a total shown elsewhere (e.g. the sources per department add up to all sources).
    Where a group's suppressed counts add up to less than the threshold (one suppressed
    count always does), they could be worked out from the total, so the smallest other
    positive counts are hidden too, as ``..``, until the hidden counts add up to at least
    the threshold (secondary suppression, as statistical offices do).
    """
    marker = marker or f"<{threshold}"
    out = table.copy()
    for column in columns:
        values = pd.to_numeric(out[column], errors="coerce")
        small = values.gt(0) & values.lt(threshold)
        shown = values.astype("Int64").astype("string")
        shown[small] = marker
        if partition_by:
            cells = _secondary_cells(values, small, table, list(partition_by), threshold)
            for index in cells:
                shown[index] = SECONDARY_MARKER
        shown[values.isna()] = pd.NA
        out[column] = shown
    return out


def _secondary_cells(
    values: pd.Series,
    small: pd.Series,
    table: pd.DataFrame,
    partition_by: list[str],
    threshold: int,
) -> list:
    """Index labels of the counts to hide so that, in every group, the hidden counts add up
    to at least the threshold: one suppressed count, or several adding up to less (2 = 1 +
    1), could otherwise be worked out from the group's total."""
    hidden = []
    keys = partition_by[0] if len(partition_by) == 1 else partition_by
    for rows in table.groupby(keys, dropna=False, sort=False).groups.values():
        group = values.loc[rows]
        suppressed = small.loc[rows]
        if not suppressed.any():
            continue
        total = group[suppressed].sum()
        candidates = group[~suppressed & group.gt(0)].sort_values(kind="stable")
        for index, value in candidates.items():
            if total >= threshold:
                break
            hidden.append(index)
            total += value
    return hidden
