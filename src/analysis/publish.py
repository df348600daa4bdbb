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

import copy
import html
import io
import re
import sys
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.fileio import atomic_write_bytes, atomic_write_text
from analysis.privacy import PrivacyPolicy, Pseudonymiser, gate_frame, gate_text

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


# --- formats ------------------------------------------------------------------------------

_MARKUP = re.compile(r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>|<[^>]*>", re.S | re.I)
_READ_ATTRIBUTES = re.compile(
    r"""(\s(?:alt|title|aria-label|placeholder|summary)\s*=\s*)(["'])(.*?)\2""", re.S | re.I
)


def _html_text(text: str, gate: Gate, part: str, *, attribute: bool = False) -> str:
    if not text.strip():
        return text
    plain = html.unescape(text)
    gated = gate.text(plain, part=part)
    return text if gated == plain else html.escape(gated, quote=attribute)


def gate_html(markup: str, gate: Gate) -> str:
    """HTML with its text and readable attributes gated; tags, scripts, styles, comments
    and embedded pictures (``data:`` URLs) are left as they are."""
    out: list[str] = []
    last = 0
    for match in _MARKUP.finditer(markup):
        out.append(_html_text(markup[last : match.start()], gate, "text"))
        tag = match.group(0)
        if match.group(1) is None and not tag.startswith("<!--"):
            tag = _READ_ATTRIBUTES.sub(
                lambda a: (
                    a.group(1)
                    + a.group(2)
                    + _html_text(a.group(3), gate, "attribute", attribute=True)
                    + a.group(2)
                ),
                tag,
            )
        out.append(tag)
        last = match.end()
    out.append(_html_text(markup[last:], gate, "text"))
    return "".join(out)


_TEXT_MIME = ("text/plain", "text/markdown", "text/latex")


def _gate_value(value: Any, gate: Gate, part: str) -> Any:
    """Strings anywhere in a JSON-like value (scrapbook records, metadata)."""
    if isinstance(value, str):
        return gate.text(value, part=part)
    if isinstance(value, list):
        return [_gate_value(v, gate, part) for v in value]
    if isinstance(value, dict):
        return {k: _gate_value(v, gate, part) for k, v in value.items()}
    return value


def _joined(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def _gate_bundle(data: Mapping[str, Any], gate: Gate, part: str) -> dict[str, Any]:
    out = {}
    for mime, value in data.items():
        if mime.startswith("image/"):
            out[mime] = value
        elif mime == "text/html":
            out[mime] = gate_html(_joined(value), gate)
        elif mime in _TEXT_MIME:
            out[mime] = gate.text(_joined(value), part=part)
        else:
            out[mime] = _gate_value(value, gate, part)
    return out


def gate_notebook(nb: Any, gate: Gate) -> Any:
    """A copy of a notebook whose cell sources, outputs (texts, HTML, records, errors) and
    metadata passed the gate; pictures are left as they are."""
    out = copy.deepcopy(nb)
    out["metadata"] = _gate_value(out.get("metadata", {}), gate, "notebook metadata")
    for number, cell in enumerate(out.get("cells", []), start=1):
        part = f"cell {number}"
        source = cell.get("source", "")
        cell["source"] = gate.text(
            "".join(source) if isinstance(source, list) else source, part=part
        )
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind == "stream":
                text = output.get("text", "")
                output["text"] = gate.text(
                    "".join(text) if isinstance(text, list) else text, part=part
                )
            elif kind in {"display_data", "execute_result"}:
                output["data"] = _gate_bundle(output.get("data", {}), gate, part)
                output["metadata"] = _gate_value(output.get("metadata", {}), gate, part)
            elif kind == "error":
                output["ename"] = gate.text(output.get("ename", ""), part=part)
                output["evalue"] = gate.text(output.get("evalue", ""), part=part)
                output["traceback"] = [gate.text(t, part=part) for t in output.get("traceback", [])]
    return out


#: XML attributes that hold text people read (REFI-QDA names of codes, sources, users,
#: cases, variables, sets); the others are identifiers, colours, paths and positions
_XML_TEXT_ATTRIBUTES = frozenset({"name"})


def gate_xml(data: bytes, gate: Gate) -> bytes:
    """XML with its element texts and ``name`` attributes gated; the same bytes when
    nothing was found."""
    from lxml import etree

    before = gate.changed
    root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if element.text:
            element.text = gate.text(element.text, part=f"<{local}>")
        if element.tail:
            element.tail = gate.text(element.tail, part=f"<{local}>")
        for attribute in _XML_TEXT_ATTRIBUTES & set(element.attrib):
            element.set(attribute, gate.text(element.get(attribute), part=f"<{local} {attribute}>"))
    if gate.changed == before:
        return data
    body = etree.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def gate_member(name: str, data: bytes, kind: str, gate: Gate) -> bytes:
    """An archive member gated by its kind (see :data:`MEMBER_KINDS`)."""
    if kind not in MEMBER_KINDS:
        raise ValueError(f"unknown member kind {kind!r}")
    if kind == "binary":
        return data
    sub = Gate(gate.policy, f"{gate.where}: {name}", gate.pseudonymiser)
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
    changed = sum(a != b for a, b in zip(before.columns, after.columns, strict=True))
    for number in range(before.shape[1]):
        left, right = before.iloc[:, number], after.iloc[:, number]
        same = left.astype(object).eq(right.astype(object)) | (left.isna() & right.isna())
        changed += int((~same).sum())
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
