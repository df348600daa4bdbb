"""Trust III, section 1: personal data is normalised and masked at the door.

Whatever the corpus is read from (a folder of .txt/.docx files, a quote table as CSV or
XLSX, a .qdpx import), its texts, source attributes, memos and ids reach the analyses
normalised (NFKC, no invisible characters, one hyphen for every dash) and pseudonymised,
with every coding still on the words it coded. The files in data/raw are not changed.
"""

from __future__ import annotations

import argparse
import hashlib
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.privacy import PersonalDataError, PrivacyPolicy, find_personal_data
from analysis.qual.corpus import load_corpus, load_docx_source, make_corpus, write_quote_table
from analysis.qual.privacy_gate import pass_gate

NAMES = ("Jakob Jensen",)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- Word: tracked changes ------------------------------------------------------------------


def _docx_with_tracked_changes(path: Path) -> Path:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    paragraph = document.add_paragraph("Borgeren ")
    paragraph._p.append(
        parse_xml(
            f'<w:ins xmlns:w="{W}" w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z">'
            "<w:r><w:t>fik en plan efter tre samtaler</w:t></w:r></w:ins>"
        )
    )
    paragraph._p.append(
        parse_xml(
            f'<w:del xmlns:w="{W}" w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z">'
            "<w:r><w:delText> fik ingen plan</w:delText></w:r></w:del>"
        )
    )
    moved = document.add_paragraph("Det ")
    moved._p.append(
        parse_xml(
            f'<w:moveFrom xmlns:w="{W}" w:id="3" w:author="a" w:date="2024-01-01T00:00:00Z">'
            '<w:r><w:t xml:space="preserve">gamle sted </w:t></w:r></w:moveFrom>'
        )
    )
    moved._p.append(
        parse_xml(
            f'<w:moveTo xmlns:w="{W}" w:id="4" w:author="a" w:date="2024-01-01T00:00:00Z">'
            "<w:r><w:t>nye sted</w:t></w:r></w:moveTo>"
        )
    )
    cell = document.add_table(rows=1, cols=1).rows[0].cells[0]
    cell.paragraphs[0].add_run("Lederen ")
    cell.paragraphs[0]._p.append(
        parse_xml(
            f'<w:ins xmlns:w="{W}" w:id="5" w:author="a" w:date="2024-01-01T00:00:00Z">'
            "<w:r><w:t>sagde ja</w:t></w:r></w:ins>"
        )
    )
    document.save(path)
    return path


def test_docx_tracked_insertions_are_read_and_deletions_are_not(tmp_path):
    path = _docx_with_tracked_changes(tmp_path / "interview.docx")
    corpus = load_docx_source(path)
    assert corpus.segments["text"].tolist() == [
        "Borgeren fik en plan efter tre samtaler",
        "Det nye sted",
        "Lederen sagde ja",
    ]


# --- normalising keeps the codings on their words -------------------------------------------

RAW = (
    "Borgeren fik en plan efter tre sam\u00adtaler \u2013 \ufb01nt.\n\n"
    "Hans CPR er \uff10\uff11\uff10\uff12\uff10\uff13\uff0d\uff11\uff12\uff13\uff14, "
    "sagde Ja\u200bkob Jensen, og det gik godt."
)


def _coding(text: str, words: str, code: str = "sagsstamme") -> dict:
    start = text.index(words)
    return {"source": "p", "start": start, "end": start + len(words), "code": code,
            "coder": "x", "memo": "Ja\u00adkob Jensen sagde det"}  # fmt: skip


def _one_source(text: str, **attributes) -> tuple:
    corpus = make_corpus(
        pd.DataFrame([{"source_id": "p", "text": text, **attributes}]),
        pd.DataFrame([{"segment_id": "p-001", "source_id": "p", "start": 0, "end": len(text)}]),
    )
    codings = pd.DataFrame(
        [
            _coding(text, w)
            for w in ("tre sam\u00adtaler", "\ufb01nt", "Ja\u200bkob Jensen", "og det gik godt")
        ]
    )
    return corpus, codings


