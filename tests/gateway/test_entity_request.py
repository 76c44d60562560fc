"""Validation of entity query arguments: each bad input says what and where."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.errors import BadUserInput
from gateway.query.entity_request import (
    check_cities,
    check_first,
    check_time_window,
    make_bbox,
    make_near,
)


def test_near_checks_latitude_longitude_and_distance() -> None:
    assert make_near(55.6, 13.0, 500).max_distance_m == 500
    with pytest.raises(BadUserInput, match=r"filter\.near\.lat: latitude 91.0 is outside"):
        make_near(91.0, 13.0, 10)
    with pytest.raises(BadUserInput, match=r"filter\.near\.lon"):
        make_near(55.0, 181.0, 10)
    with pytest.raises(BadUserInput, match=r"filter\.near\.maxDistance: -1.0 must be"):
        make_near(55.0, 13.0, -1.0)


def test_bbox_checks_order() -> None:
    with pytest.raises(BadUserInput, match=r"minLat 56\.0 is greater than maxLat 55\.0"):
        make_bbox(56.0, 12.0, 55.0, 13.0)
    with pytest.raises(BadUserInput, match=r"filter\.within\.minLat"):
        make_bbox(-95.0, 12.0, 55.0, 13.0)


def test_first_bounds() -> None:
    assert check_first(None, 100, 1000) == 100
    assert check_first(1000, 100, 1000) == 1000
    with pytest.raises(BadUserInput, match=r"first: 1001 is outside 0\.\.1000"):
        check_first(1001, 100, 1000)
    with pytest.raises(BadUserInput, match="first: -1"):
        check_first(-1, 100, 1000)


def test_unknown_city_lists_known_ones() -> None:
    assert check_cities(["malmo", "malmo", "lund"], {"malmo", "lund"}) == ("malmo", "lund")
    with pytest.raises(BadUserInput, match=r"unknown city id 'malmoe' \(known: lund, malmo\)"):
        check_cities(["malmoe"], {"malmo", "lund"})


def test_time_window_needs_zone_and_order() -> None:
    aware = datetime(2026, 1, 1, tzinfo=UTC)
    check_time_window(aware, aware)
    with pytest.raises(BadUserInput, match="observedAfter: give a time zone"):
        check_time_window(datetime(2026, 1, 1), None)
    with pytest.raises(BadUserInput, match="observedAfter is later than observedBefore"):
        check_time_window(aware.replace(year=2027), aware)
