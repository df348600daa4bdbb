"""One self-contained HTML page per municipality from its executed notebooks.

The executed notebooks become sections of one page: notebook markdown cells, the
parameter cells, code, prompts, stderr and scrapbook payloads are left out; what remains
is what the notebooks displayed through :mod:`analysis.nb`. The page gets a title, the
facts (municipality, region, language), a table of contents, and a footer with
provenance: code version, package version, parameters, data files with hashes, the
simulated-data flag, the personal-data switch and one marked timestamp line (the only
line that differs between two runs on the same inputs).
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

from analysis.formatting import format_number
from analysis.labels import label_table, t
from analysis.paths import SMALL_COUNT_THRESHOLD

DROP_TAGS = {"parameters", "injected-parameters", "remove-in-report", "remove_cell"}
SCRAP_MIME = "application/scrapbook.scrap."
TEMPLATE_DIR = Path(str(resources.files("analysis.reports") / "templates"))


@dataclass(frozen=True)
class Section:
    """One executed notebook, shown as a section of the report."""

    key: str  # notebook stem, e.g. "03_benchmark_scorecard"
    notebook: nbformat.NotebookNode
    parameters: dict[str, Any] = field(default_factory=dict)


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


def _keep_output(output: nbformat.NotebookNode) -> bool:
    if output.get("output_type") == "stream":
        return output.get("name") != "stderr"
    if output.get("output_type") in {"display_data", "execute_result"}:
        data = output.get("data", {})
        return any(not key.startswith(SCRAP_MIME) for key in data)
    return True


def _clean_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    if cell.cell_type != "code" or DROP_TAGS & set(cell.metadata.get("tags", [])):
        return None
    outputs = [o for o in cell.get("outputs", []) if _keep_output(o)]
    if not outputs:
        return None
    clean = nbformat.v4.new_code_cell(source="", outputs=outputs)
    clean.metadata = {}
    clean.id = f"c{len(outputs)}"  # ids are not shown; keep them stable
    return clean


def section_title(section: Section, language: str) -> str:
    """The section's title: its label, else the notebook's title, else its file name."""
    key = f"reports.section.{section.key}"
    if key in label_table():
        return t(key, language)
    title = section.notebook.metadata.get("title")
    return str(title) if title else section.key.replace("_", " ")


def combine(sections: list[Section], language: str) -> nbformat.NotebookNode:
    """Merge executed notebooks into one notebook holding only what readers see."""
    merged = nbformat.v4.new_notebook()
    merged.metadata = {"language_info": {"name": "python"}}
    cells = []
    for section in sections:
        heading = nbformat.v4.new_markdown_cell(
            f'<h2 id="section-{_slug(section.key)}" class="report-section">'
            f"{html.escape(section_title(section, language))}</h2>"
        )
        cells.append(heading)
        for cell in section.notebook.cells:
            clean = _clean_cell(cell)  # builds a new cell; the executed one stays as is
            if clean is not None:
                cells.append(clean)
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index:04d}"
    merged.cells = cells
    return merged


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
    return (TEMPLATE_DIR / "caseload" / "report.css").read_text(encoding="utf-8")


def _format_value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _report_resources(sections: list[Section], meta: ReportMeta) -> dict[str, Any]:
    lang = meta.language
    yes, no = t("reports.yes", lang), t("reports.no", lang)
    return {
        "title": t("reports.title", lang, name=meta.municipality_name),
        "kicker": t("reports.kicker", lang, region=meta.region),
        "municipality_code": meta.municipality_code,
        "language": lang,
        "css": _css(),
        "simulated": meta.simulated,
        "simulated_title": t("common.simulated_data", lang),
        "simulated_text": t("common.simulated_banner", lang),
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
            (
                t("reports.prov.small_counts", lang),
                t("reports.prov.small_counts_text", lang, threshold=SMALL_COUNT_THRESHOLD),
            ),
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


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w]+", "-", text.strip().lower(), flags=re.UNICODE).strip("-")
    return slug or "section"


_HEADING = re.compile(r"<(h[234])((?:\s[^>]*)?)>(.*?)</\1>", re.DOTALL)
_ID = re.compile(r"""\sid=(["'])(.*?)\1""")
_ANCHOR = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_TOC_PLACEHOLDER = "<!--TOC-->"


def add_table_of_contents(html_text: str, title: str) -> str:
    """Give every h2-h4 in the report body a unique id and list them, nested, in the TOC.

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
        ident, n = base, 2
        while ident in seen:
            ident, n = f"{base}-{n}", n + 1
        seen.add(ident)
        entries.append((int(tag[1]), ident, text))
        attrs = _ID.sub("", attrs)
        return f'<{tag}{attrs} id="{html.escape(ident)}">{inner}</{tag}>'

    body = _HEADING.sub(rewrite, rest)
    return head.replace(_TOC_PLACEHOLDER, _toc_markup(entries, title), 1) + marker + body


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
    merged = combine(sections, meta.language)
    resources_ = {
        "report": _report_resources(sections, meta),
        "language_code": meta.language,
        "metadata": {"name": f"{meta.municipality_code}"},
    }
    exporter = _exporter()
    exporter.language_code = meta.language
    body, _ = exporter.from_notebook_node(merged, resources=resources_)
    return add_table_of_contents(body, t("reports.toc", meta.language))


EXTERNAL_RESOURCE = re.compile(
    r"""<(?:script|img|link|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
    flags=re.IGNORECASE,
)


def external_resources(html: str) -> list[str]:
    """Places where a page would load something from the network (should be none)."""
    return [m.group(0) for m in EXTERNAL_RESOURCE.finditer(html)]
