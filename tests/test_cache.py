"""Cache keys follow the code: editing any module a cached result imports recomputes it.

The keys are checked on a temporary copy of the package (the real files are never
touched): either a subprocess that imports the copy (``PYTHONPATH``), or in this process
with :func:`analysis.codegraph.package_root` pointed at the copy.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis.cache import CacheKey, module_hash

PACKAGE = Path(analysis.__file__).resolve().parent

#: prints the keys the real call sites use, computed by the package in sys.argv[1]
KEYS = r"""
import json, sys
from pathlib import Path
import analysis
from analysis.cache import CacheKey
from analysis.benchmark.view import MODULES as BENCHMARK
from analysis.data.store import TABLES, _code_hash
assert Path(analysis.__file__).resolve().is_relative_to(Path(sys.argv[1]).resolve())
keys = {"benchmark": CacheKey(modules=BENCHMARK).digest()}
keys.update({f"table:{spec.name}": _code_hash(spec) for spec in TABLES})
print(json.dumps(keys))
"""


def copy_package(base: Path) -> Path:
    """A copy of the imported ``analysis`` package in ``base/src/analysis``."""
    target = base / "src" / "analysis"
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def keys_of(package: Path) -> dict[str, str]:
    """The call sites' keys as a fresh process importing ``package`` computes them."""
    env = {**os.environ, "PYTHONPATH": str(package.parent)}
    result = subprocess.run(
        [sys.executable, "-c", KEYS, str(package)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def edit_function(package: Path, name: str) -> Path:
    """Add a statement to the body of the top-level function ``name`` (after its
    docstring) in whichever module of ``package`` defines it; returns that file."""
    for path in sorted(package.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                lines = text.splitlines(keepends=True)
                after = node.body[0].end_lineno
                indent = " " * node.body[0].col_offset
                lines.insert(after, f"{indent}_edited_by_test = 1\n")
                path.write_text("".join(lines), encoding="utf-8")
                return path
    raise AssertionError(f"no function {name} in {package}")


@pytest.fixture(scope="module")
def pristine_keys(tmp_path_factory) -> dict[str, str]:
    return keys_of(copy_package(tmp_path_factory.mktemp("pristine")))


def changed_keys(pristine: dict[str, str], edited: dict[str, str]) -> set[str]:
    assert pristine.keys() == edited.keys()
    return {name for name in pristine if pristine[name] != edited[name]}


# --- the call sites' keys, in a process importing an edited copy ------------------------


def test_editing_labour_force_invalidates_the_benchmark_tables(tmp_path, pristine_keys):
    """The bug of issue 12: benchmark results use data.jobindsats.labour_force, but the
    key named only analysis.benchmark, so the pages read old benchmark tables."""
    package = copy_package(tmp_path)
    edit_function(package, "labour_force")
    assert "benchmark" in changed_keys(pristine_keys, keys_of(package))


def test_editing_the_reference_reader_rebuilds_the_tables_that_use_it(tmp_path, pristine_keys):
    """The jobindsats table matches names through data.reference, which the hand-written
    list of the processed store left out."""
    package = copy_package(tmp_path)
    edit_function(package, "resolve_municipality")
    changed = changed_keys(pristine_keys, keys_of(package))
    assert {"table:jobindsats", "table:municipalities"} <= changed


def test_editing_a_store_helper_rebuilds_only_the_table_it_builds(tmp_path, pristine_keys):
    package = copy_package(tmp_path)
    edit_function(package, "_refuse_mixing_simulated_and_real")
    changed = changed_keys(pristine_keys, keys_of(package))
    assert "table:caseloads" in changed
    assert not changed & {"table:jobindsats", "table:municipalities"}


def test_editing_code_no_cached_result_uses_keeps_every_key(tmp_path, pristine_keys):
    package = copy_package(tmp_path)
    edit_function(package, "index_html")  # analysis.reports.index: the report index page
    assert changed_keys(pristine_keys, keys_of(package)) == set()


# --- in this process, with the source read from an edited copy --------------------------


@pytest.fixture
def package_copy(tmp_path, monkeypatch) -> Path:
    from analysis import codegraph

    package = copy_package(tmp_path)
    monkeypatch.setattr(codegraph, "package_root", lambda: package)
    return package


def test_keys_of_quant_and_qual_follow_their_imports(package_copy):
    from analysis.quant.compute import MODULES as QUANT
    from analysis.quant.view import FIGURE_MODULES

    roots = {
        "quant": QUANT,
        "figures": FIGURE_MODULES,
        "rules": ("analysis.qual.autocode", "analysis.qual.nlp", "analysis.qual.codebook"),
        "qual": ("analysis.qual",),
    }
    before = {name: CacheKey(modules=m).digest() for name, m in roots.items()}
    edit_function(package_copy, "read_caseload_panel")  # analysis.data.caseloads
    edit_function(package_copy, "load_codebook")  # analysis.qual.codebook
    after = {name: CacheKey(modules=m).digest() for name, m in roots.items()}
    assert {name for name in roots if before[name] != after[name]} == set(roots)


def test_a_figure_is_rendered_again_when_a_module_its_plot_imports_changes(
    package_copy, isolated_paths
):
    from analysis import nb

    renders = []

    def build():
        import matplotlib.pyplot as plt

        renders.append(1)
        fig, ax = plt.subplots(figsize=(1, 1))
        ax.plot([0, 1], [0, len(renders)])
        return fig

    data = pd.DataFrame({"x": [1.0, 2.0]})
    modules = ("analysis.quant.plots",)
    nb.cached_png("test-figure", data, build, modules=modules, paths=isolated_paths)
    nb.cached_png("test-figure", data, build, modules=modules, paths=isolated_paths)
    assert len(renders) == 1
    edited = edit_function(package_copy, "t")  # analysis.labels, imported by the plots
    assert edited.name == "labels.py"
    nb.cached_png("test-figure", data, build, modules=modules, paths=isolated_paths)
    assert len(renders) == 2


def _builder_outside_the_package():
    from analysis.data.reference import load_municipalities

    return load_municipalities()


def test_a_builder_defined_outside_the_package_follows_its_imports(package_copy):
    """A table builder that is not a top-level function of the package (say, a test's)
    is hashed from its own source and the modules it imports."""
    from analysis.codegraph import function_hash

    before = function_hash(_builder_outside_the_package)
    edit_function(package_copy, "index_html")  # not imported by the builder
    assert function_hash(_builder_outside_the_package) == before
    edit_function(package_copy, "load_municipalities")
    assert function_hash(_builder_outside_the_package) != before


# --- the import graph on small packages ---------------------------------------------------


def write_package(base: Path, files: dict[str, str]) -> Path:
    root = base / "analysis"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_graph_follows_relative_nested_and_from_package_imports(tmp_path):
    from analysis import codegraph

    root = write_package(
        tmp_path,
        {
            "a/__init__.py": "from .b import thing\n",
            "a/b.py": "def thing():\n    from ..c import helper\n    return helper\n",
            "a/d.py": "from analysis.a import b, thing\nfrom analysis import e\n",
            "c.py": "import analysis.f\nimport pandas\n",
            "e.py": "from . import c\n",
            "f.py": "from analysis.f import x\n",  # a self-import is no edge
            "g.py": "from analysis.a.missing import x\n",  # resolves to the package
        },
    )
    graph = codegraph.import_graph(root)
    assert graph.targets("analysis.a") == {"analysis.a.b"}
    assert graph.targets("analysis.a.b") == {"analysis.c"}
    assert [(i.target, i.nested) for i in graph.imports["analysis.a.b"]] == [("analysis.c", True)]
    assert graph.targets("analysis.a.d") == {"analysis.a.b", "analysis.a", "analysis.e"}
    assert graph.targets("analysis.c") == {"analysis.f"}
    assert graph.targets("analysis.e") == {"analysis.c"}
    assert graph.targets("analysis.f") == set()
    assert graph.targets("analysis.g") == {"analysis.a"}
    assert graph.closure(["analysis.e"]) == {"analysis.e", "analysis.c", "analysis.f"}
    # a package named as a root stands for all its modules
    assert graph.closure(["analysis.a"]) == {
        "analysis.a",
        "analysis.a.b",
        "analysis.a.d",
        "analysis.c",
        "analysis.e",
        "analysis.f",
    }
    with pytest.raises(ValueError, match="not a module"):
        graph.closure(["analysis.nothere"])


def test_source_hash_changes_with_a_dependency_and_the_graph_is_read_again(tmp_path):
    from analysis import codegraph

    root = write_package(
        tmp_path,
        {"top.py": "from analysis import low\n", "low.py": "X = 1\n", "other.py": "Y = 1\n"},
    )
    first = codegraph.source_hash(["analysis.top"], root)
    (root / "other.py").write_text("Y = 22\n", encoding="utf-8")
    assert codegraph.source_hash(["analysis.top"], root) == first
    (root / "low.py").write_text("X = 22\n", encoding="utf-8")
    second = codegraph.source_hash(["analysis.top"], root)
    assert second != first
    (root / "low.py").write_text("from analysis import other\nX = 22\n", encoding="utf-8")
    assert codegraph.import_graph(root).closure(["analysis.top"]) == {
        "analysis.top",
        "analysis.low",
        "analysis.other",
    }
    (root / "other.py").write_text("Y = 333\n", encoding="utf-8")
    assert codegraph.source_hash(["analysis.top"], root) not in {first, second}


def test_a_module_added_or_removed_is_seen_by_the_next_graph(tmp_path):
    import os

    from analysis import codegraph

    root = write_package(tmp_path, {"top.py": "X = 1\n", "sub/__init__.py": ""})
    old = 1_600_000_000_000_000_000  # folders last changed long ago: the listing is kept
    for folder in (root, root / "sub"):
        os.utime(folder, ns=(old, old))
    assert set(codegraph.import_graph(root).files) == {"analysis", "analysis.top", "analysis.sub"}
    assert set(codegraph.import_graph(root).files) == {"analysis", "analysis.top", "analysis.sub"}
    (root / "sub" / "new.py").write_text("Y = 1\n", encoding="utf-8")
    os.utime(root / "sub", ns=(old + 10**9, old + 10**9))  # changed, but not just now
    assert "analysis.sub.new" in codegraph.import_graph(root).files
    (root / "top.py").unlink()
    os.utime(root, ns=(old + 10**9, old + 10**9))
    assert "analysis.top" not in codegraph.import_graph(root).files


def test_a_file_that_does_not_parse_still_counts_by_its_bytes(tmp_path):
    from analysis import codegraph

    root = write_package(tmp_path, {"top.py": "import analysis.low\n", "low.py": "X = (\n"})
    first = codegraph.source_hash(["analysis.top"], root)
    (root / "low.py").write_text("X = ((\n", encoding="utf-8")
    assert codegraph.source_hash(["analysis.top"], root) != first


def test_module_hash_names_unknown_modules():
    with pytest.raises(ValueError, match=r"'analysis\.no_such_module' is not a module"):
        module_hash("analysis.no_such_module")


# --- several settings stay warm; exploring never evicts the batch's entries ---------------


def _counting(calls: list, size: int = 1):
    import numpy as np

    def compute():
        calls.append(1)
        return np.full(size, len(calls), dtype="int64")

    return compute


def test_toggling_back_to_a_setting_reads_it_instead_of_computing(isolated_paths):
    """Issue 23: the cache kept one entry per result, so toggling a setting back
    recomputed (26.5 s and 35.8 s for `coder` in notebook 01)."""
    from analysis.cache import cached_frame

    calls: list = []

    def compute() -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame({"run": [len(calls)]})

    for coder in (None, "dev_a", None, "dev_a", None):
        key = CacheKey(modules=("analysis.cache",), params={"coder": coder})
        frame = cached_frame("demo", key, compute, paths=isolated_paths)
        assert list(frame["run"]) == [1 if coder is None else 2]
    assert len(calls) == 2


def test_exploring_never_evicts_the_shared_entries(isolated_paths, monkeypatch):
    from analysis import cache

    monkeypatch.setitem(cache.LIMITS, cache.EXPLORE, 200_000)  # two entries of 80 kB
    calls: list = []
    batch_key = CacheKey(params={"setting": "default"})
    cache.cached("demo", batch_key, _counting(calls, 10_000), paths=isolated_paths)
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/01_qualitative_themes.ipynb")
    for n in range(6):
        key = CacheKey(params={"setting": n})
        cache.cached("demo", key, _counting(calls, 10_000), paths=isolated_paths)
    stored = cache.entries(isolated_paths, "demo")
    assert [e.store for e in stored].count(cache.SHARED) == 1
    assert 1 <= [e.store for e in stored].count(cache.EXPLORE) <= 2  # bounded
    before = len(calls)
    cache.cached("demo", batch_key, _counting(calls), paths=isolated_paths)
    assert len(calls) == before  # the batch's setting is still there


def test_the_least_recently_used_entry_goes_first(isolated_paths, monkeypatch):
    from analysis import cache

    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/02_caseload_regressions.ipynb")
    monkeypatch.setitem(cache.LIMITS, cache.EXPLORE, 200_000)
    calls: list = []

    def run(setting: str) -> None:
        key = CacheKey(params={"setting": setting})
        cache.cached("demo", key, _counting(calls, 10_000), paths=isolated_paths)

    run("a")
    run("b")
    run("a")  # read: a is now the most recently used
    run("c")  # over the bound: b goes, not a
    assert len(calls) == 3
    run("a")
    assert len(calls) == 3
    run("b")
    assert len(calls) == 4


def test_the_batch_keeps_its_own_copy_of_what_a_researcher_computed(isolated_paths, monkeypatch):
    from analysis import cache

    calls: list = []
    key = CacheKey(params={"setting": "default"})
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/02_caseload_regressions.ipynb")
    cache.cached("demo", key, _counting(calls), paths=isolated_paths)
    monkeypatch.delenv("JPY_SESSION_NAME")
    value = cache.cached("demo", key, _counting(calls), paths=isolated_paths)
    assert len(calls) == 1 and list(value) == [1]
    assert {e.store for e in cache.entries(isolated_paths, "demo")} == {cache.SHARED, cache.EXPLORE}


def test_a_cached_result_follows_the_code_of_the_module_it_names(package_copy, isolated_paths):
    from analysis.cache import cached

    calls: list = []
    key = CacheKey(modules=("analysis.quant.plots",), params={"setting": 1})
    cached("demo", key, _counting(calls), paths=isolated_paths)
    cached("demo", key, _counting(calls), paths=isolated_paths)
    edit_function(package_copy, "t")  # analysis.labels, imported by the plots
    cached("demo", key, _counting(calls), paths=isolated_paths)
    assert len(calls) == 2
