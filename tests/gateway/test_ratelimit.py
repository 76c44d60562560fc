"""Token buckets per client (gateway/graphql/rate_limit.py), on a manual clock: no sleeping."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gateway.auth.principal import ANONYMOUS, Principal
from gateway.federation.guards import Rate, RateLimitOptions
from gateway.graphql.protection import Guards
from gateway.graphql.rate_limit import (
    LocalBuckets,
    RateLimiter,
    SharedBuckets,
    client_key,
    retry_after,
)
from gateway.query.cache.counters import LocalCounters, SharedCounters
from gateway.query.cache.redis_tier import RedisTier
from tests.support.manual_clock import ManualClock
from tests.support.redis_server import RedisServer

RATE = Rate(requests_per_s=2.0, burst=3)


async def test_a_bucket_grants_its_burst_then_refills_at_its_rate() -> None:
    clock = ManualClock()
    buckets = LocalBuckets(clock)
    assert [await buckets.take("a", RATE) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert await buckets.take("a", RATE) == pytest.approx(0.5)
    clock.advance(0.5)
    assert await buckets.take("a", RATE) == 0.0
    assert await buckets.take("a", RATE) == pytest.approx(0.5)


async def test_a_refused_request_takes_no_token_and_a_bucket_holds_at_most_its_burst() -> None:
    clock = ManualClock()
    buckets = LocalBuckets(clock)
    for _ in range(3):
        await buckets.take("a", RATE)
    for _ in range(10):
        assert await buckets.take("a", RATE) > 0
    clock.advance(3600)
    assert [await buckets.take("a", RATE) for _ in range(4)][-1] == pytest.approx(0.5)


async def test_buckets_are_per_key_and_a_batch_takes_one_token_per_operation() -> None:
    buckets = LocalBuckets(ManualClock())
    assert await buckets.take("a", RATE, 3) == 0.0
    assert await buckets.take("a", RATE, 1) > 0
    assert await buckets.take("b", RATE, 1) == 0.0
    assert await buckets.take("c", RATE, 4) == pytest.approx(0.5)  # more than the burst


async def test_a_rate_of_zero_is_no_limit() -> None:
    buckets = LocalBuckets(ManualClock())
    assert {await buckets.take("a", Rate(0.0, 1)) for _ in range(1000)} == {0.0}


async def test_the_least_recently_used_buckets_are_forgotten_first() -> None:
    buckets = LocalBuckets(ManualClock(), max_keys=2)
    await buckets.take("a", RATE, 3)
    await buckets.take("b", RATE)
    await buckets.take("c", RATE)  # "a" is forgotten: a full bucket again
    assert await buckets.take("a", RATE, 3) == 0.0


async def test_shared_buckets_are_fixed_windows_of_burst_over_rate() -> None:
    clock = ManualClock(1000.0)
    buckets = SharedBuckets(LocalCounters(clock), clock)
    # window = 3 / 2 = 1.5 s; 1000.0 is 1.0 s into the window that started at 999.0
    assert [await buckets.take("a", RATE) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert await buckets.take("a", RATE) == pytest.approx(0.5)
    assert await buckets.take("a", RATE) == pytest.approx(0.5)  # refusals took nothing
    clock.advance(0.5)
    assert [await buckets.take("a", RATE) for _ in range(3)] == [0.0, 0.0, 0.0]


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


async def test_instances_sharing_redis_share_the_limit(redis: RedisServer) -> None:
    clock = ManualClock(1000.0)
    tiers = [RedisTier(redis.url), RedisTier(redis.url)]
    one, two = (SharedBuckets(SharedCounters(t, clock), clock) for t in tiers)
    try:
        assert await one.take("client:app", RATE, 2) == 0.0
        assert await two.take("client:app", RATE) == 0.0
        assert await one.take("client:app", RATE) > 0
        assert await two.take("client:app", RATE) > 0
        assert await two.take("client:other", RATE) == 0.0
    finally:
        for tier in tiers:
            await tier.aclose()


async def test_while_redis_is_down_each_instance_limits_on_its_own() -> None:
    clock = ManualClock(1000.0)
    tier = RedisTier("redis://127.0.0.1:1/0", op_timeout_s=0.05)
    buckets = SharedBuckets(SharedCounters(tier, clock), clock)
    try:
        assert [await buckets.take("a", RATE) for _ in range(3)] == [0.0, 0.0, 0.0]
        assert await buckets.take("a", RATE) > 0
    finally:
        await tier.aclose()


def test_the_bucket_is_the_clients_or_else_the_callers_address() -> None:
    assert client_key(Principal("alice", "app"), "10.0.0.1") == "client:app"
    subject_only = Principal("alice", None)
    assert client_key(subject_only, "10.0.0.1") == f"subject:{subject_only.subject_hash}"
    assert "alice" not in client_key(subject_only, None)
    assert client_key(ANONYMOUS, "10.0.0.1") == "address:10.0.0.1"
    assert client_key(ANONYMOUS, None) == "address:unknown"


async def test_clients_may_have_rates_of_their_own() -> None:
    options = RateLimitOptions(Rate(1.0, 1), {"fast-app": Rate(100.0, 50)})
    limiter = RateLimiter(LocalBuckets(ManualClock()), options)
    app = Principal("svc", "fast-app")
    assert {await limiter.wait(app, None) for _ in range(50)} == {0.0}
    assert await limiter.wait(ANONYMOUS, "10.0.0.1") == 0.0
    assert await limiter.wait(ANONYMOUS, "10.0.0.1") == pytest.approx(1.0)
    assert await limiter.wait(ANONYMOUS, "10.0.0.2") == 0.0


@pytest.mark.parametrize(("wait", "header"), [(0.01, "1"), (1.0, "1"), (1.2, "2"), (59.5, "60")])
def test_retry_after_is_whole_seconds_rounded_up(wait: float, header: str) -> None:
    assert retry_after(wait) == header


async def test_with_a_redis_url_the_gateways_buckets_are_shared(redis: RedisServer) -> None:
    one, two = Guards(redis_url=redis.url), Guards(redis_url=redis.url)
    try:
        assert isinstance(one.buckets, SharedBuckets)
        assert isinstance(Guards().buckets, LocalBuckets)
        rate = Rate(requests_per_s=0.001, burst=2)  # a 2000 s window: both calls land in one
        assert await one.buckets.take("client:shared", rate, 2) == 0.0
        assert await two.buckets.take("client:shared", rate) > 0
    finally:
        await one.aclose()
        await two.aclose()
