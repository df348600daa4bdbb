"""Hostile YAML: alias bombs ("billion laughs"), Python object tags, deep nesting, and
wrong types anywhere in the codebook, costs.yaml, clusters.yaml and partition files.
Each gives an InputError naming the file (with the line where YAML knows it), runs no
code, and stays small in memory. See docs/trust.md.
"""

from __future__ import annotations

import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.benchmark.clusters import load_clusters, read_partition_file
from analysis.benchmark.savings import load_costs
from analysis.errors import InputError
from analysis.qual.codebook import load_codebook

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "qual"))
from qualtest_helpers import TINY_CODEBOOK  # noqa: E402

RAW = REPO / "data" / "raw"
COSTS = (RAW / "benchmark" / "costs.yaml").read_text(encoding="utf-8")
CLUSTERS = (RAW / "reference" / "clusters.yaml").read_text(encoding="utf-8")
PARTITION = "København: a\nFrederiksberg: a\nAabenraa: b\n"

LOADERS: dict[str, Callable[[Path], object]] = {
    "codebook": load_codebook,
    "costs": load_costs,
    "clusters": load_clusters,
    "partition": read_partition_file,
}
VALID = {"codebook": TINY_CODEBOOK, "costs": COSTS, "clusters": CLUSTERS, "partition": PARTITION}

#: nine levels of nine aliases: 9**9 (387 million) items once expanded
LAUGHS = "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)


def assert_input_error(exc: BaseException, path: Path, *phrases: str) -> None:
    assert isinstance(exc, InputError), f"{type(exc).__name__}: {exc}"
    text = str(exc)
    assert str(path) in text, f"the message does not name {path}: {text[:300]}"
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in {text[:400]}"


def load_small(loader: Callable[[Path], object], path: Path) -> BaseException | None:
    """Run a loader under tracemalloc; its peak must stay below 50 MB."""
    tracemalloc.start()
    try:
        loader(path)
    except Exception as exc:  # returned for the test to check
        return exc
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 50 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    return None


# --- billion laughs ---------------------------------------------------------------------------

BOMBS = {
    # before the fix: 20+ s and 1.9 GB, then killed (str() of the expanded alias)
    "codebook": LAUGHS + "version: *i\ncodes: [{id: a}]\n",
    "codebook-label": (
        LAUGHS
        + "version: 1\ncodes:\n  - id: a\n    label: {da: *i}\n"
        + "    definition: x\n    colour: '#000000'\n"
    ),
    # before the fix: 20+ s and 2 GB (repr of the alias's nodes in a message)
    "costs": LAUGHS + "benefits:\n  ? *i\n  : 1\n",
    "costs-value": LAUGHS + "benefits:\n  kh:\n    monthly_rate_dkk: {value: *i}\n",
    "clusters": (
        "groups:\n  g1:\n    members: &a [Aabenraa, Tønder, x, x, x, x, x, x, x]\n"
        + "".join(
            f"  g{i}:\n    members: &{n} [{', '.join(['*' + p] * 9)}]\n"
            for i, (p, n) in enumerate(zip("abcdefgh", "bcdefghi", strict=True), start=2)
        )
    ),
    "partition": LAUGHS.replace(": &", ": &x").replace("*", "*x") + "101: *xi\n",
}
BOMB_RESULTS = {
    "codebook": "aliases (*a) are not allowed in a codebook",
    "codebook-label": "aliases (*a) are not allowed in a codebook",
    "costs": "aliases (*a) are not allowed",
    "costs-value": "aliases (*a) are not allowed",
    "clusters": "member must be a name or a code",  # one level is read, nothing expanded
    "partition": "missing cluster id",
}


@pytest.mark.parametrize("case", list(BOMBS))
def test_alias_bombs_stay_small(tmp_path: Path, case: str) -> None:
    loader = LOADERS[case.split("-")[0]]
    path = tmp_path / f"{case}.yaml"
    path.write_text(BOMBS[case], encoding="utf-8")
    error = load_small(loader, path)
    assert_input_error(error, path, BOMB_RESULTS[case])
    assert len(str(error)) < 20_000


