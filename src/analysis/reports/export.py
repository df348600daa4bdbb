"""One self-contained HTML page per municipality from its executed notebooks.

The executed notebooks become sections of one page: notebook markdown cells, the
parameter cells, code, prompts, stderr and scrapbook payloads are left out; what remains
is what the notebooks displayed through :mod:`analysis.nb`. The page opens with a short
header, the key findings (:mod:`analysis.reports.findings`) and a compact table of
contents; then the sections in page order (:func:`analysis.reports.sections.page_order`);
then the method notes, collected from the cells the notebooks tag ``method``, one closed
``<details>`` per section; then a footer with provenance: code version, package version,
parameters, data files with hashes, the simulated-data flag, the personal-data switch,
the rule for small counts and one marked timestamp line (the only line that differs
between two runs on the same inputs).

**Real and simulated, separated.** A section whose notebook recorded ``simulated``
(its inputs include a panel the data contract marks simulated: ``data_origin``) is not a
finding: the real sections come first, then one section named as a method demonstration
on simulated data holds the simulated ones as its subsections. Every cell of it carries
``data-source="simulated"`` and the class ``report-simulated-cell`` (its figure captions
and its method notes the mark too), and printed it runs on the named page ``simulated``,
whose every page carries the mark in its top margin. With a real panel the same sections
stand in their places as findings, without marks.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import nbformat

from analysis.data.reference import unique_name
from analysis.formatting import format_number
from analysis.labels import label_table, t
from analysis.paths import SMALL_COUNT_THRESHOLD
from analysis.reports.html.markup import minify_css, trim_markup
from analysis.reports.pagecheck import check_reader_text

DROP_TAGS = {"parameters", "injected-parameters", "remove-in-report", "remove_cell"}
METHOD_TAG = "method"
#: the tag of the merged cells that show simulated numbers (the template gives each
#: ``data-source="simulated"``; print CSS puts them on the named page ``simulated``)
SIMULATED_TAG = "simulated"
#: the id of the method demonstration section (the key findings link to it)
DEMO_ID = "section-demo"
SCRAP_MIME = "application/scrapbook.scrap."
TEMPLATE_DIR = Path(str(resources.files("analysis.reports") / "templates"))


@dataclass(frozen=True)
class Section:
    """One executed notebook, shown as a section of the report."""

    key: str  # notebook stem, e.g. "03_benchmark_scorecard"
    notebook: nbformat.NotebookNode
    parameters: dict[str, Any] = field(default_factory=dict)
    simulated: bool | None = None  # None: as the notebook recorded it (glue "simulated")

    @property
    def shows_simulated(self) -> bool:
        """True when the section's numbers come from simulated data: as given, else the
        ``simulated`` record the notebook glued (:func:`analysis.nb.record_inputs`, from
        the inputs the data contract marks simulated)."""
        if self.simulated is not None:
            return self.simulated
        return bool(recorded_scrap(self.notebook, "simulated"))


def recorded_scrap(notebook: nbformat.NotebookNode, name: str) -> Any:
    """The value a notebook glued as ``name`` (JSON scraps), None when it glued none."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for key, value in output.get("data", {}).items():
                scrap = key.startswith(SCRAP_MIME) and isinstance(value, dict)
                if scrap and value.get("name") == name and value.get("encoder") == "json":
                    return value.get("data")
    return None


@dataclass(frozen=True)
class ReportMeta:
    """What the header and the provenance footer say."""

    municipality_code: int
    municipality_name: str
    region: str
    language: str
    inputs: tuple[dict[str, Any], ...]
    simulated: bool
    git_commit: str
    package_version: str
    allow_personal_data: bool = False
    timestamp: str = ""
    seconds: float = 0.0
    kind: str = "municipality"  # or "national"
    key_findings: str = ""  # trusted markup from analysis.reports.findings
    national_href: str | None = None  # link to the national report, if there is one
    count_rule: dict[str, Any] | None = None  # the interview corpus's small-count rule
    notebooks: str = ""  # the notebooks' versions: committed, or which differ (batch)
    #: the benchmark's comparison group (codes) and its name, for the locator map
    comparison_group: tuple[int, ...] = ()
    comparison_label: str = ""
    #: the municipality's committee page (analysis.reports.committee), linked in the header
    committee_href: str | None = None


