"""How the door stores a text and the detector reads it: Unicode NFKC, invisible
characters out, every dash a hyphen-minus, the digits of every script 0-9 (with the map of
positions between the original and the result); and the folding of Danish and German
letters under which names are looked for.
"""

from __future__ import annotations

import re
import unicodedata

from analysis.privacy.offsets import Edit, OffsetMap, apply_edits

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
