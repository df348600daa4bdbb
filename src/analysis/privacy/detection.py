"""Finding personal data in a text: CPR numbers, e-mail addresses, Danish phone numbers
and the names on a list, in every spelling people use (see :func:`find_personal_data`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from analysis.privacy.normalise import (
    _FOLD,
    _FOLD_PAIRS,
    DASHES,
    _fold_name,
    normalise_edits,
)
from analysis.privacy.offsets import Edit, apply_edits

# A CPR number is ddmmyy plus four digits (ASCII digits, one "-" for every dash: the
# patterns run on the normalised text). A line break (with spaces around it) may split
# the number anywhere. Inside the date: nothing, a space, a dot, a dash or a slash;
# between date and serial: nothing, spaces, a dash or a slash (spaces around allowed).
# Not a CPR: digits that continue a longer number (or a decimal fraction).
_BR = r"(?:[ \t]*\r?\n[ \t]*)?"
_DATE_SEP = rf"(?:[./-]{_BR}|[ \t]|{_BR})"
_CPR = re.compile(
    r"(?<![0-9])(?<![0-9][.,])"
    rf"(?:0{_BR}[1-9]|[12]{_BR}[0-9]|3{_BR}[01]){_DATE_SEP}"
    rf"(?:0{_BR}[1-9]|1{_BR}[0-2]){_DATE_SEP}"
    rf"[0-9]{_BR}[0-9]"
    r"\s*(?:[-/]\s*)?"
    rf"[0-9]{_BR}[0-9]{_BR}[0-9]{_BR}[0-9]"
    r"(?![0-9])(?![.,][0-9])"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?![\w-])")
# +45 / 0045 prefix optional; 8 digits, grouped 2-2-2-2 (one separator: space, dot or
# dash; or "12 34-56 78"), 4-4 (space; a dash only after the prefix) or not at all. A
# Danish number never starts with 0 (so "00000003", a zero-padded sort key, is none).
# "2018-2019" is a year range, not a phone.
_PHONE = re.compile(
    r"(?<![\w+])(?<![0-9][.,])"
    r"(?:(?:\+|00)45[\s-]?[1-9][0-9]{3}[\s-][0-9]{4}"
    r"|(?:(?:\+|00)45[\s-]?)?"
    r"(?:[1-9][0-9]([\s.-])[0-9]{2}\1[0-9]{2}\1[0-9]{2}"
    r"|[1-9][0-9] [0-9]{2}[.-][0-9]{2} [0-9]{2}|[1-9][0-9]{3} [0-9]{4}|[1-9][0-9]{7})"
    r")(?!\w)(?![.,][0-9])"
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


# Name patterns run on the normalised, folded text (one "-" for every dash, "o" for "ø").
_SEP = r"(?:\s*-\s*|[\s_]+)"  # "Jakob  Jensen", "Jakob\nJensen", "Anne-Marie", "jakob_jensen"
_GENITIVE = r"(?:s|['’]s?)?"  # "Jensens sag", "Jens' sag"
_UPPER = r"(?-i:[A-ZÀ-ÖØ-Þ])"  # a capital letter (a middle name or an initial starts so)
_MIDDLE = rf"{_UPPER}[^\W\d_]*\.?"  # "Mølgaard", "M.", "M"
_AFTER_MIDDLE = rf"(?:{_SEP}|(?<=\.))"  # "Jakob M. Jensen", "J.M.Jensen"


def _token_pattern(token: str) -> str:
    """A part of a folded listed name; a hyphen in it may be a space ("Anne Marie")."""
    return _SEP.join(re.escape(piece) for piece in token.split("-") if piece)


def _name_variants(name: str) -> list[str]:
    """The ways a listed name is written: in full or with other or no middle names and
    initials ("Jakob M. Jensen", "Jakob Mølgaard Jensen" for "Jakob Jensen"), any
    whitespace, hyphen or underscore between the parts; the first name as an initial
    ("J. Jensen", "J Jensen", "J.M. Jensen"); last name first ("Jensen, Jakob")."""
    tokens = [t for t in _fold_name(name).split() if t.strip("-")]
    if not tokens:
        return []
    parts = [_token_pattern(t) for t in tokens]
    if len(parts) == 1:
        return parts
    first, last, listed = parts[0], parts[-1], parts[1:-1]
    middle = "|".join([*listed, _MIDDLE])
    room = len(listed) + 2
    middles = rf"(?:{_SEP}(?:{middle})){{0,{room}}}"
    initial = re.escape(tokens[0][0].upper())
    initials = rf"(?-i:{initial})(?:\.\s*|[\s_]+)(?:{_UPPER}(?:\.\s*|\s+)){{0,2}}"
    return [
        rf"{first}{middles}{_AFTER_MIDDLE}{last}",
        rf"{initials}{last}",
        rf"{last}\s*,\s*(?:{first}{middles}|(?-i:{initial})\.?)",
    ]


@lru_cache(maxsize=64)
def _name_patterns(names: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One compiled pattern per listed name, longest names first (so "Søren Sønderby" wins
    over a listed "Søren"). A listed name masks the whole hyphenated name it is part of
    ("Hanne-Lise") and leaves a genitive ending in the text ("[NAVN A]s sag")."""
    out = []
    for name in sorted({n.strip() for n in names if n.strip()}, key=lambda n: (-len(n), n)):
        variants = "|".join(_name_variants(name))
        if not variants:
            continue
        pattern = re.compile(
            rf"(?<![^\W_])(?<!-)(?P<pre>(?:[^\W\d_]+-)*)(?:{variants})"
            rf"(?P<post>(?:-[^\W\d_]+)*)(?={_GENITIVE}(?![^\W_]))",
            flags=re.IGNORECASE,
        )
        out.append((name, pattern))
    return tuple(out)


