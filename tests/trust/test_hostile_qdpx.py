"""Hostile REFI-QDA files (.qdc XML, .qdpx zip archives) and Word documents: external
entities, entity expansion, DTD fetches, path traversal, symbolic links, zip bombs,
damaged archives. Each is refused with an InputError naming the file; no file content
leaks into the result, nothing is fetched over the network, nothing is written outside
the import, memory stays bounded. See docs/trust.md.
"""

from __future__ import annotations

import io
import os
import socket
import stat
import struct
import sys
import tempfile
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.qual.codebook import parse_codebook
from analysis.qual.corpus import load_docx_source
from analysis.qual.refi import codebook_qdc, import_qdc, import_qdpx
from analysis.qual.safe_io import ZipLimits

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "qual"))
from qualtest_helpers import FIXTURES, TINY_CODEBOOK  # noqa: E402

SOURCE = "Sources/{0A000000-0000-4000-8000-000000000001}.txt"
QDE = (FIXTURES / "crlf_chars.qde").read_bytes()
TEXT = (FIXTURES / "crlf_source.txt").read_bytes()
NS = b'xmlns="urn:QDA-XML:project:1.0"'
SECRET = Path("/etc/passwd")


def assert_input_error(exc: BaseException, path: Path | str, *phrases: str) -> None:
    assert isinstance(exc, InputError), f"{type(exc).__name__}: {exc}"
    text = str(exc)
    assert str(path) in text, f"the message does not name {path}: {text[:300]}"
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in {text[:400]}"
    if SECRET.is_file():
        first_line = SECRET.read_text(encoding="utf-8", errors="replace").splitlines()[0]
        assert first_line not in text


def make_qdpx(path: Path, members: dict[str, bytes] | list[tuple[str | zipfile.ZipInfo, bytes]]):
    items = members.items() if isinstance(members, dict) else members
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in items:
            archive.writestr(name, data)
    return path


