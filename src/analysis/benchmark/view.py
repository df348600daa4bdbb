"""What notebook 03 shows: one municipality's benchmark, from tables shared by all 98.

:func:`analysis.benchmark.batch.precompute` (called by the report batch before its
workers start) computes the
indicator levels, the structural features, the "similar municipalities" groups and the
scorecards of all 98 municipalities against their default clusters (similar and region
for everyone, each custom group and partition for its members; unweighted and weighted).
Each result is a Parquet file in ``data/processed/cache/`` keyed by the hashes of its
input files, the source of ``analysis.benchmark`` and the parameters
(:func:`analysis.cache.cached_frame`), so a changed input or changed code recomputes.

A notebook run for one municipality then calls :func:`benchmark_view`, which reads the
cached tables and selects rows; only a cluster that is not precomputed (say, a custom
group for a non-member) is scored on the spot, from the cached levels. The display
helpers the notebook uses (:func:`styled_scorecard`, :func:`dot_plot`, ...) are
re-exported here, so notebook 03 imports this module only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from analysis.benchmark.clusters import (
    DEFAULT_K,
    ClusterConfig,
    ComparisonGroup,
    GroupFit,
    comparison_group,
    group_fit,
    load_clusters,
    memberships,
    similar_municipalities,
    structural_features,
)
from analysis.benchmark.framework import (
    COV_TYPE,
    CV_R2_FLOOR,
    MIN_MUNICIPALITIES,
    RANK_DRAWS,
    framework_column,
    framework_conditions,
    framework_models_table,
    framework_sentences,
    framework_table,
)
from analysis.benchmark.indicators import indicator_panel
from analysis.benchmark.plots import compact_png, dot_plot
from analysis.benchmark.savings import (
    BenefitCost,
    load_costs,
    monthly_figures,
    savings_potential,
    savings_range,
)
from analysis.benchmark.scorecard import (
    DEFAULT_TOLERANCE,
    LEVEL_MONTHS,
    level_table,
    scorecard,
    scorecards,
    tally,
)
from analysis.benchmark.star import StarComparison, recorded_inputs, star_comparison, star_note
from analysis.benchmark.summaries import (
    display_table,
    fit_text,
    intro_text,
    savings_caveats,
    savings_range_table,
    savings_summary,
    savings_table,
    styled_scorecard,
    summary_sentences,
)
from analysis.benchmark.trend_plot import trend_alt, trend_figure
from analysis.benchmark.trends import group_gaps, monthly_values, trend_series
from analysis.cache import CacheKey, cached_frame
from analysis.data.reference import load_municipalities, municipality_name
from analysis.errors import AnalysisError
from analysis.fileio import sha256_bytes
from analysis.paths import ProjectPaths, get_paths

#: roots of every cache key: all of analysis.benchmark and every module of the package it
#: imports, at any depth (data.jobindsats, data.reference, ...; :func:`analysis.cache.module_hash`)
MODULES = ("analysis.benchmark",)
HEADLINE_INDICATOR = "unemployment_rate"


@dataclass(frozen=True)
class BenchmarkInputs:
    """Where the inputs come from; ``None`` means the project default.

    ``snapshot``: a Jobindsats snapshot JSON (default: the processed ``jobindsats`` table,
    or the raw snapshot if ``prepare`` has not run); ``clusters``: clusters.yaml;
    ``costs``: costs.yaml.
    """

    snapshot: Path | str | None = None
    clusters: Path | str | None = None
    costs: Path | str | None = None


@dataclass(frozen=True)
class _Resolved:
    data: Path  # the file the snapshot table is read from
    raw_snapshot: Path  # the raw JSON (for provenance)
    processed: bool
    clusters: Path
    costs: Path
    reference: Path
    custom: bool  # data or clusters not the project defaults: cache under another name
    explicit_clusters: bool

    def suffix(self) -> str:
        if not self.custom:
            return ""
        text = json.dumps([str(self.data), str(self.clusters)])
        return "_" + sha256_bytes(text.encode("utf-8"))[:10]


def _resolve(paths: ProjectPaths, inputs: BenchmarkInputs) -> _Resolved:
    processed = paths.processed_file("jobindsats")
    if inputs.snapshot is not None:
        raw = Path(inputs.snapshot).expanduser().resolve()
        data, use_processed = raw, False
    else:
        raw = paths.jobindsats_snapshot
        use_processed = processed.is_file()
        data = processed if use_processed else raw
    clusters = (
        Path(inputs.clusters).expanduser().resolve()
        if inputs.clusters is not None
        else paths.clusters_yaml
    )
    costs = (
        Path(inputs.costs).expanduser().resolve()
        if inputs.costs is not None
        else paths.benchmark / "costs.yaml"
    )
    # costs do not enter the cached tables, so only data and clusters move the cache
    custom = inputs.snapshot is not None or inputs.clusters is not None
    return _Resolved(
        data,
        raw,
        use_processed,
        clusters,
        costs,
        paths.municipalities_csv,
        custom,
        inputs.clusters is not None,
    )


@cache
def _read_snapshot(file: str, processed: bool, _stamp: tuple[int, int]) -> pd.DataFrame:
    """The tidy snapshot table of one file version (pure read, keyed by path and stamp)."""
    if processed:
        from analysis.data.store import from_storage

        return from_storage(pd.read_parquet(file))
    from analysis.data.jobindsats import load_snapshot

    return load_snapshot(file)


def _snapshot(resolved: _Resolved) -> pd.DataFrame:
    if not resolved.data.is_file():
        raise AnalysisError(
            f"{resolved.data} does not exist: run 'python -m analysis prepare' or pass a "
            "snapshot file"
        )
    return _read_snapshot(str(resolved.data), resolved.processed, _stamp(resolved.data))


def _key(resolved: _Resolved, *, clusters: bool = False, **params) -> CacheKey:
    """What a cached table depends on: the data, the reference table, with ``clusters``
    also clusters.yaml and its partition files, the package source and ``params``."""
    files = [resolved.data, resolved.reference]
    if clusters:
        files += list(_load_config(resolved).files())
    return CacheKey(inputs=tuple(files), modules=MODULES, params=params)


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@cache
def _read_config(file: str, _stamp: tuple, reference: str, _ref_stamp: tuple) -> ClusterConfig:
    """clusters.yaml of one file version (pure read, keyed by paths and stamps)."""
    return load_clusters(file, reference)


def _load_config(resolved: _Resolved) -> ClusterConfig:
    """clusters.yaml; a missing default file means built-in clusters only."""
    if resolved.clusters.is_file():
        config = _read_config(
            str(resolved.clusters),
            _stamp(resolved.clusters),
            str(resolved.reference),
            _stamp(resolved.reference),
        )
        # partition files are not part of the memo key: read such configurations afresh
        return load_clusters(resolved.clusters, resolved.reference) if config.partitions else config
    if resolved.explicit_clusters:
        return load_clusters(resolved.clusters, resolved.reference)  # raises: not found
    return ClusterConfig()


def _paths(paths: ProjectPaths | None) -> ProjectPaths:
    return paths or get_paths()


def load_levels(
    paths: ProjectPaths | None = None, inputs: BenchmarkInputs = BenchmarkInputs()
) -> pd.DataFrame:
    """Latest level, level a year before and development of every indicator for all 98
    (see :func:`analysis.benchmark.scorecard.level_table`), cached."""
    paths = _paths(paths)
    resolved = _resolve(paths, inputs)
    return cached_frame(
        "benchmark_levels" + resolved.suffix(),
        _key(resolved, table="levels", months=LEVEL_MONTHS),
        lambda: level_table(indicator_panel(_snapshot(resolved))),
        paths=paths,
    )


def _national_snapshot(resolved: _Resolved) -> pd.DataFrame:
    """The snapshot's national series ('Hele landet') with municipality code 0."""
    from analysis.data.jobindsats import load_snapshot_national

    national = load_snapshot_national(resolved.raw_snapshot)
    national.insert(0, "municipality_code", 0)
    national["municipality_code"] = national["municipality_code"].astype("int64")
    return national


