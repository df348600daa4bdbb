"""Hostile Jobindsats snapshots (JSON): wrong types at every level, deep nesting, NaN and
Infinity, duplicated keys. The test snapshot is small but valid: every municipality of
the reference table carries the first municipality's blocks from the real snapshot, cut
to three months. See docs/trust.md.
"""

from __future__ import annotations

import copy
import json
import math
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.data.jobindsats import SNAPSHOT_COLUMNS, load_snapshot, snapshot_metadata
from analysis.data.reference import load_municipalities
from analysis.errors import InputError

REPO = Path(__file__).resolve().parents[2]
REAL = REPO / "data" / "raw" / "jobindsats" / "dashboard-data-2026-08-22.json"


def _trim(area: dict, name: str) -> dict:
    out: dict = {"name": name}
    for block, content in area.items():
        if isinstance(content, dict):
            out[block] = {k: v[:3] if isinstance(v, list) else v for k, v in content.items()}
            out[block]["name"] = name
    return out


def small_snapshot() -> dict:
    real = json.loads(REAL.read_text(encoding="utf-8"))
    first = next(iter(real["municipalities"].values()))
    national = real["national"]
    return {
        "meta": real["meta"],
        "national": _trim(national, national["name"]),
        "municipalities": {
            row.slug: _trim(first, row.name)
            for row in load_municipalities().itertuples(index=False)
        },
    }


SNAPSHOT = small_snapshot()
FIRST = next(iter(SNAPSHOT["municipalities"]))  # "koebenhavn" (reference table order)


