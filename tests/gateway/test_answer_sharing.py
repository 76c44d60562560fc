"""Request-level single flight (ADR 0027): which execution in flight a request may join."""

from __future__ import annotations

import asyncio

import pytest

from gateway.graphql.answer_sharing import SharedAnswer, SharedExecutions, joined
from gateway.graphql.response_cache import Stored
from gateway.query import arrival


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def answer(body: bytes) -> SharedAnswer:
    return SharedAnswer(Stored(body), complete=True)


async def test_with_a_lifetime_of_0_only_an_execution_started_after_arrival_is_joined() -> None:
    clock = Clock()
    shared = SharedExecutions(0.0, clock)
    token = arrival.stamp(clock.now)  # arrived at 100
    try:
        with shared.leading("k") as lead:
            assert shared.joinable("k") is not None  # started at 100: not older than arrival
            clock.now = 101.0
            later = arrival.stamp(101.0)
            assert shared.joinable("k") is None  # arrived after it started: ask again
            arrival.unstamp(later)
            lead.answered(answer(b"one"))
        assert shared.joinable("k") is None  # over: nothing in flight
    finally:
        arrival.unstamp(token)


async def test_a_lifetime_lets_a_request_join_an_execution_that_young() -> None:
    clock = Clock()
    shared = SharedExecutions(2.0, clock)
    with shared.leading("k"):
        for arrived, joins in ((101.5, True), (102.0, True), (102.5, False)):
            token = arrival.stamp(arrived)
            assert (shared.joinable("k") is not None) is joins, arrived
            arrival.unstamp(token)


async def test_joiners_get_the_answer_or_run_their_own_when_the_execution_fails() -> None:
    shared = SharedExecutions(5.0)
    with shared.leading("ok") as lead:
        waiting = asyncio.ensure_future(joined(shared.joinable("ok")))  # type: ignore[arg-type]
        lead.answered(answer(b"bytes"))
    assert (await waiting) == answer(b"bytes")
    orphans = []

    def fail() -> None:
        with shared.leading("broken"):
            orphans.append(asyncio.ensure_future(joined(shared.joinable("broken"))))  # type: ignore[arg-type]
            raise RuntimeError("the execution failed")

    with pytest.raises(RuntimeError):
        fail()
    assert await orphans[0] is None


async def test_a_cancelled_joiner_leaves_the_answer_to_the_others() -> None:
    shared = SharedExecutions(5.0)
    with shared.leading("k") as lead:
        future = shared.joinable("k")
        assert future is not None
        gone = asyncio.ensure_future(joined(future))
        staying = asyncio.ensure_future(joined(future))
        await asyncio.sleep(0)
        gone.cancel()
        lead.answered(answer(b"x"))
    assert (await staying) == answer(b"x")
    assert gone.cancelled()
