"""The personal-data gate before exports: pseudonymise (offsets follow), stop, allow."""

from __future__ import annotations

import argparse
import zipfile

import pandas as pd
import pytest
from qualtest_helpers import tiny_corpus_from

from analysis.privacy import PersonalDataError, PrivacyPolicy
from analysis.qual import cli_export_qdpx
from analysis.qual.codebook import codebook_yaml
from analysis.qual.corpus import write_quote_table
from analysis.qual.privacy_gate import pass_gate
from analysis.qual.refi import import_qdpx

QUOTE = "Jeg ringede til Hanne Hansen (CPR 010203-1234), og så fik jeg endelig hjælp."
AFTER = "og så fik jeg endelig hjælp"


@pytest.fixture
def personal():
    corpus = tiny_corpus_from({"p": [QUOTE, "Ingen navne her."]})
    start = QUOTE.index(AFTER)
    codings = pd.DataFrame(
        [
            {
                "source": "p",
                "start": start,
                "end": start + len(AFTER),
                "code": "sagsstamme",
                "coder": "x",
                "memo": "Hanne Hansen sagde det",
            },
            {
                "source": "p",
                "start": QUOTE.index("Hanne"),
                "end": QUOTE.index("Hansen") + 6,
                "code": "ledelse",
                "coder": "x",
                "memo": "",
            },
            {
                "source": "p",
                "start": len(QUOTE) + 2,
                "end": len(QUOTE) + 18,
                "code": "ledelse",
                "coder": "x",
                "memo": "",
            },
        ]
    )
    return corpus, codings


def test_pseudonymise_replaces_and_moves_offsets(personal):
    corpus, codings = personal
    gate = pass_gate(corpus, codings, PrivacyPolicy(mode="pseudonymise", names=("Hanne Hansen",)))
    text = gate.corpus.text("p")
    assert "Hanne" not in text and "010203" not in text
    assert "[NAVN A]" in text and "[CPR]" in text
    spans = {(r.code, r.start): text[r.start : r.end] for r in gate.codings.itertuples()}
    assert AFTER in spans.values()  # the coded words are still the coded words
    assert "[NAVN A]" in spans.values()  # a coding of the name now codes its placeholder
    assert "Ingen navne her." in spans.values()  # the next quote moved along
    assert gate.codings["memo"].iloc[0] == "[NAVN A] sagde det"
    assert gate.changed_sources == ("p",) and gate.changed_memos == 1
    assert gate.corpus.segments["text"].tolist()[1] == "Ingen navne her."


def test_stop_and_allow(personal):
    corpus, codings = personal
    with pytest.raises(PersonalDataError, match="personal data found"):
        pass_gate(corpus, codings, PrivacyPolicy(mode="stop", names=("Hanne Hansen",)))
    passed = pass_gate(corpus, codings, PrivacyPolicy(mode="allow"))
    assert passed.corpus.text("p") == corpus.text("p")


def _export_args(tmp_path, personal, tiny_codebook, *extra):
    corpus, codings = personal
    corpus_path = write_quote_table(corpus, tmp_path / "quotes.csv")
    book = tmp_path / "codebook.yaml"
    book.write_text(codebook_yaml(tiny_codebook), encoding="utf-8")
    codings.to_csv(tmp_path / "codings_x.csv", index=False)
    names = tmp_path / "names.txt"
    names.write_text("Hanne Hansen\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    cli_export_qdpx.configure(parser)
    return parser.parse_args(
        [
            "--corpus",
            str(corpus_path),
            "--codebook",
            str(book),
            "--names",
            str(names),
            "--output",
            str(tmp_path / "out.qdpx"),
            *extra,
        ]
    )


def test_export_cli_pseudonymises_by_default(tmp_path, personal, tiny_codebook, qual_paths):
    assert cli_export_qdpx.main(_export_args(tmp_path, personal, tiny_codebook)) == 0
    with zipfile.ZipFile(tmp_path / "out.qdpx") as archive:
        everything = b"".join(archive.read(n) for n in archive.namelist()).decode("utf-8")
    assert "Hanne" not in everything and "010203-1234" not in everything
    result = import_qdpx(tmp_path / "out.qdpx")
    text = result.corpus.text("p")
    coded = [text[r.start : r.end] for r in result.codings.itertuples()]
    assert AFTER in coded


def test_export_cli_stops_when_told(tmp_path, personal, tiny_codebook, qual_paths):
    with pytest.raises(PersonalDataError, match="character 16: name on the list 'Hanne Hansen'"):
        cli_export_qdpx.main(_export_args(tmp_path, personal, tiny_codebook, "--privacy", "stop"))
    assert not (tmp_path / "out.qdpx").exists()


def test_export_cli_allow_needs_the_explicit_switch(
    tmp_path, personal, tiny_codebook, qual_paths, capsys
):
    args = _export_args(tmp_path, personal, tiny_codebook, "--allow-personal-data")
    assert cli_export_qdpx.main(args) == 0
    assert "--allow-personal-data was given" in capsys.readouterr().out
    assert "Hanne Hansen" in import_qdpx(tmp_path / "out.qdpx").corpus.text("p")


def test_export_command_stop_is_a_clear_error(tmp_path, personal, tiny_codebook, qual_paths):
    import os
    import subprocess

    from qualtest_helpers import PYTHON

    args = _export_args(tmp_path, personal, tiny_codebook, "--privacy", "stop")
    command = [
        str(PYTHON),
        "-m",
        "analysis",
        "export-qdpx",
        "--corpus",
        str(args.corpus),
        "--codebook",
        str(args.codebook),
        "--names",
        str(args.names),
        "--output",
        str(args.output),
        "--privacy",
        "stop",
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    assert result.returncode == 1
    assert result.stderr.startswith("error: personal data found")
    assert "Traceback" not in result.stderr


def test_report_tables_only_show_gated_text(tmp_path, personal, tiny_codebook, qual_paths):
    from analysis.qual.view import analyse, exemplars_display

    args = _export_args(tmp_path, personal, tiny_codebook)
    results = analyse(
        None,
        corpus_path=args.corpus,
        codebook_path=args.codebook,
        privacy_names_path=args.names,
        n_exemplars=5,
    )
    quotes = " ".join(results.exemplars["quote"]) + " ".join(results.review["evidence"])
    assert "Hanne" not in quotes and "010203" not in quotes
    assert "[NAVN A]" in " ".join(results.corpus.segments["text"])
    assert results.privacy_changed >= 1
    assert "Hanne" not in exemplars_display(results, "da").to_string()
    with pytest.raises(PersonalDataError):
        analyse(
            None,
            corpus_path=args.corpus,
            codebook_path=args.codebook,
            privacy="stop",
            privacy_names_path=args.names,
        )