def load_country_levels(
    paths: ProjectPaths | None = None, inputs: BenchmarkInputs = BenchmarkInputs()
) -> pd.DataFrame:
    """The whole country's levels and developments (the snapshot's national series,
    code 0), computed like a municipality's: the second comparison column. Cached."""
    paths = _paths(paths)
    resolved = _resolve(paths, inputs)
    return cached_frame(
        "benchmark_country_levels" + resolved.suffix(),
        CacheKey(
            inputs=(resolved.raw_snapshot, resolved.reference),
            modules=MODULES,
            params={"table": "country_levels", "months": LEVEL_MONTHS},
        ),
        lambda: level_table(indicator_panel(_national_snapshot(resolved))),
        paths=paths,
    )


def load_trend_values(
    paths: ProjectPaths | None = None, inputs: BenchmarkInputs = BenchmarkInputs()
) -> pd.DataFrame:
    """Every indicator month by month for all 98 and, as code 0, the whole country
    (:func:`analysis.benchmark.trends.monthly_values`): what the trend charts draw,
    cached."""
    paths = _paths(paths)
    resolved = _resolve(paths, inputs)

    def compute() -> pd.DataFrame:
        municipalities = monthly_values(indicator_panel(_snapshot(resolved)))
        country = monthly_values(indicator_panel(_national_snapshot(resolved)))
        return pd.concat([country, municipalities], ignore_index=True)

    return cached_frame(
        "benchmark_trends" + resolved.suffix(),
        CacheKey(
            inputs=(*_key(resolved).inputs, resolved.raw_snapshot),
            modules=MODULES,
            params={"table": "trends"},
        ),
        compute,
        paths=paths,
    )


