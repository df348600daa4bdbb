"""The corpus: sources (one interview, focus group or written answer each) and segments.

A *source* carries its full text (LF line endings), a content hash of that text and
attributes: ``municipality_code`` (nullable; "Hedeby" is pseudonymised), ``role``,
``department`` (forsoeg/ordinaer), ``period`` (foer/under/efter; nullable), ``round``,
``source_type`` and free provenance attributes. A source of type ``dokument`` (a policy
document, not a person) also has ``author`` (forvaltning/ledelse) and ``year``. A
*segment* is a span of a source (character offsets in code points, end exclusive) - a
quote, a paragraph or a sentence - and is the unit that codes are counted on. A segment
may carry its own ``period`` when a speaker contrasts before and during in one source.

Loaders: plain text (.txt in any encoding ``read_text`` knows), Word (.docx), a folder of
those with a ``sources.csv`` of attributes, and a quote spreadsheet (CSV/XLSX, one row per
quote).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.data.parsing import ParseError, check_office_file, read_text
from analysis.data.reference import resolve_municipality, slugify
from analysis.errors import InputError, InputProblem, ProblemCollector
from analysis.fileio import atomic_write_text
from analysis.paths import get_paths
from analysis.qual.offsets import content_hash, line_spans, normalise_newlines, paragraph_spans
from analysis.qual.spreadsheet import read_table, write_csv, write_xlsx

ROLES = (
    "sagsbehandler",
    "leder",
    "virksomhedskonsulent",
    "borger",
    "direktoer",
    "politiker",
    "oekonomikonsulent",
    "andet",
)
DEPARTMENTS = ("forsoeg", "ordinaer")
PERIODS = ("foer", "under", "efter")
SOURCE_TYPES = (
    "interview",
    "gruppeinterview",
    "fokusgruppe",
    "skriftligt_svar",
    "avisindlaeg",
    "dokument",
)
#: source types that are documents, not persons: never counted under the small-count rule
DOCUMENT_TYPES = ("dokument",)
#: who wrote a document: the administration (forvaltning) or the job centre's management
AUTHORS = ("forvaltning", "ledelse")
#: the attributes of a document source (empty for persons)
DOCUMENT_ATTRIBUTES = ("author", "year")
_YEARS = (1900, 2100)
#: attributes every source has (values may be missing), in display order
ATTRIBUTES = ("municipality_code", "role", "department", "period", "round", "source_type")
#: quote-table columns that describe the quote (segment), not the source
SEGMENT_FIELDS = ("quote_id", "quote", "quote_period", "seed_file", "seed_line", "seed_offset")
SOURCE_COLUMNS = ("source_id", "name", "text", "content_hash", *ATTRIBUTES)
SEGMENT_COLUMNS = (
    "segment_id",
    "source_id",
    "start",
    "end",
    "text",
    "period",
    "seed_file",
    "seed_line",
    "seed_offset",
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_VOCABULARY = {
    "role": ROLES,
    "department": DEPARTMENTS,
    "period": PERIODS,
    "quote_period": PERIODS,
    "source_type": SOURCE_TYPES,
    "author": AUTHORS,
}


@dataclass(frozen=True)
class Corpus:
    """Sources and segments of a qualitative corpus (two DataFrames) and where they came from."""

    sources: pd.DataFrame
    segments: pd.DataFrame
    files: tuple[Path, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.sources)

    def text(self, source_id: str) -> str:
        """The full LF text of one source."""
        match = self.sources.loc[self.sources["source_id"] == source_id, "text"]
        if match.empty:
            raise KeyError(source_id)
        return str(match.iloc[0])

    def texts(self) -> dict[str, str]:
        return dict(zip(self.sources["source_id"], self.sources["text"], strict=True))

    def subset(self, source_ids: Iterable[str]) -> Corpus:
        """The corpus restricted to some sources (order kept)."""
        keep = set(source_ids)
        return Corpus(
            self.sources[self.sources["source_id"].isin(keep)].reset_index(drop=True),
            self.segments[self.segments["source_id"].isin(keep)].reset_index(drop=True),
            self.files,
        )

    def attributes(self) -> pd.DataFrame:
        """One row per source: every column except the text."""
        return self.sources.drop(columns=["text"])

    def segments_with_attributes(self) -> pd.DataFrame:
        """Segments joined with their source's attributes (the segment's period wins)."""
        attrs = self.attributes().drop(columns=["period"]).rename(columns={"name": "source_name"})
        return self.segments.merge(attrs, on="source_id", how="left", validate="many_to_one")


# --- building -------------------------------------------------------------------------


def make_corpus(
    sources: pd.DataFrame, segments: pd.DataFrame, files: Iterable[Path | str] = ()
) -> Corpus:
    """Assemble a corpus from source and segment tables (columns as in the module doc),
    computing hashes and segment texts and checking offsets."""
    src = sources.copy()
    for column in ("name", *ATTRIBUTES):
        if column not in src.columns:
            src[column] = pd.NA
    src["text"] = src["text"].map(normalise_newlines)
    src["content_hash"] = src["text"].map(content_hash)
    src["name"] = [
        n if isinstance(n, str) and n else sid
        for n, sid in zip(src["name"], src["source_id"], strict=True)
    ]
    src["municipality_code"] = src["municipality_code"].astype("Int64")
    src["round"] = src["round"].astype("Int64")
    for column in ("role", "department", "period", "source_type"):
        src[column] = src[column].astype("string")
    if "year" in src.columns:
        src["year"] = pd.to_numeric(src["year"]).astype("Int64")
    if "author" in src.columns:
        src["author"] = src["author"].astype("string")
    extra = [c for c in src.columns if c not in SOURCE_COLUMNS]
    src = src[[*SOURCE_COLUMNS, *extra]].sort_values("source_id", kind="stable")
    src = src.reset_index(drop=True)
    if src["source_id"].duplicated().any():
        dup = sorted(set(src.loc[src["source_id"].duplicated(), "source_id"]))
        raise InputError.single("corpus", "duplicate source ids", found=", ".join(dup))

    seg = segments.copy()
    for column in SEGMENT_COLUMNS:
        if column not in seg.columns:
            seg[column] = pd.NA
    texts = dict(zip(src["source_id"], src["text"], strict=True))
    periods = dict(zip(src["source_id"], src["period"], strict=True))
    problems = ProblemCollector("corpus")
    for row in seg.itertuples(index=False):
        text = texts.get(row.source_id)
        if text is None:
            problems.append(InputProblem("corpus", f"segment {row.segment_id}: unknown source"))
        elif not (0 <= int(row.start) < int(row.end) <= len(text)):
            problems.append(
                InputProblem(
                    "corpus",
                    f"segment {row.segment_id}: offsets outside the source text",
                    expected=f"0 <= start < end <= {len(text)}",
                    found=f"{row.start}..{row.end}",
                )
            )
    problems.raise_if_any()
    seg["start"] = seg["start"].astype("int64")
    seg["end"] = seg["end"].astype("int64")
    spans = zip(seg["source_id"], seg["start"], seg["end"], strict=True)
    seg["text"] = [texts[s][a:b] for s, a, b in spans]
    seg["period"] = seg["period"].astype("string").fillna(seg["source_id"].map(periods))
    seg["period"] = seg["period"].astype("string")
    seg["seed_line"] = pd.to_numeric(seg["seed_line"]).astype("Int64")
    seg["seed_offset"] = pd.to_numeric(seg["seed_offset"]).astype("Int64")
    seg["seed_file"] = seg["seed_file"].astype("string")
    if seg["segment_id"].duplicated().any():
        dup = sorted(set(seg.loc[seg["segment_id"].duplicated(), "segment_id"]))
        raise InputError.single("corpus", "duplicate segment ids", found=", ".join(dup[:10]))
    seg = seg[list(SEGMENT_COLUMNS)].sort_values(["source_id", "start"], kind="stable")
    return Corpus(src, seg.reset_index(drop=True), tuple(Path(f) for f in files))


def concat(corpora: Iterable[Corpus]) -> Corpus:
    """One corpus from several (source and segment ids must stay unique)."""
    items = list(corpora)
    if not items:
        return make_corpus(_empty_sources(), _empty_segments())
    sources = pd.concat([c.sources for c in items], ignore_index=True)
    segments = pd.concat([c.segments for c in items], ignore_index=True)
    files = tuple(f for c in items for f in c.files)
    return make_corpus(sources.drop(columns=["content_hash"]), segments, files)


def segment_spans(text: str, segment_by: str = "paragraph") -> list[tuple[int, int]]:
    """Default segments of a plain text: paragraphs (blank-line separated) or lines."""
    if segment_by == "paragraph":
        return paragraph_spans(text)
    if segment_by == "line":
        return line_spans(text)
    raise ValueError(f"segment_by must be 'paragraph' or 'line', got {segment_by!r}")


def source_from_text(
    source_id: str,
    text: str,
    attributes: Mapping[str, object] | None = None,
    *,
    segment_by: str = "paragraph",
    file: Path | str | None = None,
) -> Corpus:
    """A one-source corpus from a text; segments are its paragraphs (or lines)."""
    _check_id(source_id, file or "corpus", "source_id")
    text = normalise_newlines(text)
    record = {"source_id": source_id, "text": text, **dict(attributes or {})}
    spans = segment_spans(text, segment_by)
    segments = pd.DataFrame(
        {
            "segment_id": [f"{source_id}-{i:03d}" for i in range(1, len(spans) + 1)],
            "source_id": source_id,
            "start": [a for a, _ in spans],
            "end": [b for _, b in spans],
        }
    )
    return make_corpus(pd.DataFrame([record]), segments, [file] if file else [])


# --- loaders ----------------------------------------------------------------------------


def load_text_source(
    path: Path | str,
    source_id: str | None = None,
    attributes: Mapping[str, object] | None = None,
    *,
    segment_by: str = "paragraph",
) -> Corpus:
    """One .txt file as one source (UTF-8 with/without BOM, UTF-16, cp1252; CRLF -> LF)."""
    path = Path(path)
    try:
        raw, _ = read_text(path)
    except (ParseError, OSError) as exc:
        raise InputError.single(path, str(exc)) from None
    return source_from_text(
        source_id or slugify(path.stem), raw, attributes, segment_by=segment_by, file=path
    )


def docx_text(path: Path | str) -> str:
    """The paragraphs of a Word document (tables too), one paragraph per blank-line block."""
    import docx

    try:
        check_office_file(path, scan_xml=False)  # a zip bomb would exhaust memory
    except ParseError as exc:
        raise InputError.single(path, str(exc), expected="a .docx file") from None
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for broken files
        raise InputError.single(path, f"cannot read as .docx: {exc}") from None
    blocks = [_paragraph_text(p._p) for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            blocks.extend(
                "\n".join(_paragraph_text(p._p) for p in cell.paragraphs) for cell in row.cells
            )
    return "\n\n".join(normalise_newlines(b).strip() for b in blocks if b.strip())


#: Word elements whose runs are not part of the final text: tracked deletions, the old
#: place of moved text, and paragraphs of their own inside a run (text boxes)
_NOT_FINAL = frozenset({"del", "moveFrom", "p", "txbxContent"})


def _paragraph_text(paragraph: object) -> str:
    """The final text of a Word paragraph: its runs, including tracked insertions
    (``w:ins``), moved-to text, fields, content controls and hyperlinks; not tracked
    deletions (``w:del``) nor the old place of moved text (python-docx's
    ``Paragraph.text`` reads direct runs and hyperlinks only, so an insertion the author
    tracked was lost)."""
    from docx.oxml.ns import qn

    run_tag = qn("w:r")
    parts = []
    for run in paragraph.iter(run_tag):  # type: ignore[attr-defined]
        ancestor = run.getparent()
        while ancestor is not None and ancestor is not paragraph:
            if ancestor.tag.rsplit("}", 1)[-1] in _NOT_FINAL:
                break
            ancestor = ancestor.getparent()
        if ancestor is paragraph:
            parts.append(run.text)
    return "".join(parts)


def load_docx_source(
    path: Path | str,
    source_id: str | None = None,
    attributes: Mapping[str, object] | None = None,
) -> Corpus:
    """One Word document as one source; each non-empty paragraph is a segment."""
    path = Path(path)
    return source_from_text(source_id or slugify(path.stem), docx_text(path), attributes, file=path)


def load_source_folder(folder: Path | str, *, segment_by: str = "paragraph") -> Corpus:
    """Every .txt/.docx in ``folder`` (or its ``sources/`` subfolder) as a source, with
    attributes from ``sources.csv`` (column ``source_id`` = file stem, or ``file``)."""
    folder = Path(folder)
    text_dir = folder / "sources" if (folder / "sources").is_dir() else folder
    files = sorted(
        p for p in text_dir.iterdir() if p.suffix.lower() in {".txt", ".docx"} and p.is_file()
    )
    attributes: dict[str, dict[str, object]] = {}
    table_path = folder / "sources.csv"
    inputs: list[Path] = []
    if table_path.is_file():
        table = read_table(table_path)
        if "source_id" not in table.columns:
            raise InputError.single(table_path, "missing column", column="source_id")
        records = _parse_attributes(table, table_path)
        for record in records:
            attributes[str(record["source_id"])] = record
        inputs.append(table_path)
    corpora = []
    for path in files:
        sid = path.stem if _ID.match(path.stem) else slugify(path.stem)
        attrs = {k: v for k, v in attributes.get(sid, {}).items() if k != "source_id"}
        attrs.pop("file", None)
        if path.suffix.lower() == ".docx":
            corpora.append(load_docx_source(path, sid, attrs))
        else:
            corpora.append(load_text_source(path, sid, attrs, segment_by=segment_by))
    missing = sorted(set(attributes) - {c.sources["source_id"].iloc[0] for c in corpora})
    if missing:
        raise InputError.single(
            table_path, "sources listed without a text file", found=", ".join(missing)
        )
    corpus = concat(corpora)
    return Corpus(corpus.sources, corpus.segments, (*inputs, *corpus.files))


def load_quote_table(path: Path | str) -> Corpus:
    """A quote spreadsheet (CSV/XLSX): one row per quote with its source's attributes.

    Required columns: ``source_id``, ``quote``. Optional: ``quote_id``, ``name``, the
    attributes (``municipality_code``, ``role``, ``department``, ``period``, ``round``,
    ``source_type``), ``quote_period`` (the period this quote speaks about), provenance
    (``seed_file``, ``seed_line``, ``seed_offset``) and any other source attribute. A
    source's text is its quotes in row order, separated by a blank line. Source
    attributes must be the same on every row of a source.
    """
    path = Path(path)
    table = read_table(path)
    missing = [c for c in ("source_id", "quote") if c not in table.columns]
    if missing:
        raise InputError.single(
            path, "missing columns", expected="source_id, quote", found=", ".join(table.columns)
        )
    problems = ProblemCollector(path)
    for index, quote in table["quote"].items():
        text = normalise_newlines(quote).strip()
        if not text:
            problems.append(_problem(path, index, "quote", "empty quote"))
        elif re.search(r"\n[ \t]*\n", text):
            problems.append(
                _problem(path, index, "quote", "a quote may not contain an empty line; split it")
            )
        table.at[index, "quote"] = text
    records = _parse_attributes(table, path, problems)
    source_fields = [c for c in table.columns if c not in SEGMENT_FIELDS]
    sources: dict[str, dict[str, object]] = {}
    first_row: dict[str, int] = {}
    for index, record in zip(table.index, records, strict=True):
        sid = str(record["source_id"])
        if sid not in sources:
            sources[sid] = {k: record[k] for k in source_fields}
            first_row[sid] = index
            continue
        for column in source_fields:
            if not _same(sources[sid][column], record[column]):
                problems.append(
                    _problem(
                        path,
                        index,
                        column,
                        f"source {sid} has another value on row {first_row[sid] + 2}",
                        expected=repr(sources[sid][column]),
                        found=record[column],
                    )
                )
    if "quote_id" in table.columns:
        ids = table["quote_id"]
        for index in ids[ids.duplicated(keep="first") & (ids != "")].index:
            problems.append(_problem(path, index, "quote_id", "duplicate quote id"))
        for index, value in ids[ids != ""].items():
            if not _ID.match(value):
                problems.append(
                    _problem(path, index, "quote_id", "bad id", expected="letters, digits, _.-")
                )
    problems.raise_if_any(f"{len(problems)} problem(s) in {path}")

    source_rows, segment_rows = [], []
    texts: dict[str, list[str]] = {sid: [] for sid in sources}
    for index, record in zip(table.index, records, strict=True):
        sid = str(record["source_id"])
        parts = texts[sid]
        start = sum(len(p) + 2 for p in parts)
        quote = str(table.at[index, "quote"])
        parts.append(quote)
        given_id = record.get("quote_id") or ""
        segment_rows.append(
            {
                "segment_id": given_id or f"{sid}-{len(parts):03d}",
                "source_id": sid,
                "start": start,
                "end": start + len(quote),
                "period": record.get("quote_period"),
                "seed_file": record.get("seed_file"),
                "seed_line": record.get("seed_line"),
                "seed_offset": record.get("seed_offset"),
            }
        )
    for sid, attrs in sources.items():
        source_rows.append({**attrs, "text": "\n\n".join(texts[sid])})
    return make_corpus(pd.DataFrame(source_rows), pd.DataFrame(segment_rows), [path])


def load_corpus(path: Path | str | None = None) -> Corpus:
    """The corpus at ``path``: a quote table (.csv/.xlsx), a folder (its ``quotes.csv``
    if present, else its text files), a .txt or a .docx. Default: the demo corpus in
    ``data/raw/interviews/quotes.csv``."""
    target = Path(path) if path is not None else get_paths().interviews / "quotes.csv"
    if target.is_dir():
        if (target / "quotes.csv").is_file():
            return load_quote_table(target / "quotes.csv")
        return load_source_folder(target)
    suffix = target.suffix.lower()
    if suffix in {".csv", ".xlsx", ".xlsm"}:
        return load_quote_table(target)
    if suffix == ".txt":
        return load_text_source(target)
    if suffix == ".docx":
        return load_docx_source(target)
    if not target.exists():
        raise InputError.single(target, "corpus not found")
    raise InputError.single(
        target, "unknown corpus format", expected="a folder, .csv, .xlsx, .txt or .docx"
    )


# --- selecting and writing ------------------------------------------------------------------


def select_sources(
    corpus: Corpus, municipality: int | None, *, fallback_to_all: bool = False
) -> tuple[Corpus, str]:
    """The sources of one municipality (``None`` = all). Returns the corpus and its scope:
    ``"municipality"``, ``"all"`` or ``"fallback"`` (none for the municipality, so all
    sources are used because ``fallback_to_all`` asked for it) or ``"empty"``."""
    if municipality is None:
        return corpus, "all"
    codes = corpus.sources["municipality_code"]
    ids = corpus.sources.loc[codes.eq(int(municipality)).fillna(False), "source_id"]
    if len(ids):
        return corpus.subset(ids), "municipality"
    if fallback_to_all:
        return corpus, "fallback"
    return corpus.subset([]), "empty"


def is_document(sources: pd.DataFrame) -> pd.Series:
    """True for the sources that are documents (``source_type`` dokument), False for the
    ones that stand for persons - also where the type is missing, so that a source of
    unknown type is counted as carefully as a person."""
    if "source_type" not in sources.columns:
        return pd.Series(False, index=sources.index)
    kinds = sources["source_type"].astype("string")
    return kinds.isin(DOCUMENT_TYPES).fillna(False).astype(bool)


def quote_table(corpus: Corpus) -> pd.DataFrame:
    """The corpus as a quote table (one row per segment, source attributes repeated)."""
    seg = corpus.segments.rename(
        columns={"segment_id": "quote_id", "text": "quote", "period": "quote_period"}
    )
    attrs = corpus.attributes().drop(columns=["content_hash"])
    table = seg.merge(attrs, on="source_id", how="left")
    same = table["quote_period"].astype("string").eq(table["period"].astype("string")).fillna(False)
    table.loc[same, "quote_period"] = pd.NA
    front = ["quote_id", "source_id", "name", *ATTRIBUTES, "quote_period"]
    extra = [c for c in attrs.columns if c not in front]
    prov = ["seed_file", "seed_line", "seed_offset"]
    return table[[*front, *[c for c in extra if c not in prov], *prov, "quote"]]


def write_quote_table(corpus: Corpus, path: Path | str) -> Path:
    """Write the corpus as a quote table (.csv or .xlsx); formulas are neutralised."""
    table = quote_table(corpus)
    if Path(path).suffix.lower() == ".xlsx":
        return write_xlsx(table, path, sheet="quotes")
    return write_csv(table, path)


def write_source_folder(corpus: Corpus, folder: Path | str) -> Path:
    """Write ``sources.csv`` and ``sources/<source_id>.txt`` (UTF-8, LF) into ``folder``."""
    folder = Path(folder)
    for row in corpus.sources.itertuples(index=False):
        atomic_write_text(folder / "sources" / f"{row.source_id}.txt", row.text)
    write_csv(corpus.attributes().drop(columns=["content_hash"]), folder / "sources.csv")
    return folder


# --- attribute parsing --------------------------------------------------------------------


def _parse_attributes(
    table: pd.DataFrame, path: Path, problems: ProblemCollector | None = None
) -> list[dict[str, object]]:
    """Typed attribute records, one per row (every row, so they line up with the table);
    problems are collected (or raised)."""
    own = problems is None
    problems = ProblemCollector(path) if problems is None else problems
    records = []
    memo: dict[tuple[str, str], object] = {}
    for index, row in table.iterrows():
        record: dict[str, object] = {}
        for column, raw in row.items():
            value = str(raw).strip()
            key = (column, value)
            if key in memo and column != "source_id":
                record[column] = memo[key]
                continue
            before = len(problems)
            record[column] = _parse_value(column, value, path, index, problems)
            if len(problems) == before:
                memo[key] = record[column]
        records.append(record)
    if own:
        problems.raise_if_any(f"{len(problems)} problem(s) in {path}")
    return records


def _parse_value(
    column: str, value: str, path: Path, index: int, problems: ProblemCollector
) -> object:
    if column in {"source_id"}:
        if not _ID.match(value):
            problems.append(
                _problem(path, index, column, "bad source id", expected="letters, digits, _.-")
            )
        return value
    if value == "":
        return pd.NA
    if column == "municipality_code":
        code = resolve_municipality(value)
        if code is None:
            problems.append(
                _problem(path, index, column, "unknown municipality", expected="a code such as 101")
            )
            return pd.NA
        return code
    if column in {"round", "seed_line", "seed_offset", "year"}:
        if not (value.isdecimal() and len(value) <= 18):  # int("²") fails; int64 column
            problems.append(_problem(path, index, column, f"not a whole number: {value!r}"))
            return pd.NA
        if column == "year" and not _YEARS[0] <= int(value) <= _YEARS[1]:
            problems.append(
                _problem(
                    path, index, column, "not a year", expected="a year such as 2018", found=value
                )
            )
            return pd.NA
        return int(value)
    if column in _VOCABULARY:
        allowed = _VOCABULARY[column]
        if value not in allowed:
            problems.append(
                _problem(path, index, column, "unknown value", expected=", ".join(allowed))
            )
            return pd.NA
    return value


def _problem(
    path: Path | str,
    index: int,
    column: str,
    message: str,
    expected: str | None = None,
    found: object = None,
) -> InputProblem:
    return InputProblem(
        str(path),
        message,
        row=int(index) + 2,
        column=column,
        expected=expected,
        found=None if found is None else str(found),
    )


def _same(a: object, b: object) -> bool:
    a_missing, b_missing = _missing(a), _missing(b)
    if a_missing or b_missing:
        return a_missing and b_missing
    return a == b


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _check_id(value: str, file: Path | str, column: str) -> None:
    if not _ID.match(value):
        raise InputError.single(file, "bad id", column=column, expected="letters, digits, _.-")


def _empty_sources() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ("source_id", "text")})


def _empty_segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment_id": pd.Series(dtype="object"),
            "source_id": pd.Series(dtype="object"),
            "start": pd.Series(dtype="int64"),
            "end": pd.Series(dtype="int64"),
        }
    )
