"""Manual codings as data: a CSV of ``source, start, end, code, coder, memo``.

Offsets are character positions (code points, end exclusive) in the source's LF text. An
optional ``source_hash`` column (the source's content hash when the coding was made)
lets the loader refuse codings whose source text has changed since.

Codings are attached to the corpus's segments (the unit of analysis) by overlap: a
coding counts for a segment when their overlap covers at least half of the shorter of
the two spans. A sentence coded inside a quote therefore codes that quote, a coding
spanning several quotes codes each of them, and a selection that strays a few characters
into the next quote does not code it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, ProblemCollector
from analysis.qual.codebook import Codebook
from analysis.qual.corpus import Corpus
from analysis.qual.spreadsheet import read_table, write_csv

COLUMNS = ("source", "start", "end", "code", "coder", "memo")
OPTIONAL = ("source_hash",)
_CODER = re.compile(r"^[\w.@-]+$")
#: minimum share of the shorter span that must overlap for a coding to code a segment
MIN_OVERLAP = 0.5


def empty_codings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": pd.Series(dtype="str"),
            "start": pd.Series(dtype="int64"),
            "end": pd.Series(dtype="int64"),
            "code": pd.Series(dtype="str"),
            "coder": pd.Series(dtype="str"),
            "memo": pd.Series(dtype="str"),
        }
    )


def load_codings(
    paths: Path | str | Sequence[Path | str], corpus: Corpus, codebook: Codebook
) -> pd.DataFrame:
    """Read one or more codings files (CSV/XLSX) and validate them against the corpus."""
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    frames = [validate_codings(read_table(p), corpus, codebook, p) for p in items]
    if not frames:
        return empty_codings()
    return pd.concat(frames, ignore_index=True)


def validate_codings(
    table: pd.DataFrame, corpus: Corpus, codebook: Codebook, file: Path | str = "codings"
) -> pd.DataFrame:
    """Typed, checked codings; all problems (file, row, column) are raised together."""
    name = str(file)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise InputError.single(
            name,
            "missing columns",
            expected=", ".join(COLUMNS),
            found=", ".join(map(str, table.columns)),
        )
    texts = corpus.texts()
    hashes = dict(zip(corpus.sources["source_id"], corpus.sources["content_hash"], strict=True))
    known_codes = set(codebook.ids)
    problems = ProblemCollector(name)
    rows = []

    def problem(index: int, column: str, message: str, **kw: object) -> None:
        problems.add(message, row=int(index) + 2, column=column, **kw)

    for index, raw in table.iterrows():
        source = str(raw["source"]).strip()
        code = str(raw["code"]).strip()
        coder = str(raw["coder"]).strip()
        ok = True
        if source not in texts:
            problem(index, "source", f"unknown source {source!r}")
            ok = False
        if code not in known_codes:
            problem(index, "code", f"code {code!r} is not in the codebook")
        if not coder or not _CODER.match(coder):
            problem(index, "coder", "missing or bad coder name", expected="letters, digits, _.-@")
        start = _integer(raw["start"])
        end = _integer(raw["end"])
        if start is None:
            problem(index, "start", f"not a whole number: {raw['start']!r}")
            ok = False
        if end is None:
            problem(index, "end", f"not a whole number: {raw['end']!r}")
            ok = False
        if ok and start is not None and end is not None:
            length = len(texts[source])
            if not 0 <= start < end <= length:
                problem(
                    index,
                    "end" if 0 <= start < length else "start",
                    f"offsets outside the text of {source}",
                    expected=f"0 <= start < end <= {length}",
                    found=f"{start}..{end}",
                )
            stored = str(raw.get("source_hash", "") or "").strip()
            if stored and stored != hashes[source]:
                problem(
                    index,
                    "source_hash",
                    f"the text of {source} has changed since it was coded; re-check the coding",
                    expected=hashes[source][:12],
                    found=stored[:12],
                )
        rows.append(
            {
                "source": source,
                "start": start,
                "end": end,
                "code": code,
                "coder": coder,
                "memo": str(raw["memo"]),
            }
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS)) if rows else empty_codings()
    dup = frame.duplicated(subset=["source", "start", "end", "code", "coder"], keep="first")
    for index in frame.index[dup]:
        problem(index, "code", "duplicate coding (same source, span, code and coder)")
    problems.raise_if_any(f"{len(problems)} problem(s) in {name}")
    frame["start"] = frame["start"].astype("int64")
    frame["end"] = frame["end"].astype("int64")
    return frame


def _integer(value: object) -> int | None:
    text = str(value).strip()
    # isdecimal, not isdigit: int("²") fails; 18 digits fit an int64 column
    return int(text) if text.isdecimal() and len(text) <= 18 else None


def with_hashes(codings: pd.DataFrame, corpus: Corpus) -> pd.DataFrame:
    """Codings with the ``source_hash`` column filled from the corpus."""
    hashes = dict(zip(corpus.sources["source_id"], corpus.sources["content_hash"], strict=True))
    out = codings.copy()
    out["source_hash"] = out["source"].map(hashes)
    return out


def write_codings(codings: pd.DataFrame, path: Path | str) -> Path:
    """Write codings as CSV (atomically, formulas neutralised), sorted for clean diffs."""
    columns = [*COLUMNS, *[c for c in OPTIONAL if c in codings.columns]]
    ordered = codings[columns].sort_values(["coder", "source", "start", "end", "code"])
    return write_csv(ordered, path)


def coders(codings: pd.DataFrame) -> list[str]:
    return sorted(set(codings["coder"]))


def segment_codes(
    codings: pd.DataFrame, corpus: Corpus, codebook: Codebook, *, level: str = "all"
) -> pd.DataFrame:
    """Which segment each coder coded with which code: one row per (segment, coder, code).

    ``level="all"``: the codes as coded plus every ancestor (a sub-code implies its
    parent); ``"top"``: top-level codes only; ``"coded"``: exactly as coded.
    """
    seg = corpus.segments[["segment_id", "source_id", "start", "end"]]
    if codings.empty or seg.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype="str") for c in ("segment_id", "source_id", "coder", "code")}
        )
    merged = codings.merge(seg, left_on="source", right_on="source_id", suffixes=("", "_seg"))
    overlap = (
        merged[["end", "end_seg"]].min(axis=1) - merged[["start", "start_seg"]].max(axis=1)
    ).clip(lower=0)
    shorter = pd.concat(
        [merged["end"] - merged["start"], merged["end_seg"] - merged["start_seg"]], axis=1
    ).min(axis=1)
    hit = merged[(overlap > 0) & (overlap >= MIN_OVERLAP * shorter)]
    out = hit[["segment_id", "source_id", "coder", "code"]]
    out = _at_level(out, codebook, level)
    out = out.drop_duplicates().sort_values(["segment_id", "coder", "code"])
    return out.reset_index(drop=True)


def _at_level(frame: pd.DataFrame, codebook: Codebook, level: str) -> pd.DataFrame:
    if level == "coded":
        return frame
    if level == "top":
        return frame.assign(code=frame["code"].map(codebook.top))
    if level == "all":
        rows = [frame]
        parents = dict(zip(codebook.codes["id"], codebook.codes["parent"], strict=True))
        current = frame
        while True:
            up = current.assign(code=current["code"].map(parents))
            up = up[up["code"].map(lambda c: isinstance(c, str))]
            if up.empty:
                break
            rows.append(up)
            current = up
        return pd.concat(rows, ignore_index=True)
    raise ValueError(f"level must be 'all', 'top' or 'coded', got {level!r}")


def codes_at_level(codebook: Codebook, level: str) -> list[str]:
    """The codes an analysis at ``level`` reports (top-level only, or all in file order)."""
    return codebook.top_level() if level == "top" else codebook.ids


def only_coders(codings: pd.DataFrame, names: Iterable[str] | str | None) -> pd.DataFrame:
    """Codings of some coders (``None`` = all)."""
    if names is None:
        return codings
    wanted = {names} if isinstance(names, str) else set(names)
    unknown = wanted - set(codings["coder"])
    if unknown:
        raise InputError.single(
            "codings",
            "no codings by coder",
            expected=", ".join(coders(codings)),
            found=", ".join(sorted(unknown)),
        )
    return codings[codings["coder"].isin(wanted)].reset_index(drop=True)
