"""Assisted coding: transparent rules, the classifier's honest evaluation, the CLI."""

from __future__ import annotations

import argparse
import os
import subprocess

import numpy as np
import pandas as pd
import pytest
from qualtest_helpers import PYTHON, REPO

from analysis.qual import cli_autocode
from analysis.qual.autocode import propose_rules
from analysis.qual.classifier import MIN_POSITIVES, cross_validate
from analysis.qual.codebook import parse_codebook

RULES = """\
version: "t"
codes:
  - {id: sag, label: {da: Sag}, definition: x, colour: "#000000", patterns: [sag]}
  - {id: stamme, label: {da: Stamme}, definition: x, colour: "#000000", patterns: ["*stamme*"]}
  - {id: kalender, label: {da: Kal}, definition: x, colour: "#000000", patterns: [kalenderstyring]}
  - {id: ledelse, label: {da: Ledelse}, definition: x, colour: "#000000", patterns: [leder]}
  - {id: tid, label: {da: Tid}, definition: x, colour: "#000000", patterns: [mere tid, tid til]}
"""


def test_rules_match_lemmas_stems_and_compounds_and_say_why():
    codebook = parse_codebook(RULES, "rules.yaml")
    texts = pd.DataFrame(
        {
            "id": ["1", "2", "3", "4"],
            "text": [
                "Sagerne hober sig op.",  # lemma: sagerne -> sag
                "Sagsstammerne er for store.",  # wildcard inside a compound
                "Kalenderstyringen fylder.",  # not in the lemma table; Snowball stem
                "Der bliver sprunget et led over, og vi får mere tid til borgerne.",
            ],
        }
    )
    proposals = propose_rules(texts, codebook)
    got = {(r.id, r.code): r for r in proposals.itertuples(index=False)}
    assert set(got) == {("1", "sag"), ("2", "stamme"), ("3", "kalender"), ("4", "tid")}
    assert got[("1", "sag")].evidence == "'sag' ← 'Sagerne'"
    assert got[("2", "stamme")].evidence == "'*stamme*' ← 'Sagsstammerne'"
    # two distinct patterns of one code: 1 - 0.5**2
    assert got[("4", "tid")].confidence == 0.75
    assert set(proposals["method"]) == {"rules"}


def test_classifier_evaluation_reports_too_few_examples_instead_of_numbers():
    rng = np.random.default_rng(0)
    words = ["sag", "borger", "tid", "leder", "budget", "mål", "samtale", "relation"]
    documents = [" ".join(rng.choice(words, 6)) for _ in range(40)]
    labels = pd.DataFrame(
        {
            "often": [1 if "budget" in d else 0 for d in documents],
            "rare": [1] * 3 + [0] * 37,
        }
    )
    groups = [f"s{i % 8}" for i in range(40)]
    table = cross_validate(documents, labels, groups, seed=1).set_index("code")
    assert table.loc["rare", "folds"] == 0
    assert np.isnan(table.loc["rare", "precision"]) and np.isnan(table.loc["rare", "recall"])
    assert "too few examples" in table.loc["rare", "note"]
    assert table.loc["rare", "n_positive"] < MIN_POSITIVES
    assert table.loc["often", "folds"] >= 2
    assert 0 <= table.loc["often", "recall"] <= 1
    assert "grouped by source" in table.loc["often", "note"]


def _texts_csv(path):
    path.write_text(
        "id,text\n"
        'A1,"Med lavere sagsstamme har jeg mere tid til den enkelte borger."\n'
        'A2,"=HYPERLINK(""http://example.invalid"",""x"")"\n'
        'A3,"Budgettet og refusionen styrer, og lederne prioriterer måltal."\n',
        encoding="utf-8",
    )
    return path


def test_autocode_cli_via_subprocess(tmp_path, qual_paths):
    source = _texts_csv(tmp_path / "in.csv")
    out = tmp_path / "out.csv"
    result = subprocess.run(
        [str(PYTHON), "-m", "analysis", "autocode", str(source), "--output", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out, dtype=str)
    assert list(table.columns) == ["id", "code", "confidence", "method"]
    pairs = set(zip(table["id"], table["code"], strict=True))
    assert {("A1", "sagsstamme"), ("A3", "oekonomi_styring"), ("A3", "ledelse")} <= pairs
    assert "A2" not in set(table["id"])
    assert set(table["method"]) == {"rules"}


def test_autocode_cli_bad_input_exits_1_with_error(tmp_path, qual_paths):
    bad = tmp_path / "bad.csv"
    bad.write_text("ident,tekst\n1,x\n", encoding="utf-8")
    result = subprocess.run(
        [str(PYTHON), "-m", "analysis", "autocode", str(bad), "--output", str(tmp_path / "o.csv")],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and "missing columns" in result.stderr
    assert "Traceback" not in result.stderr


def test_autocode_main_with_classifier_and_other_codebook(tmp_path, qual_paths):
    source = _texts_csv(tmp_path / "in.csv")
    book = tmp_path / "rules.yaml"
    book.write_text(RULES, encoding="utf-8")
    parser = argparse.ArgumentParser()
    cli_autocode.configure(parser)
    out = tmp_path / "rules_out.csv"
    args = parser.parse_args(
        [str(source), "--output", str(out), "--codebook", str(book), "--evidence"]
    )
    assert cli_autocode.main(args) == 0
    table = pd.read_csv(out, dtype=str)
    assert set(table["code"]) <= {"sag", "stamme", "kalender", "ledelse", "tid"}
    assert ("A1", "stamme") in set(zip(table["id"], table["code"], strict=True))
    assert "evidence" in table.columns
    out2 = tmp_path / "both.csv"
    args = parser.parse_args([str(source), "--output", str(out2), "--method", "both"])
    assert cli_autocode.main(args) == 0
    both = pd.read_csv(out2, dtype=str)
    assert set(both["method"]) <= {"rules", "classifier"} and "rules" in set(both["method"])
    probabilities = both.loc[both["method"] == "classifier", "confidence"].astype(float)
    assert ((probabilities >= 0.5) & (probabilities <= 1)).all()


def test_duplicate_ids_are_refused(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("id,text\n1,a\n1,b\n", encoding="utf-8")
    from analysis.errors import InputError

    with pytest.raises(InputError, match=r"dup.csv, row 3, column 'id': duplicate id"):
        cli_autocode.read_texts(path)


def test_proposals_never_change_the_manual_codings(qual_paths):
    from analysis.qual.pipeline import corpus_proposals, load_inputs

    inputs = load_inputs()
    before = inputs.codings.copy()
    proposals = corpus_proposals(inputs)
    assert len(proposals) > 0
    pd.testing.assert_frame_equal(inputs.codings, before)
    path = REPO / "data" / "raw" / "interviews" / "codings_dev_a.csv"
    assert (qual_paths.raw / "interviews" / "codings_dev_a.csv").read_bytes() == path.read_bytes()
