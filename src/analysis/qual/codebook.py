"""The codebook: a versioned YAML file of hierarchical codes.

Each code has an ``id`` (lower-case letters, digits, underscore), an optional ``parent``,
``label`` (``da`` required, ``en``), ``definition`` (``da``/``en``), ``include`` and
``exclude`` notes, an ``example`` (ideally an exact quote from the corpus), a ``colour``
(``#rrggbb``) and Danish match ``patterns`` for assisted coding (see
:mod:`analysis.qual.autocode` for their syntax). Validation errors name the line of the
code in the YAML file and its id.

Definitions are kept as written (line breaks, paragraphs and trailing spaces included), so
that a description imported from another tool goes back to it unchanged; the other texts
are single lines. A codebook imported from another tool records the tool in ``origin``;
its codes may lack a definition (other tools do not require one, and the import does not
invent one), while the project's own codebook (no ``origin``) must define every code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.errors import InputError, InputProblem, ProblemCollector
from analysis.fileio import atomic_write_text
from analysis.paths import get_paths
from analysis.yamlio import load_yaml, read_yaml_text

KEYS = {
    "id",
    "parent",
    "label",
    "definition",
    "include",
    "exclude",
    "example",
    "colour",
    "patterns",
}
COLUMNS = (
    "id",
    "parent",
    "label_da",
    "label_en",
    "definition_da",
    "definition_en",
    "include",
    "exclude",
    "example",
    "colour",
    "patterns",
    "depth",
    "top",
    "order",
)
_CODE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_PATTERN_WORD = re.compile(r"^\*?[\w./-]+\*?$|^\*$")


@dataclass(frozen=True)
class Codebook:
    """Codes in file order, one row each (see ``COLUMNS``), plus the version."""

    version: str
    codes: pd.DataFrame
    file: Path | None = None
    #: the tool an imported codebook came from (``None`` for the project's own codebook)
    origin: str | None = None

    @property
    def ids(self) -> list[str]:
        return list(self.codes["id"])

    def __contains__(self, code: object) -> bool:
        return code in set(self.codes["id"])

    def row(self, code: str) -> pd.Series:
        match = self.codes[self.codes["id"] == code]
        if match.empty:
            raise KeyError(code)
        return match.iloc[0]

    def label(self, code: str, language: str = "da") -> str:
        """The code's label in ``language`` (Danish when there is no English label)."""
        row = self.row(code)
        value = row.get(f"label_{language}")
        return str(value) if isinstance(value, str) and value else str(row["label_da"])

    def top(self, code: str) -> str:
        """The top-level ancestor of a code (itself if top-level)."""
        return str(self.row(code)["top"])

    def top_level(self) -> list[str]:
        return list(self.codes.loc[self.codes["parent"].isna(), "id"])

    def children(self, code: str) -> list[str]:
        return list(self.codes.loc[self.codes["parent"] == code, "id"])

    def colours(self) -> dict[str, str]:
        return dict(zip(self.codes["id"], self.codes["colour"], strict=True))

    def table(self, language: str = "da") -> pd.DataFrame:
        """A display table: id, parent, label, definition in ``language``."""
        out = self.codes[["id", "parent", "colour"]].copy()
        out["label"] = [self.label(c, language) for c in self.codes["id"]]
        definition = self.codes[f"definition_{language}"].fillna(self.codes["definition_da"])
        out["definition"] = definition
        return out[["id", "parent", "label", "definition", "colour"]]


def default_codebook_path() -> Path:
    return get_paths().codebook


def load_codebook(path: Path | str | None = None) -> Codebook:
    """Read and validate a codebook YAML file (default ``data/raw/codebook.yaml``)."""
    file = Path(path) if path is not None else default_codebook_path()
    return parse_codebook(read_yaml_text(file, missing="codebook not found"), file)


