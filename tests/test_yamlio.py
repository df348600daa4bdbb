"""The shared safe YAML reader (``analysis.yamlio``): line numbers, duplicate keys,
aliases, tags and nesting refused with the file and line."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
import yaml

from analysis.errors import InputError, ProblemCollector
from analysis.yamlio import MAX_DEPTH, compose_yaml, load_yaml, read_yaml_text

TEXT = """\
version: 1
rules:
  min: 3
domains:
  - id: a
    themes: [x, y]
  - id: b
"""


def message(error: pytest.ExceptionInfo) -> str:
    assert isinstance(error.value, InputError)
    return str(error.value)


def test_data_and_the_line_of_every_key_and_item() -> None:
    doc = load_yaml(TEXT, "f.yaml")
    assert doc.data == {
        "version": 1,
        "rules": {"min": 3},
        "domains": [{"id": "a", "themes": ["x", "y"]}, {"id": "b"}],
    }
    assert doc.line(()) == 1
    assert doc.line(("rules", "min")) == 3
    assert doc.line(("domains", 1)) == 7
    assert doc.line(("domains", 0, "themes", 1)) == 6
    # a path below a scalar or an unknown key falls back to the nearest known ancestor
    assert doc.line(("domains", 1, "missing")) == 7
    assert doc.file == "f.yaml"


def test_lines_are_keyed_by_the_value_read_not_the_text() -> None:
    doc = load_yaml("a: 1\n2: x\ntrue: y\n", "f.yaml")
    assert doc.data == {"a": 1, 2: "x", True: "y"}
    assert doc.line((2,)) == 2 and doc.line((True,)) == 3


def test_duplicate_keys_are_raised_with_both_lines() -> None:
    with pytest.raises(InputError) as info:
        load_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", "f.yaml")
    text = message(info)
    assert "f.yaml, row 4, column 'c': key given twice (first on line 3)" in text
    assert "f.yaml, row 5, column 'a': key given twice (first on line 1)" in text


def test_duplicate_keys_go_to_a_collector_when_one_is_given() -> None:
    problems = ProblemCollector("f.yaml")
    doc = load_yaml("a: 1\na: 2\n", "f.yaml", problems=problems)
    assert doc.data == {"a": 2}
    assert [(p.row, p.column) for p in problems.problems] == [(2, "a")]


def test_duplicate_keys_can_be_left_to_the_caller() -> None:
    assert compose_yaml("a: 1\na: 2\n", "f.yaml", check_duplicates=False) is not None


@pytest.mark.parametrize("reader", [load_yaml, compose_yaml])
def test_an_alias_is_refused_at_once_with_file_and_line(reader) -> None:
    """Six levels of twelve aliases (3 million items expanded, 322 bytes of text)."""
    text = "a: &a [x, x, x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 12)}]\n" for p, n in zip("abcde", "bcdef", strict=True)
    )
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as info:
            reader(text, "bomb.yaml")
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024
    assert str(info.value) == "bomb.yaml, row 2: not valid YAML: aliases (*a) are not allowed"


def test_the_alias_message_can_say_where_and_what_to_do() -> None:
    with pytest.raises(InputError) as info:
        load_yaml("a: &x 1\nb: *x\n", "c.yaml", what="a codebook", alias_hint="quote it")
    assert message(info).endswith("aliases (*x) are not allowed in a codebook; quote it")


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['echo']",
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!local x",
    ],
)
@pytest.mark.parametrize("reader", [load_yaml, compose_yaml])
def test_tags_beyond_plain_values_are_refused(tmp_path: Path, reader, value: str) -> None:
    with pytest.raises(InputError) as info:
        reader(f"a: 1\nb: {value}\n", "t.yaml")
    text = message(info)
    assert text.startswith("t.yaml, row 2: not valid YAML: the tag !")
    assert "is not allowed" in text


def test_plain_values_and_explicit_standard_tags_are_read() -> None:
    doc = load_yaml("a: !!str 12\nb: 2024-05-01\nc: ~\nd: 1.5\ne: {<<: {x: 1}, y: 2}\n", "f")
    assert doc.data["a"] == "12" and str(doc.data["b"]) == "2024-05-01"
    assert doc.data["c"] is None and doc.data["d"] == 1.5
    assert doc.data["e"] == {"x": 1, "y": 2}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        "".join("  " * i + "k:\n" for i in range(3000)),
        "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
    ],
)
@pytest.mark.parametrize("reader", [load_yaml, compose_yaml])
def test_deep_nesting_is_refused(reader, text: str) -> None:
    with pytest.raises(InputError) as info:
        reader(text, "deep.yaml")
    assert f"not valid YAML: nested too deeply (more than {MAX_DEPTH} levels)" in message(info)


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 1
    doc = load_yaml("[" * depth + "]" * depth, "f.yaml")
    assert doc.data is not None


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("a: 2024-02-30\n", "cannot read the value '2024-02-30'"),
        ("a: " + "1" * 5000 + "\n", "cannot read the value '11111111"),
        ("? [a, b]\n: 1\n", "not valid YAML"),
    ],
)
def test_values_python_cannot_build_are_input_errors(text: str, phrase: str) -> None:
    """Before: a date that does not exist or an integer of 5,000 digits escaped as
    ValueError from the codebook and mapping readers."""
    with pytest.raises(InputError) as info:
        load_yaml(text, "v.yaml")
    text = message(info)
    assert text.startswith("v.yaml, row 1") and phrase in text


@pytest.mark.parametrize("reader", [load_yaml, compose_yaml])
def test_control_characters_are_input_errors(reader) -> None:
    """Before the shared reader was fixed: PyYAML's ReaderError escaped (found by
    tests/trust/test_hostile_files.py with a file holding one NUL byte)."""
    with pytest.raises(InputError) as info:
        reader("a: 1\nb: \x00\n", "nul.yaml")
    assert message(info) == (
        "nul.yaml, row 2: not valid YAML: special characters are not allowed (character #x0000)"
    )


def test_syntax_errors_name_the_line() -> None:
    with pytest.raises(InputError) as info:
        load_yaml("a: 1\nb: [1, 2\nc: 3\n", "s.yaml")
    assert message(info).startswith("s.yaml, row 3: not valid YAML: expected ',' or ']'")


def test_compose_only_never_builds_values() -> None:
    root = compose_yaml("a: 2024-02-30\nb: [1, 2]\n", "f.yaml")
    assert isinstance(root, yaml.MappingNode)
    assert [k.value for k, _ in root.value] == ["a", "b"]


def test_empty_text_is_none() -> None:
    assert load_yaml("", "f.yaml").data is None
    assert load_yaml("# only a comment\n", "f.yaml").line(("a",)) is None
    assert compose_yaml("", "f.yaml") is None


def test_read_yaml_text_names_the_file(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_bytes("\ufeffa: æ\n".encode())
    assert read_yaml_text(good, missing="codebook not found") == "a: æ\n"
    with pytest.raises(InputError, match=r"none.yaml: codebook not found"):
        read_yaml_text(tmp_path / "none.yaml", missing="codebook not found")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("a: æ\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin.yaml: not UTF-8 text \(byte 3\)"):
        read_yaml_text(latin, missing="x")
    with pytest.raises(InputError, match=r"cannot read the file"):
        read_yaml_text(tmp_path, missing="x")  # a folder
