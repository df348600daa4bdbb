"""Hostile YAML: alias bombs ("billion laughs"), Python object tags, deep nesting, and
wrong types anywhere in the codebook, costs.yaml, clusters.yaml, partition files, the
joint-display mapping (joint_display.yaml) and its overrides. Each gives an InputError
naming the file (with the line where YAML knows it), runs no code, and stays small in
memory. All of them read YAML through ``analysis.yamlio``. See docs/trust.md.
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
from analysis.mixed.mapping import load_mapping, load_overrides, parse_mapping
from analysis.qual.codebook import load_codebook

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "qual"))
from qualtest_helpers import TINY_CODEBOOK  # noqa: E402

RAW = REPO / "data" / "raw"
COSTS = (RAW / "benchmark" / "costs.yaml").read_text(encoding="utf-8")
CLUSTERS = (RAW / "reference" / "clusters.yaml").read_text(encoding="utf-8")
PARTITION = "København: a\nFrederiksberg: a\nAabenraa: b\n"
MAPPING = (RAW / "joint_display.yaml").read_text(encoding="utf-8")
THEME_IDS = load_codebook(RAW / "codebook.yaml").ids
JOINT = parse_mapping(MAPPING, THEME_IDS)
OVERRIDES = """version: 1
overrides:
  - municipality: 101
    domain: staff
    outcome: staff_turnover
    meta_inference: convergence
    reason: "The focus group's account matches the lower turnover."
    who: "AB, evaluator"
    date: 2026-12-01
"""

LOADERS: dict[str, Callable[[Path], object]] = {
    "codebook": load_codebook,
    "costs": load_costs,
    "clusters": load_clusters,
    "partition": read_partition_file,
    "mapping": lambda path: load_mapping(path, THEME_IDS),
    "overrides": lambda path: load_overrides(path, JOINT),
}
VALID = {
    "codebook": TINY_CODEBOOK,
    "costs": COSTS,
    "clusters": CLUSTERS,
    "partition": PARTITION,
    "mapping": MAPPING,
    "overrides": OVERRIDES,
}

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
    # before the fix: the line index walked every alias (9 levels would never finish)
    "mapping": LAUGHS + "version: *i\n",
    "mapping-domains": MAPPING.replace("domains:\n", LAUGHS + "domains:\n  - *i\n", 1),
    "overrides": LAUGHS + "version: 1\noverrides: *i\n",
}
BOMB_RESULTS = {
    "codebook": "row 2: not valid YAML: aliases (*a) are not allowed in a codebook",
    "codebook-label": "row 2: not valid YAML: aliases (*a) are not allowed in a codebook",
    "costs": "row 2: not valid YAML: aliases (*a) are not allowed",
    "costs-value": "row 2: not valid YAML: aliases (*a) are not allowed",
    # before: one level was read and nothing expanded ("member must be a name or a code",
    # "missing cluster id"); now refused like everywhere else
    "clusters": "row 5: not valid YAML: aliases (*a) are not allowed",
    "partition": "row 2: not valid YAML: aliases (*xa) are not allowed",
    "mapping": "row 2: not valid YAML: aliases (*a) are not allowed",
    "mapping-domains": "not valid YAML: aliases (*a) are not allowed",
    "overrides": "row 2: not valid YAML: aliases (*a) are not allowed",
}


@pytest.mark.parametrize("case", list(BOMBS))
def test_alias_bombs_stay_small(tmp_path: Path, case: str) -> None:
    loader = LOADERS[case.split("-")[0]]
    path = tmp_path / f"{case}.yaml"
    path.write_text(BOMBS[case], encoding="utf-8")
    error = load_small(loader, path)
    assert_input_error(error, path, BOMB_RESULTS[case])
    assert len(str(error)) < 20_000


#: six levels of thirteen aliases (4.8 million items expanded) in 344 bytes of text
SIX_LEVELS = (
    "a: &a ["
    + ", ".join(["x"] * 13)
    + "]\n"
    + "".join(
        f"{name}: &{name} [{', '.join(['*' + prev] * 13)}]\n"
        for prev, name in zip("abcde", "bcdef", strict=True)
    )
)


def test_mapping_six_level_alias_file_is_refused_at_once(tmp_path: Path) -> None:
    """Before: ``mapping._Located._walk`` followed every alias of a 322-byte file with
    six levels of aliases into six million entries (9.7 s); nine levels never ended. Now
    the first alias is refused before anything is built or walked."""
    path = tmp_path / "joint_display.yaml"
    path.write_text(SIX_LEVELS + "version: 1\n", encoding="utf-8")
    error = load_small(LOADERS["mapping"], path)
    assert_input_error(error, path, "row 2: not valid YAML: aliases (*a) are not allowed")
    assert len(error.problems) == 1


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
        "mapping": f"version: 1\nrules: {tag}\n",
        "overrides": f"version: 1\noverrides:\n  - {tag}\n",
    }[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    error = load_small(LOADERS[name], path)
    # before: "could not determine a constructor for the tag" (codebook, mapping) or the
    # tag was ignored and the node read as a list ("expected a 'benefits' mapping", ...)
    row = 3 if name == "overrides" else 2 if name == "mapping" else 1
    assert_input_error(
        error,
        path,
        f"row {row}: not valid YAML: the tag !!python/object/apply:os.mkdir is not allowed",
    )
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
    assert_input_error(info.value, path, "not valid YAML: nested too deeply (more than 100 levels)")


@pytest.mark.parametrize("name", list(LOADERS))
def test_duplicate_keys_are_reported_with_both_lines(tmp_path: Path, name: str) -> None:
    """Before: YAML kept the last of two equal keys silently (in all but the mapping)."""
    text = {
        "codebook": TINY_CODEBOOK.replace("label: {da: Ledelse}", "label: {da: A, da: B}"),
        "costs": COSTS.replace("benefits:\n", "benefits:\n  x: 1\n  x: 2\n", 1),
        "clusters": "groups:\n  g:\n    members: [101, 147]\n    members: [101, 151]\n",
        "partition": "København: a\nKøbenhavn: b\n",
        "mapping": MAPPING.replace("version: ", "version: 2\nversion: ", 1),
        "overrides": OVERRIDES.replace("    who:", "    date: 2026-12-02\n    who:"),
    }[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    error = load_small(LOADERS[name], path)
    # a partition file says more: the same municipality may be written as name or code
    phrase = "assigned twice" if name == "partition" else "key given twice"
    assert_input_error(error, path, phrase, "(first on line ")


@pytest.mark.parametrize("name", ["mapping", "overrides"])
def test_mapping_files_that_are_not_utf8_or_not_files(tmp_path: Path, name: str) -> None:
    """Before: UnicodeDecodeError or IsADirectoryError escaped as tracebacks."""
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(VALID[name].replace("version", "vérsion").encode("latin-1"))
    assert_input_error(load_small(LOADERS[name], path), path, "not UTF-8 text")
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    assert_input_error(load_small(LOADERS[name], folder), folder, "cannot read the file")


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
