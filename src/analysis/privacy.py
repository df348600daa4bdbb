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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError
from analysis.paths import SMALL_COUNT_THRESHOLD

MODES = ("pseudonymise", "stop", "allow")

#: Every Unicode dash (category Pd: hyphen-minus, hyphen, non-breaking hyphen, en and em
#: dash, ...) and the minus sign: word processors turn one into another. (A test checks
#: the list against the Unicode database.)
DASHES = (
    "-\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a"
    "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d"
    "\U00010ead\u2212"
)
_DASH = "[" + re.escape(DASHES) + "]"
# A CPR number is ddmmyy plus four digits. Inside the date: nothing, a space, a dot or a
# dash; between date and serial: nothing, spaces, a dash or a slash (spaces around
# allowed). Not a CPR: digits that continue a longer number (or a decimal fraction).
_CPR = re.compile(
    r"(?<!\d)(?<!\d[.,])"
    rf"(?:0[1-9]|[12]\d|3[01])(?:[\s.]|{_DASH})?(?:0[1-9]|1[0-2])(?:[\s.]|{_DASH})?\d{{2}}"
    rf"\s*(?:(?:{_DASH}|/)\s*)?\d{{4}}"
    r"(?!\d)(?![.,]\d)"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?![\w-])")
# +45 / 0045 prefix optional; 8 digits, grouped 2-2-2-2 (space, dot or dash), 4-4 (space;
# a dash only after the prefix) or not at all. "2018-2019" is a year range, not a phone.
_PHONE = re.compile(
    r"(?<![\w+])(?<!\d[.,])"
    rf"(?:(?:\+|00)45(?:\s|{_DASH})?(?:\d{{4}}(?:\s|{_DASH})\d{{4}})"
    rf"|(?:(?:\+|00)45(?:\s|{_DASH})?)?"
    rf"(?:\d{{2}}([\s.]|{_DASH})\d{{2}}\1\d{{2}}\1\d{{2}}|\d{{4}}[ \u00a0]\d{{4}}|\d{{8}})"
    r")(?!\w)(?![.,]\d)"
)
_YEAR_PAIR = re.compile(r"(?:19|20)\d\d\D+(?:19|20)\d\d")
# Hexadecimal identifiers (content hashes, short commit ids, GUIDs) hold digit runs that
# look like a CPR number or a phone number by chance; digits inside them are not personal
# data. An identifier stands alone: 16 or more hex digits, 12 or more mixing digits and
# the letters a-f (a short commit id), or a GUID.
_HEX_ID = re.compile(
    r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{16,}"
    r"|(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{12,}"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"(?![0-9A-Za-z])"
)

