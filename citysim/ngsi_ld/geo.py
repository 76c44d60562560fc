"""Geoqueries (GS CIM 009 clause 4.10): ``georel``, ``geometry``, ``coordinates`` and their test.

Positions are GeoJSON (lon, lat). Containment and crossing are computed on the
plane of longitude and latitude (as GeoJSON defines straight lines); distances are
great-circle: haversine between positions, and a local flat approximation from a
position to a segment. ``within`` is strict (a point on the boundary is not within),
``intersects`` includes the boundary; ``minDistance`` keeps what lies farther than
the distance, ``maxDistance`` what lies at most that far.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), the sphere of the haversine distance."""
RELATIONS = ("near", "within", "contains", "intersects", "equals", "disjoint", "overlaps")
GEOMETRIES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
_NEAR = re.compile(r"near;(maxDistance|minDistance)==(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)")
_EPSILON = 1e-12

Position = tuple[float, float]
Segment = tuple[Position, Position]
Polygon = tuple[tuple[Position, ...], ...]
"""A shell ring, then hole rings; each ring closed (first position repeated last)."""


@dataclass(frozen=True, slots=True)
class Shape:
    """A GeoJSON geometry taken apart: its vertices, segments (ring edges too) and polygons."""

    kind: str
    dimension: int
    points: tuple[Position, ...]
    segments: tuple[Segment, ...]
    polygons: tuple[Polygon, ...]


@dataclass(frozen=True, slots=True)
class GeoQuery:
    """A parsed geoquery; ``geoproperty`` is a term still to expand (default ``location``)."""

    relation: str
    reference: Shape
    max_distance: float | None = None
    min_distance: float | None = None
    geoproperty: str = "location"


def parse_georel(text: str) -> tuple[str, float | None, float | None]:
    """``(relation, maxDistance, minDistance)`` of a georel; raises ValueError saying why."""
    if text.startswith("near"):
        match = _NEAR.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not near;maxDistance==N or near;minDistance==N")
        distance = float(match.group(2))
        if not 0 < distance < math.inf:
            raise ValueError(f"the distance in {text!r} must be a positive number of metres")
        if match.group(1) == "maxDistance":
            return "near", distance, None
        return "near", None, distance
    if text not in RELATIONS:
        raise ValueError(f"unknown relation {text!r} (known: {', '.join(RELATIONS)})")
    return text, None, None


def parse_shape(kind: str, coordinates: Any) -> Shape:
    """The Shape of GeoJSON ``kind`` with ``coordinates``; raises ValueError naming the problem."""
    if kind == "Point":
        return _shape(kind, 0, [[_position(coordinates)]], [])
    if kind == "MultiPoint":
        return _shape(kind, 0, [[_position(p) for p in _array(coordinates, 1, kind)]], [])
    if kind == "LineString":
        return _shape(kind, 1, [_line(coordinates)], [])
    if kind == "MultiLineString":
        return _shape(kind, 1, [_line(c) for c in _array(coordinates, 1, kind)], [])
    if kind == "Polygon":
        return _shape(kind, 2, [], [_polygon(coordinates)])
    if kind == "MultiPolygon":
        return _shape(kind, 2, [], [_polygon(c) for c in _array(coordinates, 1, kind)])
    raise ValueError(f"unknown geometry {kind!r} (known: {', '.join(GEOMETRIES)})")


def shape_of(geometry: Mapping[str, Any]) -> Shape:
    """The Shape of a GeoJSON geometry object."""
    return parse_shape(str(geometry.get("type")), geometry.get("coordinates"))


def matches(query: GeoQuery, target: Shape) -> bool:
    """True when ``target`` (an entity's geometry) stands in ``query``'s relation."""
    ref = query.reference
    if query.relation == "near":
        distance = _distance(target, ref)
        if query.max_distance is not None:
            return distance <= query.max_distance
        return query.min_distance is not None and distance > query.min_distance
    if query.relation == "within":
        return _within(target, ref)
    if query.relation == "contains":
        return _within(ref, target)
    if query.relation == "intersects":
        return _intersects(target, ref)
    if query.relation == "disjoint":
        return not _intersects(target, ref)
    if query.relation == "equals":
        return set(target.points) == set(ref.points) and target.dimension == ref.dimension
    return (
        target.dimension == ref.dimension
        and _intersects(target, ref)
        and not _within(target, ref)
        and not _within(ref, target)
    )


def haversine_m(a: Position, b: Position) -> float:
    """Great-circle distance in metres between two (lon, lat) positions."""
    phi1, phi2 = math.radians(a[1]), math.radians(b[1])
    dphi, dlmb = phi2 - phi1, math.radians(b[0] - a[0])
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _shape(kind: str, dim: int, lines: list[list[Position]], polygons: list[Polygon]) -> Shape:
    points = [p for line in lines for p in line] + [p for poly in polygons for r in poly for p in r]
    segments = [(line[i], line[i + 1]) for line in lines for i in range(len(line) - 1)]
    segments += [(r[i], r[i + 1]) for poly in polygons for r in poly for i in range(len(r) - 1)]
    return Shape(kind, dim, tuple(points), tuple(segments), tuple(polygons))


