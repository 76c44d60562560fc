"""One ``representative_point`` for every adapter: the mean of a geometry's distinct vertices.

The rule: the point depends on the vertices a geometry has, never on how it is
written, so a ring's closing vertex, a ring started elsewhere, a retraced path or
a vertex two polygons share count once.
"""

from __future__ import annotations

import pytest

import adapters.ngsi_ld.mapping
import adapters.rest_json.mapping
import adapters.sensorthings.mapping
from adapters.contract import GeoPoint
from adapters.sdk.geojson import representative_point

SQUARE = [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]


def test_every_adapter_uses_the_one_function() -> None:
    """Issue 12 item 5: there were three, with three de-duplication rules (NGSI-LD dropped
    only ring closings, REST/JSON de-duplicated polygons only, the SDK every vertex)."""
    for module in (adapters.ngsi_ld.mapping, adapters.rest_json.mapping,
                   adapters.sensorthings.mapping):  # fmt: skip
        assert module.representative_point is representative_point, module.__name__


@pytest.mark.parametrize(
    ("geometry", "point"),
    [
        ({"type": "LineString", "coordinates": [[0, 0], [2, 0], [0, 0]]}, GeoPoint(0.0, 1.0)),
        (
            {"type": "MultiPolygon", "coordinates": [
                [SQUARE], [[[2, 0], [4, 0], [4, 2], [2, 2], [2, 0]]],
            ]},
            GeoPoint(1.0, 2.0),
        ),
        ({"type": "Polygon", "coordinates": [[[2, 2], [0, 2], [0, 0], [2, 0], [2, 2]]]},
         GeoPoint(1.0, 1.0)),
        ({"type": "MultiPoint", "coordinates": [[0, 0], [0, 0], [3, 3]]}, GeoPoint(1.5, 1.5)),
        ({"type": "Polygon", "coordinates": [SQUARE, [[0.5, 0.5], [1, 0.5], [1, 1], [0.5, 0.5]]]},
         GeoPoint(6 / 7, 6.5 / 7)),
    ],
)  # fmt: skip
def test_distinct_vertices_count_once(geometry: object, point: GeoPoint) -> None:
    got = representative_point(geometry)
    assert got is not None
    assert (got.lat, got.lon) == pytest.approx((point.lat, point.lon))


@pytest.mark.parametrize(
    ("geometry", "point"),
    [
        ({"type": "Point", "coordinates": [18.0, 59.0, 12.0]}, GeoPoint(59.0, 18.0)),
        ({"type": "Point", "coordinates": [18, 59]}, GeoPoint(59.0, 18.0)),
        ({"type": "MultiPoint", "coordinates": [[18.0, 59.0], [20.0, 61.0]]}, GeoPoint(60.0, 19.0)),
        ({"type": "Polygon", "coordinates": [SQUARE]}, GeoPoint(1.0, 1.0)),
        (
            {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Point", "coordinates": [10, 50]},
                    {"type": "Point", "coordinates": [12, 52]},
                ],
            },
            GeoPoint(51.0, 11.0),
        ),
        ({"type": "Point", "coordinates": [18.0]}, None),
        ({"type": "Point", "coordinates": [200.0, 59.0]}, None),
        ({"type": "Point", "coordinates": ["18", "59"]}, None),
        ({"type": "Point", "coordinates": [True, 59.0]}, None),
        ({"type": "Point", "coordinates": [float("nan"), 59.0]}, None),
        ({"type": "Circle", "coordinates": [18.0, 59.0]}, None),
        ({"type": "LineString", "coordinates": []}, None),
        ({"type": "LineString", "coordinates": [[1, 2], "x"]}, None),
        ("POINT(18 59)", None),
        (None, None),
    ],
)
def test_points_and_junk(geometry: object, point: GeoPoint | None) -> None:
    assert representative_point(geometry) == point
