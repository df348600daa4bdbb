"""Cached shared results in ``data/processed/cache/``, keyed by content hashes.

Work every municipality's report needs (pooled regressions, cluster statistics, the coded
corpus) is computed once and stored as Parquet. The key combines the hashes of the input
files, the source of the modules that compute the result and the parameters, so a change
in any of them recomputes; otherwise the stored result is read back. Writes are atomic,
so concurrent readers never see a half-written table.

The modules a key names are roots: the key hashes their source and that of every module
of the package they import, at any depth (:mod:`analysis.codegraph`), so editing a
dependency (say ``analysis.data.jobindsats`` under ``analysis.benchmark``) recomputes
without anyone having to list it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.codegraph import source_hash
from analysis.fileio import atomic_write_text, sha256_bytes, sha256_file, write_parquet_atomic
from analysis.paths import ProjectPaths, get_paths


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


def cached_frame(
    name: str,
    key: CacheKey,
    compute: Callable[[], pd.DataFrame],
    *,
    paths: ProjectPaths | None = None,
    to_storage: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    from_storage: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Return the cached table ``name`` if its key matches, else compute and store it."""
    folder = cache_dir(paths)
    table_path = folder / f"{name}.parquet"
    key_path = folder / f"{name}.key.json"
    digest = key.digest()
    if table_path.is_file() and key_path.is_file():
        try:
            stored = json.loads(key_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            stored = {}
        if stored.get("digest") == digest and stored.get("sha256") == sha256_file(table_path):
            frame = pd.read_parquet(table_path)
            return from_storage(frame) if from_storage else frame
    frame = compute()
    write_parquet_atomic(to_storage(frame) if to_storage else frame, table_path)
    atomic_write_text(
        key_path,
        json.dumps({"digest": digest, "sha256": sha256_file(table_path)}, indent=2) + "\n",
    )
    return frame


def is_fresh(name: str, key: CacheKey, paths: ProjectPaths | None = None) -> bool:
    """True when ``cached_frame(name, key, ...)`` would read instead of compute."""
    folder = cache_dir(paths)
    table_path, key_path = folder / f"{name}.parquet", folder / f"{name}.key.json"
    if not (table_path.is_file() and key_path.is_file()):
        return False
    stored = json.loads(key_path.read_text(encoding="utf-8"))
    return stored.get("digest") == key.digest() and stored.get("sha256") == sha256_file(table_path)
