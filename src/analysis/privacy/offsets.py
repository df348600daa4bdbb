"""Positions in a text and in the same text after edits, both ways.

The door pseudonymises and normalises texts whose codings point into them by character
offsets; :class:`OffsetMap` carries every position through the edits (and back), so a
coding of a name codes its placeholder.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


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
