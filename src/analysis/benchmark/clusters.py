"""Comparison groups ("klynger"): built-in, custom and dropped-in, validated with line numbers.

A municipality is compared with the *other* members of a group; it never counts in its
own cluster average. Groups come in four kinds:

- ``similar`` (built in, the default): the ``k`` = 8 municipalities nearest to it on five
  standardised structural indicators from the Jobindsats snapshot, computed for all 98 at
  once (:func:`similar_municipalities`, documented in docs/benchmark.md);
- ``region`` (built in): the other municipalities of its region;
- custom groups in ``data/raw/reference/clusters.yaml`` (``groups:``): a named list of
  municipalities, like KLK's "Sønderjysk klynge" (Aabenraa, Sønderborg, Tønder, Haderslev:
  each is compared with the other three);
- partitions (``partitions:``): a file assigning each municipality a cluster id, such as
  STAR's official clusters, as CSV (``municipality,cluster``) or YAML (``name: id``);
  a municipality is compared with the others of its cluster.

Municipalities may be written as codes or names ("Høje-Taastrup", "Københavns Kommune").
Errors name the file, the line and the bad entry.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.data.jobindsats import labour_force
from analysis.data.reference import load_municipalities, resolve_municipality
from analysis.errors import AnalysisError, InputError, ProblemCollector
from analysis.labels import check_language
from analysis.paths import get_paths
from analysis.yamlio import compose_yaml, read_yaml_text

SIMILAR, REGION = "similar", "region"
BUILTIN = (SIMILAR, REGION)
#: Size of the "similar municipalities" group.
DEFAULT_K = 8
#: A comparison group fits poorly when its members lie on average more than this many
#: standard deviations (Euclidean, on the standardised structural features) from the
#: municipality: about twice the typical municipality's (the median is 1.0; Læsø's is 7.3).
POOR_FIT_DISTANCE = 2.0
#: Months the structural indicators are averaged over: the first 24 months of the
#: snapshot, two years before the comparison window and before the July 2025 reform.
BASE_PERIOD = ("2021-08", "2023-07")
FEATURES = (
    "log_labour_force",
    "participation",
    "unemployment_rate",
    "kh_workforce_rate",
    "seasonality",
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class CustomGroup:
    """A named list of municipalities (codes), from clusters.yaml."""

    name: str
    label_da: str
    label_en: str
    members: tuple[int, ...]
    description: str = ""


@dataclass(frozen=True)
class Partition:
    """A file assigning municipalities to clusters (code -> cluster id)."""

    name: str
    label_da: str
    label_en: str
    file: str
    assignment: tuple[tuple[int, str], ...]

    def cluster_of(self, code: int) -> str | None:
        return dict(self.assignment).get(int(code))


@dataclass(frozen=True)
class ClusterConfig:
    """Everything clusters.yaml defines (built-in groups need no definition)."""

    path: str | None = None
    groups: tuple[CustomGroup, ...] = ()
    partitions: tuple[Partition, ...] = ()

    def names(self) -> tuple[str, ...]:
        """Every cluster name a scorecard accepts."""
        return BUILTIN + tuple(g.name for g in self.groups) + tuple(p.name for p in self.partitions)

    def files(self) -> tuple[Path, ...]:
        """The files the configuration was read from (for cache keys and provenance)."""
        paths = [Path(self.path)] if self.path else []
        return tuple(paths + [Path(p.file) for p in self.partitions])


@dataclass(frozen=True)
class ComparisonGroup:
    """The municipalities one municipality is compared with under one cluster name."""

    name: str
    kind: str  # "similar", "region", "custom" or "partition"
    municipality: int
    members: tuple[int, ...]
    label_da: str
    label_en: str
    note: str = ""
    member_names: tuple[str, ...] = field(default=())

    def label(self, language: str = "da") -> str:
        check_language(language)
        return self.label_da if language == "da" else self.label_en


# --- clusters.yaml ---------------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _mapping(node: yaml.Node | None) -> list[tuple[yaml.Node, yaml.Node]] | None:
    return node.value if isinstance(node, yaml.MappingNode) else None


def _resolve(
    value: str, reference: Path, collector: ProblemCollector, line: int, where: str
) -> int | None:
    code = resolve_municipality(value, reference)
    if code is None:
        collector.add(
            "unknown municipality",
            row=line,
            column=where,
            expected="a municipality code or name from municipalities.csv",
            found=value,
        )
    return code


def _labels(entries: dict[str, yaml.Node], name: str) -> tuple[str, str]:
    label_da = _scalar(entries["label_da"]) if "label_da" in entries else None
    label_en = _scalar(entries["label_en"]) if "label_en" in entries else None
    return label_da or name, label_en or label_da or name


def _check_name(
    name: str,
    line: int,
    section: str,
    seen: dict[str, tuple[int, str]],
    collector: ProblemCollector,
) -> bool:
    if not _NAME.match(name):
        collector.add(
            "bad group name",
            row=line,
            expected="lower-case letters, digits, '_' or '-'",
            found=name,
        )
        return False
    if name in BUILTIN:
        collector.add("group name is built in", row=line, expected="another name", found=name)
        return False
    if name in seen:
        first, first_section = seen[name]
        if first_section != section:  # twice in one section: a duplicate key, reported
            collector.add(f"group name already used on line {first}", row=line, found=name)
        return False
    seen[name] = (line, section)
    return True


def _group(
    name: str, node: yaml.Node, reference: Path, collector: ProblemCollector
) -> CustomGroup | None:
    pairs = _mapping(node)
    if pairs is None:
        collector.add(
            f"group '{name}' must be a mapping", row=_line(node), expected="label_da, members, ..."
        )
        return None
    entries = {_scalar(k) or "": v for k, v in pairs}
    members_node = entries.get("members")
    if not isinstance(members_node, yaml.SequenceNode) or not members_node.value:
        collector.add(
            f"group '{name}' needs a list of members",
            row=_line(node),
            column="members",
            expected="a list of municipality names or codes",
        )
        return None
    codes: list[int] = []
    first: dict[int, int] = {}
    for item in members_node.value:
        text = _scalar(item)
        if text is None:
            collector.add("member must be a name or a code", row=_line(item), column="members")
            continue
        code = _resolve(text, reference, collector, _line(item), f"groups.{name}.members")
        if code is None:
            continue
        if code in first:
            collector.add(
                f"member listed twice (first on line {first[code]})",
                row=_line(item),
                column=f"groups.{name}.members",
                found=text,
            )
            continue
        first[code] = _line(item)
        codes.append(code)
    if len(members_node.value) < 2:
        collector.add(
            f"group '{name}' needs at least two municipalities",
            row=_line(members_node),
            column="members",
        )
    label_da, label_en = _labels(entries, name)
    description = _scalar(entries["description"]) if "description" in entries else ""
    return CustomGroup(name, label_da, label_en, tuple(codes), description or "")


def _partition(
    name: str, node: yaml.Node, base: Path, reference: Path, collector: ProblemCollector
) -> Partition | None:
    pairs = _mapping(node)
    entries = {_scalar(k) or "": v for k, v in pairs} if pairs is not None else {}
    file_text = _scalar(entries["file"]) if "file" in entries else None
    if not file_text:
        collector.add(
            f"partition '{name}' needs a file",
            row=_line(node),
            column="file",
            expected="file: a CSV (municipality,cluster) or YAML (name: cluster) next to "
            "clusters.yaml",
        )
        return None
    file = (base / file_text).resolve()
    if not file.is_file():
        collector.add(
            f"partition file of '{name}' not found: {file}",
            row=_line(entries["file"]),
            column="file",
            expected="a CSV (municipality,cluster) or YAML (name: cluster) file next to "
            "clusters.yaml",
        )
        return None
    assignment = read_partition_file(file, reference)
    label_da, label_en = _labels(entries, name)
    return Partition(name, label_da, label_en, str(file), tuple(sorted(assignment.items())))


def load_clusters(
    path: Path | str | None = None, reference: Path | str | None = None
) -> ClusterConfig:
    """Read and validate clusters.yaml (default ``get_paths().clusters_yaml``).

    A missing default file means "built-in groups only"; a missing file named explicitly
    is an error. All problems of the file are reported together, each with its line.
    """
    paths = get_paths()
    file = Path(path) if path is not None else paths.clusters_yaml
    ref = Path(reference) if reference is not None else paths.municipalities_csv
    if not file.is_file():
        if path is None:
            return ClusterConfig()
        raise InputError.single(file, "cluster file not found")
    text = read_yaml_text(file, missing="cluster file not found")
    collector = ProblemCollector(file)
    root = compose_yaml(text, file, problems=collector)
    if root is None:
        return ClusterConfig(path=str(file.resolve()))
    top = _mapping(root)
    if top is None:
        raise InputError.single(file, "expected a mapping with 'groups' and/or 'partitions'", row=1)
    groups: list[CustomGroup] = []
    partitions: list[Partition] = []
    seen: dict[str, tuple[int, str]] = {}
    for key_node, value_node in top:
        key = _scalar(key_node)
        if key not in {"groups", "partitions"}:
            collector.add(
                "unknown section", row=_line(key_node), expected="groups or partitions", found=key
            )
            continue
        if isinstance(value_node, yaml.ScalarNode) and value_node.value in ("", "null", "~"):
            continue
        items = _mapping(value_node)
        if items is None:
            collector.add(f"'{key}' must be a mapping of names", row=_line(value_node))
            continue
        for name_node, body in items:
            name = _scalar(name_node) or ""
            if not _check_name(name, _line(name_node), key, seen, collector):
                continue
            if key == "groups":
                group = _group(name, body, ref, collector)
                if group is not None:
                    groups.append(group)
            else:
                try:
                    partition = _partition(name, body, file.parent, ref, collector)
                except InputError as exc:
                    collector.extend(exc.problems)
                    continue
                if partition is not None:
                    partitions.append(partition)
    collector.raise_if_any()
    return ClusterConfig(str(file.resolve()), tuple(groups), tuple(partitions))


def read_partition_file(path: Path | str, reference: Path | str | None = None) -> dict[int, str]:
    """A cluster assignment file: CSV ``municipality,cluster`` or YAML ``municipality: id``.

    Municipalities are codes or names; each may appear once. Returns code -> cluster id.
    """
    file = Path(path)
    ref = Path(reference) if reference is not None else get_paths().municipalities_csv
    collector = ProblemCollector(file)
    entries: list[tuple[str, str, int]] = []  # (municipality, cluster, line)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single(file, f"cannot read the file: {exc}") from None
    if file.suffix.lower() in {".yaml", ".yml"}:
        # a municipality twice is reported below (also when written once as a name and
        # once as a code), so duplicate keys are left to that check
        root = compose_yaml(text, file, check_duplicates=False)
        pairs = _mapping(root)
        if pairs is None:
            raise InputError.single(
                file, "expected a mapping municipality: cluster", row=1, found=type(root).__name__
            )
        for key, value in pairs:
            entries.append((_scalar(key) or "", _scalar(value) or "", _line(key)))
    else:
        reader = csv.reader(io.StringIO(text))
        try:
            rows = list(reader)
        except csv.Error as exc:  # e.g. a field longer than the csv module's limit
            raise InputError.single(
                file, f"cannot read as CSV: {exc}", row=reader.line_num
            ) from None
        if not rows:
            raise InputError.single(file, "empty file", expected="header municipality,cluster")
        header = [h.strip().lower() for h in rows[0]]
        if "municipality" not in header or "cluster" not in header:
            raise InputError.single(
                file,
                "missing columns",
                row=1,
                expected="municipality,cluster",
                found=",".join(rows[0]),
            )
        m_index, c_index = header.index("municipality"), header.index("cluster")
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(m_index, c_index):
                collector.add("too few fields", row=number, expected="municipality,cluster")
                continue
            entries.append((row[m_index].strip(), row[c_index].strip(), number))
    assignment: dict[int, str] = {}
    first: dict[int, int] = {}
    for municipality, cluster, line in entries:
        code = _resolve(municipality, ref, collector, line, "municipality")
        if not cluster:
            collector.add(
                f"missing cluster id for municipality {municipality!r}",
                row=line,
                column="cluster",
                expected="a cluster id next to each municipality",
            )
            continue
        if code is None:
            continue
        if code in first:
            collector.add(
                f"municipality assigned twice (first on line {first[code]})",
                row=line,
                column="municipality",
                found=municipality,
            )
            continue
        first[code] = line
        assignment[code] = cluster
    collector.raise_if_any()
    return assignment


# --- similar municipalities ------------------------------------------------------------------


def structural_features(snapshot: pd.DataFrame) -> pd.DataFrame:
    """The five structural indicators behind "similar municipalities", one row per code.

    Averages over ``BASE_PERIOD`` (2021-08 to 2023-07): log of the labour force (size),
    labour-force participation (labour force / population 16-66, from the kontanthjælp
    rates' two denominators), unemployment rate, full-time kontanthjælp recipients in % of
    the labour force, and seasonality (coefficient of variation of the monthly
    unemployment rate: tourism and islands).
    """
    start, end = (pd.Period(p, freq="M") for p in BASE_PERIOD)
    base = snapshot[snapshot["period"].between(start, end) & snapshot["category"].eq("total")]
    labour = labour_force(base)[["municipality_code", "period", "labour_force"]]
    rate = base[base["measure"].eq("unemployment_rate") & base["benefit_group"].eq("total")]
    kh = base[base["benefit_group"].eq("kontanthjaelp")]
    wide = kh[kh["measure"].isin(["recipients_workforce_rate", "recipients_population_rate"])]
    wide = wide.pivot_table(
        index="municipality_code", columns="measure", values="value", aggfunc="mean"
    )
    unemployment = rate.groupby("municipality_code")["value"]
    features = pd.DataFrame(
        {
            "log_labour_force": np.log(labour.groupby("municipality_code")["labour_force"].mean()),
            "participation": wide["recipients_population_rate"] / wide["recipients_workforce_rate"],
            "unemployment_rate": unemployment.mean(),
            "kh_workforce_rate": wide["recipients_workforce_rate"],
            "seasonality": unemployment.std() / unemployment.mean(),
        }
    )
    features.index.name = "municipality_code"
    return features[list(FEATURES)].sort_index()


def standardised(features: pd.DataFrame) -> pd.DataFrame:
    """The structural features standardised over the municipalities (mean 0, standard
    deviation 1, so each weighs the same); a missing feature is set to the median."""
    filled = features.fillna(features.median())
    std = filled.std(ddof=0).replace(0, 1.0)
    return (filled - filled.mean()) / std


def similar_municipalities(features: pd.DataFrame, k: int = DEFAULT_K) -> pd.DataFrame:
    """The ``k`` nearest municipalities of each municipality on standardised features.

    Each feature is standardised over the 98 municipalities (mean 0, standard deviation 1,
    so each weighs the same); distance is Euclidean; ties go to the lower code, so the
    result is reproducible. A missing feature is set to the median (the feature then does
    not separate that municipality). Columns: municipality_code, rank, neighbour_code,
    distance.
    """
    if k < 1 or k >= len(features):
        raise AnalysisError(f"k must be between 1 and {len(features) - 1}, got {k}")
    z = standardised(features).to_numpy()
    distances = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=-1))
    codes = features.index.to_numpy()
    rows = []
    for i, code in enumerate(codes):
        order = sorted((d, c) for d, c in zip(distances[i], codes, strict=True) if c != code)
        for rank, (distance, other) in enumerate(order[:k], start=1):
            rows.append((int(code), rank, int(other), float(distance)))
    return pd.DataFrame(rows, columns=["municipality_code", "rank", "neighbour_code", "distance"])


# --- groups for a municipality ---------------------------------------------------------------

_BUILTIN_LABELS = {
    SIMILAR: ("Lignende kommuner", "Similar municipalities"),
    REGION: ("Region {region}", "Region {region}"),
}


def comparison_group(
    municipality: int,
    cluster: str,
    config: ClusterConfig,
    similar: pd.DataFrame,
    reference: pd.DataFrame | None = None,
) -> ComparisonGroup:
    """The members ``municipality`` is compared with under ``cluster`` (itself excluded)."""
    table = reference if reference is not None else load_municipalities()
    names = dict(zip(table["code"], table["name"], strict=True))
    code = int(municipality)
    if code not in names:
        raise AnalysisError(f"unknown municipality code {municipality!r}")
    note = ""
    if cluster == SIMILAR:
        rows = similar[similar["municipality_code"].eq(code)].sort_values("rank")
        members = tuple(int(c) for c in rows["neighbour_code"])
        label_da, label_en = _BUILTIN_LABELS[SIMILAR]
        kind = SIMILAR
    elif cluster == REGION:
        region = table.loc[table["code"].eq(code), "region"].iloc[0]
        members = tuple(int(c) for c in table.loc[table["region"].eq(region), "code"] if c != code)
        label_da, label_en = (text.format(region=region) for text in _BUILTIN_LABELS[REGION])
        kind = REGION
    else:
        group = next((g for g in config.groups if g.name == cluster), None)
        partition = next((p for p in config.partitions if p.name == cluster), None)
        if group is not None:
            members = tuple(c for c in group.members if c != code)
            label_da, label_en, kind = group.label_da, group.label_en, "custom"
            if code not in group.members:
                note = "not_a_member"
        elif partition is not None:
            own = partition.cluster_of(code)
            if own is None:
                raise AnalysisError(
                    f"{names[code]} ({code}) has no cluster in {partition.file} ('{cluster}')"
                )
            members = tuple(c for c, cid in partition.assignment if cid == own and c != code)
            label_da = f"{partition.label_da} {own}"
            label_en = f"{partition.label_en} {own}"
            kind = "partition"
        else:
            known = ", ".join(config.names())
            raise AnalysisError(f"unknown cluster {cluster!r}; known clusters: {known}")
    return ComparisonGroup(
        name=cluster,
        kind=kind,
        municipality=code,
        members=members,
        label_da=label_da,
        label_en=label_en,
        note=note,
        member_names=tuple(names[c] for c in members),
    )


def memberships(
    config: ClusterConfig, similar: pd.DataFrame, reference: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Membership rows (municipality_code, cluster, member_code) for the default scorecards:
    ``similar`` and ``region`` for all 98, each custom group and partition for its members.
    """
    table = reference if reference is not None else load_municipalities()
    rows = []
    codes = [int(c) for c in table["code"]]
    for name in config.names():
        group = next((g for g in config.groups if g.name == name), None)
        partition = next((p for p in config.partitions if p.name == name), None)
        if group is not None:
            subjects = list(group.members)
        elif partition is not None:
            subjects = [c for c, _ in partition.assignment]
        else:
            subjects = codes
        for code in subjects:
            found = comparison_group(code, name, config, similar, table)
            rows += [(code, name, member) for member in found.members]
    return pd.DataFrame(rows, columns=["municipality_code", "cluster", "member_code"])


# --- how well a group fits -------------------------------------------------------------------


@dataclass(frozen=True)
class GroupFit:
    """How far a comparison group's members are from the municipality, in standard
    deviations of the standardised structural features (Euclidean), against what is
    typical: the median over the 98 municipalities of their own similar group's mean and
    nearest distance."""

    municipality: int
    members: tuple[int, ...]
    distances: tuple[float, ...]  # one per member, in the members' order
    mean: float
    nearest: float
    nearest_member: int | None
    typical_mean: float
    typical_nearest: float
    threshold: float = POOR_FIT_DISTANCE

    @property
    def poor(self) -> bool:
        """The members lie on average more than :data:`POOR_FIT_DISTANCE` away."""
        return bool(self.mean > self.threshold)


def group_fit(
    features: pd.DataFrame,
    similar: pd.DataFrame,
    municipality: int,
    members: tuple[int, ...] | list[int],
    *,
    threshold: float = POOR_FIT_DISTANCE,
) -> GroupFit:
    """Each member's distance from ``municipality`` on the standardised structural
    features (the measure that chooses "similar municipalities"; for any group) and the
    typical distances, from ``similar`` (:func:`similar_municipalities`)."""
    z = standardised(features)
    code = int(municipality)
    members = tuple(int(m) for m in members)
    known = [m for m in members if m in z.index]
    if code in z.index and known:
        diffs = z.loc[known].to_numpy() - z.loc[code].to_numpy()
        found = dict(zip(known, np.sqrt((diffs**2).sum(axis=1)), strict=True))
    else:
        found = {}
    distances = tuple(float(found.get(m, np.nan)) for m in members)
    valid = {m: d for m, d in zip(members, distances, strict=True) if not np.isnan(d)}
    nearest_member = min(valid, key=lambda m: (valid[m], m)) if valid else None
    per_municipality = similar.groupby("municipality_code")["distance"]
    return GroupFit(
        municipality=code,
        members=members,
        distances=distances,
        mean=float(np.mean(list(valid.values()))) if valid else float("nan"),
        nearest=float(valid[nearest_member]) if nearest_member is not None else float("nan"),
        nearest_member=nearest_member,
        typical_mean=float(per_municipality.mean().median()) if len(similar) else float("nan"),
        typical_nearest=float(per_municipality.min().median()) if len(similar) else float("nan"),
        threshold=threshold,
    )
