"""REFI-QDA: schema-valid deterministic exports, round trips, tolerant but safe imports."""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from importlib import resources

import pandas as pd
import pytest
import xmlschema
from qualtest_helpers import FIXTURES, fixture_qdpx, make_zip

from analysis.errors import InputError
from analysis.qual import cli_export_qdpx, cli_import_qdpx
from analysis.qual.pipeline import load_inputs
from analysis.qual.refi import (
    codebook_qdc,
    import_qdc,
    import_qdpx,
    qdpx_bytes,
    write_qdc,
    write_qdpx,
)
from analysis.qual.safe_io import ZipLimits


def _schema(name):
    folder = resources.files("analysis.resources") / "refi_qda"
    return xmlschema.XMLSchema((folder / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo():
    return load_inputs()


def test_exports_validate_against_the_schemas_and_are_byte_identical(tmp_path, demo):
    first = write_qdpx(tmp_path / "a.qdpx", demo.corpus, demo.codebook, demo.codings).path
    second = write_qdpx(tmp_path / "b.qdpx", demo.corpus, demo.codebook, demo.codings).path
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == qdpx_bytes(demo.corpus, demo.codebook, demo.codings)
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        assert names[0] == "project.qde"
        assert sum(n.startswith("Sources/") for n in names) == len(demo.corpus.sources)
        project = archive.read("project.qde").decode("utf-8")
        assert "\r" not in "".join(archive.read(n).decode("utf-8") for n in names[1:])
    _schema("Project-mrt2019.xsd").validate(project)
    qdc = write_qdc(tmp_path / "book.qdc", demo.codebook).path.read_text(encoding="utf-8")
    _schema("Codebook.xsd").validate(qdc)
    assert codebook_qdc(demo.codebook) == codebook_qdc(demo.codebook)


def test_round_trip_returns_the_same_sources_codes_and_codings(tmp_path, demo):
    path = tmp_path / "demo.qdpx"
    path.write_bytes(qdpx_bytes(demo.corpus, demo.codebook, demo.codings))
    result = import_qdpx(path)
    assert result.notes == ()
    left = demo.corpus.sources.set_index("source_id").sort_index()
    right = result.corpus.sources.set_index("source_id").sort_index()
    assert left["text"].equals(right["text"])
    for column in ("municipality_code", "role", "department", "period", "round", "source_type"):
        assert left[column].astype(str).equals(right[column].astype(str)), column
    pd.testing.assert_frame_equal(
        result.codebook.codes[["id", "parent", "colour"]],
        demo.codebook.codes[["id", "parent", "colour"]],
    )
    columns = ["source", "start", "end", "code", "coder", "memo"]
    expected = demo.codings[columns].sort_values(columns[:5]).reset_index(drop=True)
    got = result.codings[columns].sort_values(columns[:5]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert (
        result.corpus.segments["segment_id"].tolist() == demo.corpus.segments["segment_id"].tolist()
    )


def test_qdc_round_trip(tmp_path, demo):
    path = write_qdc(tmp_path / "book.qdc", demo.codebook).path
    again = import_qdc(path)
    assert again.ids == demo.codebook.ids
    assert dict(zip(again.codes["id"], again.codes["parent"], strict=True)) == dict(
        zip(demo.codebook.codes["id"], demo.codebook.codes["parent"], strict=True)
    )


EXPECTED = {
    "forberedelse": "ingen tid til forberedelse",
    "ledelse": "Lederne prioriterer",
    "oekonomi": "måltal og økonomi før borgernes behov",
}


@pytest.mark.parametrize(
    ("qde", "source", "note"),
    [
        ("crlf_chars.qde", "crlf_source.txt", "CRLF text normalised to LF"),
        ("utf8_bytes.qde", "utf8_source.txt", "counted in UTF-8 bytes"),
    ],
)
def test_import_repairs_crlf_and_byte_positions(tmp_path, qde, source, note):
    result = import_qdpx(fixture_qdpx(tmp_path, qde, source))
    text = result.corpus.text("interview-1")
    assert "\r" not in text
    coded = {row.code: text[row.start : row.end] for row in result.codings.itertuples()}
    assert coded == EXPECTED
    assert any(note in n for n in result.notes)
    # braces/upper-case GUIDs resolved, nested codes flattened, missing colour filled
    codes = result.codebook.codes.set_index("id")
    assert codes.loc["forberedelse", "parent"] == "tid"
    assert codes.loc["oekonomi", "colour"] == "#ff0000"  # 3-digit #F00 expanded
    assert isinstance(codes.loc["ledelse", "colour"], str)
    assert "1 code(s) have no colour and were given one from the default palette: 'Ledelse'" in (
        result.notes
    )
    assert set(result.codings["coder"]) == {"Coder_One"}
    source_row = result.corpus.sources.set_index("source_id").loc["interview-1"]
    assert (source_row["municipality_code"], source_row["role"]) == (101, "sagsbehandler")
    memo = result.codings.set_index("code").loc["ledelse", "memo"]
    assert memo == "leaders set the priorities"


def test_positions_that_fit_no_reading_are_refused(tmp_path):
    qde = (FIXTURES / "utf8_bytes.qde").read_text(encoding="utf-8")
    qde = qde.replace('endPosition="191"', 'endPosition="5000"')
    source = (FIXTURES / "utf8_source.txt").read_bytes()
    members = {
        "project.qde": qde.encode("utf-8"),
        "Sources/{0A000000-0000-4000-8000-000000000001}.txt": source,
    }
    path = make_zip(tmp_path / "broken.qdpx", members)
    with pytest.raises(InputError, match="neither as characters nor as UTF-8 bytes"):
        import_qdpx(path)


@pytest.mark.parametrize("name", ["xxe.qde", "billion_laughs.qde"])
def test_hostile_xml_is_refused(tmp_path, name):
    path = make_zip(tmp_path / "evil.qdpx", {"project.qde": (FIXTURES / name).read_bytes()})
    with pytest.raises(InputError, match="refused: the XML declares a DOCTYPE"):
        import_qdpx(path)
    qdc = tmp_path / "evil.qdc"
    qdc.write_bytes((FIXTURES / name).read_bytes())
    with pytest.raises(InputError, match="DOCTYPE"):
        import_qdc(qdc)


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("../../outside.txt", "climbs out of the archive"),
        ("Sources/../../outside.txt", "climbs out of the archive"),
        ("/etc/cron.d/evil", "absolute path"),
        ("C:/Windows/evil.txt", "absolute path"),
    ],
)
def test_hostile_zip_paths_are_refused_and_nothing_is_written(tmp_path, member, message):
    work = tmp_path / "work"
    work.mkdir()
    path = make_zip(work / "evil.qdpx", {"project.qde": b"<Project/>", member: b"x"})
    with pytest.raises(InputError, match=message):
        import_qdpx(path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["evil.qdpx", "work"]


def test_oversized_members_are_refused(tmp_path):
    path = make_zip(
        tmp_path / "big.qdpx", {"project.qde": b"<Project/>", "Sources/a.txt": b"a" * 5000}
    )
    with pytest.raises(InputError, match="member too large"):
        import_qdpx(path, limits=ZipLimits(member=1000))
    with pytest.raises(InputError, match="archive contents too large"):
        import_qdpx(path, limits=ZipLimits(member=10_000, total=3000))


def test_not_a_zip_is_a_clear_error(tmp_path):
    path = tmp_path / "plain.qdpx"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="not a zip archive"):
        import_qdpx(path)


def test_import_cli_prints_json_summary(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    cli_import_qdpx.configure(parser)
    path = fixture_qdpx(tmp_path, "crlf_chars.qde", "crlf_source.txt")
    args = parser.parse_args([str(path), "--summary", "--output", str(tmp_path / "out")])
    assert cli_import_qdpx.main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["sources"], summary["codes"], summary["codings"]) == (1, 4, 3)
    imported = load_inputs(tmp_path / "out", tmp_path / "out" / "codebook.yaml")
    assert len(imported.codings) == 3 and imported.coders == ["Coder_One"]


def test_export_cli_writes_qdpx_and_qdc(tmp_path, qual_paths, capsys):
    parser = argparse.ArgumentParser()
    cli_export_qdpx.configure(parser)
    args = parser.parse_args(
        [
            "--output",
            str(tmp_path / "x.qdpx"),
            "--qdc",
            str(tmp_path / "x.qdc"),
            "--privacy",
            "stop",
        ]
    )
    assert cli_export_qdpx.main(args) == 0
    from analysis.qual.pipeline import default_codings_files

    codings = sum(
        len(path.read_text(encoding="utf-8").splitlines()) - 1 for path in default_codings_files()
    )
    assert codings > 300, "both demo coders' codings are exported"
    assert f"23 sources, 18 codes, {codings} codings" in capsys.readouterr().out
    assert import_qdpx(tmp_path / "x.qdpx").summary()["codings"] == codings


def test_import_cli_with_output_prints_what_it_left_out(tmp_path, capsys):
    """Before, --output printed only "imported X into D" and dropped the notes --summary
    shows (here: a coding whose code is not in the codebook)."""
    from qualtest_helpers import FIXTURES, make_zip

    qde = (FIXTURES / "crlf_chars.qde").read_text(encoding="utf-8")
    qde = qde.replace(
        '<CodeRef targetGUID="{C1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF}"/>',
        '<CodeRef targetGUID="{99999999-E5F6-4711-8899-AABBCCDDEEFF}"/>',
    )
    path = make_zip(
        tmp_path / "unknown_code.qdpx",
        {
            "project.qde": qde.encode("utf-8"),
            "Sources/{0A000000-0000-4000-8000-000000000001}.txt": (
                FIXTURES / "crlf_source.txt"
            ).read_bytes(),
        },
    )
    parser = argparse.ArgumentParser()
    cli_import_qdpx.configure(parser)
    args = parser.parse_args([str(path), "--output", str(tmp_path / "out")])
    assert cli_import_qdpx.main(args) == 0
    printed = capsys.readouterr().out
    assert "1 sources, 4 codes, 2 codings" in printed
    assert "note: " in printed and "unknown code; skipped" in printed


# --- issue 14: REFI-QDA files from other tools ------------------------------------------


def _qde_root(data: bytes):
    from xml.etree import ElementTree as ET

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return ET.fromstring(archive.read("project.qde"))


NS = {"q": "urn:QDA-XML:project:1.0"}


def test_source_attributes_dates_and_creating_user_are_on_each_text_source(tiny_corpus):
    """Before, attributes were only on named Cases (QualCoder reads file attributes from
    the source's own VariableValue, and makes the variables of named Cases case
    attributes), and sources had no dates and no creating user."""
    from datetime import UTC, datetime

    from qualtest_helpers import TINY_CODEBOOK

    from analysis.qual.codebook import parse_codebook

    book = parse_codebook(TINY_CODEBOOK, "tiny.yaml")
    codings = pd.DataFrame(columns=["source", "start", "end", "code", "coder", "memo"])
    data = qdpx_bytes(tiny_corpus, book, codings)
    assert data == qdpx_bytes(tiny_corpus, book, codings)
    root = _qde_root(data)
    _schema("Project-mrt2019.xsd").validate(
        zipfile.ZipFile(io.BytesIO(data)).read("project.qde").decode("utf-8")
    )
    variables = {v.get("guid"): v.get("name") for v in root.iterfind(".//q:Variable", NS)}
    users = {u.get("guid") for u in root.iterfind(".//q:User", NS)}
    expected = tiny_corpus.sources.set_index("source_id")
    for source in root.iterfind(".//q:TextSource", NS):
        values = {
            variables[v.find("q:VariableRef", NS).get("targetGUID")]: v[1].text
            for v in source.iterfind("q:VariableValue", NS)
        }
        row = expected.loc[source.get("name")]
        assert values["role"] == row["role"] and values["municipality_code"] == str(
            row["municipality_code"]
        )
        assert "period" not in values or isinstance(row["period"], str)
        assert source.get("creatingUser") in users
        assert source.get("creationDateTime") == "1980-01-01T00:00:00Z"
        assert source.get("modifiedDateTime") == "1980-01-01T00:00:00Z"
    for case in root.iterfind(".//q:Case", NS):
        assert case.find("q:VariableValue", NS) is None, "named cases would hide file attributes"
    # an export date given, and a source's own date attribute
    dated = tiny_corpus.sources.assign(date=["2018-03-05", None, "2019-11-20T10:30:00"])
    from analysis.qual.corpus import make_corpus

    corpus = make_corpus(dated, tiny_corpus.segments[["segment_id", "source_id", "start", "end"]])
    root = _qde_root(qdpx_bytes(corpus, book, codings, exported=datetime(2026, 8, 22, tzinfo=UTC)))
    dates = {s.get("name"): s.get("creationDateTime") for s in root.iterfind(".//q:TextSource", NS)}
    assert dates == {
        "a": "2018-03-05T00:00:00Z",
        "b": "2026-08-22T00:00:00Z",
        "c": "2019-11-20T10:30:00Z",
    }
    assert root.get("creationDateTime") == "2026-08-22T00:00:00Z"


def test_the_real_codebook_survives_export_and_import(tmp_path, demo):
    """Before, code names were the ids, and the English label and definition, include,
    exclude, example and patterns were lost on the way out."""
    from analysis.qual.codebook import codebook_yaml, load_codebook, write_codebook

    original = load_codebook(demo.codebook.file)
    qdc = write_qdc(tmp_path / "book.qdc", original).path
    qdpx = write_qdpx(tmp_path / "p.qdpx", demo.corpus, original, demo.codings).path
    for again in (import_qdc(qdc), import_qdpx(qdpx).codebook):
        assert again.version == original.version
        pd.testing.assert_frame_equal(again.codes, original.codes)
        assert codebook_yaml(again) == codebook_yaml(original)
        written = write_codebook(again, tmp_path / "codebook.yaml")
        assert written.read_text(encoding="utf-8") == codebook_yaml(original)
        pd.testing.assert_frame_equal(load_codebook(written).codes, original.codes)
    text = qdc.read_text(encoding="utf-8")
    assert 'name="Økonomi og ressourcer"' in text and 'name="oekonomi_styring"' not in text
    assert "id: oekonomi_styring" in text and "label.en: " in text and "patterns: " in text


def test_a_plain_description_from_another_tool_imports_as_the_definition(tmp_path):
    result = import_qdpx(fixture_qdpx(tmp_path, "crlf_chars.qde", "crlf_source.txt"))
    codes = result.codebook.codes.set_index("id")
    assert codes.loc["tid", "label_da"] == "Tid"
    assert codes.loc["tid", "definition_da"] == "Tid til den enkelte borger."
    assert codes.loc[["tid", "oekonomi"], "label_en"].isna().all()


def _nvivo(tmp_path):
    return make_zip(
        tmp_path / "nvivo.qdpx",
        {
            "project.qde": (FIXTURES / "nvivo_mixed_sources.qde").read_bytes(),
            "Sources/{9A000000-0000-4000-8000-0000000000B1}.txt": (
                FIXTURES / "nvivo_interview.txt"
            ).read_bytes(),
            "Sources/{9A000000-0000-4000-8000-0000000000B2}.pdf": b"%PDF-1.4 not read",
            "Sources/{9A000000-0000-4000-8000-0000000000B3}.txt": (
                FIXTURES / "nvivo_report.txt"
            ).read_bytes(),
        },
    )


def test_a_pdf_with_a_text_representation_is_imported_and_skipped_media_are_named(tmp_path):
    """Before, the PDF, the picture, the audio and the video and their codings vanished
    without a note."""
    result = import_qdpx(_nvivo(tmp_path))
    sources = result.corpus.sources.set_index("source_id")
    assert sorted(sources.index) == ["Evalueringsrapport.pdf", "interview-birgit"]
    report = sources.loc["Evalueringsrapport.pdf"]
    assert report["text"] == (FIXTURES / "nvivo_report.txt").read_text(encoding="utf-8")
    assert (report["name"], report["source_type"]) == ("Rapporten fra 2018", "dokument")
    coded = {
        (c.source, result.corpus.text(c.source)[c.start : c.end])
        for c in result.codings.itertuples()
    }
    assert coded == {
        ("Evalueringsrapport.pdf", "hyppigere samtaler"),
        ("Evalueringsrapport.pdf", "Flere kom i job eller uddannelse"),
        ("interview-birgit", "tid til at ringe til borgerne"),
    }
    notes = "\n".join(result.notes)
    assert (
        "'Evalueringsrapport.pdf': PDF imported as its text representation; "
        "1 coding of regions on its pages skipped" in notes
    )
    assert (
        "3 non-text source(s) skipped with the 3 coding(s) on them (only text, and PDFs "
        "with a text representation, can be imported): 'Venteværelse.jpg' (picture, "
        "2 codings), 'Fokusgruppe.m4a' (audio, 1 coding), 'Workshop.mp4' (video, "
        "0 codings)" in notes
    )


def _qc(tmp_path, path="board_2017.txt", member="sources/board_2017.txt"):
    qde = (FIXTURES / "qc_bare_path.qde").read_text(encoding="utf-8")
    qde = qde.replace('plainTextPath="board_2017.txt"', f'plainTextPath="{path}"')
    return make_zip(
        tmp_path / "qc.qdpx",
        {"project.qde": qde.encode("utf-8"), member: (FIXTURES / "board_2017.txt").read_bytes()},
    )


@pytest.mark.parametrize(
    ("path", "member"),
    [
        ("board_2017.txt", "sources/board_2017.txt"),
        ("board_2017.txt", "board_2017.txt"),
        ("sources/board_2017.txt", "sources/board_2017.txt"),
        ("Sources\\board_2017.txt", "Sources/board_2017.txt"),
    ],
)
def test_a_bare_plain_text_path_is_found_inside_the_archive(tmp_path, path, member):
    """Before: "source 'board_2017' refers to a file outside the archive"."""
    result = import_qdpx(_qc(tmp_path, path, member))
    text = result.corpus.text("board_2017")
    assert [text[c.start : c.end] for c in result.codings.itertuples()] == [
        "fire nye sagsbehandlere",
        "Sagsstammen er faldet fra 200 til 130 sager",
        "følge op på rettidigheden",
    ]
    assert result.corpus.sources["source_type"][0] == "dokument"


@pytest.mark.parametrize(
    "path",
    [
        "../board_2017.txt",
        "sources/../../board_2017.txt",
        "/home/anna/board_2017.txt",
        "C:\\Users\\anna\\board_2017.txt",
        "relative:///board_2017.txt",
        "absolute:///home/anna/board_2017.txt",
        "file:///etc/passwd",
    ],
)
def test_a_plain_text_path_outside_the_archive_is_refused_naming_it(tmp_path, path):
    with pytest.raises(InputError) as info:
        import_qdpx(_qc(tmp_path, path))
    message = str(info.value)
    assert "source 'board_2017' refers to a file outside the archive" in message
    assert repr(path) in message


def test_a_missing_source_file_names_the_path(tmp_path):
    with pytest.raises(InputError, match=r"'board_2017\.txt'"):
        import_qdpx(_qc(tmp_path, member="other/notes.txt"))


def _atlas(tmp_path):
    return make_zip(
        tmp_path / "atlas.qdpx",
        {"project.qde": (FIXTURES / "atlas_codebook_only.qde").read_bytes()},
    )


def test_a_project_with_codes_and_no_sources_imports_the_codes(tmp_path, capsys):
    """Before: "the project has no text sources", exit 1, even with --summary."""
    result = import_qdpx(_atlas(tmp_path))
    assert result.codebook.ids == ["styring", "maaltal", "relation"]
    assert result.corpus.sources.empty and result.codings.empty
    parser = argparse.ArgumentParser()
    cli_import_qdpx.configure(parser)
    assert cli_import_qdpx.main(parser.parse_args([str(_atlas(tmp_path)), "--summary"])) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["sources"], summary["codes"], summary["codings"]) == (0, 3, 0)
    assert summary["origin"] == "ATLAS.ti 23.2.1"
    out = tmp_path / "out"
    assert (
        cli_import_qdpx.main(parser.parse_args([str(_atlas(tmp_path)), "--output", str(out)])) == 0
    )
    printed = capsys.readouterr().out
    assert "the project has no sources: wrote only the codebook" in printed
    # and the list of what the import wrote (issue 19: a new import replaces exactly that)
    assert sorted(p.name for p in out.iterdir()) == [".qdpx-import.json", "codebook.yaml"]
    from analysis.qual.codebook import load_codebook

    assert load_codebook(out / "codebook.yaml").ids == result.codebook.ids