def _keep_output(output: nbformat.NotebookNode) -> bool:
    if output.get("output_type") == "stream":
        return output.get("name") != "stderr"
    if output.get("output_type") in {"display_data", "execute_result"}:
        data = output.get("data", {})
        return any(not key.startswith(SCRAP_MIME) for key in data)
    return True


def _code_cell(outputs: list) -> nbformat.NotebookNode:
    """A code cell holding ``outputs`` (no source). Built as a plain node: nbformat's
    ``new_code_cell`` checks every output against the schema with the slow validator;
    :func:`combine` checks the merged notebook once instead."""
    return nbformat.from_dict(
        {"cell_type": "code", "execution_count": None, "id": "c", "metadata": {},
         "outputs": outputs, "source": ""}
    )  # fmt: skip


def _clean_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    if cell.cell_type != "code" or DROP_TAGS & set(cell.metadata.get("tags", [])):
        return None
    outputs = [o for o in cell.get("outputs", []) if _keep_output(o)]
    if not outputs:
        return None
    clean = _code_cell(outputs)
    clean.id = f"c{len(outputs)}"  # ids are not shown; keep them stable
    return clean


def section_title(section: Section, language: str) -> str:
    """The section's title: its label, else the notebook's title, else its file name."""
    key = f"reports.section.{section.key}"
    if key in label_table():
        return t(key, language)
    title = section.notebook.metadata.get("title")
    return str(title) if title else section.key.replace("_", " ")


_SECTION_BANNER = 'class="analysis-note analysis-simulated"'