def valid_qdpx(path: Path) -> Path:
    return make_qdpx(path, {"project.qde": QDE, SOURCE: TEXT})


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record (and block) every attempt to open a network connection."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access attempted during an import")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary files of the import go here, so the test can see that none is left."""
    folder = tmp_path / "tempdir"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_valid_archive_imports(tmp_path: Path, private_tmp: Path) -> None:
    result = import_qdpx(valid_qdpx(tmp_path / "ok.qdpx"))
    assert len(result.codings) == 3 and not list(private_tmp.iterdir())


# --- XML ------------------------------------------------------------------------------------

XML_ATTACKS = {
    "external entity (file)": (
        b'<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        b"<Project " + NS + b' name="&secret;"/>'
    ),
    "external entity (network)": (
        b'<!DOCTYPE Project [<!ENTITY remote SYSTEM "http://127.0.0.1:9/leak">]>'
        b"<Project " + NS + b' name="&remote;"/>'
    ),
    "parameter entity": (
        b'<!DOCTYPE Project [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
        b"<Project " + NS + b"/>"
    ),
    "external DTD": (
        b'<!DOCTYPE Project SYSTEM "http://127.0.0.1:9/project.dtd"><Project ' + NS + b"/>"
    ),
    "billion laughs": (
        b'<!DOCTYPE Project [<!ENTITY a "lollollollollollollollollollol">'
        + b"".join(
            b"<!ENTITY %c %s>" % (98 + i, b'"' + (b"&%c;" % (97 + i)) * 10 + b'"') for i in range(9)
        )
        + b"]><Project "
        + NS
        + b' name="&j;"/>'
    ),
}


@pytest.mark.parametrize("attack", list(XML_ATTACKS))
def test_xml_attacks_in_a_qdc_are_refused(
    tmp_path: Path, attack: str, no_network: list[object]
) -> None:
    path = tmp_path / "codebook.qdc"
    path.write_bytes(b'<?xml version="1.0" encoding="utf-8"?>' + XML_ATTACKS[attack])
    tracemalloc.start()
    try:
        with pytest.raises(Exception) as info:
            import_qdc(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_input_error(info.value, path, "refused", "DOCTYPE")
    assert not no_network
    assert peak < 20 * 1024 * 1024


@pytest.mark.parametrize("attack", list(XML_ATTACKS))
def test_xml_attacks_in_a_qdpx_are_refused(
    tmp_path: Path, attack: str, no_network: list[object], private_tmp: Path
) -> None:
    path = make_qdpx(tmp_path / "attack.qdpx", {"project.qde": XML_ATTACKS[attack], SOURCE: TEXT})
    with pytest.raises(Exception) as info:
        import_qdpx(path)
    assert_input_error(info.value, f"{path}:project.qde", "refused", "DOCTYPE")
    assert not no_network and not list(private_tmp.iterdir())


def test_xinclude_is_not_followed(tmp_path: Path, no_network: list[object]) -> None:
    """No DOCTYPE, so the file is read; an XInclude element is just an unknown element."""
    qde = QDE.replace(
        b"<Description>Tid til den enkelte borger.</Description>",
        b'<Description xmlns:xi="http://www.w3.org/2001/XInclude">'
        b'<xi:include href="file:///etc/passwd" parse="text"/></Description>',
    )
    assert qde != QDE
    result = import_qdpx(make_qdpx(tmp_path / "xi.qdpx", {"project.qde": qde, SOURCE: TEXT}))
    shown = result.codebook.codes.to_string() + "".join(result.corpus.sources["text"])
    assert "root:" not in shown and not no_network


def test_deeply_nested_codes_are_refused(tmp_path: Path) -> None:
    """3,000 nested Code elements used to end in RecursionError."""
    codes = b'<Code name="c" guid="x">' * 3000 + b"</Code>" * 3000
    qdc = tmp_path / "deep.qdc"
    qdc.write_bytes(
        b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>' + codes + b"</Codes></CodeBook>"
    )
    with pytest.raises(Exception) as info:
        import_qdc(qdc)
    assert_input_error(info.value, qdc, "codes nested too deeply")
    qde = b"<Project " + NS + b"><CodeBook><Codes>" + codes + b"</Codes></CodeBook></Project>"
    qdpx = make_qdpx(tmp_path / "deep.qdpx", {"project.qde": qde})
    with pytest.raises(Exception) as info:
        import_qdpx(qdpx)
    assert_input_error(info.value, qdpx, "codes nested too deeply")


def test_variable_named_like_a_built_in_column_is_ignored(tmp_path: Path) -> None:
    """A project variable called "text" replaced the interview text with its value, and
    every coding then pointed past the end of it (three empty coded texts, no error)."""
    for name in ("text", "source_id"):
        qde = QDE.replace(b'name="role" typeOfVariable', f'name="{name}" typeOfVariable'.encode())
        result = import_qdpx(
            make_qdpx(tmp_path / f"{name}.qdpx", {"project.qde": qde, SOURCE: TEXT})
        )
        sources = result.corpus.sources
        assert list(sources["source_id"]) == ["interview-1"]
        assert sources["text"][0] == TEXT.decode("utf-8").replace("\r\n", "\n")
        coded = [result.corpus.text(c.source)[c.start : c.end] for c in result.codings.itertuples()]
        assert "ingen tid til forberedelse" in coded and all(coded)
        assert any(
            f"variable '{name}' has the name of a built-in column" in n for n in result.notes
        )


# --- zip archives ----------------------------------------------------------------------------

ESCAPING_NAMES = [
    "../evil.txt",
    "Sources/../../evil.txt",
    "..\\evil.txt",
    "/tmp/hostile-evil.txt",
    "C:\\evil.txt",
    "C:/evil.txt",
]


@pytest.mark.parametrize("member", ESCAPING_NAMES)
def test_member_paths_out_of_the_archive_are_refused(
    tmp_path: Path, member: str, private_tmp: Path
) -> None:
    inside = tmp_path / "import"
    inside.mkdir()
    path = make_qdpx(inside / "escape.qdpx", [("project.qde", QDE), (SOURCE, TEXT), (member, b"x")])
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(Exception) as info:
        import_qdpx(path)
    assert_input_error(info.value, path, "refused", repr(member))
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not Path("/tmp/hostile-evil.txt").exists() and not (tmp_path / "evil.txt").exists()
    assert not list(private_tmp.iterdir())


def test_symbolic_link_member_is_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("Sources/link.txt")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = make_qdpx(
        tmp_path / "link.qdpx", [("project.qde", QDE), (SOURCE, TEXT), (link, b"/etc/passwd")]
    )
    with pytest.raises(Exception) as info:
        import_qdpx(path)
    assert_input_error(info.value, path, "refused: symbolic link")


def _zeros_member(path: Path, name: str, size: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", QDE)
        archive.writestr(SOURCE, TEXT)
        with archive.open(name, "w") as stream:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                stream.write(chunk)
    return path


def _declare_size(path: Path, member: str, size: int) -> Path:
    """Patch a member's uncompressed size in the central directory (a lying header)."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == member.encode():
            struct.pack_into("<I", data, at + 24, size)
            path.write_bytes(bytes(data))
            return path
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def test_zip_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    """A 40 MB member of zeros compresses to ~40 kB (ratio ~1000)."""
    path = _zeros_member(tmp_path / "bomb.qdpx", "Sources/bomb.txt", 40 * 1024 * 1024)
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(Exception) as info:
            import_qdpx(path, limits=ZipLimits(member=1024 * 1024))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_input_error(info.value, path, "refused: member too large", "Sources/bomb.txt")
    assert peak < 10 * 1024 * 1024
    # the same member declared as 1 kB: zipfile stops there, the checksum fails
    _declare_size(path, "Sources/bomb.txt", 1000)
    tracemalloc.start()
    try:
        with pytest.raises(Exception) as info:
            import_qdpx(path, limits=ZipLimits(member=1024 * 1024))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_input_error(info.value, path, "Sources/bomb.txt", "damaged")
    assert peak < 10 * 1024 * 1024
    # declared 3 GB: refused from the header alone (default limits)
    _declare_size(path, "Sources/bomb.txt", 3 * 1024**3)
    with pytest.raises(Exception) as info:
        import_qdpx(path)
    assert_input_error(info.value, path, "refused: member too large", "3221225472 bytes")


