"""Coarse locations: a point snapped to the centre of its cell in a grid of N metres.

Cells are N metres north-south and, at the cell's central latitude, N metres
east-west. Every point of a cell maps to the same centre, so a coarsened point
tells no more than which cell; snapping a centre again returns it unchanged.
"""

from __future__ import annotations

import math

from adapters.contract import BBox, GeoPoint, Near
from adapters.geo import EARTH_RADIUS_M

METRES_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_M / 360
_MIN_COS = 0.01
"""Cells near the poles stay finite (about 89.4 degrees)."""


def coarsen(point: GeoPoint, cell_m: float) -> GeoPoint:
    """The centre of the cell of ``point`` in a grid of ``cell_m`` metres."""
    lat_step = cell_m / METRES_PER_DEGREE
    lat = (math.floor(point.lat / lat_step) + 0.5) * lat_step
    lat = max(-90.0, min(90.0, lat))
    lon_step = lat_step / max(_MIN_COS, math.cos(math.radians(lat)))
    lon = (math.floor(point.lon / lon_step) + 0.5) * lon_step
    return GeoPoint(lat, max(-180.0, min(180.0, lon)))


def widen_near(near: Near, cell_m: float) -> Near:
    """A ``near`` filter that keeps every point whose cell centre lies within ``near``."""
    return Near(near.point, near.max_distance_m + cell_m)


def widen_box(box: BBox, cell_m: float) -> BBox:
    """A box that keeps every point whose cell centre lies within ``box``."""
    dlat = cell_m / METRES_PER_DEGREE
    widest = max(abs(box.min_lat), abs(box.max_lat)) + dlat
    dlon = dlat / max(_MIN_COS, math.cos(math.radians(min(90.0, widest))))
    return BBox(
        max(-90.0, box.min_lat - dlat),
        max(-180.0, box.min_lon - dlon),
        min(90.0, box.max_lat + dlat),
        min(180.0, box.max_lon + dlon),
    )
