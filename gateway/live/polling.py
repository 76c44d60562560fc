"""Polling a city that does not push: one conditional request per interval, changes only.

Each poll goes through the city's guard (``Upstream.call``: breaker, bulkhead,
retry budget), like every call to a city (ADR 0016). An adapter that implements
``Revalidating`` is asked whether its last answer still holds (ETags); an
unchanged answer costs the platform a 304 and emits nothing.
"""

from __future__ import annotations

import time

from adapters.contract import Adapter, Revalidating, SourceEntity, SourceQuery, SourceResult
from gateway.live.changes import ChangeDetector
from gateway.query.upstream import Upstream


class Poller:
    """Polls ``query`` of one city and reports what changed since the previous poll."""

    def __init__(
        self,
        city_id: str,
        query: SourceQuery,
        adapter: Adapter,
        upstream: Upstream,
        timeout_s: float,
        detector: ChangeDetector,
    ) -> None:
        self.city_id = city_id
        self.query = query
        self._adapter = adapter
        self._upstream = upstream
        self._timeout_s = timeout_s
        self._detector = detector
        self._validator: str | None = None
        self.requests = 0
        """Polls sent (conditional or not), for tests and metrics."""
        self.unchanged = 0
        """Polls the platform answered 'not modified'."""

    async def changes(self) -> list[SourceEntity]:
        """The entities that changed since the last poll (none on the first: the baseline).

        Raises ``adapters.errors.AdapterError`` when the city gives no answer."""
        adapter, query, validator = self._adapter, self.query, self._validator

        async def attempt() -> SourceResult | None:
            if validator is not None and isinstance(adapter, Revalidating):
                return await adapter.revalidate(query, validator)
            return await adapter.fetch_entities(query)

        self.requests += 1
        key = f"live-poll:{self.city_id}:{id(self)}"
        deadline = time.monotonic() + self._timeout_s
        result = (await self._upstream.call(self.city_id, key, attempt, deadline)).result
        if result is None:
            self.unchanged += 1
            return []
        self._validator = result.validator
        return self._detector.changed(result.entities)
