"""Intercoder reliability for two or more coders.

Unit of analysis: segment x code. Every pre-defined segment (quote or paragraph) of the
sources that *all* compared coders coded is one unit per code; each coder's value is 1
when they applied the code (or a sub-code, at the top level) to the segment, else 0.
Sources a coder did not code at all are left out (an uncoded source is not a judgement
of absence) and listed in the result's ``note``.

Per code: percent agreement (share of units on which all coders agree), Cohen's kappa
(exactly two coders) and Krippendorff's alpha (nominal, any number of coders, via the
``krippendorff`` package). The chance term is the standard one on units; QualCoder's
character-level kappa is deliberately not used.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.qual.codebook import Codebook
from analysis.qual.codings import codes_at_level, segment_codes
from analysis.qual.corpus import Corpus

UNIT_OF_ANALYSIS = "segment x code (presence/absence of the code in each pre-defined segment)"
ALL_CODES = "(all codes)"


class ReliabilityError(AnalysisError):
    """Reliability cannot be computed (fewer than two coders, no shared sources)."""


def percent_agreement(values: np.ndarray) -> float:
    """Share of units (columns) on which every coder (row) gave the same value."""
    if values.shape[1] == 0:
        return float("nan")
    return float((values == values[0]).all(axis=0).mean())


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two coders' nominal values; NaN when chance agreement is 1."""
    x, y = np.asarray(a), np.asarray(b)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError("two equally long, non-empty sequences are needed")
    observed = float((x == y).mean())
    categories = np.union1d(x, y)
    expected = float(sum((x == c).mean() * (y == c).mean() for c in categories))
    if expected == 1.0:
        return float("nan")
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha(values: np.ndarray) -> float:
    """Krippendorff's alpha, nominal (rows = coders, columns = units, NaN = missing);
    NaN when all values are the same (no variation to agree on)."""
    import krippendorff

    present = values[~np.isnan(values)] if values.dtype.kind == "f" else values.ravel()
    if len(np.unique(present)) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=values, level_of_measurement="nominal"))


def reliability_units(
    codings: pd.DataFrame,
    corpus: Corpus,
    codebook: Codebook,
    *,
    level: str = "top",
    coders: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The unit table (segment_id, source_id, code, one 0/1 column per coder) and the
    sources left out because not every coder coded them."""
    names = sorted(set(codings["coder"])) if coders is None else list(coders)
    if len(names) < 2:
        raise ReliabilityError(
            f"reliability needs codings by at least two coders; found {len(names)}"
            + (f" ({', '.join(names)})" if names else "")
        )
    coded_sources = [set(codings.loc[codings["coder"] == c, "source"]) for c in names]
    shared = set.intersection(*coded_sources)
    left_out = sorted(set.union(*coded_sources) - shared)
    if not shared:
        raise ReliabilityError("the coders have no coded source in common")
    segments = corpus.segments[corpus.segments["source_id"].isin(shared)]
    codes = codes_at_level(codebook, "top" if level == "top" else "all")
    present = segment_codes(codings[codings["coder"].isin(names)], corpus, codebook, level=level)
    grid = pd.MultiIndex.from_product(
        [list(segments["segment_id"]), codes], names=["segment_id", "code"]
    ).to_frame(index=False)
    grid = grid.merge(segments[["segment_id", "source_id"]], on="segment_id")
    for coder in names:
        hits = present[present["coder"] == coder][["segment_id", "code"]].assign(_hit=1)
        grid = grid.merge(hits, on=["segment_id", "code"], how="left")
        grid[coder] = grid.pop("_hit").fillna(0).astype("int64")
    return grid, left_out


def reliability_table(units: pd.DataFrame, coders: Sequence[str]) -> pd.DataFrame:
    """Per code and pooled over codes: units, agreement, kappa (2 coders), alpha."""
    rows = []
    groups = [(code, group) for code, group in units.groupby("code", sort=False)]
    groups.append((ALL_CODES, units))
    for code, group in groups:
        values = group[list(coders)].to_numpy().T.astype("float64")
        row = {
            "code": code,
            "n_units": values.shape[1],
            "n_coders": len(coders),
            "percent_agreement": percent_agreement(values),
            "cohen_kappa": cohen_kappa(values[0], values[1]) if len(coders) == 2 else np.nan,
            "krippendorff_alpha": krippendorff_alpha(values),
        }
        for coder, coder_values in zip(coders, values, strict=True):
            row[f"n_present_{coder}"] = int(coder_values.sum())
        rows.append(row)
    table = pd.DataFrame(rows)
    table["unit"] = UNIT_OF_ANALYSIS
    return table


def reliability_report(
    codings: pd.DataFrame,
    corpus: Corpus,
    codebook: Codebook,
    *,
    level: str = "top",
    coders: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Reliability table, disagreement list and the sources left out (see module doc)."""
    units, left_out = reliability_units(codings, corpus, codebook, level=level, coders=coders)
    names = [c for c in units.columns if c not in {"segment_id", "source_id", "code"}]
    table = reliability_table(units, names)
    return table, disagreements(units, names, corpus), left_out


def disagreements(units: pd.DataFrame, coders: Sequence[str], corpus: Corpus) -> pd.DataFrame:
    """Units on which the coders differ, with the quote: the list to resolve together."""
    values = units[list(coders)]
    differ = units[values.nunique(axis=1) > 1]
    text = corpus.segments.set_index("segment_id")["text"]
    out = differ.assign(quote=differ["segment_id"].map(text))
    out["coded_by"] = [", ".join(c for c in coders if row[c] == 1) for _, row in out.iterrows()]
    out["not_coded_by"] = [", ".join(c for c in coders if row[c] == 0) for _, row in out.iterrows()]
    columns = ["segment_id", "source_id", "code", *coders, "coded_by", "not_coded_by", "quote"]
    return out[columns].reset_index(drop=True)
