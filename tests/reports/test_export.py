"""Report export pieces that need no kernel: cell filtering, table of contents, and the
check for anything loaded from the network."""

from __future__ import annotations

import nbformat

from analysis.reports.export import (
    Section,
    add_table_of_contents,
    combine,
    external_resources,
)


def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("municipality = 101")
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell("municipality = 580")
    injected.metadata["tags"] = ["injected-parameters"]
    shown = nbformat.v4.new_code_cell(
        "nb.table(df)",
        outputs=[
            nbformat.v4.new_output("stream", name="stderr", text="DeprecationWarning: noise"),
            nbformat.v4.new_output("stream", name="stdout", text="kept on purpose"),
            nbformat.v4.new_output("display_data", data={"text/html": "<table></table>"}),
            nbformat.v4.new_output(
                "display_data", data={"application/scrapbook.scrap.json+json": {"name": "x"}}
            ),
        ],
    )
    glue_only = nbformat.v4.new_code_cell(
        "nb.glue('x', 1)",
        outputs=[
            nbformat.v4.new_output(
                "display_data", data={"application/scrapbook.scrap.json+json": {"name": "x"}}
            )
        ],
    )
    nb.cells = [
        nbformat.v4.new_markdown_cell("researcher note"),
        params,
        injected,
        shown,
        glue_only,
    ]
    return nb


def test_combine_keeps_only_what_readers_see():
    merged = combine([Section("03_benchmark_scorecard", _notebook())], "da")
    kinds = [c.cell_type for c in merged.cells]
    assert kinds == ["markdown", "code"], "section heading + the one cell with visible output"
    assert "Benchmark mod sammenlignelige kommuner" in merged.cells[0].source
    outputs = merged.cells[1].outputs
    assert [o.get("name") or o.output_type for o in outputs] == ["stdout", "display_data"]
    assert merged.cells[1].source == ""


def test_unknown_notebook_gets_a_readable_section_title():
    merged = combine([Section("07_extra_analysis", _notebook())], "en")
    assert "07 extra analysis" in merged.cells[0].source


def test_table_of_contents_lists_the_sections_and_makes_ids_unique():
    """One line of section links (h2): the TOC comes after the key findings and must stay
    short; every h2-h4 still gets a unique id to link to."""
    html = (
        '<nav class="report-toc"><!--TOC--></nav><main class="report-body"><h2>Benchmark</h2>'
        "<h3>Nøgletal</h3><h4>Udvikling</h4><h2>Benchmark</h2><h4>Dybt</h4></main>"
    )
    out = add_table_of_contents(html, "Indhold")
    toc = out[: out.index("</nav>")]
    assert '<p class="report-toc-title">Indhold</p>' in toc
    assert toc.count("<li>") == 2
    assert 'href="#benchmark"' in toc and 'href="#benchmark-2"' in toc
    assert "Nøgletal" not in toc
    assert '<h2 id="benchmark-2">' in out and '<h3 id="nøgletal">' in out


def test_external_resources_are_detected():
    assert external_resources('<img src="data:image/png;base64,AA"><a href="https://x">') == []
    found = external_resources(
        '<script src="https://cdn.x/y.js"></script><link href="//fonts.x/css">'
        "<style>@import url(http://x/a.css)</style>"
    )
    assert len(found) == 3


def test_personal_data_switch_reaches_notebooks_and_footer(tmp_path):
    from analysis.paths import get_paths
    from analysis.reports.batch import RunOptions, plan_jobs
    from analysis.reports.export import ReportMeta, report_html

    paths = get_paths()
    notebooks = tuple(sorted(paths.notebooks.glob("0[13]_*.ipynb")))
    plain = plan_jobs(RunOptions((101,), notebooks, output=tmp_path), paths)[0]
    allowed = plan_jobs(
        RunOptions((101,), notebooks, output=tmp_path, allow_personal_data=True), paths
    )[0]
    params = {key: p for key, _, p in plain.notebooks}
    assert "privacy" not in params["01_qualitative_themes"], "the notebook's default applies"
    params = {key: p for key, _, p in allowed.notebooks}
    assert params["01_qualitative_themes"]["privacy"] == "allow"
    assert "privacy" not in params["03_benchmark_scorecard"]
    assert plain.key != allowed.key, "switching it on reruns the reports"

    meta = dict(municipality_code=101, municipality_name="København", region="Hovedstaden",
                language="da", inputs=(), simulated=False, git_commit="abc",
                package_version="0")  # fmt: skip
    nb = nbformat.v4.new_notebook()
    on = report_html([Section("01_qualitative_themes", nb)],
                     ReportMeta(**meta, allow_personal_data=True))  # fmt: skip
    off = report_html([Section("01_qualitative_themes", nb)], ReportMeta(**meta))
    assert "TILLADT med --allow-personal-data" in on
    assert "pseudonymiseret (standard)" in off and "TILLADT" not in off