def _without_banner(cell: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """The cell without a section's simulated-data banner (the page header shows it once
    for the whole page); None when nothing else is left."""
    outputs = [
        o
        for o in cell.outputs
        if _SECTION_BANNER not in "".join(o.get("data", {}).get("text/html", ""))
    ]
    if not outputs:
        return None
    cell.outputs = outputs
    return cell


def _heading_cell(markup: str, tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    return nbformat.from_dict(
        {"cell_type": "markdown", "id": "h", "metadata": {"tags": list(tags)}, "source": markup}
    )


_MD_HEADING = re.compile(r"^(#{1,5}) ", re.M)
_FIGCAPTION = "<figcaption>"


def _as_demo(cell: nbformat.NotebookNode, language: str) -> nbformat.NotebookNode:
    """A cell of a simulated section as the demonstration shows it: tagged
    :data:`SIMULATED_TAG`, its headings one level deeper (the section is a subsection of
    the demonstration) and every figure caption opening with the mark."""
    mark = html.escape(t("common.simulated_data", language))
    for output in cell.outputs:
        data = output.get("data", {})
        if "text/markdown" in data:
            data["text/markdown"] = _MD_HEADING.sub(r"#\1 ", "".join(data["text/markdown"]))
        if "text/html" in data:
            markup = "".join(data["text/html"])
            data["text/html"] = markup.replace(
                _FIGCAPTION, f'{_FIGCAPTION}<strong class="simulated-mark">{mark}.</strong> '
            )
    cell.metadata["tags"] = [*cell.metadata.get("tags", []), SIMULATED_TAG]
    return cell


def _section_cells(
    section: Section, language: str, *, demo: bool
) -> tuple[list[nbformat.NotebookNode], list[nbformat.NotebookNode]]:
    """(cells, method notes) of one section, without what readers do not see; a section
    of the demonstration loses its own simulated-data banner (the demonstration says it
    once, and each cell carries the mark)."""
    cells, notes = [], []
    for cell in section.notebook.cells:
        clean = _clean_cell(cell)  # builds a new cell; the executed one stays as is
        if clean is not None and demo:
            clean = _without_banner(clean)
            clean = _as_demo(clean, language) if clean is not None else None
        if clean is None:
            continue
        if METHOD_TAG in cell.metadata.get("tags", []):
            notes.append(clean)
        else:
            cells.append(clean)
    return cells, notes


def combine(
    sections: list[Section], language: str, *, page_banner: bool = False, name: str = ""
) -> nbformat.NotebookNode:
    """Merge executed notebooks into one notebook holding only what readers see: the
    sections in page order, the real ones first and the simulated ones together in one
    method demonstration (see the module docstring), then the method notes (cells tagged
    ``method``) behind one closed ``<details>``. ``name``: the municipality's, for the
    demonstration's introduction. ``page_banner`` is kept for callers of earlier
    versions: a simulated section's banner is always replaced by the demonstration's."""
    from analysis.reports.sections import page_order

    del page_banner  # the demonstration carries the mark; see the docstring
    merged = nbformat.v4.new_notebook()
    merged.metadata = {"language_info": {"name": "python"}}
    by_key = {section.key: section for section in sections}
    order = page_order(by_key)
    real = [k for k in order if not by_key[k].shows_simulated]
    simulated = [k for k in order if by_key[k].shows_simulated]
    cells, methods = [], []
    for key in real:
        section = by_key[key]
        title = section_title(section, language)
        cells.append(
            _heading_cell(
                f'<h2 id="section-{_slug(section.key)}" class="report-section">'
                f"{html.escape(title)}</h2>"
            )
        )
        shown, notes = _section_cells(section, language, demo=False)
        cells += shown
        if notes:
            methods.append((title, notes, False))
    if simulated:
        national = simulated == ["00_national_report"]
        intro = (
            t("reports.demo.intro_national", language)
            if national
            else t("reports.demo.intro", language, name=name or t("reports.demo.it", language))
        )
        cells.append(
            _heading_cell(
                f'<h2 id="{DEMO_ID}" class="report-section report-demo">'
                f"{html.escape(t('reports.demo.title', language))}</h2>\n"
                f'<div class="analysis-note analysis-simulated demo-intro" '
                f'data-simulated="true" data-source="simulated">'
                f"<strong>{html.escape(t('common.simulated_data', language))}.</strong> "
                f"{html.escape(intro)}</div>",
                (SIMULATED_TAG,),
            )
        )
        for key in simulated:
            section = by_key[key]
            title = section_title(section, language)
            cells.append(
                _heading_cell(
                    f'<h3 id="section-{_slug(section.key)}" class="report-section '
                    f'report-demo-part">{html.escape(title)}</h3>\n'
                    f'<p class="simulated-mark" data-source="simulated">'
                    f"{html.escape(t('reports.demo.mark', language))}</p>",
                    (SIMULATED_TAG,),
                )
            )
            shown, notes = _section_cells(section, language, demo=True)
            cells += shown
            if notes:
                methods.append((title, notes, True))
    if methods:
        cells.append(_method_cell(methods, language))
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index:04d}"
    merged.cells = cells
    nbformat.validate(merged)  # the whole notebook at once (the fast validator)
    return merged


def _output_markup(output: nbformat.NotebookNode) -> str:
    """An output as HTML: its own HTML, else its Markdown rendered, else escaped text."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    data = output.get("data", {})
    if "text/html" in data:
        return "".join(data["text/html"])
    if "text/markdown" in data:
        return markdown2html_mistune("".join(data["text/markdown"]))
    if output.get("output_type") == "stream":
        return f"<p>{html.escape(''.join(output.get('text', '')))}</p>"
    return f"<p>{html.escape(''.join(data.get('text/plain', '')))}</p>"


def _method_cell(methods: list[tuple[str, list, bool]], language: str) -> nbformat.NotebookNode:
    """The method notes of every section, one closed ``<details>`` each, as one output
    (a markdown cell would end an HTML block at the first blank line); the notes of a
    simulated section carry the mark and ``data-source="simulated"``."""
    mark = html.escape(t("reports.demo.mark", language))

    def part(title: str, notes: list, simulated: bool) -> str:
        body = "".join(_output_markup(o) for cell in notes for o in cell.outputs)
        if not simulated:
            return f"<h3>{html.escape(title)}</h3>{body}"
        return (
            f'<div class="report-simulated-notes" data-source="simulated">'
            f'<h3>{html.escape(title)}</h3><p class="simulated-mark">{mark}</p>{body}</div>'
        )

    inner = "".join(part(*item) for item in methods)
    summary_key = "reports.method_summary_one" if len(methods) == 1 else "reports.method_summary"
    markup = (
        f'<h2 id="section-method" class="report-section">'
        f"{html.escape(t('reports.method', language))}</h2>"
        f'<details class="analysis-details analysis-method"><summary>'
        f"{html.escape(t(summary_key, language, n=len(methods)))}</summary>"
        f"{inner}</details>"
    )
    return _code_cell(
        [nbformat.from_dict({"output_type": "display_data", "data": {"text/html": markup},
                             "metadata": {}})]
    )  # fmt: skip


@cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="caseload",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        anchor_link_text="",
    )


@cache
def _css() -> str:
    return minify_css((TEMPLATE_DIR / "caseload" / "report.css").read_text(encoding="utf-8"))


def _format_value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _report_resources(sections: list[Section], meta: ReportMeta) -> dict[str, Any]:
    lang = meta.language
    yes, no = t("reports.yes", lang), t("reports.no", lang)
    national = meta.kind == "national"
    title_key = "reports.national.title" if national else "reports.title"
    kicker_key = "reports.national.kicker" if national else "reports.kicker"
    locator = _locator(meta) if meta.comparison_group and not national else ""
    return {
        "title": t(title_key, lang, name=meta.municipality_name),
        "kicker": t(kicker_key, lang, region=meta.region),
        "key_findings": meta.key_findings,
        "national_href": meta.national_href,
        "national_label": t("reports.national.link", lang),
        "committee_href": meta.committee_href,
        "committee_label": t("reports.cm.link", lang, name=meta.municipality_name),
        "municipality_code": meta.municipality_code,
        "language": lang,
        "css": _css() + (_locator_css() if locator else "") + print_margin_css(meta, sections),
        "locator": locator,
        "simulated": meta.simulated,
        "simulated_title": t("common.simulated_data", lang),
        "simulated_text": t("common.simulated_banner", lang),
        "simulated_print_mark": css_string(t("reports.demo.print_mark", lang)),
        "facts": [
            (
                t("reports.fact.municipality", lang),
                f"{meta.municipality_name} ({meta.municipality_code})",
            ),
            (t("reports.fact.region", lang), meta.region),
            (t("reports.fact.language", lang), t("reports.language_name", lang)),
        ],
        "toc_title": t("reports.toc", lang),
        "provenance_title": t("reports.provenance", lang),
        "provenance_summary": t("reports.provenance_summary", lang),
        "provenance": [
            (t("reports.prov.commit", lang), meta.git_commit),
            (t("reports.prov.package", lang), meta.package_version),
            (
                t("reports.prov.simulated", lang),
                t("reports.simulated_yes", lang) if meta.simulated else no,
            ),
            (
                t("reports.prov.personal_data", lang),
                t("reports.prov.personal_data_allowed", lang)
                if meta.allow_personal_data
                else t("reports.prov.personal_data_blocked", lang),
            ),
            (t("reports.prov.small_counts", lang), small_counts_text(meta.count_rule, lang)),
            *([(t("reports.prov.notebooks", lang), meta.notebooks)] if meta.notebooks else []),
        ],
        "parameters_title": t("reports.parameters", lang),
        "parameter_header": [
            t("reports.parameters.section", lang),
            t("reports.parameters.name", lang),
            t("reports.parameters.value", lang),
        ],
        "parameters": [
            (section_title(s, lang), name, _format_value(value))
            for s in sections
            for name, value in sorted(s.parameters.items())
        ],
        "inputs_title": t("reports.inputs", lang),
        "input_header": [
            t("reports.inputs.file", lang),
            t("reports.inputs.sha256", lang),
            t("reports.inputs.simulated", lang),
        ],
        "inputs": [
            {
                "file": row["file"],
                "sha256": (row.get("sha256") or "")[:16],
                "simulated": bool(row.get("simulated")),
                "simulated_text": yes if row.get("simulated") else no,
            }
            for row in meta.inputs
        ],
        "timestamp_line": t(
            "reports.timestamp",
            lang,
            timestamp=meta.timestamp,
            seconds=format_number(meta.seconds, lang, decimals=1),
        ),
        "package_version": meta.package_version,
    }


def _locator(meta: ReportMeta) -> str:
    """The page header's small map: the municipality and its comparison group (a page
    without the benchmark has no group, and no map)."""
    from analysis.reports.maps import locator_map

    return locator_map(
        meta.municipality_code,
        meta.comparison_group,
        meta.municipality_name,
        meta.comparison_label,
        meta.language,
    )


def _locator_css() -> str:
    from analysis.reports.maps import locator_css

    return "\n" + minify_css(locator_css())


def page_counter(language: str) -> str:
    """The page number for a margin box: ``"Side " counter(page) " af " counter(pages)``
    from the label ``reports.print.page``."""
    parts = t("reports.print.page", language, page="\0page\0", pages="\0pages\0").split("\0")
    return " ".join(
        f"counter({part})" if index % 2 else css_string(part)
        for index, part in enumerate(parts)
        if part
    )


def documents_only(sections: list[Section]) -> bool:
    """Whether the page's corpus holds only documents, no interviews (as notebook 01
    recorded its top themes), so that the corpus is named as the documents."""
    from analysis.reports.records import PageHeadlines

    for section in sections:
        themes = recorded_scrap(section.notebook, "top_themes")
        if themes:
            return PageHeadlines.from_scraps({"top_themes": themes}).documents_only
    return False


def print_margin_css(meta: ReportMeta, sections: list[Section] = ()) -> str:
    """The page's printed sheets: its name, the data with their date and source
    (:func:`analysis.reports.datasource.source_line`) at the bottom left of every sheet,
    the page number and the number of pages at the bottom right (CSS page-margin boxes,
    which Chromium prints since version 131; styled in report.css)."""
    from analysis.reports.datasource import source_line

    sources = source_line(meta.inputs, meta.language, documents_only=documents_only(sections))
    left = " · ".join(x for x in (meta.municipality_name, sources) if x)
    return (
        f"\n@page {{ @bottom-left {{ content: {css_string(left)}; }} "
        f"@bottom-right {{ content: {page_counter(meta.language)}; }} }}\n"
    )


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (for ``content:`` in the print style): every
    other character as a hex escape closed by a space (CSS reads one space after an
    escape as its end, so a space of the text that follows one is kept)."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;–-()%'" else f"\\{ord(ch):x} " for ch in text
    )
    return f'"{escaped}"'


def small_counts_text(rule: dict[str, Any] | None, language: str) -> str:
    """The footer's line on small counts: the interview corpus's setting (and the rule a
    confidential corpus gets by default), and the registers' rule."""
    registers = t("reports.prov.small_counts_registers", language, threshold=SMALL_COUNT_THRESHOLD)
    if not rule:
        return registers
    default = int(rule.get("default_threshold", SMALL_COUNT_THRESHOLD))
    if rule.get("confidentiality") == "published":
        corpus = t("reports.prov.small_counts_published", language, default=default)
    else:
        corpus = t(
            "reports.prov.small_counts_confidential",
            language,
            threshold=int(rule.get("threshold", default)),
            default=default,
        )
    return f"{corpus} {registers}"


