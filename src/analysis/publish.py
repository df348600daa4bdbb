"""Every file that leaves the project is written here, through the personal-data gate.

Reports, executed notebooks, REFI-QDA exports and the CSV files of the commands are read
by people outside the project. The analyses pseudonymise texts when they load them (with
:func:`analysis.privacy.check_texts`, keeping coding offsets right); whatever they did,
each outgoing file passes :func:`analysis.privacy.find_personal_data` once more here, on
its way out, with the run's policy:

- ``pseudonymise``: what is found is replaced by placeholders (``[CPR]``, ``[NAVN A]``),
  or by ``X`` for each letter and digit in texts that positions point into (the REFI-QDA
  source texts), so nothing leaves even if an analysis forgot to gate a text;
- ``stop``: :class:`analysis.privacy.PersonalDataError` names the file and the place;
- ``allow`` (only by ``--allow-personal-data``): written unchanged.

Each writer knows the structure of its format and gates the text in it, not the markup:
HTML text and the attributes people read (``alt``, ``title``), notebook sources and
outputs (not the embedded pictures), XML text and ``name`` attributes, CSV text cells and
headers. Every call in the package that writes a file is either here or listed, with the
reason it keeps to the project, in ``tests/test_output_writers.py``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import html
import io
import json
import re
import struct
import sys
import urllib.parse
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.fileio import atomic_write_bytes, atomic_write_text
from analysis.privacy import (
    PersonalDataError,
    PrivacyPolicy,
    Pseudonymiser,
    describe_finding,
    find_personal_data,
    gate_frame,
    gate_text,
    pseudonymous_id,
)

#: how an archive member is gated: XML text and names, or plain text (``keep_length``
#: for texts that positions point into)
MEMBER_KINDS = ("xml", "text", "text-keep-length", "binary")


@dataclass
class Gate:
    """The policy applied to the texts of one outgoing file; counts what it changed.

    One pseudonymiser per file, so a name gets the same alias everywhere in the file.
    """

    policy: PrivacyPolicy
    where: str
    pseudonymiser: Pseudonymiser = field(default_factory=Pseudonymiser)
    changed: int = 0

    def text(self, text: str, *, part: str = "", keep_length: bool = False) -> str:
        where = f"{self.where}{', ' + part if part else ''}"
        out = gate_text(
            text,
            self.policy,
            where=where,
            pseudonymiser=self.pseudonymiser,
            keep_length=keep_length,
        )
        if out != text:
            self.changed += 1
        return out

    def identifier(self, token: str, *, part: str = "") -> str:
        """An id (an anchor, a slug): with the personal data in it replaced by its alias
        as an id can hold it (``interview-navn-a``), so links and their targets agree."""
        if self.policy.mode == "allow" or not token:
            return token
        where = f"{self.where}{', ' + part if part else ''}"
        spaced = re.sub(r"[-_.]+", " ", token)
        if self.policy.mode == "stop":
            gate_text(spaced, self.policy, where=where)
            return token
        out = pseudonymous_id(token, self.policy.names, self.pseudonymiser)
        if out != token:
            self.changed += 1
        return out


# --- pictures -----------------------------------------------------------------------------

#: the PNG text chunk in which :func:`analysis.nb.figure_png` records every text it drew
#: (titles, axis and tick labels, legends, annotations), after the figure gate
DRAWN_TEXT_KEY = "analysis:drawn-text"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_texts(data: bytes) -> dict[str, str] | None:
    """The text chunks (tEXt, zTXt, iTXt) of a PNG; ``None`` if ``data`` is not a PNG.
    (The chunks are read without decoding the picture.)"""
    if not data.startswith(_PNG_SIGNATURE):
        return None
    texts: dict[str, str] = {}
    position = len(_PNG_SIGNATURE)
    try:
        while position + 8 <= len(data):
            size, kind = struct.unpack(">I4s", data[position : position + 8])
            body = data[position + 8 : position + 8 + size]
            if len(body) != size:
                return None
            position += 12 + size
            if kind == b"tEXt":
                key, _, value = body.partition(b"\0")
                texts[key.decode("latin-1")] = value.decode("latin-1")
            elif kind == b"zTXt":
                key, _, rest = body.partition(b"\0")
                texts[key.decode("latin-1")] = zlib.decompress(rest[1:]).decode("latin-1")
            elif kind == b"iTXt":
                key, _, rest = body.partition(b"\0")
                compressed, rest = rest[0], rest[2:]
                _language, _, rest = rest.partition(b"\0")
                _translated, _, value = rest.partition(b"\0")
                value = zlib.decompress(value) if compressed else value
                texts[key.decode("latin-1")] = value.decode("utf-8")
            elif kind == b"IEND":
                return texts
    except (struct.error, zlib.error, UnicodeDecodeError, IndexError):
        return None
    return None


class PictureError(PersonalDataError):
    """A picture leaving the project that draws personal data, or whose drawn text the
    gate cannot read: a picture cannot be pseudonymised after it is drawn."""


_SVG_READ_ATTRIBUTES = re.compile(r"^(?:title|alt|aria-[\w-]+|data-[\w-]+|(?:xlink:)?href|id)$")


def _svg_texts(markup: str) -> list[str] | None:
    """Every text an SVG shows or says: element texts, comments (Matplotlib writes each
    text it draws as glyph paths after a comment holding it), titles, descriptions and
    the readable attributes (not the geometry, whose numbers are not text); ``None``
    when it is not XML."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(markup.encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError:
        return None
    texts = []
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname == "style":
            texts.append(node.tail or "")
            continue
        if not isinstance(node.tag, str):  # a comment or a processing instruction
            texts += [node.text or "", node.tail or ""]
            continue
        texts += [node.text or "", node.tail or ""]
        for name, value in node.attrib.items():
            local = etree.QName(name).localname
            prefix = "xlink:" if "xlink" in name else ""
            if _SVG_READ_ATTRIBUTES.match(prefix + local) and not value.startswith("data:"):
                texts.append(value)
    return [t for t in texts if t.strip()]


