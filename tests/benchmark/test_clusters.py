"""Comparison groups: clusters.yaml and partition files, similar municipalities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.benchmark.clusters import (
    DEFAULT_K,
    FEATURES,
    ClusterConfig,
    comparison_group,
    load_clusters,
    memberships,
    read_partition_file,
    similar_municipalities,
)
from analysis.data.reference import load_municipalities
from analysis.errors import AnalysisError, InputError

REPO = Path(__file__).resolve().parents[2]
CLUSTERS_YAML = REPO / "data" / "raw" / "reference" / "clusters.yaml"
REFERENCE = REPO / "data" / "raw" / "reference" / "municipalities.csv"


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return load_municipalities(REFERENCE)


@pytest.fixture(scope="module")
def features(reference) -> pd.DataFrame:
    """Deterministic made-up features for the 98 codes (structure, not real values)."""
    rng = np.random.default_rng(7)
    codes = reference["code"].to_numpy()
    return pd.DataFrame(
        rng.normal(size=(len(codes), len(FEATURES))), index=codes, columns=list(FEATURES)
    ).rename_axis("municipality_code")


@pytest.fixture(scope="module")
def similar(features) -> pd.DataFrame:
    return similar_municipalities(features)


def write(tmp_path: Path, text: str, name: str = "clusters.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_project_clusters_yaml_defines_the_soenderjysk_klynge():
    config = load_clusters(CLUSTERS_YAML, REFERENCE)
    group = next(g for g in config.groups if g.name == "soenderjysk")
    assert set(group.members) == {580, 540, 550, 510}  # Aabenraa, Sønderborg, Tønder, Haderslev
    assert group.label_da == "Sønderjysk klynge"
    assert config.names()[:2] == ("similar", "region")


def test_custom_group_excludes_the_municipality(similar, reference):
    config = load_clusters(CLUSTERS_YAML, REFERENCE)
    group = comparison_group(580, "soenderjysk", config, similar, reference)
    assert group.member_names == ("Sønderborg", "Tønder", "Haderslev")
    assert 580 not in group.members and group.kind == "custom" and group.note == ""
    outsider = comparison_group(101, "soenderjysk", config, similar, reference)
    assert outsider.note == "not_a_member" and len(outsider.members) == 4


def test_region_group(similar, reference):
    group = comparison_group(580, "region", ClusterConfig(), similar, reference)
    assert len(group.members) == 21  # Syddanmark has 22 municipalities
    assert 580 not in group.members
    assert group.label_da == "Region Syddanmark"


def test_unknown_cluster_and_municipality(similar, reference):
    with pytest.raises(AnalysisError, match=r"unknown cluster 'nope'.*similar, region"):
        comparison_group(101, "nope", ClusterConfig(), similar, reference)
    with pytest.raises(AnalysisError, match="unknown municipality code"):
        comparison_group(999, "similar", ClusterConfig(), similar, reference)


def test_similar_municipalities_are_reproducible_nearest_neighbours(features, similar):
    assert len(similar) == 98 * DEFAULT_K
    assert (similar["municipality_code"] != similar["neighbour_code"]).all()
    assert similar.groupby("municipality_code")["neighbour_code"].nunique().eq(DEFAULT_K).all()
    assert similar_municipalities(features).equals(similar)
    z = (features - features.mean()) / features.std(ddof=0)
    code = 101
    distances = np.sqrt(((z - z.loc[code]) ** 2).sum(axis=1)).drop(code).sort_values()
    found = similar[similar["municipality_code"].eq(code)].sort_values("rank")
    assert list(found["neighbour_code"]) == list(distances.index[:DEFAULT_K])
    assert found["distance"].to_numpy() == pytest.approx(distances.to_numpy()[:DEFAULT_K])


def test_similar_scales_features(features):
    # multiplying a feature by 1000 must not change the groups (standardised first)
    scaled = features.assign(log_labour_force=features["log_labour_force"] * 1000)
    assert similar_municipalities(scaled)["neighbour_code"].equals(
        similar_municipalities(features)["neighbour_code"]
    )
    with pytest.raises(AnalysisError, match="k must be"):
        similar_municipalities(features, k=98)


def test_memberships_cover_all_default_clusters(similar, reference):
    config = load_clusters(CLUSTERS_YAML, REFERENCE)
    frame = memberships(config, similar, reference)
    per_cluster = frame.groupby("cluster")["municipality_code"].nunique()
    assert per_cluster["similar"] == 98 and per_cluster["region"] == 98
    assert per_cluster["soenderjysk"] == 4
    assert (frame["municipality_code"] != frame["member_code"]).all()


# --- validation -------------------------------------------------------------------------------


def test_unknown_member_names_file_line_and_entry(tmp_path):
    path = write(
        tmp_path,
        "groups:\n"
        "  south:\n"
        "    label_da: Syd\n"
        "    members:\n"
        "      - Aabenraa\n"
        "      - Sønderbørg\n"
        "      - 999\n"
        "      - Aabenraa\n",
    )
    with pytest.raises(InputError) as caught:
        load_clusters(path, REFERENCE)
    problems = caught.value.problems
    assert [(p.row, p.found) for p in problems] == [
        (6, "Sønderbørg"),
        (7, "999"),
        (8, "Aabenraa"),
    ]
    assert problems[0].message == "unknown municipality"
    assert "listed twice (first on line 5)" in problems[2].message
    assert str(path) in str(caught.value)


def test_group_names_and_structure(tmp_path):
    path = write(
        tmp_path,
        "groups:\n"
        "  similar:\n"
        "    members: [Aabenraa, Tønder]\n"
        "  Bad Name:\n"
        "    members: [Aabenraa, Tønder]\n"
        "  lonely:\n"
        "    members: [Aabenraa]\n"
        "  nolist:\n"
        "    label_da: x\n"
        "extra: 1\n",
    )
    with pytest.raises(InputError) as caught:
        load_clusters(path, REFERENCE)
    by_line = {p.row: p.message for p in caught.value.problems}
    assert by_line[2] == "group name is built in"
    assert by_line[4] == "bad group name"
    assert "at least two" in by_line[7]
    assert "needs a list of members" in by_line[9]
    assert by_line[10] == "unknown section"


def test_yaml_syntax_error_has_a_line(tmp_path):
    path = write(tmp_path, "groups:\n  a:\n    members: [Aabenraa, Tønder\n  b: 1\n")
    with pytest.raises(InputError) as caught:
        load_clusters(path, REFERENCE)
    assert caught.value.problems[0].row is not None
    assert "not valid YAML" in str(caught.value)


def test_missing_file_explicit_vs_default(tmp_path, isolated_paths):
    with pytest.raises(InputError, match="not found"):
        load_clusters(tmp_path / "none.yaml", REFERENCE)
    isolated_paths.clusters_yaml.unlink()
    assert load_clusters() == ClusterConfig()  # no default file: built-in groups only


def test_partition_csv_and_yaml(tmp_path, similar, reference):
    csv = write(tmp_path, "municipality,cluster\n101,1\nAarhus,1\nOdense,2\nAalborg,2\n", "p.csv")
    yml = write(tmp_path, "København: A\n751: A\nOdense: B\n", "p.yaml")
    assert read_partition_file(csv, REFERENCE) == {101: "1", 751: "1", 461: "2", 851: "2"}
    assert read_partition_file(yml, REFERENCE) == {101: "A", 751: "A", 461: "B"}
    path = write(
        tmp_path,
        "partitions:\n  star:\n    label_da: STAR-klynge\n    label_en: STAR cluster\n"
        "    file: p.csv\n",
    )
    config = load_clusters(path, REFERENCE)
    group = comparison_group(101, "star", config, similar, reference)
    assert group.members == (751,) and group.kind == "partition"
    assert group.label_da == "STAR-klynge 1"
    assert Path(config.partitions[0].file) in config.files()
    with pytest.raises(AnalysisError, match="no cluster"):
        comparison_group(580, "star", config, similar, reference)


def test_partition_errors_name_line_and_entry(tmp_path):
    csv = write(
        tmp_path,
        "municipality,cluster\n101,1\nAtlantis,2\n101,3\nOdense,\n",
        "bad.csv",
    )
    with pytest.raises(InputError) as caught:
        read_partition_file(csv, REFERENCE)
    found = [(p.row, p.found, p.message) for p in caught.value.problems]
    assert (3, "Atlantis", "unknown municipality") in found
    assert any(row == 4 and "assigned twice" in message for row, _, message in found)
    assert any(
        row == 5 and message == "missing cluster id for municipality 'Odense'"
        for row, _, message in found
    )
    header = write(tmp_path, "kommune,klynge\n101,1\n", "header.csv")
    with pytest.raises(InputError, match="missing columns"):
        read_partition_file(header, REFERENCE)
    config = write(tmp_path, "partitions:\n  star:\n    file: nowhere.csv\n")
    with pytest.raises(InputError) as missing:
        load_clusters(config, REFERENCE)
    assert missing.value.problems[0].row == 3
    bad_in_partition = write(tmp_path, "partitions:\n  star:\n    file: bad.csv\n", "c2.yaml")
    with pytest.raises(InputError) as nested:
        load_clusters(bad_in_partition, REFERENCE)
    assert any("bad.csv" in p.file for p in nested.value.problems)
