"""What the qualitative section shows of each quote and source (issue 20, §6 and §7): the
year and the type of source of every quote, years as years (never "2.018"), interview
sources counted without the documents, no placeholder plurals. On the demo corpus."""

from __future__ import annotations

import pytest

from analysis import nb
from analysis.qual import view as qr
from analysis.qual.summaries import source_year


@pytest.fixture(scope="module")
def copenhagen():
    return qr.analyse(101)


@pytest.fixture(scope="module")
def roedovre():
    return qr.analyse(175)


@pytest.mark.parametrize(
    ("year", "setting", "expected"),
    [
        (2018, None, "2018"),
        (None, "JKI forsøgsafdeling 2018", "2018"),
        (None, "Hedeby 2013/14", "2013/14"),
        (None, "Rødovre Jobcenter 2014-15", "2014-15"),
        (2015, "Rødovre Jobcenter 2014-15", "2015"),
        (None, "Aabenraa Kommune", None),
        (None, None, None),
    ],
)
def test_a_quotes_year_is_its_sources_year_or_the_year_its_setting_ends_with(
    year, setting, expected
):
    assert source_year(year, setting) == expected


@pytest.mark.parametrize(("language", "wrong"), [("da", "2.018"), ("en", "2,018")])
def test_document_years_are_printed_as_years(copenhagen, language, wrong):
    table = qr.document_passages_display(copenhagen, language)
    html = nb.styled(table, name="qual-document-passages", language=language).to_html()
    assert wrong not in html
    assert ">2018<" in html


def test_every_example_quote_shows_its_year_and_type_of_source(copenhagen):
    table = qr.exemplars_display(copenhagen, "da")
    assert {"År", "Kildetype"} <= set(table.columns)
    assert table["År"].isin(["2017", "2018"]).all(), table["År"].unique()
    assert set(table["Kildetype"]) <= {"Interview", "Skriftligt svar", "Avisindlæg"}
    english = qr.exemplars_display(copenhagen, "en")
    assert "Newspaper op-ed" in set(english["Type of source"])


def test_the_before_quote_of_table_2_is_shown_as_before_with_year_and_type(copenhagen):
    table = qr.before_during_display(copenhagen, "da")
    row = table[table["Citat"].str.startswith("God, hvis man tænker på drift")].iloc[0]
    assert (row["Periode"], row["År"], row["Kildetype"]) == ("Før", "2018", "Skriftligt svar")


def test_interview_sources_do_not_count_the_documents(copenhagen, roedovre):
    """The index's "Interviewkilder" showed 10 for København, whose page says 9 interview
    sources and 1 document; Rødovre (one document, no interviews) showed 1."""
    assert copenhagen.n_sources == 9
    assert roedovre.n_sources == 0


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_scope_sentence_has_no_placeholder_plural(copenhagen, roedovre, language):
    for results in (copenhagen, roedovre):
        for text in (qr.scope_text(results, language), qr.privacy_text(results, language)):
            assert "(er)" not in text and "(s)" not in text, text
    assert "1 dokument " in qr.scope_text(copenhagen, "da")
    assert "1 document " in qr.scope_text(copenhagen, "en")
