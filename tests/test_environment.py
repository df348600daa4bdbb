"""The two ways of installing (uv lock via `make`, conda via environment.yml) agree."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
#: conda-forge name -> PyPI name where they differ
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def _name(requirement: str) -> str:
    """Normalised distribution name of a requirement string ('pandas>=3.0' -> 'pandas')."""
    name = re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_dependencies() -> set[str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    names = {_name(r) for r in data["project"]["dependencies"]}
    for group in data.get("dependency-groups", {}).values():
        names |= {_name(r) for r in group if isinstance(r, str)}
    return names


def environment_dependencies() -> tuple[set[str], dict]:
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    names: set[str] = set()
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            for pip_req in entry.get("pip", []):
                if not pip_req.startswith("-e"):
                    names.add(_name(pip_req))
        else:
            name = _name(entry)
            if name not in {"python", "pip"}:
                names.add(CONDA_TO_PYPI.get(name, name))
    return names, env


def test_environment_yml_names_the_same_packages_as_pyproject():
    conda, _ = environment_dependencies()
    pyproject = pyproject_dependencies()
    assert conda - pyproject == set(), "in environment.yml but not pyproject.toml"
    assert pyproject - conda == set(), "in pyproject.toml but not environment.yml"


def test_environment_yml_is_conda_forge_python_311_with_editable_package():
    _, env = environment_dependencies()
    assert env["channels"] == ["conda-forge"]
    assert "python=3.11" in env["dependencies"]
    pip_section = next(e for e in env["dependencies"] if isinstance(e, dict))
    assert "-e ." in pip_section["pip"]


def test_lock_file_pins_every_dependency():
    lock = (REPO / "uv.lock").read_text(encoding="utf-8")
    locked = {_name(m) for m in re.findall(r'^name = "([^"]+)"', lock, flags=re.MULTILINE)}
    assert pyproject_dependencies() <= locked


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, flags=re.DOTALL).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert len(commands) == 2, "the README opens with exactly two commands"
    test_command = commands[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    ci_commands = [
        line.strip()
        for line in ci.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "set ", "cd "))
    ]
    assert ci_commands == [f"exec {test_command}"]


def test_lock_file_is_consistent_with_pyproject():
    """`uv lock --check` fails when pyproject.toml changed without re-locking."""
    uv = REPO / ".venv" / "bin" / "uv"
    result = subprocess.run(
        [str(uv), "lock", "--check", "--offline"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
