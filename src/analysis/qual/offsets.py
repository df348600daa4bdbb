"""Text normalisation and position arithmetic shared by loaders, codings and REFI-QDA.

The corpus stores every text with LF line endings and counts positions in Unicode code
points (Python string indices), end exclusive. Tools that wrote the text with CRLF, or
count UTF-8 bytes or UTF-16 code units, are translated into that one convention here.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def normalise_newlines(raw: str) -> str:
    """Drop a leading BOM and turn CRLF and lone CR into LF (what offsets count on)."""
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    """SHA-256 of the LF-normalised text (UTF-8): detects a changed source text."""
    return hashlib.sha256(normalise_newlines(text).encode("utf-8")).hexdigest()


def newline_offset_map(raw: str) -> list[int]:
    """For every position 0..len(raw) in ``raw``, the position in ``normalise_newlines(raw)``.

    A position between CR and LF maps to the position of the resulting LF. A leading BOM
    maps to 0.
    """
    mapping = [0] * (len(raw) + 1)
    out = 0
    i = 0
    if raw.startswith("\ufeff"):
        mapping[0] = 0
        i = 1
    while i < len(raw):
        mapping[i] = out
        if raw[i] == "\r" and i + 1 < len(raw) and raw[i + 1] == "\n":
            mapping[i + 1] = out
            i += 2
        else:
            i += 1
        out += 1
    mapping[len(raw)] = out
    return mapping


def with_crlf(text: str) -> str:
    """The LF text as a Windows tool would hold it (every LF written as CRLF)."""
    return text.replace("\n", "\r\n")


def byte_offsets(text: str, encoding: str = "utf-8") -> list[int]:
    """Cumulative encoded length before each code point: ``result[i]`` = units before
    ``text[i]`` (length ``len(text) + 1``). UTF-8 counts bytes; ``"utf-16-le"`` counts
    2-byte units (halve it for UTF-16 code units)."""
    out = [0]
    total = 0
    for char in text:
        total += len(char.encode(encoding))
        out.append(total)
    return out


def utf16_offsets(text: str) -> list[int]:
    """Cumulative UTF-16 code units before each code point (surrogate pairs count 2)."""
    return [units // 2 for units in byte_offsets(text, "utf-16-le")]


def units_to_chars(cumulative: list[int]) -> dict[int, int]:
    """Invert a cumulative unit table: unit position -> code point position, for the
    positions that fall on a code point boundary only."""
    return {unit: index for index, unit in enumerate(cumulative)}


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs (runs of non-blank lines), without surrounding whitespace."""
    spans = []
    start = 0
    for match in _BLANK_LINE.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [s for s in (_strip_span(text, a, b) for a, b in spans) if s is not None]


def line_spans(text: str) -> list[tuple[int, int]]:
    """Spans of non-blank lines, without surrounding whitespace."""
    spans = []
    start = 0
    for line in text.split("\n"):
        span = _strip_span(text, start, start + len(line))
        if span is not None:
            spans.append(span)
        start += len(line) + 1
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def line_of(text: str, offset: int) -> int:
    """1-based line number of a code point offset in ``text``."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return bisect_right(starts, offset)


def word_boundary_score(text: str, start: int, end: int) -> int:
    """0-2: how many ends of the span sit on a word boundary (coders select whole words)."""

    def is_boundary(pos: int) -> bool:
        if pos <= 0 or pos >= len(text):
            return True
        return not (text[pos - 1].isalnum() and text[pos].isalnum())

    return int(is_boundary(start)) + int(is_boundary(end))
