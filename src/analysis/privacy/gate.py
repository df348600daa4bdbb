"""The policy for personal data (pseudonymise, stop or allow) and the gate that applies
it to tables of texts, single texts and data frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.paths import SMALL_COUNT_THRESHOLD
from analysis.privacy.detection import Finding, describe_finding, find_personal_data
from analysis.privacy.pseudonyms import Pseudonymiser

MODES = ("pseudonymise", "stop", "allow")


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


#: the policy the door last read a corpus with in this process (see :func:`door_policy`)
_DOOR: list[PrivacyPolicy] = []


def remember_door_policy(policy: PrivacyPolicy) -> None:
    """Record the policy the door (:func:`analysis.qual.privacy_gate.pass_gate`) read the
    corpus with, so that text drawn in figures later in the same notebook is gated alike."""
    _DOOR[:] = [policy]


def door_policy() -> PrivacyPolicy | None:
    """The policy the door last read a corpus with in this process, if any."""
    return _DOOR[0] if _DOOR else None


def check_texts(
    texts: pd.DataFrame,
    policy: PrivacyPolicy,
    *,
    text_column: str = "text",
    source_column: str = "source",
    pseudonymiser: Pseudonymiser | None = None,
) -> pd.DataFrame:
    """Apply the policy to a table of texts; returns a copy with pseudonymised text.

    With mode ``stop`` the first findings raise :class:`PersonalDataError` naming the
    source and the character position; with ``allow`` the texts pass unchanged. Pass one
    ``pseudonymiser`` to several calls for the same aliases across them.
    """
    if policy.mode == "allow":
        return texts.copy()
    out = texts.copy()
    pseudonymiser = pseudonymiser if pseudonymiser is not None else Pseudonymiser()
    problems = []
    for index, row in texts.iterrows():
        text = str(row[text_column])
        findings = find_personal_data(text, policy.names)
        if not findings:
            continue
        if policy.mode == "stop":
            problems += [
                f"{row[source_column]}, character {f.start}: {describe_finding(f)}"
                for f in findings
            ]
        else:
            out.at[index, text_column] = pseudonymiser.replace(text, findings)
    if problems:
        raise PersonalDataError(_stop_message(problems))
    return out


def _stop_message(problems: Sequence[str]) -> str:
    listed = "\n".join(problems[:20])
    more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
    return (
        "personal data found; pseudonymise it, remove it, or rerun with "
        f"--allow-personal-data if you are entitled to publish it:\n{listed}{more}"
    )


def mask_same_length(text: str, findings: Sequence[Finding]) -> str:
    """``text`` with every finding's letters and digits replaced by ``X``, so positions
    into the text (coding offsets) stay valid."""
    chars = list(text)
    for finding in findings:
        for i in range(finding.start, finding.end):
            if chars[i].isalnum():
                chars[i] = "X"
    return "".join(chars)


def gate_text(
    text: str,
    policy: PrivacyPolicy,
    *,
    where: str,
    pseudonymiser: Pseudonymiser | None = None,
    keep_length: bool = False,
) -> str:
    """One text through the policy: unchanged (``allow`` or nothing found), pseudonymised
    (placeholders, or ``X`` for each letter and digit with ``keep_length``), or
    :class:`PersonalDataError` naming ``where`` and the position (``stop``)."""
    if policy.mode == "allow" or not text:
        return text
    findings = find_personal_data(text, policy.names)
    if not findings:
        return text
    if policy.mode == "stop":
        raise PersonalDataError(
            _stop_message(
                [f"{where}, character {f.start}: {describe_finding(f)}" for f in findings]
            )
        )
    if keep_length:
        return mask_same_length(text, findings)
    return (pseudonymiser or Pseudonymiser()).replace(text, findings)


def gate_frame(
    frame: pd.DataFrame,
    policy: PrivacyPolicy,
    *,
    where: str,
    pseudonymiser: Pseudonymiser | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names passed :func:`gate_text`
    (numbers are left alone: they are counts and estimates, not identifiers). ``stop``
    names the row (as in the written CSV: header = row 1) and the column."""
    if policy.mode == "allow":
        return frame.copy()
    pseudonymiser = pseudonymiser or Pseudonymiser()
    out = frame.copy()
    out.columns = [
        gate_text(c, policy, where=f"{where}, header", pseudonymiser=pseudonymiser)
        if isinstance(c, str)
        else c
        for c in frame.columns
    ]
    problems: list[str] = []
    for number, column in enumerate(out.columns):
        values = out.iloc[:, number]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        changed = {}
        for row, value in enumerate(values):
            if not isinstance(value, str) or not value:
                continue
            try:
                new = gate_text(
                    value,
                    policy,
                    where=f"{where}, row {row + 2}, column '{column}'",
                    pseudonymiser=pseudonymiser,
                )
            except PersonalDataError as exc:
                problems.append(str(exc).split(":\n", 1)[-1])
                continue
            if new != value:
                changed[row] = new
        if changed:
            replaced = values.astype(object).copy()
            for row, new in changed.items():
                replaced.iloc[row] = new
            out.isetitem(number, replaced)
    if problems:
        raise PersonalDataError(_stop_message("\n".join(problems).splitlines()))
    return out
