"""The upstream layer alone: cache lifetimes, single-flight, stale answers, policy classes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any, ClassVar, cast

import pytest

from adapters.contract import (
    AdapterFactory,
    Capabilities,
    SourceEntity,
    SourceQuery,
    SourceResult,
)
from adapters.errors import UnsupportedQuery, UpstreamUnavailable
from adapters.registry import AdapterRegistry, Registered
from gateway.clock import Clocks
from gateway.federation.loader import parse_federation
from gateway.ops.metrics import Metrics
from gateway.query import arrival
from gateway.query.cache.counters import LocalCounters
from gateway.query.cache.keys import cache_key
from gateway.query.planner import CityStep
from gateway.query.resilience.bulkhead import Waited
from gateway.query.upstream import Upstream, build_upstream, queued_note
from tests.support.eventually import until
from tests.support.manual_clock import ManualClock

Q = SourceQuery("WeatherObserved")
ANSWER = SourceResult([SourceEntity("urn:a", "WeatherObserved", None, None, {"t": 1})])


class Scripted:
    """Answers ``result``, or raises ``error``; counts calls."""

    kind: ClassVar[str] = "scripted"

    def __init__(self, config: Mapping[str, Any], context: object) -> None:
        self.result = ANSWER
        self.error: Exception | None = None
        self.calls = 0
        self.gate: asyncio.Event | None = None

    @classmethod
    def validate_config(cls, config: Mapping[str, Any]) -> object:
        return dict(config)

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities()

    async def fetch_entities(self, query: SourceQuery) -> SourceResult:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.result

    async def aclose(self) -> None:
        return None


class Revalidating(Scripted):
    """Also answers conditional requests: unchanged while ``changed`` is False."""

    def __init__(self, config: Mapping[str, Any], context: object) -> None:
        super().__init__(config, context)
        self.result = SourceResult(ANSWER.entities, validator='[["u", "\\"e1\\""]]')
        self.revalidations = 0
        self.changed = False

    async def revalidate(self, query: SourceQuery, validator: str) -> SourceResult | None:
        self.revalidations += 1
        assert validator == self.result.validator
        return self.result if self.changed else None


FEDERATION = """
gateway:
  cache: {ttl_s: 10, stale_while_revalidate_s: 5, stale_if_error_s: 60}
  resilience: {retries: 0}
cities:
  malmo:
    name: Malmö
    kommunkod: "1280"
    adapter: {kind: scripted}
    datasets:
      WeatherObserved: {access: public}
      Beach: {access: public, cache: {ttl_s: 0, stale_while_revalidate_s: 0, stale_if_error_s: 0}}
