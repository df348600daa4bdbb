"""Danish/English labels for report text, table headers and figure axes.

The label table is one logical table stored as one YAML file per area in
``analysis/resources/labels/`` (``common.yaml``, ``qual.yaml``, ...), so that parts of the
project can grow their own labels without editing a shared file. A key may appear in only
one file. Indicator labels live in the indicator catalogue and code labels in the
codebook; this table is for everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources

from analysis.errors import AnalysisError
from analysis.paths import DEFAULT_LANGUAGE, LANGUAGES


class LabelError(AnalysisError, KeyError):
    """A missing label or an unsupported language."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


def load_labels(files: Iterable[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Merge label files given as (file name, YAML text); a key may be defined once, in
    one file and once in it (YAML would keep the last of two silently)."""
    from analysis.yamlio import load_yaml

    table: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for name, text in files:
        data = load_yaml(text, name).data or {}
        for key, value in data.items():
            if key in table:
                raise LabelError(f"label '{key}' is defined in both {origin[key]} and {name}")
            if not isinstance(value, dict) or set(value) != set(LANGUAGES):
                raise LabelError(
                    f"label '{key}' in {name} must give exactly {', '.join(LANGUAGES)}"
                )
            table[key] = {lang: str(text_) for lang, text_ in value.items()}
            origin[key] = name
    return table


@cache
def label_table() -> dict[str, dict[str, str]]:
    """All labels of the package, keyed by label key, then by language."""
    folder = resources.files("analysis.resources") / "labels"
    entries = sorted(
        (e for e in folder.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name
    )
    return load_labels((e.name, e.read_text(encoding="utf-8")) for e in entries)


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise LabelError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    return language


def t(key: str, language: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The label ``key`` in ``language``, with ``{placeholders}`` filled from ``values``."""
    check_language(language)
    try:
        text = label_table()[key][language]
    except KeyError:
        raise LabelError(f"no label '{key}' in analysis/resources/labels/*.yaml") from None
    return text.format(**values) if values else text
