"""Single-flight: concurrent identical calls share one; leaving waiters do not cancel it."""

from __future__ import annotations

import asyncio

import pytest

from gateway.query.cache.singleflight import SingleFlight


class Call:
    def __init__(self, outcome: BaseException | None = None) -> None:
        self.gate = asyncio.Event()
        self.started = 0
        self.cancelled = False
        self.outcome = outcome

    async def __call__(self) -> str:
        self.started += 1
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        if self.outcome is not None:
            raise self.outcome
        return "answer"


async def settle(flights: SingleFlight[str]) -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_concurrent_callers_share_one_call() -> None:
    flights: SingleFlight[str] = SingleFlight()
    call = Call()
    tasks = [asyncio.create_task(flights.run("k", call)) for _ in range(100)]
    await settle(flights)
    call.gate.set()
    results = await asyncio.gather(*tasks)
    assert call.started == 1
    assert [r[0] for r in results] == ["answer"] * 100
    assert sum(1 for r in results if r[1]) == 99  # all but the first were coalesced
    assert len(flights) == 0


async def test_different_keys_do_not_share() -> None:
    flights: SingleFlight[str] = SingleFlight()
    call = Call()
    call.gate.set()
    await asyncio.gather(flights.run("a", call), flights.run("b", call))
    assert call.started == 2


async def test_an_error_reaches_every_waiter_and_is_not_kept() -> None:
    flights: SingleFlight[str] = SingleFlight()
    failing = Call(RuntimeError("down"))
    tasks = [asyncio.create_task(flights.run("k", failing)) for _ in range(3)]
    await settle(flights)
    failing.gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    ok = Call()
    ok.gate.set()
    assert await flights.run("k", ok) == ("answer", False)


async def test_a_waiter_leaving_does_not_cancel_the_call_for_the_others() -> None:
    flights: SingleFlight[str] = SingleFlight()
    call = Call()
    leaving = asyncio.create_task(flights.run("k", call))
    staying = asyncio.create_task(flights.run("k", call))
    await settle(flights)
    leaving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert not call.cancelled
    call.gate.set()
    assert await staying == ("answer", True)


async def test_the_last_waiter_leaving_cancels_the_call() -> None:
    flights: SingleFlight[str] = SingleFlight()
    call = Call()
    tasks = [asyncio.create_task(flights.run("k", call)) for _ in range(2)]
    await settle(flights)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await settle(flights)
    assert call.cancelled
    assert len(flights) == 0


async def test_a_caller_that_arrived_after_the_call_started_starts_its_own() -> None:
    """Fresh enough (ADR 0025): a call that started before ``fresh_after`` is not joined."""
    now = [100.0]
    flights: SingleFlight[str] = SingleFlight(clock=lambda: now[0])
    first, second = Call(), Call()
    early = asyncio.create_task(flights.run("k", first, fresh_after=100.0))
    await settle(flights)
    now[0] = 101.0  # the next caller arrives one second after the call started
    late = asyncio.create_task(flights.run("k", second, fresh_after=101.0))
    await settle(flights)
    assert (first.started, second.started) == (1, 1)
    first.gate.set()
    second.gate.set()
    assert await early == ("answer", False)
    assert await late == ("answer", False)


async def test_a_caller_joins_a_call_that_started_within_its_freshness() -> None:
    now = [100.0]
    flights: SingleFlight[str] = SingleFlight(clock=lambda: now[0])
    call, unused = Call(), Call()
    first = asyncio.create_task(flights.run("k", call, fresh_after=100.0))
    await settle(flights)
    now[0] = 101.0
    # arrived at 101 and accepts answers up to 5 s old: the call of 100 is fresh enough
    joined = asyncio.create_task(flights.run("k", unused, fresh_after=96.0))
    # arrived before the call started (fresh_after 99.5 with no freshness to spare)
    earlier = asyncio.create_task(flights.run("k", unused, fresh_after=99.5))
    await settle(flights)
    assert (call.started, unused.started) == (1, 0)
    call.gate.set()
    assert await first == ("answer", False)
    assert await joined == ("answer", True)
    assert await earlier == ("answer", True)


async def test_later_callers_join_the_newest_call() -> None:
    now = [100.0]
    flights: SingleFlight[str] = SingleFlight(clock=lambda: now[0])
    old, new, unused = Call(), Call(), Call()
    tasks = [asyncio.create_task(flights.run("k", old, fresh_after=100.0))]
    await settle(flights)
    now[0] = 102.0
    tasks.append(asyncio.create_task(flights.run("k", new, fresh_after=102.0)))
    await settle(flights)
    tasks.append(asyncio.create_task(flights.run("k", unused, fresh_after=101.0)))
    await settle(flights)
    assert (old.started, new.started, unused.started) == (1, 1, 0)
    new.gate.set()
    assert [await t for t in tasks[1:]] == [("answer", False), ("answer", True)]
    assert not tasks[0].done()  # the older call still serves its own caller
    old.gate.set()
    assert await tasks[0] == ("answer", False)
    assert len(flights) == 0


async def test_joinable_says_whether_run_would_join() -> None:
    now = [100.0]
    flights: SingleFlight[str] = SingleFlight(clock=lambda: now[0])
    call = Call()
    assert not flights.joinable("k")
    first = asyncio.create_task(flights.run("k", call, fresh_after=100.0))
    await settle(flights)
    assert flights.joinable("k", fresh_after=99.0)
    assert not flights.joinable("k", fresh_after=100.5)  # started before this caller allows
    assert not flights.joinable("other")
    call.gate.set()
    assert await first == ("answer", False)
    assert not flights.joinable("k")