def check_picture(mime: str, data: bytes | str, gate: Gate, part: str) -> None:
    """A picture leaving the project must say what text it draws, and none of that text
    may hold personal data (the policy's ``allow`` lets every picture through).

    PNG: the texts recorded by :func:`analysis.nb.figure_png` (:data:`DRAWN_TEXT_KEY`)
    and every other text chunk; SVG: its texts, comments and readable attributes. Any
    other picture (JPEG, GIF, PDF, a PNG drawn elsewhere) cannot be read and is refused.
    Raises :class:`PictureError` naming the file and the place."""
    if gate.policy.mode == "allow":
        return
    where = f"{gate.where}{', ' + part if part else ''}"
    if mime == "image/svg+xml":
        markup = data if isinstance(data, str) else data.decode("utf-8", "replace")
        texts = _svg_texts(markup)
        if texts is None:
            raise PictureError(f"{where}: an SVG picture that is not valid XML: refused")
    else:
        raw = _base64(data) if isinstance(data, str) else data
        chunks = png_texts(raw) if raw is not None else None
        if chunks is None or DRAWN_TEXT_KEY not in chunks:
            kind = "a PNG" if chunks is not None else f"a picture ({mime})"
            raise PictureError(
                f"{where}: {kind} whose drawn text the gate cannot read (only figures "
                "drawn by analysis.nb.figure, which gates their text and records it, may "
                "leave the project); show the figure with nb.figure, or rerun with "
                "--allow-personal-data if you are entitled to publish it"
            )
        try:
            texts = [str(t) for t in json.loads(chunks[DRAWN_TEXT_KEY])]
        except (ValueError, TypeError):
            raise PictureError(f"{where}: a PNG with an unreadable record of its text") from None
        texts += [v for k, v in chunks.items() if k != DRAWN_TEXT_KEY]
    found = [
        f"{where}, picture text {number}: {describe_finding(f)}"
        for number, text in enumerate(texts, start=1)
        for f in find_personal_data(text, gate.policy.names)
    ]
    if found:
        raise PictureError(
            "personal data drawn in a picture (a picture cannot be pseudonymised after it "
            "is drawn: gate the text before drawing, as nb.figure does), or rerun with "
            "--allow-personal-data if you are entitled to publish it:\n" + "\n".join(found[:20])
        )


