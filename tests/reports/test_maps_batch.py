"""The report batch draws the maps: a page's locator highlights the comparison group its
benchmark notebook recorded, and the index map is built from the run's records."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from lxml import html as lxml_html
from mapdata import with_borders

from analysis.reports import maps
from analysis.reports.batch import RunOptions, run_reports

pytestmark = pytest.mark.slow
GROUP = [510, 540, 550]


def _notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {
            "name": "caseload-analysis",
            "display_name": "caseload",
            "language": "python",
        },
        "language_info": {"name": "python"},
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            'municipality = 580\nlanguage = "da"', metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(  # a complete record (analysis.reports.records)
            "from analysis import nb\n"
            'headline = dict.fromkeys(["cluster_mean", "country_mean", "fit_mean", '
            '"fit_typical_mean"])\n'
            'headline |= dict.fromkeys(["cluster_size", "n_indicators", "n_shown", "n_same", '
            '"n_small_base", "n_country_better", "n_country_worse"], 0)\n'
            'headline |= {"indicator": "unemployment_rate", "period_start": "", '
            '"counted": [], "poor_fit": False}\n'
            'headline |= {"level": 2.04, "development": -3.26, '
            f'"period": "2026-07", "cluster": "Sønderjylland", "members": {GROUP}, '
            '"n_better": 5, "n_worse": 2, "n_up": 3, "n_down": 3}\n'
            'nb.glue("benchmark_headline", headline)'
        ),
    ]  # fmt: skip
    nbformat.write(nb, path)
    return path


def test_the_batch_gives_the_page_its_group_and_the_index_its_map(
    isolated_paths, repo_paths, tmp_path
):
    paths = with_borders(isolated_paths)
    # the notebook stands in for the registered benchmark section, whose shared work
    # the batch runs first (it reads the benchmark's cost parameters)
    shutil.copytree(repo_paths.benchmark, paths.benchmark)
    notebook = _notebook(tmp_path / "03_benchmark_scorecard.ipynb")
    options = RunOptions(
        municipalities=(580,), notebooks=(notebook,), workers=1, output=paths.reports,
        progress=False,
    )  # fmt: skip
    result = run_reports(options)
    assert result.ok, result.failed
    page = (paths.reports / "580-aabenraa.html").read_text(encoding="utf-8")
    figure = re.search(r'<figure class="report-locator">.*?</figure>', page, re.S).group(0)
    layout = maps.shapes(maps.LOCATOR_TOLERANCE, maps.LOCATOR_WIDTH, maps.LOCATOR_MIN_AREA, paths)
    fills = {p.get("fill"): p.get("d") for p in lxml_html.fromstring(figure).iter("path")}
    assert fills[maps.LOCATOR_GROUP] == "".join(layout.d[c] for c in GROUP)
    assert fills[maps.LOCATOR_SELF] == layout.d[580]
    assert "Sønderjylland" in figure and "klyngen, 3 kom." in figure
    index = (paths.reports / "index.html").read_text(encoding="utf-8")
    assert index.count('<a href="580-aabenraa.html" class="m"') == 1
    assert 'data-code="580" data-name="Aabenraa" data-u="2,0" data-d="-3,3" data-b="5;2"' in index
    assert len(re.findall(r'<g class="m" data-code="\d+"', index)) == 97, "no page: no link"
    assert "Tallene fra Jobindsats gælder juli 2026" in index
