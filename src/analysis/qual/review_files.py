"""The review loop's files: the coder's sheet (read for decisions, written with the next
batch, decisions recorded into it) and the decision log, in the coder's folder.

See :mod:`analysis.qual.review` for the loop and the columns of each file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, ProblemCollector
from analysis.privacy import PrivacyPolicy
from analysis.qual.codebook import Codebook

SHEET_COLUMNS = (
    "item",
    "segment_id",
    "source",
    "start",
    "end",
    "code",
    "label",
    "method",
    "confidence",
    "margin",
    "evidence",
    "patterns",
    "quote",
    "decision",
    "note",
)
LOG_COLUMNS = (
    "batch",
    "item",
    "decided",
    "segment_id",
    "source",
    "start",
    "end",
    "code",
    "decision",
    "method",
    "implied_by",
    "patterns",
    "confidence",
    "margin",
    "evidence",
    "note",
    "codebook_version",
)
#: what a researcher may write in ``decision`` (case and spaces ignored)
DECISIONS = {
    "accept": "accept",
    "a": "accept",
    "ja": "accept",
    "yes": "accept",
    "reject": "reject",
    "r": "reject",
    "nej": "reject",
    "no": "reject",
}
#: patterns with precision below this (and enough decisions) are flagged
_CODER = re.compile(r"^[\w.@-]+$")


@dataclass(frozen=True)
class ReviewFiles:
    """The coder's files in ``folder``; ``sheet_format`` ``xlsx`` or ``csv``."""

    folder: Path
    coder: str
    sheet_format: str = "xlsx"

    def __post_init__(self) -> None:
        if not _CODER.match(self.coder):
            raise InputError.single(
                "review", f"bad coder name {self.coder!r}", expected="letters, digits, _.-@"
            )
        if self.sheet_format not in {"xlsx", "csv"}:
            raise ValueError(f"sheet_format must be xlsx or csv, got {self.sheet_format!r}")

    @property
    def sheet(self) -> Path:
        return self.folder / f"review_{self.coder}.{self.sheet_format}"

    @property
    def log(self) -> Path:
        return self.folder / f"review_log_{self.coder}.csv"

    @property
    def codings(self) -> Path:
        return self.folder / f"codings_{self.coder}.csv"

    def sheets(self) -> list[Path]:
        """Every review sheet of the coder present (either format)."""
        return [
            p
            for p in (self.folder / f"review_{self.coder}.{x}" for x in ("xlsx", "csv"))
            if p.is_file()
        ]


# --- reading the sheet ----------------------------------------------------------------


def read_decisions(path: Path, corpus: object, codebook: Codebook) -> pd.DataFrame:
    """The rows of a sheet that carry a decision, checked: ``segment_id``, ``code``,
    ``decision`` (``accept``/``reject``), ``note`` and the proposal's columns. All
    problems are raised together, naming the file, row and column; nothing is applied
    then."""
    from analysis.qual.spreadsheet import read_table

    table = read_table(path)
    missing = [c for c in ("segment_id", "code", "decision") if c not in table.columns]
    if missing:
        raise InputError.single(
            path,
            "missing columns",
            expected=", ".join(SHEET_COLUMNS),
            found=", ".join(table.columns),
        )
    for column in SHEET_COLUMNS:
        if column not in table.columns:
            table[column] = ""
    segments = set(corpus.segments["segment_id"])
    codes = set(codebook.ids)
    problems = ProblemCollector(str(path))
    keep = []
    for index, row in table.iterrows():
        raw = str(row["decision"]).strip().casefold()
        if not raw:
            continue
        if raw not in DECISIONS:
            problems.add(
                "unknown decision",
                row=int(index) + 2,
                column="decision",
                expected="accept or reject (or empty: not decided yet)",
                found=str(row["decision"]),
            )
            continue
        if str(row["segment_id"]) not in segments:
            problems.add(
                f"unknown segment {row['segment_id']!r}", row=int(index) + 2, column="segment_id"
            )
            continue
        if str(row["code"]) not in codes:
            problems.add(
                f"code {row['code']!r} is not in the codebook", row=int(index) + 2, column="code"
            )
            continue
        keep.append({**row.to_dict(), "decision": DECISIONS[raw]})
    problems.raise_if_any(f"{len(problems)} problem(s) in {path}")
    frame = pd.DataFrame(keep, columns=list(table.columns))
    return frame.drop_duplicates(subset=["segment_id", "code"], keep="last").reset_index(drop=True)


