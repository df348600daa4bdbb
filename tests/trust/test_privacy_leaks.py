"""Trust II: personal data in quotes, source attributes and memos never leaves the project.

A corpus whose quotes hold every CPR spelling the hostile tests found missing, whose
source attributes (``name``, ``position``) hold a CPR number and a listed name, and whose
memo holds ``CPR-0102038888``, goes through every writer that sends text out of the
project: ``export-qdpx`` (sources, project.qde), ``reliability --disagreements``,
``autocode``, notebook 01 as the batch runs it, and the report page. None of them may
contain anything the gate finds.
"""

from __future__ import annotations

import argparse
import json
import re
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.privacy import PersonalDataError, PrivacyPolicy, find_personal_data
from analysis.qual.codings import with_hashes, write_codings
from analysis.qual.corpus import make_corpus, write_quote_table

REPO = Path(__file__).resolve().parents[2]
NAMES = ("Jakob Jensen",)
FORMS = [
    "CPR-0102031234",
    "010203–1234",
    "010203\u20111234",
    "01.02.03-1234",
    "010203/1234",
    "010203-1234-sag",
]
QUOTES = [
    f"Borgeren med {form} fik endelig en plan, og sagsstammen var lavere." for form in FORMS
] + [
    "Jakob Jensens sag viste, at vi havde mere tid med lavere sagsstamme.",
    "JAKOB JENSEN og Jensen, Jakob talte med lederen om ressourcer.",
    "Vi havde 25 minutter pr. samtale i 2018-2019.",
]


def _corpus():
    text = "\n\n".join(QUOTES)
    segments, start = [], 0
    for i, quote in enumerate(QUOTES, start=1):
        segments.append({"segment_id": f"p-{i:03d}", "source_id": "p", "start": start,
                         "end": start + len(quote)})  # fmt: skip
        start += len(quote) + 2
    sources = pd.DataFrame(
        [
            {
                "source_id": "p",
                "name": "Interview med Jakob Jensen (CPR 010203-1234)",
                "position": "sagsbehandler, cpr.nr. 020304-5678",
                "municipality_code": 101,
                "role": "sagsbehandler",
                "department": "forsoeg",
                "period": "under",
                "source_type": "interview",
                "text": text,
            }
        ]
    )
    return make_corpus(sources, pd.DataFrame(segments))


def _codings(corpus, coder: str, codes: list[str]) -> pd.DataFrame:
    rows = []
    for segment, code in zip(corpus.segments.itertuples(), codes, strict=False):
        rows.append({"source": "p", "start": segment.start, "end": segment.end, "code": code,
                     "coder": coder, "memo": "CPR-0102038888" if coder == "a" else ""})  # fmt: skip
    return with_hashes(pd.DataFrame(rows), corpus)


@pytest.fixture
def leaky(tmp_path):
    """A quote table, two coders' codings (disagreeing) and a name list, in tmp_path."""
    corpus = _corpus()
    folder = tmp_path / "interviews"
    folder.mkdir()
    quotes = write_quote_table(corpus, folder / "quotes.csv")
    n = len(QUOTES)
    write_codings(_codings(corpus, "a", ["sagsstamme"] * n), folder / "codings_a.csv")
    write_codings(_codings(corpus, "b", ["ledelse"] * n), folder / "codings_b.csv")
    names = folder / "privacy_names.txt"
    names.write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    return quotes, folder, names


_DATA_URL = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
#: the digits of the planted CPR forms; one counts as a leak where it is not part of a
#: longer number, a decimal fraction or a time (papermill records durations such as
#: 0.038888 and start times such as 10:00:00.888812 in every executed notebook)
_DIGITS = ("0102031234", "010203", "0203045678", "020304", "8888")