def _slug(text: str) -> str:
    slug = re.sub(r"[\W_]+", "-", text.strip().lower(), flags=re.UNICODE).strip("-")
    return slug or "section"


_HEADING = re.compile(r"<(h[234])((?:\s[^>]*)?)>(.*?)</\1>", re.DOTALL)
_ID = re.compile(r"""\sid=(["'])(.*?)\1""")
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_TOC_PLACEHOLDER = "<!--TOC-->"


#: heading levels the table of contents lists (2: one line per section, so it stays short;
#: the parts of the method demonstration, h3, are listed under it)
TOC_DEPTH = 2
_DEMO_PART = "report-demo-part"


def add_table_of_contents(
    html_text: str, title: str, extra: tuple[tuple[str, str], ...] = ()
) -> str:
    """Give every h2-h4 in the report body a unique id and list those down to
    :data:`TOC_DEPTH` in the TOC, then the ``extra`` (id, text) entries (the footer).

    The page is large (figures are embedded), so headings are found with one targeted
    pattern over the body instead of parsing the whole document."""
    head, marker, rest = html_text.partition('<main class="report-body">')
    if not marker or _TOC_PLACEHOLDER not in head:
        return html_text
    seen: set[str] = set()
    entries: list[tuple[int, str, str]] = []

    def rewrite(match: re.Match[str]) -> str:
        tag, attrs, inner = match.groups()
        inner = _ANCHOR.sub("", inner)
        text = html.unescape(_TAG.sub("", inner)).strip()
        found = _ID.search(attrs)
        base = found.group(2) if found else _slug(text)
        ident = unique_name(base, seen)
        listed = int(tag[1]) <= TOC_DEPTH or _DEMO_PART in attrs
        entries.append((int(tag[1]) if listed else 9, ident, text))
        attrs = _ID.sub("", attrs)
        return f'<{tag}{attrs} id="{html.escape(ident)}">{inner}</{tag}>'

    body = _HEADING.sub(rewrite, rest)
    shown = [e for e in entries if e[0] < 9] + [(2, i, x) for i, x in extra]
    return head.replace(_TOC_PLACEHOLDER, _toc_markup(shown, title), 1) + marker + body


