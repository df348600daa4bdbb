"""Placeholders for what the detector finds: ``[CPR]``, ``[E-MAIL]``, ``[TELEFON]`` and one
alias per person (``[NAVN A]``), in texts and in identifiers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from analysis.privacy.detection import Finding, find_personal_data
from analysis.privacy.offsets import Edit, apply_edits

PLACEHOLDERS = {"cpr": "[CPR]", "email": "[E-MAIL]", "phone": "[TELEFON]"}


#: the alias of a finding in an identifier ("interview-navn-a", "borger-cpr")
_ID_WORDS = {"cpr": "cpr", "email": "e-mail", "phone": "telefon"}


@dataclass
class Pseudonymiser:
    """Replaces findings with placeholders; the same name always gets the same alias."""

    aliases: dict[str, str] = field(default_factory=dict)

    def alias(self, name: str) -> str:
        key = name.casefold()
        if key not in self.aliases:
            self.aliases[key] = f"[NAVN {_letters(len(self.aliases))}]"
        return self.aliases[key]

    def placeholder(self, finding: Finding) -> str:
        if finding.kind == "name":
            return self.alias(finding.key or finding.text)
        return PLACEHOLDERS[finding.kind]

    def edits(self, findings: Sequence[Finding]) -> list[Edit]:
        """One edit per finding (overlapping ones once), placeholders for the text."""
        out: list[Edit] = []
        last = 0
        for finding in sorted(findings, key=lambda f: f.start):
            if finding.start < last or finding.end <= finding.start:
                continue
            out.append(Edit(finding.start, finding.end, self.placeholder(finding)))
            last = finding.end
        return out

    def replace(self, text: str, findings: Sequence[Finding]) -> str:
        return apply_edits(text, self.edits(findings))[0]

    def identifier_word(self, finding: Finding) -> str:
        """The placeholder of a finding as it can stand in an id: ``navn-a``, ``cpr``."""
        if finding.kind == "name":
            return self.alias(finding.key or finding.text).strip("[]").lower().replace(" ", "-")
        return _ID_WORDS[finding.kind]


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def pseudonymous_id(identifier: str, names: Iterable[str], pseudonymiser: Pseudonymiser) -> str:
    """``identifier`` with the personal data in it replaced by its alias
    (``interview-jakob-jensen`` -> ``interview-navn-a``, ``borger-010203-1234`` ->
    ``borger-cpr``); the same identifier when it holds none. Separators (``-_.``) count as
    spaces, so a name made into a file name or a slug is found."""
    spaced = re.sub(r"[-_.]+", " ", identifier)
    findings = find_personal_data(spaced, names)
    if not findings:
        return identifier
    words, last = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < last:
            continue
        words += [spaced[last : finding.start], f" {pseudonymiser.identifier_word(finding)} "]
        last = finding.end
    words.append(spaced[last:])
    return "-".join("".join(words).split()) or "kilde"
