"""citysim.changes: a tick pushes the types whose time bucket moved, a forced tick
everything watched; a city that is down pushes nothing and stays due."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from citysim.changes import ChangeFeed
from citysim.faults import Fault, parse_fault
from citysim.municipalities import select
from citysim.world.city import CityWorld, Entity
from tests.support.eventually import settle
from tests.support.manual_clock import ManualClock

BUCKET_S = 60.0


class Recorder:
    def __init__(self) -> None:
        self.pushed: list[tuple[str, int, bool]] = []

    async def __call__(self, type_name: str, entities: Sequence[Entity], garbage: bool) -> int:
        self.pushed.append((type_name, len(entities), garbage))
        return 1


def feed(clock: ManualClock, fault: list[Fault | None]) -> tuple[ChangeFeed, Recorder]:
    (_, city), *_ = select(("malmo",))
    world = CityWorld(city, seed=1, per_type=3, bucket_s=BUCKET_S, clock=clock)
    changes = ChangeFeed(world, lambda: fault[0])
    recorder = Recorder()
    changes.listen(lambda: frozenset({"WeatherObserved", "NotAType"}), recorder)
    return changes, recorder


async def test_a_tick_pushes_once_per_bucket_and_force_pushes_again() -> None:
    clock = ManualClock(1_800_000_000.0)
    changes, recorder = feed(clock, [None])
    assert await changes.tick() == 1
    assert recorder.pushed == [("WeatherObserved", 3, False)]
    assert await changes.tick() == 0
    clock.advance(BUCKET_S)
    assert await changes.tick() == 1
    assert await changes.tick(force=True) == 1
    assert len(recorder.pushed) == 3


async def test_down_pushes_nothing_and_the_change_is_pushed_after_healing() -> None:
    clock = ManualClock(1_800_000_000.0)
    fault: list[Fault | None] = [parse_fault({"mode": "down"})]
    changes, recorder = feed(clock, fault)
    assert await changes.tick(force=True) == 0
    assert recorder.pushed == []
    fault[0] = parse_fault({"mode": "garbage"})
    assert await changes.tick() == 1
    assert recorder.pushed == [("WeatherObserved", 3, True)]
    fault[0] = None
    clock.advance(BUCKET_S)
    assert await changes.tick() == 1
    assert recorder.pushed[-1] == ("WeatherObserved", 3, False)


async def test_slow_holds_the_push_back() -> None:
    fault: list[Fault | None] = [parse_fault({"mode": "slow", "delay_s": 30})]
    changes, recorder = feed(ManualClock(1_800_000_000.0), fault)
    ticking = asyncio.ensure_future(changes.tick(force=True))
    await settle()
    assert recorder.pushed == []  # still waiting out the delay
    ticking.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ticking
    fault[0] = None
    assert await changes.tick(force=True) == 1
