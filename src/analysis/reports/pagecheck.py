"""Checks of a built page: what a reader must never see, and where simulated numbers are.

- :func:`reader_text_problems`: exception text (a traceback, ``ValueError: ...``, numpy's
  "operands could not be broadcast", an object's repr ``<... object at 0x...>``), a label
  placeholder that was never filled (``{reference}``), a placeholder plural
  (``enhed(er)``, ``unit(s)``) and a year printed as a number (``2.018``, ``2,018`` in a
  column headed År/Year). :func:`check_reader_text` raises on any, so such a page is
  never published (the batch then reports that page as failed, naming the text).
- :func:`source_marks`: the numbers a page shows from simulated data. Every text with a
  digit inside the method demonstration (the cells :mod:`analysis.reports.export` marks
  ``data-source="simulated"``) must be inside an element with a ``data-source``; the key
  findings must hold none marked simulated.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

from analysis.errors import AnalysisError

#: text that only an exception, a repr or an unfilled label puts on a page
EXCEPTION_TEXT = re.compile(
    r"Traceback \(most recent call last\)"
    r"|\b[A-Z]\w*(?:Error|Exception|Warning): "
    r"|\bError: "
    r"|operands could not be broadcast"
    r"|<[\w.]+ object at 0x[0-9a-fA-F]+>"
    r"|\bobject at 0x[0-9a-fA-F]{6,}"
)
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
PLACEHOLDER_PLURAL = re.compile(r"\b\w+\((?:er|r|e|s|es|ies|n|ne)\)(?!\w)")
_YEAR = re.compile(r"^(?:19|20)\d\d(?:[/-]\d{2}(?:\d{2})?)?$")
_YEAR_HEADERS = {"år", "year"}
_DROP = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


class ReportTextError(AnalysisError):
    """A page would show a reader text it must never see."""


def visible_text(markup: str) -> str:
    """The page's text as a reader gets it: no scripts, styles, tags or attributes (so
    not the base64 of the figures), entities decoded."""
    return html_lib.unescape(_TAG.sub(" ", _DROP.sub(" ", markup)))


def _year_cells(markup: str) -> list[str]:
    """Cells of table columns headed "År"/"Year" whose text is not a year."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(_DROP.sub(" ", markup) or "<p></p>")
    wrong = []
    for table in tree.iter("table"):
        headers = [" ".join(th.text_content().split()).lower() for th in table.iter("th")]
        columns = [i for i, h in enumerate(headers) if h in _YEAR_HEADERS]
        if not columns:
            continue
        for row in table.iter("tr"):
            cells = [c for c in row if c.tag in ("td", "th")]
            for i in columns:
                if i < len(cells) and cells[i].tag == "td":
                    text = " ".join(cells[i].text_content().split())
                    if text not in ("", "–") and not _YEAR.match(text):
                        wrong.append(text)
    return wrong


def reader_text_problems(markup: str) -> list[str]:
    """What a reader of ``markup`` must never see, one line per kind with examples
    (empty when the page is clean)."""
    text = visible_text(markup)
    problems = []
    for kind, pattern in (
        ("exception text", EXCEPTION_TEXT),
        ("an unfilled placeholder", PLACEHOLDER),
        ("a placeholder plural", PLACEHOLDER_PLURAL),
    ):
        found = sorted({m.group(0) for m in pattern.finditer(text)})
        if found:
            problems.append(f"{kind}: {', '.join(repr(f) for f in found[:5])}")
    years = _year_cells(markup)
    if years:
        problems.append(f"a year printed as a number: {', '.join(sorted(set(years))[:5])}")
    return problems


def check_reader_text(markup: str, where: str = "the page") -> None:
    """Raise :class:`ReportTextError` naming what ``markup`` would show a reader that it
    must never see (see :func:`reader_text_problems`)."""
    problems = reader_text_problems(markup)
    if problems:
        raise ReportTextError(
            f"{where} would show text a reader must never see; it was not written: "
            + "; ".join(problems)
        )


@dataclass
class SourceMarks:
    """Where a page's numbers come from (:func:`source_marks`)."""

    simulated_elements: int = 0  # elements carrying data-source="simulated"
    demo_numbers: int = 0  # texts with a digit inside the method demonstration
    unmarked_demo_numbers: list[str] = field(default_factory=list)
    key_findings_simulated: int = 0  # elements marked simulated inside the key findings
    simulated_outside_demo: list[str] = field(default_factory=list)


def _source(element) -> str | None:
    """The ``data-source`` of the element or its nearest ancestor that has one."""
    while element is not None:
        value = element.get("data-source") if hasattr(element, "get") else None
        if value:
            return value
        element = element.getparent()
    return None


_DEMO_CLASSES = {"report-simulated-cell", "report-simulated-notes"}


def _in_demo(element) -> bool:
    """Whether the element is (inside) a cell of the demonstration or the method notes
    of a simulated section."""
    while element is not None:
        if _DEMO_CLASSES & set((element.get("class") or "").split()):
            return True
        element = element.getparent()
    return False


def source_marks(markup: str) -> SourceMarks:
    """Count where the page's numbers come from: every text with a digit inside a cell of
    the method demonstration (``report-simulated-cell``) and whether it sits inside an
    element with a ``data-source``; elements marked simulated in the key findings and
    outside the demonstration (the method notes of a simulated section are marked too)."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(_DROP.sub(" ", markup))
    marks = SourceMarks()
    marks.simulated_elements = len(tree.xpath('//*[@data-source="simulated"]'))
    for finding in tree.xpath('//*[@id="key-findings"]'):
        marks.key_findings_simulated += len(finding.xpath('.//*[@data-source="simulated"]'))
    demo_cells = tree.xpath('//*[contains(concat(" ", @class, " "), " report-simulated-cell ")]')
    for cell in demo_cells:
        for element in cell.iter():
            for text in (element.text, element.tail):
                if not text or not re.search(r"\d", text):
                    continue
                owner = element if text is element.text else element.getparent()
                marks.demo_numbers += 1
                if _source(owner) is None:
                    marks.unmarked_demo_numbers.append(text.strip()[:60])
    for element in tree.xpath('//*[@data-source="simulated"]'):
        if not _in_demo(element):
            marks.simulated_outside_demo.append(element.tag)
    return marks