def read_log(files: ReviewFiles) -> pd.DataFrame:
    """The decision log (empty with its columns when there is none yet)."""
    from analysis.qual.spreadsheet import read_table

    if not files.log.is_file():
        return pd.DataFrame({c: pd.Series(dtype="str") for c in LOG_COLUMNS})
    table = read_table(files.log)
    missing = [c for c in LOG_COLUMNS if c not in table.columns]
    if missing:
        raise InputError.single(
            files.log,
            "missing columns",
            expected=", ".join(LOG_COLUMNS),
            found=", ".join(table.columns),
        )
    return table


def write_sheet(table: pd.DataFrame, files: ReviewFiles, policy: PrivacyPolicy) -> Path:
    """Write the sheet (atomically; the quotes through the personal-data gate) and remove
    a sheet of the other format, whose decisions have been applied."""
    from analysis.publish import publish_csv

    if files.sheet_format == "csv":
        publish_csv(files.sheet, table, policy)
    else:
        _write_xlsx_sheet(table, files.sheet, policy)
    for other in files.sheets():
        if other != files.sheet:
            other.unlink()
    return files.sheet


def _write_xlsx_sheet(table: pd.DataFrame, path: Path, policy: PrivacyPolicy) -> None:
    from analysis.privacy import gate_frame
    from analysis.tablefiles import write_xlsx

    write_xlsx(gate_frame(table, policy, where=str(path)), path, sheet="review")


def next_item(files: ReviewFiles) -> int:
    """One more than every item number given so far (in the sheets and the log)."""
    from analysis.qual.spreadsheet import read_table

    numbers = list(read_log(files)["item"])
    for sheet in files.sheets():
        table = read_table(sheet)
        numbers += list(table["item"]) if "item" in table.columns else []
    values = pd.to_numeric(pd.Series(numbers, dtype="object"), errors="coerce").dropna()
    return int(values.max()) + 1 if len(values) else 1


def current_items(files: ReviewFiles) -> dict[tuple[str, str], int]:
    """(segment, code) -> item number in the coder's current sheet(s)."""
    from analysis.qual.spreadsheet import read_table

    out: dict[tuple[str, str], int] = {}
    for sheet in files.sheets():
        table = read_table(sheet)
        if not {"item", "segment_id", "code"} <= set(table.columns):
            continue
        for item, segment, code in zip(
            table["item"], table["segment_id"], table["code"], strict=True
        ):
            if str(item).strip().isdecimal():
                out[(str(segment), str(code))] = int(item)
    return out


def record_decisions(files: ReviewFiles, decisions: Mapping[int, str]) -> Path | None:
    """Write ``decisions`` (item number -> accept/reject) into the current sheet
    (atomically), as a researcher would in a spreadsheet. Items already in the log were
    applied before and are skipped; an item number never given is refused."""
    from analysis.qual.spreadsheet import read_table
    from analysis.tablefiles import write_csv, write_xlsx

    logged = set(read_log(files)["item"].astype(str))
    pending = {str(k): v for k, v in decisions.items() if str(k) not in logged}
    if not pending:
        return None
    sheets = files.sheets()
    if not sheets:
        raise InputError.single(files.sheet, "no review sheet to record decisions in")
    path = sheets[0]
    table = read_table(path)
    items = {str(i): n for n, i in enumerate(table["item"])}
    unknown = [k for k in pending if k not in items]
    if unknown:
        raise InputError.single(
            path,
            "unknown item number(s)",
            column="item",
            expected=f"items of the current sheet ({', '.join(items) or 'none'})",
            found=", ".join(unknown),
        )
    for item, decision in pending.items():
        table.loc[items[item], "decision"] = str(decision)
    if path.suffix == ".csv":
        write_csv(table, path)
    else:
        write_xlsx(table, path, sheet="review")
    return path
