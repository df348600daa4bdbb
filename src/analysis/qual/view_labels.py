"""Labels of the qualitative tables in the report language: attribute values, column
names and codes (shared by :mod:`analysis.qual.view` and :mod:`analysis.qual.view_review`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.labels import t

if TYPE_CHECKING:
    from analysis.qual.view import QualResults


def value_label(value: object, language: str) -> str:
    """Report label of an attribute value ('foer' -> 'Før'/'Before'); unknown values as is."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return t("qual.value.unknown", language)
    try:
        return t(f"qual.value.{value}", language)
    except KeyError:
        return str(value)


def labelled_columns(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """``frame`` with its columns named in the report language (labels ``qual.col.*``)."""
    renamed = {}
    for column in frame.columns:
        try:
            renamed[column] = t(f"qual.col.{column}", language)
        except KeyError:
            renamed[column] = column
    return frame.rename(columns=renamed)


def with_code_labels(frame: pd.DataFrame, results: QualResults, language: str) -> pd.DataFrame:
    """``frame`` with its ``code`` column as the codebook's labels."""
    out = frame.copy()
    out["code"] = [results.inputs.codebook.label(c, language) for c in out["code"]]
    return out
