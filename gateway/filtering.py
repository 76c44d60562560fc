"""Filters the gateway applies itself, so results do not depend on what a platform pushed down."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from adapters.contract import SourceEntity, SourceQuery
from adapters.geo import is_near, is_within


def matches(entity: SourceEntity, query: SourceQuery) -> bool:
    """True when ``entity`` satisfies every filter of ``query``."""
    if entity.type != query.entity_type:
        return False
    if query.near is not None or query.within is not None:
        if entity.location is None:
            return False
        if query.near is not None and not is_near(entity.location, query.near):
            return False
        if query.within is not None and not is_within(entity.location, query.within):
            return False
    if query.observed_after is not None or query.observed_before is not None:
        if entity.observed_at is None:
            return False
        if query.observed_after is not None and entity.observed_at < query.observed_after:
            return False
        if query.observed_before is not None and entity.observed_at >= query.observed_before:
            return False
    return True


def refine(entities: Iterable[SourceEntity], query: SourceQuery) -> Iterator[SourceEntity]:
    """The entities that match ``query``."""
    return (e for e in entities if matches(e, query))
