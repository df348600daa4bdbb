"""The municipalities' borders from the DAGI TopoJSON file: read, decode, project, simplify.

TopoJSON stores every border once, as an *arc* (a line of quantised, delta-encoded
points) that the polygons on either side refer to by index (``~i``: arc ``i`` reversed).
Decoding is a running sum and the file's ``transform``; simplifying arc by arc (not
polygon by polygon) keeps one shared border between neighbours, so a simplified map has
neither gaps nor overlaps. The result, one row per point of every ring, is cached in
``data/processed/cache/`` (:func:`load_boundaries`), keyed by the file's hash, this
module's source and the tolerance.

Municipalities are identified by ``KOMKODE`` (four digits, ``"0101"``), never by name;
0411 Christiansø is in the file but is not a municipality and is left out. See
``data/raw/geo/PROVENANCE.md``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.cache import CacheKey, cached_frame
from analysis.errors import InputError, ProblemCollector
from analysis.paths import ProjectPaths, get_paths

#: codes in the file that are not one of the 98 municipalities (Christiansø)
NOT_MUNICIPALITIES = frozenset({411})
#: the latitude whose cosine scales longitudes (equirectangular projection for Denmark)
PROJECTION_LATITUDE = 56.0
#: the object of the file that holds the polygons, and the property holding the code
OBJECT, CODE_PROPERTY = "stdin", "KOMKODE"
BOUNDARY_COLUMNS = ["code", "polygon", "ring", "x", "y"]


@dataclass(frozen=True)
class Topology:
    """A decoded, projected TopoJSON: each arc as an (n, 2) array of x (east) and y
    (south) in degrees of latitude, and each polygon as (code, rings of arc indices)."""

    arcs: tuple[np.ndarray, ...]
    polygons: tuple[tuple[int, tuple[tuple[int, ...], ...]], ...]


def project(lon_lat: np.ndarray) -> np.ndarray:
    """Longitude/latitude to plane x/y (y grows southwards, as on a screen): an
    equirectangular projection with longitudes scaled by cos(56°), which looks right for
    Denmark."""
    scale = math.cos(math.radians(PROJECTION_LATITUDE))
    return np.column_stack([lon_lat[:, 0] * scale, -lon_lat[:, 1]])


def decode_arc(quantised: list, scale: tuple[float, float], translate: tuple[float, float]):
    """One arc's positions: delta-decoded (a running sum of the quantised steps), then
    scaled and translated to longitude/latitude. Extra values per position are ignored."""
    steps = np.array([position[:2] for position in quantised], dtype="float64")
    return np.cumsum(steps, axis=0) * np.asarray(scale) + np.asarray(translate)


def simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker: the fewest points of a line that stay within ``tolerance`` of it
    (the first and last points are always kept, so arcs still meet)."""
    n = len(points)
    if n <= 2 or tolerance <= 0:
        return points
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        if last <= first + 1:
            continue
        start, chord = points[first], points[last] - points[first]
        inner = points[first + 1 : last] - start
        length = math.hypot(*chord)
        if length == 0:  # a closed arc (an island): distance from its start
            distance = np.hypot(inner[:, 0], inner[:, 1])
        else:
            distance = np.abs(chord[0] * inner[:, 1] - chord[1] * inner[:, 0]) / length
        far = int(np.argmax(distance))
        if distance[far] > tolerance:
            middle = first + 1 + far
            keep[middle] = True
            stack += [(first, middle), (middle, last)]
    return points[keep]


def read_topology(path: Path) -> Topology:
    """Read and check the TopoJSON file; every problem is reported at once, naming the
    file and the place in it (``objects.stdin.geometries[12]``)."""
    problems = ProblemCollector(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.single(
            path, "the municipalities' borders are missing", expected="the DAGI TopoJSON file"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.single(path, f"not JSON: {exc}", expected="TopoJSON") from None
    if not isinstance(data, dict) or data.get("type") != "Topology":
        raise InputError.single(
            path,
            "not a TopoJSON topology",
            column="type",
            expected='"Topology"',
            found=data.get("type") if isinstance(data, dict) else type(data).__name__,
        )
    transform = data.get("transform") or {}
    scale, translate = transform.get("scale"), transform.get("translate")
    if not (_pair(scale) and _pair(translate)):
        problems.add(
            "missing or bad transform",
            column="transform",
            expected="scale and translate, two numbers each",
            found=transform or None,
        )
    arcs_in = data.get("arcs")
    if not isinstance(arcs_in, list) or not arcs_in:
        problems.add("no arcs", column="arcs", expected="a list of arcs")
        arcs_in = []
    geometries = (((data.get("objects") or {}).get(OBJECT) or {}).get("geometries")) or []
    if not geometries:
        problems.add(
            "no polygons",
            column=f"objects.{OBJECT}.geometries",
            expected="a GeometryCollection of polygons",
        )
    problems.raise_if_any(f"{path}: cannot read the municipalities' borders")
    arcs = []
    for index, arc in enumerate(arcs_in):
        if not isinstance(arc, list) or not all(_position(p) for p in arc) or len(arc) < 2:
            problems.add("bad arc", column=f"arcs[{index}]", expected="two or more positions")
            arcs.append(np.zeros((0, 2)))
            continue
        arcs.append(project(decode_arc(arc, tuple(scale), tuple(translate))))
    polygons = []
    for index, geometry in enumerate(geometries):
        where = f"objects.{OBJECT}.geometries[{index}]"
        code = _code(((geometry or {}).get("properties") or {}).get(CODE_PROPERTY))
        if code is None:
            problems.add(
                "bad municipality code",
                column=f"{where}.properties.{CODE_PROPERTY}",
                expected="four digits, e.g. 0101",
                found=((geometry or {}).get("properties") or {}).get(CODE_PROPERTY),
            )
            continue
        kind = geometry.get("type")
        rings_of = {"Polygon": [geometry.get("arcs")], "MultiPolygon": geometry.get("arcs")}
        if kind not in rings_of or not isinstance(rings_of[kind], list):
            problems.add(
                "not a polygon",
                column=f"{where}.type",
                expected="Polygon or MultiPolygon",
                found=kind,
            )
            continue
        for rings in rings_of[kind]:
            refs = _rings(rings, len(arcs_in))
            if refs is None:
                problems.add(
                    "bad arc references",
                    column=f"{where}.arcs",
                    expected=f"rings of arc indices below {len(arcs_in)}",
                )
                continue
            if code not in NOT_MUNICIPALITIES:
                polygons.append((code, refs))
    problems.raise_if_any(f"{path}: cannot read the municipalities' borders")
    return Topology(arcs=tuple(arcs), polygons=tuple(polygons))


def _pair(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and math.isfinite(v) for v in value)
    )


def _position(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(v, int | float) for v in value[:2])
    )


