"""K-way merge of per-city results into one page of the global order."""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from adapters.contract import GeoPoint, SourceEntity
from gateway.query.ordering import NEWEST_FIRST, Order, SortKey


@dataclass(frozen=True, slots=True)
class Placed:
    """An entity with the city it came from and its place in the global order."""

    key: SortKey
    city_id: str
    entity: SourceEntity


@dataclass(frozen=True, slots=True)
class Page:
    """At most ``first`` entities after the cursor, and whether more follow."""

    items: Sequence[Placed]
    has_next: bool


def order_city(
    city_id: str,
    entities: Sequence[SourceEntity],
    order: Order = NEWEST_FIRST,
    origin: GeoPoint | None = None,
) -> list[Placed]:
    """One city's entities in the global ``order`` (``origin``: the point distances are
    measured from), duplicates of an id dropped."""
    key = order.key_function(origin)
    seen: dict[str, Placed] = {}
    for entity in entities:
        seen.setdefault(entity.id, Placed(key(city_id, entity), city_id, entity))
    return sorted(seen.values(), key=lambda p: p.key)


def merge_page(
    streams: Mapping[str, Sequence[Placed]], first: int, after: SortKey | None = None
) -> Page:
    """The first ``first`` entities strictly after ``after`` across all (ordered) streams."""
    tails: list[Iterator[Placed]] = []
    for stream in streams.values():
        start = 0 if after is None else bisect.bisect_right(stream, after, key=lambda p: p.key)
        tails.append(itertools.islice(stream, start, None))
    merged = heapq.merge(*tails, key=lambda p: p.key)
    items = list(itertools.islice(merged, first + 1))
    return Page(items=items[:first], has_next=len(items) > first)
