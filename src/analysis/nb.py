"""Display helpers for the notebooks: the one place that decides how a heading, a table,
a figure or a recorded result looks in JupyterLab and in the HTML reports.

Notebook cells stay thin: ``nb.heading(...)``, ``nb.table(df, name=...)``,
``nb.figure(fig, alt=...)``, ``nb.glue(name, value)``. Everything a report reader sees is
emitted through these helpers in the report language (markdown cells are researcher
notes and are left out of the HTML reports).

Determinism matters (reruns must give byte-identical HTML): tables get a fixed id instead
of pandas' random one, figures are rendered to PNG with fixed settings and no metadata.
"""

from __future__ import annotations

import html
import io
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.fileio import sha256_file
from analysis.formatting import MISSING, right_align_figures, separators
from analysis.images import FIGURE_COLOURS, quantize_png
from analysis.labels import check_language, t
from analysis.paths import ProjectPaths, get_paths

if TYPE_CHECKING:
    from analysis.privacy import PrivacyPolicy

FIGURE_DPI = 110

#: glue names every notebook may record, read by the report pipeline
GLUE_INPUTS = "inputs"
GLUE_SIMULATED = "simulated"


#: third-party modules whose FutureWarning and DeprecationWarning the notebooks do not
#: show (notes for those packages' maintainers about their own dependencies); warnings
#: from any other code, the researcher's own included, are shown as usual
QUIET_MODULES = (
    "pyfixest", "wildboottest", "formulaic", "statsmodels", "linearmodels", "seaborn",
    "spacy", "thinc", "weasel", "scrapbook", "papermill", "nbformat", "jupyter_client",
)  # fmt: skip

#: the report's style sheet, which JupyterLab loads through :func:`setup`
REPORT_CSS = Path(__file__).resolve().parent / "reports" / "templates" / "caseload" / "report.css"
#: the element JupyterLab renders each output in: the report's rules apply inside it only
LAB_SCOPE = ".jp-OutputArea-output"
#: rows shown per page of an interactive table
LAB_PAGE_ROWS = 15

_LAB: dict[str, Any] = {"interactive": False, "language": "da"}


