"""REFI-QDA project import (``.qdpx``): sources (text and attributes), codebook and
codings.

Lenient where real tools differ and strict about safety (see
:mod:`analysis.qual.safe_io`): braces around GUIDs, nested codes, missing colours, CRLF
text, and positions counted in UTF-8 bytes or UTF-16 units or on CRLF text are detected
from the stored text and repaired (:mod:`analysis.qual.refi_positions`); what cannot be
decided is refused with a message. A PDF is read as its text representation; what cannot
be read (pictures, audio, video, sets, notes) is named in the notes with the codings that
went with it.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from analysis.data.parsing import ParseError, read_text
from analysis.data.reference import resolve_municipality, slugify, unique_name
from analysis.errors import InputError
from analysis.qual.corpus import Corpus, make_corpus, segment_spans
from analysis.qual.offsets import normalise_newlines
from analysis.qual.refi_import_codebook import (
    CODING_COLUMNS,
    PROJECT_ELEMENTS,
    PROJECT_EXTRAS,
    ImportResult,
    empty_corpus,
    imported_codebook,
    read_codes,
    unread_notes,
)
from analysis.qual.refi_positions import (
    read_selections,
    resolve_positions,
    whole_source_codings,
)
from analysis.qual.refi_xml import (
    GUID_NAMESPACE,
    local_name,
    normalise_guid,
    plural,
    short_list,
    xml_child,
    xml_children,
    xml_text,
)
from analysis.qual.safe_io import ZipLimits, parse_xml, read_zip

#: Longest source id an import makes from a source's name: the id names the source's file
#: (``sources/<id>.txt``; most file systems allow 255 bytes); the full name is kept.
MAX_SOURCE_ID = 80


def _decode(data: bytes, file: str) -> str:
    """Decode a source file the way every text file of the project is read."""
    with tempfile.TemporaryDirectory() as folder:
        temp = Path(folder) / "source.txt"
        temp.write_bytes(data)
        try:
            text, _ = read_text(temp)
        except ParseError as exc:
            raise InputError.single(file, str(exc)) from None
    return text


_VOCAB_ATTRIBUTES = {"role", "department", "period", "source_type", "author"}
#: Columns of a source that a project's variables must not overwrite (a variable called
#: "text" would replace the interview text and leave every coding pointing past its end).
_RESERVED_COLUMNS = {"source_id", "text", "content_hash"}


def _parse_attribute(name: str, value: str, notes: list[str], source: str) -> object:
    from analysis.qual.corpus import _VOCABULARY, _YEARS

    if name == "municipality_code":
        code = resolve_municipality(value)
        if code is None:
            notes.append(f"{source}: unknown municipality {value!r} left empty")
            return pd.NA
        return code
    if name == "round":
        text = value.strip()
        return int(text) if text.isdecimal() and len(text) <= 18 else pd.NA
    if name == "year":  # a document's year (analysis.qual.corpus.DOCUMENT_ATTRIBUTES)
        text = value.strip()
        if text.isdecimal() and len(text) == 4 and _YEARS[0] <= int(text) <= _YEARS[1]:
            return int(text)
        notes.append(f"{source}: year {value!r} is not a year (such as 2018); left empty")
        return pd.NA
    if name in _VOCAB_ATTRIBUTES and value not in _VOCABULARY[name]:
        notes.append(
            f"{source}: {name} {value!r} is not one of {', '.join(_VOCABULARY[name])}; left empty"
        )
        return pd.NA
    return value


#: sources that cannot be imported as text, and what to call them in a note
_MEDIA = {"PictureSource": "picture", "AudioSource": "audio", "VideoSource": "video"}


def _codings_in(element: Any) -> int:
    return sum(
        1 for e in element.iter() if isinstance(e.tag, str) and local_name(e.tag) == "Coding"
    )


def _source_id(display: str, source_guid: str, taken: set[str]) -> str:
    source_id = (
        display if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", display) else slugify(display)
    )
    source_id = source_id or f"source-{source_guid[:8]}"
    if len(source_id) > MAX_SOURCE_ID:  # it names a file: sources/<id>.txt
        digest = uuid.uuid5(GUID_NAMESPACE, display).hex[:8]
        source_id = f"{source_id[: MAX_SOURCE_ID - 9].rstrip('-_.')}-{digest}"
    return unique_name(source_id, taken)


def import_qdpx(
    path: Path | str,
    *,
    positions: str = "auto",
    limits: ZipLimits | None = None,
    segment_by: str = "paragraph",
) -> ImportResult:
    """Read a REFI-QDA project: sources (text + attributes), codebook and codings.

    ``positions``: ``"auto"`` detects characters, UTF-8 bytes or UTF-16 units on LF or
    CRLF text per source; ``"chars"``, ``"utf8"`` or ``"utf16"`` forces the unit.
    Text sources and PDFs with a text representation are imported; a project without
    any gives its codebook alone. What is left out is said in the notes.
    """
    if positions not in {"auto", "chars", "utf8", "utf16"}:
        raise ValueError("positions must be auto, chars, utf8 or utf16")
    path = Path(path)
    archive = str(path)
    members = read_zip(path, limits)
    qde = [n for n in members if n.lower() == "project.qde"] or [
        n for n in members if n.lower().endswith(".qde")
    ]
    if len(qde) != 1:
        raise InputError.single(archive, "expected one project.qde in the archive", found=len(qde))
    root = parse_xml(members[qde[0]], f"{archive}:{qde[0]}")
    if local_name(root.tag) != "Project":
        raise InputError.single(archive, "the .qde root element is not Project")
    notes: list[str] = []
    origin = root.get("origin")

    users = {
        normalise_guid(u.get("guid")): (u.get("name") or u.get("id") or "coder")
        for u in xml_children(xml_child(root, "Users") or [], "User")
    }
    book = xml_child(root, "CodeBook")
    codes_table, code_ids, code_notes = read_codes(
        xml_child(book, "Codes") if book is not None else None, f"{archive}:{qde[0]}"
    )
    notes += code_notes
    if codes_table.empty:
        raise InputError.single(archive, "the project has no codes")
    codebook = imported_codebook(codes_table, origin, path)

    variables = {
        normalise_guid(v.get("guid")): v.get("name") or "variable"
        for v in xml_children(xml_child(root, "Variables") or [], "Variable")
    }
    by_name = {n.lower(): n for n in members}

    source_rows: list[dict[str, Any]] = []
    codings: list[dict[str, Any]] = []
    source_ids: dict[str, str] = {}
    taken: set[str] = set()
    skipped: list[tuple[str, str, int]] = []
    pdfs: list[str] = []
    pdf_regions = 0
    unknown: list[str] = []
    for element in list(xml_child(root, "Sources") or []):
        if not isinstance(element.tag, str):
            continue
        kind = local_name(element.tag)
        display = element.get("name") or normalise_guid(element.get("guid")) or kind
        text_el = element
        if kind == "PDFSource":
            text_el = xml_child(element, "Representation")
            regions = sum(_codings_in(s) for s in xml_children(element, "PDFSelection"))
            if text_el is None:
                skipped.append((display, "PDF without a text representation", _codings_in(element)))
                continue
            pdfs.append(repr(display))
            pdf_regions += regions
            if regions:
                notes.append(
                    f"{display!r}: PDF imported as its text representation; "
                    f"{plural(regions, 'coding')} of regions on its pages skipped"
                )
            else:
                notes.append(f"{display!r}: PDF imported as its text representation")
        elif kind in _MEDIA:
            skipped.append((display, _MEDIA[kind], _codings_in(element)))
            continue
        elif kind != "TextSource":
            unknown.append(kind)
            continue
        source_guid = normalise_guid(element.get("guid")) or ""
        source_id = _source_id(display, source_guid, taken)
        source_ids[source_guid] = source_id
        raw = _source_text(text_el, by_name, members, archive, display)
        selections = read_selections(text_el, raw)
        if text_el is not element:  # codes on the whole PDF apply to its whole text
            selections += whole_source_codings(element, raw)
        mapping, note = (
            resolve_positions(display, raw, selections, positions) if selections else ({}, None)
        )
        if raw != normalise_newlines(raw) and note is None:
            note = f"{display}: CRLF text normalised to LF"
        if note:
            notes.append(note)
        description = xml_text(xml_child(element, "Description")) or xml_text(
            xml_child(text_el, "Description")
        )
        record: dict[str, Any] = {
            "source_id": source_id,
            "name": description or display,
            "text": normalise_newlines(raw),
        }
        for holder in dict.fromkeys([element, text_el]):
            for value_el in xml_children(holder, "VariableValue"):
                _apply_variable(record, value_el, variables, notes, display)
        source_rows.append(record)
        for sel in selections:
            code_id = code_ids.get(sel.code_guid)
            if code_id is None:
                notes.append(f"{display}: a coding refers to an unknown code; skipped")
                continue
            coder = users.get(sel.coder_guid) if sel.coder_guid else None
            codings.append(
                {
                    "source": source_id,
                    "start": mapping[sel.start],
                    "end": mapping[sel.end],
                    "code": code_id,
                    "coder": _coder_name(coder or "unknown"),
                    "memo": sel.memo,
                }
            )
    if skipped:
        listed = [f"{name!r} ({what}, {plural(n, 'coding')})" for name, what, n in skipped]
        notes.append(
            f"{len(skipped)} non-text source(s) skipped with the "
            f"{sum(n for _, _, n in skipped)} coding(s) on them (only text, and PDFs with a "
            f"text representation, can be imported): {short_list(listed)}"
        )
    if unknown:
        notes.append(
            f"{len(unknown)} element(s) in Sources not read (not a REFI-QDA source): "
            + short_list(sorted(set(unknown)))
        )
    for case in xml_children(xml_child(root, "Cases") or [], "Case"):
        refs = [normalise_guid(r.get("targetGUID")) for r in xml_children(case, "SourceRef")]
        for ref in refs:
            target = next((r for r in source_rows if r["source_id"] == source_ids.get(ref)), None)
            if target is None:
                continue
            for value_el in xml_children(case, "VariableValue"):
                _apply_variable(target, value_el, variables, notes, target["source_id"])
    notes += unread_notes(root, PROJECT_EXTRAS)
    strange = sorted({local_name(c.tag) for c in root if isinstance(c.tag, str)} - PROJECT_ELEMENTS)
    if strange:
        notes.append(f"element(s) of the project not read: {', '.join(strange)}")
    corpus = _corpus(source_rows, segment_by, path) if source_rows else empty_corpus([path])
    frame = pd.DataFrame(codings, columns=CODING_COLUMNS)
    frame = frame.astype({"start": "int64", "end": "int64"})
    frame = frame.sort_values(["coder", "source", "start", "end", "code"]).reset_index(drop=True)
    return ImportResult(corpus, codebook, frame, tuple(notes), origin)


def _corpus(source_rows: list[dict[str, Any]], segment_by: str, path: Path) -> Corpus:
    sources = pd.DataFrame(source_rows)
    segments = []
    for row in source_rows:
        for i, (start, end) in enumerate(segment_spans(row["text"], segment_by), start=1):
            segments.append(
                {
                    "segment_id": f"{row['source_id']}-{i:03d}",
                    "source_id": row["source_id"],
                    "start": start,
                    "end": end,
                }
            )
    return make_corpus(
        sources, pd.DataFrame(segments, columns=["segment_id", "source_id", "start", "end"]), [path]
    )


def _coder_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.@-]+", "_", name.strip()).strip("_")
    return cleaned or "unknown"


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _source_text(
    element: Any, by_name: dict[str, str], members: dict[str, bytes], archive: str, display: str
) -> str:
    """The text of a source: inline, or the archive member its ``plainTextPath`` names.

    ``internal://<file>`` is looked up in the archive (in ``Sources/`` or anywhere); so is
    a bare relative path (``board_2017.txt``, ``sources/board_2017.txt``). Any other
    scheme, an absolute path or one that climbs out with ``..`` points outside the
    archive and is refused: nothing outside the archive is ever read."""
    inline = xml_child(element, "PlainTextContent")
    if inline is not None and inline.text:
        return inline.text
    path = element.get("plainTextPath")
    if not path:
        raise InputError.single(archive, f"source {display!r} has neither text nor plainTextPath")
    outside = InputError.single(
        archive,
        f"source {display!r} refers to a file outside the archive: {path!r}; only files "
        "inside the .qdpx are read (export the project with its sources included)",
    )
    if path.startswith("internal://"):
        relative = PurePosixPath(path[len("internal://") :].replace("\\", "/")).name
    elif _SCHEME.match(path):
        raise outside
    else:
        relative = path.replace("\\", "/")
        parts = PurePosixPath(relative).parts
        if relative.startswith("/") or re.match(r"^[A-Za-z]:", relative) or ".." in parts:
            raise outside
        relative = "/".join(p for p in parts if p != ".")
    key = relative.lower()
    file_name = PurePosixPath(key).name
    for wanted in (f"sources/{key}", key, f"sources/{file_name}", file_name):
        if wanted in by_name:
            return _decode(members[by_name[wanted]], f"{archive}:{by_name[wanted]}")
    for lower, original in by_name.items():
        if lower.endswith("/" + key):
            return _decode(members[original], f"{archive}:{original}")
    raise InputError.single(archive, f"source file of {display!r} not in the archive: {path!r}")


def _apply_variable(
    record: dict[str, Any], value_el: Any, variables: dict[str, str], notes: list[str], source: str
) -> None:
    ref = xml_child(value_el, "VariableRef")
    if ref is None:
        return
    name = variables.get(normalise_guid(ref.get("targetGUID")))
    if name is None:
        return
    if name in _RESERVED_COLUMNS:
        note = f"{source}: variable {name!r} has the name of a built-in column; ignored"
        if note not in notes:
            notes.append(note)
        return
    values = [c for c in value_el if local_name(c.tag).endswith("Value") and c.text is not None]
    if not values:
        return
    record[name] = _parse_attribute(name, values[0].text.strip(), notes, source)
