"""The one global order of entities across cities, as the caller asked (``orderBy``).

Three orders (ADR 0019): observation time (the default, newest first), distance
from the ``near`` point (nearest first) and an attribute's value (ascending
unless asked otherwise). Every sort key is ``(rank, value, city id, entity id)``:
``rank`` groups what can be compared (rank 0 first); entities without an
observation time, a location or a comparable value come last, in both
directions. The city and entity ids break ties, always ascending, so the order is
total and keyset pagination over it has no duplicate and no gap.

An attribute's value orders as a number (int or float, finite, not a boolean;
rank 0), else as text (rank 1, by code point, on its first ``TEXT_PREFIX``
characters), else it is not comparable (rank 2: missing, null, boolean, object,
list, NaN). Descending text is stored as negated code points so that one tuple
comparison serves both directions.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from adapters.contract import GeoPoint, SourceEntity
from adapters.geo import distance_m

SortValue = int | float | str | tuple[int, ...]
SortKey = tuple[int, SortValue, str, str]
"""(rank, value, city id, entity id): compared as a tuple."""

TEXT_PREFIX = 64
"""Text values order on their first 64 characters (ties then by city and id): a cursor
stays small whatever the value."""
_LAST = 2
"""The rank of entities the order cannot place (no time, location or comparable value)."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_EPOCH_US: dict[datetime, int] = {}
"""``epoch_us`` of times seen lately (entities share their time objects, whose hash is
kept in them: a lookup is several times cheaper than the tz-aware subtraction)."""
_EPOCH_US_MAX = 1 << 16


class OrderBy(Enum):
    """What entities are ordered by."""

    OBSERVED_AT = "observedAt"
    DISTANCE = "distance"
    ATTRIBUTE = "attribute"


class Direction(Enum):
    """Ascending (smallest, oldest, nearest first) or descending."""

    ASC = "asc"
    DESC = "desc"


@dataclass(frozen=True, slots=True)
class Order:
    """A checked ``orderBy``; the default is today's order, newest observation first."""

    by: OrderBy = OrderBy.OBSERVED_AT
    direction: Direction = Direction.DESC
    attribute: str | None = None
    """The attribute ordered by (``ATTRIBUTE`` only)."""

    @property
    def is_default(self) -> bool:
        return self == NEWEST_FIRST

    def label(self) -> str:
        """How the order is named in a cursor and in messages, e.g. ``attribute pm25 desc``."""
        parts = [self.by.value, self.attribute, self.direction.value]
        return " ".join(p for p in parts if p is not None)

    def fingerprint_part(self) -> str | None:
        """What the order adds to a query's fingerprint: nothing for the default order."""
        return None if self.is_default else self.label()

    def key_function(self, origin: GeoPoint | None) -> Callable[[str, SourceEntity], SortKey]:
        """``(city id, entity) -> SortKey`` for this order; ``origin``: the ``near`` point."""
        sign = -1 if self.direction is Direction.DESC else 1
        if self.by is OrderBy.DISTANCE:
            if origin is None:
                raise ValueError("a distance order needs the point to measure from")
            return lambda city, e: _distance_key(city, e, origin, sign)
        if self.by is OrderBy.ATTRIBUTE:
            name = self.attribute or ""
            return lambda city, e: _value_key(city, e, e.attributes.get(name), sign)
        return functools.partial(_time_key, sign)

    def valid_value(self, rank: int, value: object) -> bool:
        """True when ``value`` can be the value part of a key of ``rank`` in this order."""
        if rank == _LAST:
            return value == 0 and not isinstance(value, bool)
        if self.by is OrderBy.OBSERVED_AT:
            return rank == 0 and isinstance(value, int) and not isinstance(value, bool)
        if self.by is OrderBy.DISTANCE or rank == 0:
            return rank == 0 and _is_number(value)
        if rank != 1:
            return False
        if self.direction is Direction.ASC:
            return isinstance(value, str)
        return isinstance(value, tuple) and all(
            isinstance(c, int) and not isinstance(c, bool) for c in value
        )


NEWEST_FIRST = Order()
"""The default order: newest observation first."""


def epoch_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch of a timezone-aware datetime, exactly."""
    found = _EPOCH_US.get(moment)
    if found is None:
        if len(_EPOCH_US) >= _EPOCH_US_MAX:
            _EPOCH_US.clear()
        found = _EPOCH_US[moment] = (moment - _EPOCH) // _MICROSECOND  # exact: integers
    return found


def sort_key(city_id: str, entity: SourceEntity) -> SortKey:
    """The entity's position in the default order (newest observation first)."""
    return _time_key(-1, city_id, entity)


def _time_key(sign: int, city_id: str, entity: SourceEntity) -> SortKey:
    moment = entity.observed_at
    if moment is None:
        return (_LAST, 0, city_id, entity.id)
    found = _EPOCH_US.get(moment)  # inlined: once per entity fetched
    return (0, sign * (epoch_us(moment) if found is None else found), city_id, entity.id)


def _distance_key(city_id: str, entity: SourceEntity, origin: GeoPoint, sign: int) -> SortKey:
    """Distance to the location the caller gets (coarsened when the grant says so)."""
    if entity.location is None:
        return (_LAST, 0, city_id, entity.id)
    return (0, sign * distance_m(origin, entity.location), city_id, entity.id)


def _value_key(city_id: str, entity: SourceEntity, value: object, sign: int) -> SortKey:
    if _is_number(value):
        assert isinstance(value, int | float)
        try:
            number = float(value)
        except OverflowError:  # an int beyond float: not comparable here
            return (_LAST, 0, city_id, entity.id)
        if math.isfinite(number):
            return (0, sign * number, city_id, entity.id)
    if isinstance(value, str):
        text = value[:TEXT_PREFIX]
        if sign > 0:
            return (1, text, city_id, entity.id)
        return (1, (*(-ord(c) for c in text), 1), city_id, entity.id)
    return (_LAST, 0, city_id, entity.id)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
