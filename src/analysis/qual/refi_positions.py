"""Where a REFI-QDA project's codings are: its selections, and how a tool counted their
positions (characters, UTF-8 bytes or UTF-16 units, on the stored, LF or CRLF text),
decided from the stored text and turned into characters on the LF text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.errors import InputError
from analysis.qual.offsets import (
    byte_offsets,
    newline_offset_map,
    normalise_newlines,
    units_to_chars,
    utf16_offsets,
    with_crlf,
    word_boundary_score,
)
from analysis.qual.refi_xml import normalise_guid, xml_child, xml_children, xml_text


@dataclass(frozen=True)
class Selection:
    """One coding of a text selection as the file gives it (positions as the tool counted)."""

    start: int
    end: int
    code_guid: str
    coder_guid: str | None
    memo: str
    name: str


def _candidates(raw: str) -> dict[str, dict[int, int]]:
    """Position readings of a stored text: name -> (tool position -> LF code point)."""
    lf = normalise_newlines(raw)
    variants = {"text": raw, "lf": lf, "crlf": with_crlf(lf)}
    out: dict[str, dict[int, int]] = {}
    for variant, text in variants.items():
        to_lf = newline_offset_map(text)
        for unit, table in (
            ("chars", list(range(len(text) + 1))),
            ("utf8", byte_offsets(text)),
            ("utf16", utf16_offsets(text)),
        ):
            mapping = {pos: to_lf[index] for pos, index in units_to_chars(table).items()}
            out[f"{unit}/{variant}"] = mapping
    return out


def resolve_positions(
    source: str, raw: str, selections: list[Selection], positions: str
) -> tuple[dict[int, int], str | None]:
    """The mapping that reads the selections' positions correctly, and a note if repaired."""
    lf = normalise_newlines(raw)
    candidates = _candidates(raw)
    if positions != "auto":
        candidates = {k: v for k, v in candidates.items() if k.startswith(positions + "/")}
    scored: list[tuple[int, str, tuple]] = []
    for name, mapping in candidates.items():
        mapped = []
        for sel in selections:
            start, end = mapping.get(sel.start), mapping.get(sel.end)
            if start is None or end is None or not start < end:
                break
            mapped.append((start, end))
        else:
            score = sum(word_boundary_score(lf, a, b) for a, b in mapped)
            for sel, (a, b) in zip(selections, mapped, strict=True):
                shown = " ".join(lf[a:b].split())
                if (
                    sel.name
                    and len(sel.name) >= 4
                    and shown.startswith(" ".join(sel.name.split())[:40])
                ):
                    score += 10
            scored.append((score, name, tuple(mapped)))
    if not scored:
        raise InputError.single(
            source,
            "the selection positions fit the source text neither as characters nor as "
            "UTF-8 bytes or UTF-16 units (with LF or CRLF line endings); the text may have "
            "been changed after coding",
        )
    best = max(s for s, _, _ in scored)
    winners = {m for s, _, m in scored if s == best}
    if len(winners) > 1:
        standard = [m for s, n, m in scored if s == best and n in {"chars/text", "chars/lf"}]
        if not standard:
            readings = sorted(n for s, n, _ in scored if s == best)
            raise InputError.single(
                source,
                "cannot tell how the selection positions are counted "
                f"({', '.join(readings)} fit equally well); re-export with character "
                "positions or pass positions='chars'/'utf8'/'utf16'",
            )
        chosen_mapping = standard[0]
    else:
        chosen_mapping = winners.pop()
    names = [n for s, n, m in scored if m == chosen_mapping]
    name = "chars/text" if "chars/text" in names else names[0]
    mapping = candidates[name]
    note = None
    if not (name == "chars/text" or (name == "chars/lf" and raw == lf)):
        if name != "chars/lf":
            unit, variant = name.split("/")
            note = (
                f"{source}: positions counted in {_UNITS[unit]} on the {_VARIANTS[variant]} "
                "text; converted to characters on the LF text"
            )
        else:
            note = f"{source}: CRLF text normalised to LF; positions moved accordingly"
    elif raw != lf:
        note = f"{source}: CRLF text normalised to LF; positions moved accordingly"
    return mapping, note


_UNITS = {"chars": "characters", "utf8": "UTF-8 bytes", "utf16": "UTF-16 units"}
_VARIANTS = {"text": "stored", "lf": "LF", "crlf": "CRLF"}


def read_selections(element: Any, raw: str) -> list[Selection]:
    """The codings of a source: one per ``Coding`` of each ``PlainTextSelection``, and
    those on the whole source."""
    found = []
    for sel in xml_children(element, "PlainTextSelection"):
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            raise InputError.single(
                "project.qde", "PlainTextSelection without integer positions", found=sel.get("guid")
            ) from None
        memo = xml_text(xml_child(sel, "Description")) or ""
        for coding in xml_children(sel, "Coding"):
            ref = xml_child(coding, "CodeRef")
            if ref is None:
                continue
            coder = coding.get("creatingUser") or sel.get("creatingUser")
            found.append(
                Selection(
                    start,
                    end,
                    normalise_guid(ref.get("targetGUID")) or "",
                    normalise_guid(coder),
                    memo,
                    sel.get("name") or "",
                )
            )
    return found + whole_source_codings(element, raw)


def whole_source_codings(element: Any, raw: str) -> list[Selection]:
    """Codes on a whole source (``Coding`` directly in the source element)."""
    found = []
    for coding in xml_children(element, "Coding"):
        ref = xml_child(coding, "CodeRef")
        if ref is not None:
            found.append(
                Selection(
                    0,
                    len(raw),
                    normalise_guid(ref.get("targetGUID")) or "",
                    normalise_guid(coding.get("creatingUser")),
                    "",
                    "",
                )
            )
    return found
