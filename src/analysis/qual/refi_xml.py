"""The QDA-XML vocabulary that REFI-QDA export and import share: namespaces, the tool's
name, deterministic GUIDs, the schemas and validation against them, and small helpers for
reading elements whatever namespace prefix a tool wrote.
"""

from __future__ import annotations

import re
import uuid
from functools import cache
from importlib import resources
from typing import Any

from analysis import __version__
from analysis.errors import AnalysisError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
TOOL = "caseload-analysis"
ORIGIN = f"{TOOL} {__version__}"
GUID_NAMESPACE = uuid.UUID("5b0c8f2e-3a41-5d7e-9c1a-2f6b8d4e7a90")
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


# --- reading elements -----------------------------------------------------------------------


def local_name(tag: str) -> str:
    """A tag without its namespace (``{urn:...}Code`` -> ``Code``)."""
    return tag.rsplit("}", 1)[-1]


def xml_children(element: Any, name: str) -> list[Any]:
    """The children of ``element`` called ``name`` (any namespace)."""
    return [c for c in element if local_name(c.tag) == name]


def xml_child(element: Any, name: str) -> Any | None:
    """The first child of ``element`` called ``name``, or None."""
    found = xml_children(element, name)
    return found[0] if found else None


def xml_text(element: Any | None) -> str | None:
    """An element's text without surrounding spaces; None when it has none."""
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def plural(n: int, word: str) -> str:
    """``1 coding``, ``2 codings``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def short_list(items: list[str], limit: int = 10) -> str:
    """The first ``limit`` items, then how many more."""
    shown = ", ".join(items[:limit])
    return shown + (f", and {len(items) - limit} more" if len(items) > limit else "")