def test_archive_limits_on_total_size_and_member_count(tmp_path: Path) -> None:
    many = [("project.qde", QDE), (SOURCE, TEXT)] + [
        (f"Sources/{i}.txt", b"x" * 1000) for i in range(30)
    ]
    path = make_qdpx(tmp_path / "many.qdpx", many)
    with pytest.raises(Exception) as info:
        import_qdpx(path, limits=ZipLimits(members=10))
    assert_input_error(info.value, path, "refused: too many members")
    with pytest.raises(Exception) as info:
        import_qdpx(path, limits=ZipLimits(total=20_000))
    assert_input_error(info.value, path, "refused: archive contents too large")


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({SOURCE: TEXT}, "expected one project.qde"),
        ({"inner.qdpx": b"nested"}, "expected one project.qde"),
        ({"a.qde": QDE, "b.qde": QDE}, "expected one project.qde"),
        ({"project.qde": QDE}, "source file of 'Interview 1' not in the archive"),
        ({"project.qde": QDE.replace(b"internal://", b"file:///etc/")}, "refers to a file outside"),
    ],
)
def test_archives_without_the_right_content(tmp_path: Path, members: dict, message: str) -> None:
    if "inner.qdpx" in members:
        members = {"inner.qdpx": valid_qdpx(tmp_path / "inner.qdpx").read_bytes()}
    path = make_qdpx(tmp_path / "content.qdpx", members)
    with pytest.raises(Exception) as info:
        import_qdpx(path)
    assert_input_error(info.value, path, message)


