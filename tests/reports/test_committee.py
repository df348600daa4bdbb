"""The committee page (issue 22 §4): one A4 sheet per municipality in the form of the
Copenhagen note (resumé, figures with their trend, what they can and cannot say,
conclusion), only findings from real data, the data's source and date; and the pieces
of the full page's print that name the data on every sheet."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from lxml import html as lxml_html

from analysis.benchmark.batch import precompute
from analysis.benchmark.indicators import CATALOGUE
from analysis.benchmark.view import benchmark_view
from analysis.nb import describe_inputs
from analysis.reports import committee
from analysis.reports.datasource import source_line
from analysis.reports.export import ReportMeta, css_string, page_counter, print_margin_css
from analysis.reports.pagecheck import reader_text_problems, source_marks, visible_text

REPO = Path(__file__).resolve().parents[2]
THEMES = [
    {"code": "sagsbehandlerrolle", "kind": "interviews", "label": "Sagsbehandlerens rolle",
     "n_sources": 7, "n_sources_group": 9, "shown": "7"},
    {"code": "arbejdsmaade", "kind": "interviews", "label": "Arbejdsmåde", "n_sources": 5,
     "n_sources_group": 9, "shown": "5"},
]  # fmt: skip
OWN = {  # notebook 02's record for København on the simulated panel (display units)
    "municipality": 101, "has_trial": True, "n_units": 3, "caseload_mean": 131.0,
    "outcome": "exit_job_education",
    "trial": {"estimate": 1.2, "ci_low": 0.4, "ci_high": 2.0},
    "national": {"estimate": 0.5, "ci_low": 0.3, "ci_high": 0.7}, "simulated": True,
    "trial_index": "ja, kun simuleret", "lead": "trial", "trial_design": None,
    "national_design": None,
}  # fmt: skip


@pytest.fixture(scope="module")
def paths(module_isolated_paths):
    shutil.copytree(
        REPO / "data" / "raw" / "benchmark", module_isolated_paths.benchmark, dirs_exist_ok=True
    )
    precompute(module_isolated_paths)
    return module_isolated_paths


@pytest.fixture(scope="module")
def copenhagen(paths):
    return benchmark_view(101, paths=paths)


def records(view, language: str = "da", *, simulated: bool = True) -> dict:
    """The merged scrapbook records of København's page, as the batch hands them over."""
    snapshot = next(view.inputs[i] for i, p in enumerate(view.inputs) if p.suffix == ".json")
    files = [snapshot]
    inputs = describe_inputs(files)
    inputs.append({"file": "caseloads/caseloads_2026.csv", "sha256": "0", "simulated": simulated})
    inputs.append({"file": "interviews/quotes.csv", "sha256": "0", "simulated": False})
    return {
        "scorecard": view.scorecard,
        "benchmark_headline": view.headline(language),
        "benchmark_gaps": view.gaps,
        "top_themes": THEMES,
        "caseload_own": {**OWN, "simulated": simulated},
        "inputs": inputs,
    }


def meta(scraps: dict, language: str = "da") -> ReportMeta:
    return ReportMeta(
        municipality_code=101, municipality_name="København", region="Hovedstaden",
        language=language, inputs=tuple(scraps["inputs"]), simulated=True, git_commit="abc",
        package_version="0.1", national_href="national.html",
        committee_href="101-koebenhavn-resume.html",
    )  # fmt: skip


def sheet(view, language: str = "da", *, simulated: bool = True) -> str:
    scraps = records(view, language, simulated=simulated)
    series = committee.trend_frame(scraps, {})
    return committee.committee_html(
        scraps, meta(scraps, language), series, page_href="101-koebenhavn.html",
        national_href="national.html",
    )  # fmt: skip


