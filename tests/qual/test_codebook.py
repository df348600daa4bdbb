"""The codebook file: fixed top-level codes, validation messages with line and code id."""

from __future__ import annotations

import pytest

from analysis.errors import InputError
from analysis.qual.codebook import codebook_yaml, load_codebook, parse_codebook
from analysis.qual.corpus import load_corpus

TOP_LEVEL = [
    "borgerperspektiv",
    "borgerrelation",
    "arbejdsmaade",
    "sagsbehandlerrolle",
    "eksternt_samarbejde",
    "sagsstamme",
    "oekonomi_styring",
    "resultat_styring",
    "ledelse",
]


def test_default_codebook_has_the_fixed_top_level_codes_and_real_examples():
    codebook = load_codebook()
    assert codebook.top_level() == TOP_LEVEL
    assert codebook.version
    text = "\n".join(load_corpus().segments["text"])
    for row in codebook.codes.itertuples(index=False):
        assert row.label_da and row.label_en and row.definition_da and row.patterns, row.id
        assert row.example in text, f"example of {row.id} is not an exact corpus quote"
    assert codebook.top("forberedelse") == "arbejdsmaade"
    assert codebook.label("sagsstamme", "en") == "Caseload and time"


def test_codebook_yaml_round_trip():
    codebook = load_codebook()
    again = parse_codebook(codebook_yaml(codebook))
    assert again.codes.equals(codebook.codes)


BAD = """\
version: "1"
codes:
  - id: alpha
    label: {da: Alfa}
    definition: A.
    colour: "#112233"
  - id: alpha
    label: {da: Alfa igen}
    definition: B.
    colour: "#112233"
  - id: beta
    parent: gamma
    label: {da: Beta}
    definition: C.
    colour: "#12345"
  - id: delta
    label: {en: Delta}
    definition: D.
    color: "#aabbcc"
"""


def test_validation_names_line_and_code_for_every_problem():
    with pytest.raises(InputError) as info:
        parse_codebook(BAD, "book.yaml")
    text = str(info.value)
    assert (
        "book.yaml, row 7, column 'id': code 'alpha': duplicate id (first defined on line 3)"
        in text
    )
    assert "book.yaml, row 11, column 'parent': code 'beta': unknown parent 'gamma'" in text
    assert "book.yaml, row 11, column 'colour': code 'beta': bad colour" in text
    assert "book.yaml, row 16, column 'label.da': code 'delta': missing Danish label" in text
    assert "unknown key 'color' (did you mean 'colour'?)" in text


def test_parent_cycles_and_bad_yaml_are_reported():
    cycle = """\
version: "1"
codes:
  - {id: a, parent: b, label: {da: A}, definition: x, colour: "#000000"}
  - {id: b, parent: a, label: {da: B}, definition: x, colour: "#000000"}
"""
    with pytest.raises(InputError, match="parents form a cycle"):
        parse_codebook(cycle, "c.yaml")
    with pytest.raises(InputError, match=r"c.yaml, row 3: not valid YAML"):
        parse_codebook("version: 1\ncodes: [\n", "c.yaml")


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="codebook not found"):
        load_codebook(tmp_path / "none.yaml")
