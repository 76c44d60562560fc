"""A caller's question about entities, validated: what GraphQL arguments become."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from adapters.contract import BBox, Condition, GeoPoint, Near
from gateway.errors import BadUserInput
from gateway.query.ordering import NEWEST_FIRST, Order


@dataclass(frozen=True, slots=True)
class EntityRequest:
    """``entities(type, filter, first, after)`` once checked; ``cities`` None means all."""

    entity_type: str
    cities: tuple[str, ...] | None
    near: Near | None
    within: BBox | None
    observed_after: datetime | None
    observed_before: datetime | None
    first: int
    after: str | None
    where: tuple[Condition, ...] = ()
    """Conditions on attribute values, AND-ed (issue 14); every city's query carries them."""
    order: Order = NEWEST_FIRST
    """``orderBy`` (ADR 0019): the global order of the answer, and of its cursors."""

    def fingerprint_parts(self) -> list[object]:
        """What defines the result set (not the page): cursors are bound to it."""
        return [
            self.entity_type,
            sorted(self.cities) if self.cities is not None else None,
            [self.near.point.lat, self.near.point.lon, self.near.max_distance_m]
            if self.near
            else None,
            [self.within.min_lat, self.within.min_lon, self.within.max_lat, self.within.max_lon]
            if self.within
            else None,
            self.observed_after.isoformat() if self.observed_after else None,
            self.observed_before.isoformat() if self.observed_before else None,
            [[c.attribute, c.op.value, c.value] for c in self.where] if self.where else None,
            self.order.fingerprint_part(),
        ]


def check_latitude(value: float, where: str) -> None:
    """Latitude in -90..90, or BadUserInput naming ``where``."""
    if not (math.isfinite(value) and -90.0 <= value <= 90.0):
        raise BadUserInput(f"{where}: latitude {value} is outside -90..90")


def check_longitude(value: float, where: str) -> None:
    """Longitude in -180..180, or BadUserInput naming ``where``."""
    if not (math.isfinite(value) and -180.0 <= value <= 180.0):
        raise BadUserInput(f"{where}: longitude {value} is outside -180..180")


def make_near(lat: float, lon: float, max_distance: float) -> Near:
    """A checked ``near`` filter (metres)."""
    check_latitude(lat, "filter.near.lat")
    check_longitude(lon, "filter.near.lon")
    if not (math.isfinite(max_distance) and max_distance >= 0):
        raise BadUserInput(
            f"filter.near.maxDistance: {max_distance} must be a distance in metres >= 0"
        )
    return Near(GeoPoint(lat, lon), max_distance)


def make_bbox(min_lat: float, min_lon: float, max_lat: float, max_lon: float) -> BBox:
    """A checked ``within`` filter."""
    check_latitude(min_lat, "filter.within.minLat")
    check_latitude(max_lat, "filter.within.maxLat")
    check_longitude(min_lon, "filter.within.minLon")
    check_longitude(max_lon, "filter.within.maxLon")
    if min_lat > max_lat:
        raise BadUserInput(f"filter.within: minLat {min_lat} is greater than maxLat {max_lat}")
    if min_lon > max_lon:
        raise BadUserInput(f"filter.within: minLon {min_lon} is greater than maxLon {max_lon}")
    return BBox(min_lat, min_lon, max_lat, max_lon)


def check_time_window(after: datetime | None, before: datetime | None) -> None:
    """Both bounds carry a time zone and ``after`` is not later than ``before``."""
    for name, value in (("observedAfter", after), ("observedBefore", before)):
        if value is not None and value.utcoffset() is None:
            raise BadUserInput(f"filter.{name}: give a time zone, e.g. 2026-11-25T10:00:00Z")
    if after is not None and before is not None and after > before:
        raise BadUserInput("filter: observedAfter is later than observedBefore")


def check_cities(cities: Sequence[str] | None, known: Collection[str]) -> tuple[str, ...] | None:
    """Known city ids, deduplicated in the caller's order; unknown ones listed in the error."""
    if cities is None:
        return None
    unknown = [c for c in cities if c not in known]
    if unknown:
        raise BadUserInput(
            f"filter.cities: unknown city id {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(sorted(known))})"
        )
    return tuple(dict.fromkeys(cities))


def check_first(first: int | None, default: int, maximum: int) -> int:
    """The page size: ``default`` when not given, 0..``maximum`` otherwise."""
    if first is None:
        return default
    if first < 0 or first > maximum:
        raise BadUserInput(f"first: {first} is outside 0..{maximum} (the maximum page size)")
    return first
