"""Trust III, section 3: the exit sees every kind of output.

Every kind of content a file leaving the project can hold is listed in :data:`KINDS`,
with the writer of :mod:`analysis.publish` it goes out through. Each carries the planted
personal data (a listed name and a CPR number) and must come out without it: masked
(text, attributes, ids, comments, scripts, styles, notebook fields, scrapbook scraps,
CSV, XML, archive members) or refused (a picture that draws it, or one whose drawn text
the gate cannot read: a picture cannot be pseudonymised after it is drawn). With the
policy ``stop`` every masked kind raises instead.

The kinds are checked against the lists the libraries themselves keep, so a new one fails
here until it is covered: the MIME types IPython displays, scrapbook's encoders, the
output and cell types and cell fields of the nbformat schema, the writers of
``analysis.publish`` and its archive member kinds. A notebook holding every kind at once
is then read string by string after the exit: no string anywhere in it may hold the data.
"""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis import publish
from analysis.privacy import PersonalDataError, PrivacyPolicy, find_personal_data

NAMES = ("Jakob Jensen",)
PLANT = "Jakob Jensen 010203-1234"
POLICY = PrivacyPolicy(names=NAMES)
STOP = PrivacyPolicy(mode="stop", names=NAMES)


# --- what a written file holds ----------------------------------------------------------------


def _strings(value: object) -> list[str]:
    """Every string in a JSON value; a pandas scrap decoded from its Parquet."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if key == "id":  # a cell's random id (eight hex digits may all be digits)
                continue
            if isinstance(item, dict) and item.get("encoder") == "pandas":
                frame = pd.read_parquet(io.BytesIO(base64.b64decode(item["data"])))
                out.append(frame.reset_index().to_csv())
            out += [key, *_strings(item)]
        return out
    return []


def _found(text: str) -> list[str]:
    """The personal data a written file still holds (a notebook: in every string)."""
    try:
        texts = _strings(json.loads(text))
    except ValueError:
        texts = [text]
    texts += [
        base64.b64decode(m.group(1)).decode("utf-8", "replace")
        for t in texts
        for m in re.finditer(r"data:text/plain;base64,([A-Za-z0-9+/=]+)", t)
    ]
    return [f.text for t in texts for f in find_personal_data(t, NAMES)]


def _png(texts: list[str] | None) -> bytes:
    """A PNG; with the record of drawn text nb.figure_png writes, or without any."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots(figsize=(1, 1))
    metadata = {"Software": None}
    if texts is not None:
        metadata[publish.DRAWN_TEXT_KEY] = json.dumps(texts)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata=metadata)
    plt.close(fig)
    return buffer.getvalue()


def _b64(data: bytes | str) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def _parquet(frame: pd.DataFrame) -> str:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow")
    return _b64(buffer.getvalue())


SVG = f'<svg xmlns="http://www.w3.org/2000/svg"><!-- {PLANT} --><path d="M 0 0"/></svg>'


# --- the kinds -------------------------------------------------------------------------------


def _html(markup: str) -> Callable[[Path, PrivacyPolicy], str]:
    def write(tmp: Path, policy: PrivacyPolicy) -> str:
        publish.publish_html(tmp / "page.html", f"<html><body>{markup}</body></html>", policy)
        return (tmp / "page.html").read_text(encoding="utf-8")

    return write


def _notebook(
    cell: dict | None = None, outputs: list | None = None, metadata: dict | None = None
) -> Callable[[Path, PrivacyPolicy], str]:
    def write(tmp: Path, policy: PrivacyPolicy) -> str:
        nb = nbformat.v4.new_notebook()
        nb.metadata.update(metadata or {})
        code = nbformat.v4.new_code_cell("x = 1")
        code.outputs = [nbformat.from_dict(o) for o in outputs or []]
        nb.cells = [nbformat.from_dict(cell) if cell else code]
        publish.publish_notebook(tmp / "n.ipynb", nb, policy)
        return (tmp / "n.ipynb").read_text(encoding="utf-8")

    write.parts = (cell, outputs or [])  # type: ignore[attr-defined]
    return write


def _display(mime: str, value: object) -> Callable[[Path, PrivacyPolicy], str]:
    return _notebook(outputs=[{"output_type": "display_data", "data": {mime: value},
                               "metadata": {}}])  # fmt: skip


def _scrap(encoder: str, data: object) -> Callable[[Path, PrivacyPolicy], str]:
    mime = f"application/scrapbook.scrap.{encoder}+json"
    record = {"name": "scrap", "data": data, "encoder": encoder, "version": 1}
    return _display(mime, record)


