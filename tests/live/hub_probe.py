"""What a running gateway's live hubs hold, read from the test's thread (plain counters)."""

from __future__ import annotations

from gateway.live.hub import LiveHub
from tests.support.gateway_server import GatewayServer


def hubs(gateway: GatewayServer) -> list[LiveHub]:
    """Every hub of the gateway (one per federation that served a subscription)."""
    live = gateway.app.state.gateway.live
    return live.hubs() if live is not None else []


def streams_opened(gateway: GatewayServer) -> int:
    """Upstream streams ever opened."""
    return sum(h.streams_opened for h in hubs(gateway))


def all_primed(gateway: GatewayServer, cities: int) -> bool:
    """True once ``cities`` streams have their baseline (a first answer)."""
    streams = [s for h in hubs(gateway) for s in h.streams()]
    return len(streams) == cities and all(s.primed for s in streams)
