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
    return city_head(city_id, entities, len(entities), order, origin).head


@dataclass(frozen=True, slots=True)
class CityRows:
    """What one city can put on a page: its first entities after the cursor, in order,
    and how many entities (distinct ids) it answered in all."""

    head: list[Placed]
    count: int


def city_head(
    city_id: str,
    entities: Sequence[SourceEntity],
    room: int,
    order: Order = NEWEST_FIRST,
    origin: GeoPoint | None = None,
    after: SortKey | None = None,
) -> CityRows:
    """The first ``room`` of one city's entities strictly after ``after`` in ``order``
    (duplicates of an id dropped, the first kept): all that a page of ``room - 1``
    entities, and whether more follow, can take from this city. Only those become
    ``Placed``; the rest are keyed, counted and left.
    """
    if len({e.id for e in entities}) != len(entities):
        entities = list({e.id: e for e in reversed(entities)}.values())  # first one wins
    key = order.key_function(origin)
    keyed = [(key(city_id, e), e) for e in entities]  # keys are distinct: the id is in them
    if after is not None:
        keyed = [pair for pair in keyed if pair[0] > after]
    head = heapq.nsmallest(room, keyed) if room < len(keyed) else sorted(keyed)
    return CityRows([Placed(k, city_id, e) for k, e in head], len(entities))


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
