"""The hub of one federation: subscriptions in, one shared upstream stream per (city, type,
push-down) out, reference counted; bounded per connection and per client.

A subscription is planned like a query (``gateway/query/planner.py``): the policy
decision per city is taken first, and a city that refuses (denied, aggregate-only)
gets no stream. Only the grant's attribute list is pushed down to the stream, not
the caller's filters, so callers share streams; each event is then filtered per
policy group (``policy_group.py``). The hub of a federation that a reload replaced
ends its subscriptions with a reason (``end_all``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from adapters import CallbackHost, StreamQuery
from adapters.contract import Adapter
from gateway.auth.principal import Principal
from gateway.clock import Clocks
from gateway.errors import ErrorCode
from gateway.federation.model import Federation
from gateway.live.events import Event, StreamChange, StreamState
from gateway.live.policy_group import PolicyGroup
from gateway.live.redis_relay import RedisRelays, Relay
from gateway.live.subscriber import Delivery, Subscriber
from gateway.live.upstream_stream import StreamKey, StreamTiming, UpstreamStream
from gateway.policy.audit import AuditLog
from gateway.policy.audit_trail import AuditTrail
from gateway.query.coverage import CoverageStatus
from gateway.query.entity_request import EntityRequest
from gateway.query.planner import CityStep, plan
from gateway.query.upstream import Upstream

log = logging.getLogger("caap.live")


@dataclass(frozen=True, slots=True)
class LiveLimits:
    """How much one caller may hold (``CAAP_LIVE_*``, gateway/process/settings.py)."""

    per_connection: int = 20
    per_client: int = 100
    queue: int = 256
    """Events waiting for one subscriber; past that it is closed as too slow."""
    held: int = 10_000
    """Events one policy group holds back for a grant's ``older_than_min``."""


class LiveRefused(Exception):
    """A subscription the gateway does not open; ``code`` for ``errors[].extensions``."""

    def __init__(self, message: str, code: ErrorCode) -> None:
        super().__init__(message)
        self.code = code


@dataclass(slots=True)
class LiveConnection:
    """One client connection (a WebSocket, an SSE request) and its subscriptions."""

    client: str
    """Who counts against ``per_client``: the token's client id, else the address."""
    open: int = 0


@dataclass(slots=True)
class _Held:
    stream: UpstreamStream
    groups: dict[str, PolicyGroup] = field(default_factory=dict)
    relay: Relay | None = None
    """With Redis: the stream's channel and lease (gateway/live/redis_relay.py)."""

    async def aclose(self) -> None:
        if self.relay is not None:
            await self.relay.aclose()
        await self.stream.aclose()

    def receive(self, event: Event) -> None:
        for group in list(self.groups.values()):
            group.receive(event)


@dataclass(slots=True)
class _Membership:
    connection: LiveConnection
    places: list[tuple[StreamKey, str]]