def _base64(text: str) -> bytes | None:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


# --- HTML ---------------------------------------------------------------------------------

_MARKUP = re.compile(
    r"<!--(?P<comment>.*?)-->"
    r"|<(?P<block>script|style|svg)\b(?P<open>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"(?P<body>.*?)</(?P=block)\s*>"
    r"|<(?P<tag>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.S | re.I,
)
_ATTRIBUTE = re.compile(
    r"""(?P<lead>\s+)(?P<name>[^\s=/>"']+)(?P<eq>\s*=\s*)"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+))"""
)
#: attributes that hold ids (a slug of a heading, a table's name): pseudonymised as ids
_ID_ATTRIBUTES = frozenset(
    {"id", "for", "headers", "aria-labelledby", "aria-describedby", "aria-controls", "list"}
)
#: attributes that hold a link: a fragment is an id, anything else text
_LINK_ATTRIBUTES = frozenset({"href", "xlink:href", "src", "action", "cite", "poster"})
_DATA_URL = re.compile(
    r"data:(?P<mime>[\w.+/-]*)(?P<params>(?:;[^,;]*)*),(?P<data>[^\s\"')]*)", re.I
)
_JSON_SCRIPT = re.compile(r"json|importmap", re.I)


def _html_text(text: str, gate: Gate, part: str, *, attribute: bool = False) -> str:
    if not text.strip():
        return text
    plain = html.unescape(text)
    gated = gate.text(plain, part=part)
    return text if gated == plain else html.escape(gated, quote=attribute)


def _outside_data_urls(text: str, gate: Gate, part: str) -> str:
    """``text`` (a script, a style) gated except for its ``data:`` URLs, which are
    pictures (checked) or other embedded files (gated as text when they are text)."""
    out, last = [], 0
    for match in _DATA_URL.finditer(text):
        out.append(gate.text(text[last : match.start()], part=part))
        out.append(_data_url(match.group(0), gate, part))
        last = match.end()
    out.append(gate.text(text[last:], part=part))
    return "".join(out)


def _data_url(url: str, gate: Gate, part: str) -> str:
    """A ``data:`` URL: a picture is checked; text (also base64) is gated; anything
    else cannot be read and is refused unless the policy allows."""
    match = _DATA_URL.match(url.strip())
    if match is None:
        return gate.text(url, part=part)
    mime = match.group("mime").lower() or "text/plain"
    encoded = ";base64" in match.group("params").lower()
    payload = match.group("data")
    if mime.startswith("image/"):
        raw = _base64(payload) if encoded else urllib.parse.unquote_to_bytes(payload)
        check_picture(mime, raw if raw is not None else b"", gate, part)
        return url
    if mime.startswith("text/") or mime.endswith(("json", "xml")):
        raw = _base64(payload) if encoded else urllib.parse.unquote_to_bytes(payload)
        text = (raw or b"").decode("utf-8", "replace")
        gated = gate.text(text, part=part)
        if gated == text:
            return url
        head = url[: url.index(",") + 1]
        body = base64.b64encode(gated.encode()).decode() if encoded else urllib.parse.quote(gated)
        return head + body
    if gate.policy.mode != "allow":
        raise PictureError(
            f"{gate.where}, {part}: an embedded {mime} file whose text the gate cannot read"
        )
    return url