def setup(language: str = "da", *, interactive: bool | None = None) -> None:
    """Configure plotting and pandas once per notebook, the same way everywhere.

    ``interactive`` (default: in a kernel a Jupyter server started, i.e. JupyterLab;
    :func:`analysis.cache.exploring`): show the report's styles in the notebook, make
    every table sortable, searchable and paged (DataTables, bundled with ``itables``,
    loaded from the package: no network), and show a line for every result computed for
    the first time. The report batch runs without it, so its pages stay static and
    unchanged; a notebook reopened untrusted still shows every table, as plain HTML."""
    import matplotlib as mpl
    import seaborn as sns

    from analysis.cache import exploring

    check_language(language)
    quiet = rf"^({'|'.join(QUIET_MODULES)})(\.|$)"
    for category in (FutureWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", category=category, module=quiet)
    sns.set_theme(context="notebook", style="whitegrid")
    mpl.rcParams.update(
        {
            "figure.dpi": FIGURE_DPI,
            "savefig.dpi": FIGURE_DPI,
            "figure.figsize": (7.5, 4.0),
            "svg.hashsalt": "caseload",
            "axes.formatter.use_locale": False,
            "font.family": "DejaVu Sans",
        }
    )
    pd.set_option("display.max_columns", 50)
    pd.set_option("display.width", 120)
    _LAB.update(interactive=exploring() if interactive is None else bool(interactive))
    _LAB.update(language=language)
    if _LAB["interactive"]:
        html_block(lab_assets())
        _show_progress()


def interactive() -> bool:
    """True after :func:`setup` chose the interactive JupyterLab display."""
    return bool(_LAB["interactive"])


def lab_css(css: str | None = None) -> str:
    """The report's style sheet for JupyterLab: every rule scoped to the notebook's
    outputs (:data:`LAB_SCOPE`), so that the joint display, the simulated-data marks,
    the notes and the tables look as in the report while JupyterLab's own interface
    keeps its style; the page and print rules are left out."""
    import tinycss2

    text = css if css is not None else REPORT_CSS.read_text(encoding="utf-8")
    out = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            scoped = _scoped(tinycss2.serialize(rule.prelude).strip())
            if scoped:
                out.append(f"{scoped} {{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media":
            query = tinycss2.serialize(rule.prelude).strip()
            if "print" in query or rule.content is None:
                continue
            inner = lab_css(tinycss2.serialize(rule.content))
            if inner:
                out.append(f"@media {query} {{\n{inner}\n}}")
    return "\n".join(out)


def _scoped(prelude: str) -> str:
    """The selector list ``prelude`` inside :data:`LAB_SCOPE` ("" to leave it out)."""
    parts = []
    for selector in (part.strip() for part in prelude.split(",")):
        if selector == ":root":  # the report's colours, as variables of the outputs
            parts.append(LAB_SCOPE)
        elif selector == "*" or selector.startswith("body") or "Prompt" in selector:
            continue  # the page itself, and the report's hiding of code and prompts
        elif "jp-Cell-inputWrapper" in selector:
            continue
        elif selector.startswith(".jp-"):
            parts.append(selector)  # written for Jupyter's own output classes already
        else:
            parts.append(f"{LAB_SCOPE} {selector}")
    return ", ".join(parts)


def lab_assets() -> str:
    """What :func:`setup` shows once in JupyterLab: the report's styles
    (:func:`lab_css`) and the DataTables library that ``itables`` bundles (read from
    the installed package and handed to the browser inline: no network), which every
    table's own small script then applies (:func:`table`)."""
    import base64

    from itables import options

    bundle = Path(options.dt_bundle)
    script = base64.b64encode(bundle.read_bytes()).decode("ascii")
    style = base64.b64encode(bundle.with_suffix(".css").read_bytes()).decode("ascii")
    return (
        f'<style class="analysis-lab-style">{lab_css()}\n'
        f"{LAB_SCOPE} .dt-container {{ font-size: 0.92rem; }}</style>"
        '<script type="module">\n'
        "if (!window.analysisDataTables) {\n"
        "  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));\n"
        '  const style = document.createElement("style");\n'
        f'  style.textContent = new TextDecoder().decode(bytes("{style}"));\n'
        "  document.head.appendChild(style);\n"
        f'  const blob = new Blob([bytes("{script}")], {{ type: "text/javascript" }});\n'
        "  window.analysisDataTables = import(URL.createObjectURL(blob));\n"
        "}\n</script>"
    )


def _lab_table_script(token: str, rows: int) -> str:
    """Make the table inside ``[data-lab-table=token]`` sortable, searchable and (over
    :data:`LAB_PAGE_ROWS` rows) paged, in its original order; Danish decimal commas are
    read as numbers."""
    import json

    settings = {
        "order": [],
        "paging": rows > LAB_PAGE_ROWS,
        "pageLength": LAB_PAGE_ROWS,
        "autoWidth": False,
        "language": {"decimal": separators(_LAB["language"])["decimal"]},
    }
    return (
        '<script type="module">\n'
        "(async () => {\n"
        "  if (!window.analysisDataTables) return;\n"
        "  const { ITable } = await window.analysisDataTables;\n"
        f'  const scope = document.querySelectorAll(\'[data-lab-table="{token}"] '
        "table.analysis-table:not(.dataTable)');\n"
        f"  scope.forEach((table) => new ITable(table, {json.dumps(settings)}));\n"
        "})();\n</script>"
    )


class _ProgressLines(logging.Handler):
    """Shows every result computed for the first time as a line in the running cell,
    then how long it took (the cache logs both, :mod:`analysis.cache`)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.open: dict[str, Any] = {}

    def emit(self, record: logging.LogRecord) -> None:
        from IPython.display import display

        name = str(record.args[0]) if record.args else ""
        message = record.getMessage()
        if message.startswith("computing"):
            text = f"… {message}"
            self.open[name] = display({"text/plain": text}, raw=True, display_id=True)
        elif name in self.open and self.open[name] is not None:
            self.open.pop(name).update({"text/plain": f"✓ {message}"}, raw=True)


def _show_progress() -> None:
    logger = logging.getLogger("analysis.cache")
    if not any(isinstance(h, _ProgressLines) for h in logger.handlers):
        logger.addHandler(_ProgressLines())
    logger.setLevel(logging.DEBUG)
    logger.propagate = False


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def escape(text: object) -> str:
    """HTML-escape text that came from data (quotes, names, file contents)."""
    return html.escape(str(text), quote=True)


def heading(text: str, level: int = 3) -> None:
    """A heading; level 3 for a notebook's sections, 4 below (each notebook is a level-2
    section of the report, and levels 2-3 make the table of contents)."""
    from IPython.display import Markdown

    _display(Markdown(f"{'#' * level} {escape(text)}"))


def text(markdown: str) -> None:
    """A paragraph of label text (trusted markdown from the label files)."""
    from IPython.display import Markdown

    _display(Markdown(markdown))


def note(text_: str, kind: str = "info") -> None:
    """A highlighted note, e.g. the simulated-data warning or a skipped model."""
    from IPython.display import HTML

    _display(HTML(f'<div class="analysis-note analysis-note-{escape(kind)}">{escape(text_)}</div>'))


def simulated_banner(language: str = "da") -> None:
    """The label every report section built on simulated data must show."""
    from IPython.display import HTML

    _display(
        HTML(
            '<div class="analysis-note analysis-simulated" data-simulated="true">'
            f"<strong>{escape(t('common.simulated_data', language))}.</strong> "
            f"{escape(t('common.simulated_banner', language))}</div>"
        )
    )


def styled(
    df: pd.DataFrame,
    *,
    name: str,
    language: str = "da",
    precision: int = 1,
    formats: Mapping[str, Any] | None = None,
    caption: str | None = None,
    hide_index: bool = True,
    source: str | None = None,
) -> pd.io.formats.style.Styler:
    """A Styler with a stable id, escaped text and the language's number format.
    ``source`` (``"real"`` or ``"simulated"``) marks where the table's numbers come from
    (``data-source``), e.g. published effects shown inside a method demonstration on
    simulated data are real."""
    sep = separators(language)
    styler = df.style.set_uuid(name)
    styler = styler.format(precision=precision, na_rep=MISSING, escape="html", **sep)
    # headers can come from data too (code labels, names in pivots): escape them as well
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    if formats:
        for column, fmt in formats.items():
            if callable(fmt):  # the Styler escapes a cell before formatting, not what fmt returns
                fmt = _escaped(fmt)
            styler = styler.format(fmt, subset=[column], na_rep=MISSING, escape="html", **sep)
    if hide_index:
        styler = styler.hide(axis="index")
    styler = right_align_figures(styler, df)
    if caption:
        styler = styler.set_caption(escape(caption))
    attributes = f'class="analysis-table" data-table="{escape(name)}"'
    if source is not None:
        attributes += f' data-source="{escape(source)}"'
    return styler.set_table_attributes(attributes)


def _escaped(fmt: Callable[[Any], object]) -> Callable[[Any], str]:
    """``fmt`` whose text is HTML-escaped: a format returns plain text ("<0.001")."""
    return lambda value: escape(fmt(value))


def table_markup(df: pd.DataFrame | pd.io.formats.style.Styler, *, name: str, **kwargs: Any) -> str:
    """The HTML of :func:`table` (a DataFrame formatted by :func:`styled`, or a Styler)."""
    if isinstance(df, pd.DataFrame):
        df = styled(df, name=name, **kwargs)
    return df.to_html()


def table(
    df: pd.DataFrame | pd.io.formats.style.Styler,
    *,
    name: str,
    collapsed: str | None = None,
    **kwargs: Any,
) -> None:
    """Show a table; pass a DataFrame (formatted here) or a ready Styler. ``collapsed``:
    put the table behind a closed ``<details>`` with this summary (long tables a reader
    opens when wanted: every outcome by design, a 0/1 matrix, the codebook).

    In JupyterLab (:func:`setup` with ``interactive``) the same table comes with a script
    that makes it sortable, searchable and paged; without the script (the reports, or a
    notebook reopened untrusted) it is the plain table."""
    markup = table_markup(df, name=name, **kwargs)
    if _LAB["interactive"]:
        import uuid

        token = uuid.uuid4().hex
        rows = len(df.data if hasattr(df, "data") else df)
        markup = f'<div data-lab-table="{token}">{markup}</div>{_lab_table_script(token, rows)}'
    if collapsed is not None:
        markup = details_markup(collapsed, markup)
    html_block(markup)


def markdown_markup(markdown: str) -> str:
    """Label text (trusted markdown) as HTML, to combine with tables in one block."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(markdown)


def collapsed(summary: str, parts: Sequence[str]) -> None:
    """Several pieces of markup (:func:`table_markup`, :func:`markdown_markup`) behind one
    closed ``<details>``: what a reader opens together."""
    html_block(details_markup(summary, "".join(parts)))


def details_markup(summary: str, inner: str, *, open_: bool = False) -> str:
    """``inner`` (trusted markup) behind a native ``<details>`` with an escaped summary."""
    attribute = " open" if open_ else ""
    return (
        f'<details class="analysis-details"{attribute}><summary>{escape(summary)}</summary>'
        f"{inner}</details>"
    )


def collapsed_text(summary: str, markdown: str) -> None:
    """Label text (trusted markdown) behind a closed ``<details>`` with ``summary``."""
    html_block(details_markup(summary, markdown_markup(markdown)))


def html_block(markup: str) -> None:
    """Show markup built by a package function that escaped every data text in it (a
    joint display, a compact KLK table); never pass text from data straight here."""
    from IPython.display import HTML

    _display(HTML(markup))


def show_items(items: Iterable[Any], language: str = "da") -> None:
    """Show a section laid out in page order by a package function: items of ``kind``
    "heading" (level 4), "text", "warning" or "table" (``table``: frame, name, formats;
    ``summary``: the closed ``<details>`` it sits behind, or None)."""
    for item in items:
        if item.kind == "heading":
            heading(item.text, level=4)
        elif item.kind == "warning":
            note(item.text, kind="warning")
        elif item.kind == "text":
            text(item.text)
        elif item.kind == "table":
            part = item.table
            table(
                part.frame,
                name=part.name,
                language=language,
                formats=part.formats,
                collapsed=item.summary,
            )
        else:
            raise ValueError(f"unknown kind of item {item.kind!r} (heading, text, warning, table)")


#: what :func:`figure_png` writes; raise it when that changes, so that cached figures
#: are drawn anew (2: the figure's text is gated and recorded in the PNG; 3: a palette of
#: :data:`FIGURE_COLOURS` colours)
FIGURE_FORMAT = 3
#: a figure's visible caption is its alt text up to this many words; a longer alt text
#: (a chart described value by value) is shortened to its first sentence or clause
CAPTION_WORDS = 40


def figure_policy() -> PrivacyPolicy:
    """The policy for text drawn in figures: the mode and names the door read the corpus
    with in this notebook (:func:`analysis.privacy.door_policy`), together with the
    default names that the exit checks every page with; pseudonymise when no corpus was
    read."""
    from analysis.privacy import PrivacyPolicy, door_policy
    from analysis.publish import output_policy

    default = output_policy()
    door = door_policy()
    if door is None:
        return default
    names = sorted(set(door.names) | set(default.names), key=str.casefold)
    return PrivacyPolicy(mode=door.mode, names=tuple(names))


def _figure_axes(ax: Any) -> list[tuple[str, Any]]:
    return [(n, getattr(ax, f"{n}axis")) for n in "xyz" if hasattr(ax, f"{n}axis")]


def gate_figure_text(fig: Any, policy: PrivacyPolicy) -> list[str]:
    """Pass every text a figure will draw through the personal-data gate, before it is
    drawn: titles, axis labels, tick labels (made by the tick formatters when the figure is
    drawn, so they are made here and, where the gate changes one, fixed), legends,
    annotations and table cells. ``pseudonymise`` changes them in the figure; ``stop``
    raises naming the text. Returns the texts as they will be drawn (for the record
    :func:`figure_png` keeps in the PNG)."""
    from matplotlib.text import Text
    from matplotlib.ticker import FixedFormatter, FixedLocator

    from analysis.privacy import Pseudonymiser, gate_text

    aliases = Pseudonymiser()

    def gate(value: str, where: str) -> str:
        return gate_text(value, policy, where=f"figure, {where}", pseudonymiser=aliases)

    drawn: list[str] = []
    tick_labels: set[int] = set()
    for ax in fig.get_axes():
        for name, axis in _figure_axes(ax):
            for minor in (False, True):
                ticker = axis.minor if minor else axis.major
                locs = list(axis.get_minorticklocs() if minor else axis.get_majorticklocs())
                ticks = (
                    axis.get_minor_ticks(len(locs)) if minor else axis.get_major_ticks(len(locs))
                )
                tick_labels.update(
                    id(label) for tick in ticks for label in (tick.label1, tick.label2)
                )
                if not locs:
                    continue
                labels = [str(label) for label in ticker.formatter.format_ticks(locs)]
                gated = [gate(label, f"{name} tick label") for label in labels]
                offset = ticker.formatter.get_offset()
                if gated != labels:
                    (axis.set_minor_locator if minor else axis.set_major_locator)(
                        FixedLocator(locs)
                    )
                    (axis.set_minor_formatter if minor else axis.set_major_formatter)(
                        FixedFormatter(gated)
                    )
                drawn += [label for label in gated if label]
                if offset:
                    drawn.append(gate(offset, f"{name} offset"))
    for artist in fig.findobj(Text):
        if id(artist) in tick_labels:
            continue
        value = artist.get_text()
        if not value:
            continue
        gated = gate(value, "text")
        if gated != value:
            artist.set_text(gated)
        drawn.append(gated)
    return drawn


def figure_png(
    fig: Any,
    *,
    crop: bool = True,
    policy: PrivacyPolicy | None = None,
    colours: int | None = FIGURE_COLOURS,
) -> bytes:
    """Render a Matplotlib figure to PNG bytes, reproducibly, after its text passed the
    gate (:func:`gate_figure_text` with ``policy``, default :func:`figure_policy`); the
    PNG records the texts it draws (:data:`analysis.publish.DRAWN_TEXT_KEY`), which the
    exit checks. ``crop=False`` keeps the figure's own margins and skips the extra layout
    pass that cropping costs (worth it for a figure with fixed margins drawn once per
    report). ``colours``: the palette (:func:`quantize_png`, :data:`FIGURE_COLOURS`), so
    every figure on a page weighs a third or less of its full-colour PNG; None keeps the
    full colour (for a caller that quantizes in its own way)."""
    import json

    from analysis.publish import DRAWN_TEXT_KEY

    drawn = gate_figure_text(fig, policy if policy is not None else figure_policy())
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        dpi=FIGURE_DPI,
        bbox_inches="tight" if crop else None,
        metadata={"Software": None, DRAWN_TEXT_KEY: json.dumps(drawn, ensure_ascii=False)},
    )
    png = buffer.getvalue()
    return quantize_png(png, colours) if colours else png


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ(])")
_SOURCE = re.compile(r"^(?:Kilde|Kilder|Source|Sources):", re.I)


