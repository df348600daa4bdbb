"""No HTML in the analysis areas (issue 23): ``qual``, ``quant``, ``benchmark`` and
``mixed`` return pandas objects, dataclasses and plain texts; the markup a page shows is
built in ``analysis.reports`` (``reports.html``) or by ``analysis.nb``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import analysis

PACKAGE = Path(analysis.__file__).resolve().parent
AREAS = ("qual", "quant", "benchmark", "mixed")
#: an HTML element (opening or closing tag) or a character reference
HTML = re.compile(
    r"</?(a|abbr|aside|b|blockquote|br|code|details|div|em|figure|figcaption|h[1-6]|i|img|li|"
    r"ol|p|section|small|span|strong|summary|sup|sub|table|tbody|td|th|thead|tr|ul)\b[^<>]*>"
    r"|&(lt|gt|amp|quot|nbsp|#\d+|#x[0-9a-fA-F]+);",
    re.IGNORECASE,
)


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes (they may describe markup; they do not build it)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def html_in(source: str) -> list[str]:
    """Where ``source`` builds HTML: string literals (f-strings' parts too) with a tag or a
    character reference, the ``html`` module, and HTML escaping (``nb.escape``)."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            if HTML.search(node.value):
                found.append(f"line {node.lineno}: {node.value[:60]!r}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names]
            if "html" in names or getattr(node, "module", None) == "html":
                found.append(f"line {node.lineno}: imports html")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "escape"
            and not (isinstance(node.value, ast.Name) and node.value.id == "re")
        ):
            found.append(f"line {node.lineno}: HTML escaping")
    return found


def _modules() -> list[Path]:
    return sorted(p for area in AREAS for p in (PACKAGE / area).rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_html_in_the_analysis_areas(path):
    assert html_in(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_markup():
    """The check is not empty: the builders that lived in mixed and benchmark are found."""
    planted = '''
import html
def f(x):
    """A <table> in a docstring is fine."""
    return f'<span class="jd-theme">{html.escape(x)}</span>' + "&lt;0.001" + nb.escape(x)
'''
    found = html_in(planted)
    # the import, the two tags, the character reference and the two escapes
    assert len(found) == 6, found
    assert not any("docstring" in f for f in found)
