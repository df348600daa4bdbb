"""The review loop's file contract: the sheet, accepting into codings_<coder>.csv,
rejecting into the log, precision per pattern and method, suggested words."""

from __future__ import annotations

import argparse

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.qual import review
from analysis.qual.codebook import parse_codebook
from analysis.qual.codings import load_codings
from analysis.qual.corpus import load_corpus
from analysis.qual.review import (
    LOG_COLUMNS,
    SHEET_COLUMNS,
    ReviewFiles,
    review_queue,
    review_round,
    summarise,
)


def _sheet(files: ReviewFiles) -> pd.DataFrame:
    return pd.read_csv(files.sheet, dtype=str, keep_default_na=False)


def _write(table: pd.DataFrame, files: ReviewFiles) -> None:
    table.to_csv(files.sheet, index=False)


def test_accept_writes_a_human_coding_reject_goes_to_the_log_nothing_twice(qual_paths):
    folder = qual_paths.raw / "interviews"
    files = ReviewFiles(folder, "anna", "csv")
    first = review_round(files, batch=60)
    sheet = _sheet(files)
    assert tuple(sheet.columns) == SHEET_COLUMNS
    assert sheet["item"].tolist() == [str(i) for i in range(1, len(sheet) + 1)]
    assert (sheet["decision"] == "").all()
    assert len(first.batch) == len(sheet)
    rules = sheet[(sheet["method"] == "rules") & ~sheet["evidence"].str.startswith("implied")]
    similar = sheet[sheet["method"] == "similarity"]
    accept, reject = rules.iloc[0], similar.iloc[0]
    sheet.loc[accept.name, ["decision", "note"]] = ["Accept", "clearly about this"]
    sheet.loc[reject.name, "decision"] = "reject"
    _write(sheet, files)
    decided_sheet = sheet.copy()

    second = review_round(files, batch=60)
    assert (second.applied.accepted, second.applied.rejected) == (1, 1)
    codings = pd.read_csv(files.codings, dtype=str, keep_default_na=False)
    assert list(codings.columns) == [
        "source",
        "start",
        "end",
        "code",
        "coder",
        "memo",
        "source_hash",
    ]
    assert len(codings) == 1
    row = codings.iloc[0]
    assert (row["source"], row["start"], row["end"], row["code"], row["coder"]) == (
        accept["source"],
        accept["start"],
        accept["end"],
        accept["code"],
        "anna",
    )
    patterns = accept["patterns"].split("; ")
    assert row["memo"] == (
        "accepted proposal (rules " + ", ".join(repr(p) for p in patterns) + ")"
        "; note: clearly about this"
    )
    # the coding is valid under the codings' contract (hash of the text it was made on)
    corpus = load_corpus(folder / "quotes.csv")
    from analysis.qual.codebook import load_codebook

    assert len(load_codings(files.codings, corpus, load_codebook())) == 1
    log = pd.read_csv(files.log, dtype=str, keep_default_na=False)
    assert list(log.columns) == list(LOG_COLUMNS)
    assert set(zip(log["segment_id"], log["code"], log["decision"], strict=True)) == {
        (accept["segment_id"], accept["code"], "accept"),
        (reject["segment_id"], reject["code"], "reject"),
    }
    assert log["batch"].tolist() == ["1", "1"]
    assert log.set_index("decision").loc["reject", "method"] == "similarity"
    # decided proposals do not come back
    pairs = set(zip(second.batch["segment_id"], second.batch["code"], strict=True))
    assert (accept["segment_id"], accept["code"]) not in pairs
    assert (reject["segment_id"], reject["code"]) not in pairs
    # a round stopped before the sheet was replaced is finished again without duplicates
    _write(decided_sheet, files)
    third = review_round(files, batch=60)
    assert (third.applied.accepted, third.applied.rejected, third.applied.already) == (0, 0, 2)
    assert len(pd.read_csv(files.codings, dtype=str)) == 1
    assert len(pd.read_csv(files.log, dtype=str)) == 2


def test_a_bad_decision_is_refused_naming_its_row_and_nothing_is_written(qual_paths):
    files = ReviewFiles(qual_paths.raw / "interviews", "anna", "csv")
    review_round(files, batch=5)
    sheet = _sheet(files)
    sheet.loc[0, "decision"] = "accept"
    sheet.loc[1, "decision"] = "maybe"
    _write(sheet, files)
    before = files.sheet.read_bytes()
    with pytest.raises(InputError, match=r"review_anna.csv, row 3, column 'decision': unknown"):
        review_round(files, batch=5)
    assert not files.codings.exists() and not files.log.exists()
    assert files.sheet.read_bytes() == before  # the researcher's decisions are still there


