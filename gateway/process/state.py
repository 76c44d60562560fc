"""The shared objects of one gateway process, built in the app's lifespan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gateway.auth import Authenticator
from gateway.graphql.execution import Executor
from gateway.graphql.protection import Guards
from gateway.graphql.schema.types import City
from gateway.live.hubs import LiveHubs
from gateway.ops.metrics import Metrics
from gateway.process.runtime import Runtime


@dataclass(slots=True)
class GatewayState:
    """What every request handler reads from ``request.app.state.gateway``."""

    executor: Executor
    metrics: Metrics
    runtime: Runtime | None = None
    authenticator: Authenticator | None = None
    cities: Mapping[str, City] = field(default_factory=dict)
    guards: Guards = field(default_factory=Guards)
    """Limits, rate limits, response cache, persisted queries of the federation in force."""
    live: LiveHubs | None = None
    """The subscriptions' hubs (gateway/live/); a reload retires the old federation's."""
