"""REFI-QDA exchange: codebooks (.qdc) and projects (.qdpx) for NVivo, ATLAS.ti, MAXQDA,
QualCoder and others.

Export writes what the standard (QDA-XML 1.0, schemas in
``analysis/resources/refi_qda``) asks for and validates it against the schema: LF text
files under ``Sources/`` (``plainTextPath="internal://<guid>.txt"``), character offsets
(code points, end exclusive), codes with their hierarchy, colours and every codebook field
(:mod:`analysis.qual.refi_codes`), the source attributes as ``VariableValue`` of each
``TextSource`` (where QualCoder and MAXQDA read file attributes) and one ``Case`` per
source, coders as ``Users``, dates and a creating user on every source. GUIDs are UUID5s
of stable content, dates come from the data (a source's ``date`` attribute, else the
export date, fixed unless given) and the zip has fixed timestamps, so exporting twice
gives the same bytes.

Import is lenient where real tools differ and strict about safety (see
:mod:`analysis.qual.safe_io`): braces around GUIDs, nested codes, missing colours,
CRLF text, and positions counted in UTF-8 bytes or UTF-16 units or on CRLF text are
detected from the stored text and repaired; what cannot be decided is refused with a
message. A PDF is read as its text representation; what cannot be read (pictures, audio,
video, sets, notes) is named in the notes with the codings that went with it.
"""

from __future__ import annotations

import io
import re
import tempfile
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from analysis import __version__
from analysis.data.parsing import ParseError, read_text
from analysis.data.reference import resolve_municipality, slugify
from analysis.errors import AnalysisError, InputError
from analysis.privacy import PrivacyPolicy
from analysis.publish import Published, output_policy, publish_archive, publish_xml
from analysis.qual.codebook import Codebook, codebook_from_codes
from analysis.qual.corpus import Corpus, make_corpus, segment_spans
from analysis.qual.offsets import (
    byte_offsets,
    newline_offset_map,
    normalise_newlines,
    units_to_chars,
    utf16_offsets,
    with_crlf,
    word_boundary_score,
)
from analysis.qual.refi_codes import (
    base_id,
    description,
    export_origin,
    read_description,
    read_origin,
)
from analysis.qual.safe_io import ZipLimits, parse_xml, read_zip

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
TOOL = "caseload-analysis"
ORIGIN = f"{TOOL} {__version__}"
#: the export date when none is given: the date of the zip members' timestamps (the
#: earliest a zip can hold), so that the same input always gives the same bytes
EXPORT_DATE = datetime(1980, 1, 1, tzinfo=UTC)
#: the source attribute whose value, when set, is the source's creation date
DATE_ATTRIBUTE = "date"
GUID_NAMESPACE = uuid.UUID("5b0c8f2e-3a41-5d7e-9c1a-2f6b8d4e7a90")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_INTEGER_VARIABLES = {"municipality_code", "round", "year"}
#: Deepest code hierarchy an import accepts (real codebooks have a handful of levels).
MAX_CODE_DEPTH = 50
#: Longest source id an import makes from a source's name: the id names the source's file
#: (``sources/<id>.txt``; most file systems allow 255 bytes); the full name is kept.
MAX_SOURCE_ID = 80
_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)


class SchemaError(AnalysisError):
    """An export does not validate against the REFI-QDA schema (a bug in the exporter)."""


def guid(kind: str, *parts: object) -> str:
    """A deterministic GUID for a thing of ``kind`` identified by ``parts``."""
    name = "\x1f".join([kind, *(str(p) for p in parts)])
    return str(uuid.uuid5(GUID_NAMESPACE, name))


def normalise_guid(value: str | None) -> str | None:
    """GUID without braces, lower case (tools write ``{...}`` and upper case too)."""
    if value is None:
        return None
    match = _GUID.match(value.strip())
    return match.group(1).lower() if match else value.strip().lower()


# --- schemas ----------------------------------------------------------------------------


@cache
def _schema(name: str) -> Any:
    import xmlschema

    folder = resources.files("analysis.resources") / "refi_qda"
    return xmlschema.XMLSchema((folder / name).read_text(encoding="utf-8"))