def test_the_door_normalises_and_every_coding_stays_on_its_words():
    corpus, codings = _one_source(RAW, position="sagsbehandler, tlf. 12 34-56 78")
    gate = pass_gate(corpus, codings, PrivacyPolicy(names=NAMES))
    text = gate.corpus.text("p")
    assert text == (
        "Borgeren fik en plan efter tre samtaler - fint.\n\n"
        "Hans CPR er [CPR], sagde [NAVN A], og det gik godt."
    )
    coded = [text[r.start : r.end] for r in gate.codings.itertuples()]
    assert coded == ["tre samtaler", "fint", "[NAVN A]", "og det gik godt"]
    assert gate.codings["memo"].tolist() == ["[NAVN A] sagde det"] * 4
    assert gate.corpus.sources["position"].item() == "sagsbehandler, tlf. [TELEFON]"
    assert gate.corpus.segments["text"].item() == text


def test_allow_still_normalises_but_masks_nothing():
    corpus, codings = _one_source(RAW)
    gate = pass_gate(corpus, codings, PrivacyPolicy(mode="allow", names=NAMES))
    text = gate.corpus.text("p")
    assert "01020" + "3-1234" in text and "Jakob Jensen" in text and "\u00ad" not in text
    coded = [text[r.start : r.end] for r in gate.codings.itertuples()]
    assert coded == ["tre samtaler", "fint", "Jakob Jensen", "og det gik godt"]


# --- ids made from file names ---------------------------------------------------------------


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "interviews"
    (folder / "sources").mkdir(parents=True)
    (folder / "sources" / "Interview Jakob Jensen.txt").write_text(
        "Vi fik mere tid med lavere sagsstamme.\n\nLederen lyttede.", encoding="utf-8"
    )
    (folder / "sources" / "borger-010203-1234.txt").write_text(
        "Jeg fik en plan efter tre samtaler.", encoding="utf-8"
    )
    (folder / "sources.csv").write_text(
        "source_id,municipality_code,role,department,period,source_type\n"
        "interview-jakob-jensen,101,sagsbehandler,forsoeg,under,interview\n"
        "borger-010203-1234,101,borger,forsoeg,under,interview\n",
        encoding="utf-8",
    )
    pd.DataFrame(
        [
            {"source": "interview-jakob-jensen", "start": 0, "end": 20, "code": "sagsstamme",
             "coder": "x", "memo": ""},
            {"source": "borger-010203-1234", "start": 0, "end": 10, "code": "sagsstamme",
             "coder": "x", "memo": ""},
        ]
    ).to_csv(folder / "codings_x.csv", index=False)  # fmt: skip
    return folder


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_ids_made_from_file_names_are_pseudonymous(tmp_path, qual_paths):
    from analysis.qual.pipeline import load_gated_inputs

    folder = _folder(tmp_path)
    before = _digests(folder)
    names = tmp_path / "names.txt"
    names.write_text("Jakob Jensen\n", encoding="utf-8")
    gated = load_gated_inputs(folder, privacy_names_path=names)
    ids = gated.inputs.corpus.sources["source_id"].tolist()
    assert ids == ["borger-cpr", "interview-navn-a"]
    assert gated.inputs.corpus.sources["name"].tolist() == ids
    assert set(gated.inputs.codings["source"]) == set(ids)
    assert set(gated.inputs.corpus.segments["segment_id"]) == {
        "borger-cpr-001", "interview-navn-a-001", "interview-navn-a-002"}  # fmt: skip
    assert _digests(folder) == before, "the originals are not touched"