def short_caption(alt: str, words: int = CAPTION_WORDS) -> str:
    """The visible caption of a figure whose alt text is ``alt``: the whole text when it
    has at most ``words`` words; else its first sentence (or, when that is still longer,
    the sentence up to its first colon), followed by the alt text's last sentence when
    that names the source ("Kilde: ..."). The long description stays the image's alt
    text, where a screen reader finds it."""
    text = " ".join(str(alt).split())
    if len(text.split()) <= words:
        return text
    sentences = _SENTENCE_END.split(text)
    first = sentences[0]
    if len(first.split()) > words and ":" in first:
        first = first.split(":", 1)[0].rstrip() + "."
    if not first.endswith((".", "!", "?")):
        first += "."
    source = sentences[-1] if len(sentences) > 1 and _SOURCE.match(sentences[-1]) else ""
    return f"{first} {source}".strip()


def figure(
    fig: Any,
    *,
    alt: str,
    crop: bool = True,
    collapsed: str | None = None,
    caption: str | None = None,
) -> None:
    """Show a figure (a Matplotlib figure, which is then closed, or PNG bytes from
    :func:`cached_png`) as an embedded PNG with alternative text and a caption:
    ``caption``, else the short form of ``alt`` (:func:`short_caption`), so a figure
    described value by value for a screen reader does not print that description as a
    230-word caption under the picture.

    The output carries both an HTML ``<figure>`` (with alt text and caption, used by the
    reports and by JupyterLab for trusted output) and the plain PNG (used by JupyterLab
    when a saved notebook is reopened untrusted).
    """
    import base64

    from IPython.display import display

    if isinstance(fig, bytes | bytearray):
        png = bytes(fig)
    else:
        import matplotlib.pyplot as plt

        png = figure_png(fig, crop=crop)
        plt.close(fig)
    data = base64.b64encode(png).decode("ascii")
    shown = caption if caption is not None else short_caption(alt)
    markup = (
        f'<figure class="analysis-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{escape(alt)}"/><figcaption>{escape(shown)}</figcaption></figure>'
    )
    if collapsed is not None:  # behind a closed <details>: HTML only, no plain PNG twice
        display({"text/html": details_markup(collapsed, markup), "text/plain": alt}, raw=True)
        return
    display({"text/html": markup, "image/png": data, "text/plain": alt}, raw=True)


