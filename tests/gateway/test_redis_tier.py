"""The shared tier against a real redis-server: entries, locks, counters, and Redis dying."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from gateway.ops.metrics import Metrics
from gateway.query.cache.counters import LocalCounters, SharedCounters
from gateway.query.cache.redis_tier import RedisTier
from tests.support.manual_clock import ManualClock
from tests.support.redis_server import RedisServer


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
async def tier(redis_server: RedisServer) -> AsyncIterator[RedisTier]:
    shared = RedisTier(redis_server.url, Metrics())
    yield shared
    await shared.aclose()


async def test_entries_expire(tier: RedisTier) -> None:
    await tier.set("k", b"value", ttl_s=60)
    assert await tier.get("k") == b"value"
    await tier.set("short", b"v", ttl_s=0.001)
    for _ in range(10_000):  # Redis expires it by its own clock: ask until it has
        if await tier.get("short") is None:
            break
    assert await tier.get("short") is None


async def test_a_lock_is_held_by_one_instance_until_released(
    redis_server: RedisServer, tier: RedisTier
) -> None:
    other = RedisTier(redis_server.url)
    try:
        mine = await tier.acquire("lock", ttl_s=30)
        assert mine.token is not None
        theirs = await other.acquire("lock", ttl_s=30)
        assert (theirs.token, theirs.held) == (None, True)
        await other.release("lock", "not-the-token")  # only the holder releases
        assert (await other.acquire("lock", ttl_s=30)).held
        await tier.release("lock", mine.token)
        assert (await other.acquire("lock", ttl_s=30)).token is not None
    finally:
        await other.aclose()


async def test_waiting_for_a_peer_ends_with_its_entry_or_with_its_lock(tier: RedisTier) -> None:
    lock = await tier.acquire("k:lock", ttl_s=30)
    assert lock.token is not None
    waiting = asyncio.create_task(tier.wait_for("k", "k:lock", time.monotonic() + 5))
    await tier.set("k", b"landed", ttl_s=60)
    assert await waiting == b"landed"

    lock = await tier.acquire("j:lock", ttl_s=30)
    assert lock.token is not None
    waiting = asyncio.create_task(tier.wait_for("j", "j:lock", time.monotonic() + 5))
    await tier.release("j:lock", lock.token)  # the peer failed: nothing will land
    assert await waiting is None


async def test_counters_are_shared_by_instances_and_windowed(
    redis_server: RedisServer, tier: RedisTier
) -> None:
    clock = ManualClock(1_000_000.0)
    other = RedisTier(redis_server.url)
    try:
        a, b = SharedCounters(tier, clock), SharedCounters(other, clock)
        assert await a.hit("client:x", 60) == 1
        assert await b.hit("client:x", 60, amount=2) == 3
        assert await a.hit("client:y", 60) == 1
        clock.advance(60)
        assert await b.hit("client:x", 60) == 1
    finally:
        await other.aclose()


async def test_local_counters_count_per_window() -> None:
    clock = ManualClock(0.0)
    counters = LocalCounters(clock)
    assert [await counters.hit("c", 10) for _ in range(3)] == [1, 2, 3]
    clock.advance(10)
    assert await counters.hit("c", 10) == 1


async def test_redis_dying_is_survived_said_once_and_recovered_from(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()
    metrics = Metrics()
    tier = RedisTier(redis_server.url, metrics, clock=clock, retry_in_s=2.0)
    counters = SharedCounters(tier, clock)
    up = metrics.cache_tier_up.labels("redis")
    try:
        await tier.set("k", b"v", 60)
        assert up._value.get() == 1
        redis_server.kill()
        caplog.set_level(logging.WARNING, "caap.cache.redis")
        assert await tier.get("k") is None
        assert (await tier.acquire("k:lock", 5)).token is None
        await tier.set("k", b"v", 60)
        assert await counters.hit("c", 60) == 1  # counted locally meanwhile
        assert up._value.get() == 0
        assert metrics.cache_events.labels("redis", "error")._value.get() == 1  # then skipped
        warnings = [r.getMessage() for r in caplog.records]
        assert len(warnings) == 1
        assert "carrying on with the in-process cache" in warnings[0]
        assert redis_server.url.split("//")[1].split("/")[0] in warnings[0]

        redis_server.start()  # on a new port: point a tier at it to see recovery
        back = RedisTier(redis_server.url, metrics, clock=clock)
        clock.advance(2)
        assert await back.ping()
        assert up._value.get() == 1
        await back.aclose()
    finally:
        await tier.aclose()