def parse_codebook(text: str, file: Path | str = "codebook.yaml") -> Codebook:
    """Validate codebook YAML text; every problem names the line and the code id."""
    name = str(file)
    problems = ProblemCollector(name)
    # aliases are refused: a codebook needs none, and aliases of aliases expand to
    # billions of items when the text is used ("billion laughs")
    document = load_yaml(
        text,
        name,
        what="a codebook",
        alias_hint="put quotes around a pattern that starts with *",
        problems=problems,
    )
    data = document.data
    if not isinstance(data, dict):
        raise InputError.single(name, "the codebook must be a mapping with 'version' and 'codes'")
    version = data.get("version")
    if isinstance(version, dict | list):
        problems.add(
            "'version' must be text or a number",
            row=document.line(()),
            found=type(version).__name__,
        )
    elif version is None or str(version).strip() == "":
        problems.add("missing 'version'", row=document.line(()))
    origin = data.get("origin")
    if origin is not None and not isinstance(origin, str):
        problems.add("'origin' must be text", row=document.line(("origin",)))
        origin = None
    raw_codes = data.get("codes")
    if not isinstance(raw_codes, list) or not raw_codes:
        problems.add("'codes' must be a non-empty list")
        problems.raise_if_any()

    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_codes):
        if not isinstance(raw, dict):
            problems.add(f"code number {index + 1} is not a mapping")
            continue
        row, found = _parse_code(
            raw, document.line(("codes", index)), name, seen, imported=bool(origin)
        )
        problems.extend(found)
        if row is not None:
            row["order"] = index
            rows.append(row)
    ids = {r["id"] for r in rows}
    lines = {r["id"]: r["line"] for r in rows}
    for row in rows:
        parent = row["parent"]
        if parent is not None and parent not in ids:
            problems.add(
                f"code '{row['id']}': unknown parent '{parent}'",
                row=row["line"],
                column="parent",
                expected="the id of another code",
            )
    parents = {r["id"]: r["parent"] for r in rows}
    for code in parents:
        chain, current = [code], parents[code]
        while current is not None and current in parents:
            if current in chain:
                problems.add(
                    f"code '{code}': parents form a cycle ({' -> '.join([*chain, current])})",
                    row=lines[code],
                    column="parent",
                )
                break
            chain.append(current)
            current = parents[current]
    problems.raise_if_any(f"{len(problems)} problem(s) in codebook {name}")

    for row in rows:
        depth, current = 0, row["id"]
        while parents[current] is not None:
            current = parents[current]
            depth += 1
        row["depth"], row["top"] = depth, current
    codes = pd.DataFrame(rows).drop(columns=["line"])
    codes = codes[list(COLUMNS)]
    return Codebook(
        str(version), codes.reset_index(drop=True), Path(file) if file else None, origin or None
    )


def _parse_code(
    raw: dict[str, Any], line: int | None, name: str, seen: dict[str, int], imported: bool
) -> tuple[dict[str, Any] | None, list[InputProblem]]:
    problems: list[InputProblem] = []
    code = raw.get("id")

    def problem(message: str, column: str | None = None, **kw: Any) -> None:
        label = f"code '{code}'" if code else "code without id"
        problems.append(InputProblem(name, f"{label}: {message}", row=line, column=column, **kw))

    if not isinstance(code, str) or not _CODE_ID.match(code):
        problem(
            "missing or bad id",
            "id",
            expected="lower-case letters, digits and _",
            found=None if code is None else str(code),
        )
        return None, problems
    if code in seen:
        problem(f"duplicate id (first defined on line {seen[code]})", "id")
    else:
        seen[code] = line
    for key in sorted(set(raw) - KEYS, key=str):
        hint = " (did you mean 'colour'?)" if key == "color" else ""
        problem(f"unknown key '{key}'{hint}", str(key))
    label = raw.get("label")
    label = label if isinstance(label, dict) else {"da": label} if isinstance(label, str) else {}
    if not _text(label.get("da")):
        problem("missing Danish label", "label.da")
    definition = raw.get("definition")
    if isinstance(definition, str):
        definition = {"da": definition}
    if definition is None and imported:
        definition = {}
    elif not isinstance(definition, dict) or not any(_text(v) for v in definition.values()):
        problem("missing definition", "definition")
        definition = {}
    colour = raw.get("colour")
    if colour is None:
        problem("missing colour", "colour", expected="#rrggbb")
    elif not isinstance(colour, str) or not _COLOUR.match(colour):
        problem("bad colour", "colour", expected="#rrggbb", found=str(colour))
    patterns = raw.get("patterns") or []
    if not isinstance(patterns, list):
        problem("patterns must be a list", "patterns")
        patterns = []
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern.strip():
            problem("empty pattern", "patterns")
            continue
        bad = [w for w in pattern.split() if not _PATTERN_WORD.match(w) or w == "*"]
        if bad:
            problem(f"bad pattern {pattern!r}", "patterns", expected="words, * at word start/end")
    texts = {
        "label.da": label.get("da"),
        "label.en": label.get("en"),
        "definition.da": definition.get("da"),
        "definition.en": definition.get("en"),
        **{key: raw.get(key) for key in ("include", "exclude", "example")},
    }
    for column, value in texts.items():
        if isinstance(value, dict | list):
            problem("must be text", column, expected="text", found=type(value).__name__)
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        problem("parent must be a code id", "parent")
        parent = None
    if parent == code:
        problem("a code cannot be its own parent", "parent")
        parent = None
    row = {
        "id": code,
        "parent": parent,
        "label_da": _text(label.get("da")),
        "label_en": _text(label.get("en")),
        "definition_da": _verbatim(definition.get("da")),
        "definition_en": _verbatim(definition.get("en")),
        "include": _text(raw.get("include")),
        "exclude": _text(raw.get("exclude")),
        "example": _text(raw.get("example")),
        "colour": colour.lower() if isinstance(colour, str) else None,
        "patterns": tuple(str(p).strip() for p in patterns if isinstance(p, str) and p.strip()),
        "line": line,
    }
    return row, problems


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if value is pd.NA:
        return None
    text = " ".join(str(value).split())
    return text or None


