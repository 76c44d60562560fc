"""What a REST/JSON API holds, as far as its mapping in the federation file says: the
mapped attributes (in the data model's units, which the mapping's expressions produce)
and, where the mapping reads a ``total``, the count the API reports for one short page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from adapters.contract import SourceQuery, SourceResult
from adapters.discovery import DiscoveryQuery, DiscoveryResult, TypeInfo
from adapters.rest_json.config import RestJsonConfig
from adapters.sdk.unit_codes import described


async def discover(
    config: RestJsonConfig,
    fetch: Callable[[SourceQuery], Awaitable[SourceResult]],
    query: DiscoveryQuery,
) -> DiscoveryResult:
    """The asked types the mapping has; ``fetch`` is the adapter's ``fetch_entities``."""
    asked = [t for t in query.entity_types if t in config.types]
    answers = await asyncio.gather(*(fetch(SourceQuery(t, limit=1)) for t in asked))
    return DiscoveryResult(
        [
            TypeInfo(t, answer.total_count, described(t, config.types[t].attributes))
            for t, answer in zip(asked, answers, strict=True)
        ]
    )
