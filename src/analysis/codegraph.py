"""The import graph of the ``analysis`` package, read from its source with :mod:`ast`.

Cache keys hash the code that computes a result (:mod:`analysis.cache`, the processed
store, cached figures). A hand-written list of modules goes stale as soon as the code
imports one more module, so keys hash the modules a caller names *and every module of
this package they import*, directly or not. The same graph lets a test hold the layers
declared in :data:`analysis.LAYERS`.

Nothing is imported to find the graph: every ``import`` and ``from ... import`` statement
of a module (at module level and inside functions and classes, relative ones included)
that names a module of this package is an edge. ``from package import name`` is an edge
to the submodule ``package.name`` when there is one, else to the package's
``__init__``. Importing ``a.b.c`` is an edge to ``a.b.c`` only: a package's ``__init__``
counts when something is imported from it. Imports by string
(``importlib.import_module``) are not seen. Parsed files are kept per process and read
again when their modification time or size changes.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import os
import textwrap
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "analysis"


def package_root() -> Path:
    """The folder of the ``analysis`` package whose source is read."""
    return Path(__file__).resolve().parent


@dataclass(frozen=True)
class Import:
    """One import statement's edge to a module of the package."""

    module: str  # the importing module
    target: str  # the imported module
    line: int
    nested: bool  # inside a function or class body (imported when that code runs)


@dataclass(frozen=True)
class _Statement:
    """An import statement as written, before it is resolved against the modules."""

    level: int  # 0 for absolute imports, else the number of leading dots
    name: str  # ``import name`` / ``from name import ...`` ("" for ``from . import x``)
    names: tuple[str, ...]  # imported names for ``from``; () for ``import``
    line: int
    nested: bool


@dataclass(frozen=True)
class _Parsed:
    stamp: tuple[int, int, int]
    sha256: str
    statements: tuple[_Statement, ...]


_PARSED: dict[Path, _Parsed] = {}
_GRAPHS: dict[Path, tuple[tuple, Graph]] = {}
_LISTINGS: dict[Path, tuple[tuple, dict[str, Path]]] = {}


class Graph:
    """Modules of the package (name -> file, file hash) and their import edges."""

    def __init__(self, files: Mapping[str, Path], parsed: Mapping[str, _Parsed]):
        self.files = dict(files)
        self.hashes = {name: parsed[name].sha256 for name in files}
        self.imports: dict[str, tuple[Import, ...]] = {
            name: tuple(_resolve(name, self.files, parsed[name].statements)) for name in files
        }
        self._closures: dict[frozenset[str], frozenset[str]] = {}

    def is_package(self, name: str) -> bool:
        return self.files[name].name == "__init__.py"

    def targets(self, name: str) -> frozenset[str]:
        return frozenset(edge.target for edge in self.imports[name])

    def expand(self, names: Iterable[str]) -> frozenset[str]:
        """The named modules, a package standing for every module in it."""
        found: set[str] = set()
        for name in names:
            if name not in self.files:
                raise ValueError(f"{name!r} is not a module of the {PACKAGE} package")
            if self.is_package(name):
                found.update(m for m in self.files if m == name or m.startswith(name + "."))
            else:
                found.add(name)
        return frozenset(found)

    def closure(self, names: Iterable[str]) -> frozenset[str]:
        """The named modules (packages expanded) and every module they import, at any
        depth."""
        roots = self.expand(names)
        if roots not in self._closures:
            seen, todo = set(roots), list(roots)
            while todo:
                for target in self.targets(todo.pop()):
                    if target not in seen:
                        seen.add(target)
                        todo.append(target)
            self._closures[roots] = frozenset(seen)
        return self._closures[roots]

    def source_hash(self, names: Iterable[str]) -> str:
        """Hash of the source files of :meth:`closure` (module names included, so a
        moved module counts as changed)."""
        digest = hashlib.sha256()
        for name in sorted(self.closure(names)):
            digest.update(f"{name}\0{self.hashes[name]}\n".encode())
        return digest.hexdigest()


