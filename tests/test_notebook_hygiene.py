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
        # the parameters cell holds one documented literal per parameter (checked above):
        # every setting a researcher may change is one of its lines, however many
        if "parameters" not in cell["metadata"].get("tags", []):
            assert len(text.splitlines()) <= MAX_CELL_LINES, f"{path.name} cell {i} is long"
        tree = ast.parse(text)
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defs, f"{path.name} cell {i} defines functions: move them to src/analysis"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_absolute_paths(path: Path):
    for cell in committed_json(path)["cells"]:
        text = source(cell)
        assert "/work/" not in text and "/home/" not in text and "C:\\" not in text


# --- the analysis is visible in the notebooks and can be changed there (issue 23) --------


def parameters(name: str) -> dict:
    path = REPO / "notebooks" / name
    cell = code_cells(committed_json(path))[0]
    values: dict = {}
    exec(source(cell), {}, values)  # literals only (checked above)
    return values


@pytest.mark.parametrize(
    ("name", "added"),
    [
        ("00_national_report.ipynb", {"outcome": None}),
        (
            "01_qualitative_themes.ipynb",
            {"themes": None, "quote_length": 400, "quotes_theme": None},
        ),
        ("02_caseload_regressions.ipynb", {"outcome": None}),
        ("04_mixed_methods.ipynb", {"themes": None}),
    ],
)
def test_the_settings_a_researcher_changes_are_parameters(name, added):
    values = parameters(name)
    assert {key: values.get(key, "missing") for key in added} == added


@pytest.mark.parametrize("name", ["00_national_report.ipynb", "02_caseload_regressions.ipynb"])
def test_the_model_specification_is_a_cell_that_is_passed_on(name):
    """The spec is shown in a cell and passed to load_results; as committed it is the
    default, so the reports and the batch's shared results use the same models."""
    from analysis.quant import view as qv
    from analysis.quant.specs import DEFAULT_CONFIG

    cells = [source(c) for c in code_cells(committed_json(REPO / "notebooks" / name))]
    (cell,) = [c for c in cells if c.startswith("spec = qv.SpecConfig(")]
    assert "qv.load_results(panel_path, outcomes, config=spec)" in cell
    assert "outcome=outcome" in cell
    spec_source = cell.split("\nresults = ")[0]
    namespace: dict = {"qv": qv}
    exec(spec_source, namespace)
    assert namespace["spec"] == DEFAULT_CONFIG
    fields = {line.split("=")[0].strip() for line in spec_source.splitlines()[1:-1]}
    assert {"covariates", "band_edges", "event_window", "alpha"} <= fields
