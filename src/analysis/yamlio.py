"""Safe YAML for hand-written input files, with the line of every key and list item.

Every YAML input (the codebook, ``costs.yaml``, ``clusters.yaml`` and partition files,
the joint-display mapping and its overrides) is read here, so each refuses the same
things the same way, naming the file and the line:

- aliases (``*name``): no input file needs them, and aliases of aliases expand to
  billions of items as soon as something walks or prints the data ("billion laughs");
- tags beyond plain values (``!!python/...``, ``!!binary``, ``!!set``, local ``!tags``):
  only text, numbers, true/false, null, dates, lists and mappings are read;
- nesting deeper than :data:`MAX_DEPTH` levels (instead of a ``RecursionError``);
- a key given twice in one mapping (YAML would silently keep the last one);
- values Python cannot build (``2024-02-30``, an integer of 5,000 digits).

:func:`load_yaml` returns the data with its lines (:class:`YamlDocument`);
:func:`compose_yaml` returns the checked node tree for readers that work on nodes and
never build values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from analysis.errors import MAX_PROBLEMS, InputError, InputProblem, ProblemCollector

#: Deepest nesting read (the project's files nest at most seven levels).
MAX_DEPTH = 100
_CORE = "tag:yaml.org,2002:"
#: Tags read: plain values only (no Python objects, no binary, sets or ordered maps).
ALLOWED_TAGS = frozenset(
    _CORE + name
    for name in ("null", "bool", "int", "float", "str", "timestamp", "seq", "map", "merge")
)
_MERGE = _CORE + "merge"

Path_ = tuple[Any, ...]


class _Refused(ComposerError):
    """Something the loader refuses while composing (alias, tag, depth)."""


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader (pure Python, so the checks below apply) that refuses
    aliases, tags beyond plain values and deep nesting while composing, and turns
    values Python cannot build into YAML errors with their line."""

    def __init__(self, text: str, alias_message: str):
        super().__init__(text)
        self.alias_message = alias_message
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                None, None, self.alias_message.format(anchor=event.anchor), event.start_mark
            )
        event = self.peek_event()
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in ALLOWED_TAGS:
            shown = tag.replace(_CORE, "!!", 1)
            raise _Refused(
                None,
                None,
                f"the tag {shown} is not allowed (only plain values: text, numbers, "
                "true/false, dates, lists and mappings)",
                event.start_mark,
            )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(
                None, None, f"nested too deeply (more than {MAX_DEPTH} levels)", event.start_mark
            )
        node = super().compose_node(parent, index)
        self.depth -= 1
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:
            value = node.value if isinstance(node, yaml.ScalarNode) else node.tag
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise ConstructorError(
                None, None, f"cannot read the value {shown!r}: {exc}", node.start_mark
            ) from None


# a plain "=" resolves to the tag !!value, which the safe loader cannot build: read it as text
_Loader.add_constructor(_CORE + "value", yaml.SafeLoader.construct_yaml_str)


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML plus the line (1-based) of every key and list item.

    A path is the tuple of keys and list indexes from the top, e.g.
    ``("domains", 0, "outcomes")``; keys are the values read (``2``, not ``"2"``).
    """

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """The line of ``path`` (or of its nearest ancestor that has one)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def read_yaml_text(path: Path | str, *, missing: str = "file not found") -> str:
    """The text of a YAML file (UTF-8, a byte-order mark is dropped); ``missing`` is
    the message when the file does not exist."""
    file = Path(path)
    try:
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError.single(file, missing) from None
    except UnicodeDecodeError as exc:
        raise InputError.single(
            file, f"not UTF-8 text (byte {exc.start})", expected="a UTF-8 YAML file"
        ) from None
    except OSError as exc:  # a folder where the file is expected, no permission, ...
        raise InputError.single(file, f"cannot read the file: {exc.strerror or exc}") from None