def _text(tmp: Path, policy: PrivacyPolicy, keep_length: bool = False) -> str:
    publish.publish_text(tmp / "t.txt", f"Borger: {PLANT}.", policy, keep_length=keep_length)
    return (tmp / "t.txt").read_text(encoding="utf-8")


def _csv(tmp: Path, policy: PrivacyPolicy) -> str:
    frame = pd.DataFrame({"quote": [PLANT], PLANT: [1]})
    publish.publish_csv(tmp / "t.csv", frame, policy)
    return (tmp / "t.csv").read_text(encoding="utf-8")


def _echo(tmp: Path, policy: PrivacyPolicy) -> str:
    import contextlib

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        publish.echo_csv(pd.DataFrame({"quote": [PLANT]}), policy)
    return out.getvalue()


XML = (
    f'<?xml version="1.0" encoding="utf-8"?><Project name="{PLANT}" origin="{PLANT}">'
    f"<!-- {PLANT} --><Description>{PLANT}</Description></Project>"
).encode()


def _xml(tmp: Path, policy: PrivacyPolicy) -> str:
    publish.publish_xml(tmp / "t.xml", XML, policy)
    return (tmp / "t.xml").read_text(encoding="utf-8")


def _member(kind: str, data: bytes) -> Callable[[Path, PrivacyPolicy], str]:
    def write(tmp: Path, policy: PrivacyPolicy) -> str:
        info = zipfile.ZipInfo("Sources/member.txt" if kind != "xml" else "project.qde")
        publish.publish_archive(tmp / "a.zip", [(info, data, kind)], policy)
        with zipfile.ZipFile(tmp / "a.zip") as archive:
            return archive.read(info.filename).decode("utf-8", "replace")

    return write


ATTRIBUTES = ["title", "alt", "aria-label", "placeholder", "summary", "label", "value",
              "content", "href", "cite", "data-source", "data-anything-new", "onclick",
              "style", "class", "name", "lang", "xlink:href"]  # fmt: skip