def project_schema() -> Any:
    return _schema("Project-mrt2019.xsd")


def codebook_schema() -> Any:
    return _schema("Codebook.xsd")


def validate_xml(xml: bytes | str, schema: Any, what: str) -> None:
    """Raise :class:`SchemaError` listing the schema violations of ``xml``."""
    text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
    errors = [str(e.reason or e) for e in schema.iter_errors(text)]
    if errors:
        listed = "\n".join(errors[:10])
        raise SchemaError(f"{what} does not validate against the REFI-QDA schema:\n{listed}")


# --- export -------------------------------------------------------------------------------


def _code_elements(parent: ET.Element, codebook: Codebook) -> None:
    """The codes as nested ``Code`` elements: the Danish label as ``name``, every other
    field in the ``Description`` (layout in :mod:`analysis.qual.refi_codes`)."""
    rows = {row.id: row for row in codebook.codes.itertuples(index=False)}

    def add(node: ET.Element, code_id: str) -> None:
        row = rows[code_id]
        attrs = {"guid": guid("code", code_id), "name": str(row.label_da), "isCodable": "true"}
        if isinstance(row.colour, str):
            attrs["color"] = row.colour.upper()
        element = ET.SubElement(node, "Code", attrs)
        text = description(row)
        if text:
            ET.SubElement(element, "Description").text = text
        for child in codebook.children(code_id):
            add(element, child)

    for code_id in codebook.top_level():
        add(parent, code_id)


def _origin(codebook: Codebook) -> str:
    return export_origin(ORIGIN, codebook.version, codebook.origin)


def _serialise(root: ET.Element, namespace: str) -> bytes:
    # Elements are built unqualified and the default namespace is declared on the root,
    # which gives the same document as qualified names without ElementTree's global
    # prefix registry.
    root.attrib = {"xmlns": namespace, **root.attrib}
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def codebook_qdc(codebook: Codebook) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document (validated)."""
    root = ET.Element("CodeBook", {"origin": _origin(codebook)})
    codes = ET.SubElement(root, "Codes")
    _code_elements(codes, codebook)
    data = _serialise(root, CODEBOOK_NS)
    validate_xml(data, codebook_schema(), "the codebook export")
    return data


def _attribute_columns(corpus: Corpus) -> list[str]:
    skip = {"source_id", "text", "content_hash"}
    return [c for c in corpus.sources.columns if c not in skip]


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _xml_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _source_date(value: object, source_id: str, exported: str) -> str:
    """A source's creation date: its ``date`` attribute, else the export date."""
    if _missing(value):
        return exported
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        raise InputError.single(
            "corpus",
            f"source {source_id}: the {DATE_ATTRIBUTE} attribute {value!r} is not a date",
            column=DATE_ATTRIBUTE,
            expected="a date such as 2018-03-05 (or 2018-03-05T10:30:00)",
        )
    stamp = stamp.tz_localize(UTC) if stamp.tzinfo is None else stamp
    return _xml_datetime(stamp.to_pydatetime())


def _variable_values(element: ET.Element, row: Any, present: list[str]) -> None:
    for attribute in present:
        value = getattr(row, attribute)
        if _missing(value):
            continue
        holder = ET.SubElement(element, "VariableValue")
        ET.SubElement(holder, "VariableRef", {"targetGUID": guid("variable", attribute)})
        tag = "IntegerValue" if attribute in _INTEGER_VARIABLES else "TextValue"
        ET.SubElement(holder, tag).text = str(int(value) if tag == "IntegerValue" else value)


