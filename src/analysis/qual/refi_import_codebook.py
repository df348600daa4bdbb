"""Reading a REFI-QDA codebook: the ``Codes`` of a ``.qdc`` file or of a project, nested
codes flattened with their parents, descriptions read back into the codebook's fields
(:mod:`analysis.qual.refi_codes`), and what an import of a project or codebook returns
(:class:`ImportResult`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.data.reference import unique_name
from analysis.errors import InputError
from analysis.qual.codebook import Codebook, codebook_from_codes
from analysis.qual.corpus import Corpus, make_corpus
from analysis.qual.refi_codes import base_id, read_description, read_origin
from analysis.qual.refi_xml import (
    guid,
    local_name,
    normalise_guid,
    plural,
    short_list,
    xml_child,
    xml_children,
)
from analysis.qual.safe_io import parse_xml

#: Deepest code hierarchy an import accepts (real codebooks have a handful of levels).
MAX_CODE_DEPTH = 50


@dataclass(frozen=True)
class ImportResult:
    """What an import produced, and the repairs and omissions it made."""

    corpus: Corpus
    codebook: Codebook
    codings: pd.DataFrame
    notes: tuple[str, ...] = field(default=())
    origin: str | None = None

    def summary(self) -> dict[str, Any]:
        return {
            "sources": len(self.corpus.sources),
            "codes": len(self.codebook.codes),
            "codings": len(self.codings),
            "coders": sorted(set(self.codings["coder"])) if not self.codings.empty else [],
            "origin": self.origin,
            "notes": list(self.notes),
        }


def _code_id(name: str, taken: set[str]) -> str:
    return unique_name(base_id(name), taken, sep="_")


def read_codes(
    codes_el: Any | None, file: str = "codebook"
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Codes table, GUID -> code id, and notes (nested codes are flattened with parents;
    descriptions are read as :mod:`analysis.qual.refi_codes` writes them)."""
    rows: list[dict[str, Any]] = []
    by_guid: dict[str, str] = {}
    uncoloured: list[str] = []
    elements: list[tuple[Any, Any, int]] = []

    def walk(element: Any, parent: Any, depth: int = 1) -> None:
        if depth > MAX_CODE_DEPTH:
            raise InputError.single(
                file, "codes nested too deeply", expected=f"at most {MAX_CODE_DEPTH} levels"
            )
        for code in xml_children(element, "Code"):
            elements.append((code, parent, depth))
            walk(code, code, depth + 1)

    if codes_el is not None:
        walk(codes_el, None)
    described = [read_description(_description(code)) for code, _, _ in elements]
    # ids written in the descriptions first, so that a derived id never takes one of them
    taken = {d.fields["id"] for d in described if "id" in d.fields}
    ids: dict[int, str] = {}
    named: dict[str, str] = {}  # GUID written in the file -> the first code's name
    for (code, parent, _), found in zip(elements, described, strict=True):
        name = " ".join((code.get("name") or "code").split()) or "code"
        if "id" in found.fields and found.fields["id"] not in ids.values():
            code_id = found.fields["id"]
        else:
            code_id = _code_id(name, taken)
        ids[id(code)] = code_id
        written = normalise_guid(code.get("guid"))
        if written and written in named:
            # codings refer to codes by GUID: the codings of one would become the other's
            raise InputError.single(
                file,
                f"two codes have the GUID {code.get('guid')}: {named[written]!r} and "
                f"{name!r} (each code needs its own GUID; fix it in the tool that wrote "
                "the file, or export again)",
            )
        if written:
            named[written] = name
        key = written or guid("imported-code", name)
        by_guid[key] = code_id
        colour = code.get("color")
        if colour and re.fullmatch(r"#[0-9A-Fa-f]{3}", colour):
            colour = "#" + "".join(ch * 2 for ch in colour[1:])
        if not colour:
            uncoloured.append(repr(name))
        rows.append(
            {
                **{k: v for k, v in found.fields.items() if k != "id"},
                "id": code_id,
                "parent": ids[id(parent)] if parent is not None else None,
                "label_da": name,
                "definition_da": found.definition_da,
                "colour": colour.lower() if colour else None,
            }
        )
    notes = []
    if uncoloured:
        notes.append(
            f"{len(uncoloured)} code(s) have no colour and were given one from the default "
            f"palette: {short_list(uncoloured)}"
        )
    columns = ["id", "parent", "label_da", "definition_da", "colour"]
    table = pd.DataFrame(
        rows, columns=[*columns, *sorted({k for r in rows for k in r} - set(columns))]
    )
    return table, by_guid, notes


