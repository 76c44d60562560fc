"""Probes for the status page: a city not heard from lately is asked for one entity.

Traffic keeps the health records fresh on its own; the status page asks for a
refresh on every poll, and only cities silent for longer than ``max_age_s``
are probed, one probe per city at a time. So an idle gateway with no status
page open sends nothing. A probe is a call like any other (``Upstream.call``):
it goes through the city's breaker, bulkhead and retries, so a city whose
breaker is open is shown as such without being asked.

A probe that fails for the city's reasons (``adapters.errors``, a timeout) is
the city's health; anything else is a gateway bug: logged with its traceback
and counted (``caap_internal_errors_total{where="status_probe"}``), never shown
as the city being down.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable

from adapters.contract import CatalogueAdapter, CatalogueQuery, SourceQuery
from adapters.errors import AdapterError, UnsupportedQuery
from gateway.ops.inflight import InFlight
from gateway.ops.metrics import Metrics
from gateway.ops.status.city_health import CityHealth, describe
from gateway.process.runtime import Runtime
from gateway.query.cache.keys import call_key

log = logging.getLogger("caap.status")


class Prober:
    """Starts background probes of stale cities; ``aclose`` cancels those still running."""

    def __init__(
        self,
        health: CityHealth,
        inflight: InFlight,
        max_age_s: float,
        metrics: Metrics | None = None,
    ) -> None:
        self._health = health
        self._inflight = inflight
        self.max_age_s = max_age_s
        self._metrics = metrics
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
            probe = _question(runtime, city_id)
            if probe is None:
                return
            question, ask = probe
            started = time.monotonic()
            deadline = started + runtime.federation.timeout_for(city_id)
            key = call_key("probe", city_id, question)
            try:
                await runtime.upstream.call(city_id, key, ask, deadline)
            except UnsupportedQuery:
                return
            except (AdapterError, TimeoutError) as exc:  # the city's health, not the page's
                self._health.note_failure(city_id, describe(exc), since=started)
            except Exception:  # a gateway bug: not the city's fault
                log.exception("status probe of %s failed inside the gateway", city_id)
                if self._metrics is not None:
                    self._metrics.internal_errors.labels("status_probe").inc()

    async def aclose(self) -> None:
        """Cancel the probes still running."""
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _question(
    runtime: Runtime, city_id: str
) -> tuple[object, Callable[[], Awaitable[object]]] | None:
    """The smallest question a city can answer: one dataset of its catalogue, else one
    entity of its first public dataset; None when it shares nothing publicly."""
    adapter = runtime.adapters[city_id]
    if isinstance(adapter, CatalogueAdapter):
        listing = CatalogueQuery(limit=1)
        return listing, lambda: adapter.fetch_datasets(listing)
    city = runtime.federation.cities[city_id]
    public = [name for name, d in city.datasets.items() if d.access.public]
    if not public:
        return None
    query = SourceQuery(entity_type=public[0], limit=1)
    return query, lambda: adapter.fetch_entities(query)
