"""Reading untrusted exchange files: XML without entities, zip archives without surprises.

- XML is parsed with ``defusedxml`` and any DOCTYPE is refused, which stops external
  entities (file or network reads) and entity expansion bombs ("billion laughs").
- A zip archive is read in memory, member by member, and refused as a whole when a member
  name is absolute, climbs out with ``..``, names a drive, is a symbolic link or is
  encrypted, when a member or the total is larger than the limits (checked on the
  declared size *and* while reading, since a header can lie), or when there are too
  many members. Nothing is extracted to disk.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from analysis.errors import InputError

MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 20_000
MAX_XML_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """Size limits for reading an archive (bytes, after decompression)."""

    member: int = MAX_MEMBER_BYTES
    total: int = MAX_TOTAL_BYTES
    members: int = MAX_MEMBERS


def parse_xml(data: bytes, file: str) -> Any:
    """Parse untrusted XML into an ElementTree element; DTDs and entities are refused."""
    import defusedxml
    import defusedxml.ElementTree as safe_et

    if len(data) > MAX_XML_BYTES:
        raise InputError.single(
            file, "XML document too large", expected=f"at most {MAX_XML_BYTES} bytes"
        )
    try:
        return safe_et.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise InputError.single(
            file,
            "refused: the XML declares a DOCTYPE (possible external entity or entity "
            "expansion attack); REFI-QDA files do not need one",
        ) from None
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as exc:
        raise InputError.single(file, f"refused: the XML uses entities ({exc})") from None
    except safe_et.ParseError as exc:
        raise InputError.single(file, f"not well-formed XML: {exc}") from None
    except (LookupError, ValueError) as exc:  # encoding="xtf-8", multi-byte encodings
        raise InputError.single(
            file, f"cannot read the XML: {exc}", expected="UTF-8 (or UTF-16) XML"
        ) from None


def _check_name(name: str, archive: str) -> str:
    if "\x00" in name:
        raise InputError.single(archive, "refused: a member name contains a NUL byte")
    text = name.replace("\\", "/")
    path = PurePosixPath(text)
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        raise InputError.single(archive, f"refused: absolute path in the archive: {name!r}")
    if any(part == ".." for part in path.parts):
        raise InputError.single(
            archive, f"refused: member path climbs out of the archive ('..'): {name!r}"
        )
    return text


def read_zip(path: Path | str, limits: ZipLimits | None = None) -> dict[str, bytes]:
    """All file members of a zip archive, name -> bytes, after the safety checks."""
    limits = limits or ZipLimits()
    archive = str(path)
    try:
        handle = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        raise InputError.single(archive, "not a zip archive (.qdpx files are zip files)") from None
    except FileNotFoundError:
        raise InputError.single(archive, "file not found") from None
    except OSError as exc:  # a folder where the file is expected, no permission, ...
        raise InputError.single(archive, f"cannot read the file: {exc.strerror or exc}") from None
    members: dict[str, bytes] = {}
    total = 0
    with handle:
        infos = handle.infolist()
        if len(infos) > limits.members:
            raise InputError.single(
                archive, "refused: too many members", expected=f"at most {limits.members}"
            )
        for info in infos:
            name = _check_name(info.filename, archive)
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise InputError.single(archive, f"refused: symbolic link in the archive: {name!r}")
            if info.flag_bits & 0x1:
                raise InputError.single(archive, f"refused: encrypted member: {name!r}")
            if info.file_size > limits.member:
                raise InputError.single(
                    archive,
                    "refused: member too large",
                    expected=f"at most {limits.member} bytes",
                    found=f"{name}: {info.file_size} bytes",
                )
            try:
                with handle.open(info) as stream:
                    data = stream.read(limits.member + 1)
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                NotImplementedError,
                OSError,
                ValueError,
            ) as exc:
                raise InputError.single(
                    archive, f"member {name!r} is damaged or uses an unsupported compression: {exc}"
                ) from None
            if len(data) > limits.member:
                raise InputError.single(
                    archive,
                    f"refused: member {name!r} larger than declared and than the limit",
                )
            total += len(data)
            if total > limits.total:
                raise InputError.single(
                    archive,
                    "refused: archive contents too large",
                    expected=f"at most {limits.total} bytes in total",
                )
            if name in members:
                raise InputError.single(archive, f"refused: duplicate member name {name!r}")
            members[name] = data
    return members
