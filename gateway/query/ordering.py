"""The one global order of entities across cities: newest observation first, then city, then id.

Entities without an observation time come last. The order is total, so keyset
pagination over it has no duplicate and no gap.
"""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.contract import SourceEntity

SortKey = tuple[int, int, str, str]
"""(1 if no observation time else 0, minus epoch microseconds, city id, entity id)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_us(moment: datetime) -> int:
    """Microseconds since the Unix epoch of a timezone-aware datetime, exactly."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def sort_key(city_id: str, entity: SourceEntity) -> SortKey:
    """The entity's position in the global order."""
    if entity.observed_at is None:
        return (1, 0, city_id, entity.id)
    return (0, -epoch_us(entity.observed_at), city_id, entity.id)