def test_export_qdpx_of_a_folder_corpus_has_no_name_from_a_file_name(tmp_path, qual_paths):
    from analysis.qual import cli_export_qdpx

    folder = _folder(tmp_path)
    names = tmp_path / "names.txt"
    names.write_text("Jakob Jensen\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    cli_export_qdpx.configure(parser)
    out = tmp_path / "out.qdpx"
    args = parser.parse_args(["--corpus", str(folder), "--names", str(names),
                              "--codings", str(folder / "codings_x.csv"),
                              "--output", str(out)])  # fmt: skip
    assert cli_export_qdpx.main(args) == 0
    with zipfile.ZipFile(out) as archive:
        everything = "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    assert "jakob" not in everything.casefold() and "010203" not in everything
    assert 'name="interview-navn-a"' in everything


def test_stop_names_an_id_that_holds_personal_data(tmp_path, qual_paths):
    from analysis.qual.pipeline import load_gated_inputs

    folder = _folder(tmp_path)
    names = tmp_path / "names.txt"
    names.write_text("Jakob Jensen\n", encoding="utf-8")
    with pytest.raises(PersonalDataError, match="source id 'interview-jakob-jensen': name"):
        load_gated_inputs(folder, privacy="stop", privacy_names_path=names)


def test_two_sources_of_one_pseudonym_stay_apart():
    corpus = make_corpus(
        pd.DataFrame([{"source_id": "borger-010203-1234", "text": "a"},
                      {"source_id": "borger-020304-5678", "text": "b"}]),
        pd.DataFrame([{"segment_id": "s1", "source_id": "borger-010203-1234", "start": 0,
                       "end": 1},
                      {"segment_id": "s2", "source_id": "borger-020304-5678", "start": 0,
                       "end": 1}]),
    )  # fmt: skip
    codings = pd.DataFrame(columns=["source", "start", "end", "code", "coder", "memo"])
    gate = pass_gate(corpus, codings, PrivacyPolicy())
    assert gate.corpus.sources["source_id"].tolist() == ["borger-cpr", "borger-cpr-2"]
    assert gate.corpus.text("borger-cpr") == "a"


# --- quote tables (CSV, XLSX) and .qdpx ------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_quote_table_reaches_the_analyses_normalised_and_masked(tmp_path, qual_paths, suffix):
    from analysis.qual.pipeline import load_gated_inputs

    quote = RAW.replace("\n\n", " ")
    corpus = make_corpus(
        pd.DataFrame([{"source_id": "jakob_jensen", "text": quote, "municipality_code": 101,
                       "name": "Samtale med Ja\u00adkob Jensen",
                       "position": "cpr.nr. 01/02/03-1234"}]),
        pd.DataFrame([{"segment_id": "jakob_jensen-001", "source_id": "jakob_jensen",
                       "start": 0, "end": len(quote)}]),
    )  # fmt: skip
    path = write_quote_table(corpus, tmp_path / f"quotes{suffix}")
    names = tmp_path / "names.txt"
    names.write_text("Jakob Jensen\n", encoding="utf-8")
    gated = load_gated_inputs(path, privacy_names_path=names).inputs.corpus
    shown = " ".join(
        str(v) for v in [*gated.sources.to_numpy().ravel(), *gated.segments.to_numpy().ravel()]
    )
    assert find_personal_data(shown, NAMES) == []
    assert "\u00ad" not in shown and "\u200b" not in shown and "\uff10" not in shown
    assert gated.sources["source_id"].tolist() == ["navn-a"]
    assert gated.sources["name"].item() == "Samtale med [NAVN A]"
    assert gated.sources["position"].item() == "cpr.nr. [CPR]"


def test_a_qdpx_import_reaches_the_analyses_pseudonymised(tmp_path, qual_paths, tiny_codebook):
    from analysis.qual.refi import import_qdpx, qdpx_bytes

    corpus, codings = _one_source(RAW)
    corpus = make_corpus(
        corpus.sources.drop(columns=["content_hash"]).assign(source_id="jakob-jensen"),
        corpus.segments.drop(columns=["text"]).assign(source_id="jakob-jensen",
                                                     segment_id="jakob-jensen-001"),
    )  # fmt: skip
    codings = codings.assign(source="jakob-jensen", code="sagsstamme")
    (tmp_path / "in.qdpx").write_bytes(qdpx_bytes(corpus, tiny_codebook, codings))
    imported = import_qdpx(tmp_path / "in.qdpx")
    assert "Ja\u200bkob" in imported.corpus.text("jakob-jensen"), "the import reads it as is"
    gate = pass_gate(imported.corpus, imported.codings, PrivacyPolicy(names=NAMES))
    assert gate.corpus.sources["source_id"].tolist() == ["navn-a"]
    text = gate.corpus.text("navn-a")
    assert find_personal_data(text, NAMES) == [] and "[NAVN A]" in text
    assert [text[r.start : r.end] for r in gate.codings.itertuples()] == [
        "tre samtaler", "fint", "[NAVN A]", "og det gik godt"]  # fmt: skip


def test_the_demo_corpus_passes_the_door_unchanged_but_for_its_dashes():
    corpus = load_corpus()
    codings = pd.DataFrame(columns=["source", "start", "end", "code", "coder", "memo"])
    gate = pass_gate(corpus, codings, PrivacyPolicy(names=("Jakob Jensen", "Søren Sønderby")))
    assert gate.changed == 0
    assert gate.corpus.sources["source_id"].tolist() == corpus.sources["source_id"].tolist()
    before = " ".join(corpus.texts().values()).replace("\u2013", "-")
    assert " ".join(gate.corpus.texts().values()) == before