@pytest.mark.parametrize(
    "path", ["../../../../etc/passwd", "/etc/passwd", "Sources/../../etc/passwd", "C:/boot.ini"]
)
def test_a_bare_plain_text_path_never_reads_outside_the_archive(
    tmp_path: Path, path: str, private_tmp: Path
) -> None:
    """Bare paths (qc 1.3.2 writes ``board_2017.txt``) are looked up inside the archive
    only; one that climbs out, is absolute or names a drive is refused, naming it."""
    qde = QDE.replace(
        b'plainTextPath="internal://{0A000000-0000-4000-8000-000000000001}.txt"',
        f'plainTextPath="{path}"'.encode(),
    )
    assert qde != QDE
    archive = make_qdpx(tmp_path / "bare.qdpx", {"project.qde": qde, SOURCE: TEXT})
    with pytest.raises(Exception) as info:
        import_qdpx(archive)
    assert_input_error(info.value, archive, "refers to a file outside the archive", repr(path))
    assert not list(private_tmp.iterdir())


def test_duplicate_member_names_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.qdpx"
    with pytest.warns(UserWarning, match="Duplicate name"):
        make_qdpx(path, [("project.qde", QDE), (SOURCE, TEXT), (SOURCE, b"other text")])
    with pytest.raises(Exception) as info:
        import_qdpx(path)
    assert_input_error(info.value, path, "refused: duplicate member name")


def _patch_first_member(data: bytes, offset: int, value: int) -> bytes:
    """Patch a 2-byte field of the first member in the local and central headers."""
    out = bytearray(data)
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    struct.pack_into("<H", out, local + offset, value)
    struct.pack_into("<H", out, central + offset + 2, value)
    return bytes(out)


