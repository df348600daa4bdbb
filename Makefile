# Two entry points (see README): `make report` and `make test`.
# Everything is installed into .venv/ from the locked versions in uv.lock.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
KERNEL := caseload-analysis
STAMP := $(VENV)/.installed
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))

.PHONY: setup report test lab lint format benchmark clean-reports

setup: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v[:2] == (3, 11) else f"Python 3.11 is required, found {sys.version.split()[0]} at {sys.executable}")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv sync --frozen --inexact --compile-bytecode --python $(BIN)/python
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python 3.11 ($(KERNEL))" >/dev/null
	if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/nbstripout --install; fi
	touch $(STAMP)

## The main job: validate and prepare the data, then build every municipality's report.
report: setup
	$(BIN)/python -m analysis prepare
	$(BIN)/python -m analysis run --all

## The test suite (CI runs exactly this through .ci/run). Installs Debian's chromium for
## the browser tests when it is missing and the machine allows it.
test: setup
	scripts/ensure-chromium.sh
	$(BIN)/python -m pytest

## JupyterLab with the project kernel, serving the repository: notebooks/ and the executed
## notebooks behind each report (reports/notebooks/) are both in its file browser.
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks

lint: setup
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks notebooks

format: setup
	$(BIN)/ruff format src tests benchmarks notebooks
	$(BIN)/ruff check --fix src tests benchmarks notebooks

benchmark: setup
	$(BIN)/python benchmarks/report_speed.py

clean-reports:
	rm -rf reports/*.html reports/notebooks reports/screenshots reports/.state reports/partial \
		reports/en reports/.analysis-outputs.json