def _description(code: Any) -> str | None:
    """A code's description as written (XML has already turned CRLF into LF)."""
    element = xml_child(code, "Description")
    return element.text if element is not None else None


def imported_codebook(table: pd.DataFrame, origin: str | None, file: Path | str) -> Codebook:
    """The codebook of an import: this project's own export gives back its version (and
    the tool it came from); another tool's file is recorded as the codebook's origin."""
    ours = read_origin(origin)
    if ours is not None:
        version, book_origin = ours
        if book_origin is None and table["definition_da"].isna().any():
            book_origin = origin
    else:
        name = Path(file).name
        version, book_origin = f"imported from {name}", origin or name
    return codebook_from_codes(table, version=version, origin=book_origin, file=file)


def unread_notes(root: Any, kinds: dict[str, str]) -> list[str]:
    """Notes on the elements of ``root`` that an import does not read (sets, notes, ...)."""
    notes = []
    for kind, what in kinds.items():
        holder = xml_child(root, kind)
        items = list(holder) if holder is not None else []
        if not items:
            continue
        if kind == "Sets":
            listed = [f"{s.get('name')!r} ({_members(s)})" for s in items]
            notes.append(
                f"{len(items)} set(s) not imported (the project has no place for sets): "
                + short_list(listed)
            )
        else:
            notes.append(f"{len(items)} {what} not imported")
    return notes


def _members(element: Any) -> str:
    counts = Counter(local_name(c.tag) for c in element if isinstance(c.tag, str))
    parts = [
        plural(counts[tag], word)
        for tag, word in (
            ("MemberCode", "code"),
            ("MemberSource", "source"),
            ("MemberNote", "note"),
        )
        if counts[tag]
    ]
    return ", ".join(parts) or "empty"


_CODEBOOK_EXTRAS = {"Sets": "set(s)"}
PROJECT_EXTRAS = {
    "Sets": "set(s)",
    "Notes": "project note(s) (memos)",
    "Links": "link(s)",
    "Graphs": "graph(s)",
}
PROJECT_ELEMENTS = {
    "Users",
    "CodeBook",
    "Variables",
    "Cases",
    "Sources",
    "Description",
    "NoteRef",
    *PROJECT_EXTRAS,
}


def empty_corpus(files: list[Path]) -> Corpus:
    """A corpus without sources (a codebook import, or a project without text sources)."""
    return make_corpus(
        pd.DataFrame(columns=["source_id", "name", "text"]),
        pd.DataFrame(columns=["segment_id", "source_id", "start", "end"]),
        files,
    )


#: the columns of an import's codings
CODING_COLUMNS = ["source", "start", "end", "code", "coder", "memo"]


def read_qdc(path: Path | str) -> ImportResult:
    """A REFI-QDA .qdc codebook (or a project's embedded codebook) as an import result:
    the codebook, no sources or codings, the file's ``origin`` and the notes."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError.single(path, "file not found") from None
    except OSError as exc:  # a folder where the file is expected, no permission, ...
        raise InputError.single(path, f"cannot read the file: {exc.strerror or exc}") from None
    root = parse_xml(data, str(path))
    outer = root
    if local_name(root.tag) == "Project":
        root = xml_child(root, "CodeBook")
    if root is None or local_name(root.tag) != "CodeBook":
        raise InputError.single(path, "no CodeBook element", expected="a REFI-QDA .qdc file")
    table, _, notes = read_codes(xml_child(root, "Codes"), str(path))
    if table.empty:
        raise InputError.single(path, "the codebook has no codes")
    origin = outer.get("origin")
    notes += unread_notes(outer, _CODEBOOK_EXTRAS if outer is root else PROJECT_EXTRAS)
    return ImportResult(
        empty_corpus([path]),
        imported_codebook(table, origin, path),
        pd.DataFrame(columns=CODING_COLUMNS),
        tuple(notes),
        origin,
    )


def import_qdc(path: Path | str) -> Codebook:
    """A codebook from a REFI-QDA .qdc file (or a project's embedded codebook)."""
    return read_qdc(path).codebook
