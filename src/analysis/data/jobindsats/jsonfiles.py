"""JSON files from Jobindsats: reading them strictly and telling which kind a file is.

Two kinds of Jobindsats JSON reach this project, and each has its own reader:

- an answer of the Jobindsats API (``https://api.jobindsats.dk/v2/data/<table>/json``):
  a list of tables, each an object with ``Variables`` (the columns: ``Name`` and
  ``Label``) and ``Data`` (one list of values per row); also the same rows written as
  records (one object per row, keyed by the labels), one JSON document per line or
  several answers appended to one file. Read by
  :func:`~analysis.data.jobindsats.api.read_jobindsats_api`;
- the dashboard snapshot (``meta``, ``national``, ``municipalities``). Read by
  :func:`~analysis.data.jobindsats.snapshot.load_snapshot`.

Every reader of Jobindsats or StatBank files asks :func:`json_kind` first, so a JSON file
handed to the wrong reader is named for what it is, with the reader that takes it.
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis.data.parsing import snake_case
from analysis.errors import InputError

#: The readers, by kind of file (named in error messages).
API_READER = "analysis.data.jobindsats.read_jobindsats_api"
SNAPSHOT_READER = "analysis.data.jobindsats.load_snapshot"
EXPORT_READER = "analysis.data.jobindsats.read_jobindsats_export"
#: Where a Jobindsats table is fetched as JSON (a key from jobindsats@star.dk is needed).
API_URL = "https://api.jobindsats.dk/v2/data/<table>/json"

#: Keys (snake_case) that make an object a record of Jobindsats rows: an area and a period.
_AREA_KEYS = frozenset({"area", "omraade", "kommune", "jobcenter"})
_PERIOD_KEYS = frozenset({"periode", "period"})

_WHAT = {
    "api": (
        "an answer of the Jobindsats API (JSON with Variables and Data)",
        API_READER,
    ),
    "records": ("Jobindsats API rows written as JSON records", API_READER),
    "snapshot": (
        "the Jobindsats dashboard snapshot (JSON with meta, national, municipalities)",
        SNAPSHOT_READER,
    ),
    "unknown": ("a JSON file", None),
}


class JsonProblem(ValueError):
    """Valid-looking JSON that is still ambiguous or not JSON (see :func:`load_documents`)."""

    def __init__(self, message: str, expected: str):
        super().__init__(message)
        self.expected = expected


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object whose keys are unique (``json`` would keep the last silently)."""
    keys = [key for key, _ in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise JsonProblem(
            f"duplicate key(s) in one JSON object: {', '.join(map(repr, duplicated))}",
            "each key once per object",
        )
    return dict(pairs)


def _no_constant(name: str) -> float:
    """``NaN``/``Infinity`` are not JSON (a suppressed value is ``null``)."""
    raise JsonProblem(f"{name} is not valid JSON", "null for a suppressed value, else a number")


def looks_like_json(file: Path) -> bool:
    """Whether the file's first character (after a byte-order mark and blanks) opens a
    JSON array or object; False for a file that cannot be read (its reader says why)."""
    try:
        with file.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"[", b"{")


def _line_and_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def load_documents(file: Path) -> list[object]:
    """Every JSON document in the file, strictly: one, or several one after another (JSON
    lines, or API answers appended to one file). Duplicate keys and ``NaN`` are refused;
    a syntax error names its line and column."""
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    except OSError as exc:
        raise InputError.single(file, f"cannot read the file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(
            file, f"not UTF-8 text (byte {exc.start})", expected="a UTF-8 JSON file"
        ) from None
    decoder = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    documents: list[object] = []
    position = 0
    try:
        while True:
            while position < len(text) and text[position].isspace():
                position += 1
            if position == len(text) and documents:
                return documents
            document, position = decoder.raw_decode(text, position)
            documents.append(document)
    except json.JSONDecodeError as exc:
        line, column = _line_and_column(text, exc.pos)
        raise InputError.single(
            file, f"malformed JSON: {exc.msg}", row=line, column=str(column)
        ) from None
    except JsonProblem as exc:
        raise InputError.single(file, str(exc), expected=exc.expected) from None
    except RecursionError:
        raise InputError.single(
            file, "JSON nested too deeply", expected="a few levels of nesting"
        ) from None


def api_tables(documents: list[object]) -> list[dict]:
    """The tables of API answers (objects with ``Variables`` and ``Data``), in order; an
    answer is a list of tables or one table."""
    tables: list[dict] = []
    for document in documents:
        items = document if isinstance(document, list) else [document]
        tables += [t for t in items if isinstance(t, dict) and {"Variables", "Data"} <= t.keys()]
    return tables


def json_kind(documents: list[object]) -> str:
    """``api``, ``records`` (objects keyed by an area and a period label, e.g. ``Area``
    and ``Periode``), ``snapshot`` or ``unknown``."""
    first = documents[0] if documents else None
    if isinstance(first, dict) and "municipalities" in first:
        return "snapshot"
    if api_tables(documents):
        return "api"
    items = [x for d in documents for x in (d if isinstance(d, list) else [d])]
    if items and all(isinstance(x, dict) for x in items):
        keys = {snake_case(key) for key in items[0]}
        if keys & _AREA_KEYS and keys & _PERIOD_KEYS:
            return "records"
    return "unknown"


def kind_of_file(file: Path) -> str | None:
    """The kind of a JSON file (see :func:`json_kind`), or None when it is not JSON."""
    if not looks_like_json(file):
        return None
    try:
        return json_kind(load_documents(file))
    except InputError:
        return "unknown"


def what_it_is(kind: str) -> str:
    """'<what the file is>: read it with <reader>' for an error message."""
    what, reader = _WHAT[kind]
    return f"{what}: read it with {reader}" if reader else what
