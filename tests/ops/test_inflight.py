"""InFlight: a generation drains when every request that entered in it has left."""

from __future__ import annotations

import asyncio

from gateway.ops.inflight import InFlight


async def test_drained_waits_for_requests_of_the_old_generation_only() -> None:
    inflight = InFlight()
    old = inflight.track()
    old.__enter__()
    ended = inflight.advance()
    new = inflight.track()
    new.__enter__()
    waiting = asyncio.create_task(inflight.drained(ended))
    await asyncio.sleep(0)  # let it start waiting
    assert not waiting.done()
    old.__exit__(None, None, None)
    await asyncio.wait_for(waiting, 1)
    assert inflight.count == 1  # the new generation's request is still in flight
    new.__exit__(None, None, None)
    assert inflight.count == 0


async def test_drained_returns_at_once_when_nothing_is_in_flight() -> None:
    inflight = InFlight()
    await asyncio.wait_for(inflight.drained(inflight.advance()), 1)
