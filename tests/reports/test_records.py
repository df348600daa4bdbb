"""Typed headline records (issue 23 §1): the report reads the notebooks' headline scraps
through frozen records, at one boundary that refuses a missing or unknown field by name
instead of reading it as 0."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from scrapdata import PAGES, real_scrap

from analysis.reports import committee, findings, sections
from analysis.reports.batch.workers import _headlines
from analysis.reports.records import (
    RECORDS,
    BenchmarkHeadline,
    CaseloadOwn,
    NationalHeadline,
    PageHeadlines,
    ScrapRecordError,
    Theme,
    Verdict,
)


def _renamed(data: dict, old: str, new: str) -> dict:
    out = {k: v for k, v in data.items() if k != old}
    out[new] = data[old]
    return out


# --- the records hold what the notebooks write ---------------------------------------------


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_records_round_trip_the_scraps_of_real_pages(page):
    scraps = PAGES[page]
    assert scraps, "the fixture holds every page of the run"
    for name, data in scraps.items():
        kind = RECORDS[name]
        if kind is int:
            assert PageHeadlines.from_scraps({name: data}).n_sources == data
        elif kind in (Theme, Verdict):
            assert [kind.from_scrap(item).to_scrap() for item in data] == data
        else:
            assert kind.from_scrap(data).to_scrap() == data
    records = PageHeadlines.from_scraps(scraps)
    assert (records.benchmark is None) == ("benchmark_headline" not in scraps)
    assert len(records.themes) == len(scraps.get("top_themes", []))


def test_every_page_type_is_in_the_fixture():
    """København has a trial and interviews, Rødovre documents only, Læsø a poorly
    fitting group and small bases; the national report its headline."""
    assert PAGES["101-koebenhavn"]["caseload_own"]["trial"] is not None
    assert PAGES["175-roedovre"]["top_themes"][0]["kind"] == "documents"
    assert PAGES["825-laesoe"]["benchmark_headline"]["poor_fit"] is True
    assert NationalHeadline.from_scrap(PAGES["national"]["national_headline"]).design


def test_records_are_frozen_and_typed():
    own = CaseloadOwn.from_scrap(real_scrap("101-koebenhavn", "caseload_own"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        own.n_units = 0  # type: ignore[misc]
    assert own.national.estimate == pytest.approx(0.0833, abs=1e-4)
    group = BenchmarkHeadline.from_scrap(real_scrap("825-laesoe", "benchmark_headline"))
    assert isinstance(group.members, tuple) and len(group.members) == group.cluster_size


# --- a renamed or missing field is an error naming it -----------------------------------------


def test_a_renamed_benchmark_field_is_an_error_naming_scrap_and_fields():
    """Before: ``headline.get("n_worse", 0)`` read a renamed field as 0 ("worse on 0 of 4")."""
    headline = _renamed(real_scrap("825-laesoe", "benchmark_headline"), "n_worse", "n_worse_areas")
    with pytest.raises(ScrapRecordError) as error:
        findings.key_findings({"benchmark_headline": headline, "inputs": []}, "Læsø", "da")
    message = str(error.value)
    assert "'benchmark_headline'" in message
    assert "missing field(s) n_worse" in message and "unknown field(s) n_worse_areas" in message


def test_a_missing_caseload_field_is_an_error_not_a_default():
    """Before: a record without ``n_units`` read as no units ("no units of its own")."""
    own = real_scrap("580-aabenraa", "caseload_own", simulated=False)
    del own["n_units"]
    with pytest.raises(ScrapRecordError, match=r"'caseload_own'.*missing field\(s\) n_units"):
        findings.key_findings({"caseload_own": own, "inputs": []}, "Aabenraa", "da")


def test_a_theme_or_verdict_without_a_field_names_its_place_in_the_list():
    themes = real_scrap("101-koebenhavn", "top_themes")
    del themes[1]["shown"]
    with pytest.raises(ScrapRecordError, match=r"'top_themes\[1\]'.*missing field\(s\) shown"):
        committee.resume_items({"top_themes": themes, "inputs": []}, "København", "da")
    verdicts = real_scrap("101-koebenhavn", "joint_display_verdicts")
    verdicts[0] = _renamed(verdicts[0], "assessed", "is_assessed")
    with pytest.raises(ScrapRecordError, match=r"joint_display_verdicts\[0\].*assessed"):
        findings.key_findings({"joint_display_verdicts": verdicts, "inputs": []}, "X", "da")


def test_a_national_headline_without_its_design_is_an_error():
    headline = real_scrap("national", "national_headline")
    del headline["design"]
    with pytest.raises(ScrapRecordError, match=r"'national_headline'.*missing field\(s\) design"):
        findings.national_findings({"national_headline": headline, "inputs": []}, "da")


def test_a_scrap_that_is_not_a_record_is_an_error():
    with pytest.raises(ScrapRecordError, match=r"'benchmark_headline' is not a record"):
        PageHeadlines.from_scraps({"benchmark_headline": [1, 2]})
    with pytest.raises(ScrapRecordError, match=r"'n_sources' is not a count"):
        PageHeadlines.from_scraps({"n_sources": "9"})


# --- the index's columns -------------------------------------------------------------------


def test_the_index_columns_come_from_the_records():
    scraps = {name: data for page in ("101-koebenhavn",) for name, data in PAGES[page].items()}
    run = SimpleNamespace(status="ok", scraps=scraps)
    values = _headlines([("all", {}, run)])
    assert values["benchmark_worse"] == scraps["benchmark_headline"]["n_worse"]
    assert values["trial"] == "ja, kun simuleret"
    assert values["interview_sources"] == 9


def test_a_renamed_field_fails_the_index_columns_instead_of_leaving_one_out():
    """Before: the index left a column empty when its field was missing."""
    headline = _renamed(real_scrap("580-aabenraa", "benchmark_headline"), "level", "lvl")
    run = SimpleNamespace(status="ok", scraps={"benchmark_headline": headline})
    with pytest.raises(ScrapRecordError, match=r"'benchmark_headline'.*missing field\(s\) level"):
        _headlines([("03", {}, run)])


def test_a_headline_naming_an_unknown_field_fails_when_it_is_declared():
    with pytest.raises(ScrapRecordError, match=r"'benchmark_headline' has no field 'lvl'"):
        sections.Headline("benchmark_unemployment", "benchmark_headline", "lvl")
    with pytest.raises(ScrapRecordError, match=r"no headline record is read from scrap 'nope'"):
        sections.Headline("x", "nope", "")


def _glued(name: str, data: object):
    import nbformat

    from analysis.reports.export import SCRAP_MIME, Section

    cell = nbformat.v4.new_code_cell("glue")
    payload = {"name": name, "encoder": "json", "data": data, "version": 1}
    output = nbformat.NotebookNode(output_type="display_data", metadata={})
    output["data"] = {f"{SCRAP_MIME}json+json": payload}  # as scrapbook glues it
    cell.outputs = [output]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    return [Section(key="01_qualitative_themes", notebook=notebook, parameters={})]


def test_the_printed_sheets_read_the_corpus_kind_from_the_theme_records():
    from analysis.reports.export import documents_only

    assert documents_only(_glued("top_themes", real_scrap("175-roedovre", "top_themes")))
    assert not documents_only(_glued("top_themes", real_scrap("101-koebenhavn", "top_themes")))
    themes = [_renamed(item, "kind", "type") for item in real_scrap("175-roedovre", "top_themes")]
    with pytest.raises(ScrapRecordError, match=r"'top_themes\[0\]'.*missing field\(s\) kind"):
        documents_only(_glued("top_themes", themes))
