"""Manual codings: validation against corpus and codebook, attachment to segments."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.qual.codings import (
    load_codings,
    segment_codes,
    validate_codings,
    with_hashes,
    write_codings,
)


def _table(rows):
    return pd.DataFrame(rows).astype(str)


def test_validation_errors_name_file_row_and_column(tiny_corpus, tiny_codebook):
    rows = [
        {"source": "a", "start": 0, "end": 10, "code": "sagsstamme", "coder": "x", "memo": ""},
        {"source": "zz", "start": 0, "end": 10, "code": "sagsstamme", "coder": "x", "memo": ""},
        {"source": "a", "start": 5, "end": 999, "code": "sagsstamme", "coder": "x", "memo": ""},
        {"source": "a", "start": "syv", "end": 9, "code": "ukendt", "coder": "", "memo": ""},
    ]
    with pytest.raises(InputError) as info:
        validate_codings(_table(rows), tiny_corpus, tiny_codebook, "codings.csv")
    text = str(info.value)
    assert "codings.csv, row 3, column 'source': unknown source 'zz'" in text
    assert "codings.csv, row 4, column 'end': offsets outside the text of a" in text
    assert "codings.csv, row 5, column 'code': code 'ukendt' is not in the codebook" in text
    assert "codings.csv, row 5, column 'coder': missing or bad coder name" in text
    assert "codings.csv, row 5, column 'start': not a whole number: 'syv'" in text


def test_changed_source_text_is_detected_by_hash(tmp_path, tiny_corpus, tiny_codebook):
    frame = pd.DataFrame(
        [{"source": "a", "start": 0, "end": 10, "code": "sagsstamme", "coder": "x", "memo": ""}]
    )
    stale = with_hashes(frame, tiny_corpus)
    stale["source_hash"] = "0" * 64
    path = write_codings(stale, tmp_path / "codings_x.csv")
    with pytest.raises(InputError, match="text of a has changed since it was coded"):
        load_codings(path, tiny_corpus, tiny_codebook)
    good = write_codings(with_hashes(frame, tiny_corpus), tmp_path / "codings_y.csv")
    assert len(load_codings(good, tiny_corpus, tiny_codebook)) == 1


def test_missing_columns(tiny_corpus, tiny_codebook):
    with pytest.raises(InputError, match="missing columns"):
        validate_codings(pd.DataFrame({"source": ["a"]}), tiny_corpus, tiny_codebook)


def test_codings_attach_to_segments_by_overlap(tiny_corpus, tiny_codebook):
    seg = tiny_corpus.segments.set_index("segment_id")
    a1, a2 = seg.loc["a-001"], seg.loc["a-002"]
    sentence = tiny_corpus.text("a").index("mere tid")
    rows = [
        # a few words inside the first quote: codes that quote
        {"start": sentence, "end": sentence + 8, "code": "sagsstamme"},
        # both quotes: codes each of them
        {"start": int(a1.start), "end": int(a2.end), "code": "ledelse"},
        # the second quote plus three characters of the first: only the second
        {"start": int(a1.end) - 3, "end": int(a2.end), "code": "forberedelse"},
    ]
    codings = pd.DataFrame([{"source": "a", "coder": "k", "memo": "", **r} for r in rows])
    coded = segment_codes(codings, tiny_corpus, tiny_codebook, level="coded")
    pairs = set(zip(coded["segment_id"], coded["code"], strict=True))
    assert pairs == {
        ("a-001", "sagsstamme"),
        ("a-001", "ledelse"),
        ("a-002", "ledelse"),
        ("a-002", "forberedelse"),
    }
    every = segment_codes(codings, tiny_corpus, tiny_codebook, level="all")
    assert ("a-002", "borgerrelation") in set(zip(every["segment_id"], every["code"], strict=True))
    top = segment_codes(codings, tiny_corpus, tiny_codebook, level="top")
    assert "forberedelse" not in set(top["code"])


def test_every_problem_is_counted_past_the_cap(tiny_corpus, tiny_codebook):
    """Before: checking stopped after 201 problems and the summary said "201 problem(s)"."""
    rows = [
        {"source": "zz", "start": i, "end": i + 1, "code": "sagsstamme", "coder": "x", "memo": ""}
        for i in range(300)
    ]
    with pytest.raises(InputError) as info:
        validate_codings(_table(rows), tiny_corpus, tiny_codebook, "codings.csv")
    text = str(info.value)
    assert text.startswith("300 problem(s) in codings.csv")
    assert text.endswith("... and 280 more problem(s) not listed")