def _array(value: Any, least: int, what: str) -> Sequence[Any]:
    if not isinstance(value, list) or len(value) < least:
        raise ValueError(f"{what} needs an array of at least {least} element(s)")
    return value


def _position(value: Any) -> Position:
    if not (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        raise ValueError(f"{value!r} is not a position [lon, lat]")
    lon, lat = float(value[0]), float(value[1])
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(f"position {value!r} is outside lon -180..180, lat -90..90")
    return lon, lat


def _line(value: Any) -> list[Position]:
    return [_position(p) for p in _array(value, 2, "LineString")]


def _polygon(value: Any) -> Polygon:
    rings = []
    for ring in _array(value, 1, "Polygon"):
        positions = tuple(_position(p) for p in _array(ring, 4, "a linear ring"))
        if positions[0] != positions[-1]:
            raise ValueError("a linear ring must end where it starts")
        rings.append(positions)
    return tuple(rings)


def _distance(a: Shape, b: Shape) -> float:
    if len(a.points) == 1 and len(b.points) == 1:
        return haversine_m(a.points[0], b.points[0])
    if _intersects(a, b):
        return 0.0
    best = min(haversine_m(p, q) for p in a.points for q in b.points)
    for points, segments in ((a.points, b.segments), (b.points, a.segments)):
        for p in points:
            for s in segments:
                best = min(best, _point_segment_m(p, s))
    return best


def _point_segment_m(p: Position, s: Segment) -> float:
    kx = math.cos(math.radians(p[1])) * EARTH_RADIUS_M * math.pi / 180.0
    ky = EARTH_RADIUS_M * math.pi / 180.0
    ax, ay = (s[0][0] - p[0]) * kx, (s[0][1] - p[1]) * ky
    dx, dy = (s[1][0] - s[0][0]) * kx, (s[1][1] - s[0][1]) * ky
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
    return math.hypot(ax + t * dx, ay + t * dy)


def _intersects(a: Shape, b: Shape) -> bool:
    for points, polygons in ((a.points, b.polygons), (b.points, a.polygons)):
        if any(_locate(p, poly) >= 0 for p in points for poly in polygons):
            return True
    if any(_touch(s, t) for s in a.segments for t in b.segments):
        return True
    for points, segments in ((a.points, b.segments), (b.points, a.segments)):
        if any(_on_segment(p, s) for p in points for s in segments):
            return True
    return bool(set(a.points) & set(b.points))


def _within(a: Shape, b: Shape) -> bool:
    if not b.polygons:
        if not b.segments:
            return a.dimension == 0 and set(a.points) <= set(b.points)
        return a.dimension <= 1 and all(
            any(_on_segment(p, s) for s in b.segments) for p in a.points
        )
    places = [max(_locate(p, poly) for poly in b.polygons) for p in a.points]
    if min(places) < 0 or any(_crosses(s, t) for s in a.segments for t in b.segments):
        return False
    middles = [((s[0][0] + s[1][0]) / 2, (s[0][1] + s[1][1]) / 2) for s in a.segments]
    return max(places) > 0 or any(_locate(m, poly) > 0 for m in middles for poly in b.polygons)


def _locate(p: Position, polygon: Polygon) -> int:
    """1 inside, 0 on the boundary, -1 outside."""
    shell = _ring(p, polygon[0])
    if shell <= 0:
        return shell
    for hole in polygon[1:]:
        inside_hole = _ring(p, hole)
        if inside_hole >= 0:
            return -inside_hole
    return 1


def _ring(p: Position, ring: tuple[Position, ...]) -> int:
    inside = False
    for a, b in itertools.pairwise(ring):
        if _on_segment(p, (a, b)):
            return 0
        crosses_ray = (a[1] > p[1]) != (b[1] > p[1])
        if crosses_ray and p[0] < a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]):
            inside = not inside
    return 1 if inside else -1


def _orientation(a: Position, b: Position, c: Position) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(p: Position, s: Segment) -> bool:
    (ax, ay), (bx, by) = s
    if abs(_orientation(s[0], s[1], p)) > _EPSILON:
        return False
    return min(ax, bx) - _EPSILON <= p[0] <= max(ax, bx) + _EPSILON and (
        min(ay, by) - _EPSILON <= p[1] <= max(ay, by) + _EPSILON
    )


def _crosses(s: Segment, t: Segment) -> bool:
    """The segments cross at one point inside both (touching does not count)."""
    d1, d2 = _orientation(t[0], t[1], s[0]), _orientation(t[0], t[1], s[1])
    d3, d4 = _orientation(s[0], s[1], t[0]), _orientation(s[0], s[1], t[1])
    return d1 * d2 < 0 and d3 * d4 < 0


def _touch(s: Segment, t: Segment) -> bool:
    return _crosses(s, t) or any(_on_segment(p, t) for p in s) or any(_on_segment(p, s) for p in t)