def test_codes_without_a_colour_give_one_note_and_sets_are_named(tmp_path):
    """Before: one note per code without a colour (262 lines for NVivo), sets dropped
    without a note."""
    notes = import_qdpx(_nvivo(tmp_path)).notes
    colour = [n for n in notes if "colour" in n]
    assert colour == [
        "3 code(s) have no colour and were given one from the default palette: "
        "'Samtaler', 'Resultater', 'Tid'"
    ]
    assert (
        "1 set(s) not imported (the project has no place for sets): 'Runde 1' (2 sources)" in notes
    )
    assert "1 project note(s) (memos) not imported" in notes
    atlas = import_qdpx(_atlas(tmp_path)).notes
    assert (
        "1 set(s) not imported (the project has no place for sets): 'Kodegruppe: Ledelse' (2 codes)"
        in atlas
    )


def test_the_qdc_summary_has_the_keys_of_the_project_summary(tmp_path, capsys):
    """Before, the .qdc summary lacked 'coders', 'origin' and 'notes'."""
    parser = argparse.ArgumentParser()
    cli_import_qdpx.configure(parser)
    path = FIXTURES / "maxqda_codebook.qdc"
    assert cli_import_qdpx.main(parser.parse_args([str(path), "--summary"])) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "sources": 0,
        "codes": 3,
        "codings": 0,
        "coders": [],
        "origin": "MAXQDA 24 (Release 24.4.0)",
        "notes": [
            "1 code(s) have no colour and were given one from the default palette: 'Ledelse'",
            "1 set(s) not imported (the project has no place for sets): 'Tema A' (1 code)",
        ],
    }