@lru_cache(maxsize=64)
def _name_screen(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One quick pattern that matches wherever any listed name could be written: every
    way :func:`_name_variants` allows contains the last piece of the name's last part,
    so a text without any of them has no listed name, and the per-name patterns are
    skipped for it."""
    lasts = set()
    for name in names:
        folded = _fold_name(name).split()
        if folded and folded[-1].strip("-"):
            lasts.add(re.escape([p for p in folded[-1].split("-") if p][-1]))
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

    The text is read normalised (:func:`normalise`: full-width and other digits, invisible
    characters inside a number or a name, any dash), and the findings give the positions
    and the text as they are in ``text``. CPR numbers in every spelling people use
    (``010203-1234``, ``0102031234``, ``01.02.03-1234``, ``01/02/03-1234``, ``010203 -
    1234``, ``010203/1234``, split by a line break, after a prefix as in
    ``CPR-0102031234``); the modulus-11 check is deliberately not applied (numbers issued
    since 2007 may fail it). Year ranges ("2018-2019") and digits inside hashes or GUIDs
    are not taken for numbers of persons. Names: see :func:`_name_variants`.
    """
    names = tuple(names)
    if len(text) <= _SHORT:  # the same short texts (attributes, labels) come again and again
        return list(_find_short(text, names))
    return _find(text, names)


_SHORT = 256


@lru_cache(maxsize=16384)
def _find_short(text: str, names: tuple[str, ...]) -> tuple[Finding, ...]:
    return tuple(_find(text, names))


def _find(text: str, names: tuple[str, ...]) -> list[Finding]:
    edits = normalise_edits(text)
    view, positions = apply_edits(text, edits) if edits else (text, None)
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, start: int, end: int, key: str = "") -> None:
        if any(start < e and s < end for s, e in taken):
            return
        taken.append((start, end))
        if positions is not None:
            start, end = positions.back_start(start), positions.back_end(end)
        findings.append(Finding(kind, start, end, text[start:end], key))

    digits = sum(map(view.count, "0123456789"))  # a CPR number has 10, a phone number 8
    for match in _CPR.finditer(view) if digits >= 10 else ():
        if not _inside_identifier(view, *match.span()):
            add("cpr", *match.span())
    for match in _EMAIL.finditer(view) if "@" in view else ():
        add("email", *match.span())
    for match in _PHONE.finditer(view) if digits >= 8 else ():
        if _YEAR_PAIR.fullmatch(match.group(0)) or _inside_identifier(view, *match.span()):
            continue
        add("phone", *match.span())
    screen = _name_screen(names) if names else None
    if screen is not None:
        folded = view.translate(_FOLD)
        pairs = [Edit(m.start(), m.end(), m.group(0)[0]) for m in _FOLD_PAIRS.finditer(folded)]
        folded, fold_positions = apply_edits(folded, pairs) if pairs else (folded, None)
        for name, pattern in _name_patterns(names) if screen.search(folded) else ():
            for match in pattern.finditer(folded):
                key = f"{match.group('pre')}{name}{match.group('post')}"
                start, end = match.span()
                if fold_positions is not None:
                    start, end = fold_positions.back_start(start), fold_positions.back_end(end)
                add("name", start, end, key=re.sub(f"[{re.escape(DASHES)}]", "-", key).casefold())
    return sorted(findings, key=lambda f: f.start)


def describe_finding(finding: Finding) -> str:
    """What a finding is, for a message: a name as found, a number with its digits
    hidden (``CPR number '••••••-••••'``)."""
    label = {
        "cpr": "CPR number",
        "email": "e-mail address",
        "phone": "phone number",
        "name": "name on the list",
    }[finding.kind]
    masked = finding.text if finding.kind == "name" else re.sub(r"\w", "•", finding.text)
    return f"{label} {masked!r}"
