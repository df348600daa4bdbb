"""The municipalities' borders: TopoJSON decoding, simplification, the join on the code,
clear errors for a damaged file, and the cache."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis.data import geo
from analysis.data.reference import load_municipalities
from analysis.errors import InputError

REPO = Path(__file__).resolve().parents[2]
TOPOJSON = REPO / "data" / "raw" / "geo" / "kommuner.topojson"
COS56 = math.cos(math.radians(56))


def _topology(geometries, arcs=None, transform=None) -> dict:
    return {
        "type": "Topology",
        "transform": transform or {"scale": [0.5, 0.25], "translate": [10.0, 55.0]},
        "arcs": arcs
        if arcs is not None
        else [[[0, 0], [4, 0], [0, 4], [-4, 0], [0, -4]], [[4, 0], [4, 0], [0, 4], [-4, 0]]],
        "objects": {"stdin": {"type": "GeometryCollection", "geometries": geometries}},
    }


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "kommuner.topojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_arcs_are_delta_decoded_then_transformed_and_projected(tmp_path):
    path = _write(
        tmp_path,
        _topology(
            [
                {"type": "Polygon", "properties": {"KOMKODE": "0101"}, "arcs": [[0]]},
                {"type": "Polygon", "properties": {"KOMKODE": "0147"}, "arcs": [[1, ~0]]},
            ]
        ),
    )
    topology = geo.read_topology(path)
    # arc 0: running sums (0,0) (4,0) (4,4) (0,4) (0,0); lon = 10 + 0.5 q, lat = 55 + 0.25 q
    expected = np.array([[10, 55], [12, 55], [12, 56], [10, 56], [10, 55]], dtype=float)
    np.testing.assert_allclose(topology.arcs[0][:, 0], expected[:, 0] * COS56)
    np.testing.assert_allclose(topology.arcs[0][:, 1], -expected[:, 1])
    assert topology.polygons == ((101, ((0,),)), (147, ((1, -1),)))
    # a ring of two arcs: the second (reversed) starts where the first ended
    ring = geo.ring_points(topology.arcs, (1, ~0))
    assert len(ring) == len(topology.arcs[1]) + len(topology.arcs[0]) - 1


def test_christiansoe_is_dropped_and_codes_are_read_as_codes(tmp_path):
    path = _write(
        tmp_path,
        _topology(
            [
                {"type": "Polygon", "properties": {"KOMKODE": "0411"}, "arcs": [[0]]},
                {"type": "Polygon", "properties": {"KOMKODE": "0400", "KOMNAVN": "X"},
                 "arcs": [[0]]},
            ]
        ),
    )  # fmt: skip
    assert [code for code, _ in geo.read_topology(path).polygons] == [400]


def test_douglas_peucker_keeps_the_ends_and_the_corners():
    line = np.array([[0, 0], [1, 0.01], [2, 0], [2, 1], [2, 2.02], [2, 3]], dtype=float)
    simple = geo.simplify(line, 0.1)
    np.testing.assert_array_equal(simple, line[[0, 2, 5]])
    assert len(geo.simplify(line, 0)) == len(line)
    loop = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)  # an island
    assert len(geo.simplify(loop, 0.1)) >= 3


def test_the_real_file_has_every_municipality_by_code():
    topology = geo.read_topology(TOPOJSON)
    codes = {code for code, _ in topology.polygons}
    reference = set(load_municipalities(REPO / "data/raw/reference/municipalities.csv")["code"])
    assert codes == reference and len(codes) == 98
    assert 411 not in codes


def test_simplified_borders_are_shared_and_no_municipality_is_lost():
    topology = geo.read_topology(TOPOJSON)
    coarse = geo.boundaries(topology, 0.03)
    assert coarse["code"].nunique() == 98, "Frederiksberg and Dragør keep a shape"
    fine = geo.boundaries(topology, 0.004)
    assert len(coarse) < len(fine) < sum(len(a) for a in topology.arcs)
    # København (101) and Frederiksberg (147) share a border: after simplifying arc by
    # arc, Frederiksberg's outline is made of points København's rings hold too
    by_code = {code: {tuple(p) for p in rows[["x", "y"]].to_numpy()}
               for code, rows in fine.groupby("code")}  # fmt: skip
    shared = by_code[147] & by_code[101]
    assert len(shared) >= 0.8 * len(by_code[147])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "not JSON"),
        ({"type": "FeatureCollection"}, "not a TopoJSON topology"),
        (
            _topology([{"type": "Polygon", "properties": {"KOMKODE": "101"}, "arcs": [[0]]}]),
            "bad municipality code",
        ),
        (
            _topology([{"type": "Polygon", "properties": {"KOMKODE": "0101"}, "arcs": [[7]]}]),
            "bad arc references",
        ),
        (
            _topology([{"type": "Point", "properties": {"KOMKODE": "0101"}}]),
            "not a polygon",
        ),
    ],
)
def test_a_damaged_file_names_the_file_and_the_place(tmp_path, data, message):
    path = tmp_path / "kommuner.topojson"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        geo.read_topology(path)
    assert str(path) in str(caught.value)
    if "code" in message:
        assert "geometries[0].properties.KOMKODE" in str(caught.value)


def test_a_missing_file_says_what_is_missing(tmp_path):
    with pytest.raises(InputError, match="borders are missing"):
        geo.read_topology(tmp_path / "none.topojson")


def test_decoded_borders_are_cached_with_the_shared_results(isolated_paths):
    (isolated_paths.raw / "geo").mkdir()
    shutil.copy(TOPOJSON, isolated_paths.municipality_boundaries)
    from analysis import cache

    first = geo.load_boundaries(0.01, isolated_paths)
    (entry,) = [e for e in cache.entries(isolated_paths) if e.name.startswith("geo_boundaries")]
    cached = entry.path
    assert cached.is_relative_to(isolated_paths.processed / "cache")
    stamp = cached.stat().st_mtime_ns
    again = geo.load_boundaries(0.01, isolated_paths)
    assert cached.stat().st_mtime_ns == stamp, "read back, not recomputed"
    assert again.equals(first)
