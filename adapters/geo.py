"""Geometry on WGS84 points, shared by adapters and the gateway's own filtering."""

from __future__ import annotations

import math

from adapters.contract import BBox, GeoPoint, Near

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), the usual sphere for great-circle distances."""


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def is_near(point: GeoPoint, near: Near) -> bool:
    """True when ``point`` lies within ``near.max_distance_m`` of ``near.point``."""
    return distance_m(point, near.point) <= near.max_distance_m


def is_within(point: GeoPoint, box: BBox) -> bool:
    """True when ``point`` lies inside ``box`` (edges included)."""
    return box.min_lat <= point.lat <= box.max_lat and box.min_lon <= point.lon <= box.max_lon
