"""Helpers for the mixed-methods tests: small hand-made corpora, codings and estimates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.mixed.evidence import QualEvidence
from analysis.qual.codebook import load_codebook
from analysis.qual.corpus import make_corpus
from analysis.qual.pipeline import QualInputs
from analysis.quant.results import ESTIMATE_COLUMNS, normalise

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = REPO / "data" / "raw" / "codebook.yaml"


def codebook():
    return load_codebook(CODEBOOK)


def evidence_from(quotes: list[dict], municipality: int = 101) -> QualEvidence:
    """Evidence from rows ``{source, text, department, period, codes, role}``: one segment
    per row, a source's rows joined by a blank line, codes as coded (parents added)."""
    book = codebook()
    sources: dict[str, dict] = {}
    segments, coded = [], []
    for row in quotes:
        sid = row["source"]
        entry = sources.setdefault(
            sid,
            {
                "source_id": sid,
                "name": f"Source {sid}",
                "texts": [],
                "municipality_code": municipality,
                "role": row.get("role", "sagsbehandler"),
                "department": row.get("department"),
                "period": row.get("source_period", row.get("period")),
            },
        )
        start = sum(len(t) + 2 for t in entry["texts"])
        entry["texts"].append(row["text"])
        segment_id = f"{sid}-{len(entry['texts']):03d}"
        segments.append(
            {
                "segment_id": segment_id,
                "source_id": sid,
                "start": start,
                "end": start + len(row["text"]),
                "period": row.get("period"),
            }
        )
        for code in row.get("codes", []):
            current = code
            while isinstance(current, str):
                coded.append(
                    {"segment_id": segment_id, "source_id": sid, "coder": "t", "code": current}
                )
                parent = book.codes.set_index("id").loc[current, "parent"]
                current = parent if isinstance(parent, str) else None
    table = pd.DataFrame(
        [
            {**{k: v for k, v in s.items() if k != "texts"}, "text": "\n\n".join(s["texts"])}
            for s in sources.values()
        ]
    )
    corpus = make_corpus(table, pd.DataFrame(segments))
    coded_frame = pd.DataFrame(coded, columns=["segment_id", "source_id", "coder", "code"])
    inputs = QualInputs(corpus, book, pd.DataFrame(), ())
    return QualEvidence(inputs, corpus, coded_frame.drop_duplicates(), "municipality", "allow", 0)


def trial_quotes(
    *,
    under: dict[str, int],
    foer: dict[str, int],
    n_under: int = 5,
    n_foer: int = 5,
    text: str = "Citat",
) -> list[dict]:
    """``n_under`` trial-department sources during and ``n_foer`` before; ``under``/``foer``
    say how many of them carry each code (the first k sources)."""
    rows = []
    for period, n, counts in (("under", n_under, under), ("foer", n_foer, foer)):
        for i in range(n):
            codes = [code for code, k in counts.items() if i < k]
            rows.append(
                {
                    "source": f"{period}_{i + 1}",
                    "text": f"{text} {period} {i + 1}",
                    "department": "forsoeg",
                    "period": period,
                    "codes": codes,
                }
            )
    return rows


def estimates(rows: list[dict], *, simulated: bool = True) -> pd.DataFrame:
    """A tidy estimates table from partial rows (missing columns filled)."""
    frame = pd.DataFrame(rows)
    frame["simulated"] = simulated
    out = normalise(frame)
    assert tuple(out.columns) == ESTIMATE_COLUMNS
    return out


def national(outcome: str, estimate: float, low: float, high: float, mean: float = 150.0) -> dict:
    """A national ``twfe_log`` row (log-caseload slope, outcome units)."""
    return {
        "outcome": outcome,
        "spec": "twfe_log",
        "term": "log_caseload",
        "scope": "national",
        "estimate": estimate,
        "ci_low": low,
        "ci_high": high,
        "caseload_mean": mean,
    }


def trial(outcome: str, estimate: float, low: float, high: float, municipality: int = 101,
          spec: str = "did_collapsed") -> dict:  # fmt: skip
    """A municipality's ``treated_post`` row (outcome units)."""
    return {
        "outcome": outcome,
        "spec": spec,
        "term": "treated_post",
        "scope": str(municipality),
        "estimate": estimate,
        "ci_low": low,
        "ci_high": high,
    }


def write_executed_notebook(path: Path, scraps: dict, parameters: dict | None = None) -> Path:
    """A notebook file whose outputs carry scrapbook records, encoded as ``sb.glue`` does
    (so ``scrapbook.read_notebook`` reads them back), without starting a kernel."""
    import nbformat
    from scrapbook.api import _prepare_ipy_data_format
    from scrapbook.encoders import registry
    from scrapbook.scraps import Scrap, scrap_to_payload

    cell = nbformat.v4.new_code_cell("# glued")
    for name, value in scraps.items():
        encoder = "pandas" if isinstance(value, pd.DataFrame) else "json"
        data, metadata = _prepare_ipy_data_format(
            name, scrap_to_payload(registry.encode(Scrap(name, value, encoder))), encoder
        )
        cell.outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=metadata))
    notebook = nbformat.v4.new_notebook(cells=[cell])
    notebook.metadata["papermill"] = {"parameters": parameters or {}}
    nbformat.write(notebook, str(path))
    return path
