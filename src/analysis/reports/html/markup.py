"""The markup a page carries, and no more: style sheets without the spaces and comments
nobody reads, and tables without the ids and classes pandas' Styler gives every cell
that no style refers to (a quarter of a page's markup before). Used on every report
page (:func:`trim_markup`) and on the style sheets copied into each page
(:func:`minify_css`)."""

from __future__ import annotations

import re

_CSS_STRING_OR_COMMENT = re.compile(r'("(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\')|/\*.*?\*/', re.S)
_CSS_PUNCTUATION = re.compile(r"\s*([{};,>])\s*|(:)\s+")


def _minify_code(code: str) -> str:
    code = re.sub(r"\s+", " ", code)
    code = _CSS_PUNCTUATION.sub(lambda m: m.group(1) or m.group(2), code)
    return code.replace(";}", "}")  # the last declaration needs no semicolon


def minify_css(css: str) -> str:
    """``css`` without comments and the spaces nothing reads (strings kept as they are,
    a space between selectors kept): the style sheets are written to be read in the
    repository and are copied into every page (a tenth of a page without figures)."""
    parts, code, last = [], [], 0
    for match in _CSS_STRING_OR_COMMENT.finditer(css):
        code.append(css[last : match.start()])
        if match.group(1):  # a string: as it is
            parts += [_minify_code("".join(code)), match.group(1)]
            code = []
        else:  # a comment: a space, as CSS reads it
            code.append(" ")
        last = match.end()
    code.append(css[last:])
    parts.append(_minify_code("".join(code)))
    return "".join(parts).strip()


_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S)
_EMPTY_STYLE = re.compile(r"<style\b[^>]*>\s*</style>\n?")
#: the id pandas' Styler gives every cell (``T_<table>_row3_col2``, ``..._level0_col2``)
_STYLER_ID = re.compile(r' id="(T_[\w-]+?_(?:row\d+_col\d+|level\d+_(?:col|row)\d+|level\d+))"')
#: the classes it gives them (``data row3 col2``, ``col_heading level0 col2``, ``blank``)
_STYLER_CLASS = re.compile(
    r' class="((?:data|col_heading|row_heading|index_name|blank|col_trim|row_trim)'
    r'(?: (?:level|row|col)\d+)*)((?: [\w-]+)*)"'
)


_NEIGHBOUR_RULES = re.compile(r"([^{}]+)\{([^{}]*)\}([^{}]+)\{\2\}")


def _merge_rules(css: str) -> str:
    """Flat minified rules with neighbours of the same declarations as one rule
    (``a{x}b{x}`` is ``a,b{x}``): pandas writes a rule per selector."""
    merged = _NEIGHBOUR_RULES.sub(r"\1,\3{\2}", css)
    while merged != css:
        css, merged = merged, _NEIGHBOUR_RULES.sub(r"\1,\3{\2}", merged)
    return merged


def trim_markup(page: str) -> str:
    """The page without markup nothing uses: the id and classes pandas' Styler puts on
    every table cell (a quarter of a page's markup) where no style of the page refers to
    them, the spaces and comments of its style blocks, and empty style blocks. Ids a
    style or a link names stay."""
    styles = " ".join(_STYLE_BLOCK.findall(page))
    used_ids = set(re.findall(r"#([\w-]+)", styles)) | set(re.findall(r'href="#([^"]+)"', page))
    used_classes = set(re.findall(r"\.([A-Za-z_][\w-]*)", styles))
    page = _STYLER_ID.sub(lambda m: m.group(0) if m.group(1) in used_ids else "", page)

    def classes(match: re.Match) -> str:
        ours = match.group(2).split()  # classes set on purpose (``num``) always stay
        kept = [c for c in match.group(1).split() if c in used_classes] + ours
        return f' class="{" ".join(kept)}"' if kept else ""

    page = _STYLER_CLASS.sub(classes, page)

    # the tables' own styles (colours, right-aligned figures) as compact as the sheets
    def compact(match: re.Match) -> str:
        start, end = match.start(1) - match.start(), match.end(1) - match.start()
        whole, css = match.group(0), minify_css(match.group(1))
        if css.startswith("#T_"):  # a Styler's flat rules: one rule per declaration
            css = _merge_rules(css)
        return whole[:start] + css + whole[end:]

    page = _STYLE_BLOCK.sub(compact, page)
    return _EMPTY_STYLE.sub("", page)