def project_qde(
    corpus: Corpus,
    codebook: Codebook,
    codings: pd.DataFrame,
    name: str = "caseload-analysis",
    *,
    exported: datetime | None = None,
) -> tuple[bytes, dict[str, bytes]]:
    """The project document and its source files (``Sources/<guid>.txt`` -> bytes).

    ``exported``: the export date written on the project, the codings and the sources
    without a ``date`` attribute (default :data:`EXPORT_DATE`, so that the bytes depend on
    the data only)."""
    when = _xml_datetime(exported or EXPORT_DATE)
    exporter = guid("exporting-user", TOOL)
    root = ET.Element(
        "Project",
        {
            "name": name,
            "origin": _origin(codebook),
            "creatingUserGUID": exporter,
            "creationDateTime": when,
            "modifyingUserGUID": exporter,
            "modifiedDateTime": when,
        },
    )
    coders = sorted(set(codings["coder"])) if not codings.empty else []
    users = ET.SubElement(root, "Users")
    # the coders first: QualCoder takes the first user as the current coder
    for coder in coders:
        ET.SubElement(users, "User", {"guid": guid("user", coder), "name": coder})
    ET.SubElement(users, "User", {"guid": exporter, "name": TOOL})
    book = ET.SubElement(root, "CodeBook")
    _code_elements(ET.SubElement(book, "Codes"), codebook)

    attributes = _attribute_columns(corpus)
    present = [a for a in attributes if corpus.sources[a].notna().any()]
    if present:
        variables = ET.SubElement(root, "Variables")
        for attribute in present:
            kind = "Integer" if attribute in _INTEGER_VARIABLES else "Text"
            ET.SubElement(
                variables,
                "Variable",
                {"guid": guid("variable", attribute), "name": attribute, "typeOfVariable": kind},
            )
    if not corpus.sources.empty:
        # one case per source; its attributes are on the source itself, since QualCoder
        # makes the variables of a named case case attributes and hides them from the files
        cases = ET.SubElement(root, "Cases")
        for row in corpus.sources.itertuples(index=False):
            case = ET.SubElement(
                cases, "Case", {"guid": guid("case", row.source_id), "name": row.source_id}
            )
            ET.SubElement(case, "SourceRef", {"targetGUID": guid("source", row.source_id)})

    files: dict[str, bytes] = {}
    by_source = (
        {s: g for s, g in codings.groupby("source", sort=False)} if not codings.empty else {}
    )
    dates = (
        corpus.sources[DATE_ATTRIBUTE]
        if DATE_ATTRIBUTE in corpus.sources.columns
        else pd.Series([None] * len(corpus.sources), dtype=object)
    )
    sources_el = ET.SubElement(root, "Sources") if not corpus.sources.empty else None
    for row, date in zip(corpus.sources.itertuples(index=False), dates, strict=True):
        source_guid = guid("source", row.source_id)
        file_name = f"{source_guid}.txt"
        files[f"Sources/{file_name}"] = row.text.encode("utf-8")
        created = _source_date(date, row.source_id, when)
        source = ET.SubElement(
            sources_el,
            "TextSource",
            {
                "guid": source_guid,
                "name": row.source_id,
                "plainTextPath": f"internal://{file_name}",
                "creatingUser": exporter,
                "creationDateTime": created,
                "modifyingUser": exporter,
                "modifiedDateTime": created,
            },
        )
        if isinstance(row.name, str) and row.name != row.source_id:
            ET.SubElement(source, "Description").text = row.name
        group = by_source.get(row.source_id)
        if group is not None:
            _selection_elements(source, row, group, when)
        _variable_values(source, row, present)
    data = _serialise(root, PROJECT_NS)
    validate_xml(data, project_schema(), "the project export")
    return data, files


def _selection_elements(source: ET.Element, row: Any, group: pd.DataFrame, when: str) -> None:
    group = group.sort_values(["start", "end", "code", "coder"])
    for coding in group.itertuples(index=False):
        key = (row.source_id, coding.start, coding.end, coding.code, coding.coder)
        snippet = " ".join(row.text[coding.start : coding.end].split())[:60]
        coder = guid("user", coding.coder)
        selection = ET.SubElement(
            source,
            "PlainTextSelection",
            {
                "guid": guid("selection", *key),
                "name": snippet,
                "startPosition": str(coding.start),
                "endPosition": str(coding.end),
                "creatingUser": coder,
                "creationDateTime": when,
                "modifyingUser": coder,
                "modifiedDateTime": when,
            },
        )
        if isinstance(coding.memo, str) and coding.memo:
            ET.SubElement(selection, "Description").text = coding.memo
        element = ET.SubElement(
            selection,
            "Coding",
            {"guid": guid("coding", *key), "creatingUser": coder, "creationDateTime": when},
        )
        ET.SubElement(element, "CodeRef", {"targetGUID": guid("code", coding.code)})


