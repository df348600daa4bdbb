"""Parsing primitives shared by every loader: periods, Danish numbers, text files.

Danish downloads mix conventions: decimal commas and thousands dots (``1.234,5``),
``-`` or ``..`` for suppressed values, month codes ``2024M01``, quarters ``2024K1`` or
``2024Q1``, years ``2024``, semicolon separators and Windows-1252 text. Every loader
goes through these functions so the rules are the same everywhere.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import InputError

#: Text that means "no value" in Danish statistics downloads (suppressed or missing).
MISSING_TOKENS = frozenset({"", "-", "..", "...", ".", "x", "X", "NA", "N/A", "nan", "NaN", "None"})

_MONTH = re.compile(r"^(\d{4})\s*[Mm-]\s*(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*[KkQq]\s*([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
_DANISH_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "maj": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "nov": 11,
    "dec": 12,
}
_NAMED_MONTH = re.compile(r"^([A-Za-zæøå]{3})[a-zæøå]*\.?\s*(\d{4})$", re.IGNORECASE)


class ParseError(ValueError):
    """A single value that cannot be parsed; loaders turn it into an ``InputProblem``."""


def parse_period(value: object) -> pd.Period:
    """Parse a Danish statistics period code into a pandas Period.

    Months: ``2024M01``, ``2024M1``, ``2024-01``, ``2024-01-31`` (a date: its month),
    ``jan 2024``. Quarters: ``2024K1``, ``2024Q1``, ``2024-Q1``. Years: ``2024``.
    """
    if isinstance(value, pd.Period):
        return value
    if isinstance(value, pd.Timestamp):
        return value.to_period("M")
    text = str(value).strip()
    if m := _MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return pd.Period(year=year, month=month, freq="M")
    elif m := _QUARTER.match(text):
        return pd.Period(year=int(m.group(1)), quarter=int(m.group(2)), freq="Q")
    elif m := _YEAR.match(text):
        return pd.Period(year=int(m.group(1)), freq="Y")
    elif m := _DATE.match(text):
        year, month, day = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return pd.Period(year=year, month=month, freq="M")
    elif m := _NAMED_MONTH.match(text):
        month = _DANISH_MONTHS.get(m.group(1).lower())
        if month:
            return pd.Period(year=int(m.group(2)), month=month, freq="M")
    raise ParseError(
        f"not a period: {text!r} (expected e.g. 2024M01, 2024-01, 2024K1, 2024Q1 or 2024)"
    )


def parse_number(value: object, decimal: str = ",") -> float:
    """Parse a number written the Danish way (``1.234,5``) or plainly (``1234.5``).

    Missing tokens (``-``, ``..``, empty) give NaN. With ``decimal=","`` dots are
    thousands separators; with ``decimal="."`` commas are. Percent signs and spaces
    (including non-breaking) are ignored.
    """
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise ParseError(f"not a number: {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("%", "")
    if text in MISSING_TOKENS:
        return math.nan
    thousands = "." if decimal == "," else ","
    if text.count(decimal) > 1:
        raise ParseError(f"not a number: {value!r}")
    if thousands in text:
        groups = text.split(decimal)[0].lstrip("+-").split(thousands)
        if not (all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3):
            raise ParseError(f"not a number: {value!r} (misplaced {thousands!r})")
        text = text.replace(thousands, "")
    text = text.replace(decimal, ".")
    try:
        return float(text)
    except ValueError:
        raise ParseError(f"not a number: {value!r}") from None


@dataclass(frozen=True)
class DecimalEvidence:
    """What numbers written as text say about their decimal mark.

    ``comma`` and ``point`` count values only one mark reads (``12,5``, ``1.234,5``,
    ``0,125``, ``1.234.567`` need a decimal comma; ``12.5``, ``1,234.5``, ``0.125``,
    ``1234.567`` a decimal point). ``ambiguous_dot`` and ``ambiguous_comma`` count values
    that both read, differently: one ``.`` or ``,`` followed by exactly three digits after
    one to three digits that do not start with 0 (``212.200`` is 212.2 or 212200).
    ``example`` is the first ambiguous value and ``example_at`` its index label (a row).
    """

    comma: int = 0
    point: int = 0
    ambiguous_dot: int = 0
    ambiguous_comma: int = 0
    example: str | None = None
    example_at: object = None

    def __add__(self, other: DecimalEvidence) -> DecimalEvidence:
        first = self if self.example is not None else other
        return DecimalEvidence(
            self.comma + other.comma,
            self.point + other.point,
            self.ambiguous_dot + other.ambiguous_dot,
            self.ambiguous_comma + other.ambiguous_comma,
            first.example,
            first.example_at,
        )

    @property
    def ambiguous(self) -> int:
        return self.ambiguous_dot + self.ambiguous_comma

    @property
    def mark(self) -> str | None:
        """The decimal mark the values show (the majority when they disagree: the others
        then fail to parse, loudly); ``","`` when no value holds a mark (both read the
        same); None when every value with a mark reads both ways."""
        if self.comma or self.point:
            return "," if self.comma >= self.point else "."
        return None if self.ambiguous else ","


class AmbiguousDecimal(ParseError):
    """Every number with a ``.`` or ``,`` reads both as a decimal and as thousands."""

    def __init__(self, evidence: DecimalEvidence):
        self.evidence = evidence
        super().__init__(ambiguous_decimal_text(evidence.example or ""))


_NUMBER_TEXT = re.compile(r"[+-]?[\d.,]+")  # one class, no nested repeats: linear time
_DIGIT = re.compile(r"\d")
_SPACES = str.maketrans("", "", "\u00a0 %")
_AMBIGUOUS_DOT, _AMBIGUOUS_COMMA = "?.", "?,"


def _reading(value: object) -> str | None:
    """Which decimal mark a text number needs: ``","``, ``"."``, ``"?."``/``"?,"`` (reads
    both ways) or None (no mark, or not a number)."""
    text = value.translate(_SPACES) if isinstance(value, str) else ""
    if not _NUMBER_TEXT.fullmatch(text) or not _DIGIT.search(text):
        return None
    text = text.lstrip("+-")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:  # the later one is the decimal mark: 1.234,5 and 1,234.5
        return "," if text.rfind(",") > text.rfind(".") else "."
    if not dots and not commas:
        return None
    mark = "." if dots else ","
    if dots + commas > 1:  # only thousands separators repeat: 1.234.567
        return "," if mark == "." else "."
    head, tail = text.split(mark)
    if len(tail) == 3 and 1 <= len(head) <= 3 and head[0] != "0":
        return _AMBIGUOUS_DOT if mark == "." else _AMBIGUOUS_COMMA
    return mark


def decimal_evidence(values: pd.Series | Iterable[object]) -> DecimalEvidence:
    """Classify every text value (all of them, never a sample) by the decimal mark it
    needs; other values (numbers, missing) say nothing."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    texts = series[series.map(lambda v: isinstance(v, str))]
    if texts.empty:
        return DecimalEvidence()
    readings = texts.map({v: _reading(v) for v in pd.unique(texts)})
    counts = readings.value_counts()
    ambiguous = readings.isin([_AMBIGUOUS_DOT, _AMBIGUOUS_COMMA])
    first = ambiguous.idxmax() if ambiguous.any() else None
    return DecimalEvidence(
        comma=int(counts.get(",", 0)),
        point=int(counts.get(".", 0)),
        ambiguous_dot=int(counts.get(_AMBIGUOUS_DOT, 0)),
        ambiguous_comma=int(counts.get(_AMBIGUOUS_COMMA, 0)),
        example=None if first is None else str(texts[first]).strip(),
        example_at=first,
    )