def _code(value: object) -> int | None:
    text = str(value) if isinstance(value, str | int) else ""
    return int(text) if len(text) == 4 and text.isdigit() else None


def _rings(rings: object, n_arcs: int) -> tuple[tuple[int, ...], ...] | None:
    if not isinstance(rings, list) or not rings:
        return None
    out = []
    for ring in rings:
        if not isinstance(ring, list) or not ring:
            return None
        if not all(isinstance(i, int) and -n_arcs <= i < n_arcs for i in ring):
            return None
        out.append(tuple(ring))
    return tuple(out)


def ring_points(arcs: tuple[np.ndarray, ...], refs: tuple[int, ...]) -> np.ndarray:
    """A ring's points from its arcs (``~i`` is arc ``i`` reversed); each next arc
    starts where the last ended, so its first point is not repeated."""
    parts = []
    for n, ref in enumerate(refs):
        arc = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
        parts.append(arc if n == 0 else arc[1:])
    return np.concatenate(parts) if parts else np.zeros((0, 2))


def boundaries(topology: Topology, tolerance: float) -> pd.DataFrame:
    """Every ring of every municipality, simplified arc by arc to ``tolerance`` (degrees
    of latitude): one row per point (``code, polygon, ring, x, y``). A ring that
    simplifies to fewer than three distinct points (a tiny island) is left out; a
    municipality that would lose every ring (Frederiksberg on a small map) keeps its
    largest polygon, simplified less."""
    frames: list[pd.DataFrame] = []
    polygon_of: dict[int, int] = {}
    arcs = tuple(simplify(arc, tolerance) for arc in topology.arcs)
    kept: set[int] = set()
    for code, rings in topology.polygons:
        polygon = polygon_of[code] = polygon_of.get(code, -1) + 1
        for ring_number, refs in enumerate(rings):
            points = ring_points(arcs, refs)
            if len(np.unique(points, axis=0)) >= 3:
                frames.append(_ring_frame(code, polygon, ring_number, points))
                kept.add(code)
    for code in sorted(set(polygon_of) - kept):
        candidates = [(n, rings) for n, (c, rings) in enumerate(topology.polygons) if c == code]
        finer = tolerance
        while True:
            finer = finer / 4 if finer > 1e-6 else 0.0
            outers = [_outer(topology.arcs, rings[0], finer) for _, rings in candidates]
            usable = [p for p in outers if len(np.unique(p, axis=0)) >= 3]
            if usable or finer == 0.0:
                break
        if usable:
            frames.append(_ring_frame(code, 0, 0, max(usable, key=_ring_area)))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in BOUNDARY_COLUMNS})
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.sort_values(["code", "polygon", "ring"], kind="stable", ignore_index=True)
    return frame.astype({"code": "int64", "polygon": "int64", "ring": "int64"})


def _outer(arcs: tuple[np.ndarray, ...], refs: tuple[int, ...], tolerance: float) -> np.ndarray:
    """One ring's points, its own arcs simplified to ``tolerance``."""
    used = {r if r >= 0 else ~r for r in refs}
    finer = tuple(simplify(a, tolerance) if n in used else a for n, a in enumerate(arcs))
    return ring_points(finer, refs)


def _ring_frame(code: int, polygon: int, ring: int, points: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {"code": code, "polygon": polygon, "ring": ring, "x": points[:, 0], "y": points[:, 1]}
    )


def _ring_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


def load_boundaries(
    tolerance: float, paths: ProjectPaths | None = None, source: Path | None = None
) -> pd.DataFrame:
    """:func:`boundaries` of the project's TopoJSON file (``source``, default
    ``paths.municipality_boundaries``), cached in ``data/processed/cache/``."""
    paths = paths or get_paths()
    source = Path(source or paths.municipality_boundaries)
    key = CacheKey(inputs=(source,), modules=(__name__,), params={"tolerance": tolerance})
    name = f"geo_boundaries_{tolerance:g}".replace(".", "_")
    return cached_frame(
        name, key, lambda: boundaries(read_topology(source), tolerance), paths=paths
    )
