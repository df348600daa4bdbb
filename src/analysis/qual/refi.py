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

Modules (one job each; every public name is re-exported here):

- :mod:`~analysis.qual.refi_xml`: namespaces, GUIDs, schemas, reading elements;
- :mod:`~analysis.qual.refi_codes`: how a code's fields travel in its ``Description``;
- :mod:`~analysis.qual.refi_export`: ``.qdc`` and ``.qdpx`` export;
- :mod:`~analysis.qual.refi_import_codebook`: reading codes and ``.qdc`` files;
- :mod:`~analysis.qual.refi_positions`: selections and how their positions are counted;
- :mod:`~analysis.qual.refi_import`: ``.qdpx`` import (sources, attributes, codings).
"""

from analysis.qual.refi_export import (
    DATE_ATTRIBUTE,
    EXPORT_DATE,
    codebook_qdc,
    project_qde,
    qdpx_bytes,
    qdpx_members,
    write_qdc,
    write_qdpx,
)
from analysis.qual.refi_import import MAX_SOURCE_ID, import_qdpx
from analysis.qual.refi_import_codebook import (
    MAX_CODE_DEPTH,
    ImportResult,
    import_qdc,
    read_qdc,
)
from analysis.qual.refi_xml import (
    CODEBOOK_NS,
    GUID_NAMESPACE,
    ORIGIN,
    PROJECT_NS,
    TOOL,
    SchemaError,
    codebook_schema,
    guid,
    normalise_guid,
    project_schema,
    validate_xml,
)

__all__ = [
    "CODEBOOK_NS",
    "DATE_ATTRIBUTE",
    "EXPORT_DATE",
    "GUID_NAMESPACE",
    "MAX_CODE_DEPTH",
    "MAX_SOURCE_ID",
    "ORIGIN",
    "PROJECT_NS",
    "TOOL",
    "ImportResult",
    "SchemaError",
    "codebook_qdc",
    "codebook_schema",
    "guid",
    "import_qdc",
    "import_qdpx",
    "normalise_guid",
    "project_qde",
    "project_schema",
    "qdpx_bytes",
    "qdpx_members",
    "read_qdc",
    "validate_xml",
    "write_qdc",
    "write_qdpx",
]
