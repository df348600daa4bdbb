"""Every call in the package that writes a file is either the personal-data gate
(``analysis.publish``) or listed here with the reason its file stays in the project.

A new writer that is neither fails this test: route it through ``analysis.publish`` if
its file can leave the project (reports, notebooks, exports, command outputs), or add it
below with the reason it cannot.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "analysis"

#: call names that write files (methods or functions)
WRITE_CALLS = frozenset(
    {
        "atomic_write_text",
        "atomic_write_bytes",
        "atomic_path",
        "write_parquet_atomic",
        "write_text",
        "write_bytes",
        "to_csv",
        "to_excel",
        "to_parquet",
        "to_json",
        "to_html",
        "writestr",
        "write",  # nbformat.write, ZipFile.write, file handles
        "save",  # openpyxl workbooks
        "savefig",
        "dump",  # json.dump / yaml.dump to a file
        "copy",
        "copy2",
        "copyfile",
        "copytree",
        "move",
        "replace",
        "rename",
        "write_csv",
        "write_xlsx",
        "ZipFile",
        "open",
    }
)

#: the gate itself: every call in these modules writes gated text
GATE_MODULES = frozenset({"analysis.publish"})

#: (module, function) -> why the file it writes stays in the project
INTERNAL = {
    ("analysis.fileio", "atomic_path"): "the atomic-write primitive the gate uses",
    ("analysis.fileio", "atomic_write_bytes"): "the atomic-write primitive the gate uses",
    ("analysis.fileio", "atomic_write_text"): "the atomic-write primitive the gate uses",
    ("analysis.fileio", "write_parquet_atomic"): "Parquet in data/processed",
    ("analysis.tablefiles", "write_csv"): "the CSV primitive (the gate uses csv_text)",
    ("analysis.tablefiles", "write_xlsx"): "the XLSX primitive for the project's own files",
    ("analysis.qual.classifier", "cached_train"): "the fitted classifier in data/processed/cache",
    ("analysis.qual.review_decisions", "apply_decisions"): "review: the codings and decision log",
    ("analysis.qual.review_files", "_write_xlsx_sheet"): "review: the coder's sheet, quotes gated",
    ("analysis.qual.review_files", "record_decisions"): "review: decisions into the coder's sheet",
    ("analysis.nb", "figure_png"): "renders a figure into memory (BytesIO), no file",
    ("analysis.images", "quantize_png"): "re-encodes a PNG in memory (BytesIO), no file",
    ("analysis.data.store", "prepare"): "the processed store's manifest (data/processed)",
    ("analysis.data.store", "_prepare_table"): "validated Parquet in data/processed",
    ("analysis.qual.codebook", "write_codebook"): "import: a codebook into the project",
    ("analysis.qual.codings", "write_codings"): "import: codings into the project",
    ("analysis.qual.corpus", "write_quote_table"): "import: a quote table into the project",
    ("analysis.qual.corpus", "write_source_folder"): "import: a corpus folder into the project",
    ("analysis.qual.import_output", "write_manifest"): "import: the list of what it wrote",
    ("analysis.qual.import_output", "place_import"): "import: its folder put into place",
    ("analysis.qual.import_output", "_move_into_place"): "import: its folder put into place",
    ("analysis.qual.import_output", "_merge"): "import: its files put into place (--overwrite)",
    ("analysis.data.simulate", "truth_yaml"): "YAML into a string (no file)",
    ("analysis.qual.refi_import", "_decode"): "a temporary file for an archive member, deleted",
    ("analysis.qual.refi_export", "qdpx_bytes"): "builds the archive in memory (BytesIO), no file",
    ("analysis.data.simulate", "write_simulation"): "the documented simulated panel in data/raw",
    ("analysis.reports.batch.workers", "write_state"): "the run's own state record (.state/)",
    (
        "analysis.reports.batch.workers",
        "put_in_place",
    ): "renames a page publish_html wrote into place",
    ("analysis.reports.outputs", "write_manifest"): "the run's list of its own outputs",
    ("analysis.reports.lock", "exclusive_lock"): "the run's lock file (pid and start time)",
    (
        "analysis.reports.batch.scheduler",
        "check_scheduler",
    ): "asks the Dask scheduler over the network",
}


def _writes(path: Path) -> list[tuple[str, str, int, str]]:
    """(module, enclosing function, line, call name) of every write call in a file."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    module = module.removesuffix(".__init__")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name if function == "<module>" else function)
                continue
            if isinstance(child, ast.Call):
                name = _call_name(child.func)
                if name in WRITE_CALLS and _writes_a_file(name, child):
                    found.append((module, function, child.lineno, name))
            visit(child, function)

    visit(tree, "<module>")
    return found


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _writes_a_file(name: str, call: ast.Call) -> bool:
    """Leave out calls that cannot write: ``open``/``ZipFile`` for reading, ``to_csv`` and
    ``to_json`` into a string, ``str.replace``."""
    if name in {"open", "ZipFile"}:
        modes = [a for a in call.args[1:2]] + [k.value for k in call.keywords if k.arg == "mode"]
        mode = modes[0].value if modes and isinstance(modes[0], ast.Constant) else "r"
        return any(c in str(mode) for c in "wax+")
    if name in {"to_csv", "to_json", "to_html"}:
        return bool(call.args) or any(k.arg in {"path_or_buf", "buf"} for k in call.keywords)
    if name in {"replace", "rename", "copy", "copy2", "copyfile", "copytree", "move"}:
        # os.replace / shutil.copy move or copy files; DataFrame.copy, str.replace do not
        func = call.func
        return (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in {"os", "shutil"}
        )
    if name == "write":
        return not (
            isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr in {"stdout", "stderr"}
        )
    return True