def _strings(value: object) -> list[str]:
    """The texts of a notebook's JSON that a reader or a program reads: every string, the
    cells of a pandas scrap (decoded from its Parquet); not numbers, picture data nor the
    cells' random ids (eight hex digits, all of them digits in one cell of 40)."""
    if isinstance(value, str):
        return [_DATA_URL.sub("", value)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if not isinstance(value, dict):
        return []
    out = []
    for key, item in value.items():
        if key.startswith("image/") or key == "id":  # pictures; a cell's random id
            continue
        if isinstance(item, dict) and item.get("encoder") == "pandas":
            import base64
            import io

            frame = pd.read_parquet(io.BytesIO(base64.b64decode(item["data"])))
            out.append(frame.reset_index().to_csv())
            item = {k: v for k, v in item.items() if k != "data"}
        out += [key, *_strings(item)]
    return out


def _visible(text: str) -> str:
    """What a written file shows: a notebook's strings (see :func:`_strings`), or any other
    text without its base64 pictures (whose digits can look like anything by chance)."""
    try:
        return "\n".join(_strings(json.loads(text)))
    except ValueError:
        return _DATA_URL.sub("", text)


def _leaks(text: str) -> list[str]:
    """What the gate still finds in written text, and the digits of the CPR forms."""
    text = _visible(text)
    found = [f.text for f in find_personal_data(text, NAMES)]
    found += [d for d in _DIGITS if re.search(rf"(?<![\d.:]){d}(?!\d)", text)]
    found += [n for n in ("Jakob", "JAKOB") if n in text]
    return found


def test_the_leak_check_reads_what_a_reader_reads():
    """Papermill's durations and start times and the digits of a picture are not leaks
    (the check once failed one run in many on "duration": 0.038888); a pandas scrap is
    read, and a planted digit run is found."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"duration": 0.038888, "start_time": "2024-06-01T10:00:00.888812"}
    cell = nbformat.v4.new_code_cell("x = 1")
    picture = "iVBORw0KGgo8888JakobAAAA0102031234AAAA"
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": picture, "text/plain": "fig"})
    ]
    nb.cells = [cell]
    assert _leaks(json.dumps(nb)) == []
    assert _leaks(f'<img src="data:image/png;base64,{picture}">') == []
    assert _leaks('{"a": "serie 8888 og [CPR]"}') == ["8888"]
    assert _leaks("<td>CPR-[CPR] XXXXXX8888</td>") == ["8888"]
    import base64
    import io

    buffer = io.BytesIO()
    pd.DataFrame({"source_id": ["borger-010203-1234"]}).to_parquet(buffer)
    scrap = {
        "application/scrapbook.scrap.pandas+json": {
            "name": "x",
            "data": base64.b64encode(buffer.getvalue()).decode(),
            "encoder": "pandas",
        }
    }
    cell.outputs = [nbformat.v4.new_output("display_data", data=scrap)]
    assert "010203-1234" in _leaks(json.dumps(nb))


def test_the_quote_table_really_holds_the_forms(leaky):
    quotes, _, _ = leaky
    raw = quotes.read_text(encoding="utf-8")
    assert all(form in raw for form in FORMS)
    assert "2018-2019" in raw


def test_export_qdpx_writes_no_personal_data_anywhere(tmp_path, leaky, capsys, qual_env):
    from analysis.qual import cli_export_qdpx

    quotes, _, names = leaky
    parser = argparse.ArgumentParser()
    cli_export_qdpx.configure(parser)
    out = tmp_path / "out.qdpx"
    args = parser.parse_args(
        ["--corpus", str(quotes), "--names", str(names), "--output", str(out),
         "--qdc", str(tmp_path / "book.qdc")]
    )  # fmt: skip
    assert cli_export_qdpx.main(args) == 0
    printed = capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        members = {n: archive.read(n).decode("utf-8") for n in archive.namelist()}
    for name, text in members.items():
        assert _leaks(text) == [], name
    project = members["project.qde"]
    assert "[CPR]" in project and "[NAVN A]" in project  # the attributes and the memo
    assert "2018-2019" in "".join(members.values()), "a year range is not personal data"
    assert "1 source text(s), 2 source attribute(s) and 9 memo(s)" in printed


def test_reliability_disagreements_are_gated(tmp_path, leaky, qual_env):
    from analysis.qual import cli_reliability

    quotes, folder, names = leaky
    parser = argparse.ArgumentParser()
    cli_reliability.configure(parser)
    out = tmp_path / "disagreements.csv"
    args = parser.parse_args(
        [str(folder / "codings_a.csv"), str(folder / "codings_b.csv"), "--corpus", str(quotes),
         "--names", str(names), "--disagreements", str(out), "--output", str(tmp_path / "r.csv")]
    )  # fmt: skip
    assert cli_reliability.main(args) == 0
    written = out.read_text(encoding="utf-8")
    assert "[CPR]" in written, "the disagreements quote the texts"
    assert _leaks(written) == []


def test_reliability_stop_refuses_to_write(tmp_path, leaky, qual_env):
    from analysis.qual import cli_reliability

    quotes, folder, names = leaky
    parser = argparse.ArgumentParser()
    cli_reliability.configure(parser)
    out = tmp_path / "disagreements.csv"
    args = parser.parse_args(
        [str(folder / "codings_a.csv"), str(folder / "codings_b.csv"), "--corpus", str(quotes),
         "--names", str(names), "--disagreements", str(out), "--privacy", "stop"]
    )  # fmt: skip
    with pytest.raises(PersonalDataError, match="personal data found"):
        cli_reliability.main(args)
    assert not out.exists()


def test_autocode_refuses_to_overwrite_its_input(tmp_path, qual_env):
    from analysis.errors import AnalysisError
    from analysis.qual import cli_autocode

    texts = tmp_path / "in.csv"
    texts.write_text("id,text\n1,Vi har en lavere sagsstamme.\n", encoding="utf-8")
    before = texts.read_bytes()
    parser = argparse.ArgumentParser()
    cli_autocode.configure(parser)
    args = parser.parse_args([str(texts), "--output", str(tmp_path / "." / "in.csv")])
    with pytest.raises(AnalysisError, match="one of this command's inputs"):
        cli_autocode.main(args)
    assert texts.read_bytes() == before


def test_autocode_output_is_gated(tmp_path, qual_env):
    from analysis.qual import cli_autocode

    texts = tmp_path / "in.csv"
    texts.write_text("id,text\nJakob Jensen 010203-1234,Vi har en lavere sagsstamme.\n",
                     encoding="utf-8")  # fmt: skip
    names = tmp_path / "names.txt"
    names.write_text("Jakob Jensen\n", encoding="utf-8")
    parser = argparse.ArgumentParser()
    cli_autocode.configure(parser)
    out = tmp_path / "out.csv"
    args = parser.parse_args([str(texts), "--output", str(out), "--names", str(names)])
    # ids are keys: masked ("[NAVN A] [CPR]") they could not be joined back to the texts,
    # so an id holding personal data is refused, naming the row, never the value (issue 19)
    with pytest.raises(InputError) as caught:
        cli_autocode.main(args)
    assert "row 2, column 'id': the id holds personal data" in str(caught.value)
    assert _leaks(str(caught.value)) == [] and not out.exists()


def test_the_last_gate_catches_what_an_analysis_forgot(tmp_path):
    """Writers gate whatever they are given, not only what the analyses pseudonymised."""
    from analysis.publish import publish_csv, publish_html, publish_notebook

    policy = PrivacyPolicy(names=NAMES)
    picture = _recorded_png()
    page = (
        '<html><body><p title="Jakob Jensen">Borger 010203–1234 &amp; Jakob&nbsp;Jensen</p>'
        f'<img src="data:image/png;base64,{picture}" alt="fig"/>'
        "<code>0102031234abcdef01020312</code></body></html>"
    )
    written = publish_html(tmp_path / "p.html", page, policy)
    html_text = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert written.changed == 2
    assert "Borger [CPR] &amp; [NAVN A]" in html_text and 'title="[NAVN A]"' in html_text
    assert picture in html_text, "a figure drawn by nb.figure is left as it is"
    assert "0102031234abcdef01020312" in html_text, "hashes are not CPR numbers"

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="Jakob Jensen\n"),
        nbformat.v4.new_output("display_data", data={"text/html": "<td>010203-1234</td>",
                                                     "text/plain": "010203-1234"}),
        nbformat.v4.new_output("error", ename="PersonalDataError",
                               evalue="name 'Jakob Jensen'", traceback=["Jakob Jensen"]),
    ]  # fmt: skip
    nb.cells = [cell]
    publish_notebook(tmp_path / "n.ipynb", nb, policy)
    assert _leaks((tmp_path / "n.ipynb").read_text(encoding="utf-8")) == []
    nbformat.validate(nbformat.read(tmp_path / "n.ipynb", as_version=4))

    frame = pd.DataFrame({"quote": ["Jakob Jensen 010203-1234"], "n": [1]})
    publish_csv(tmp_path / "t.csv", frame, policy)
    assert (tmp_path / "t.csv").read_text(encoding="utf-8") == "quote,n\n[NAVN A] [CPR],1\n"

    with pytest.raises(PersonalDataError, match=r"p2\.html, text, character 7: CPR number"):
        publish_html(tmp_path / "p2.html", page.replace(' title="Jakob Jensen"', ""),
                     PrivacyPolicy(mode="stop", names=NAMES))  # fmt: skip
    with pytest.raises(PersonalDataError, match=r"p2\.html, attribute, character 0: name"):
        publish_html(tmp_path / "p2.html", page, PrivacyPolicy(mode="stop", names=NAMES))
    assert not (tmp_path / "p2.html").exists()


def _recorded_png() -> str:
    """A figure drawn by nb.figure_png (its text gated and recorded), as base64."""
    import base64

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis import nb

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.set_title("Sagsstamme")
    png = nb.figure_png(fig, policy=PrivacyPolicy(names=NAMES))
    plt.close(fig)
    return base64.b64encode(png).decode("ascii")


@pytest.mark.slow
def test_notebook_01_and_its_report_page_show_no_personal_data(
    tmp_path, leaky, run_notebook, notebook_paths
):
    from analysis.publish import publish_html
    from analysis.reports.export import ReportMeta, Section, report_html

    quotes, _, names = leaky
    executed = run_notebook(
        REPO / "notebooks" / "01_qualitative_themes.ipynb",
        municipality=101,
        corpus_path=str(quotes),
        privacy_names_path=str(names),
        n_exemplars=9,
    )
    text = executed.read_text(encoding="utf-8")
    nb = json.loads(text)
    shown = json.dumps(nb["cells"], ensure_ascii=False)
    assert "[CPR]" in shown, "the exemplar table shows the gated quotes"
    assert _leaks(text) == []
    meta = ReportMeta(municipality_code=101, municipality_name="København",
                      region="Hovedstaden", language="da", inputs=(), simulated=False,
                      git_commit="abc123def456", package_version="0")  # fmt: skip
    page = report_html([Section("01_qualitative_themes", nbformat.reads(text, 4))], meta)
    publish_html(tmp_path / "page.html", page, PrivacyPolicy(names=NAMES))
    assert _leaks((tmp_path / "page.html").read_text(encoding="utf-8")) == []


@pytest.fixture
def qual_env(isolated_paths):
    """Isolated paths with the demo codebook (the commands' default) and no name list, so
    only the names the tests give are masked."""
    import shutil

    shutil.copy2(REPO / "data" / "raw" / "codebook.yaml", isolated_paths.raw / "codebook.yaml")
    return isolated_paths