def qdpx_members(
    corpus: Corpus,
    codebook: Codebook,
    codings: pd.DataFrame,
    name: str = "caseload-analysis",
    *,
    exported: datetime | None = None,
) -> list[tuple[zipfile.ZipInfo, bytes, str]]:
    """The archive members of the project, with how the personal-data gate reads each:
    ``project.qde`` as XML, the source texts as texts that coding positions point into."""
    project, files = project_qde(corpus, codebook, codings, name, exported=exported)
    members = []
    for member, data in [("project.qde", project), *sorted(files.items())]:
        info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3
        info.external_attr = 0o644 << 16
        kind = "xml" if member == "project.qde" else "text-keep-length"
        members.append((info, data, kind))
    return members


def qdpx_bytes(
    corpus: Corpus,
    codebook: Codebook,
    codings: pd.DataFrame,
    name: str = "caseload-analysis",
    *,
    exported: datetime | None = None,
) -> bytes:
    """The project as .qdpx bytes (not gated; files are written by :func:`write_qdpx`):
    the same input always gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, data, _ in qdpx_members(corpus, codebook, codings, name, exported=exported):
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def write_qdpx(
    path: Path | str,
    corpus: Corpus,
    codebook: Codebook,
    codings: pd.DataFrame,
    name: str = "caseload-analysis",
    *,
    policy: PrivacyPolicy | None = None,
    exported: datetime | None = None,
) -> Published:
    """Write a validated .qdpx project (atomically) through the personal-data gate
    (``policy``; default: pseudonymise, names from the default list)."""
    policy = policy if policy is not None else output_policy()
    members = qdpx_members(corpus, codebook, codings, name, exported=exported)
    return publish_archive(path, members, policy)


def write_qdc(
    path: Path | str, codebook: Codebook, *, policy: PrivacyPolicy | None = None
) -> Published:
    """Write a validated .qdc codebook (atomically) through the personal-data gate."""
    policy = policy if policy is not None else output_policy()
    return publish_xml(path, codebook_qdc(codebook), policy)


# --- import -------------------------------------------------------------------------------


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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if _local(c.tag) == name]


def _child(element: Any, name: str) -> Any | None:
    found = _children(element, name)
    return found[0] if found else None


def _text_of(element: Any | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _code_id(name: str, taken: set[str]) -> str:
    base = base_id(name)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _listed(items: list[str], limit: int = 10) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", and {len(items) - limit} more" if len(items) > limit else "")


def _read_codes(
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
        for code in _children(element, "Code"):
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
            f"palette: {_listed(uncoloured)}"
        )
    columns = ["id", "parent", "label_da", "definition_da", "colour"]
    table = pd.DataFrame(
        rows, columns=[*columns, *sorted({k for r in rows for k in r} - set(columns))]
    )
    return table, by_guid, notes


def _description(code: Any) -> str | None:
    """A code's description as written (XML has already turned CRLF into LF)."""
    element = _child(code, "Description")
    return element.text if element is not None else None


def _codebook(table: pd.DataFrame, origin: str | None, file: Path | str) -> Codebook:
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


def _unread(root: Any, kinds: dict[str, str]) -> list[str]:
    """Notes on the elements of ``root`` that an import does not read (sets, notes, ...)."""
    notes = []
    for kind, what in kinds.items():
        holder = _child(root, kind)
        items = list(holder) if holder is not None else []
        if not items:
            continue
        if kind == "Sets":
            listed = [f"{s.get('name')!r} ({_members(s)})" for s in items]
            notes.append(
                f"{len(items)} set(s) not imported (the project has no place for sets): "
                + _listed(listed)
            )
        else:
            notes.append(f"{len(items)} {what} not imported")
    return notes


def _members(element: Any) -> str:
    counts = Counter(_local(c.tag) for c in element if isinstance(c.tag, str))
    parts = [
        _plural(counts[tag], word)
        for tag, word in (
            ("MemberCode", "code"),
            ("MemberSource", "source"),
            ("MemberNote", "note"),
        )
        if counts[tag]
    ]
    return ", ".join(parts) or "empty"