"""


class World:
    def __init__(self, adapter_class: type[Scripted] = Scripted) -> None:
        registry = AdapterRegistry(
            [Registered("scripted", cast(AdapterFactory, adapter_class), "tests")]
        )
        self.federation = parse_federation(FEDERATION, "federation.yaml", registry, {})
        self.clock = ManualClock()
        self.adapter = adapter_class({}, None)
        self.metrics = Metrics()

        async def no_sleep(seconds: float) -> None:
            return None

        clocks = Clocks(wall=self.clock, monotonic=self.clock, sleep=no_sleep)
        self.upstream: Upstream = build_upstream(
            self.federation, {"malmo": self.adapter}, self.metrics, None, clocks
        )

    async def fetch(self, policy_class: str = "p1", query: SourceQuery = Q) -> Any:
        step = CityStep("malmo", query, policy_class=policy_class)
        return await self.upstream.fetch(step, time.monotonic() + 5)

    def events(self, tier: str, event: str) -> float:
        return float(self.metrics.cache_events.labels(tier, event)._value.get())


async def test_a_fresh_entry_is_served_without_a_call() -> None:
    world = World()
    first = await world.fetch()
    second = await world.fetch()
    assert (first.stale, second.stale) == (False, False)
    assert second.result is ANSWER
    assert world.adapter.calls == 1
    assert world.events("memory", "miss") == 1
    assert world.events("memory", "hit") == 1


async def test_100_concurrent_identical_misses_make_one_call() -> None:
    world = World()
    world.adapter.gate = asyncio.Event()
    tasks = [asyncio.create_task(world.fetch()) for _ in range(100)]
    await until(lambda: world.adapter.calls == 1)
    world.adapter.gate.set()
    results = await asyncio.gather(*tasks)
    assert all(r.result is ANSWER for r in results)
    assert world.adapter.calls == 1
    assert world.events("memory", "coalesced") == 99


BEACH = SourceQuery("Beach")  # cache lifetime 0 in FEDERATION


async def fetch_arrived_at(world: World, at: float, query: SourceQuery = BEACH) -> Any:
    """A fetch on behalf of a request stamped as arrived ``at`` (``time.monotonic()``)."""
    token = arrival.stamp(at)
    try:
        return await world.fetch(query=query)
    finally:
        arrival.unstamp(token)


async def test_with_lifetime_0_a_request_arriving_after_the_call_started_asks_again() -> None:
    """ADR 0025: joining a call that started before the request arrived could answer with
    data older than the request; with a cache lifetime of 0 the request asks itself."""
    world = World()
    world.adapter.gate = asyncio.Event()
    first = asyncio.create_task(world.fetch(query=BEACH))
    await until(lambda: world.adapter.calls == 1)
    late = asyncio.create_task(fetch_arrived_at(world, time.monotonic()))
    await until(lambda: world.adapter.calls == 2)
    world.adapter.gate.set()
    assert all(r.result is ANSWER for r in await asyncio.gather(first, late))
    assert world.events("memory", "coalesced") == 0


async def test_with_lifetime_0_a_request_that_arrived_before_the_call_joins_it() -> None:
    world = World()
    world.adapter.gate = asyncio.Event()
    before = time.monotonic()  # the second request arrived before the call below started
    first = asyncio.create_task(world.fetch(query=BEACH))
    await until(lambda: world.adapter.calls == 1)
    joined = asyncio.create_task(fetch_arrived_at(world, before))
    await until(lambda: world.events("memory", "miss") == 2)  # then it waits in the flight
    world.adapter.gate.set()
    assert all(r.result is ANSWER for r in await asyncio.gather(first, joined))
    assert world.adapter.calls == 1
    assert world.events("memory", "coalesced") == 1


async def test_within_the_lifetime_a_late_request_joins_the_call_in_flight() -> None:
    world = World()  # WeatherObserved: ttl_s 10
    world.adapter.gate = asyncio.Event()
    first = asyncio.create_task(world.fetch())
    await until(lambda: world.adapter.calls == 1)
    late = asyncio.create_task(fetch_arrived_at(world, time.monotonic(), Q))
    await until(lambda: world.events("memory", "miss") == 2)  # then it waits in the flight
    world.adapter.gate.set()
    assert all(r.result is ANSWER for r in await asyncio.gather(first, late))
    assert world.adapter.calls == 1
    assert world.events("memory", "coalesced") == 1


async def test_different_policy_classes_never_share_an_entry() -> None:
    world = World()
    await world.fetch("class-a")
    await world.fetch("class-b")
    await world.fetch("class-a")
    assert world.adapter.calls == 2


async def test_stale_while_revalidate_serves_stale_and_refreshes_once_in_background() -> None:
    world = World()
    await world.fetch()
    world.clock.advance(12)  # past ttl 10, within stale-while-revalidate 5
    world.adapter.gate = asyncio.Event()
    stale = await asyncio.gather(world.fetch(), world.fetch())
    assert all(s.stale for s in stale)
    assert "being refreshed" in (stale[0].note or "")
    await until(lambda: world.adapter.calls == 2)
    world.adapter.gate.set()
    key = cache_key("malmo", Q, "p1")

    def refreshed() -> bool:
        entry = world.upstream.cache.memory.get(key)
        return entry is not None and entry.stored_at == world.clock()

    await until(refreshed)
    fresh = await world.fetch()
    assert not fresh.stale
    assert world.adapter.calls == 2  # one refresh for both stale readers


async def test_stale_if_error_then_failed_after_the_window() -> None:
    world = World()
    await world.fetch()
    world.adapter.error = UpstreamUnavailable("connection refused")
    world.clock.advance(20)  # past ttl and stale-while-revalidate, within stale-if-error
    stale = await world.fetch()
    assert stale.stale
    assert stale.result is ANSWER
    assert "the platform failed: connection refused" in (stale.note or "")
    world.clock.advance(51)  # 71 s: past ttl 10 + stale-if-error 60
    with pytest.raises(UpstreamUnavailable):
        await world.fetch()


async def test_errors_are_never_cached() -> None:
    world = World()
    world.adapter.error = UpstreamUnavailable("down")
    with pytest.raises(UpstreamUnavailable):
        await world.fetch()
    world.adapter.error = None
    assert (await world.fetch()).result is ANSWER
    assert world.adapter.calls == 2


async def test_a_question_the_platform_cannot_answer_is_not_answered_stale() -> None:
    world = World()
    await world.fetch()
    world.clock.advance(20)
    world.adapter.error = UnsupportedQuery("no such filter")
    with pytest.raises(UnsupportedQuery):
        await world.fetch()


async def test_a_dataset_with_zero_lifetimes_is_not_cached() -> None:
    world = World()
    beach = SourceQuery("Beach")
    await world.fetch(query=beach)
    await world.fetch(query=beach)
    assert world.adapter.calls == 2


async def test_the_platform_can_forbid_storing() -> None:
    world = World()
    world.adapter.result = SourceResult(ANSWER.entities, cache_control="no-store")
    await world.fetch()
    await world.fetch()
    assert world.adapter.calls == 2


async def test_an_expired_entry_with_a_validator_is_revalidated_not_refetched() -> None:
    world = World(Revalidating)
    adapter = cast(Revalidating, world.adapter)
    await world.fetch()
    world.clock.advance(20)  # past stale-while-revalidate: revalidated before answering
    again = await world.fetch()
    assert not again.stale
    assert (adapter.calls, adapter.revalidations) == (1, 1)
    assert world.events("memory", "revalidated") == 1
    assert not (await world.fetch()).stale  # fresh again for another ttl
    assert adapter.revalidations == 1
    world.clock.advance(20)
    adapter.changed = True
    assert (await world.fetch()).result is adapter.result
    assert adapter.revalidations == 2


async def test_rate_limit_counters_are_local_without_redis() -> None:
    world = World()
    assert isinstance(world.upstream.counters, LocalCounters)
    assert await world.upstream.counters.hit("client:x", 60) == 1
    assert await world.upstream.counters.hit("client:x", 60) == 2


async def test_a_call_queued_behind_the_city_cap_says_so_in_its_note_and_metrics() -> None:
    world = World()  # the bulkhead's default cap: 8 calls at once
    world.adapter.gate = asyncio.Event()
    queries = [SourceQuery("WeatherObserved", limit=n + 1) for n in range(9)]
    tasks = [asyncio.create_task(world.fetch(query=q)) for q in queries]
    await until(lambda: world.metrics.upstream_queued.labels("malmo")._value.get() == 1)
    world.adapter.gate.set()
    results = await asyncio.gather(*tasks)
    notes = [r.note for r in results if r.note is not None]
    assert len(notes) <= 1  # the ninth waited; a wait under 1 ms is not worth a note
    assert all("behind this city's cap of 8 calls at once" in n for n in notes)
    waits = world.metrics.upstream_queue_wait.labels("malmo")
    assert sum(b.get() for b in waits._buckets) == 9  # one observation per call
    assert world.metrics.upstream_queued.labels("malmo")._value.get() == 0


def test_the_queued_note_gives_the_wait_and_the_cap() -> None:
    assert queued_note(Waited(0.0), 8) is None
    assert queued_note(Waited(0.0123), 8) == (
        "queued 12 ms behind this city's cap of 8 calls at once"
    )
