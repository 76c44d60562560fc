"""SourceQuery -> NGSI-LD query parameters: what is pushed down, and that it only widens."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.contract import BBox, GeoPoint, Near, SourceQuery
from adapters.errors import UnsupportedQuery
from adapters.geo import is_within
from adapters.ngsi_ld.config import TypeSettings
from adapters.ngsi_ld.query import entity_params, format_datetime, near_params, within_params

CONFIG = TypeSettings()
POINT = GeoPoint(lat=59.33, lon=18.06)


def params(query: SourceQuery, config: TypeSettings = CONFIG, limit: int = 100) -> dict[str, str]:
    pairs = entity_params(query, config, limit)
    assert len({k for k, _ in pairs}) == len(pairs), "no parameter twice"
    return dict(pairs)


def test_type_only() -> None:
    assert params(SourceQuery("WeatherObserved", limit=7, offset=3), limit=7) == {
        "type": "WeatherObserved",
        "limit": "7",
        "offset": "3",
        "count": "true",
        "options": "keyValues",
    }


def test_normalized_format_sends_no_options() -> None:
    config = TypeSettings(format="normalized")
    assert "options" not in params(SourceQuery("WeatherObserved"), config)


def test_attrs_add_location_and_time_property_once() -> None:
    query = SourceQuery("WeatherObserved", attrs=("temperature", "location", "windSpeed"))
    assert params(query)["attrs"] == "temperature,location,windSpeed,dateObserved"


def test_empty_attrs_still_fetch_what_mapping_needs() -> None:
    assert params(SourceQuery("WeatherObserved", attrs=()))["attrs"] == "location,dateObserved"


def test_attrs_without_time_property() -> None:
    config = TypeSettings(time_property=None)
    assert params(SourceQuery("X", attrs=("a",)), config)["attrs"] == "a,location"


def test_time_window_is_q_on_date_observed_with_unquoted_datetimes() -> None:
    query = SourceQuery(
        "WeatherObserved",
        observed_after=datetime(2026, 11, 25, 10, tzinfo=UTC),
        observed_before=datetime(2026, 11, 25, 11, tzinfo=UTC),
    )
    assert (
        params(query)["q"] == "dateObserved>=2026-11-25T10:00:00Z;dateObserved<2026-11-25T11:00:00Z"
    )


def test_half_open_windows() -> None:
    after = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (
        params(SourceQuery("X", observed_after=after))["q"] == "dateObserved>=2026-01-02T03:04:05Z"
    )
    assert (
        params(SourceQuery("X", observed_before=after))["q"] == "dateObserved<2026-01-02T03:04:05Z"
    )


def test_time_is_converted_to_utc_and_rounded_outwards() -> None:
    cet = timezone(timedelta(hours=1))
    moment = datetime(2026, 11, 25, 11, 0, 0, 500_000, tzinfo=cet)
    assert format_datetime(moment, ceil=False) == "2026-11-25T10:00:00Z"
    assert format_datetime(moment, ceil=True) == "2026-11-25T10:00:01Z"
    whole = datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert format_datetime(whole, ceil=True) == "2026-11-25T10:00:00Z"
    assert format_datetime(whole.replace(tzinfo=None), ceil=False) == "2026-11-25T10:00:00Z"


def test_time_property_is_configurable_or_off() -> None:
    query = SourceQuery("X", observed_after=datetime(2026, 1, 1, tzinfo=UTC))
    custom = TypeSettings(time_property="dateObservedTo")
    assert params(query, custom)["q"].startswith("dateObservedTo>=")
    off = TypeSettings(time_property=None)
    assert "q" not in params(query, off)


def test_near_is_a_point_with_lon_lat_and_max_distance() -> None:
    got = params(SourceQuery("X", near=Near(POINT, 1000)))
    assert got["georel"] == "near;maxDistance==1006"  # 0.5 % + 1 m margin, whole metres
    assert got["geometry"] == "Point"
    assert orjson.loads(got["coordinates"]) == [18.06, 59.33]


def test_within_is_a_closed_counter_clockwise_polygon_around_the_box() -> None:
    box = BBox(min_lat=59.0, min_lon=17.5, max_lat=59.5, max_lon=18.5)
    got = params(SourceQuery("X", within=box))
    assert (got["georel"], got["geometry"]) == ("within", "Polygon")
    (ring,) = orjson.loads(got["coordinates"])
    assert len(ring) == 5
    assert ring[0] == ring[-1]
    (w, s), (e, _), (_, n) = ring[0], ring[1], ring[2]
    assert w < 17.5 < 18.5 < e
    assert s < 59.0 < 59.5 < n
    assert e - 18.5 < 1e-5
    assert n - 59.5 < 1e-5
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    assert area2 > 0, "exterior ring is counter-clockwise (RFC 7946)"


def test_near_wins_over_within_when_both_are_set() -> None:
    box = BBox(59.0, 17.5, 59.5, 18.5)
    got = params(SourceQuery("X", near=Near(POINT, 10), within=box))
    assert got["geometry"] == "Point"


@pytest.mark.parametrize(
    "query",
    [
        SourceQuery("Weather,Observed"),
        SourceQuery("Weather Observed"),
        SourceQuery(""),
        SourceQuery("X", attrs=("a,b",)),
        SourceQuery("X", attrs=("a;b",)),
        SourceQuery("X", attrs=("",)),
        SourceQuery("X", near=Near(GeoPoint(91, 0), 10)),
        SourceQuery("X", near=Near(POINT, float("nan"))),
        SourceQuery("X", near=Near(POINT, -1)),
        SourceQuery("X", within=BBox(60, 17, 59, 18)),
    ],
)
def test_unusable_queries_are_refused(query: SourceQuery) -> None:
    with pytest.raises(UnsupportedQuery):
        entity_params(query, CONFIG, 10)


@given(radius=st.floats(0, 1e7))
def test_near_radius_is_widened_enough_for_any_earth_model(radius: float) -> None:
    """Broker distances (ellipsoid, other spheres) differ from haversine by < 0.5 %."""
    ((_, georel), _, _) = near_params(Near(POINT, radius))
    pushed = int(georel.removeprefix("near;maxDistance=="))
    assert radius * 1.005 + 1 <= pushed <= radius * 1.005 + 2


@given(
    lat=st.floats(-89, 89),
    lon=st.floats(-179, 179),
    dlat=st.floats(0, 1),
    dlon=st.floats(0, 1),
)
def test_box_corners_are_inside_the_pushed_polygon(
    lat: float, lon: float, dlat: float, dlon: float
) -> None:
    box = BBox(lat, lon, lat + dlat, lon + dlon)
    (_, _, (_, coords)) = within_params(box)
    (ring,) = orjson.loads(coords)
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    widened = BBox(min(ys), min(xs), max(ys), max(xs))
    for corner in (GeoPoint(box.min_lat, box.min_lon), GeoPoint(box.max_lat, box.max_lon)):
        assert is_within(corner, widened)
        assert min(xs) < corner.lon < max(xs)
        assert min(ys) < corner.lat < max(ys)