def _toc_markup(entries: list[tuple[int, str, str]], title: str) -> str:
    """Nested ordered lists of (level, id, text): deeper headings nest under the last
    shallower one (a skipped level nests as if it were the next)."""
    root: list = []
    stack: list[tuple[int, list]] = [(1, root)]
    for level, ident, text in entries:
        while len(stack) > 1 and stack[-1][0] >= level:
            stack.pop()
        children: list = []
        stack[-1][1].append((ident, text, children))
        stack.append((level, children))

    def render(items: list) -> str:
        if not items:
            return ""
        inner = "".join(
            f'<li><a href="#{html.escape(i)}">{html.escape(x)}</a>{render(kids)}</li>'
            for i, x, kids in items
        )
        return f"<ol>{inner}</ol>"

    return f'<p class="report-toc-title">{html.escape(title)}</p>' + render(root)


def report_html(sections: list[Section], meta: ReportMeta) -> str:
    """The report page as a string (self-contained HTML)."""
    merged = combine(sections, meta.language, name=meta.municipality_name)
    resources_ = {
        "report": _report_resources(sections, meta),
        "language_code": meta.language,
        "metadata": {"name": f"{meta.municipality_code}"},
    }
    exporter = _exporter()
    exporter.language_code = meta.language
    body, _ = exporter.from_notebook_node(merged, resources=resources_)
    page = trim_markup(add_table_of_contents(body, t("reports.toc", meta.language)))
    # never an exception, an unfilled placeholder or "enhed(er)" in front of a reader
    check_reader_text(page, f"the page of {meta.municipality_name} ({meta.municipality_code})")
    return page


EXTERNAL_RESOURCE = re.compile(
    r"""<(?:script|img|link|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
    flags=re.IGNORECASE,
)


def external_resources(html: str) -> list[str]:
    """Places where a page would load something from the network (should be none)."""
    return [m.group(0) for m in EXTERNAL_RESOURCE.finditer(html)]