def test_the_sheet_follows_the_note_and_shows_only_real_findings(copenhagen):
    """Resumé, figures with a trend per indicator, can and cannot, conclusion; the
    simulated caseload analysis is one line without a number."""
    page = sheet(copenhagen)
    assert reader_text_problems(page) == []
    tree = lxml_html.fromstring(page)
    headings = [h.text_content() for h in tree.iter("h2")]
    assert headings == ["Resumé", "Nøgletal", "Hvad tallene kan og ikke kan sige", "Konklusion"]
    rows = tree.xpath('//table[@data-table="committee-figures"]/tbody/tr')
    assert [r.get("data-indicator") for r in rows] == list(copenhagen.scorecard["indicator"])
    sparks = tree.xpath('//table[@data-table="committee-figures"]//svg[@class="cm-spark"]')
    with_data = copenhagen.trends.groupby("indicator")["municipality"].count().gt(1)
    assert len(sparks) == int(with_data.sum()) >= 6
    assert all(s.get("aria-label", "").startswith("København: ") for s in sparks)
    text = " ".join(visible_text(page).split())
    assert "Data: Jobindsats.dk / STAR, hentet 22. august 2026 (tal til og med juli 2026)" in text
    marked = tree.xpath('//*[@data-source="simulated"]')
    assert len(marked) == 1 and not re.search(r"\d", marked[0].text_content())
    assert "metodedemonstration på simulerede data" in marked[0].text_content()
    assert marked[0].xpath(".//a/@href") == ["101-koebenhavn.html#section-demo"]
    assert source_marks(page).key_findings_simulated == 0
    assert "forsøgsenheden" not in text.lower() and "1,2" not in text, "no simulated estimate"
    assert tree.xpath('//a[@href="101-koebenhavn.html"]'), "the full page is linked"


def _listed(text: str) -> set[str]:
    """The names in 'a, b og c'."""
    return {part.strip() for part in re.split(r", | og ", text) if part.strip()}


def test_the_conclusion_is_true_of_the_scorecard(copenhagen):
    """Each counted indicator better or worse than the group is named on the side the
    scorecard puts it (like the resumé's tally, process measures and parts of another
    outcome are left out), and where the gap to the group grew."""
    card = copenhagen.scorecard.set_index("indicator")
    counted = [i for i in card.index if CATALOGUE[i].counted]
    sentences = committee.conclusion(copenhagen.scorecard, copenhagen.gaps, "København", "da")
    level = re.fullmatch(r"København ligger bedre end gruppen på (.*), men dårligere på (.*)\.",
                         sentences[0])  # fmt: skip
    assert level, sentences[0]
    names = {i: committee.short_name(i, "da") for i in card.index}
    assert _listed(level.group(1)) == {
        names[i] for i in counted if card.loc[i, "level_status"] == "better"
    }
    assert _listed(level.group(2)) == {
        names[i] for i in counted if card.loc[i, "level_status"] == "worse"
    }
    moved = copenhagen.gaps.set_index("indicator")["movement"]
    away = {
        names[i] for i in counted if card.loc[i, "level_status"] == "worse" and moved[i] == "away"
    }
    grew = [s for s in sentences if s.startswith("Afstanden til gruppen er vokset på ")]
    assert away and grew and _listed(grew[0].split(" på ", 1)[1].split(", hvor")[0]) == away


def test_the_sheet_in_english(copenhagen):
    page = sheet(copenhagen, "en")
    text = " ".join(visible_text(page).split())
    assert reader_text_problems(page) == []
    assert "Summary" in text and "Key figures" in text and "Conclusion" in text
    assert "retrieved 22 August 2026 (figures up to July 2026)" in text
    for danish in ("hentet", "Resumé", "Nøgletal", "Konklusion", "Kommunen"):
        assert danish not in text, danish


def test_a_real_panel_puts_its_finding_on_the_sheet_marked_with_its_source(copenhagen):
    page = sheet(copenhagen, simulated=False)
    tree = lxml_html.fromstring(page)
    assert tree.xpath('//*[@data-source="simulated"]') == []
    (line,) = tree.xpath('//li[@data-source="real"]')
    assert "I forsøgsenheden steg" in line.text_content()
    assert "(egne data: caseloads/caseloads_2026.csv)" in line.text_content()


