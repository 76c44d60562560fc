"""Filters an adapter applies itself to what its platform could not filter.

The gateway filters every answer again, so this only keeps a page from filling
up with entities the gateway would drop: with ``limit`` entities fetched, all
of them count.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from adapters.contract import JSONValue, SourceEntity, SourceQuery
from adapters.geo import is_near, is_within
from adapters.sdk.conditions import all_hold


def matches(entity: SourceEntity, query: SourceQuery) -> bool:
    """True when ``entity`` passes ``query``'s near, within, time and ``where`` filters
    (``where``: ``adapters.sdk.conditions``)."""
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
    return all_hold(query.where, entity.attributes)


def matcher(query: SourceQuery) -> Callable[[SourceEntity], bool]:
    """``matches`` for one ``query``, doing only the checks it needs (to filter many
    entities: a time window alone is one comparison per entity)."""
    if query.near is not None or query.within is not None or query.where:
        return lambda entity: matches(entity, query)
    after, before = query.observed_after, query.observed_before
    if after is not None and before is not None:
        start, end = after, before
        return lambda entity: (t := entity.observed_at) is not None and start <= t < end
    if after is not None:
        start = after
        return lambda entity: (t := entity.observed_at) is not None and t >= start
    if before is not None:
        end = before
        return lambda entity: (t := entity.observed_at) is not None and t < end
    return _always


def _always(_entity: SourceEntity) -> bool:
    return True


def project(
    attributes: Mapping[str, JSONValue], attrs: tuple[str, ...] | None
) -> dict[str, JSONValue]:
    """Only the attributes asked for (all when ``attrs`` is None)."""
    if attrs is None:
        return dict(attributes)
    wanted = set(attrs)
    return {k: v for k, v in attributes.items() if k in wanted}
