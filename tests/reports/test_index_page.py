"""The index page's table: a "Status" column only while some page is unfinished, failed
pages listed above the table (without their error text), a national row, a search box,
and the month of the figures said once."""

from __future__ import annotations

from lxml import html as lxml_html
from mapdata import columns, index_rows

from analysis.reports.index import index_html


def _page(rows, **kwargs) -> str:
    return index_html(rows, columns(), "da", css="", **kwargs)


def _heads(page: str) -> list[str]:
    tree = lxml_html.fromstring(page)
    return [th.text_content() for th in tree.findall(".//table[@data-table='index']/thead//th")]


def test_no_status_column_when_every_page_is_finished(repo_paths):
    rows = index_rows(repo_paths)
    page = _page(rows, national_href="national.html")
    assert "Status" not in _heads(page)
    assert 'class="index-failures"' not in page
    assert "98 færdige, 0 fejlede, 0 ikke kørt." in page


def test_failures_are_listed_above_the_table_and_the_status_column_returns(repo_paths):
    rows = index_rows(repo_paths)
    error = "03_benchmark_scorecard: KeyError: 'level' at /home/x/secret.py"
    rows[1] = {**rows[1], "status": "failed", "href": None, "error": error}
    rows[2] = {**rows[2], "status": "missing", "href": None}
    page = _page(rows)
    assert "Status" in _heads(page)
    failures = page.index('class="index-failures"')
    assert failures < page.index('<table class="analysis-table sortable" data-table="index"')
    listed = lxml_html.fromstring(page).find_class("index-failures")[0].text_content()
    assert f"{rows[1]['name']} ({rows[1]['code']})" in listed
    assert f".state/{rows[1]['code']}.json" in listed
    assert rows[2]["name"] not in listed, "a page not run is counted, not listed as failed"
    assert "KeyError" not in page and "secret.py" not in page, "no exception text on the page"
    assert "1 fejlede, 1 ikke kørt" in page


def test_a_national_row_links_the_national_analysis_and_stays_out_of_sorting(repo_paths):
    page = _page(index_rows(repo_paths), national_href="national.html")
    tree = lxml_html.fromstring(page)
    national = tree.find_class("index-national-rows")[0]
    assert national.tag == "tbody"
    link = national.find(".//a")
    assert link.get("href") == "national.html" and "nationale analyse" in link.text_content()
    cells = national.findall(".//td")
    assert len(cells) == len(_heads(page)), "the row fills every column"
    assert len(tree.find_class("index-rows")[0].findall("tr")) == 98
    assert 'querySelector("tbody.index-rows")' in page, "sorting moves only the 98 rows"
    without = _page(index_rows(repo_paths))
    assert 'class="index-national-rows"' not in without, "no national page: no row"


def test_a_search_box_that_is_hidden_without_script(repo_paths):
    page = _page(index_rows(repo_paths))
    tree = lxml_html.fromstring(page)
    box = tree.get_element_by_id("index-search-box")
    assert box.get("hidden") is not None, "without script the box would do nothing"
    assert tree.get_element_by_id("index-search").get("type") == "search"
    assert box.find(".//label").get("for") == "index-search"
    assert "af 98 kommuner" in box.find_class("index-search-count")[0].get("data-template")


def test_the_month_is_said_once_and_not_a_column(repo_paths):
    rows = index_rows(repo_paths)
    page = _page(rows)
    assert (
        "Tallene fra Jobindsats gælder maj–juli 2026; udviklingen er målt fra maj–juli 2025."
        in page
    ), "the levels average three months (KLK): the page names the window, not one month"
    assert "Måned (benchmark)" not in _heads(page)
    assert "Første måned" not in _heads(page)
    rows[0] = {**rows[0], "benchmark_period": "2026-06"}
    mixed = _page(rows)
    assert "Måned (benchmark)" in _heads(mixed), "pages from different months show theirs"
    assert "ikke samme måned" in mixed
    assert "Første måned" not in _heads(mixed)


def test_the_development_column_is_shown(repo_paths):
    heads = _heads(_page(index_rows(repo_paths)))
    assert "Ledighed, udvikling på et år, %" in heads


def test_each_built_page_links_its_one_page_committee_summary(repo_paths):
    """Issue 22 §4: the committee page is linked from the index."""
    rows = index_rows(repo_paths)
    rows = [
        {**r, "committee_href": f"{r['code']}-x-resume.html" if r.get("href") else None}
        for r in rows
    ]
    rows[3] = {**rows[3], "committee_href": None}
    tree = lxml_html.fromstring(_page(rows, national_href="national.html"))
    assert _heads(_page(rows))[-1] == "Resumé til udvalget"
    links = tree.xpath("//tbody[@class='index-rows']//a[@class='index-committee']")
    assert len(links) == sum(1 for r in rows if r["committee_href"])
    assert links[0].get("href") == f"{rows[0]['code']}-x-resume.html" and links[0].text == "A4"
    assert links[0].get("title") == f"Resumé til udvalget om {rows[0]['name']} (1 side A4)"
    without = [r for r in rows if not r.get("committee_href")]
    assert "Resumé til udvalget" not in _heads(_page(without)), "no column without pages"
