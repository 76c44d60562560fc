"""What a REST/JSON API holds, as far as its mapping in the federation file says: the
mapped attributes (in the data model's units, which the mapping's expressions produce)
and the count: the ``total`` the API reports for one short page where the mapping reads
one, else the items of the whole list (up to ``MAX_COUNTED``; beyond it, unknown).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from adapters.contract import SourceQuery, SourceResult
from adapters.discovery import DiscoveryQuery, DiscoveryResult, TypeInfo
from adapters.rest_json.config import RestJsonConfig
from adapters.sdk.unit_codes import described

MAX_COUNTED = 10_000


async def discover(
    config: RestJsonConfig,
    fetch: Callable[[SourceQuery], Awaitable[SourceResult]],
    query: DiscoveryQuery,
) -> DiscoveryResult:
    """The asked types the mapping has; ``fetch`` is the adapter's ``fetch_entities``."""
    asked = [t for t in query.entity_types if t in config.types]

    async def count(entity_type: str) -> int | None:
        short = await fetch(SourceQuery(entity_type, limit=1))
        if short.total_count is not None or not short.truncated:
            return short.total_count if short.truncated else len(short.entities)
        whole = await fetch(SourceQuery(entity_type, limit=MAX_COUNTED))
        return None if whole.truncated else len(whole.entities)

    counts = await asyncio.gather(*(count(t) for t in asked))
    return DiscoveryResult(
        [
            TypeInfo(t, n, described(t, config.types[t].attributes))
            for t, n in zip(asked, counts, strict=True)
        ]
    )
