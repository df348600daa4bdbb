"""The package keeps the import layers declared in ``analysis.LAYERS``.

Every import statement of every module (at module level and inside functions, relative
ones included) is read with ``ast`` (:mod:`analysis.codegraph`); nothing is imported.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import analysis
from analysis import LAYERS, cli
from analysis.codegraph import import_graph, layer_violations, part_of

PACKAGE = Path(analysis.__file__).resolve().parent

#: (importing module, imported module) -> why it is allowed for now. Empty: the code
#: keeps the layers today. Add an entry only with its reason and tell the lead.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}


def describe(violations) -> list[str]:
    files = import_graph().files
    return [
        f"{files[edge.module].relative_to(PACKAGE.parent)}:{edge.line}: {edge.module} imports "
        f"{edge.target}: {why}"
        for edge, why in violations
    ]


def test_every_import_keeps_the_layers():
    violations = [
        (edge, why)
        for edge, why in layer_violations(LAYERS)
        if (edge.module, edge.target) not in KNOWN_EXCEPTIONS
    ]
    assert violations == [], "\n".join(describe(violations))


def test_known_exceptions_still_exist():
    """An exception whose import is gone must leave the list (else it hides a new one)."""
    found = {(edge.module, edge.target) for edge, _ in layer_violations(LAYERS)}
    assert set(KNOWN_EXCEPTIONS) <= found


def test_every_part_of_the_package_is_in_one_layer():
    declared = [part for layer in LAYERS for part in layer]
    assert len(declared) == len(set(declared))
    parts = {part_of(module) for module in import_graph().files}
    assert parts <= set(declared)


def test_the_docstring_shows_the_declared_layers():
    """The package docstring lists the layers one per line, lowest first."""
    lines = [
        line.strip()
        for line in (analysis.__doc__ or "").splitlines()
        if line.startswith("    ") and line.strip()
    ]
    assert lines == [" | ".join(layer) for layer in LAYERS]


def test_every_command_is_a_cli_module_of_its_area():
    """``python -m analysis <command>`` runs ``analysis.<area>.cli_<command>``."""
    areas = "|".join(("data", "qual", "quant", "benchmark", "mixed", "reports"))
    for command, (module, _) in cli.COMMANDS.items():
        name = command.replace("-", "_")
        assert re.fullmatch(rf"analysis\.({areas})\.cli_{name}", module), (command, module)
        assert module in import_graph().files, module


# --- the check can fail: bad imports planted in a copy of the package --------------------


@pytest.fixture
def package_copy(tmp_path) -> Path:
    target = tmp_path / "analysis"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


PLANTED = {
    # qual and quant never import each other (the same layer)
    "qual/planted_sideways.py": "from analysis.quant.results import normalise\n",
    # inside a function, relative: data must not reach up to mixed
    "data/planted_nested.py": "def late():\n    from ..mixed import view\n    return view\n",
    # a foundation module importing the notebook helpers above it
    "errors_planted.py": "import analysis.nb\n",
    # a package's __init__ importing a higher area through ``from analysis import``
    "benchmark/__init__.py": "from analysis import reports\n",
}


def test_planted_bad_imports_are_each_reported_with_file_and_line(package_copy):
    assert layer_violations(LAYERS, package_copy) == []
    for name, text in PLANTED.items():
        path = package_copy / name
        path.write_text(text, encoding="utf-8")
    found = {(e.module, e.target, e.line): why for e, why in layer_violations(LAYERS, package_copy)}
    assert found == {
        ("analysis.qual.planted_sideways", "analysis.quant.results", 1): (
            "'quant' is in the same layer as 'qual'"
        ),
        ("analysis.data.planted_nested", "analysis.mixed.view", 2): (
            "'mixed' is in a higher layer than 'data'"
        ),
        ("analysis.errors_planted", "analysis.errors_planted", 0): (
            "'errors_planted' is in no layer of analysis.LAYERS"
        ),
        ("analysis.benchmark", "analysis.reports", 1): (
            "'reports' is in a higher layer than 'benchmark'"
        ),
    }
    nested = [e for e, _ in layer_violations(LAYERS, package_copy) if e.nested]
    assert [e.module for e in nested] == ["analysis.data.planted_nested"]


def test_a_planted_upward_import_in_a_foundation_module_is_reported(package_copy):
    errors = package_copy / "errors.py"
    errors.write_text(errors.read_text(encoding="utf-8") + "\nimport analysis.nb\n")
    found = [(e.module, e.target, why) for e, why in layer_violations(LAYERS, package_copy)]
    assert found == [("analysis.errors", "analysis.nb", "'nb' is in a higher layer than 'errors'")]


def test_every_lazily_re_exported_name_exists():
    """The areas' __init__ re-exports resolve: a renamed function fails here, not in a
    researcher's notebook."""
    import importlib

    for area in ("data", "qual", "quant", "benchmark", "mixed"):
        package = importlib.import_module(f"analysis.{area}")
        for name in package.__all__:
            assert getattr(package, name) is not None, f"analysis.{area}.{name}"
        assert set(package.__all__) <= set(dir(package))
