"""Everything a running gateway holds: the federation and one adapter per city.

Built in the app's lifespan from a loaded Federation, closed on shutdown.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from adapters.contract import Adapter, AdapterContext
from adapters.registry import AdapterRegistry
from gateway.audit import AuditLog
from gateway.federation.model import Federation


@dataclass(frozen=True, slots=True)
class Runtime:
    """The federation in force, its adapters by city id, and the audit log of decisions."""

    federation: Federation
    adapters: Mapping[str, Adapter]
    audit: AuditLog | None = None

    @classmethod
    def build(cls, federation: Federation, registry: AdapterRegistry) -> Runtime:
        """One adapter per city, built through the registry."""
        adapters: dict[str, Adapter] = {}
        for city_id, city in federation.cities.items():
            factory = registry.get(city.adapter.kind)
            context = AdapterContext(
                city_id=city_id,
                logger=logging.getLogger(f"caap.adapter.{city_id}"),
                timeout_s=federation.timeout_for(city_id),
                max_connections=federation.options.max_connections_per_city,
            )
            adapters[city_id] = factory(city.adapter.options, context)
        return cls(federation, adapters, AuditLog.open(federation.audit))

    async def aclose(self) -> None:
        """Close every adapter, and the audit log."""
        for adapter in self.adapters.values():
            await adapter.aclose()
        if self.audit is not None:
            self.audit.close()