def _attribute(name: str, value: str, gate: Gate) -> str:
    """One attribute value (unescaped) through the gate, by what the attribute holds."""
    name = name.lower()
    if value.lstrip().lower().startswith("data:"):
        return _data_url(value, gate, "attribute")
    if name in _ID_ATTRIBUTES:
        return " ".join(gate.identifier(token, part="attribute") for token in value.split(" "))
    if name in _LINK_ATTRIBUTES and value.startswith("#"):
        return "#" + gate.identifier(value[1:], part="attribute")
    if name == "style":
        return _outside_data_urls(value, gate, "attribute")
    return gate.text(value, part="attribute")


def _gate_tag(tag: str, gate: Gate) -> str:
    def one(match: re.Match[str]) -> str:
        raw = next(v for v in (match["dq"], match["sq"], match["bare"]) if v is not None)
        value = html.unescape(raw)
        gated = _attribute(match["name"], value, gate)
        if gated == value:
            return match.group(0)
        return f'{match["lead"]}{match["name"]}{match["eq"]}"{html.escape(gated, quote=True)}"'

    return _ATTRIBUTE.sub(one, tag)


def _gate_script(attributes: str, body: str, gate: Gate) -> str:
    kind = re.search(r"""\stype\s*=\s*["']?([^"'\s>]+)""", attributes, re.I)
    if kind and _JSON_SCRIPT.search(kind.group(1)):
        try:
            value = json.loads(body)
        except ValueError:
            return _outside_data_urls(body, gate, "script")
        gated = _gate_value(value, gate, "script")
        if gated == value:
            return body
        return json.dumps(gated, ensure_ascii=False).replace("</", "<\\/")
    return _outside_data_urls(body, gate, "script")


def gate_html(markup: str, gate: Gate) -> str:
    """HTML with everything a reader or a machine can read gated: text, every attribute
    (``href``, ``data-*``, ``alt``, ``title``, ``content`` of ``<meta>``, ...; ids and
    fragment links as ids, so that a link still finds its target), comments, scripts
    (JSON by its structure) and styles; ``data:`` URLs and inline ``<svg>`` pictures are
    checked (:func:`check_picture`)."""
    out: list[str] = []
    last = 0
    for match in _MARKUP.finditer(markup):
        out.append(_html_text(markup[last : match.start()], gate, "text"))
        if match["comment"] is not None:
            comment = gate.text(match["comment"], part="comment")
            out.append(f"<!--{comment}-->")
        elif match["block"] is not None:
            block, opening, body = match["block"], match["open"], match["body"]
            if block.lower() == "svg":
                check_picture("image/svg+xml", match.group(0), gate, "svg")
                out.append(match.group(0))
            else:
                gated_open = _gate_tag(opening, gate)
                if block.lower() == "script":
                    gated_body = _gate_script(opening, body, gate)
                else:
                    gated_body = _outside_data_urls(body, gate, "style")
                out.append(f"<{block}{gated_open}>{gated_body}</{block}>")
        else:
            out.append(f"<{_gate_tag(match['tag'], gate)}>")
        last = match.end()
    out.append(_html_text(markup[last:], gate, "text"))
    return "".join(out)


# --- notebooks ------------------------------------------------------------------------------

_TEXT_MIME = ("text/plain", "text/markdown", "text/latex", "application/javascript")
#: the scrapbook record MIME types (application/scrapbook.scrap.<encoder>+json)
SCRAP_MIME = "application/scrapbook.scrap."
#: how each MIME type IPython displays is gated; an unknown type is gated as text or as
#: JSON-like data by its value, and an unknown ``image/*`` is a picture
MIME_KINDS = {
    "text/plain": "text",
    "text/markdown": "text",
    "text/latex": "text",
    "application/javascript": "text",
    "text/html": "html",
    "application/json": "json",
    "image/png": "picture",
    "image/jpeg": "picture",
    "image/gif": "picture",
    "image/svg+xml": "picture",
    "application/pdf": "picture",
}
#: scrapbook's encoders and how a scrap of each is gated
SCRAP_ENCODERS = {"text": "text", "json": "json", "display": "display", "pandas": "parquet"}