def write_json(folder: Path, data: object, name: str = "snapshot.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def assert_input_error(exc: BaseException, path: Path, *phrases: str) -> None:
    assert isinstance(exc, InputError), f"{type(exc).__name__}: {exc}"
    text = str(exc)
    assert str(path) in text, f"the message does not name {path}: {text[:300]}"
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in {text[:400]}"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return load_snapshot(write_json(tmp_path_factory.mktemp("base"), SNAPSHOT))


def test_small_snapshot_is_valid(baseline: pd.DataFrame) -> None:
    assert list(baseline.columns) == SNAPSHOT_COLUMNS
    assert baseline["municipality_code"].nunique() == 98


# --- property: replace or delete anything ----------------------------------------------------

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
        st.sampled_from(["2024M01", "Albertslund", "y25i01", "", "2021M08"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


#: every place in one municipality, the national block, the metadata and the top level
PLACES = (
    _paths(SNAPSHOT["municipalities"][FIRST], ("municipalities", FIRST))
    + _paths(SNAPSHOT["national"], ("national",))
    + _paths(SNAPSHOT["meta"], ("meta",))
    + [(), ("municipalities",)]
)


def _get(node: object, path: tuple) -> object:
    for key in path:
        node = node[key]
    return node


def _mutate(document: dict, path: tuple, value: object, delete: bool) -> object:
    if not path:
        return value
    out = copy.deepcopy(document)
    parent = _get(out, path[:-1])
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


def _location(path: tuple) -> str:
    """The place an error about a change at ``path`` must name: the area (the loader
    may report a sibling, e.g. a block whose name no longer matches the area's), and the
    block when the change is inside one (``municipalities.koebenhavn.offers``)."""
    area = 2 if path[:1] == ("municipalities",) else 1
    if len(path) > area + 1:
        return ".".join(str(p) for p in path[: area + 1])
    return str(path[area - 1]) if len(path) >= area else ""


@settings(max_examples=60, deadline=None)
@given(
    path=st.sampled_from(PLACES),
    value=JSON_VALUES,
    delete=st.booleans(),
)
def test_any_change_is_read_exactly_or_refused(
    baseline: pd.DataFrame, path: tuple, value: object, delete: bool
) -> None:
    """Replace (or delete) any node by any JSON value: the snapshot is refused with an
    InputError naming the file (and, inside a municipality or the national block, the
    place), or it loads and differs from the original only in the values written (one
    value, or the elements of a replaced series), which read back as written (null as
    NaN)."""
    document = _mutate(SNAPSHOT, path, value, delete)
    with tempfile.TemporaryDirectory() as folder:
        file = write_json(Path(folder), document)
        try:
            loaded = load_snapshot(file)
        except Exception as exc:  # the kind is checked
            inside = path[:1] in (("municipalities",), ("national",))
            assert_input_error(exc, file, _location(path) if inside else "")
            return
        try:
            snapshot_metadata(file)
        except Exception as exc:  # the kind is checked
            assert_input_error(exc, file, "meta")
    assert list(loaded.columns) == SNAPSHOT_COLUMNS
    if loaded[SNAPSHOT_COLUMNS[:5]].equals(baseline[SNAPSHOT_COLUMNS[:5]]):
        changed = ~(
            (loaded["value"] == baseline["value"])
            | (loaded["value"].isna() & baseline["value"].isna())
        )
        written = value if isinstance(value, list) else [value]  # a series, or one value
        assert changed.sum() <= len(written)
        if changed.any():
            assert not delete or not isinstance(_get(SNAPSHOT, path[:-1]), dict)
        for new in loaded.loc[changed, "value"]:
            assert any(
                (v is None and math.isnan(new))
                or (isinstance(v, int | float) and not isinstance(v, bool) and new == float(v))
                for v in written
            )


# --- specific attacks -----------------------------------------------------------------------


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    """100,000 nested arrays ended in RecursionError."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(Exception) as info:
        load_snapshot(path)
    assert_input_error(info.value, path, "JSON nested too deeply")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals_are_refused(tmp_path: Path, literal: str) -> None:
    """NaN is not JSON; it used to load as a suppressed value (and Infinity as an error
    about a value only after parsing)."""
    document = copy.deepcopy(SNAPSHOT)
    document["municipalities"][FIRST]["unemployment"]["total"][0] = "PLACEHOLDER"
    path = tmp_path / "constant.json"
    path.write_text(json.dumps(document).replace('"PLACEHOLDER"', literal), encoding="utf-8")
    with pytest.raises(Exception) as info:
        load_snapshot(path)
    assert_input_error(info.value, path, f"{literal} is not valid JSON", "null for a suppressed")


@pytest.mark.parametrize("where", ["municipality", "block", "series"])
def test_duplicate_keys_are_refused(tmp_path: Path, where: str) -> None:
    """json keeps the last of two equal keys without a word: a second, different
    'albertslund' or 'unemployment' entry silently replaced the first."""
    text = json.dumps(SNAPSHOT, ensure_ascii=False)
    key, duplicate = {
        "municipality": ('"albertslund": {', '"albertslund": {"name": "Albertslund"}, '),
        "block": ('"unemployment": {', '"unemployment": {"name": "Albertslund"}, '),
        "series": ('"totalRate": [', '"totalRate": [99, 99, 99], '),
    }[where]
    assert key in text
    path = tmp_path / "dup.json"
    path.write_text(text.replace(key, duplicate + key, 1), encoding="utf-8")
    with pytest.raises(Exception) as info:
        load_snapshot(path)
    name = key.split('"')[1]
    assert_input_error(info.value, path, "duplicate key(s) in one JSON object", repr(name))


@pytest.mark.parametrize("document", [[], "x", 1, None, [SNAPSHOT]])
def test_wrong_top_level_type(tmp_path: Path, document: object) -> None:
    path = write_json(tmp_path, document)
    with pytest.raises(Exception) as info:
        load_snapshot(path)
    assert_input_error(info.value, path, "unexpected JSON")


def test_encodings(tmp_path: Path, baseline: pd.DataFrame) -> None:
    text = json.dumps(SNAPSHOT, ensure_ascii=False)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    loaded = load_snapshot(bom)
    assert loaded.equals(baseline)
    for name, data in (
        ("utf16.json", b"\xff\xfe" + text.encode("utf-16-le")),
        ("latin1.json", text.encode("latin-1", errors="replace")),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(Exception) as info:
            load_snapshot(path)
        assert_input_error(info.value, path, "not UTF-8 text")