def guess_decimal(values: pd.Series | Iterable[object]) -> str:
    """The decimal mark of a column of number-like strings, judged on every value.

    ``12,5`` or ``1.234,5`` means comma; ``12.5``, ``0.125`` or ``1,234.5`` means dot.
    Raises :class:`AmbiguousDecimal` when every value with a mark reads both ways
    (``1.234``, ``212.200``): the caller must be told which mark is meant.
    """
    evidence = decimal_evidence(values)
    if evidence.mark is None:
        raise AmbiguousDecimal(evidence)
    return evidence.mark


def whole_number_mark(evidence: DecimalEvidence) -> str | None:
    """The decimal mark of ambiguous values known to be whole numbers (counts): a single
    separator before exactly three digits is then a thousands separator (``8.405``
    persons are 8405), so the decimal mark is the other one. None when both ``.`` and
    ``,`` occur that way (the file mixes conventions)."""
    if evidence.ambiguous_dot and evidence.ambiguous_comma:
        return None
    return "." if evidence.ambiguous_comma else ","


def ambiguous_decimal_text(example: str) -> str:
    """Why a value such as ``212.200`` cannot be read without being told the mark."""
    text = example.translate(_SPACES)
    mark = "." if "." in text else ","
    try:
        as_point = parse_number(text.replace(",", "."), ".")
        as_thousands = parse_number(text.replace(mark, ""), ".")
    except ParseError:
        return "cannot tell the decimal mark"
    return (
        "cannot tell the decimal mark: every number with a '.' or ',' has exactly three "
        f"digits after a single one, so {example} is {as_point:g} with a decimal point and "
        f"{as_thousands:.0f} with a thousands separator"
    )


