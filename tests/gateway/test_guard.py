"""A city's guard: retries with backoff and budget, Retry-After, breaker, bulkhead, timeout."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable

import pytest

from adapters.errors import (
    UnsupportedQuery,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.clock import Clocks
from gateway.ops.metrics import Metrics
from gateway.query.resilience import (
    BreakerSettings,
    BreakerState,
    CircuitOpen,
    CityGuard,
    GuardSettings,
    RetryPolicy,
)
from gateway.query.resilience.retry import RetryBudget, retriable
from tests.support.eventually import until
from tests.support.manual_clock import ManualClock


class Script:
    """An attempt that raises the scripted errors in turn, then answers "ok"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def guard(
    clock: ManualClock,
    slept: list[float],
    *,
    retries: int = 2,
    budget: float = 0.2,
    metrics: Metrics | None = None,
) -> CityGuard:
    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    settings = GuardSettings(
        retry=RetryPolicy(retries=retries, base_s=0.1, max_s=1.0),
        retry_budget=budget,
        breaker=BreakerSettings(failure_ratio=0.5, min_calls=4, window_s=30, open_s=10),
        max_concurrent=2,
        max_waiting=0,
    )
    clocks = Clocks(wall=clock, monotonic=clock, sleep=sleep)
    return CityGuard("malmo", settings, clocks, metrics, random.Random(1))


def later(seconds: float = 30.0) -> float:
    return time.monotonic() + seconds


async def test_transient_failures_are_retried_with_jittered_backoff() -> None:
    slept: list[float] = []
    g = guard(ManualClock(), slept)
    attempt = Script(UpstreamUnavailable("refused"), UpstreamError("bad gateway", status=502))
    assert await g.call(attempt, later()) == "ok"
    assert attempt.calls == 3
    assert len(slept) == 2
    assert 0 <= slept[0] <= 0.1
    assert 0 <= slept[1] <= 0.2


@pytest.mark.parametrize(
    "error",
    [
        UpstreamError("internal", status=500),
        UpstreamError("bad request", status=400),
        UpstreamProtocolError("not JSON"),
        UnsupportedQuery("no such type"),
    ],
)
async def test_answers_that_would_not_change_are_not_retried(error: Exception) -> None:
    g = guard(ManualClock(), [])
    attempt = Script(error)
    with pytest.raises(type(error)):
        await g.call(attempt, later())
    assert attempt.calls == 1


async def test_retries_stop_after_the_limit() -> None:
    g = guard(ManualClock(), [], retries=1)
    attempt = Script(*(UpstreamUnavailable("refused") for _ in range(5)))
    with pytest.raises(UpstreamUnavailable):
        await g.call(attempt, later())
    assert attempt.calls == 2


async def test_the_retry_budget_caps_retries_across_calls() -> None:
    g = guard(ManualClock(), [], retries=5, budget=0.0)
    g.budget = RetryBudget(ratio=0.0, reserve=3.0)
    attempt = Script(*(UpstreamUnavailable("refused") for _ in range(10)))
    with pytest.raises(UpstreamUnavailable):
        await g.call(attempt, later())
    assert attempt.calls == 4  # the first try and the 3 retries of the reserve


async def test_retry_after_is_waited_for_and_blocks_later_calls_until_then() -> None:
    clock = ManualClock()
    slept: list[float] = []
    g = guard(clock, slept)
    attempt = Script(UpstreamUnavailable("429", status=429, retry_after_s=2.0))
    assert await g.call(attempt, later()) == "ok"
    assert slept == [2.0]

    too_long = Script(UpstreamUnavailable("503", status=503, retry_after_s=60.0))
    with pytest.raises(UpstreamUnavailable):
        await g.call(too_long, later(5))  # 60 s does not fit in 5: no retry
    assert too_long.calls == 1
    blocked = Script()
    with pytest.raises(UpstreamUnavailable, match="Retry-After") as info:
        await g.call(blocked, later())
    assert blocked.calls == 0
    assert info.value.retry_after_s == pytest.approx(60.0)
    clock.advance(60)
    assert await g.call(blocked, later()) == "ok"


