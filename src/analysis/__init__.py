"""Caseload evaluation: shared helper package for the notebooks and the report pipeline.

Import layers (``LAYERS``), lowest first. A module may import modules of its own part
(a top-level module or subpackage) and of lower layers, never of higher ones; parts on
one line never import each other, so ``qual`` and ``quant`` meet only in ``mixed``.
``tests/test_layers.py`` holds every import (module-level and inside functions) to it.

    __init__ | resources | codegraph | errors
    paths
    fileio
    yamlio
    labels
    formatting
    tablefiles
    privacy
    publish
    images
    cache
    nb
    data
    qual | quant | benchmark
    mixed
    reports
    cli
    __main__

``__init__`` is this file. Paths and settings live in :mod:`analysis.paths`.
"""

from collections.abc import Callable, Mapping
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

#: The import layers described above, lowest first (one tuple per line of the docstring).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__init__", "resources", "codegraph", "errors"),
    ("paths",),
    ("fileio",),
    ("yamlio",),
    ("labels",),
    ("formatting",),  # number formats by language: checks the language with labels
    ("tablefiles",),
    ("privacy",),
    ("publish",),
    ("images",),  # PNG palettes that keep the text chunks the exit gate reads
    ("cache",),
    ("nb",),
    ("data",),
    ("qual", "quant", "benchmark"),
    ("mixed",),
    ("reports",),
    ("cli",),
    ("__main__",),
)

try:
    __version__ = version("caseload-analysis")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a package that re-exports its public API
    (``name -> module``) but imports each module only when a name is first used, so that
    ``import analysis.quant.specs`` does not load pyfixest, spaCy or the plots (PEP 562)."""

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(module), name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__


__all__ = ["LAYERS", "__version__", "lazy_exports"]
