"""Caseload evaluation: shared helper package for the notebooks and the report pipeline.

Layers (lower never import higher): ``data`` -> ``qual`` / ``quant`` / ``benchmark`` ->
``mixed`` -> ``reports``. Paths and settings live in :mod:`analysis.paths`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("caseload-analysis")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = ["__version__"]
