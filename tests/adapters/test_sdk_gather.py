"""adapters.sdk.gather: a change pushed part by part (one MQTT message per Observation or
function) becomes one event per entity, once every part reported or the wait ran out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from adapters.sdk.gather import ChangeGatherer, gathered

PARTS = {"station-1": frozenset({"temperature", "humidity"}), "station-2": frozenset({"wind"})}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_change_is_whole_when_its_last_part_reports() -> None:
    gatherer = ChangeGatherer(PARTS, wait_s=1.0, clock=Clock())
    assert gatherer.report("station-1", "temperature") is False
    assert gatherer.wait() == 1.0
    assert gatherer.report("station-1", "humidity") is True
    assert gatherer.wait() is None  # nothing is held any more
    assert gatherer.report("station-2", "wind") is True


def test_a_part_that_never_reports_delays_the_change_by_the_wait_at_most() -> None:
    clock = Clock()
    gatherer = ChangeGatherer(PARTS, wait_s=1.0, clock=clock)
    gatherer.report("station-1", "temperature")
    clock.now += 0.4
    assert gatherer.due() == []
    assert abs((gatherer.wait() or 0.0) - 0.6) < 1e-9
    clock.now += 0.6
    assert gatherer.due() == ["station-1"]
    assert gatherer.due() == []
    # the next message opens a new change
    assert gatherer.report("station-1", "temperature") is False


def test_the_same_part_twice_does_not_make_a_change_whole() -> None:
    gatherer = ChangeGatherer(PARTS, wait_s=1.0, clock=Clock())
    assert gatherer.report("station-1", "temperature") is False
    assert gatherer.report("station-1", "temperature") is False
    assert gatherer.report("station-1", "humidity") is True


async def _messages(items: list[tuple[str, str] | None]) -> AsyncIterator[tuple[str, str] | None]:
    for item in items:
        yield item


async def test_gathered_yields_each_entity_once_per_whole_change() -> None:
    messages = [
        ("station-1", "temperature"),
        ("station-2", "wind"),
        None,  # a message the stream does not map (another topic)
        ("station-1", "humidity"),
    ]
    keys = [
        key
        async for key in gathered(
            _messages(messages), lambda message: message, ChangeGatherer(PARTS, wait_s=60)
        )
    ]
    assert keys == ["station-2", "station-1"]


async def test_gathered_yields_a_partial_change_when_the_wait_runs_out() -> None:
    """The stream stays open after one part; the wait (real, short) ends the gathering."""
    arrived = asyncio.Event()

    async def one_then_silence() -> AsyncIterator[tuple[str, str]]:
        yield ("station-1", "temperature")
        arrived.set()
        await asyncio.Event().wait()  # an MQTT stream with nothing more to say
        yield ("never", "sent")

    stream = gathered(one_then_silence(), lambda m: m, ChangeGatherer(PARTS, wait_s=0.05))
    assert await asyncio.wait_for(anext(stream), 10) == "station-1"
    assert arrived.is_set()
    await stream.aclose()  # type: ignore[attr-defined]