def import_graph(root: Path | None = None) -> Graph:
    """The graph of the package in ``root`` (default: :func:`package_root`), rebuilt only
    when a file was added, removed or changed since the last call in this process."""
    root = (root or package_root()).resolve()
    files = _listed_module_files(root)
    parsed = {name: _parse(path) for name, path in files.items()}
    stamp = tuple(sorted((name, parsed[name].stamp) for name in files))
    cached = _GRAPHS.get(root)
    if cached is None or cached[0] != stamp:
        cached = (stamp, Graph(files, parsed))
        _GRAPHS[root] = cached
    return cached[1]


def source_hash(names: Iterable[str], root: Path | None = None) -> str:
    """Hash of the source of the modules ``names`` and of everything they import."""
    return import_graph(root).source_hash(names)


def function_hash(function: Callable, root: Path | None = None) -> str:
    """Hash of the code a top-level function of the package runs: its own source, that of
    the module-level functions, classes and constants of its module it names (at any
    depth), and the source hash of the package modules those import or name."""
    graph = import_graph(root)
    module = getattr(function, "__module__", "")
    name = getattr(function, "__qualname__", "")
    if module in graph.files and "." not in name:
        path = graph.files[module]
        found = _top_level_code(path.read_text(encoding="utf-8"), name, module, graph.files)
        if found is not None:
            source, targets = found
            return _sha256(source + "\0" + graph.source_hash(targets))
    source = textwrap.dedent(inspect.getsource(function))
    statements = _statements(ast.parse(source))
    targets = {edge.target for edge in _resolve(module, graph.files, statements)}
    return _sha256(source + "\0" + graph.source_hash(targets))


# --- layers ------------------------------------------------------------------------------


