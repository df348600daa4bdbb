"""The per-corpus rule for small counts: published corpora show counts, confidential ones
(the default) hide 1-4, and the setting file is validated like every YAML input."""

from __future__ import annotations

import pytest
from qualtest_helpers import TINY_CODEBOOK

from analysis.errors import InputError
from analysis.qual.corpus import write_quote_table
from analysis.qual.count_rule import CountRule, load_count_rule


def test_no_settings_file_means_confidential_with_the_default_threshold(tmp_path):
    assert load_count_rule(tmp_path / "quotes.csv") == CountRule("confidential", 5, None)


def test_published_shows_counts_and_confidential_takes_its_threshold(tmp_path):
    (tmp_path / "corpus.yaml").write_text("confidentiality: published\n", encoding="utf-8")
    rule = load_count_rule(tmp_path / "quotes.csv")
    assert (rule.confidentiality, rule.threshold, rule.suppresses) == ("published", 1, False)
    (tmp_path / "corpus.yaml").write_text(
        "confidentiality: confidential\nsmall_count_threshold: 10\n", encoding="utf-8"
    )
    assert load_count_rule(tmp_path).threshold == 10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("confidentiality: secret\n", "unknown confidentiality"),
        ("small_count_threshold: 1\n", "not a threshold"),
        ("small_count_threshold: five\n", "not a threshold"),
        ("confidentiality: published\nsmall_count_threshold: 5\n", "shows its counts"),
        ("confidentality: published\n", "unknown key"),
        ("a: &x 1\nb: *x\n", "aliases"),
    ],
)
def test_bad_settings_are_refused_naming_the_line(tmp_path, text, message):
    (tmp_path / "corpus.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_count_rule(tmp_path)
    assert "corpus.yaml" in str(caught.value)


def test_the_demo_corpus_is_published_and_its_tables_show_counts(
    tmp_path, tiny_corpus, isolated_paths
):
    """Before, the demo's counts were 1-4 nearly everywhere and showed as <5 or '..'."""
    from analysis.qual.view import analyse, corpus_display, frequencies_display

    quotes = write_quote_table(tiny_corpus, tmp_path / "quotes.csv")
    book = tmp_path / "codebook.yaml"
    book.write_text(TINY_CODEBOOK, encoding="utf-8")
    hidden = analyse(None, corpus_path=quotes, codebook_path=book)
    assert "<5" in corpus_display(hidden, "da").to_string()
    (tmp_path / "corpus.yaml").write_text("confidentiality: published\n", encoding="utf-8")
    shown = analyse(None, corpus_path=quotes, codebook_path=book)
    assert shown.threshold == 1
    table = corpus_display(shown, "da").to_string() + frequencies_display(shown, "da").to_string()
    assert "<5" not in table and ".." not in table
    assert any(f.name == "corpus.yaml" for f in shown.input_files)


def test_the_real_demo_corpus_is_marked_published(repo_paths):
    assert load_count_rule(repo_paths.interviews / "quotes.csv").confidentiality == "published"
