"""Filters the gateway applies itself, so results do not depend on what a platform pushed down.

What a SourceQuery's near, within and time filters mean is defined once, beside
the contract, in ``adapters.sdk.local``; adapters use the same function to keep
their pages full.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from adapters.contract import SourceEntity, SourceQuery
from adapters.sdk.local import matches as passes_filters


def matches(entity: SourceEntity, query: SourceQuery) -> bool:
    """True when ``entity`` is of the asked type and satisfies every filter of ``query``."""
    return entity.type == query.entity_type and passes_filters(entity, query)


def refine(entities: Iterable[SourceEntity], query: SourceQuery) -> Iterator[SourceEntity]:
    """The entities that match ``query``."""
    return (e for e in entities if matches(e, query))
