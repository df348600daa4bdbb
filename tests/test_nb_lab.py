"""How the notebooks look in JupyterLab (issue 23): the report's styles loaded once and
scoped to the outputs, interactive tables that are plain tables without their script,
progress lines for first runs, and only named third-party modules' warnings silenced.
The reports (no Jupyter server) show exactly what they showed before."""

from __future__ import annotations

import logging
import warnings

import pandas as pd
import pytest

from analysis import nb

FRAME = pd.DataFrame({"Tema": ["Sagsstamme", "Ledelse"], "Andel": [0.5, 0.25]})


@pytest.fixture
def shown(monkeypatch):
    """Every output the helpers display, as (mimebundle or object) in order."""
    outputs: list = []

    def display(obj, raw=False, display_id=None, **kwargs):
        outputs.append(obj)

        class Handle:
            def update(self, new, raw=False):
                outputs.append(("update", new))

        return Handle() if display_id else None

    monkeypatch.setattr("IPython.display.display", display)
    yield outputs
    nb._LAB.update(interactive=False, language="da")
    logger = logging.getLogger("analysis.cache")
    for handler in [h for h in logger.handlers if isinstance(h, nb._ProgressLines)]:
        logger.removeHandler(handler)
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def html(output) -> str:
    return output.data if hasattr(output, "data") else str(output)


def test_outside_jupyterlab_the_tables_are_the_reports_plain_tables(shown, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    nb.setup("da")
    assert shown == [] and not nb.interactive()
    nb.table(FRAME, name="demo", language="da")
    assert html(shown[-1]) == nb.table_markup(FRAME, name="demo", language="da")
    assert "<script" not in html(shown[-1])


def test_in_jupyterlab_styles_once_and_tables_interactive_but_plain_underneath(shown, monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/01_qualitative_themes.ipynb")
    nb.setup("da")
    assert nb.interactive()
    (assets,) = shown
    assert html(assets).count("<style") == 1 and "analysisDataTables" in html(assets)
    assert "http://" not in html(assets) and "https://" not in html(assets)  # offline
    nb.table(FRAME, name="demo", language="da", collapsed="Alle temaer")
    markup = html(shown[-1])
    plain = nb.table_markup(FRAME, name="demo", language="da")
    assert plain in markup  # untrusted (scripts removed): the same table as the report
    assert '<script type="module">' in markup and "new ITable" in markup
    assert '"order": []' in markup and '"decimal": ","' in markup
    assert markup.startswith('<details class="analysis-details">')


def test_the_lab_style_sheet_is_the_reports_scoped_to_the_outputs():
    css = nb.lab_css()
    scope = nb.LAB_SCOPE
    for rule in (".jd-effect", ".analysis-simulated", ".simulated-mark", ".analysis-note"):
        assert f"{scope} {rule}" in css
    assert f"{scope} {{" in css and "--good:" in css  # the report's colours
    assert "body." not in css and "* {" not in css and "@page" not in css and "print" not in css
    assert "Prompt" not in css and "inputWrapper" not in css  # code stays visible
    assert ".jp-RenderedHTMLCommon td" in css  # quotes left-aligned, as in the report
    for line in css.splitlines():
        selector = line.split("{")[0]
        if "{" in line and not line.startswith("@media"):
            assert all(s.strip().startswith((scope, ".jp-")) for s in selector.split(",")), line


def test_first_runs_show_progress_lines_in_jupyterlab(shown, monkeypatch, isolated_paths):
    from analysis.cache import CacheKey, cached

    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/02_caseload_regressions.ipynb")
    nb.setup("da")
    shown.clear()
    cached("quant_models_demo", CacheKey(params={"a": 1}), lambda: 1, paths=isolated_paths)
    texts = [str(item) for item in shown]
    assert "computing quant_models_demo" in texts[0]
    assert "update" in texts[1] and "computed quant_models_demo in" in texts[1]
    shown.clear()
    cached("quant_models_demo", CacheKey(params={"a": 1}), lambda: 1, paths=isolated_paths)
    assert shown == []  # read from the cache: nothing to report


def test_only_named_third_party_modules_warnings_are_silenced(shown, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        nb.setup("da")

        def warn(module: str, category: type[Warning]) -> None:
            warnings.warn_explicit("old API", category, f"{module}.py", 1, module=module)

        warn("pyfixest.estimation", FutureWarning)
        warn("seaborn.categorical", DeprecationWarning)
        warn("__main__", FutureWarning)  # the researcher's own code
        warn("my_analysis", DeprecationWarning)
        warn("pyfixesta", FutureWarning)  # not a module of pyfixest
    assert sorted(str(w.filename) for w in caught) == [
        "__main__.py",
        "my_analysis.py",
        "pyfixesta.py",
    ]


def test_make_lab_serves_the_repository_so_the_executed_notebooks_can_be_reached():
    import subprocess
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    dry = subprocess.run(
        ["make", "-n", "-o", "setup", "-o", ".venv/.installed", "lab"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (command,) = [line for line in dry.splitlines() if "jupyter lab" in line]
    assert f'--ServerApp.root_dir="{repo}"' in command
    assert "--notebook-dir=notebooks" not in command