_CODEBOOK_EXTRAS = {"Sets": "set(s)"}
_PROJECT_EXTRAS = {
    "Sets": "set(s)",
    "Notes": "project note(s) (memos)",
    "Links": "link(s)",
    "Graphs": "graph(s)",
}
_PROJECT_ELEMENTS = {
    "Users",
    "CodeBook",
    "Variables",
    "Cases",
    "Sources",
    "Description",
    "NoteRef",
    *_PROJECT_EXTRAS,
}


def _empty_corpus(files: list[Path]) -> Corpus:
    return make_corpus(
        pd.DataFrame(columns=["source_id", "name", "text"]),
        pd.DataFrame(columns=["segment_id", "source_id", "start", "end"]),
        files,
    )


_NO_CODINGS = ["source", "start", "end", "code", "coder", "memo"]


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
    if _local(root.tag) == "Project":
        root = _child(root, "CodeBook")
    if root is None or _local(root.tag) != "CodeBook":
        raise InputError.single(path, "no CodeBook element", expected="a REFI-QDA .qdc file")
    table, _, notes = _read_codes(_child(root, "Codes"), str(path))
    if table.empty:
        raise InputError.single(path, "the codebook has no codes")
    origin = outer.get("origin")
    notes += _unread(outer, _CODEBOOK_EXTRAS if outer is root else _PROJECT_EXTRAS)
    return ImportResult(
        _empty_corpus([path]),
        _codebook(table, origin, path),
        pd.DataFrame(columns=_NO_CODINGS),
        tuple(notes),
        origin,
    )


def import_qdc(path: Path | str) -> Codebook:
    """A codebook from a REFI-QDA .qdc file (or a project's embedded codebook)."""
    return read_qdc(path).codebook


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


@dataclass(frozen=True)
class _Selection:
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