def test_an_existing_codings_file_keeps_its_rows(qual_paths):
    folder = qual_paths.raw / "interviews"
    files = ReviewFiles(folder, "dev_a", "csv")
    before = (folder / "codings_dev_a.csv").read_text(encoding="utf-8").splitlines()
    review_round(files, batch=5)
    sheet = _sheet(files)
    sheet.loc[0, "decision"] = "accept"
    _write(sheet, files)
    review_round(files, batch=5)
    after = (folder / "codings_dev_a.csv").read_text(encoding="utf-8").splitlines()
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1
    assert after[-1].split(",")[3] == sheet.loc[0, "code"]


def test_decisions_from_the_notebook_go_through_the_same_sheet(qual_paths):
    files = ReviewFiles(qual_paths.raw / "interviews", "nb", "xlsx")
    review_round(files, batch=4)
    assert files.sheet.suffix == ".xlsx" and files.sheet.is_file()
    first = pd.read_excel(files.sheet, dtype=str)
    result = review_round(files, batch=4, decisions={1: "reject", 2: "accept"})
    assert (result.applied.accepted, result.applied.rejected) == (1, 1)
    # undecided proposals keep their numbers, new ones get numbers never given before,
    # so the same decisions run again cannot land on other proposals
    pairs = zip(first["segment_id"], first["code"], strict=True)
    kept = dict(zip(pairs, first["item"].astype(int), strict=True))
    for row in result.batch.itertuples(index=False):
        if (row.segment_id, row.code) in kept:
            assert row.item == kept[(row.segment_id, row.code)]
        else:
            assert row.item > len(first)
    assert not {1, 2} & set(result.batch["item"])
    again = review_round(files, batch=4, decisions={1: "reject", 2: "accept"})
    assert (again.applied.accepted, again.applied.rejected) == (0, 0)
    assert again.batch["item"].tolist() == result.batch["item"].tolist()
    with pytest.raises(InputError, match="unknown item number"):
        review.record_decisions(files, {999: "accept"})


def _log(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows,
        columns=["batch", "segment_id", "code", "decision", "method", "implied_by", "patterns"],
    )
    for column in LOG_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame[list(LOG_COLUMNS)]


def test_precision_per_pattern_and_method_flags_weak_patterns():
    log = _log(
        [
            ("1", "s1", "ledelse", "reject", "rules", "", "leder*"),
            ("1", "s2", "ledelse", "reject", "rules", "", "leder*"),
            ("1", "s3", "ledelse", "accept", "rules", "", "leder*; ledelse*"),
            ("2", "s4", "ledelse", "reject", "rules", "", "leder*"),
            ("2", "s5", "sagsstamme", "accept", "rules", "", "*sagsstamme*"),
            ("2", "s6", "sagsstamme", "accept", "rules", "", "*sagsstamme*"),
            ("2", "s7", "sagsstamme", "accept", "rules", "", "*sagsstamme*"),
            ("2", "s8", "oekonomi_styring", "reject", "rules", "", "konto"),
            ("2", "s9", "oekonomi_styring", "reject", "rules", "", "konto"),
            # an implied parent counts for its method, not for the sub-code's pattern
            ("2", "s1", "arbejdsmaade", "reject", "rules", "kalenderstyring", "kalender*"),
            ("2", "s10", "sagsstamme", "accept", "similarity", "", ""),
        ]
    )
    summary = summarise(log)
    patterns = summary.patterns.set_index(["code", "pattern"])
    assert patterns.loc[("ledelse", "leder*"), ["n_decided", "n_accepted"]].tolist() == [4, 1]
    assert patterns.loc[("ledelse", "leder*"), "precision"] == 0.25
    assert patterns.loc[("ledelse", "leder*"), "flagged"]
    assert not patterns.loc[("sagsstamme", "*sagsstamme*"), "flagged"]
    assert patterns.loc[("sagsstamme", "*sagsstamme*"), "precision"] == 1.0
    # 0 of 2 is too few decisions to flag
    assert not patterns.loc[("oekonomi_styring", "konto"), "flagged"]
    assert ("arbejdsmaade", "kalender*") not in patterns.index
    assert summary.flagged[["code", "pattern"]].values.tolist() == [["ledelse", "leder*"]]
    methods = summary.methods.set_index("method")
    assert methods.loc["rules", ["n_decided", "n_accepted"]].tolist() == [10, 4]
    assert methods.loc["similarity", "precision"] == 1.0
    assert summary.acceptance_rate == 5 / 11
    acceptance = summary.acceptance.set_index("batch")
    assert acceptance.loc[1, "acceptance_rate"] == 1 / 3
    assert acceptance.loc[2, "cumulative_decided"] == 11
    assert acceptance.loc[2, "acceptance_rate"] == 5 / 11