def part_of(module: str) -> str:
    """The part a module belongs to: its top-level module or subpackage of the package
    (``analysis.qual.corpus`` -> ``qual``), ``__init__`` for the package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_violations(
    layers: Iterable[Iterable[str]], root: Path | None = None
) -> list[tuple[Import, str]]:
    """Every import that breaks ``layers`` (lowest first, see :data:`analysis.LAYERS`):
    an import of a higher layer or of another part of the same layer, and every module
    whose part is in no layer (the import is then ``Import(module, module, 0, False)``).
    Each comes with a sentence saying what is wrong."""
    rank = {part: index for index, layer in enumerate(layers) for part in layer}
    graph = import_graph(root)
    found: list[tuple[Import, str]] = []
    for module in sorted(graph.files):
        part = part_of(module)
        if part not in rank:
            found.append(
                (Import(module, module, 0, False), f"{part!r} is in no layer of analysis.LAYERS")
            )
            continue
        for edge in graph.imports[module]:
            other = part_of(edge.target)
            if other == part or rank.get(other, -1) < rank[part]:
                continue
            where = "the same layer as" if rank.get(other) == rank[part] else "a higher layer than"
            found.append((edge, f"{other!r} is in {where} {part!r}"))
    return found


# --- reading the package ---------------------------------------------------------------


def _listed_module_files(root: Path) -> dict[str, Path]:
    """:func:`_module_files`, listed again only when a folder of the package changed (a
    file added, removed or renamed changes its folder's modification time). As git does
    with racy timestamps, a folder changed in the last two seconds is always listed
    again: file times are coarser than the time between two quick edits."""
    stamp = tuple((folder, os.stat(folder).st_mtime_ns) for folder, _, _ in os.walk(root))
    cached = _LISTINGS.get(root)
    recent = time.time_ns() - max(mtime for _, mtime in stamp) < 2_000_000_000
    if cached is None or cached[0] != stamp or recent:
        cached = (stamp, _module_files(root))
        _LISTINGS[root] = cached
    return cached[1]


def _module_files(root: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if any(not part.isidentifier() for part in parts):
            continue  # not importable (e.g. a folder with a dash)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join((PACKAGE, *parts))] = path
    return files


def _parse(path: Path) -> _Parsed:
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    cached = _PARSED.get(path)
    if cached is not None and cached.stamp == stamp:
        return cached
    data = path.read_bytes()
    try:
        statements = tuple(_statements(ast.parse(data, str(path))))
    except (SyntaxError, ValueError):  # a file being edited: its bytes still count
        statements = ()
    parsed = _Parsed(stamp, _sha256(data), statements)
    _PARSED[path] = parsed
    return parsed


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")  # where statements live


def _statements(tree: ast.AST) -> list[_Statement]:
    """Every import statement of ``tree``, marked nested when inside a def or class.

    Only statement lists are walked (imports are statements, so no expression can hold
    one): a tenth of the nodes of the whole tree."""
    found: list[_Statement] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for block in _BLOCKS:
            for child in getattr(node, block, ()):
                if isinstance(child, ast.Import):
                    for alias in child.names:
                        found.append(_Statement(0, alias.name, (), child.lineno, nested))
                elif isinstance(child, ast.ImportFrom):
                    names = tuple(alias.name for alias in child.names)
                    found.append(
                        _Statement(child.level, child.module or "", names, child.lineno, nested)
                    )
                else:
                    inner = nested or isinstance(
                        child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
                    )
                    visit(child, inner)

    visit(tree, False)
    return found


def _resolve(
    module: str, files: Mapping[str, Path], statements: Iterable[_Statement]
) -> list[Import]:
    """The edges of ``module``'s statements to modules in ``files``."""
    is_package = module in files and files[module].name == "__init__.py"
    edges: list[Import] = []
    for statement in statements:
        base = statement.name
        if statement.level:
            parts = module.split(".") if is_package else module.split(".")[:-1]
            parts = parts[: len(parts) - (statement.level - 1)]
            base = ".".join([*parts, statement.name] if statement.name else parts)
        if base != PACKAGE and not base.startswith(PACKAGE + "."):
            continue
        targets = []
        for name in statement.names:
            sub = f"{base}.{name}"
            targets.append(sub if sub in files else _known_prefix(base, files))
        if not statement.names:
            targets.append(_known_prefix(base, files))
        for target in dict.fromkeys(t for t in targets if t is not None):
            if target != module:
                edges.append(Import(module, target, statement.line, statement.nested))
    return edges


def _known_prefix(name: str, files: Mapping[str, Path]) -> str | None:
    """``name`` or its longest prefix that is a module of the package."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in files:
            return candidate
        parts.pop()
    return None


def _top_level_code(
    text: str, name: str, module: str, files: Mapping[str, Path]
) -> tuple[str, set[str]] | None:
    """(source of the statements ``name`` needs, package modules they import or name)
    for the top-level function ``name``; None when the module has no such function."""
    tree = ast.parse(text)
    bound: dict[str, list[ast.stmt]] = {}
    imported: dict[str, set[str]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            for alias, edge in _bindings(statement, module, files):
                imported.setdefault(alias, set()).add(edge)
            continue
        for bound_name in _defined_names(statement):
            bound.setdefault(bound_name, []).append(statement)
    if not any(isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) for s in bound.get(name, [])):
        return None
    needed: list[ast.stmt] = []
    targets: set[str] = set()
    seen_names: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen_names:
            continue
        seen_names.add(current)
        targets.update(imported.get(current, ()))
        for statement in bound.get(current, []):
            if statement in needed:
                continue
            needed.append(statement)
            targets.update(edge.target for edge in _resolve(module, files, _statements(statement)))
            todo.extend(n.id for n in ast.walk(statement) if isinstance(n, ast.Name))
    lines = text.splitlines()
    needed.sort(key=lambda s: s.lineno)
    source = "\n".join("\n".join(lines[_first_line(s) - 1 : s.end_lineno]) for s in needed)
    return source, targets


def _first_line(statement: ast.stmt) -> int:
    """The statement's first line, its decorators included."""
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def _bindings(
    statement: ast.Import | ast.ImportFrom, module: str, files: Mapping[str, Path]
) -> list[tuple[str, str]]:
    """(local name, package module) for each name a module-level import binds."""
    found = []
    for alias in statement.names:
        if isinstance(statement, ast.Import):
            local = alias.asname or alias.name.split(".")[0]
            stmt = _Statement(0, alias.name, (), statement.lineno, False)
        else:
            local = alias.asname or alias.name
            stmt = _Statement(
                statement.level, statement.module or "", (alias.name,), statement.lineno, False
            )
        found += [(local, edge.target) for edge in _resolve(module, files, [stmt])]
    return found


def _defined_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    if isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    return []


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()