async def test_no_retry_starts_that_the_deadline_would_cut() -> None:
    g = guard(ManualClock(), [], retries=5)
    g.settings = GuardSettings(retry=RetryPolicy(retries=5, base_s=10.0, max_s=10.0))
    attempt = Script(*(UpstreamUnavailable("refused") for _ in range(5)))
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable):
        await g.call(attempt, started + 0.001)  # any backoff passes the deadline
    assert attempt.calls == 1


async def test_an_open_breaker_makes_no_attempt_until_the_probe() -> None:
    clock = ManualClock()
    metrics = Metrics()
    g = guard(clock, [], retries=0, metrics=metrics)
    for _ in range(4):
        with pytest.raises(UpstreamUnavailable):
            await g.call(Script(UpstreamUnavailable("refused")), later())
    assert g.breaker.state is BreakerState.OPEN
    assert metrics.circuit_state.labels("malmo")._value.get() == 2
    untouched = Script()
    with pytest.raises(CircuitOpen, match="next probe in 10 s"):
        await g.call(untouched, later())
    assert untouched.calls == 0
    clock.advance(10)
    assert await g.call(untouched, later()) == "ok"  # the probe
    assert untouched.calls == 1
    assert g.breaker.state is BreakerState.CLOSED
    assert metrics.circuit_state.labels("malmo")._value.get() == 0
    rejected = metrics.upstream_rejected.labels("malmo", "circuit_open")._value.get()
    assert rejected == 1


async def test_client_errors_do_not_open_the_breaker() -> None:
    g = guard(ManualClock(), [], retries=0)
    for _ in range(10):
        with pytest.raises(UpstreamError):
            await g.call(Script(UpstreamError("not found", status=404)), later())
    assert g.breaker.state is BreakerState.CLOSED


async def test_a_call_past_the_deadline_is_a_timeout() -> None:
    g = guard(ManualClock(), [])
    never = asyncio.Event()

    async def hang() -> str:
        await never.wait()
        return "never"

    with pytest.raises(UpstreamTimeout):  # the attempt never ends by itself
        await g.call(hang, time.monotonic() + 0.05)


async def test_a_full_bulkhead_refuses_at_once() -> None:
    g = guard(ManualClock(), [])
    gate = asyncio.Event()

    async def wait() -> str:
        await gate.wait()
        return "ok"

    running = [asyncio.create_task(g.call(wait, later())) for _ in range(2)]
    await until(lambda: g.bulkhead.in_use == 2)
    refused: Callable[[], Awaitable[str]] = Script()
    with pytest.raises(UpstreamUnavailable, match="2 calls running"):
        await g.call(refused, later())
    gate.set()
    assert await asyncio.gather(*running) == ["ok", "ok"]


def test_what_is_retriable() -> None:
    assert retriable(UpstreamUnavailable("x"))
    assert retriable(UpstreamTimeout("x"))
    assert retriable(UpstreamError("x", status=504))
    assert not retriable(UpstreamError("x", status=500))
    assert not retriable(UpstreamProtocolError("x"))


async def test_l1_a_long_retry_after_holds_the_city_no_longer_than_the_cap() -> None:
    """Finding L1: one 429 with Retry-After 86,400 s left a city unasked for a day."""
    clock = ManualClock()
    g = guard(clock, [])
    day = Script(UpstreamUnavailable("429", status=429, retry_after_s=86_400.0))
    with pytest.raises(UpstreamUnavailable):
        await g.call(day, later(5))
    cap = GuardSettings().max_retry_after_s
    blocked = Script()
    with pytest.raises(UpstreamUnavailable, match="Retry-After") as info:
        await g.call(blocked, later())
    assert info.value.retry_after_s == pytest.approx(cap)
    clock.advance(cap)
    assert await g.call(blocked, later()) == "ok"
