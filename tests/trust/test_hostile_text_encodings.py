"""Text inputs in the wrong encoding, with huge fields, very many columns, shifted rows and
look-alike digits: each is read correctly (the Danish letters æøå come through) or refused
with an InputError that names the file. See docs/trust.md.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analysis.benchmark.clusters import load_clusters, read_partition_file
from analysis.benchmark.klk import load_klk_table
from analysis.benchmark.savings import load_costs
from analysis.data.caseloads import read_caseload_panel
from analysis.data.jobindsats import read_jobindsats_export
from analysis.data.reference import load_municipalities
from analysis.data.statbank import read_statbank_csv
from analysis.errors import InputError
from analysis.qual.codebook import load_codebook, parse_codebook
from analysis.qual.codings import load_codings
from analysis.qual.corpus import load_quote_table, load_text_source

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "qual"))
from qualtest_helpers import TINY_CODEBOOK, tiny_corpus_from  # noqa: E402

RAW = REPO / "data" / "raw"
CODEBOOK = parse_codebook(TINY_CODEBOOK, "tiny.yaml")
CORPUS = tiny_corpus_from({"a": ["Med lavere sagsstamme får jeg mere tid."]})
BIG = 10 * 1024 * 1024  # a 10 MB field

ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "cp1252": lambda text: text.encode("cp1252", errors="replace"),
    "latin-1": lambda text: text.encode("latin-1", errors="replace"),
    "utf-8-bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "utf-16-le-bom": lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
    "utf-16-be-bom": lambda text: b"\xfe\xff" + text.encode("utf-16-be"),
}


def assert_input_error(exc: BaseException, path: Path, *phrases: str) -> None:
    assert isinstance(exc, InputError), f"{type(exc).__name__}: {exc}"
    text = str(exc)
    assert str(path) in text, f"the message does not name {path}: {text[:300]}"
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in {text[:400]}"


def write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --- loaders that accept every encoding -----------------------------------------------------


def _statbank(path: Path) -> None:
    df = read_statbank_csv(path)
    assert list(df["omraade"]) == ["København", "Ærø"]
    assert list(df["municipality_code"]) == [101, 492]
    assert list(df["value"]) == [1.5, 2.0]


def _jobindsats(path: Path) -> None:
    df = read_jobindsats_export(path)
    assert list(df["area"]) == ["Ærø", "København"]
    assert list(df["municipality_code"]) == [492, 101]
    assert set(df["measure"]) == {"antal_personer_paa_oeen"}


def _caseload(path: Path) -> None:
    df = read_caseload_panel(path)
    assert list(df["unit"]) == ["Økonomi-æøå"]
    assert list(df["caseload"]) == [20.5]


def _quotes(path: Path) -> None:
    assert list(load_quote_table(path).segments["text"]) == ["Æble og øl på å"]


def _text(path: Path) -> None:
    assert load_text_source(path, "s1").text("s1") == "Første afsnit: æøå ÆØÅ\n"


def _codings(path: Path) -> None:
    assert list(load_codings(path, CORPUS, CODEBOOK)["memo"]) == ["Bemærkning om å"]


READ_ANY_ENCODING = {
    "statbank": (
        ".csv",
        "OMRÅDE;TID;INDHOLD\nKøbenhavn;2024M01;1,5\nÆrø;2024M01;2\n",
        _statbank,
    ),
    "jobindsats_csv": (
        ".csv",
        "Ledighed\n\nOmråde;Periode;Antal personer på Øen\nÆrø;2024M01;5\nKøbenhavn;2024M01;7\n",
        _jobindsats,
    ),
    "caseload_csv": (
        ".csv",
        "municipality_code;unit;period;caseload\n101;Økonomi-æøå;2024-01;20,5\n",
        _caseload,
    ),
    "quotes_csv": (".csv", "source_id;quote\ns1;Æble og øl på å\n", _quotes),
    "text": (".txt", "Første afsnit: æøå ÆØÅ\n", _text),
    "codings": (
        ".csv",
        "source;start;end;code;coder;memo\na;0;10;sagsstamme;dev_a;Bemærkning om å\n",
        _codings,
    ),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("name", list(READ_ANY_ENCODING))
def test_danish_letters_survive_every_encoding(tmp_path: Path, name: str, encoding: str) -> None:
    suffix, text, check = READ_ANY_ENCODING[name]
    check(write(tmp_path / f"{name}{suffix}", ENCODINGS[encoding](text)))


@pytest.mark.parametrize("name", ["statbank", "caseload_csv", "quotes_csv", "text"])
def test_utf16_without_bom_is_refused_as_binary(tmp_path: Path, name: str) -> None:
    suffix, text, check = READ_ANY_ENCODING[name]
    path = write(tmp_path / f"{name}{suffix}", text.encode("utf-16-le"))
    with pytest.raises(Exception) as info:
        check(path)
    assert_input_error(info.value, path, "looks like a binary file")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("utf-8-bom", b"\xef\xbb\xbfsource_id;quote\ns1;\xe6ble\n"),  # then cp1252 bytes
        ("utf-16-le-bom", b"\xff\xfes\x00;\x00q"),  # odd number of bytes
        ("utf-16-be-bom", b"\xfe\xff\xd8\x00\x00a"),  # a lone surrogate
    ],
)
def test_byte_order_mark_with_broken_text_is_refused(
    tmp_path: Path, name: str, data: bytes
) -> None:
    for suffix, loader in ((".csv", load_quote_table), (".csv", read_statbank_csv)):
        path = write(tmp_path / f"broken{suffix}", data)
        with pytest.raises(Exception) as info:
            loader(path)
        assert_input_error(info.value, path, "byte-order mark but is not valid")
    path = write(tmp_path / "broken.txt", data)
    with pytest.raises(Exception) as info:
        load_text_source(path)
    assert_input_error(info.value, path, "byte-order mark but is not valid")


# --- loaders that require UTF-8 (with or without BOM) -----------------------------------------


def _partition_text() -> str:
    return "municipality,cluster\nKøbenhavn,øst\nÆrø,syd\n"


UTF8_ONLY: dict[str, tuple[str, Callable[[], str], Callable[[Path], object], str]] = {
    "reference": (
        ".csv",
        lambda: (RAW / "reference" / "municipalities.csv").read_text(encoding="utf-8"),
        load_municipalities,
        "cannot read as UTF-8 CSV",
    ),
    "klk": (
        ".csv",
        lambda: (RAW / "benchmark" / "klk_aabenraa_2012.csv").read_text(encoding="utf-8"),
        load_klk_table,
        "cannot read as UTF-8 CSV",
    ),
    "codebook": (
        ".yaml",
        lambda: (RAW / "codebook.yaml").read_text(encoding="utf-8"),
        load_codebook,
        "not UTF-8 text",
    ),
    "costs": (
        ".yaml",
        lambda: (RAW / "benchmark" / "costs.yaml").read_text(encoding="utf-8"),
        load_costs,
        "not UTF-8 text",
    ),
    "clusters": (
        ".yaml",
        lambda: (RAW / "reference" / "clusters.yaml").read_text(encoding="utf-8"),
        load_clusters,
        "not UTF-8 text",
    ),
    "partition_csv": (".csv", _partition_text, read_partition_file, "cannot read the file"),
}


def _same(a: object, b: object) -> bool:
    if isinstance(a, pd.DataFrame):
        return a.equals(b)
    if hasattr(a, "codes") and isinstance(a.codes, pd.DataFrame):  # Codebook
        return a.version == b.version and a.codes.equals(b.codes)
    if hasattr(a, "groups"):  # ClusterConfig: paths differ, contents must not
        return a.groups == b.groups and a.partitions == b.partitions
    return a == b


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("name", list(UTF8_ONLY))
def test_utf8_only_loaders_read_a_bom_and_refuse_the_rest(
    tmp_path: Path, name: str, encoding: str
) -> None:
    suffix, text, loader, message = UTF8_ONLY[name]
    plain = loader(write(tmp_path / f"plain{suffix}", text()))
    path = write(tmp_path / f"{encoding}{suffix}", ENCODINGS[encoding](text()))
    if encoding == "utf-8-bom":
        assert _same(loader(path), plain)
        return
    with pytest.raises(Exception) as info:
        loader(path)
    assert_input_error(info.value, path, message)


def test_bom_reference_table_keeps_the_danish_names(tmp_path: Path) -> None:
    text = (RAW / "reference" / "municipalities.csv").read_text(encoding="utf-8")
    table = load_municipalities(write(tmp_path / "ref.csv", ENCODINGS["utf-8-bom"](text)))
    assert table.set_index("code").loc[[101, 492, 787], "name"].tolist() == [
        "København",
        "Ærø",
        "Thisted",
    ]


# --- huge fields and very many columns --------------------------------------------------------


def test_ten_megabyte_fields(tmp_path: Path) -> None:
    """10 MB in one cell or line: read correctly where a long text is plausible (quotes,
    interview text, memos, a unit name), refused with a clear error by the parsers built
    on the csv module (its field limit is 128 KiB); never a traceback or a hang."""
    big = "æ" + "x" * BIG
    quote = write(tmp_path / "quotes.csv", f"source_id,quote\ns1,{big}\n")
    assert load_quote_table(quote).segments["text"].str.len().tolist() == [BIG + 1]
    text = write(tmp_path / "interview.txt", big + "\n")
    assert len(load_text_source(text, "s1").text("s1")) == BIG + 2
    memo = write(
        tmp_path / "codings.csv", f"source,start,end,code,coder,memo\na,0,5,ledelse,x,{big}\n"
    )
    assert load_codings(memo, CORPUS, CODEBOOK)["memo"].str.len().tolist() == [BIG + 1]
    panel = write(
        tmp_path / "panel.csv", f"municipality_code,unit,period,caseload\n101,{big},2024-01,20\n"
    )
    assert read_caseload_panel(panel)["unit"].str.len().tolist() == [BIG + 1]
    for loader, path in (
        (
            read_statbank_csv,
            write(tmp_path / "statbank.csv", f"OMRÅDE;TID;INDHOLD\n{big};2024M01;1\n"),
        ),
        (read_jobindsats_export, write(tmp_path / "export.csv", f"Område;2024M01\n{big};1\n")),
        (
            read_partition_file,
            write(tmp_path / "partition.csv", f"municipality,cluster\n101,{big}\n"),
        ),
    ):
        with pytest.raises(Exception) as info:
            loader(path)
        assert_input_error(info.value, path, "field larger than field limit")


def test_ten_megabyte_codebook_definition_is_read(tmp_path: Path) -> None:
    big = "ø" * BIG
    text = TINY_CODEBOOK.replace("definition: Ledelsens rolle.", f"definition: {big}")
    book = load_codebook(write(tmp_path / "codebook.yaml", text))
    assert len(book.row("ledelse")["definition_da"]) == BIG


def _wide(columns: list[str], values: list[str], sep: str = ",") -> str:
    return sep.join(columns) + "\n" + sep.join(values) + "\n"


def test_very_many_columns(tmp_path: Path) -> None:
    """2,000 columns: a caseload panel with 2,000 numeric covariates is read; files whose
    header is not the expected one are refused naming the file."""
    extra = [f"covariate_{i}" for i in range(2000)]
    panel = write(
        tmp_path / "panel.csv",
        _wide(
            ["municipality_code", "unit", "period", "caseload", *extra],
            ["101", "all", "2024-01", "20", *["1.5"] * 2000],
        ),
    )
    df = read_caseload_panel(panel)
    assert df.shape == (1, 2004) and df["covariate_1999"].tolist() == [1.5]
    columns = [f"c{i}" for i in range(2000)]
    cases = {
        "statbank": (read_statbank_csv, "missing column TID"),
        "quotes": (load_quote_table, "missing columns"),
        "reference": (load_municipalities, "missing columns"),
        "klk": (load_klk_table, "missing columns"),
        "partition": (read_partition_file, "missing columns"),
        "export": (read_jobindsats_export, "no table header found"),
    }
    for name, (loader, message) in cases.items():
        path = write(
            tmp_path / f"{name}.csv",
            _wide(columns, ["1"] * 2000, ";" if name == "statbank" else ","),
        )
        with pytest.raises(Exception) as info:
            loader(path)
        assert_input_error(info.value, path, message)


# --- rows with one field more than the header ----------------------------------------------------


def test_rows_longer_than_the_header_are_refused_not_shifted(tmp_path: Path) -> None:
    """pandas silently makes the first column the index when every data row has one field
    more than the header: values slide one column to the left and the first is lost.
    (Before the fix a caseload panel whose header lacked one name loaded with every column
    shifted, and a quote table lost its source ids.)"""
    cases = {
        "caseload": (
            read_caseload_panel,
            "unit,municipality_code,period,caseload,cases\nteam-a,all,101,2024-01,20,1\n",
        ),
        "quotes": (load_quote_table, "source_id,quote\ns1,first quote,LOST\n"),
        "codings": (
            lambda p: load_codings(p, CORPUS, CODEBOOK),
            "source,start,end,code,coder,memo\na,a,0,10,ledelse,x,\n",
        ),
        "reference": (
            load_municipalities,
            "code,name,slug,region\n101,101,København,koebenhavn,Hovedstaden\n",
        ),
        "klk": (
            load_klk_table,
            (RAW / "benchmark" / "klk_aabenraa_2012.csv")
            .read_text(encoding="utf-8")
            .replace("\n", ",\n")  # a trailing comma on every line ...
            .replace(",\n", "\n", 1),  # ... but the header
        ),
    }
    for name, (loader, text) in cases.items():
        path = write(tmp_path / f"{name}.csv", text)
        with pytest.raises(Exception) as info:
            loader(path)
        assert_input_error(info.value, path, "more fields than the header")


# --- digits that are not ASCII digits -----------------------------------------------------------


def test_superscript_and_huge_numbers_are_refused(tmp_path: Path) -> None:
    """``"²".isdigit()`` is True but ``int("²")`` fails; a 23-digit number overflows an
    int64 column. Both used to escape as ValueError/OverflowError tracebacks."""
    cases = [
        (
            lambda p: load_codings(p, CORPUS, CODEBOOK),
            "source,start,end,code,coder,memo\na,²,10,ledelse,x,\n",
            "not a whole number",
        ),
        (load_quote_table, "source_id,quote,seed_line\ns1,hej,²\n", "not a whole number"),
        (load_quote_table, f"source_id,quote,round\ns1,hej,{'9' * 30}\n", "not a whole number"),
        (load_quote_table, "source_id,quote,municipality_code\ns1,hej,²\n", "unknown municipality"),
        (read_statbank_csv, "OMRÅDE;TID;INDHOLD\n²;2024M01;1\n", "unknown area"),
        (
            read_caseload_panel,
            f"municipality_code,unit,period,caseload\n{'9' * 23},all,2024-01,20\n",
            "unknown municipality",
        ),
        (
            load_klk_table,
            (RAW / "benchmark" / "klk_aabenraa_2012.csv")
            .read_text(encoding="utf-8")
            .replace(",118,127\n", ",118,²\n", 1),
            "missing source line",
        ),
        (
            load_klk_table,
            (RAW / "benchmark" / "klk_aabenraa_2012.csv")
            .read_text(encoding="utf-8")
            .replace("\n1,", f"\n{'9' * 30},", 1),
            "not a table number",
        ),
    ]
    for number, (loader, text, message) in enumerate(cases):
        path = write(tmp_path / f"case{number}.csv", text)
        with pytest.raises(Exception) as info:
            loader(path)
        assert_input_error(info.value, path, message)
