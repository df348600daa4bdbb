"""Reliability against hand-computed values (the arithmetic is written out)."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
import pytest

from analysis.qual import cli_reliability
from analysis.qual.codebook import codebook_yaml
from analysis.qual.corpus import write_quote_table
from analysis.qual.reliability import (
    ALL_CODES,
    UNIT_OF_ANALYSIS,
    ReliabilityError,
    cohen_kappa,
    krippendorff_alpha,
    percent_agreement,
    reliability_report,
)

A = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
B = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]


def test_two_coders_by_hand():
    values = np.array([A, B], dtype=float)
    # 8 of 10 units agree
    assert percent_agreement(values) == pytest.approx(0.8)
    # p_o = 0.8; each coder has 4 ones: p_e = 0.4*0.4 + 0.6*0.6 = 0.52
    # kappa = (0.8 - 0.52) / (1 - 0.52) = 0.28 / 0.48
    assert cohen_kappa(A, B) == pytest.approx(0.28 / 0.48)
    # alpha (nominal): 20 pairable values, 8 ones and 12 zeros; the two disagreeing units
    # put 2 in o_10 and 2 in o_01: alpha = 1 - (n-1) * 4 / (2 * 8 * 12) = 1 - 76/192
    assert krippendorff_alpha(values) == pytest.approx(1 - 76 / 192)


def test_three_coders_with_missing_values_by_hand():
    values = np.array([[1, np.nan, 0], [1, 1, 0], [0, 1, np.nan]], dtype=float)
    # unit 1 (1,1,0): m=3, each ordered pair weighs 1/2: o_11 += 1, o_10 += 1, o_01 += 1
    # unit 2 (1,1): o_11 += 2;  unit 3 (0,0): o_00 += 2
    # n = 7, n_1 = 4, n_0 = 3; alpha = 1 - (n-1) * (o_10 + o_01) / (2 n_1 n_0) = 1 - 12/24
    assert krippendorff_alpha(values) == pytest.approx(0.5)


def test_degenerate_cases_are_nan_not_errors():
    assert np.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))  # chance agreement is 1
    assert np.isnan(krippendorff_alpha(np.zeros((2, 4))))  # no variation
    assert cohen_kappa([1, 0, 1, 0], [1, 0, 1, 0]) == 1.0


def _codings(rows, corpus):
    """(coder, segment_id, code) rows as codings over whole segments."""
    seg = corpus.segments.set_index("segment_id")
    return pd.DataFrame(
        [
            {
                "source": seg.loc[s, "source_id"],
                "start": int(seg.loc[s, "start"]),
                "end": int(seg.loc[s, "end"]),
                "code": code,
                "coder": coder,
                "memo": "",
            }
            for coder, s, code in rows
        ]
    )


ROWS = [
    ("x", "a-001", "sagsstamme"),
    ("x", "c-001", "sagsstamme"),
    ("x", "b-001", "ledelse"),
    ("x", "c-001", "ledelse"),
    ("x", "b-002", "forberedelse"),  # a sub-code of borgerrelation
    ("y", "a-001", "sagsstamme"),
    ("y", "b-001", "ledelse"),
    ("y", "c-001", "ledelse"),
    ("y", "a-002", "borgerrelation"),
    ("y", "b-002", "borgerrelation"),
]


def test_report_on_segments_by_hand(tiny_corpus, tiny_codebook):
    table, disagreements, left_out = reliability_report(
        _codings(ROWS, tiny_corpus), tiny_corpus, tiny_codebook, level="top"
    )
    assert left_out == []
    assert set(table["unit"]) == {UNIT_OF_ANALYSIS}
    rows = table.set_index("code")
    # 6 segments = 6 units per code.
    # sagsstamme: x = 1 0 0 0 0 1, y = 1 0 0 0 0 0 -> 5/6 agree; p_e = 2/6*1/6 + 4/6*5/6 = 22/36
    # kappa = (30/36 - 22/36) / (14/36) = 8/14; alpha: 12 values, 3 ones, 9 zeros, one
    # disagreeing unit -> 1 - 11 * 2 / (2 * 3 * 9) = 1 - 22/54
    for code in ("sagsstamme", "borgerrelation"):  # borgerrelation is the mirror image
        assert rows.loc[code, "n_units"] == 6
        assert rows.loc[code, "percent_agreement"] == pytest.approx(5 / 6)
        assert rows.loc[code, "cohen_kappa"] == pytest.approx(8 / 14)
        assert rows.loc[code, "krippendorff_alpha"] == pytest.approx(1 - 22 / 54)
    assert rows.loc["ledelse", "percent_agreement"] == 1.0
    assert rows.loc["ledelse", "cohen_kappa"] == 1.0
    # pooled: 18 units, 16 agree; each coder has 5 ones: p_e = (5/18)^2 + (13/18)^2 = 194/324
    # kappa = (288 - 194) / (324 - 194) = 94/130; alpha = 1 - 35 * 4 / (2 * 10 * 26)
    assert rows.loc[ALL_CODES, "percent_agreement"] == pytest.approx(16 / 18)
    assert rows.loc[ALL_CODES, "cohen_kappa"] == pytest.approx(94 / 130)
    assert rows.loc[ALL_CODES, "krippendorff_alpha"] == pytest.approx(1 - 140 / 520)
    pairs = set(zip(disagreements["segment_id"], disagreements["code"], strict=True))
    assert pairs == {("c-001", "sagsstamme"), ("a-002", "borgerrelation")}
    assert disagreements.set_index("segment_id").loc["c-001", "coded_by"] == "x"


def test_three_coders_only_shared_sources_and_no_kappa(tiny_corpus, tiny_codebook):
    rows = [*ROWS, ("z", "a-001", "sagsstamme")]
    table, _, left_out = reliability_report(
        _codings(rows, tiny_corpus), tiny_corpus, tiny_codebook, level="top"
    )
    assert left_out == ["b", "c"]  # z coded only source a
    assert table["n_units"].iloc[0] == 2  # the two segments of source a
    assert table["cohen_kappa"].isna().all()
    assert table["krippendorff_alpha"].notna().any()


def test_one_coder_is_refused(tiny_corpus, tiny_codebook):
    only_x = [r for r in ROWS if r[0] == "x"]
    with pytest.raises(ReliabilityError, match="at least two coders"):
        reliability_report(_codings(only_x, tiny_corpus), tiny_corpus, tiny_codebook)


def test_cli_reliability(tmp_path, tiny_corpus, tiny_codebook, capsys):
    corpus_path = write_quote_table(tiny_corpus, tmp_path / "quotes.csv")
    book = tmp_path / "codebook.yaml"
    book.write_text(codebook_yaml(tiny_codebook), encoding="utf-8")
    codings = _codings(ROWS, tiny_corpus)
    files = []
    for coder, group in codings.groupby("coder"):
        path = tmp_path / f"codings_{coder}.csv"
        group.to_csv(path, index=False)
        files.append(path)
    parser = argparse.ArgumentParser()
    cli_reliability.configure(parser)
    args = parser.parse_args(
        [
            *map(str, files),
            "--corpus",
            str(corpus_path),
            "--codebook",
            str(book),
            "--output",
            str(tmp_path / "rel.csv"),
            "--disagreements",
            str(tmp_path / "dis.csv"),
        ]
    )
    assert cli_reliability.main(args) == 0
    out = capsys.readouterr().out
    assert "unit of analysis: segment x code" in out and "2 disagreement(s)" in out
    written = pd.read_csv(tmp_path / "rel.csv")
    assert written.set_index("code").loc["ledelse", "krippendorff_alpha"] == 1.0
