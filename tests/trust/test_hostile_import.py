"""``import-qdpx`` tried as a hostile user and as a careful researcher would (issue 19,
sections 5 and 6): duplicate code GUIDs, re-importing into a folder that holds an earlier
import, hand edits, ``data/raw``, a 300-character source name."""

from __future__ import annotations

import errno
import json
import os
import zipfile
from pathlib import Path

import pytest

from analysis import cli
from analysis.errors import InputError
from analysis.qual.pipeline import load_inputs
from analysis.qual.refi import import_qdpx

MANIFEST = ".qdpx-import.json"  # analysis.qual.import_output.MANIFEST
MAX_SOURCE_ID = 80  # analysis.qual.refi.MAX_SOURCE_ID

NS = "urn:QDA-XML:project:1.0"
CODE_A = "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF"
CODE_B = "B1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF"
USER = "6F1C2B3A-0D4E-4F5A-8B6C-7D8E9F0A1B2C"


def qdpx(path: Path, sources: dict[str, str], *, code_b_guid: str = CODE_B) -> Path:
    """A small REFI-QDA project: two codes, and per source (name -> text) one coding of
    code A on its first word and one of code B on its second."""
    elements, members = [], {}
    for number, (name, text) in enumerate(sources.items(), start=1):
        guid = f"0A000000-0000-4000-8000-{number:012d}"
        first = text.index(" ")
        second = text.index(" ", first + 1)
        selections = "".join(
            f'<PlainTextSelection guid="1A000000-0000-4000-8000-{number:06d}{k:06d}" '
            f'startPosition="{start}" endPosition="{end}" creatingUser="{USER}">'
            f'<Coding guid="2A000000-0000-4000-8000-{number:06d}{k:06d}" creatingUser="{USER}">'
            f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
            for k, (start, end, code) in enumerate(
                [(0, first, CODE_A), (first + 1, second, code_b_guid)], start=1
            )
        )
        elements.append(
            f'<TextSource guid="{guid}" name="{name}" plainTextPath="internal://{guid}.txt">'
            f"{selections}</TextSource>"
        )
        members[f"Sources/{guid}.txt"] = text.encode("utf-8")
    project = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="t">'
        f'<Users><User guid="{USER}" name="Coder One"/></Users>'
        f'<CodeBook><Codes><Code guid="{CODE_A}" name="Tid" isCodable="true" color="#e6ab02"/>'
        f'<Code guid="{code_b_guid}" name="Ledelse" isCodable="true" color="#e31a1c"/>'
        f"</Codes></CodeBook><Sources>{''.join(elements)}</Sources></Project>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project.encode("utf-8"))
        for name, data in members.items():
            archive.writestr(name, data)
    return path


TWO = {"Interview 1": "Vi har ingen tid til borgerne.", "Interview 2": "Lederne styrer alt her."}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["import-qdpx", *map(str, args)])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- duplicate code GUIDs ---------------------------------------------------------------


@pytest.mark.parametrize("spelling", [CODE_A, "{" + CODE_A.lower() + "}"])
def test_two_codes_with_one_guid_are_refused_naming_both(tmp_path, spelling):
    """Before: the second code's GUID replaced the first's, so every coding of 'Tid' was
    read as a coding of 'Ledelse', without a word."""
    path = qdpx(tmp_path / "dup.qdpx", TWO, code_b_guid=spelling)
    with pytest.raises(InputError) as caught:
        import_qdpx(path)
    text = str(caught.value)
    assert str(path) in text
    assert f"two codes have the GUID {spelling}: 'Tid' and 'Ledelse'" in text


def test_distinct_guids_import_both_codes(tmp_path):
    result = import_qdpx(qdpx(tmp_path / "ok.qdpx", TWO))
    assert sorted(result.codings["code"].value_counts().to_dict().items()) == [
        ("ledelse", 2),
        ("tid", 2),
    ]


# --- a source name of 300 characters ----------------------------------------------------


def test_a_300_character_source_name_is_imported_with_a_short_id(tmp_path, capsys):
    """Before: OSError "File name too long" for sources/<id>.txt, as a traceback."""
    name = "Interview " + "meget lang titel " * 17 + "slut"
    assert len(name) >= 300
    path = qdpx(tmp_path / "long.qdpx", {name: "Vi har ingen tid.", "Kort": "Ja det er rigtigt."})
    out = tmp_path / "out"
    code, _, err = run(capsys, path, "--output", out)
    assert code == 0, err
    imported = load_inputs(out, out / "codebook.yaml")
    ids = list(imported.corpus.sources["source_id"])
    assert all(len(i) <= MAX_SOURCE_ID for i in ids)
    long_id = next(i for i in ids if i.startswith("interview-meget-lang"))
    row = imported.corpus.sources.set_index("source_id").loc[long_id]
    assert row["name"] == name, "the full name is kept"
    assert len(imported.codings) == 4