def test_damaged_members_are_refused(tmp_path: Path) -> None:
    """A corrupt deflate stream and an unknown compression method used to escape as
    zlib.error and NotImplementedError tracebacks."""
    good = valid_qdpx(tmp_path / "good.qdpx").read_bytes()
    corrupt = bytearray(good)
    at = good.find(b"project.qde") + len("project.qde") + 20
    corrupt[at : at + 4] = b"\xff\xff\xff\xff"
    cases = {
        "corrupt": (bytes(corrupt), "damaged or uses an unsupported compression"),
        "method 99": (_patch_first_member(good, 8, 99), "unsupported compression"),
        "encrypted": (_patch_first_member(good, 6, 1), "refused: encrypted member"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / f"{name}.qdpx"
        path.write_bytes(data)
        with pytest.raises(Exception) as info:
            import_qdpx(path)
        assert_input_error(info.value, path, message)


@settings(max_examples=40, deadline=None)
@given(
    flips=st.lists(st.tuples(st.floats(0, 0.999), st.integers(0, 255)), max_size=4),
    cut=st.one_of(st.none(), st.floats(0.0, 0.999)),
)
def test_mutated_archives_give_input_errors(
    flips: list[tuple[float, int]], cut: float | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = bytearray(valid_qdpx(Path(folder) / "good.qdpx").read_bytes())
        for where, value in flips:
            data[int(where * len(data))] = value
        if cut is not None:
            data = data[: int(cut * len(data))]
        path = Path(folder) / "mutated.qdpx"
        path.write_bytes(bytes(data))
        try:
            result = import_qdpx(path)
        except Exception as exc:  # the kind is checked
            assert_input_error(exc, path)
        else:
            # a source whose element was damaged is left out, and the notes say so
            assert len(result.corpus.sources) == 1 or any("not read" in n for n in result.notes)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_mutated_qdc_gives_input_errors(data: st.DataObject) -> None:
    xml = bytearray(codebook_qdc(parse_codebook(TINY_CODEBOOK, "tiny.yaml")))
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(xml) - 1))
        xml[where] = data.draw(st.sampled_from(b"<>&;/\"'!?x\x00\xff "))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutated.qdc"
        path.write_bytes(bytes(xml))
        try:
            import_qdc(path)
        except Exception as exc:  # the kind is checked
            assert_input_error(exc, path)


def test_a_bad_pattern_in_a_qdc_description_names_the_file(tmp_path):
    # found by test_mutated_qdc_gives_input_errors: the error named "imported codebook"
    xml = codebook_qdc(parse_codebook(TINY_CODEBOOK, "tiny.yaml"))
    path = tmp_path / "mutated.qdc"
    path.write_bytes(xml.replace(b"patterns: relation*", b"patterns: r>lation*"))
    with pytest.raises(InputError) as caught:
        import_qdc(path)
    assert_input_error(caught.value, path, "borgerrelation", "r>lation*")


# --- Word documents ----------------------------------------------------------------------------


def _docx(path: Path, change=None) -> Path:
    document = docx.Document()
    document.add_paragraph("Første afsnit med æøå.")
    document.add_paragraph("PLACEHOLDER")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    if change:
        parts["word/document.xml"] = change(parts["word/document.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def _with_doctype(xml: bytes, doctype: bytes, entity: bytes) -> bytes:
    start = xml.index(b"<w:document")
    return xml[:start] + doctype + xml[start:].replace(b"PLACEHOLDER", entity)


def test_docx_external_entity_is_not_expanded(tmp_path: Path) -> None:
    """python-docx parses without resolving entities: the entity's paragraph comes out
    empty (and is skipped); nothing of the file is read."""
    path = _docx(
        tmp_path / "xxe.docx",
        lambda xml: _with_doctype(
            xml, b'<!DOCTYPE w:document [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b"&e;"
        ),
    )
    corpus = load_docx_source(path, "s1")
    assert corpus.text("s1") == "Første afsnit med æøå."


def test_docx_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = b'<!ENTITY a "lollollollollollollollollollol">' + b"".join(
        b"<!ENTITY %c %s>" % (98 + i, b'"' + (b"&%c;" % (97 + i)) * 10 + b'"') for i in range(9)
    )
    path = _docx(
        tmp_path / "laughs.docx",
        lambda xml: _with_doctype(xml, b"<!DOCTYPE w:document [" + entities + b"]>", b"&j;"),
    )
    with pytest.raises(Exception) as info:
        load_docx_source(path, "s1")
    assert_input_error(info.value, path, "cannot read as .docx", "amplification")


def test_docx_zip_bomb_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    """A 300 MB document.xml (packed small) took the process to 1 GB of memory before
    python-docx's parser gave up; the declared size is now checked first."""
    path = _docx(tmp_path / "bomb.docx")
    _declare_size(path, "word/document.xml", 3 * 1024**3)
    with pytest.raises(Exception) as info:
        load_docx_source(path, "s1")
    assert_input_error(info.value, path, "unpacks to 3221225472 bytes")


def test_nothing_is_written_next_to_the_archive(tmp_path: Path, private_tmp: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = make_qdpx(
        folder / "mixed.qdpx", [("project.qde", QDE), (SOURCE, TEXT), ("../../evil.txt", b"x")]
    )
    before = {p for p in tmp_path.rglob("*")}
    cwd_before = set(os.listdir("."))
    with pytest.raises(InputError):
        import_qdpx(path)
    assert {p for p in tmp_path.rglob("*")} == before
    assert set(os.listdir(".")) == cwd_before


@pytest.mark.parametrize("encoding", ["xtf-8", "shift_jis", "utf-32"])
def test_unknown_or_multibyte_xml_encoding_is_refused(tmp_path: Path, encoding: str) -> None:
    """Found by the mutation test above: encoding="xtf-8" escaped as LookupError, a
    multi-byte encoding as ValueError from expat."""
    path = tmp_path / "codebook.qdc"
    path.write_bytes(f'<?xml version="1.0" encoding="{encoding}"?><CodeBook/>'.encode())
    with pytest.raises(Exception) as info:
        import_qdc(path)
    assert_input_error(info.value, path, "cannot read the XML", "expected UTF-8")
