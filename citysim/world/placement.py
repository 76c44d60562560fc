"""Where sensors stand: GeoJSON geometries scattered around a city centre."""

from __future__ import annotations

import math
from typing import Any

from citysim.municipalities import Municipality
from citysim.world.dice import Dice

METRES_PER_DEGREE = 111_320.0
RADIUS_M = 6_000.0
"""Sensors stand within this distance of the city centre."""

Geometry = dict[str, Any]
"""A GeoJSON geometry object (RFC 7946), coordinates in (lon, lat) order."""


def offset(city: Municipality, east_m: float, north_m: float) -> tuple[float, float]:
    """(lon, lat) of the point ``east_m`` / ``north_m`` metres from the centre (local plane)."""
    lat = city.lat + north_m / METRES_PER_DEGREE
    lon = city.lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(city.lat)))
    return round(lon, 6), round(lat, 6)


def scatter(city: Municipality, dice: Dice) -> tuple[float, float]:
    """A position within ``RADIUS_M`` of the centre, denser towards it, as cities are."""
    distance = RADIUS_M * dice.random()
    bearing = 2.0 * math.pi * dice.random()
    return offset(city, distance * math.sin(bearing), distance * math.cos(bearing))


def point(city: Municipality, dice: Dice) -> Geometry:
    """A GeoJSON Point near the centre."""
    lon, lat = scatter(city, dice)
    return {"type": "Point", "coordinates": [lon, lat]}


def road(city: Municipality, dice: Dice) -> Geometry:
    """A GeoJSON LineString of three vertices, a road stretch of 150-400 m near the centre."""
    distance = RADIUS_M * 0.95 * dice.random()
    bearing = 2.0 * math.pi * dice.random()
    east, north = distance * math.sin(bearing), distance * math.cos(bearing)
    heading = 2.0 * math.pi * dice.random()
    coordinates = []
    for _ in range(3):
        coordinates.append(list(offset(city, east, north)))
        step = dice.uniform(75.0, 200.0)
        heading += dice.uniform(-0.3, 0.3)
        east, north = east + step * math.sin(heading), north + step * math.cos(heading)
    return {"type": "LineString", "coordinates": coordinates}