def decimal_mark(value: str) -> str:
    """``"."`` or ``","`` from how a user may name it (``"."``, ``","``, ``"point"``,
    ``"comma"``, Danish ``"punktum"``, ``"komma"``)."""
    marks = {".": ".", ",": ",", "point": ".", "comma": ",", "punktum": ".", "komma": ","}
    mark = marks.get(str(value).strip().lower()) if isinstance(value, str) else None
    if mark is None:
        raise ValueError(f"decimal must be '.' or ',' (or 'point', 'comma'), not {value!r}")
    return mark


@dataclass(frozen=True)
class TextFile:
    """A decoded text file and how it was read."""

    text: str
    encoding: str
    delimiter: str | None


def read_text(path: Path | str, max_bytes: int = 200 * 1024 * 1024) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 (with BOM), else
    Windows-1252 (what Excel writes for Danish CSV). Returns (text, encoding)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ParseError(
                f"{path.name} is {size / 1e6:.0f} MB; the limit is {max_bytes / 1e6:.0f} MB"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:  # a folder where a file is expected, no permission, ...
        raise ParseError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    for bom, codec, name in (
        (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
        (b"\xff\xfe", "utf-16-le", "utf-16"),
        (b"\xfe\xff", "utf-16-be", "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(codec), name
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"{path.name} starts with a {codec.upper()} byte-order mark but is not "
                    f"valid {codec.upper()} (byte {exc.start + len(bom)})"
                ) from None
    if b"\x00" in raw[:4096]:
        raise ParseError(f"{path.name} looks like a binary file, not text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str, candidates: str = ";,\t") -> str:
    """The field separator of a CSV text (semicolon, comma or tab)."""
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in candidates}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def read_csv_text(path: Path | str, **kwargs: object) -> tuple[pd.DataFrame, TextFile]:
    """Read a CSV as strings (no type guessing), whatever its encoding and separator."""
    text, encoding = read_text(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = sniff_delimiter(text)
    frame = pd.read_csv(
        io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, **kwargs
    )
    check_no_implicit_index(frame, delimiter)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, TextFile(text=text, encoding=encoding, delimiter=delimiter)


def check_no_implicit_index(frame: pd.DataFrame, delimiter: str | None = None) -> None:
    """Refuse what ``pd.read_csv`` does silently when every data row has one field more
    than the header: it takes the first column as the index and shifts every other
    column one place to the left (the first column's values would be lost)."""
    if not isinstance(frame.index, pd.RangeIndex):
        sep = {";": "semicolon", ",": "comma", "\t": "tab"}.get(delimiter or "", "separator")
        raise ParseError(
            f"the data rows have more fields than the header ({len(frame.columns)} column "
            f"names); a {sep} too many at the end of the data lines, or a missing header name"
        )


def period_to_timestamp(period: pd.Series) -> pd.Series:
    """Period column -> first day of the period (how periods are stored in Parquet)."""
    return period.dt.to_timestamp(how="start").astype("datetime64[ms]")


def timestamp_to_period(values: pd.Series, freq: str = "M") -> pd.Series:
    """Inverse of :func:`period_to_timestamp`."""
    return pd.to_datetime(values).dt.to_period(freq)


# --- tables with title lines, area names ----------------------------------------------

#: Area names in downloads that are not one of the 98 municipalities: the whole country,
#: regions, landsdele, labour-market councils (RAR), job centres and "unknown" areas.
#: Job centres are deliberately not mapped to municipalities (some serve more than one).
_NON_MUNICIPAL_AREA = re.compile(
    r"^(hele landet|landet i alt|i alt|danmark|all denmark|christiansø"
    r"|(region|landsdel|province|rar|jobcenter|uoplyst|ukendt|unknown)\b.*)$",
    re.IGNORECASE,
)


def is_non_municipal_area(name: object) -> bool:
    """True for area names that are known not to be a municipality ('Hele landet',
    'Region Hovedstaden', 'Landsdel Fyn', 'RAR Fyn', 'Jobcenter Aarhus', 'Uoplyst')."""
    text = re.sub(r"\s+", " ", str(name).strip())
    return bool(_NON_MUNICIPAL_AREA.match(text))


def snake_case(text: object) -> str:
    """ASCII snake_case identifier of a Danish label: 'Åbenlys uddannelsesparat' ->
    'aabenlys_uddannelsesparat', 'Fuldtidsledige i pct. af arbejdsstyrken 16-66 år' ->
    'fuldtidsledige_i_pct_af_arbejdsstyrken_16_66_aar'."""
    # Imported here so that reference.py may use this module without an import cycle.
    from analysis.data.reference import slugify

    return slugify(str(text)).replace("-", "_")


def sniff_table_delimiter(text: str, candidates: str = ";,\t") -> str:
    """The field separator of a CSV that may carry title and note lines around the table.

    The separator that splits the most lines into the same number (at least two) of
    fields wins; ties go to the wider table, then to the earlier candidate (semicolon,
    as Danish downloads use). Decimal commas in a semicolon file give ragged comma counts,
    so they do not fool it the way a character count can.
    """
    lines = [line for line in text.splitlines()[:500] if line.strip()]
    best: tuple[int, int] = (0, 0)
    chosen: str | None = None
    for delimiter in candidates:
        try:
            widths = Counter(len(row) for row in csv.reader(lines, delimiter=delimiter))
        except csv.Error:  # e.g. a field longer than the csv module's limit
            continue
        wide = [(count, width) for width, count in widths.items() if width > 1]
        if wide and max(wide) > best:
            best, chosen = max(wide), delimiter
    return chosen or sniff_delimiter(text, candidates)


def read_delimited_rows(path: Path | str) -> tuple[list[tuple[int, list[str]]], TextFile]:
    """Every record of a delimited text file as ``(line number, fields)``, blank lines
    included (as empty lists), so a loader can find a table between title and note lines
    and report the line a person sees in an editor. Any encoding :func:`read_text`
    accepts; CRLF and CR line ends are normalised."""
    text, encoding = read_text(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = sniff_table_delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for fields in reader:
            rows.append((start, [] if not any(f.strip() for f in fields) else fields))
            start = reader.line_num + 1
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        raise ParseError(f"cannot read line {reader.line_num} as CSV: {exc}") from None
    return rows, TextFile(text=text, encoding=encoding, delimiter=delimiter)


def delimited_input_rows(file: Path) -> list[tuple[int, list[str]]]:
    """:func:`read_delimited_rows` for a loader: a missing or unreadable file is an
    :class:`~analysis.errors.InputError` that names it (the rows only; blank lines kept)."""
    try:
        rows, _ = read_delimited_rows(file)
    except FileNotFoundError:
        raise InputError.single(file, "file not found") from None
    except ParseError as exc:
        raise InputError.single(file, str(exc)) from None
    return rows


# --- Office files (zip archives of XML) --------------------------------------------------

#: Limits for .xlsx/.docx files, after decompression.
OFFICE_MAX_MEMBER_BYTES = 256 * 1024 * 1024
OFFICE_MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: The longest stretch of XML without a ``<`` (one text, tag or attribute value). An Excel
#: cell holds at most 32,767 characters (128 kB in UTF-8), so this leaves ample room.
OFFICE_MAX_TOKEN_BYTES = 4 * 1024 * 1024


def check_office_file(path: Path | str, *, scan_xml: bool = True) -> None:
    """Refuse an .xlsx/.docx that would exhaust memory or hang the XML parser.

    Office files are zip archives of XML. The declared sizes bound memory (Python's
    ``zipfile`` never returns more than a member's declared size). With ``scan_xml`` the
    XML parts are read once, in chunks, and refused when they hold a DOCTYPE, comment,
    CDATA section or processing instruction (Excel writes none; a DOCTYPE can declare
    entities) or a stretch of more than ``OFFICE_MAX_TOKEN_BYTES`` without a ``<``: the
    expat parser openpyxl uses re-scans a token that spans many read chunks from its
    start, so one huge comment or text takes quadratic time (a 300 kB file: hours).
    A file that is not a zip archive is left to the reader to reject. Raises ParseError.
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return  # the reader reports it
    with archive:
        infos = archive.infolist()
        total = sum(info.file_size for info in infos)
        largest = max(infos, key=lambda info: info.file_size, default=None)
        if largest is not None and largest.file_size > OFFICE_MAX_MEMBER_BYTES:
            raise ParseError(
                f"{path.name}: part {largest.filename!r} unpacks to {largest.file_size} bytes "
                f"(limit {OFFICE_MAX_MEMBER_BYTES}); save a smaller file or use CSV"
            )
        if total > OFFICE_MAX_TOTAL_BYTES:
            raise ParseError(
                f"{path.name} unpacks to {total} bytes (limit {OFFICE_MAX_TOTAL_BYTES})"
            )
        if not scan_xml:
            return
        for info in infos:
            if info.filename.lower().endswith((".xml", ".rels")):
                try:
                    _scan_office_xml(archive, info, path.name)
                except ParseError:
                    raise
                except (
                    zipfile.BadZipFile,
                    zlib.error,
                    NotImplementedError,
                    EOFError,
                    RuntimeError,
                    OSError,
                    ValueError,
                ) as exc:
                    raise ParseError(
                        f"{path.name}: part {info.filename!r} is damaged or unreadable ({exc})"
                    ) from None


def _scan_office_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    member = info.filename
    gap = 0  # bytes since the last "<"
    tail = b""
    offset = 0
    with archive.open(info) as stream:
        while chunk := stream.read(1 << 20):
            window = tail + chunk
            # only the XML declaration (after an optional byte-order mark) may use "<?"
            if b"<!" in window or window.find(b"<?", 4 if offset == 0 else 0) >= 0:
                raise ParseError(
                    f"{name}: part {member!r} holds a DOCTYPE, comment, CDATA section or "
                    "processing instruction, which files saved by Office programs do not"
                )
            first_lt = chunk.find(b"<")
            if first_lt < 0:
                gap += len(chunk)
            elif gap + first_lt <= OFFICE_MAX_TOKEN_BYTES:
                gap = len(chunk) - chunk.rfind(b"<") - 1
            else:
                gap += first_lt
            if gap > OFFICE_MAX_TOKEN_BYTES:
                raise ParseError(
                    f"{name}: part {member!r} holds a single text or tag longer than "
                    f"{OFFICE_MAX_TOKEN_BYTES} bytes"
                )
            tail = chunk[-1:]
            offset += len(chunk)


class UnsavedFormula(str):
    """A spreadsheet formula saved without its value: text, so readers treat it as text,
    but recognisable, so a number column can say what is wrong with the cell."""

    MESSAGE = (
        "a formula saved without its value (open the file in Excel and save it, "
        "or paste the values)"
    )


@dataclass(frozen=True)
class SheetCells:
    """The cell values of a worksheet as the user sees them.

    ``rows`` holds one list per spreadsheet row (row 1 first). A formula cell holds the
    value the workbook saved for it (what Excel displays), or an :class:`UnsavedFormula`
    when none was saved, which a number column must refuse rather than mistake for an
    empty or suppressed cell.
    """

    title: str
    rows: list[list[object]]


def read_xlsx_sheets(path: Path | str, *, first_only: bool = False) -> list[SheetCells]:
    """Read an .xlsx workbook's sheets with formulas resolved to their saved values.

    Call :func:`check_office_file` first. Raises whatever openpyxl raises for damaged
    files; loaders turn that into an ``InputError`` naming the file.
    """
    from openpyxl import load_workbook

    formulas_book = load_workbook(path, read_only=True, data_only=False)
    values_book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = []
        pairs = zip(formulas_book.worksheets, values_book.worksheets, strict=True)
        for formula_sheet, value_sheet in pairs:
            rows: list[list[object]] = []
            cells = zip(
                formula_sheet.iter_rows(values_only=True),
                value_sheet.iter_rows(values_only=True),
                strict=False,
            )
            for formula_row, value_row in cells:
                row = list(value_row) + [None] * (len(formula_row) - len(value_row))
                for column, raw in enumerate(formula_row):
                    formula = isinstance(raw, str) and raw.startswith("=") and len(raw) > 1
                    if formula and row[column] is None:
                        row[column] = UnsavedFormula(raw)
                rows.append(row)
            sheets.append(SheetCells(formula_sheet.title, rows))
            if first_only:
                break
        return sheets
    finally:
        formulas_book.close()
        values_book.close()