def all_writes() -> list[tuple[str, str, int, str]]:
    return [w for path in sorted(PACKAGE.rglob("*.py")) for w in _writes(path)]


def test_every_file_writer_is_the_gate_or_listed_with_a_reason():
    unlisted = [
        f"{module}.{function} (line {line}: {name})"
        for module, function, line, name in all_writes()
        if module not in GATE_MODULES and (module, function) not in INTERNAL
    ]
    assert not unlisted, (
        "these calls write files without the personal-data gate; write through "
        "analysis.publish, or list them in INTERNAL with the reason the file stays in the "
        "project:\n" + "\n".join(unlisted)
    )


def test_the_list_has_no_stale_entries():
    present = {(module, function) for module, function, _, _ in all_writes()}
    stale = sorted(set(INTERNAL) - present)
    assert not stale, f"listed writers that no longer write (remove them): {stale}"


def test_the_scan_sees_a_writer_that_skips_the_gate(tmp_path, monkeypatch):
    rogue = PACKAGE / "reports" / "_rogue_writer_for_test.py"
    rogue.write_text(
        "from analysis.fileio import atomic_write_text\n\n\n"
        "def export(path, text):\n    atomic_write_text(path, text)\n",
        encoding="utf-8",
    )
    try:
        with pytest.raises(AssertionError, match=r"_rogue_writer_for_test\.export"):
            test_every_file_writer_is_the_gate_or_listed_with_a_reason()
    finally:
        rogue.unlink()


@pytest.mark.parametrize(
    ("module", "function"),
    [
        ("analysis.reports.execute", "execute_notebook"),
        ("analysis.reports.batch.workers", "run_job"),
        ("analysis.reports.batch.index_writer", "write_index"),
        ("analysis.qual.refi_export", "write_qdpx"),
        ("analysis.qual.cli_reliability", "main"),
        ("analysis.qual.cli_autocode", "main"),
        ("analysis.quant.cli_regress", "main"),
    ],
)
def test_outgoing_writers_call_the_gate(module, function):
    """The writers of reports, notebooks, exports and command outputs call publish_*."""
    path = PACKAGE.joinpath(*module.split(".")[1:]).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    calls = {_call_name(n.func) for n in ast.walk(body) if isinstance(n, ast.Call)}
    assert calls & {
        "publish_html",
        "publish_notebook",
        "publish_archive",
        "publish_csv",
        "publish_text",
        "publish_xml",
    }, f"{module}.{function} writes without analysis.publish"
