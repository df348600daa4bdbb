"""REFI-QDA exchange: codebooks (.qdc) and projects (.qdpx) for NVivo, ATLAS.ti, MAXQDA,
QualCoder and others.

Export writes what the standard (QDA-XML 1.0, schemas in
``analysis/resources/refi_qda``) asks for and validates it against the schema: LF text
files under ``Sources/`` (``plainTextPath="internal://<guid>.txt"``), character offsets
(code points, end exclusive), codes with their hierarchy and colours, one ``Case`` per
source carrying its attributes as ``Variables``, coders as ``Users``. GUIDs are UUID5s of
stable content and the zip has fixed timestamps, so exporting twice gives the same bytes.

Import is lenient where real tools differ and strict about safety (see
:mod:`analysis.qual.safe_io`): braces around GUIDs, nested codes, missing colours,
CRLF text, and positions counted in UTF-8 bytes or UTF-16 units or on CRLF text are
detected from the stored text and repaired; what cannot be decided is refused with a
message.
"""

from __future__ import annotations

import io
import re
import tempfile
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
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
from analysis.qual.safe_io import ZipLimits, parse_xml, read_zip

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = f"caseload-analysis {__version__}"
GUID_NAMESPACE = uuid.UUID("5b0c8f2e-3a41-5d7e-9c1a-2f6b8d4e7a90")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_INTEGER_VARIABLES = {"municipality_code", "round"}
#: Deepest code hierarchy an import accepts (real codebooks have a handful of levels).
MAX_CODE_DEPTH = 50
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


def _code_elements(parent: ET.Element, codebook: Codebook, ns: str) -> None:
    codes = codebook.codes

    def add(node: ET.Element, code_id: str) -> None:
        row = codebook.row(code_id)
        attrs = {"guid": guid("code", code_id), "name": code_id, "isCodable": "true"}
        if isinstance(row["colour"], str):
            attrs["color"] = row["colour"].upper()
        element = ET.SubElement(node, "Code", attrs)
        description = row["definition_da"] if isinstance(row["definition_da"], str) else ""
        if description:
            ET.SubElement(element, "Description").text = description
        for child in codebook.children(code_id):
            add(element, child)

    for code_id in codes.loc[codes["parent"].isna(), "id"]:
        add(parent, code_id)


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
    root = ET.Element("CodeBook", {"origin": ORIGIN})
    codes = ET.SubElement(root, "Codes")
    _code_elements(codes, codebook, CODEBOOK_NS)
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


def project_qde(
    corpus: Corpus, codebook: Codebook, codings: pd.DataFrame, name: str = "caseload-analysis"
) -> tuple[bytes, dict[str, bytes]]:
    """The project document and its source files (``Sources/<guid>.txt`` -> bytes)."""
    ns = PROJECT_NS
    root = ET.Element("Project", {"name": name, "origin": ORIGIN})
    coders = sorted(set(codings["coder"])) if not codings.empty else []
    if coders:
        users = ET.SubElement(root, "Users")
        for coder in coders:
            ET.SubElement(users, "User", {"guid": guid("user", coder), "name": coder})
    book = ET.SubElement(root, "CodeBook")
    _code_elements(ET.SubElement(book, "Codes"), codebook, ns)

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
        cases = ET.SubElement(root, "Cases")
        for row in corpus.sources.itertuples(index=False):
            case = ET.SubElement(
                cases, "Case", {"guid": guid("case", row.source_id), "name": row.source_id}
            )
            for attribute in present:
                value = getattr(row, attribute)
                if _missing(value):
                    continue
                holder = ET.SubElement(case, "VariableValue")
                ET.SubElement(holder, "VariableRef", {"targetGUID": guid("variable", attribute)})
                tag = "IntegerValue" if attribute in _INTEGER_VARIABLES else "TextValue"
                ET.SubElement(holder, tag).text = str(
                    int(value) if tag == "IntegerValue" else value
                )
            ET.SubElement(case, "SourceRef", {"targetGUID": guid("source", row.source_id)})

    sources_el = ET.SubElement(root, "Sources")
    files: dict[str, bytes] = {}
    by_source = (
        {s: g for s, g in codings.groupby("source", sort=False)} if not codings.empty else {}
    )
    for row in corpus.sources.itertuples(index=False):
        source_guid = guid("source", row.source_id)
        file_name = f"{source_guid}.txt"
        files[f"Sources/{file_name}"] = row.text.encode("utf-8")
        source = ET.SubElement(
            sources_el,
            "TextSource",
            {
                "guid": source_guid,
                "name": row.source_id,
                "plainTextPath": f"internal://{file_name}",
            },
        )
        if isinstance(row.name, str) and row.name != row.source_id:
            ET.SubElement(source, "Description").text = row.name
        group = by_source.get(row.source_id)
        if group is None:
            continue
        group = group.sort_values(["start", "end", "code", "coder"])
        for coding in group.itertuples(index=False):
            key = (row.source_id, coding.start, coding.end, coding.code, coding.coder)
            snippet = " ".join(row.text[coding.start : coding.end].split())[:60]
            selection = ET.SubElement(
                source,
                "PlainTextSelection",
                {
                    "guid": guid("selection", *key),
                    "name": snippet,
                    "startPosition": str(coding.start),
                    "endPosition": str(coding.end),
                    "creatingUser": guid("user", coding.coder),
                },
            )
            if isinstance(coding.memo, str) and coding.memo:
                ET.SubElement(selection, "Description").text = coding.memo
            element = ET.SubElement(
                selection,
                "Coding",
                {"guid": guid("coding", *key), "creatingUser": guid("user", coding.coder)},
            )
            ET.SubElement(element, "CodeRef", {"targetGUID": guid("code", coding.code)})
    data = _serialise(root, PROJECT_NS)
    validate_xml(data, project_schema(), "the project export")
    return data, files


