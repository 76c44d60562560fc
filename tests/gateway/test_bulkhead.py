"""The bulkhead: a bounded number of calls at once, a bounded queue, refusal beyond it."""

from __future__ import annotations

import asyncio

import pytest

from gateway.query.resilience.bulkhead import Bulkhead, BulkheadFull
from tests.support.eventually import until


async def test_at_most_max_concurrent_run_and_the_queue_is_bounded() -> None:
    bulkhead = Bulkhead(max_concurrent=2, max_waiting=1)
    gate = asyncio.Event()
    running = 0
    most = 0

    async def call() -> None:
        nonlocal running, most
        async with bulkhead.slot():
            running += 1
            most = max(most, running)
            await gate.wait()
            running -= 1

    tasks = [asyncio.create_task(call()) for _ in range(3)]
    await until(lambda: bulkhead.in_use == 2 and bulkhead.waiting == 1)
    with pytest.raises(BulkheadFull, match="2 calls running and 1 waiting"):
        async with bulkhead.slot():
            pass
    gate.set()
    await asyncio.gather(*tasks)
    assert most == 2
    assert bulkhead.in_use == 0
    assert bulkhead.waiting == 0


async def test_a_cancelled_waiter_gives_its_place_back() -> None:
    bulkhead = Bulkhead(max_concurrent=1, max_waiting=1)
    async with bulkhead.slot():
        waiter = asyncio.create_task(_enter(bulkhead))
        await until(lambda: bulkhead.waiting == 1)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        assert bulkhead.waiting == 0
    async with bulkhead.slot():
        assert bulkhead.in_use == 1


async def test_a_queued_call_is_counted_while_it_waits_and_a_free_slot_costs_no_wait() -> None:
    counts: list[int] = []
    bulkhead = Bulkhead(max_concurrent=1, max_waiting=4, on_waiting=counts.append)
    async with bulkhead.slot() as first:
        assert first.seconds == 0.0
        waiter = asyncio.create_task(_enter(bulkhead))
        await until(lambda: bulkhead.waiting == 1)
        assert counts == [1]
    await waiter
    assert counts == [1, 0]


async def _enter(bulkhead: Bulkhead) -> None:
    async with bulkhead.slot():
        pass