#: kind -> (writer, what must happen: "masked" or "refused")
KINDS: dict[str, tuple[Callable[[Path, PrivacyPolicy], str], str]] = {
    "html: text": (_html(f"<p>{PLANT}</p>"), "masked"),
    **{f"html: attribute {a}": (_html(f'<a {a}="{PLANT}">x</a>'), "masked") for a in ATTRIBUTES},
    "html: meta content": (_html(f'<meta name="author" content="{PLANT}">'), "masked"),
    "html: id and fragment link": (
        _html('<h2 id="jakob-jensen">x</h2><a href="#jakob-jensen">y</a>'), "masked"),
    "html: comment": (_html(f"<!-- {PLANT} -->"), "masked"),
    "html: script JSON": (
        _html(f'<script type="application/json">{{"who": "{PLANT}"}}</script>'), "masked"),
    "html: script": (_html(f'<script>var who = "{PLANT}";</script>'), "masked"),
    "html: style": (_html(f'<style>.x::before {{ content: "{PLANT}"; }}</style>'), "masked"),
    "html: data: URL of text": (
        _html(f'<a href="data:text/plain;base64,{_b64(PLANT)}">x</a>'), "masked"),
    "html: inline svg": (_html(SVG), "refused"),
    "html: picture without a record": (
        _html(f'<img src="data:image/png;base64,{_b64(_png(None))}">'), "refused"),
    "html: picture drawing personal data": (
        _html(f'<img src="data:image/png;base64,{_b64(_png([PLANT]))}">'), "refused"),
    "html: jpeg picture": (_html('<img src="data:image/jpeg;base64,/9j/4AAQ">'), "refused"),
    "html: embedded file": (
        _html('<a href="data:application/octet-stream;base64,AAAA">x</a>'), "refused"),
    "notebook: code cell source": (_notebook({"cell_type": "code", "source": PLANT,
                                              "metadata": {}, "outputs": [],
                                              "execution_count": None}), "masked"),
    "notebook: markdown cell source": (
        _notebook({"cell_type": "markdown", "source": PLANT, "metadata": {}}), "masked"),
    "notebook: raw cell source": (
        _notebook({"cell_type": "raw", "source": PLANT, "metadata": {}}), "masked"),
    "notebook: cell metadata": (_notebook({"cell_type": "markdown", "source": "x",
                                           "metadata": {"tags": [PLANT]}}), "masked"),
    "notebook: metadata": (_notebook(metadata={"papermill": {"parameters": {"who": PLANT}}}),
                           "masked"),
    "notebook: attachment": (_notebook({"cell_type": "markdown", "source": "![x](attachment:a)",
                                        "metadata": {},
                                        "attachments": {"a": {"image/png": _b64(_png(None))}}}),
                             "refused"),
    "notebook: stream output": (
        _notebook(outputs=[{"output_type": "stream", "name": "stdout", "text": PLANT}]),
        "masked"),
    "notebook: error output": (
        _notebook(outputs=[{"output_type": "error", "ename": PLANT, "evalue": PLANT,
                            "traceback": [PLANT]}]), "masked"),
    "notebook: execute_result": (
        _notebook(outputs=[{"output_type": "execute_result", "execution_count": 1,
                            "data": {"text/plain": PLANT}, "metadata": {"who": PLANT}}]),
        "masked"),
    "notebook: output of an unknown type": (
        _notebook(outputs=[{"output_type": "new_kind", "text": PLANT}]), "masked"),
    "mime: text/plain": (_display("text/plain", PLANT), "masked"),
    "mime: text/html": (_display("text/html", f'<td title="{PLANT}">{PLANT}</td>'), "masked"),
    "mime: text/markdown": (_display("text/markdown", PLANT), "masked"),
    "mime: text/latex": (_display("text/latex", PLANT), "masked"),
    "mime: application/json": (_display("application/json", {"who": [PLANT]}), "masked"),
    "mime: application/javascript": (_display("application/javascript", f'"{PLANT}"'),
                                     "masked"),
    "mime: image/png without a record": (_display("image/png", _b64(_png(None))), "refused"),
    "mime: image/png drawing personal data": (_display("image/png", _b64(_png([PLANT]))),
                                              "refused"),
    "mime: image/jpeg": (_display("image/jpeg", "/9j/4AAQSkZJRg=="), "refused"),
    "mime: image/svg+xml": (_display("image/svg+xml", SVG), "refused"),
    "mime: application/pdf": (_display("application/pdf", _b64("%PDF-1.4")), "refused"),
    "mime: unknown text": (_display("text/x-new", PLANT), "masked"),
    "mime: unknown JSON": (_display("application/x-new+json", {"a": {"b": PLANT}}), "masked"),
    "mime: unknown picture": (_display("image/x-new", _b64("new")), "refused"),
    "scrap: text": (_scrap("text", PLANT), "masked"),
    "scrap: json": (_scrap("json", {"rows": [{"source_id": PLANT}]}), "masked"),
    "scrap: display": (_scrap("display", {"data": {"text/plain": PLANT}, "metadata": {}}),
                       "masked"),
    "scrap: pandas": (_scrap("pandas", _parquet(pd.DataFrame(
        {"source_id": ["borger-010203-1234"], PLANT: [1]},
        index=pd.Index([PLANT], name="who")))), "masked"),
    "file: text": (_text, "masked"),
    "file: text keeping positions": (lambda t, p: _text(t, p, keep_length=True), "masked"),
    "file: csv": (_csv, "masked"),
    "file: csv to standard output": (_echo, "masked"),
    "file: xml": (_xml, "masked"),
    "archive: xml member": (_member("xml", XML), "masked"),
    "archive: text member": (_member("text", PLANT.encode()), "masked"),
    "archive: text member keeping positions": (_member("text-keep-length", PLANT.encode()),
                                               "masked"),
    "archive: binary member": (_member("binary", _png(None)), "refused"),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_of_output_leaves_without_personal_data(kind, tmp_path):
    write, expected = KINDS[kind]
    if expected == "refused":
        with pytest.raises(PersonalDataError, match=r"picture|cannot read"):
            write(tmp_path, POLICY)
        assert not [p for p in tmp_path.iterdir() if not p.name.startswith(".")], "nothing written"
        return
    written = write(tmp_path, POLICY)
    assert _found(written) == []
    assert any(mark in written for mark in ("[NAVN A]", "navn-a", "XXXXX", "[CPR]")) or (
        "W05BVk4gQV0" in written or "%5BNAVN" in written
    ), "the gate masked it (not dropped it)"


@pytest.mark.parametrize("kind", [k for k, (_, e) in KINDS.items() if e == "masked"])
def test_stop_refuses_every_kind(kind, tmp_path):
    write, _ = KINDS[kind]
    with pytest.raises(PersonalDataError):
        write(tmp_path, STOP)


@pytest.mark.parametrize("kind", list(KINDS))
def test_allow_lets_every_kind_through(kind, tmp_path):
    write, _ = KINDS[kind]
    assert write(tmp_path, PrivacyPolicy(mode="allow", names=NAMES)) is not None


def test_a_figure_drawn_by_nb_figure_leaves_as_it_is(tmp_path):
    import matplotlib.pyplot as plt

    from analysis import nb

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.set_title(PLANT)
    ax.set_xticks([0, 1], labels=["Jakob Jensens sag", "Ledelse"])
    png = _b64(nb.figure_png(fig, policy=POLICY))
    plt.close(fig)
    page = _html(f'<img src="data:image/png;base64,{png}" alt="x">')(tmp_path, POLICY)
    assert png in page
    drawn = json.loads(publish.png_texts(base64.b64decode(png))[publish.DRAWN_TEXT_KEY])
    assert "[NAVN A]s sag" in drawn and "[NAVN A] [CPR]" in drawn


def test_a_link_still_finds_its_target():
    page = _html('<h2 id="jakob-jensen">x</h2><a href="#jakob-jensen">y</a>')
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        written = page(Path(folder), POLICY)
    assert 'id="navn-a"' in written and 'href="#navn-a"' in written


# --- the universe of kinds, from the libraries ------------------------------------------------


def _tested(prefix: str) -> set[str]:
    return {k.split(": ", 1)[1].split(" ")[0] for k in KINDS if k.startswith(prefix)}


def test_every_mime_type_ipython_displays_is_a_tested_kind():
    from IPython.core.formatters import DisplayFormatter

    displayed = set(DisplayFormatter().formatters)
    assert displayed <= set(publish.MIME_KINDS), "a MIME type the exit does not know"
    assert displayed <= _tested("mime: "), "a MIME type without a test here"


def test_every_scrapbook_encoder_is_a_tested_kind():
    import scrapbook.encoders

    encoders = set(scrapbook.encoders.registry)
    assert encoders == set(publish.SCRAP_ENCODERS)
    assert encoders <= _tested("scrap: ")


def test_every_output_and_cell_type_and_cell_field_of_the_notebook_format_is_covered():
    from importlib import resources

    schema = json.loads((resources.files("nbformat.v4") / "nbformat.v4.schema.json").read_text())
    definitions = schema["definitions"]
    outputs = {definitions[r["$ref"].rsplit("/", 1)[1]]["properties"]["output_type"]["enum"][0]
               for r in definitions["output"]["oneOf"]}  # fmt: skip
    assert outputs == {"execute_result", "display_data", "stream", "error"}
    tested = {k.split(": ", 1)[1].split(" ")[0] for k in KINDS if k.startswith("notebook: ")}
    assert {"execute_result", "stream", "error"} <= tested and "display_data" in {
        "display_data" for k in KINDS if k.startswith("mime: ")
    }
    cells = {definitions[f"{c}_cell"]["properties"]["cell_type"]["enum"][0]
             for c in ("code", "markdown", "raw")}  # fmt: skip
    assert cells <= tested
    fields = set().union(*(definitions[f"{c}_cell"]["properties"] for c in cells))
    not_text = {"id", "cell_type", "execution_count"}  # a random id, an enum, a number
    assert fields - not_text == {"metadata", "attachments", "source", "outputs"}
    assert {"cell", "attachment", "metadata"} <= tested


def test_every_writer_of_the_exit_is_a_tested_kind():
    writers = {n for n in dir(publish) if n.startswith(("publish_", "echo_"))}
    covered = {"publish_html", "publish_notebook", "publish_text", "publish_csv", "echo_csv",
               "publish_xml", "publish_archive"}  # fmt: skip
    assert writers == covered, "a new writer of the exit: add its kinds to KINDS"
    assert set(publish.MEMBER_KINDS) == {"xml", "text", "text-keep-length", "binary"}


def test_one_notebook_with_every_kind_holds_no_personal_data_in_any_string(tmp_path):
    outputs, cells = [], []
    for kind, (write, expected) in KINDS.items():
        if expected != "masked" or not kind.startswith(("mime: ", "scrap: ", "notebook: ")):
            continue
        cell, more = write.parts
        outputs += more
        if cell:
            cells.append(cell)
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x = 1")
    code.outputs = [nbformat.from_dict(o) for o in outputs]
    nb.cells = [code, *(nbformat.from_dict(c) for c in cells)]
    nb.metadata["papermill"] = {"parameters": {"who": PLANT}}
    assert len(outputs) >= 15
    publish.publish_notebook(tmp_path / "n.ipynb", nb, POLICY)
    assert _found((tmp_path / "n.ipynb").read_text(encoding="utf-8")) == []


def test_the_count_of_kinds():
    """docs/trust.md gives this number."""
    assert len(KINDS) == 68