class LiveHub:
    """Subscriptions of one federation and the upstream streams they share."""

    def __init__(
        self,
        federation: Federation,
        adapters: Mapping[str, Adapter],
        upstream: Upstream,
        callbacks: CallbackHost,
        *,
        timing: StreamTiming | None = None,
        limits: LiveLimits | None = None,
        clocks: Clocks | None = None,
        relays: RedisRelays | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self.federation = federation
        self._relays = relays
        self._audit = audit
        """Each subscription's access decisions are written here, as a query's are."""
        self._adapters = adapters
        self._upstream = upstream
        self._callbacks = callbacks
        self._timing = timing or StreamTiming(limit=federation.options.max_entities_per_city)
        self.limits = limits or LiveLimits()
        self._clocks = clocks or Clocks()
        self._streams: dict[StreamKey, _Held] = {}
        self._members: dict[Subscriber, _Membership] = {}
        self._per_client: Counter[str] = Counter()
        self._closing: set[asyncio.Task[None]] = set()
        self.streams_opened = 0
        """Upstream streams ever opened by this hub (a test counts them)."""

    @property
    def stream_count(self) -> int:
        """Upstream streams open now."""
        return len(self._streams)

    @property
    def running_count(self) -> int:
        """Upstream streams this process reads now (with Redis: whose lease it holds)."""
        return sum(1 for held in self._streams.values() if held.stream.running)

    @property
    def subscriber_count(self) -> int:
        """Subscriptions open now."""
        return len(self._members)

    def streams(self) -> list[UpstreamStream]:
        """The upstream streams open now."""
        return [held.stream for held in self._streams.values()]

    def subscribe(
        self, request: EntityRequest, principal: Principal, connection: LiveConnection
    ) -> Subscriber:
        """Open a subscription to ``request``'s changes; raises ``LiveRefused``."""
        trail = AuditTrail(self._audit, principal)
        steps = plan(request, self.federation, principal, trail, now=datetime.now(UTC))
        allowed = [s for s in steps if s.query is not None]
        if not allowed:
            refusal = steps[0].refusal if steps else None
            message = refusal.message if refusal is not None else "no city in scope"
            code = refusal.code if refusal is not None and refusal.code else ErrorCode.FORBIDDEN
            raise LiveRefused(message or "refused", code)
        if connection.open >= self.limits.per_connection:
            raise LiveRefused(
                f"at most {self.limits.per_connection} subscriptions per connection",
                ErrorCode.RATE_LIMITED,
            )
        if self._per_client[connection.client] >= self.limits.per_client:
            raise LiveRefused(
                f"at most {self.limits.per_client} subscriptions per client",
                ErrorCode.RATE_LIMITED,
            )
        subscriber = Subscriber(self.limits.queue, self._release, principal.expires_at)
        membership = _Membership(connection, [])
        self._members[subscriber] = membership
        connection.open += 1
        self._per_client[connection.client] += 1
        for step in steps:
            if step.query is None:
                assert step.refusal is not None
                subscriber.offer(Delivery(self._refused(step)))
                continue
            membership.places.append(self._join(subscriber, request, step))
        return subscriber

    def _join(
        self, subscriber: Subscriber, request: EntityRequest, step: CityStep
    ) -> tuple[StreamKey, str]:
        assert step.query is not None
        assert step.rules is not None
        assert step.wanted is not None
        key = StreamKey(step.city_id, StreamQuery(step.query.entity_type, step.query.attrs))
        held = self._streams.get(key)
        if held is None:
            held = self._open(key)
        # the live filter: the caller's time window, not the grant's moving cutoff (a delay)
        wanted = replace(
            step.wanted,
            observed_before=request.observed_before,
            observed_after=request.observed_after,
        )
        group_key = f"{step.policy_class}|{wanted!r}"
        group = held.groups.get(group_key)
        if group is None:
            group = PolicyGroup(step.rules, wanted, self._clocks, self.limits.held)
            held.groups[group_key] = group
        group.subscribers.add(subscriber)
        held.stream.holders += 1
        current = held.stream.current()
        if current is not None:
            subscriber.offer(Delivery(current))
        return key, group_key

    def _open(self, key: StreamKey) -> _Held:
        city_id = key.city_id
        held: _Held
        relay = (
            self._relays.relay(key, lambda event: held.receive(event))
            if self._relays is not None
            else None
        )
        stream = UpstreamStream(
            key,
            self._adapters[city_id],
            self._upstream,
            self._callbacks,
            self._timing,
            self.federation.timeout_for(city_id),
            self._clocks,
            relay.publish if relay is not None else lambda event: held.receive(event),
        )
        held = _Held(stream, relay=relay)
        self._streams[key] = held
        self.streams_opened += 1
        if relay is not None:
            relay.start(stream)  # the stream runs while this replica holds the lease
        else:
            stream.start()
        log.info("live: stream opened for %s %s", city_id, key.query.entity_type)
        return held

    def _refused(self, step: CityStep) -> StreamChange:
        refusal = step.refusal
        assert refusal is not None
        return StreamChange(
            step.city_id,
            StreamState.REFUSED,
            CoverageStatus.DENIED,
            self._clocks.wall(),
            refusal.message,
        )

    def _release(self, subscriber: Subscriber) -> None:
        membership = self._members.pop(subscriber, None)
        if membership is None:
            return
        membership.connection.open -= 1
        client = membership.connection.client
        self._per_client[client] -= 1
        if self._per_client[client] <= 0:
            del self._per_client[client]
        for key, group_key in membership.places:
            held = self._streams.get(key)
            if held is None:
                continue
            group = held.groups.get(group_key)
            if group is not None:
                group.subscribers.discard(subscriber)
                if not group.subscribers:
                    del held.groups[group_key]
                    self._later(group.aclose())
            held.stream.holders -= 1
            if held.stream.holders <= 0:
                del self._streams[key]
                self._later(held.aclose())
                log.info("live: stream closed for %s %s", key.city_id, key.query.entity_type)

    def _later(self, closing: Coroutine[Any, Any, None]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # released outside the loop (a finaliser): nothing to await
            closing.close()
            return
        task = loop.create_task(closing)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def end_all(self, reason: str, code: str) -> None:
        """End every subscription with ``reason`` (a reload replaced the federation)."""
        for subscriber in list(self._members):
            subscriber.end(reason, code)

    async def aclose(self) -> None:
        """End every subscription and wait for the streams to close."""
        self.end_all("the gateway is shutting down", "SHUTTING_DOWN")
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
