"""How a code of the codebook travels in REFI-QDA, which has only ``name``, ``color`` and
one ``Description`` per code (see docs/qual.md, "The codebook in REFI-QDA").

The code's ``name`` is its Danish label. Its ``Description`` holds the Danish definition
as written, then, after a blank line, one ``key: value`` line for each other field that
is set::

    Borgerens oplevelse af jobcentret ...

    label.en: Citizen perspective
    definition.en: The citizen's experience of ...
    include: ...
    exclude: ...
    example: ...
    patterns: maskinel; afvisende; ud af tilbuddet
    id: borgerperspektiv

The keys are the codebook's own (``label.en`` is ``label: {en: ...}``); ``patterns`` are
separated by ``"; "`` (a pattern cannot hold ``;``); a value with a line break or with
spaces at either end is written as a JSON string. ``id`` is left out when the import would
derive the same id from the name. Other tools show this text as the code's description;
an import reads it back into the fields, and a description without these lines (from
another tool) is the Danish definition, as written.

The codebook's version (and the tool an imported codebook came from) travels in the
file's ``origin``: ``caseload-analysis 1.2.0; codebook version 1.0.0[; codebook from X]``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from analysis.data.reference import slugify

#: description keys, in the order they are written, and the codebook column of each
FIELDS = {
    "label.en": "label_en",
    "definition.en": "definition_en",
    "include": "include",
    "exclude": "exclude",
    "example": "example",
    "patterns": "patterns",
    "id": "id",
}
_LINE = re.compile(r"^(" + "|".join(re.escape(k) for k in FIELDS) + r"): (.*)$")
_CODE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_ORIGIN = re.compile(r"^caseload-analysis \S+; codebook version (.*?)(?:; codebook from (.*))?$")


def base_id(name: str) -> str:
    """The code id an import derives from a code name (before making it unique)."""
    name = " ".join(name.split())
    base = name if _CODE_ID.match(name) else slugify(name).replace("-", "_")
    if not base or not base[0].isalpha():
        base = f"code_{base}" if base else "code"
    return base


def _value(text: str) -> str:
    if "\n" in text or text != text.strip() or text.startswith('"'):
        return json.dumps(text, ensure_ascii=False)
    return text


def description(row: Any) -> str | None:
    """The ``Description`` text of a codebook row (``None`` when there is nothing to say)."""
    lines = []
    for key, column in FIELDS.items():
        value = getattr(row, column)
        if column == "patterns":
            value = "; ".join(value) if value else None
        elif column == "id" and value == base_id(str(row.label_da)):
            value = None
        if isinstance(value, str) and value.strip():
            lines.append(f"{key}: {_value(value)}")
    definition = row.definition_da if isinstance(row.definition_da, str) else None
    block = "\n".join(lines)
    if definition and block:
        return f"{definition}\n\n{block}"
    return definition or block or None


@dataclass(frozen=True)
class Described:
    """The fields read from a code's description."""

    definition_da: str | None
    fields: dict[str, Any]


def read_description(text: str | None) -> Described:
    """The fields of a description written by :func:`description`; any other text is the
    Danish definition as written (``None`` when blank)."""
    if text is None or not text.strip():
        return Described(None, {})
    lines = text.split("\n")
    start = len(lines)
    while start > 0 and _LINE.match(lines[start - 1]):
        start -= 1
    block = lines[start:]
    keys = [_LINE.match(line).group(1) for line in block]  # type: ignore[union-attr]
    separated = start == 0 or (start >= 2 and lines[start - 1] == "")
    if not block or not separated or len(set(keys)) != len(keys):
        return Described(text, {})
    fields: dict[str, Any] = {}
    for line in block:
        key, value = _LINE.match(line).groups()  # type: ignore[union-attr]
        if value.startswith('"'):
            try:
                value = json.loads(value)
            except ValueError:
                return Described(text, {})
        if key == "patterns":
            fields["patterns"] = tuple(p.strip() for p in value.split(";") if p.strip())
        else:
            fields[FIELDS[key]] = value
    if "id" in fields and not _CODE_ID.match(str(fields["id"])):
        return Described(text, {})
    definition = "\n".join(lines[: start - 1]) if start else None
    return Described(definition if definition and definition.strip() else None, fields)


def export_origin(tool: str, version: str, codebook_origin: str | None) -> str:
    """The ``origin`` attribute of an export: the tool and the codebook's version."""
    origin = f"{tool}; codebook version {version}"
    return f"{origin}; codebook from {codebook_origin}" if codebook_origin else origin


def read_origin(origin: str | None) -> tuple[str, str | None] | None:
    """``(codebook version, codebook origin)`` of this project's own export, else ``None``."""
    match = _ORIGIN.match(origin or "")
    if match is None:
        return None
    return match.group(1), match.group(2)
