"""The personal-data gate: detection, pseudonymisation, stopping, small counts."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.privacy import (
    PersonalDataError,
    PrivacyPolicy,
    check_texts,
    find_personal_data,
    load_name_list,
    suppress_small_counts,
)


@pytest.mark.parametrize(
    "text",
    [
        "CPR 010203-1234 her",
        "CPR 0102031234 her",
        "CPR 01 02 03 1234 her",
        "010203 1234",
        "CPR 010203 - 1234",
    ],
)
def test_cpr_numbers_in_all_spellings_are_found(text):
    kinds = [f.kind for f in find_personal_data(text)]
    assert kinds == ["cpr"]


@pytest.mark.parametrize(
    "text", ["sagsnummer 2024-0001", "1.234.567 kr.", "år 2018", "329912-1234", "kl. 12:00"]
)
def test_things_that_only_look_numeric_are_not_cpr(text):
    assert [f for f in find_personal_data(text) if f.kind == "cpr"] == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("skriv til anes@kp.dk i dag", "email"),
        ("ring 12 34 56 78", "phone"),
        ("ring +45 12345678", "phone"),
        ("ring 1234 5678", "phone"),
        ("tlf. 0045 12-34-56-78", "phone"),
    ],
)
def test_email_and_phone_are_found(text, kind):
    assert [f.kind for f in find_personal_data(text)] == [kind]


def test_names_on_the_list_are_found_whole_word_case_insensitive():
    found = find_personal_data("Jeg talte med hanne, Hanne-Lise og Hannelore.", names=["Hanne"])
    assert [(f.kind, f.text) for f in found] == [("name", "hanne"), ("name", "Hanne-Lise")]


def test_pseudonymise_replaces_with_placeholders_and_stable_aliases():
    texts = pd.DataFrame(
        {
            "source": ["i1", "i2"],
            "text": ["Søren (010203-1234) skrev til s@x.dk", "Søren ringede 12345678; Ib også"],
        }
    )
    out = check_texts(texts, PrivacyPolicy(names=("Søren", "Ib")))
    assert out["text"].tolist() == [
        "[NAVN A] ([CPR]) skrev til [E-MAIL]",
        "[NAVN A] ringede [TELEFON]; [NAVN B] også",
    ]
    assert texts["text"].iloc[0].startswith("Søren"), "input left unchanged"


def test_stop_mode_names_source_and_position_without_echoing_the_number():
    texts = pd.DataFrame({"source": ["interview_07.txt"], "text": ["Borger med cpr 010203-1234."]})
    with pytest.raises(PersonalDataError) as info:
        check_texts(texts, PrivacyPolicy(mode="stop"))
    message = str(info.value)
    assert "interview_07.txt, character 15: CPR number" in message
    assert "010203-1234" not in message
    assert "--allow-personal-data" in message


def test_allow_mode_passes_text_unchanged():
    texts = pd.DataFrame({"source": ["a"], "text": ["010203-1234"]})
    assert check_texts(texts, PrivacyPolicy(mode="allow"))["text"].item() == "010203-1234"


def test_unknown_mode_is_rejected():
    with pytest.raises(ValueError, match="privacy mode"):
        PrivacyPolicy(mode="maybe")


def test_name_list_file(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("# names to mask\nSøren\n\nIb  # short\nSøren\n", encoding="utf-8")
    assert load_name_list(path) == ("Ib", "Søren")
    assert load_name_list(tmp_path / "missing.txt") == ()


def test_suppressed_counts_in_a_partition_are_hidden_until_they_add_up_to_the_threshold():
    table = pd.DataFrame(
        {
            "attribute": ["a", "a", "b", "b", "b", "b", "c", "c", "c", "d", "d", "e", "e", "e"],
            "sources": [5, 2, 3, 0, 9, 6, 2, 1, 8, 3, 0, 3, 4, 9],
        }
    )
    out = suppress_small_counts(table, ["sources"], partition_by=["attribute"])
    assert out["sources"].tolist() == [
        "..", "<5",            # 7 sources in all: 5 shown would give away the 2
        "<5", "0", "9", "..",  # the smallest other positive count is hidden, not zero
        "<5", "<5", "..",      # 1 + 2 hidden adding up to 3 would still be worked out
        "<5", "0",             # nothing else to hide
        "<5", "<5", "9",       # 3 + 4 hidden: at least 5 between them, enough
    ]  # fmt: skip
    plain = suppress_small_counts(table, ["sources"])
    assert ".." not in plain["sources"].tolist()


def test_small_counts_are_suppressed_but_zero_and_large_stay():
    table = pd.DataFrame({"group": list("abcde"), "sources": [0, 1, 4, 5, None]})
    out = suppress_small_counts(table, ["sources"])
    assert out["sources"].tolist() == ["0", "<5", "<5", "5", pd.NA]
    assert suppress_small_counts(table, ["sources"], threshold=2)["sources"].tolist()[1:4] == [
        "<2",
        "4",
        "5",
    ]