def _resolve_positions(
    source: str, raw: str, selections: list[_Selection], positions: str
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
    return sum(1 for e in element.iter() if isinstance(e.tag, str) and _local(e.tag) == "Coding")


def _source_id(display: str, source_guid: str, taken: set[str]) -> str:
    source_id = (
        display if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", display) else slugify(display)
    )
    source_id = source_id or f"source-{source_guid[:8]}"
    if len(source_id) > MAX_SOURCE_ID:  # it names a file: sources/<id>.txt
        digest = uuid.uuid5(GUID_NAMESPACE, display).hex[:8]
        source_id = f"{source_id[: MAX_SOURCE_ID - 9].rstrip('-_.')}-{digest}"
    base, n = source_id, 2
    while source_id in taken:
        source_id, n = f"{base}-{n}", n + 1
    taken.add(source_id)
    return source_id


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
    if _local(root.tag) != "Project":
        raise InputError.single(archive, "the .qde root element is not Project")
    notes: list[str] = []
    origin = root.get("origin")

    users = {
        normalise_guid(u.get("guid")): (u.get("name") or u.get("id") or "coder")
        for u in _children(_child(root, "Users") or [], "User")
    }
    book = _child(root, "CodeBook")
    codes_table, code_ids, code_notes = _read_codes(
        _child(book, "Codes") if book is not None else None, f"{archive}:{qde[0]}"
    )
    notes += code_notes
    if codes_table.empty:
        raise InputError.single(archive, "the project has no codes")
    codebook = _codebook(codes_table, origin, path)

    variables = {
        normalise_guid(v.get("guid")): v.get("name") or "variable"
        for v in _children(_child(root, "Variables") or [], "Variable")
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
    for element in list(_child(root, "Sources") or []):
        if not isinstance(element.tag, str):
            continue
        kind = _local(element.tag)
        display = element.get("name") or normalise_guid(element.get("guid")) or kind
        text_el = element
        if kind == "PDFSource":
            text_el = _child(element, "Representation")
            regions = sum(_codings_in(s) for s in _children(element, "PDFSelection"))
            if text_el is None:
                skipped.append((display, "PDF without a text representation", _codings_in(element)))
                continue
            pdfs.append(repr(display))
            pdf_regions += regions
            if regions:
                notes.append(
                    f"{display!r}: PDF imported as its text representation; "
                    f"{_plural(regions, 'coding')} of regions on its pages skipped"
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
        selections = _selections(text_el, raw)
        if text_el is not element:  # codes on the whole PDF apply to its whole text
            selections += _whole_source_codings(element, raw)
        mapping, note = (
            _resolve_positions(display, raw, selections, positions) if selections else ({}, None)
        )
        if raw != normalise_newlines(raw) and note is None:
            note = f"{display}: CRLF text normalised to LF"
        if note:
            notes.append(note)
        description = _text_of(_child(element, "Description")) or _text_of(
            _child(text_el, "Description")
        )
        record: dict[str, Any] = {
            "source_id": source_id,
            "name": description or display,
            "text": normalise_newlines(raw),
        }
        for holder in dict.fromkeys([element, text_el]):
            for value_el in _children(holder, "VariableValue"):
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
        listed = [f"{name!r} ({what}, {_plural(n, 'coding')})" for name, what, n in skipped]
        notes.append(
            f"{len(skipped)} non-text source(s) skipped with the "
            f"{sum(n for _, _, n in skipped)} coding(s) on them (only text, and PDFs with a "
            f"text representation, can be imported): {_listed(listed)}"
        )
    if unknown:
        notes.append(
            f"{len(unknown)} element(s) in Sources not read (not a REFI-QDA source): "
            + _listed(sorted(set(unknown)))
        )
    for case in _children(_child(root, "Cases") or [], "Case"):
        refs = [normalise_guid(r.get("targetGUID")) for r in _children(case, "SourceRef")]
        for ref in refs:
            target = next((r for r in source_rows if r["source_id"] == source_ids.get(ref)), None)
            if target is None:
                continue
            for value_el in _children(case, "VariableValue"):
                _apply_variable(target, value_el, variables, notes, target["source_id"])
    notes += _unread(root, _PROJECT_EXTRAS)
    strange = sorted({_local(c.tag) for c in root if isinstance(c.tag, str)} - _PROJECT_ELEMENTS)
    if strange:
        notes.append(f"element(s) of the project not read: {', '.join(strange)}")
    corpus = _corpus(source_rows, segment_by, path) if source_rows else _empty_corpus([path])
    frame = pd.DataFrame(codings, columns=_NO_CODINGS)
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
    inline = _child(element, "PlainTextContent")
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


def _selections(element: Any, raw: str) -> list[_Selection]:
    found = []
    for sel in _children(element, "PlainTextSelection"):
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            raise InputError.single(
                "project.qde", "PlainTextSelection without integer positions", found=sel.get("guid")
            ) from None
        memo = _text_of(_child(sel, "Description")) or ""
        for coding in _children(sel, "Coding"):
            ref = _child(coding, "CodeRef")
            if ref is None:
                continue
            coder = coding.get("creatingUser") or sel.get("creatingUser")
            found.append(
                _Selection(
                    start,
                    end,
                    normalise_guid(ref.get("targetGUID")) or "",
                    normalise_guid(coder),
                    memo,
                    sel.get("name") or "",
                )
            )
    return found + _whole_source_codings(element, raw)


def _whole_source_codings(element: Any, raw: str) -> list[_Selection]:
    """Codes on a whole source (``Coding`` directly in the source element)."""
    found = []
    for coding in _children(element, "Coding"):
        ref = _child(coding, "CodeRef")
        if ref is not None:
            found.append(
                _Selection(
                    0,
                    len(raw),
                    normalise_guid(ref.get("targetGUID")) or "",
                    normalise_guid(coding.get("creatingUser")),
                    "",
                    "",
                )
            )
    return found


def _apply_variable(
    record: dict[str, Any], value_el: Any, variables: dict[str, str], notes: list[str], source: str
) -> None:
    ref = _child(value_el, "VariableRef")
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
    values = [c for c in value_el if _local(c.tag).endswith("Value") and c.text is not None]
    if not values:
        return
    record[name] = _parse_attribute(name, values[0].text.strip(), notes, source)
