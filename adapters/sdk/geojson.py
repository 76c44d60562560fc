"""GeoJSON geometries (RFC 7946) reduced to the one WGS84 point an entity gets.

The rule, for every adapter: a Point as it is; another geometry, the mean of its
*distinct* vertices, so the point depends on the vertices alone and not on how the
geometry is written (a ring's closing vertex, where a ring starts, a retraced path,
a vertex two polygons share: each counts once).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from adapters.contract import GeoPoint

_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


def representative_point(geometry: object) -> GeoPoint | None:
    """A Point as it is; another geometry: the mean of its distinct vertices; junk: None."""
    if type(geometry) is not dict and not isinstance(geometry, Mapping):
        return None
    try:
        if geometry.get("type") == "Point":  # the common case, without the walk
            lon, lat = _position(geometry.get("coordinates"))
            return _checked(lat, lon)
        positions = list(dict.fromkeys(_positions(geometry)))
    except (TypeError, ValueError):
        return None
    if not positions:
        return None
    lon = math.fsum(p[0] for p in positions) / len(positions)
    lat = math.fsum(p[1] for p in positions) / len(positions)
    return _checked(lat, lon)


def _checked(lat: float, lon: float) -> GeoPoint | None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return GeoPoint(lat=lat, lon=lon)


def _positions(geometry: Mapping[str, Any]) -> Iterator[tuple[float, float]]:
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        for part in geometry.get("geometries") or ():
            if isinstance(part, Mapping):
                yield from _positions(part)
        return
    depth = _DEPTH.get(kind) if isinstance(kind, str) else None
    if depth is None:
        raise ValueError("not a GeoJSON geometry")
    yield from _walk(geometry.get("coordinates"), depth)


def _walk(coords: object, depth: int) -> Iterator[tuple[float, float]]:
    if not isinstance(coords, list):
        raise TypeError("coordinates must be arrays")
    if depth == 0:
        yield _position(coords)
        return
    for item in coords:
        yield from _walk(item, depth - 1)


def _position(coords: object) -> tuple[float, float]:
    if not isinstance(coords, list):
        raise TypeError("coordinates must be arrays")
    if len(coords) < 2:
        raise ValueError("a position needs longitude and latitude")
    lon, lat = coords[0], coords[1]
    if type(lon) is float and type(lat) is float and math.isfinite(lon) and math.isfinite(lat):
        return lon, lat
    for c in (lon, lat):
        if isinstance(c, bool) or not isinstance(c, int | float) or not math.isfinite(c):
            raise TypeError("coordinates must be finite numbers")
    return float(lon), float(lat)