def load_monthly(
    paths: ProjectPaths | None = None, inputs: BenchmarkInputs = BenchmarkInputs()
) -> pd.DataFrame:
    """The last 12 months of the indicators with a savings potential, for all 98
    (:func:`analysis.benchmark.savings.monthly_figures`), cached."""
    paths = _paths(paths)
    resolved = _resolve(paths, inputs)
    indicators = sorted({c.indicator for c in load_costs(resolved.costs).values()})
    return cached_frame(
        "benchmark_monthly" + resolved.suffix(),
        _key(resolved, table="monthly", indicators=indicators),
        lambda: monthly_figures(indicator_panel(_snapshot(resolved)), indicators),
        paths=paths,
    )


def load_features(
    paths: ProjectPaths | None = None, inputs: BenchmarkInputs = BenchmarkInputs()
) -> pd.DataFrame:
    """The structural features behind "similar municipalities" (one row per code), cached."""
    paths = _paths(paths)
    resolved = _resolve(paths, inputs)
    frame = cached_frame(
        "benchmark_features" + resolved.suffix(),
        _key(resolved, table="features"),
        lambda: structural_features(_snapshot(resolved)).reset_index(),
        paths=paths,
    )
    return frame.set_index("municipality_code")


def load_similar(
    paths: ProjectPaths | None = None,
    inputs: BenchmarkInputs = BenchmarkInputs(),
    k: int = DEFAULT_K,
) -> pd.DataFrame:
    """The ``k`` most similar municipalities of each of the 98, cached."""
    paths = _paths(paths)
    resolved = _resolve(paths, inputs)
    return cached_frame(
        f"benchmark_similar_k{k}" + resolved.suffix(),
        _key(resolved, table="similar", k=k),
        lambda: similar_municipalities(load_features(paths, inputs), k=k),
        paths=paths,
    )


def load_scorecards(
    paths: ProjectPaths | None = None,
    inputs: BenchmarkInputs = BenchmarkInputs(),
    *,
    weighted: bool = False,
) -> pd.DataFrame:
    """Scorecards of all 98 municipalities against their default clusters, cached."""
    paths = _paths(paths)
    resolved = _resolve(paths, inputs)

    def compute() -> pd.DataFrame:
        config = _load_config(resolved)
        reference = load_municipalities(resolved.reference)
        groups = memberships(config, load_similar(paths, inputs), reference)
        return scorecards(
            load_levels(paths, inputs),
            groups,
            weighted=weighted,
            tolerance=DEFAULT_TOLERANCE,
            country=load_country_levels(paths, inputs),
        )

    name = "benchmark_scorecards" + ("_weighted" if weighted else "") + resolved.suffix()
    return cached_frame(
        name,
        CacheKey(
            inputs=(*_key(resolved, clusters=True).inputs, resolved.raw_snapshot),
            modules=MODULES,
            params={
                "table": "scorecards",
                "weighted": weighted,
                "k": DEFAULT_K,
                "tolerance": repr(DEFAULT_TOLERANCE),
                "months": LEVEL_MONTHS,
            },
        ),
        compute,
        paths=paths,
    )


