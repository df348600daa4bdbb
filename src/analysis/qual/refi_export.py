"""REFI-QDA export: the codebook as ``.qdc`` and the project as ``.qdpx``.

What the standard (QDA-XML 1.0, schemas in ``analysis/resources/refi_qda``) asks for,
validated against the schema: LF text files under ``Sources/``
(``plainTextPath="internal://<guid>.txt"``), character offsets (code points, end
exclusive), codes with their hierarchy, colours and every codebook field
(:mod:`analysis.qual.refi_codes`), the source attributes as ``VariableValue`` of each
``TextSource`` and one ``Case`` per source, coders as ``Users``, dates and a creating user
on every source. GUIDs are UUID5s of stable content, dates come from the data and the zip
has fixed timestamps, so exporting twice gives the same bytes. Files are written through
the personal-data gate (:mod:`analysis.publish`).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.errors import InputError
from analysis.privacy import PrivacyPolicy
from analysis.publish import Published, output_policy, publish_archive, publish_xml
from analysis.qual.codebook import Codebook
from analysis.qual.corpus import Corpus
from analysis.qual.refi_codes import description, export_origin
from analysis.qual.refi_xml import (
    CODEBOOK_NS,
    ORIGIN,
    PROJECT_NS,
    TOOL,
    codebook_schema,
    guid,
    project_schema,
    validate_xml,
)

#: the export date when none is given: the date of the zip members' timestamps (the
#: earliest a zip can hold), so that the same input always gives the same bytes
EXPORT_DATE = datetime(1980, 1, 1, tzinfo=UTC)
#: the source attribute whose value, when set, is the source's creation date
DATE_ATTRIBUTE = "date"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_INTEGER_VARIABLES = {"municipality_code", "round", "year"}


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
