"""REFI-QDA: schema-valid deterministic exports, round trips, tolerant but safe imports."""

from __future__ import annotations

import argparse
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
    assert any("'Ledelse' has no colour" in n for n in result.notes)
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
    assert f"21 sources, 18 codes, {codings} codings" in capsys.readouterr().out
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
