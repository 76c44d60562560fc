"""Probes for the status page: a city not heard from lately is asked for one entity.

Traffic keeps the health records fresh on its own; the status page asks for a
refresh on every poll, and only cities silent for longer than ``max_age_s``
are probed, one probe per city at a time. So an idle gateway with no status
page open sends nothing.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time

from adapters.contract import CatalogueAdapter, CatalogueQuery, SourceQuery
from adapters.errors import UnsupportedQuery
from gateway.ops.inflight import InFlight
from gateway.ops.status.city_health import CityHealth, describe
from gateway.process.runtime import Runtime

log = logging.getLogger("caap.status")


class Prober:
    """Starts background probes of stale cities; ``aclose`` cancels those still running."""

    def __init__(self, health: CityHealth, inflight: InFlight, max_age_s: float) -> None:
        self._health = health
        self._inflight = inflight
        self.max_age_s = max_age_s
        self._running: dict[str, asyncio.Task[None]] = {}

    def refresh(self, runtime: Runtime) -> None:
        """Probe, in the background, every city of ``runtime`` silent for too long."""
        now = time.monotonic()
        for city_id in runtime.federation.cities:
            if city_id in self._running:
                continue
            if now - self._health.last_seen(city_id) < self.max_age_s:
                continue
            task = asyncio.get_running_loop().create_task(self._probe(runtime, city_id))
            self._running[city_id] = task
            task.add_done_callback(functools.partial(self._done, city_id))

    def _done(self, city_id: str, task: asyncio.Task[None]) -> None:
        self._running.pop(city_id, None)

    async def _probe(self, runtime: Runtime, city_id: str) -> None:
        with self._inflight.track():
            city = runtime.federation.cities[city_id]
            adapter = runtime.adapters[city_id]
            public = [name for name, d in city.datasets.items() if d.access.public]
            started = time.monotonic()
            try:
                async with asyncio.timeout(runtime.federation.timeout_for(city_id)):
                    if isinstance(adapter, CatalogueAdapter):
                        await adapter.fetch_datasets(CatalogueQuery(limit=1))
                    elif public:
                        await adapter.fetch_entities(SourceQuery(entity_type=public[0], limit=1))
            except UnsupportedQuery:
                return
            except Exception as exc:  # any failure is the city's health, not the page's
                self._health.note_failure(city_id, describe(exc), since=started)

    async def aclose(self) -> None:
        """Cancel the probes still running."""
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
