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
from bisect import bisect_left, bisect_right
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
#: Characters that take no room on the page: every format character (Unicode category
#: Cf: soft hyphen, zero-width space and joiners, word joiner, byte-order mark, direction
#: marks, ...) and the other default-ignorable ones (combining grapheme joiner, Hangul
#: fillers, Khmer inherent vowels, Mongolian and other variation selectors). Inside a
#: token they hide it from every pattern ("0102\u200b03-1234", "Ja\u00adkob"). (A test
#: checks the list against the Unicode database.)
_INVISIBLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x0600, 0x0605), (0x061C, 0x061C),
    (0x06DD, 0x06DD), (0x070F, 0x070F), (0x0890, 0x0891), (0x08E2, 0x08E2),
    (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F),
    (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F), (0xE0100, 0xE01EF),
)  # fmt: skip
INVISIBLE = "".join(chr(c) for a, b in _INVISIBLE_RANGES for c in range(a, b + 1))
_UNIFY = str.maketrans({**dict.fromkeys(INVISIBLE), **dict.fromkeys(DASHES[1:], "-")})
# a text needs normalising when it is not NFKC or holds one of these (a decimal digit of
# another script: NFKC keeps "٣" as it is)
_ODD = re.compile("[" + re.escape(INVISIBLE + DASHES[1:]) + r"]|(?![0-9])\d")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")

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

PLACEHOLDERS = {"cpr": "[CPR]", "email": "[E-MAIL]", "phone": "[TELEFON]"}


# --- edits and positions ------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """``text[start:end]`` replaced by ``new`` (positions in code points)."""

    start: int
    end: int
    new: str


class OffsetMap:
    """Positions in a text and in the text after non-overlapping edits, both ways.

    A position inside an edited stretch goes to the edge of what replaced it: a start to
    its beginning, an end to its end (so a coding of a name codes its placeholder, and a
    coding that ends at a removed soft hyphen ends where the hyphen was)."""

    def __init__(self, length: int, edits: Sequence[Edit] = ()) -> None:
        regions: list[tuple[int, int, int, int, bool]] = []
        old = new = 0
        for edit in edits:
            if edit.start < old or edit.end < edit.start or edit.end == edit.start:
                raise ValueError("edits must be sorted, non-overlapping and non-empty")
            if edit.start > old:
                size = edit.start - old
                regions.append((old, edit.start, new, new + size, False))
                new += size
            regions.append((edit.start, edit.end, new, new + len(edit.new), True))
            old, new = edit.end, new + len(edit.new)
        if length > old or not regions:
            regions.append((old, length, new, new + length - old, False))
            new += length - old
        self.regions = regions
        self.old_length, self.new_length = length, new
        self._old = [r[0] for r in regions]
        self._new = [r[2] for r in regions]

    @property
    def identity(self) -> bool:
        return not any(r[4] for r in self.regions)

    def start(self, position: int) -> int:
        """Where a span starting at ``position`` of the old text starts in the new."""
        if position >= self.old_length:
            return self.new_length
        old_a, _, new_a, _, replaced = self.regions[bisect_right(self._old, position) - 1]
        return new_a if replaced else new_a + position - old_a

    def end(self, position: int) -> int:
        """Where a span ending at ``position`` of the old text ends in the new."""
        if position <= 0:
            return 0
        old_a, _, new_a, new_b, replaced = self.regions[bisect_left(self._old, position) - 1]
        return new_b if replaced else new_a + position - old_a

    def back_start(self, position: int) -> int:
        """Where a span starting at ``position`` of the new text starts in the old."""
        if position >= self.new_length:
            return self.old_length
        old_a, _, new_a, _, replaced = self.regions[bisect_right(self._new, position) - 1]
        return old_a if replaced else old_a + position - new_a

    def back_end(self, position: int) -> int:
        """Where a span ending at ``position`` of the new text ends in the old."""
        if position <= 0:
            return 0
        old_a, old_b, new_a, _, replaced = self.regions[bisect_left(self._new, position) - 1]
        return old_b if replaced else old_a + position - new_a

    def then(self, other: OffsetMap) -> OffsetMap:
        """This map followed by ``other`` (a map of this map's new text)."""
        return _Composed(self, other)  # type: ignore[return-value]


