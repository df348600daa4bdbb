"""Committed notebooks are clean, thin and parameterised the same way."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
MAX_CELL_LINES = 15


def committed_json(path: Path) -> dict:
    """The notebook as git would commit it (the index version), else the file on disk."""
    rel = path.relative_to(REPO).as_posix()
    result = subprocess.run(["git", "show", f":{rel}"], cwd=REPO, capture_output=True, text=True)
    text = result.stdout if result.returncode == 0 else path.read_text(encoding="utf-8")
    return json.loads(text)


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path):
    nb = committed_json(path)
    dirty = [
        i for i, c in enumerate(code_cells(nb)) if c.get("outputs") or c.get("execution_count")
    ]
    assert not dirty, f"{path.name}: code cells {dirty} have outputs; run nbstripout"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernel_and_language_metadata(path: Path):
    meta = committed_json(path)["metadata"]
    assert meta["kernelspec"]["name"] == "caseload-analysis"
    assert meta["language_info"]["name"] == "python"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_documented_parameters_cell_first(path: Path):
    cells = code_cells(committed_json(path))
    tagged = [i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", [])]
    assert tagged == [0], f"{path.name}: exactly one 'parameters' cell, the first code cell"
    text = source(cells[0])
    tree = ast.parse(text)
    names = []
    for node in tree.body:
        assert isinstance(node, ast.Assign), f"{path.name}: parameters cell holds only assignments"
        assert isinstance(node.value, ast.Constant | ast.List | ast.Tuple | ast.Dict), (
            f"{path.name}: parameter values are literals; derive values in later cells"
        )
        names.append(node.targets[0].id)
    for name, line in zip(names, [ln for ln in text.splitlines() if "=" in ln], strict=False):
        assert "#" in line, f"{path.name}: parameter {name!r} needs a comment documenting it"
    assert "language" in names
    from analysis.reports.sections import NATIONAL, section_for

    if section_for(path).scope != NATIONAL:  # the national report covers every municipality
        assert "municipality" in names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_thin(path: Path):
    for i, cell in enumerate(code_cells(committed_json(path))):
        text = source(cell)
        assert len(text.splitlines()) <= MAX_CELL_LINES, f"{path.name} cell {i} is long"
        tree = ast.parse(text)
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defs, f"{path.name} cell {i} defines functions: move them to src/analysis"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_absolute_paths(path: Path):
    for cell in committed_json(path)["cells"]:
        text = source(cell)
        assert "/work/" not in text and "/home/" not in text and "C:\\" not in text
