"""Cached results in ``data/processed/cache/``: one entry per key, several kept.

Work every municipality's report needs (pooled regressions, cluster statistics, the coded
corpus) and what a researcher computes while exploring in JupyterLab is computed once per
*key* and read back after that. A :class:`CacheKey` combines the hashes of the input
files, the source of the modules that compute the result and the parameters (the
settings), so a change in any of them computes anew; a setting computed before comes back
from disk, however often a researcher toggles between settings.

The entries are kept by :class:`joblib.Memory` (pickled, written atomically, so
concurrent readers never see a half-written entry), in two stores:

- ``shared``: what the report batch, the commands and notebooks run outside a Jupyter
  server compute (the settings the reports use);
- ``explore``: what notebooks compute in a kernel started by a Jupyter server
  (JupyterLab): a researcher's other settings.

Each store is bounded (:data:`LIMITS`; the least recently used entries go first), so
exploring many settings never evicts what the batch needs, and the batch never evicts a
researcher's settings. A result found in ``explore`` by the batch is copied to ``shared``.

The modules a key names are roots: the key hashes their source and that of every module
of the package they import, at any depth (:mod:`analysis.codegraph`), so editing a
dependency (say ``analysis.data.jobindsats`` under ``analysis.benchmark``) recomputes
without anyone having to list it.

Every computation (a cache miss) is logged (level DEBUG) on the ``analysis.cache`` logger with its
duration: :func:`analysis.nb.setup` shows these lines as progress in JupyterLab.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from analysis.codegraph import source_hash
from analysis.fileio import sha256_bytes, sha256_file
from analysis.paths import ProjectPaths, get_paths

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")

SHARED = "shared"
EXPLORE = "explore"
#: the most each store keeps on disk, in bytes; beyond it the least recently used entries
#: are removed. One full set of the reports' shared results is about 40 MB (the national
#: models, the benchmark's 98 scorecards, the coded corpus and the figures); the bounds
#: leave room for many earlier versions and explored settings on any laptop.
LIMITS = {SHARED: 2 * 1024**3, EXPLORE: 1024**3}

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CacheKey:
    """What a cached result depends on: input files, modules (roots of the import graph,
    see :func:`module_hash`) and parameters."""

    inputs: tuple[Path, ...] = ()
    modules: tuple[str, ...] = ()
    params: Mapping[str, Any] | None = None

    def digest(self) -> str:
        parts = {
            "inputs": sorted(
                (p.name, sha256_file(p) if p.is_file() else "missing") for p in self.inputs
            ),
            "modules": sorted((m, module_hash(m)) for m in self.modules),
            "params": json.loads(json.dumps(self.params or {}, sort_keys=True, default=str)),
        }
        return sha256_bytes(json.dumps(parts, sort_keys=True).encode("utf-8"))


def module_hash(name: str) -> str:
    """Hash of the source of module ``name`` (a package: all its modules) and of every
    module of the package they import, directly or not."""
    return source_hash([name])


def cache_dir(paths: ProjectPaths | None = None) -> Path:
    return (paths or get_paths()).processed / "cache"


def exploring() -> bool:
    """True in a kernel that a Jupyter server started (JupyterLab, Notebook): the server
    names the notebook in ``JPY_SESSION_NAME``. The report batch starts its kernels
    itself, without it."""
    return bool(os.environ.get("JPY_SESSION_NAME"))


def _entry(name: str, digest: str, compute: Callable[[], Any] | None) -> Any:
    """What a store keeps for (``name``, ``digest``): the result of ``compute()``
    (joblib ignores ``compute`` in the key)."""
    if compute is None:
        raise KeyError(f"{name} is not cached")
    return compute()


def _function(store: str, paths: ProjectPaths | None):
    from joblib import Memory

    memory = Memory(location=cache_dir(paths) / store, verbose=0)
    return memory, memory.cache(_entry, ignore=["compute"])


def _touch(result: Any) -> None:
    """Mark an entry as just used (joblib's least-recently-used order is the access time
    of the stored file, which most file systems do not update on every read)."""
    path = Path(result.store_backend.location, result.func_id, result.args_id, "output.pkl")
    with contextlib.suppress(OSError):  # removed by another process meanwhile
        os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns))


def _read(store: str, name: str, digest: str, paths: ProjectPaths | None) -> tuple[bool, Any]:
    _, function = _function(store, paths)
    if not function.check_call_in_cache(name, digest, None):
        return False, None
    try:
        result = function.call_and_shelve(name, digest, None)
        value = result.get()
    except (KeyError, OSError, EOFError, ValueError):
        return False, None  # removed or half-removed by another process: compute
    _touch(result)
    return True, value


def _write(store: str, name: str, digest: str, value: Any, paths: ProjectPaths | None) -> None:
    memory, function = _function(store, paths)
    function.call_and_shelve(name, digest, lambda: value)
    with contextlib.suppress(OSError):  # another process removed the same entry meanwhile
        memory.reduce_size(bytes_limit=LIMITS[store])


def cached(
    name: str, key: CacheKey, compute: Callable[[], T], *, paths: ProjectPaths | None = None
) -> T:
    """``compute()``, or the result stored for ``name`` and ``key`` (any picklable
    value). Each key has its own entry, so every setting computed stays warm until its
    store's bound (:data:`LIMITS`) pushes out the least recently used."""
    digest = key.digest()
    own = EXPLORE if exploring() else SHARED
    for store in (SHARED, EXPLORE):
        found, value = _read(store, name, digest, paths)
        if found:
            if store != own and own == SHARED:
                _write(SHARED, name, digest, value, paths)  # the batch keeps its own copy
            return value
    logger.debug("computing %s (first time with these inputs, settings and code)", name)
    start = time.perf_counter()
    value = compute()
    _write(own, name, digest, value, paths)
    logger.debug("computed %s in %.1f s (kept for the next run)", name, time.perf_counter() - start)
    return value


def cached_frame(
    name: str,
    key: CacheKey,
    compute: Callable[[], pd.DataFrame],
    *,
    paths: ProjectPaths | None = None,
) -> pd.DataFrame:
    """The table ``name`` for ``key``: :func:`cached` for a DataFrame."""
    return cached(name, key, compute, paths=paths)


def is_fresh(name: str, key: CacheKey, paths: ProjectPaths | None = None) -> bool:
    """True when ``cached(name, key, ...)`` would read instead of compute."""
    digest = key.digest()
    return any(_function(store, paths)[1].check_call_in_cache(name, digest, None)
               for store in (SHARED, EXPLORE))  # fmt: skip


@dataclass(frozen=True)
class Entry:
    """One stored result: its store, name, key digest and file."""

    store: str
    name: str
    digest: str
    path: Path


def entries(paths: ProjectPaths | None = None, name: str | None = None) -> list[Entry]:
    """The stored results (of ``name`` only, when given), for tests and housekeeping."""
    found = []
    for store in (SHARED, EXPLORE):
        memory, _ = _function(store, paths)
        for item in memory.store_backend.get_items() if memory.store_backend else []:
            path = Path(item.path)
            try:
                meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            args = meta.get("input_args", {})
            entry_name, digest = (str(args.get(k, "")).strip("'") for k in ("name", "digest"))
            if (path / "output.pkl").is_file() and name in (None, entry_name):
                found.append(Entry(store, entry_name, digest, path / "output.pkl"))
    return sorted(found, key=lambda e: (e.store, e.name, e.digest))