# --- framework conditions (analysis.benchmark.framework), cached ---------------------------


def load_framework_conditions(
    paths: ProjectPaths | None = None, inputs: BenchmarkInputs = BenchmarkInputs()
) -> pd.DataFrame:
    """:func:`framework_conditions` of the project's snapshot (or ``inputs``), cached in
    ``data/processed/cache/benchmark_framework_conditions*.parquet``."""
    paths = _paths(paths)
    resolved = _resolve(paths, inputs)
    frame = cached_frame(
        "benchmark_framework_conditions" + resolved.suffix(),
        _key(resolved, table="framework_conditions"),
        lambda: framework_conditions(_snapshot(resolved)).reset_index(),
        paths=paths,
    )
    return frame.set_index("municipality_code")


def load_framework(
    paths: ProjectPaths | None = None, inputs: BenchmarkInputs = BenchmarkInputs()
) -> pd.DataFrame:
    """:func:`framework_table` for all 98 and every indicator of the level table, cached
    in ``data/processed/cache/benchmark_framework*.parquet`` (precomputed by the batch)."""
    paths = _paths(paths)
    resolved = _resolve(paths, inputs)
    frame = cached_frame(
        "benchmark_framework" + resolved.suffix(),
        _key(
            resolved,
            table="framework",
            min_municipalities=MIN_MUNICIPALITIES,
            cov_type=COV_TYPE,
            cv_floor=CV_R2_FLOOR,
            draws=RANK_DRAWS,
        ),
        lambda: framework_table(
            load_levels(paths, inputs), load_framework_conditions(paths, inputs)
        ),
        paths=paths,
    )
    for column in ("rank", "rank_low", "rank_high"):
        frame[column] = frame[column].astype("Int64")
    return frame


@dataclass(frozen=True)
class BenchmarkView:
    """Everything notebook 03 shows for one municipality and one cluster."""

    municipality: int
    name: str
    group: ComparisonGroup
    weighted: bool
    scorecard: pd.DataFrame
    levels: pd.DataFrame
    savings: pd.DataFrame
    costs: dict[str, BenefitCost]
    inputs: tuple[Path, ...]
    #: each indicator against the value expected from framework conditions (descriptive)
    framework: pd.DataFrame | None = None
    #: how well the comparison group fits (each member's distance, a poor-fit warning)
    fit: GroupFit | None = None
    #: the savings potential from 12-month averages with a range (what the page shows)
    savings_range: pd.DataFrame | None = None
    #: every indicator month by month: municipality, group average, whole country
    #: (:func:`analysis.benchmark.trends.trend_series`)
    trends: pd.DataFrame | None = None
    #: the distance to the group now and a year before, and whether the municipality
    #: moved towards it (:func:`analysis.benchmark.trends.group_gaps`)
    gaps: pd.DataFrame | None = None

    def trend_figure(self, language: str = "da"):
        """The small multiples of :attr:`trends` (one panel per scorecard row)."""
        return trend_figure(
            self.trends,
            self.scorecard,
            self.gaps,
            name=self.name,
            cluster=self.group.label(language),
            language=language,
        )

    def trend_alt(self, language: str = "da") -> str:
        """The trend figure in words (its alt text)."""
        return trend_alt(
            self.gaps,
            self.scorecard,
            self.trends,
            name=self.name,
            cluster=self.group.label(language),
            language=language,
        )

    def headline(self, language: str = "da") -> dict:
        """The index page's headline: latest unemployment rate against the cluster mean,
        and the tally of outcomes better / worse than the cluster (each outcome family
        counted once, process measures not counted: :func:`~.scorecard.tally`)."""
        row = self.scorecard[self.scorecard["indicator"].eq(HEADLINE_INDICATOR)].iloc[0]

        def number(value: float) -> float | None:
            return None if pd.isna(value) else round(float(value), 2)

        card = self.scorecard
        counted = [i for i, c in zip(card["indicator"], card["counted"], strict=True) if c]
        return {
            "indicator": HEADLINE_INDICATOR,
            "level": number(row["level"]),
            "development": number(row["development"]),  # in a year, KLK's unit (the map)
            "cluster_mean": number(row["cluster_level"]),
            "period": str(row["period"]),
            "period_start": str(row["period_start"]),
            "cluster": self.group.label(language),
            "cluster_size": len(self.group.members),
            **tally(card),
            "counted": counted,
            "country_mean": number(row["country_level"]),
            "poor_fit": bool(self.fit.poor) if self.fit is not None else False,
            "fit_mean": number(self.fit.mean) if self.fit is not None else None,
            "fit_typical_mean": number(self.fit.typical_mean) if self.fit is not None else None,
            "members": [int(m) for m in self.group.members],  # the page's locator map
        }


