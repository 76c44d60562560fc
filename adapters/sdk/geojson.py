"""GeoJSON geometries (RFC 7946) reduced to the one WGS84 point an entity gets."""

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
    if not isinstance(geometry, Mapping):
        return None
    try:
        positions = list(dict.fromkeys(_positions(geometry)))
    except (TypeError, ValueError):
        return None
    if not positions:
        return None
    lon = math.fsum(p[0] for p in positions) / len(positions)
    lat = math.fsum(p[1] for p in positions) / len(positions)
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
        if len(coords) < 2:
            raise ValueError("a position needs longitude and latitude")
        lon, lat = coords[0], coords[1]
        for c in (lon, lat):
            if isinstance(c, bool) or not isinstance(c, int | float) or not math.isfinite(c):
                raise TypeError("coordinates must be finite numbers")
        yield float(lon), float(lat)
        return
    for item in coords:
        yield from _walk(item, depth - 1)