def _gate_value(value: Any, gate: Gate, part: str) -> Any:
    """Strings anywhere in a JSON-like value (scrapbook records, metadata)."""
    if isinstance(value, str):
        return gate.text(value, part=part)
    if isinstance(value, list):
        return [_gate_value(v, gate, part) for v in value]
    if isinstance(value, dict):
        return {gate.text(k, part=part) if isinstance(k, str) else k: _gate_value(v, gate, part)
                for k, v in value.items()}  # fmt: skip
    return value


def _joined(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def _gate_frame_scrap(encoded: str, gate: Gate, part: str) -> str:
    """A pandas scrap (base64 Parquet): decoded, its cells, column names and index gated,
    encoded again when anything changed."""
    import pandas as pd

    try:
        frame = pd.read_parquet(io.BytesIO(base64.b64decode(encoded)), engine="pyarrow")
    except Exception as exc:  # pyarrow raises several types for a damaged file
        if gate.policy.mode == "allow":
            return encoded
        raise PictureError(
            f"{gate.where}, {part}: a pandas scrap that cannot be read ({type(exc).__name__})"
        ) from None
    if gate.policy.mode == "allow":
        return encoded
    names = list(frame.index.names)
    flat = frame.reset_index(names=[f"__index_{i}" for i in range(len(names))])
    gated = gate_frame(flat, gate.policy, where=f"{gate.where}, {part}",
                       pseudonymiser=gate.pseudonymiser)  # fmt: skip
    changed = _changed_cells(flat, gated)
    if not changed:
        return encoded
    gate.changed += changed
    index_columns = list(gated.columns[: len(names)])
    out = gated.set_index(index_columns)
    out.index.names = [gate.text(n, part=part) if isinstance(n, str) else n for n in names]
    buffer = io.BytesIO()
    out.to_parquet(buffer, engine="pyarrow")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _gate_scrap(record: Any, gate: Gate, part: str) -> Any:
    if not isinstance(record, dict):
        return _gate_value(record, gate, part)
    out = dict(record)
    encoder = record.get("encoder")
    if encoder == "pandas" and isinstance(record.get("data"), str):
        out["data"] = _gate_frame_scrap(record["data"], gate, f"{part}, scrap")
        rest = {k: v for k, v in record.items() if k != "data"}
        out.update(_gate_value(rest, gate, f"{part}, scrap"))
        return out
    if encoder == "display" and isinstance(record.get("data"), dict):
        rest = {k: v for k, v in record.items() if k != "data"}
        out.update(_gate_value(rest, gate, f"{part}, scrap"))
        out["data"] = _gate_bundle(record["data"], gate, f"{part}, scrap")
        return out
    return _gate_value(record, gate, f"{part}, scrap")


def _gate_bundle(data: Mapping[str, Any], gate: Gate, part: str) -> dict[str, Any]:
    out = {}
    for mime, value in data.items():
        kind = MIME_KINDS.get(mime)
        if kind is None and mime.startswith("image/"):
            kind = "picture"
        if mime.startswith(SCRAP_MIME):
            out[mime] = _gate_scrap(value, gate, part)
        elif kind == "picture":
            payload = _joined(value) if isinstance(value, list | str) else json.dumps(value)
            if mime == "image/svg+xml":
                check_picture(mime, payload, gate, f"{part}, {mime}")
            else:
                raw = _base64(payload)
                check_picture(mime, raw if raw is not None else b"", gate, f"{part}, {mime}")
            out[mime] = value
        elif kind == "html":
            out[mime] = gate_html(_joined(value), gate)
        elif (
            isinstance(value, str | list)
            and (kind == "text" or kind is None)
            and all(isinstance(v, str) for v in (value if isinstance(value, list) else [value]))
        ):
            out[mime] = gate.text(_joined(value), part=part)
        else:
            out[mime] = _gate_value(value, gate, part)
    return out


def _gate_output(output: Any, gate: Gate, part: str) -> None:
    kind = output.get("output_type")
    if kind == "stream":
        output["text"] = gate.text(_joined(output.get("text", "")), part=part)
    elif kind in {"display_data", "execute_result"}:
        output["data"] = _gate_bundle(output.get("data", {}), gate, part)
        output["metadata"] = _gate_value(output.get("metadata", {}), gate, part)
    elif kind == "error":
        output["ename"] = gate.text(output.get("ename", ""), part=part)
        output["evalue"] = gate.text(output.get("evalue", ""), part=part)
        output["traceback"] = [gate.text(t, part=part) for t in output.get("traceback", [])]
    else:  # an output type nbformat does not know (yet): every string in it
        for key, value in list(output.items()):
            if key != "output_type":
                output[key] = _gate_value(value, gate, part)


def gate_notebook(nb: Any, gate: Gate) -> Any:
    """A copy of a notebook whose cell sources, cell and notebook metadata, attachments
    and outputs (texts, HTML, records, scraps, pictures, errors) passed the gate."""
    out = copy.deepcopy(nb)
    out["metadata"] = _gate_value(out.get("metadata", {}), gate, "notebook metadata")
    for number, cell in enumerate(out.get("cells", []), start=1):
        part = f"cell {number}"
        cell["source"] = gate.text(_joined(cell.get("source", "")), part=part)
        if "metadata" in cell:
            cell["metadata"] = _gate_value(cell["metadata"], gate, part)
        for name, bundle in (cell.get("attachments") or {}).items():
            cell["attachments"][name] = _gate_bundle(bundle, gate, f"{part}, attachment")
        for output in cell.get("outputs", []):
            _gate_output(output, gate, part)
    return out


# --- XML and archives -----------------------------------------------------------------------


def gate_xml(data: bytes, gate: Gate) -> bytes:
    """XML with its element texts, every attribute value and its comments gated
    (identifiers, positions and dates hold nothing the detector finds); the same bytes
    when nothing was found."""
    from lxml import etree

    before = gate.changed
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter():
        if not isinstance(element.tag, str):  # a comment or a processing instruction
            if element.text:
                element.text = gate.text(element.text, part="comment")
            if element.tail:
                element.tail = gate.text(element.tail, part="comment")
            continue
        local = etree.QName(element).localname
        if element.text:
            element.text = gate.text(element.text, part=f"<{local}>")
        if element.tail:
            element.tail = gate.text(element.tail, part=f"<{local}>")
        for attribute, value in element.attrib.items():
            name = etree.QName(attribute).localname
            element.set(attribute, gate.text(value, part=f"<{local} {name}>"))
    if gate.changed == before:
        return data
    body = etree.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def gate_member(name: str, data: bytes, kind: str, gate: Gate) -> bytes:
    """An archive member gated by its kind (see :data:`MEMBER_KINDS`); a binary member
    is a picture (:func:`check_picture`)."""
    if kind not in MEMBER_KINDS:
        raise ValueError(f"unknown member kind {kind!r}")
    sub = Gate(gate.policy, f"{gate.where}: {name}", gate.pseudonymiser)
    if kind == "binary":
        check_picture("image/svg+xml" if name.endswith(".svg") else "image/png", data, sub, "")
        return data
    if kind == "xml":
        out = gate_xml(data, sub)
    else:
        text = data.decode("utf-8")
        out = sub.text(text, keep_length=kind == "text-keep-length").encode("utf-8")
    gate.changed += sub.changed
    return out


# --- writers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """A file written through the gate, and how many texts in it the gate changed."""

    path: Path
    changed: int


def publish_text(
    path: Path | str, text: str, policy: PrivacyPolicy, *, keep_length: bool = False
) -> Published:
    """Write a plain text file (atomically) after the gate."""
    gate = Gate(policy, str(path))
    atomic_write_text(path, gate.text(text, keep_length=keep_length))
    return Published(Path(path), gate.changed)


def publish_html(path: Path | str, markup: str, policy: PrivacyPolicy) -> Published:
    """Write an HTML page (atomically) after the gate."""
    gate = Gate(policy, str(path))
    atomic_write_text(path, gate_html(markup, gate))
    return Published(Path(path), gate.changed)


def publish_notebook(path: Path | str, nb: Any, policy: PrivacyPolicy) -> Published:
    """Write a notebook (atomically, nbformat JSON) after the gate."""
    import nbformat

    gate = Gate(policy, str(path))
    atomic_write_text(path, nbformat.writes(gate_notebook(nb, gate)))
    return Published(Path(path), gate.changed)


def gated_csv_text(frame: pd.DataFrame, policy: PrivacyPolicy, *, where: str) -> str:
    """The CSV text of ``frame`` after the gate, text cells neutralised against formulas
    (for files and for standard output)."""
    from analysis.tablefiles import csv_text

    return csv_text(gate_frame(frame, policy, where=where))


def publish_csv(path: Path | str, frame: pd.DataFrame, policy: PrivacyPolicy) -> Published:
    """Write a table as UTF-8 CSV (atomically) after the gate."""
    gated = gate_frame(frame, policy, where=str(path))
    changed = _changed_cells(frame, gated)
    from analysis.tablefiles import csv_text

    atomic_write_text(path, csv_text(gated))
    return Published(Path(path), changed)


def echo_csv(frame: pd.DataFrame, policy: PrivacyPolicy, *, where: str = "standard output") -> None:
    """Print a table as CSV to standard output after the gate."""
    sys.stdout.write(gated_csv_text(frame, policy, where=where))


def publish_archive(
    path: Path | str,
    members: Iterable[tuple[zipfile.ZipInfo, bytes, str]],
    policy: PrivacyPolicy,
) -> Published:
    """Write a zip archive (atomically) whose members passed the gate by their kind."""
    gate = Gate(policy, str(path))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info, data, kind in members:
            archive.writestr(
                info,
                gate_member(info.filename, data, kind, gate),
                compress_type=info.compress_type,
                compresslevel=9,
            )
    atomic_write_bytes(path, buffer.getvalue())
    return Published(Path(path), gate.changed)


def publish_xml(path: Path | str, data: bytes, policy: PrivacyPolicy) -> Published:
    """Write an XML file (atomically) after the gate."""
    gate = Gate(policy, str(path))
    atomic_write_bytes(path, gate_xml(data, gate))
    return Published(Path(path), gate.changed)


def _changed_cells(before: pd.DataFrame, after: pd.DataFrame) -> int:
    """How many column names and cells the gate changed (it changes text only, so a
    missing value or a number is the same on both sides)."""
    changed = sum(a != b for a, b in zip(before.columns, after.columns, strict=True))
    for number in range(before.shape[1]):
        left, right = before.iloc[:, number].tolist(), after.iloc[:, number].tolist()
        changed += sum(isinstance(a, str) and a != b for a, b in zip(left, right, strict=True))
    return changed


def output_policy(
    mode: str = "pseudonymise", names_path: Path | str | None = None
) -> PrivacyPolicy:
    """The policy for a command's or a run's output files, with the names to mask from
    ``names_path`` (default ``data/raw/interviews/privacy_names.txt``). ``allow`` only ever
    comes from an explicit ``--allow-personal-data``."""
    from analysis.paths import get_paths
    from analysis.privacy import load_name_list

    path = Path(names_path) if names_path is not None else get_paths().privacy_names
    return PrivacyPolicy(mode=mode, names=load_name_list(path))