def test_unquoted_pattern_star_gets_a_helpful_message(tmp_path: Path) -> None:
    """A pattern written *stamme without quotes is a YAML alias; the message says so."""
    path = tmp_path / "codebook.yaml"
    path.write_text(TINY_CODEBOOK.replace('"*sagsstamme*"', "*sagsstamme"), encoding="utf-8")
    assert_input_error(
        load_small(load_codebook, path), path, "row 7", "put quotes around a pattern"
    )


# --- tags that would run code ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(LOADERS))
def test_python_tags_run_nothing(tmp_path: Path, name: str) -> None:
    marker = tmp_path / "pwned"
    tag = f'!!python/object/apply:os.mkdir ["{marker}"]'
    text = {
        "codebook": f"version: {tag}\ncodes: [{{id: a}}]\n",
        "costs": f"benefits: {tag}\n",
        "clusters": f"groups: {tag}\n",
        "partition": f"101: {tag}\n",
    }[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    error = load_small(LOADERS[name], path)
    expected = {
        "codebook": "could not determine a constructor for the tag",
        "costs": "expected a 'benefits' mapping",
        "clusters": "'groups' must be a mapping of names",
        "partition": "missing cluster id",
    }[name]
    assert_input_error(error, path, expected)
    assert not marker.exists()


# --- deep nesting and odd keys -------------------------------------------------------------------


@pytest.mark.parametrize("name", list(LOADERS))
@pytest.mark.parametrize("shape", ["flow", "block"])
def test_deep_nesting_is_refused(tmp_path: Path, name: str, shape: str) -> None:
    """5,000 nested lists (or 3,000 nested mappings) ended in RecursionError."""
    text = (
        "[" * 5000 + "]" * 5000
        if shape == "flow"
        else "".join("  " * i + "k:\n" for i in range(3000))
    )
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as info:  # (no tracemalloc: it slows deep recursion 20x)
        LOADERS[name](path)
    assert_input_error(info.value, path, "nested too deeply")


def test_codebook_keys_of_mixed_types(tmp_path: Path) -> None:
    """An integer key next to text keys crashed sorting the unknown keys (TypeError)."""
    path = tmp_path / "codebook.yaml"
    path.write_text(
        TINY_CODEBOOK.replace(
            '    colour: "#e31a1c"\n', '    colour: "#e31a1c"\n    1: x\n    foo: y\n'
        ),
        encoding="utf-8",
    )
    assert_input_error(
        load_small(load_codebook, path), path, "unknown key '1'", "unknown key 'foo'"
    )


def test_codebook_text_fields_must_be_text(tmp_path: Path) -> None:
    """A list where a label is expected was stored as the label "['a', 'b']"."""
    path = tmp_path / "codebook.yaml"
    path.write_text(
        TINY_CODEBOOK.replace("label: {da: Ledelse}", "label: {da: [a, b]}").replace(
            'version: "0.1"', "version: {major: 0}"
        ),
        encoding="utf-8",
    )
    assert_input_error(
        load_small(load_codebook, path),
        path,
        "column 'label.da': code 'ledelse': must be text",
        "'version' must be text or a number",
    )


# --- wrong types everywhere (property-based) ------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", "#zzzzzz", "101", "København", "sourced", "ledelse", "~", "*"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
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


def _replace(node: object, path: tuple, value: object) -> object:
    if not path:
        return value
    head, *rest = path
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[head] = _replace(copy[head], tuple(rest), value)
    return copy


@pytest.mark.parametrize("name", list(LOADERS))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_wrong_types_anywhere_give_input_errors(name: str, data: st.DataObject) -> None:
    """Replace any node of a valid file (the whole document, a section, a code, a label,
    a figure, a member ...) by a random value of any type: the loader reads it or raises
    an InputError naming the file."""
    document = yaml.safe_load(VALID[name])
    path_in_doc = data.draw(st.sampled_from(_paths(document)), label="where")
    value = data.draw(VALUES, label="value")
    text = yaml.safe_dump(_replace(document, path_in_doc, value), allow_unicode=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        error = load_small(LOADERS[name], path)
        if error is not None:
            assert_input_error(error, path)