def benchmark_view(
    municipality: int,
    cluster: str = "similar",
    *,
    weighted: bool = False,
    paths: ProjectPaths | None = None,
    inputs: BenchmarkInputs = BenchmarkInputs(),
) -> BenchmarkView:
    """Select (or, for a cluster not precomputed, compute) one municipality's scorecard."""
    paths = _paths(paths)
    resolved = _resolve(paths, inputs)
    reference = load_municipalities(resolved.reference)
    code = int(municipality)
    if code not in set(reference["code"]):
        raise AnalysisError(
            f"unknown municipality code {municipality!r} (see {resolved.reference})"
        )
    config = _load_config(resolved)
    group = comparison_group(code, cluster, config, load_similar(paths, inputs), reference)
    levels = load_levels(paths, inputs)
    cards = load_scorecards(paths, inputs, weighted=weighted)
    rows = cards[cards["municipality_code"].eq(code) & cards["cluster"].eq(cluster)]
    if rows.empty:
        rows = scorecard(
            levels,
            code,
            group.members,
            cluster=cluster,
            weighted=weighted,
            country=load_country_levels(paths, inputs),
        )
    rows = rows.reset_index(drop=True)
    costs = load_costs(resolved.costs)
    fit = group_fit(load_features(paths, inputs), load_similar(paths, inputs), code, group.members)
    ranges = savings_range(
        load_monthly(paths, inputs), code, group.members, costs, cluster=cluster, weighted=weighted
    )
    files = (resolved.raw_snapshot, resolved.reference, resolved.costs, *config.files())
    values = load_trend_values(paths, inputs)
    trends = trend_series(
        values[values["municipality_code"].ne(0)],
        code,
        group.members,
        country=values[values["municipality_code"].eq(0)],
        weighted=weighted,
        indicators=list(rows["indicator"]),
    )
    return BenchmarkView(
        municipality=code,
        name=municipality_name(code, resolved.reference),
        group=group,
        weighted=weighted,
        scorecard=rows,
        levels=levels,
        savings=savings_potential(rows, costs),
        costs=costs,
        inputs=tuple(dict.fromkeys(Path(f) for f in files)),
        framework=framework_column(load_framework(paths, inputs), code),
        fit=fit,
        savings_range=ranges,
        trends=trends,
        gaps=group_gaps(levels, rows, group.members, weighted=weighted),
    )


__all__ = [
    "BenchmarkInputs",
    "BenchmarkView",
    "StarComparison",
    "benchmark_view",
    "compact_png",
    "display_table",
    "dot_plot",
    "fit_text",
    "framework_models_table",
    "framework_sentences",
    "intro_text",
    "load_country_levels",
    "load_features",
    "load_framework",
    "load_framework_conditions",
    "load_levels",
    "load_monthly",
    "load_scorecards",
    "load_similar",
    "load_trend_values",
    "recorded_inputs",
    "savings_caveats",
    "savings_range_table",
    "savings_summary",
    "savings_table",
    "star_comparison",
    "star_note",
    "styled_scorecard",
    "summary_sentences",
]