def compose_yaml(
    text: str,
    file: Path | str,
    *,
    what: str | None = None,
    alias_hint: str | None = None,
    problems: ProblemCollector | None = None,
    check_duplicates: bool = True,
) -> yaml.Node | None:
    """The checked node tree of ``text`` (None for an empty document); no value is built.

    ``what`` ("a codebook") and ``alias_hint`` complete the message for an alias.
    Duplicate keys go to ``problems`` when given, else they are raised at once;
    ``check_duplicates=False`` leaves them to the caller.
    """
    loader, root = _compose(text, str(file), what, alias_hint)
    loader.dispose()
    if check_duplicates:
        _report(_duplicates(root, str(file)), str(file), problems)
    return root


def load_yaml(
    text: str,
    file: Path | str,
    *,
    what: str | None = None,
    alias_hint: str | None = None,
    problems: ProblemCollector | None = None,
) -> YamlDocument:
    """The data of ``text`` with its lines (see :func:`compose_yaml` for the arguments)."""
    name = str(file)
    loader, root = _compose(text, name, what, alias_hint)
    try:
        data = None if root is None else loader.construct_document(root)
        lines: dict[Path_, int] = {}
        duplicates: list[InputProblem] = []
        if root is not None:
            _walk(root, (), loader, name, lines, duplicates)
    except yaml.YAMLError as exc:
        raise _error(name, exc) from None
    except RecursionError:
        raise InputError.single(name, "not valid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    _report(sorted(duplicates, key=lambda p: p.row or 0), name, problems)
    return YamlDocument(name, data, lines)


class YamlProblems(ProblemCollector):
    """The problems of one YAML document, each on the line of the key or item it is
    about: ``at(("domains", 0, "id"), "domain id given twice", ...)``.

    :meth:`load` reads the document with its duplicate keys as the first problems;
    :meth:`expect_mapping` and :meth:`unknown_keys` are the checks every YAML input needs.
    """

    def __init__(self, document: YamlDocument, *, limit: int = MAX_PROBLEMS):
        super().__init__(document.file, limit=limit)
        self.document = document

    @classmethod
    def load(cls, text: str, file: Path | str, **options: Any) -> YamlProblems:
        """Read ``text`` (see :func:`load_yaml`); duplicate keys become problems."""
        duplicates = ProblemCollector(file)
        problems = cls(load_yaml(text, file, problems=duplicates, **options))
        problems.extend(duplicates.problems)
        return problems

    @property
    def data(self) -> Any:
        return self.document.data

    def at(
        self,
        path: Path_,
        message: str,
        *,
        column: str | None = None,
        expected: str | None = None,
        found: object = None,
    ) -> None:
        """A problem on the line of ``path`` (or of its nearest ancestor)."""
        self.add(
            message, row=self.document.line(path), column=column, expected=expected, found=found
        )

    def text(self, data: dict, key: str, path: Path_, what: str) -> str:
        """``data[key]`` stripped, if it is non-empty text; else ``""`` and a problem."""
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.at(
                (*path, key) if key in data else path,
                f"{what} needs a non-empty '{key}'",
                column=key,
                expected="text",
                found=value,
            )
            return ""
        return value.strip()

    def both_languages(
        self, data: dict, key: str, path: Path_, what: str, languages: Iterable[str] = ("da", "en")
    ) -> tuple[str, ...]:
        """``data[key]`` as a text per language (``{da: ..., en: ...}``), stripped; else
        empty texts and a problem. A key other than the languages is a problem too."""
        languages = tuple(languages)
        value = data.get(key)
        if not isinstance(value, dict) or not all(
            isinstance(value.get(lang), str) and value[lang].strip() for lang in languages
        ):
            self.at(
                (*path, key) if key in data else path,
                f"{what} needs '{key}' in both languages",
                column=key,
                expected="{" + ", ".join(f"{lang}: ..." for lang in languages) + "}",
                found=value,
            )
            return tuple("" for _ in languages)
        self.unknown_keys(value, languages, (*path, key), f"{what}, '{key}'")
        return tuple(value[lang].strip() for lang in languages)

    def expect_mapping(self, data: Any, path: Path_, what: str) -> dict:
        """``data`` if it is a mapping, else ``{}`` and a problem."""
        if not isinstance(data, dict):
            self.at(path, f"{what} must be a mapping (key: value)", found=type(data).__name__)
            return {}
        return data

    def unknown_keys(self, data: dict, allowed: Iterable[str], path: Path_, what: str) -> None:
        """A problem for every key of ``data`` that is not ``allowed``."""
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                self.at(
                    (*path, key),
                    f"unknown key in {what}",
                    column=str(key),
                    expected=", ".join(allowed),
                    found=key,
                )


# --- internals ---------------------------------------------------------------------------------


def _compose(
    text: str, name: str, what: str | None, alias_hint: str | None
) -> tuple[_Loader, yaml.Node | None]:
    alias = "aliases (*{anchor}) are not allowed"
    if what:
        alias += f" in {what}"
    if alias_hint:
        alias += f"; {alias_hint}"
    try:
        loader = _Loader(text, alias)  # refuses control characters at once
    except yaml.reader.ReaderError as exc:
        raise InputError.single(
            name,
            f"not valid YAML: {exc.reason} (character #x{exc.character:04x})",
            row=text.count("\n", 0, exc.position) + 1,
        ) from None
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError as exc:
        loader.dispose()
        raise _error(name, exc) from None
    except RecursionError:  # not expected with MAX_DEPTH; kept as the last guard
        loader.dispose()
        raise InputError.single(name, "not valid YAML: nested too deeply") from None


def _error(name: str, exc: yaml.YAMLError) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or exc
    return InputError.single(
        name, f"not valid YAML: {problem}", row=mark.line + 1 if mark is not None else None
    )


def _report(duplicates: list[InputProblem], name: str, problems: ProblemCollector | None) -> None:
    if problems is not None:
        problems.extend(duplicates)
    elif duplicates:
        collector = ProblemCollector(name)
        collector.extend(duplicates)
        collector.raise_if_any()


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _key_pairs(node: yaml.MappingNode, loader: _Loader | None) -> Iterable[tuple[Any, yaml.Node]]:
    """(key, key node) of a mapping's plain keys: the value read when ``loader`` is
    given, else the key's text. Merge keys (``<<``) and keys that are lists or mappings
    are skipped."""
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
            yield None, key_node
        elif loader is None:
            yield key_node.value, key_node
        else:
            yield loader.construct_object(key_node, deep=True), key_node


def _walk(
    node: yaml.Node,
    path: Path_,
    loader: _Loader | None,
    name: str,
    lines: dict[Path_, int],
    duplicates: list[InputProblem],
) -> None:
    """Record the line of every key and item below ``node`` and collect duplicate keys
    (an explicit stack: the tree is at most MAX_DEPTH deep, but stays cheap)."""
    stack = [(node, path)]
    while stack:
        current, where = stack.pop()
        lines.setdefault(where, _line(current))
        if isinstance(current, yaml.MappingNode):
            last: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
            pairs = zip(_key_pairs(current, loader), current.value, strict=True)
            for (key, key_node), (_, value_node) in pairs:
                if key is None:
                    continue
                try:
                    seen = last.get(key)
                except TypeError:  # an unhashable value read from a key
                    continue
                if seen is not None:
                    duplicates.append(
                        InputProblem(
                            name,
                            f"key given twice (first on line {_line(seen[0])})",
                            row=_line(key_node),
                            column=str(key),
                        )
                    )
                last[key] = (key_node, value_node)  # the last one is the one read
            for key, (key_node, value_node) in last.items():
                lines[(*where, key)] = _line(key_node)
                stack.append((value_node, (*where, key)))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                stack.append((item, (*where, index)))


def _duplicates(root: yaml.Node | None, name: str) -> list[InputProblem]:
    duplicates: list[InputProblem] = []
    if root is not None:
        _walk(root, (), None, name, {}, duplicates)
    return sorted(duplicates, key=lambda p: p.row or 0)