def test_descriptions_come_back_as_written_and_none_is_invented(tmp_path):
    """Before, a code without a description got its name as definition (and exported it
    as a description), and descriptions lost their trailing spaces and line breaks."""
    from xml.etree import ElementTree as ET

    from analysis.qual.codebook import load_codebook, write_codebook

    book = import_qdc(FIXTURES / "maxqda_codebook.qdc")
    codes = book.codes.set_index("id")
    assert codes.loc["tid", "definition_da"] == (
        "Tid til den enkelte borger.\n\nOgså tid til forberedelse.  \n"
    )
    assert pd.isna(codes.loc["forberedelse", "definition_da"])
    again = load_codebook(write_codebook(book, tmp_path / "codebook.yaml"))
    pd.testing.assert_frame_equal(again.codes, book.codes)
    written = ET.fromstring(codebook_qdc(again))
    ns = {"c": "urn:QDA-XML:codebook:1.0"}
    original = ET.parse(FIXTURES / "maxqda_codebook.qdc").getroot()
    for code in original.iter("{urn:QDA-XML:codebook:1.0}Code"):
        exported = next(c for c in written.iter("{urn:QDA-XML:codebook:1.0}Code")
                        if c.get("name") == code.get("name"))  # fmt: skip
        before, after = code.find("c:Description", ns), exported.find("c:Description", ns)
        assert (before is None) == (after is None), code.get("name")
        if before is not None:
            assert after.text == before.text


def test_export_cli_date_option(tmp_path, qual_paths, capsys):
    parser = argparse.ArgumentParser()
    cli_export_qdpx.configure(parser)
    out = tmp_path / "dated.qdpx"
    args = parser.parse_args(["--output", str(out), "--date", "2026-08-22", "--privacy", "stop"])
    assert cli_export_qdpx.main(args) == 0
    root = _qde_root(out.read_bytes())
    assert root.get("creationDateTime") == "2026-08-22T00:00:00Z"
    assert {s.get("creationDateTime") for s in root.iterfind(".//q:TextSource", NS)} == {
        "2026-08-22T00:00:00Z"
    }
    with pytest.raises(SystemExit):
        parser.parse_args(["--date", "22.08.2026"])
    assert "'22.08.2026' is not a date: give YYYY-MM-DD" in capsys.readouterr().err