class _Composed:
    def __init__(self, first: OffsetMap, second: OffsetMap) -> None:
        self.first, self.second = first, second
        self.old_length, self.new_length = first.old_length, second.new_length

    @property
    def identity(self) -> bool:
        return self.first.identity and self.second.identity

    def start(self, position: int) -> int:
        return self.second.start(self.first.start(position))

    def end(self, position: int) -> int:
        return self.second.end(self.first.end(position))

    def back_start(self, position: int) -> int:
        return self.first.back_start(self.second.back_start(position))

    def back_end(self, position: int) -> int:
        return self.first.back_end(self.second.back_end(position))

    def then(self, other: OffsetMap) -> _Composed:
        return _Composed(self, other)  # type: ignore[arg-type]


def apply_edits(text: str, edits: Sequence[Edit]) -> tuple[str, OffsetMap]:
    """``text`` with the edits made, and the map of positions between the two."""
    out, last = [], 0
    for edit in edits:
        out.append(text[last : edit.start])
        out.append(edit.new)
        last = edit.end
    out.append(text[last:])
    return "".join(out), OffsetMap(len(text), edits)


# --- normalising ----------------------------------------------------------------------------


def _unify(text: str) -> str:
    """NFKC, invisible characters removed, every dash "-", every decimal digit 0-9."""
    text = unicodedata.normalize("NFKC", text).translate(_UNIFY)
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(c)) if not c.isascii() and c.isdecimal() else c for c in text
    )


def _clusters(run: str) -> list[str]:
    """A run of text cut before every character that does not combine with the one
    before it."""
    out: list[str] = []
    for char in run:
        if out and unicodedata.combining(char):
            out[-1] += char
        else:
            out.append(char)
    return out


def normalise_edits(text: str) -> list[Edit]:
    """The edits that normalise ``text`` (see :func:`normalise`), as small as they can be
    so that positions around them stay exact."""
    if text.isascii() or (unicodedata.is_normalized("NFKC", text) and not _ODD.search(text)):
        return []
    edits: list[Edit] = []
    for match in _NON_ASCII.finditer(text):
        start, end = match.span()
        if start > 0 and unicodedata.combining(text[start]):
            start -= 1  # a combining mark belongs to the letter before it
        run = text[start:end]
        new = _unify(run)
        if new == run:
            continue
        clusters = _clusters(run)
        parts = [_unify(c) for c in clusters]
        if "".join(parts) != new:  # characters that compose across clusters
            edits.append(Edit(start, end, new))
            continue
        position = start
        for cluster, part in zip(clusters, parts, strict=True):
            if part != cluster:
                edits.append(Edit(position, position + len(cluster), part))
            position += len(cluster)
    return edits


def normalise(text: str) -> tuple[str, OffsetMap]:
    """``text`` as the door stores it and the detector reads it: Unicode NFKC (full-width
    letters and digits, ligatures, no-break spaces become the plain ones), invisible
    characters (:data:`INVISIBLE`) removed, every dash a hyphen-minus, the decimal digits
    of every script 0-9; with the map of positions between the original and the result."""
    return apply_edits(text, normalise_edits(text))


def normalise_text(text: str) -> str:
    """:func:`normalise` without the map."""
    return normalise(text)[0]


# Letters a name is written with when the Danish (or German) one is not at hand: "Søren",
# "Soeren", "Sören" and "Soren" are one name; "Mæhl", "Maehl", "Mehl"; "Åse", "Aase",
# "Ase"; "Müller", "Mueller", "Muller". Names and texts are folded alike before names are
# looked for (case kept).
_FOLD = str.maketrans("øöæäåüØÖÆÄÅÜ", "ooeeauOOEEAU")
_FOLD_PAIRS = re.compile("oe|ae|aa|ue", re.IGNORECASE)


def _fold(text: str) -> tuple[str, OffsetMap]:
    text = text.translate(_FOLD)
    edits = [Edit(m.start(), m.end(), m.group(0)[0]) for m in _FOLD_PAIRS.finditer(text)]
    return apply_edits(text, edits)


def _fold_name(name: str) -> str:
    return _fold(normalise_text(unicodedata.normalize("NFC", name)))[0]


# --- findings -------------------------------------------------------------------------------


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