def cached_png(
    name: str,
    data: Any,
    build: Callable[[], Any],
    *,
    modules: Sequence[str] = (),
    paths: ProjectPaths | None = None,
) -> bytes:
    """PNG bytes of ``build()``, rendered once per content and kept in the cache
    (:func:`analysis.cache.cached`, one entry per content, bounded with the rest).

    For figures that are the same in many reports (e.g. national estimates shown in every
    municipality's report): the key is the figure's data (a DataFrame or anything
    JSON-serialisable), the source of the plotting ``modules`` and of every package module
    they import (:func:`analysis.cache.module_hash`), the Matplotlib version and the
    figure settings, so any change renders anew.
    """
    import json

    import matplotlib

    from analysis.cache import CacheKey, cached
    from analysis.fileio import sha256_bytes

    if isinstance(data, pd.DataFrame):
        content = pd.util.hash_pandas_object(data, index=True).to_numpy().tobytes()
        content += "|".join(map(str, data.columns)).encode("utf-8")
    else:
        content = json.dumps(data, sort_keys=True, default=str).encode("utf-8")
    policy = figure_policy()  # the figure's text is gated with it: part of the key
    params = {
        "content": sha256_bytes(content),
        "matplotlib": matplotlib.__version__,
        "dpi": FIGURE_DPI,
        "format": FIGURE_FORMAT,
        "policy": [policy.mode, *policy.names],
    }

    def render() -> bytes:
        import matplotlib.pyplot as plt

        fig = build()
        png = figure_png(fig, policy=policy)
        plt.close(fig)
        return png

    key = CacheKey(modules=tuple(modules), params=params)
    return cached(f"figure-{name}", key, render, paths=paths)


