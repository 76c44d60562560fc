"""The hub of the federation in force; a reload retires the previous one.

A hub belongs to one runtime (its adapters, its policies). When a reload swaps
the runtime, the old hub's subscriptions end with a reason and its streams close
before the old adapters do; clients subscribe again and are served by the new
federation's hub (ADR 0022).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from adapters.contract import Adapter
from gateway.clock import Clocks
from gateway.federation.model import Federation
from gateway.live.callbacks import CallbackInboxes
from gateway.live.hub import LiveHub, LiveLimits
from gateway.live.redis_relay import RedisRelays
from gateway.live.upstream_stream import StreamTiming
from gateway.policy.audit import AuditLog
from gateway.query.upstream import Upstream

RELOADED = "the federation was reloaded: subscribe again"


class Serving(Protocol):
    """What a hub is built from (``gateway.process.runtime.Runtime``)."""

    @property
    def federation(self) -> Federation: ...

    @property
    def adapters(self) -> Mapping[str, Adapter]: ...

    @property
    def upstream(self) -> Upstream: ...

    @property
    def audit(self) -> AuditLog | None: ...


class LiveHubs:
    """One hub per runtime, made on the first subscription."""

    def __init__(
        self,
        callbacks: CallbackInboxes,
        *,
        poll_s: float = 10.0,
        push_retry_s: float = 30.0,
        limits: LiveLimits | None = None,
        clocks: Clocks | None = None,
        relays: RedisRelays | None = None,
    ) -> None:
        self.callbacks = callbacks
        self.relays = relays
        self.poll_s = poll_s
        self.push_retry_s = push_retry_s
        self.limits = limits or LiveLimits()
        self._clocks = clocks or Clocks()
        self._hubs: dict[int, tuple[Serving, LiveHub]] = {}

    def hub_for(self, runtime: Serving) -> LiveHub:
        """The hub of ``runtime``."""
        found = self._hubs.get(id(runtime))
        if found is not None and found[0] is runtime:
            return found[1]
        federation = runtime.federation
        timing = StreamTiming(
            poll_s=self.poll_s,
            push_retry_s=self.push_retry_s,
            limit=federation.options.max_entities_per_city,
        )
        hub = LiveHub(
            federation,
            runtime.adapters,
            runtime.upstream,
            self.callbacks,
            timing=timing,
            limits=self.limits,
            clocks=self._clocks,
            relays=self.relays,
            audit=runtime.audit,
        )
        self._hubs[id(runtime)] = (runtime, hub)
        return hub

    def hubs(self) -> list[LiveHub]:
        """Every hub alive."""
        return [hub for _, hub in self._hubs.values()]

    def retire(self, runtime: Serving) -> None:
        """``runtime`` no longer serves: end its subscriptions with a reason."""
        found = self._hubs.pop(id(runtime), None)
        if found is not None:
            found[1].end_all(RELOADED, "FEDERATION_RELOADED")

    async def aclose(self) -> None:
        """End every subscription (shutdown)."""
        for _, hub in list(self._hubs.values()):
            await hub.aclose()
        self._hubs.clear()
        if self.relays is not None:
            await self.relays.aclose()
