"""Geoqueries over HTTP (near, within, intersects, disjoint) and the geometry underneath."""

from __future__ import annotations

import math
from typing import Any

import orjson
import pytest

from citysim.ngsi_ld import geo
from tests.citysim.sim_http import Ngsi

MALMO = (13.0038, 55.6050)
"""Centre of Malmö (lon, lat)."""


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    phi1, phi2 = math.radians(a[1]), math.radians(b[1])
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(b[0] - a[0]) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def box(west: float, south: float, east: float, north: float) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return orjson.dumps([ring]).decode()


async def located(ngsi: Ngsi, entity_type: str, **params: str) -> list[dict[str, Any]]:
    return await ngsi.entities(type=entity_type, options="keyValues", limit="100", **params)


def near(relation: str, metres: int) -> dict[str, str]:
    return {
        "georel": f"near;{relation}=={metres}",
        "geometry": "Point",
        "coordinates": orjson.dumps(list(MALMO)).decode(),
    }


async def test_every_entity_stands_within_about_6_km_of_the_centre(ngsi: Ngsi) -> None:
    for entity_type in ("WeatherObserved", "Beach", "TrafficFlowObserved"):
        for entity in await located(ngsi, entity_type):
            position = entity["location"]["coordinates"]
            points = position if entity_type == "TrafficFlowObserved" else [position]
            assert all(haversine_m(MALMO, tuple(p)) < 6_700 for p in points)


async def test_near_max_and_min_distance_split_the_entities(ngsi: Ngsi) -> None:
    close = await located(ngsi, "WeatherObserved", **near("maxDistance", 3000))
    far = await located(ngsi, "WeatherObserved", **near("minDistance", 3000))
    assert close, "the seed puts some stations within 3 km"
    assert far, "and some farther out"
    assert all(haversine_m(MALMO, tuple(e["location"]["coordinates"])) <= 3000 for e in close)
    assert all(haversine_m(MALMO, tuple(e["location"]["coordinates"])) > 3000 for e in far)
    assert len(close) + len(far) == 12


async def test_within_a_box_keeps_what_lies_inside(ngsi: Ngsi) -> None:
    east = await located(
        ngsi,
        "WeatherObserved",
        georel="within",
        geometry="Polygon",
        coordinates=box(13.0038, 55.5, 13.2, 55.7),
    )
    west = await located(
        ngsi,
        "WeatherObserved",
        georel="within",
        geometry="Polygon",
        coordinates=box(12.8, 55.5, 13.0038, 55.7),
    )
    assert all(e["location"]["coordinates"][0] > 13.0038 for e in east)
    assert all(e["location"]["coordinates"][0] < 13.0038 for e in west)
    assert len(east) + len(west) == 12


async def test_lines_intersecting_a_box_include_those_within_it(ngsi: Ngsi) -> None:
    area = {"geometry": "Polygon", "coordinates": box(13.0038, 55.5, 13.2, 55.7)}
    within = await located(ngsi, "TrafficFlowObserved", georel="within", **area)
    crossing = await located(ngsi, "TrafficFlowObserved", georel="intersects", **area)
    disjoint = await located(ngsi, "TrafficFlowObserved", georel="disjoint", **area)
    assert {e["id"] for e in within} <= {e["id"] for e in crossing}
    assert all(e["location"]["type"] == "LineString" for e in crossing)
    assert all(any(p[0] >= 13.0038 for p in e["location"]["coordinates"]) for e in crossing)
    assert all(all(p[0] > 13.0038 for p in e["location"]["coordinates"]) for e in within)
    assert len(crossing) + len(disjoint) == 12


async def test_a_geoproperty_the_entities_lack_matches_nothing(ngsi: Ngsi) -> None:
    lacking = await located(
        ngsi, "WeatherObserved", geoproperty="observationSpace", **near("maxDistance", 50_000)
    )
    assert lacking == []


def shape(kind: str, coordinates: Any) -> geo.Shape:
    return geo.parse_shape(kind, coordinates)


SQUARE = shape("Polygon", [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]])


@pytest.mark.parametrize(
    ("target", "relation", "expected"),
    [
        (shape("Point", [1, 1]), "within", True),
        (shape("Point", [2, 1]), "within", False),
        (shape("Point", [2, 1]), "intersects", True),
        (shape("Point", [3, 1]), "intersects", False),
        (shape("Point", [3, 1]), "disjoint", True),
        (shape("LineString", [[1, 1], [3, 1]]), "intersects", True),
        (shape("LineString", [[1, 1], [3, 1]]), "within", False),
        (shape("LineString", [[0.5, 1], [1.5, 1]]), "within", True),
        (shape("LineString", [[-1, 1], [3, 1]]), "overlaps", False),
        (shape("Polygon", [[[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]]), "overlaps", True),
        (shape("Polygon", [[[-1, -1], [3, -1], [3, 3], [-1, 3], [-1, -1]]]), "contains", True),
        (shape("Polygon", [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]), "equals", True),
    ],
)
def test_relations_against_a_square(target: geo.Shape, relation: str, expected: bool) -> None:
    assert geo.matches(geo.GeoQuery(relation, SQUARE), target) is expected


def test_a_point_in_a_hole_is_not_within() -> None:
    holed = shape(
        "Polygon",
        [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]],
    )
    query = geo.GeoQuery("within", holed)
    assert geo.matches(query, shape("Point", [0.5, 0.5]))
    assert not geo.matches(query, shape("Point", [2, 2]))


def test_distance_to_a_line_is_measured_to_its_nearest_segment() -> None:
    line = shape("LineString", [[13.0, 55.6], [13.02, 55.6]])
    above = (13.01, 55.6 + 100 / 111_195)
    query = geo.GeoQuery("near", shape("Point", list(above)), max_distance=101)
    assert geo.matches(query, line)
    assert not geo.matches(geo.GeoQuery("near", query.reference, max_distance=99), line)