def glue(name: str, value: Any) -> None:
    """Record a result for the report pipeline and other notebooks (scrapbook)."""
    import scrapbook as sb

    if isinstance(value, pd.DataFrame):
        sb.glue(name, value, encoder="pandas")
    else:
        sb.glue(name, value, encoder="json")


def describe_inputs(
    paths: Iterable[Path | str], simulated: Iterable[Path | str] = ()
) -> list[dict]:
    """Name, hash and simulated flag of each input file (paths relative to the project)."""
    project = get_paths()
    flagged = {Path(p).resolve() for p in simulated}
    records = []
    for item in paths:
        path = Path(item).resolve()
        shown = path.name  # never an absolute path in a report
        for base in (project.root, project.raw):
            if path.is_relative_to(base):
                shown = str(path.relative_to(base))
                break
        records.append(
            {
                "file": shown,
                "sha256": sha256_file(path) if path.is_file() else None,
                "simulated": path in flagged,
            }
        )
    return sorted(records, key=lambda r: r["file"])


def record_inputs(paths: Iterable[Path | str], simulated: Iterable[Path | str] = ()) -> None:
    """Glue the notebook's inputs (for the report's provenance footer)."""
    records = describe_inputs(paths, simulated)
    glue(GLUE_INPUTS, records)
    glue(GLUE_SIMULATED, any(r["simulated"] for r in records))