def qdpx_members(
    corpus: Corpus, codebook: Codebook, codings: pd.DataFrame, name: str = "caseload-analysis"
) -> list[tuple[zipfile.ZipInfo, bytes, str]]:
    """The archive members of the project, with how the personal-data gate reads each:
    ``project.qde`` as XML, the source texts as texts that coding positions point into."""
    project, files = project_qde(corpus, codebook, codings, name)
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
    corpus: Corpus, codebook: Codebook, codings: pd.DataFrame, name: str = "caseload-analysis"
) -> bytes:
    """The project as .qdpx bytes (not gated; files are written by :func:`write_qdpx`):
    the same input always gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, data, _ in qdpx_members(corpus, codebook, codings, name):
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
) -> Published:
    """Write a validated .qdpx project (atomically) through the personal-data gate
    (``policy``; default: pseudonymise, names from the default list)."""
    policy = policy if policy is not None else output_policy()
    return publish_archive(path, qdpx_members(corpus, codebook, codings, name), policy)


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
    base = name if re.fullmatch(r"[a-z][a-z0-9_]*", name) else slugify(name).replace("-", "_")
    if not base or not base[0].isalpha():
        base = f"code_{base}" if base else "code"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _read_codes(
    codes_el: Any | None, file: str = "codebook"
) -> tuple[pd.DataFrame, dict[str, str], list[str]]:
    """Codes table, GUID -> code id, and notes (nested codes are flattened with parents)."""
    rows: list[dict[str, Any]] = []
    by_guid: dict[str, str] = {}
    taken: set[str] = set()
    notes: list[str] = []

    def walk(element: Any, parent: str | None, depth: int = 1) -> None:
        if depth > MAX_CODE_DEPTH:
            raise InputError.single(
                file, "codes nested too deeply", expected=f"at most {MAX_CODE_DEPTH} levels"
            )
        for code in _children(element, "Code"):
            name = code.get("name") or "code"
            code_id = _code_id(name.strip(), taken)
            key = normalise_guid(code.get("guid")) or guid("imported-code", name)
            by_guid[key] = code_id
            colour = code.get("color")
            if colour and re.fullmatch(r"#[0-9A-Fa-f]{3}", colour):
                colour = "#" + "".join(ch * 2 for ch in colour[1:])
            if not colour:
                notes.append(f"code '{name}' has no colour; a default colour was assigned")
            rows.append(
                {
                    "id": code_id,
                    "parent": parent,
                    "label_da": name,
                    "definition_da": _text_of(_child(code, "Description")),
                    "colour": colour.lower() if colour else None,
                }
            )
            walk(code, code_id, depth + 1)

    if codes_el is not None:
        walk(codes_el, None)
    return (
        pd.DataFrame(rows, columns=["id", "parent", "label_da", "definition_da", "colour"]),
        by_guid,
        notes,
    )


def import_qdc(path: Path | str) -> Codebook:
    """A codebook from a REFI-QDA .qdc file (or a project's embedded codebook)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError.single(path, "file not found") from None
    except OSError as exc:  # a folder where the file is expected, no permission, ...
        raise InputError.single(path, f"cannot read the file: {exc.strerror or exc}") from None
    root = parse_xml(data, str(path))
    if _local(root.tag) == "Project":
        root = _child(root, "CodeBook")
    if root is None or _local(root.tag) != "CodeBook":
        raise InputError.single(path, "no CodeBook element", expected="a REFI-QDA .qdc file")
    table, _, _ = _read_codes(_child(root, "Codes"), str(path))
    if table.empty:
        raise InputError.single(path, "the codebook has no codes")
    return codebook_from_codes(table, version=f"imported from {path.name}")


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
_VOCAB_ATTRIBUTES = {"role", "department", "period", "source_type"}
#: Columns of a source that a project's variables must not overwrite (a variable called
#: "text" would replace the interview text and leave every coding pointing past its end).
_RESERVED_COLUMNS = {"source_id", "text", "content_hash"}


def _parse_attribute(name: str, value: str, notes: list[str], source: str) -> object:
    from analysis.qual.corpus import _VOCABULARY

    if name == "municipality_code":
        code = resolve_municipality(value)
        if code is None:
            notes.append(f"{source}: unknown municipality {value!r} left empty")
            return pd.NA
        return code
    if name == "round":
        text = value.strip()
        return int(text) if text.isdecimal() and len(text) <= 18 else pd.NA
    if name in _VOCAB_ATTRIBUTES and value not in _VOCABULARY[name]:
        notes.append(
            f"{source}: {name} {value!r} is not one of {', '.join(_VOCABULARY[name])}; left empty"
        )
        return pd.NA
    return value


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
    codebook = codebook_from_codes(codes_table, version=f"imported from {path.name}")

    variables = {
        normalise_guid(v.get("guid")): v.get("name") or "variable"
        for v in _children(_child(root, "Variables") or [], "Variable")
    }
    by_name = {n.lower(): n for n in members}

    source_rows: list[dict[str, Any]] = []
    codings: list[dict[str, Any]] = []
    source_ids: dict[str, str] = {}
    taken: set[str] = set()
    for element in _children(_child(root, "Sources") or [], "TextSource"):
        source_guid = normalise_guid(element.get("guid")) or ""
        display = element.get("name") or source_guid
        source_id = (
            display if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", display) else slugify(display)
        )
        source_id = source_id or f"source-{source_guid[:8]}"
        base, n = source_id, 2
        while source_id in taken:
            source_id, n = f"{base}-{n}", n + 1
        taken.add(source_id)
        source_ids[source_guid] = source_id
        raw = _source_text(element, by_name, members, archive, display)
        selections = _selections(element, raw)
        mapping, note = (
            _resolve_positions(display, raw, selections, positions) if selections else ({}, None)
        )
        if raw != normalise_newlines(raw) and note is None:
            note = f"{display}: CRLF text normalised to LF"
        if note:
            notes.append(note)
        record: dict[str, Any] = {
            "source_id": source_id,
            "name": _text_of(_child(element, "Description")) or display,
            "text": normalise_newlines(raw),
        }
        for value_el in _children(element, "VariableValue"):
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
    for case in _children(_child(root, "Cases") or [], "Case"):
        refs = [normalise_guid(r.get("targetGUID")) for r in _children(case, "SourceRef")]
        for ref in refs:
            target = next((r for r in source_rows if r["source_id"] == source_ids.get(ref)), None)
            if target is None:
                continue
            for value_el in _children(case, "VariableValue"):
                _apply_variable(target, value_el, variables, notes, target["source_id"])
    if not source_rows:
        raise InputError.single(archive, "the project has no text sources")
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
    corpus = make_corpus(
        sources, pd.DataFrame(segments, columns=["segment_id", "source_id", "start", "end"]), [path]
    )
    frame = pd.DataFrame(codings, columns=["source", "start", "end", "code", "coder", "memo"])
    frame = frame.astype({"start": "int64", "end": "int64"})
    frame = frame.sort_values(["coder", "source", "start", "end", "code"]).reset_index(drop=True)
    return ImportResult(corpus, codebook, frame, tuple(notes), origin)


def _coder_name(name: str) -> str:
    cleaned = re.sub(r"[^\w.@-]+", "_", name.strip()).strip("_")
    return cleaned or "unknown"


def _source_text(
    element: Any, by_name: dict[str, str], members: dict[str, bytes], archive: str, display: str
) -> str:
    inline = _child(element, "PlainTextContent")
    if inline is not None and inline.text:
        return inline.text
    path = element.get("plainTextPath")
    if not path:
        raise InputError.single(archive, f"source {display!r} has neither text nor plainTextPath")
    if not path.startswith("internal://"):
        raise InputError.single(
            archive,
            f"source {display!r} refers to a file outside the archive; only internal:// "
            "sources are read",
            found=path,
        )
    file_name = PurePosixPath(path[len("internal://") :].replace("\\", "/")).name
    wanted = [f"sources/{file_name}".lower(), file_name.lower()]
    for key in wanted:
        if key in by_name:
            return _decode(members[by_name[key]], f"{archive}:{by_name[key]}")
    for lower, original in by_name.items():
        if lower.endswith("/" + file_name.lower()):
            return _decode(members[original], f"{archive}:{original}")
    raise InputError.single(archive, f"source file of {display!r} not in the archive", found=path)


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
    for coding in _children(element, "Coding"):  # a code on the whole source
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
