"""The live parts of the app: callback inboxes, the hubs, the subscription endpoint."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, Protocol

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    visit,
)

from gateway.auth import Authenticator
from gateway.auth.principal import Principal
from gateway.clock import Clocks
from gateway.errors import BadUserInput
from gateway.graphql.execution import Executor
from gateway.graphql.protection import Guards
from gateway.graphql.schema.types import City
from gateway.http.live_endpoint import LiveEndpoint
from gateway.live.callbacks import CallbackInboxes
from gateway.live.hub import LiveHub, LiveLimits
from gateway.live.hubs import LiveHubs, Serving
from gateway.live.redis_relay import RedisRelays
from gateway.ops.metrics import Metrics


class LiveSettings(Protocol):
    """The settings the live parts read (``gateway.process.settings.Settings``)."""

    @property
    def host(self) -> str: ...

    @property
    def port(self) -> int: ...

    @property
    def public_url(self) -> str | None: ...

    @property
    def notify_body_bytes(self) -> int: ...

    @property
    def live_poll_s(self) -> float: ...

    @property
    def live_push_retry_s(self) -> float: ...

    @property
    def live_per_connection(self) -> int: ...

    @property
    def live_per_client(self) -> int: ...

    @property
    def live_queue(self) -> int: ...

    @property
    def live_init_timeout_s(self) -> float: ...

    @property
    def live_lease_s(self) -> float: ...

    @property
    def redis_url(self) -> str | None: ...


class ServingState(Protocol):
    """What the live parts read of the gateway's state (``gateway.process.state``)."""

    @property
    def runtime(self) -> Serving | None: ...

    @property
    def authenticator(self) -> Authenticator | None: ...

    @property
    def cities(self) -> Mapping[str, City]: ...

    @property
    def metrics(self) -> Metrics: ...

    @property
    def executor(self) -> Executor: ...

    @property
    def guards(self) -> Guards: ...


def selects(schema: GraphQLSchema, document: DocumentNode, parent: str, name: str) -> bool:
    """True when ``document`` selects the field ``parent.name`` anywhere (fragments too)."""
    info = TypeInfo(schema)
    found = False

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            nonlocal found
            parent_type = info.get_parent_type()
            if node.name.value == name and parent_type is not None and parent_type.name == parent:
                found = True

    visit(document, TypeInfoVisitor(info, Finder()))
    return found


class ListeningAddress:
    """The gateway's own base URL for platforms' notifications: ``CAAP_PUBLIC_URL``, else the
    address the server listens on (learnt from the first request's ASGI ``server``)."""

    def __init__(self, settings: LiveSettings) -> None:
        self._fixed = settings.public_url
        self._url = f"http://{settings.host}:{settings.port}"

    def learn(self, scope: MutableMapping[str, Any]) -> None:
        """Take the listening address from a request's scope (no effect with a public URL)."""
        server = scope.get("server")
        if self._fixed is None and server and server[1] is not None:
            host = server[0]
            host = f"[{host}]" if ":" in host else host
            self._url = f"http://{host}:{server[1]}"

    def __call__(self) -> str:
        return self._fixed or self._url


def live_parts(
    settings: LiveSettings, state: ServingState, schema: strawberry.Schema, clocks: Clocks | None
) -> tuple[LiveHubs, LiveEndpoint, ListeningAddress]:
    """The hubs, the endpoint, and the listening address."""
    listening = ListeningAddress(settings)
    inboxes = CallbackInboxes(listening, settings.notify_body_bytes)
    limits = LiveLimits(
        per_connection=settings.live_per_connection,
        per_client=settings.live_per_client,
        queue=settings.live_queue,
    )
    live = LiveHubs(
        inboxes,
        poll_s=settings.live_poll_s,
        push_retry_s=settings.live_push_retry_s,
        limits=limits,
        clocks=clocks,
        relays=RedisRelays(settings.redis_url, settings.live_lease_s, clocks)
        if settings.redis_url
        else None,
    )
    state.metrics.live_streams.set_function(lambda: sum(h.running_count for h in live.hubs()))
    state.metrics.live_subscriptions.set_function(
        lambda: sum(h.subscriber_count for h in live.hubs())
    )

    def current() -> tuple[LiveHub, Mapping[str, City]]:
        runtime = state.runtime
        if runtime is None:
            raise GraphQLError("the federation is not loaded yet")
        return live.hub_for(runtime), state.cities

    async def authenticate(authorization: Sequence[str], query: Mapping[str, str]) -> Principal:
        authenticator = state.authenticator
        if authenticator is None:
            raise GraphQLError("the federation is not loaded yet")
        return await authenticator.authenticate(authorization, query)

    def check(source: str, principal: Principal) -> Sequence[GraphQLError]:
        runtime = state.runtime
        if runtime is None:
            return [GraphQLError("the federation is not loaded yet")]
        federation = runtime.federation
        restricted = state.guards.current(federation).restricted(principal)
        prepared = state.executor.prepare(source, federation.options.limits, restricted)
        if prepared.document is None:
            return prepared.errors
        if selects(state.executor.schema, prepared.document, "City", "types"):
            return [BadUserInput("City.types is answered by queries, not in subscription events")]
        return ()

    view = LiveEndpoint(
        schema,
        current,
        authenticate,
        check,
        init_timeout_s=settings.live_init_timeout_s,
        per_connection=settings.live_per_connection,
    )
    return live, view, listening