# --- importing again into the same folder -------------------------------------------------


def test_a_new_import_replaces_the_earlier_one_as_a_whole(tmp_path, capsys):
    """Before: a source withdrawn in the newer file came back from the old import."""
    out = tmp_path / "imported"
    first = qdpx(tmp_path / "v1.qdpx", TWO)
    assert run(capsys, first, "--output", out)[0] == 0
    assert len(load_inputs(out, out / "codebook.yaml").corpus.sources) == 2
    second = qdpx(tmp_path / "v2.qdpx", {"Interview 1": TWO["Interview 1"]})
    code, printed, _ = run(capsys, second, "--output", out)
    assert code == 0
    assert f"replaced the earlier import in {out} as a whole" in printed
    assert "removed 1 file(s) of the earlier import" in printed and "interview-2.txt" in printed
    imported = load_inputs(out, out / "codebook.yaml")
    assert list(imported.corpus.sources["source_id"]) == ["interview-1"]
    assert set(imported.codings["source"]) == {"interview-1"}
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert str(second) == manifest["imported_from"]
    assert sorted(manifest["files"]) == sorted(
        ["codebook.yaml", "codings_imported.csv", "sources.csv", "sources/interview-1.txt"]
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".imported.")]


def test_a_hand_edited_codebook_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "imported"
    assert run(capsys, qdpx(tmp_path / "v1.qdpx", TWO), "--output", out)[0] == 0
    book = out / "codebook.yaml"
    book.write_text(book.read_text(encoding="utf-8") + "# my notes on the codes\n", "utf-8")
    before = tree(out)
    code, _, err = run(capsys, qdpx(tmp_path / "v2.qdpx", TWO), "--output", out)
    assert code == 1
    assert f"error: {out} holds 1 file(s) changed since the import wrote them: codebook.yaml" in (
        err
    )
    assert "--overwrite" in err
    assert tree(out) == before, "nothing written"
    code, _, err = run(capsys, qdpx(tmp_path / "v2.qdpx", TWO), "--output", out, "--overwrite")
    assert code == 0, err
    assert "# my notes" not in book.read_text(encoding="utf-8")


def test_data_raw_is_never_written_over_without_the_option(isolated_paths, tmp_path, capsys):
    raw = isolated_paths.raw
    (raw / "codebook.yaml").write_text("version: '1'\ncodes: []\n", encoding="utf-8")
    before = tree(raw)
    path = qdpx(tmp_path / "v1.qdpx", TWO)
    code, _, err = run(capsys, path, "--output", raw)
    assert code == 1
    assert f"error: {raw} holds" in err and "(the project's own inputs in data/raw)" in err
    assert "codebook.yaml" in err.split(":", 2)[2][:200], "the clash is named first"
    assert tree(raw) == before
    code, _, err = run(capsys, path, "--output", raw, "--overwrite")
    assert code == 0, err
    after = tree(raw)
    assert after["codebook.yaml"] != before["codebook.yaml"]
    assert {k: v for k, v in after.items() if k in before and k != "codebook.yaml"} == {
        k: v for k, v in before.items() if k != "codebook.yaml"
    }, "the other files of data/raw are kept as they were"


def test_a_folder_of_other_files_is_refused_and_kept(tmp_path, capsys):
    out = tmp_path / "thesis"
    (out / "sources").mkdir(parents=True)
    (out / "sources" / "interview-1.txt").write_text("my own transcript", encoding="utf-8")
    (out / "notes.md").write_text("notes", encoding="utf-8")
    before = tree(out)
    code, _, err = run(capsys, qdpx(tmp_path / "v1.qdpx", TWO), "--output", out)
    assert code == 1
    assert "holds 2 file(s) that no import wrote: sources/interview-1.txt, notes.md" in err
    assert tree(out) == before


def test_a_failed_import_leaves_the_earlier_one_as_it_was(tmp_path, capsys, monkeypatch):
    out = tmp_path / "imported"
    assert run(capsys, qdpx(tmp_path / "v1.qdpx", TWO), "--output", out)[0] == 0
    before = tree(out)
    from analysis.qual import cli_import_qdpx

    def full_disk(codebook, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(cli_import_qdpx, "write_codebook", full_disk)
    code, _, err = run(capsys, qdpx(tmp_path / "v2.qdpx", {"X": "Nye ord her."}), "--output", out)
    assert code == 1
    assert "No space left on device" in err and "codebook.yaml" in err
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imported", "v1.qdpx", "v2.qdpx"]


def test_output_naming_a_file_is_an_error(tmp_path, capsys):
    target = tmp_path / "codebook.yaml"
    target.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, qdpx(tmp_path / "v1.qdpx", TWO), "--output", target)
    assert code == 1 and f"--output {target} is a file, not a folder" in err
    assert target.read_text(encoding="utf-8") == "x"