def _verbatim(value: object) -> str | None:
    """A definition as written (``None`` when it is missing or blank)."""
    if _text(value) is None:
        return None
    return str(value)


def codebook_from_codes(
    codes: pd.DataFrame,
    version: str = "imported",
    origin: str | None = None,
    file: Path | str | None = None,
) -> Codebook:
    """A codebook from a table with at least ``id`` and ``parent`` (e.g. an import);
    missing labels and colours are filled so it validates. Definitions are not invented:
    with ``origin`` (the tool it came from) codes may lack one. A problem names ``file``
    (the file the codes came from) and the code."""
    table = codes.copy()
    for column in COLUMNS:
        if column not in table.columns:
            table[column] = None
    table["label_da"] = table["label_da"].fillna(table["id"])
    palette = default_palette()
    table["colour"] = [
        c if isinstance(c, str) and _COLOUR.match(c) else palette[i % len(palette)]
        for i, c in enumerate(table["colour"])
    ]
    table["patterns"] = [p if isinstance(p, tuple) else () for p in table["patterns"]]
    book = Codebook(version, table, origin=origin)
    where = f"{file} (its codes as codebook YAML)" if file is not None else "imported codebook"
    return parse_codebook(codebook_yaml(book), where)


def default_palette() -> list[str]:
    """Colours for codes without one (ColorBrewer-like qualitative palette)."""
    return [
        "#1b9e77",
        "#d95f02",
        "#7570b3",
        "#e7298a",
        "#66a61e",
        "#e6ab02",
        "#a6761d",
        "#666666",
        "#1f78b4",
        "#b2df8a",
    ]


def codebook_yaml(codebook: Codebook) -> str:
    """The codebook as YAML text in the format :func:`parse_codebook` reads."""
    codes = []
    for row in codebook.codes.itertuples(index=False):
        item: dict[str, Any] = {"id": row.id}
        if isinstance(row.parent, str):
            item["parent"] = row.parent
        item["label"] = {
            "da": row.label_da,
            **({"en": row.label_en} if _text(row.label_en) else {}),
        }
        definition = {
            k: v for k, v in (("da", row.definition_da), ("en", row.definition_en)) if _text(v)
        }
        if definition or not codebook.origin:
            item["definition"] = definition
        for key in ("include", "exclude", "example"):
            value = getattr(row, key)
            if _text(value):
                item[key] = value
        item["colour"] = row.colour
        if row.patterns:
            item["patterns"] = list(row.patterns)
        codes.append(item)
    body: dict[str, Any] = {"version": codebook.version}
    if codebook.origin:
        body["origin"] = codebook.origin
    body["codes"] = codes
    return yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=88)


def write_codebook(codebook: Codebook, path: Path | str) -> Path:
    """Write the codebook as YAML (atomically)."""
    return atomic_write_text(path, codebook_yaml(codebook))