def test_a_sparkline_draws_both_series_on_one_scale_with_the_window_and_the_break(copenhagen):
    svg = committee.sparkline(
        copenhagen.trends, "kh_workforce_rate", "da", name="København",
        window=("2026-05", "2026-07"),
    )  # fmt: skip
    part = copenhagen.trends[copenhagen.trends["indicator"].eq("kh_workforce_rate")]
    tree = lxml_html.fromstring(svg)
    own = tree.xpath('//path[@class="cm-own"]/@d')[0]
    points = re.findall(r"[ML]([\d.]+) ([\d.]+)", own)
    assert len(points) == part["municipality"].notna().sum()
    ys = [float(y) for _, y in points]
    assert min(ys) >= 0 and max(ys) <= committee.SPARK_HEIGHT
    assert tree.xpath('//path[@class="cm-group"]'), "the group's average beside it"
    assert len(tree.xpath('//rect[@class="cm-window"]')) == 1, "the level's months shaded"
    assert len(tree.xpath('//line[@class="cm-break"]')) == 1, "the July 2025 reform"
    label = tree.xpath("//svg/@aria-label")[0]
    assert label.startswith("København: ") and "Gruppens gennemsnit:" in label


def test_the_data_line_names_source_date_and_the_simulated_inputs(copenhagen):
    scraps = records(copenhagen)
    line = source_line(scraps["inputs"], "da")
    assert line == (
        "Data: Jobindsats.dk / STAR, hentet 22. august 2026 (tal til og med juli 2026); "
        "interviewkorpus · Simulerede data: sagsstammepanelet"
    )
    documents = source_line(scraps["inputs"], "da", documents_only=True)
    assert "kommunens dokumenter" in documents and "interviewkorpus" not in documents


def test_every_printed_sheet_names_the_page_its_data_and_its_number(copenhagen):
    """The full page's print: CSS page-margin boxes (Chromium prints them since 131)."""
    css = print_margin_css(meta(records(copenhagen)))
    assert "@bottom-left" in css and "@bottom-right" in css
    assert page_counter("da") == '"Side " counter(page) " af " counter(pages)'
    assert page_counter("en") == '"Page " counter(page) " of " counter(pages)'
    assert css_string("København · Data: a / b") == '"København \\b7  Data: a \\2f  b"', (
        "an escape ends with a space, so the text's own space after it is kept"
    )


def test_the_committee_page_sits_beside_the_page():
    assert committee.committee_path("out/101-koebenhavn.html") == Path(
        "out/101-koebenhavn-resume.html"
    )
    assert committee.committee_href("/x/580-aabenraa.html") == "580-aabenraa-resume.html"


def test_without_a_benchmark_the_sheet_says_so_and_shows_no_table():
    scraps = {"top_themes": THEMES, "inputs": [], "caseload_own": OWN}
    page = committee.committee_html(
        scraps, meta({"inputs": []}), None, page_href="101-koebenhavn.html"
    )
    assert reader_text_problems(page) == []
    assert "committee-figures" not in page
    assert "Der er ingen nøgletal for København i denne kørsel." in visible_text(page)


def test_conclusion_on_a_made_up_scorecard_names_each_side():
    card = pd.DataFrame(
        {
            "indicator": ["unemployment_rate", "longterm_rate", "kh_workforce_rate",
                          "activation_degree"],
            "level_status": ["better", "worse", "worse", "worse"],
            "arrow": ["up", "down", "flat", "up"],
        }
    )  # fmt: skip
    gaps = pd.DataFrame(
        {"indicator": card["indicator"], "movement": ["steady", "away", "towards", "away"]}
    )
    assert committee.conclusion(card, gaps, "X", "da")[:4] == [
        "X ligger bedre end gruppen på ledighed, men dårligere på langtidsledighed og "
        "kontanthjælp.",
        "Det seneste år er ledighed gået den gode vej, mens langtidsledighed er gået den "
        "dårlige vej.",
        "Afstanden til gruppen er vokset på langtidsledighed, hvor kommunen i forvejen ligger "
        "dårligere.",
        "Kommunen er kommet tættere på gruppen på kontanthjælp, hvor den ligger dårligere.",
    ]


def test_the_indicators_without_a_judgement_are_counted_as_the_table_shows_them(paths):
    """Læsø: four rows of the table rest on under 20 persons (the resumé's tally counts
    two outcome areas); the sheet says four, as its table shows."""
    view = benchmark_view(825, paths=paths)
    scraps = {**records(view), "top_themes": None}
    small = int(view.scorecard["small_base"].sum())
    assert small > view.headline("da")["n_small_base"]
    _, cannot = committee.limits(scraps, "Læsø", "da")
    assert f"vurdere {small} nøgletal med under 20 personer bag;" in cannot
