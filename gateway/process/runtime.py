"""Everything a running gateway holds: the federation and one adapter per city, each
behind the upstream layer (cache, single-flight, breaker, bulkhead, retries).

Built in the app's lifespan from a loaded Federation, closed on shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from adapters import AnswerBudget
from adapters.contract import Adapter, AdapterContext, CatalogueAdapter
from adapters.registry import AdapterRegistry
from gateway.clock import Clocks
from gateway.federation.model import Federation
from gateway.ops.metrics import Metrics
from gateway.ops.upstream_trace import upstream_trace
from gateway.policy.audit import AuditLog
from gateway.query.discovery_cache import DiscoveryCache
from gateway.query.upstream import Upstream, build_upstream


@dataclass(frozen=True, slots=True)
class Runtime:
    """The federation in force, its adapters by city id, and the audit log of decisions."""

    federation: Federation
    adapters: Mapping[str, Adapter]
    upstream: Upstream
    """The adapters behind cache and guards: every call to a city goes through it."""
    audit: AuditLog | None = None
    catalogues: Mapping[str, CatalogueAdapter] = field(default_factory=dict)
    """The open-data catalogue adapter of each city that has one."""
    discovery: DiscoveryCache = field(default_factory=DiscoveryCache)
    """The cities' discovery answers (``types``), cached in this process (ADR 0020)."""

    @classmethod
    def build(
        cls,
        federation: Federation,
        registry: AdapterRegistry,
        trace_configs: Callable[[str], Sequence[aiohttp.TraceConfig]] | None = None,
        *,
        metrics: Metrics | None = None,
        redis_url: str | None = None,
        clocks: Clocks | None = None,
        answer_budget: AnswerBudget | None = None,
    ) -> Runtime:
        """One adapter per city, built through the registry; ``trace_configs(city_id)``
        gives the aiohttp hooks for that city's requests (request ids, health, traces).

        ``metrics`` counts every request sent to a city (``caap_upstream_requests_total``);
        ``redis_url`` adds the shared cache tier; ``clocks`` are a test's;
        ``answer_budget`` is shared by every adapter (``gateway.limits.upstream_bytes``).
        """
        adapters: dict[str, Adapter] = {}
        catalogues: dict[str, CatalogueAdapter] = {}
        clocks = clocks or Clocks()
        for city_id, city in federation.cities.items():
            factory = registry.get(city.adapter.kind)
            traces = tuple(trace_configs(city_id)) if trace_configs else ()
            if metrics is not None:
                traces += (upstream_trace(city_id, metrics),)
            context = AdapterContext(
                city_id=city_id,
                logger=logging.getLogger(f"caap.adapter.{city_id}"),
                timeout_s=federation.timeout_for(city_id),
                max_connections=federation.connections_for(city_id),
                trace_configs=traces,
                max_response_bytes=federation.options.resilience.max_response_bytes,
                answer_budget=answer_budget,
                clock=clocks.monotonic,
                extra=push_down_hook(metrics),
            )
            adapters[city_id] = factory(city.adapter.options, context)
            if city.catalogue is not None:
                built = registry.get(city.catalogue.kind)(city.catalogue.options, context)
                if not isinstance(built, CatalogueAdapter):
                    raise TypeError(f"{city.catalogue.kind!r} built no catalogue adapter")
                catalogues[city_id] = built
        upstream = build_upstream(federation, adapters, metrics, redis_url, clocks)
        return cls(federation, adapters, upstream, AuditLog.open(federation.audit), catalogues)

    async def aclose(self) -> None:
        """Close the upstream layer, every adapter, and the audit log."""
        await self.upstream.aclose()
        for adapter in self.adapters.values():
            await adapter.aclose()
        for catalogue in self.catalogues.values():
            await catalogue.aclose()
        if self.audit is not None:
            self.audit.close()


def push_down_hook(metrics: Metrics | None) -> dict[str, Any]:
    """``AdapterContext.extra`` through which an adapter reports a push-down its city rejected
    (``caap_push_downs_rejected``; the SensorThings adapter's ``on_push_down_rejected``)."""
    if metrics is None:
        return {}
    counter = metrics.push_downs_rejected
    return {"on_push_down_rejected": lambda city, name: counter.labels(city, name).inc()}