PLACEHOLDERS = {"cpr": "[CPR]", "email": "[E-MAIL]", "phone": "[TELEFON]"}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data found in a text (character offsets, code points)."""

    kind: str  # "cpr", "email", "phone", "name"
    start: int
    end: int
    text: str
    #: who a name finding is (the listed name, with any compound part), so that "Jensen,
    #: Jakob", "JAKOB JENSEN" and "Jakob Jensen" get the same alias
    key: str = ""


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
                self.alias(finding.key or finding.text)
                if finding.kind == "name"
                else PLACEHOLDERS[finding.kind]
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


_SPACE = r"\s+"  # any run of whitespace: "Jakob  Jensen", "Jakob\nJensen"
_GENITIVE = r"(?:s|['’]s?)?"  # "Jensens sag", "Jens' sag"
_COMPOUND = rf"(?:\w+{_DASH})*"


def _letter_pattern(char: str) -> str:
    """A letter of a name as typed or decomposed (å as a + combining ring), any dash for a
    dash."""
    if char in DASHES:
        return _DASH
    forms = {char, unicodedata.normalize("NFC", char), unicodedata.normalize("NFD", char)}
    if len(forms) == 1:
        return re.escape(char)
    return "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")"


def _token_pattern(token: str) -> str:
    return "".join(_letter_pattern(c) for c in unicodedata.normalize("NFC", token))


def _name_variants(name: str) -> list[str]:
    """The ways a listed name is written: in full (any whitespace between the parts), first
    and last name without the middle names, initial and last name ("J. Jensen"), and last
    name first ("Jensen, Jakob")."""
    parts = [_token_pattern(t) for t in name.split()]
    if not parts:
        return []
    variants = [_SPACE.join(parts)]
    if len(parts) >= 3:
        variants.append(parts[0] + _SPACE + parts[-1])
    if len(parts) >= 2:
        first = unicodedata.normalize("NFC", name.split()[0])
        variants.append(_letter_pattern(first[0]) + r"\." + r"\s*" + parts[-1])
        middle = "".join(f"(?:{_SPACE}{p})?" for p in parts[1:-1])
        variants.append(parts[-1] + r"\s*,\s*" + parts[0] + middle)
    return variants


@lru_cache(maxsize=64)
def _name_patterns(names: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One compiled pattern per listed name, longest names first (so "Søren Sønderby" wins
    over a listed "Søren"). A listed name masks the whole hyphenated name it is part of
    ("Hanne-Lise") and leaves a genitive ending in the text ("[NAVN A]s sag")."""
    out = []
    for name in sorted({n.strip() for n in names if n.strip()}, key=lambda n: (-len(n), n)):
        variants = "|".join(_name_variants(name))
        pattern = re.compile(
            rf"(?<![\w{re.escape(DASHES)}])(?P<pre>{_COMPOUND})(?:{variants})"
            rf"(?P<post>(?:{_DASH}\w+)*)(?={_GENITIVE}(?!\w))",
            flags=re.IGNORECASE,
        )
        out.append((name, pattern))
    return tuple(out)


@lru_cache(maxsize=64)
def _name_screen(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One quick pattern that matches wherever any listed name could be written: every
    way :func:`_name_variants` allows contains the name's last part, so a text without
    any last part has no listed name, and the per-name patterns are skipped for it."""
    lasts = {_token_pattern(n.split()[-1]) for n in names if n.strip()}
    if not lasts:
        return None
    return re.compile("|".join(sorted(lasts, key=lambda p: (-len(p), p))), re.IGNORECASE)


def _inside_identifier(text: str, start: int, end: int) -> bool:
    """True when the span lies inside a hexadecimal identifier (a hash or a GUID)."""
    left = max(0, start - 64)
    for match in _HEX_ID.finditer(text, left, min(len(text), end + 64)):
        if match.start() <= start and end <= match.end():
            return True
    return False


def find_personal_data(text: str, names: Iterable[str] = ()) -> list[Finding]:
    """Every CPR number, e-mail address, phone number and listed name in ``text``.

    CPR numbers in every spelling people use (``010203-1234``, ``0102031234``,
    ``01.02.03-1234``, ``010203 - 1234``, ``010203/1234``, any Unicode dash, after a prefix
    as in ``CPR-0102031234``); the modulus-11 check is deliberately not applied (numbers
    issued since 2007 may fail it). Year ranges ("2018-2019") and digits inside hashes or
    GUIDs are not taken for numbers of persons.
    """
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int, key: str = "") -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        findings.append(Finding(kind, start, end, text[start:end], key))

    for match in _CPR.finditer(text):
        if not _inside_identifier(text, *match.span()):
            add("cpr", *match.span())
    for match in _EMAIL.finditer(text):
        add("email", *match.span())
    for match in _PHONE.finditer(text):
        if _YEAR_PAIR.fullmatch(match.group(0)) or _inside_identifier(text, *match.span()):
            continue
        add("phone", *match.span())
    names = tuple(names)
    screen = _name_screen(names)
    for name, pattern in _name_patterns(names) if screen and screen.search(text) else ():
        for match in pattern.finditer(text):
            key = f"{match.group('pre')}{name}{match.group('post')}"
            add("name", *match.span(), key=re.sub(_DASH, "-", key).casefold())
    return sorted(findings, key=lambda f: f.start)


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
                f"{row[source_column]}, character {f.start}: {_describe(f)}" for f in findings
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
            _stop_message([f"{where}, character {f.start}: {_describe(f)}" for f in findings])
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