def test_words_no_pattern_caught_are_suggested_for_the_accepted_code():
    from analysis.qual.nlp import tokens

    codebook = parse_codebook(
        """\
version: "t"
codes:
  - {id: sagsstamme, label: {da: Sagsstamme}, definition: x, colour: "#000000",
     patterns: ["*sagsstamme*"]}
  - {id: ledelse, label: {da: Ledelse}, definition: x, colour: "#000000", patterns: [leder*]}
""",
        "t.yaml",
    )
    texts = {
        "d1": "Arbejdspresset er stort, og sagsantallet stiger.",
        "d2": "Et højt arbejdspres og et stort sagsantal giver arbejdsbyrde.",
        "d3": "Sagsstammen og arbejdspresset følges ad.",
        "d4": "Lederne taler om arbejdspres.",
    }
    log = _log(
        [
            ("1", "d1", "sagsstamme", "accept", "similarity", "", ""),
            ("1", "d2", "sagsstamme", "accept", "similarity", "", ""),
            ("1", "d3", "sagsstamme", "accept", "rules", "", "*sagsstamme*"),
            ("1", "d4", "ledelse", "reject", "similarity", "", ""),
        ]
    )
    terms = review.suggested_terms(log, tokens(list(texts.items())), codebook)
    found = terms.set_index("term")
    assert {"arbejdspres", "sagsantal"} <= set(found.index)
    assert found.loc["arbejdspres", "forms"] == "arbejdspres, arbejdspresset"
    assert found.loc["arbejdspres", "segments"] == "d1; d2"
    assert "arbejdsbyrde" not in found.index  # in one accepted segment only
    assert set(terms["code"]) == {"sagsstamme"}
    assert (terms["n_segments"] >= 2).all()
    assert not terms["term"].str.contains("sagsstam").any()  # the pattern caught it


def test_the_queue_lists_the_most_uncertain_first():
    proposals = pd.DataFrame(
        [
            ("r2", "a", 0.75, "rules", "'x' ← 'x'", None),
            ("r1", "a", 0.5, "rules", "'y' ← 'y'", None),
            ("s1", "b", 0.3, "similarity", "tfidf ...", 0.2),
            ("s2", "c", 0.2, "similarity", "tfidf ...", 0.01),
            ("s2", "p", 0.2, "similarity", "implied by c", 0.01),
            ("done", "a", 0.5, "rules", "'x' ← 'x'", None),
            ("logged", "a", 0.5, "rules", "'x' ← 'x'", None),
        ],
        columns=["id", "code", "confidence", "method", "evidence", "margin"],
    )
    coded = pd.DataFrame({"segment_id": ["done"], "code": ["a"]})
    log = _log([("1", "logged", "a", "reject", "rules", "", "x")])
    queue = review_queue(proposals, coded, log)
    assert list(zip(queue["id"], queue["code"], strict=True)) == [
        ("s2", "c"),
        ("s2", "p"),
        ("s1", "b"),
        ("r1", "a"),
        ("r2", "a"),
    ]


def test_review_command_prints_precision_and_the_next_sheet(qual_paths, capsys):
    from analysis.qual import cli_review

    parser = argparse.ArgumentParser()
    cli_review.configure(parser)
    folder = qual_paths.raw / "interviews"
    args = parser.parse_args(["--coder", "cli", "--batch", "3", "--format", "csv"])
    assert cli_review.main(args) == 0
    files = ReviewFiles(folder, "cli", "csv")
    sheet = _sheet(files)
    sheet["decision"] = ["reject"] * len(sheet)
    _write(sheet, files)
    assert cli_review.main(args) == 0
    out = capsys.readouterr().out
    assert f"applied: 0 accepted (0 new coding(s) in codings_cli.csv), {len(sheet)} rejected" in out
    assert f"acceptance rate so far (live precision estimate): 0.00 (0 of {len(sheet)}" in out
    assert "precision per method:" in out
    assert str(files.sheet) in out
