"""citysim.staggered_ticks: each city publishes at its own moment of the bucket, in turn,
once per bucket; the publish instant of a value follows from its observation time."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time

from citysim.staggered_ticks import offsets, publish_instant, tick_staggered

BUCKET_S = 0.06


class Feed:
    def __init__(self, city: str, ticks: list[tuple[str, float]], done: asyncio.Event) -> None:
        self.city, self.ticks, self.done = city, ticks, done

    async def tick(self, *, force: bool = False) -> int:
        self.ticks.append((self.city, time.time()))
        if len(self.ticks) >= 9:
            self.done.set()
        return 1


def test_offsets_spread_the_cities_over_the_bucket() -> None:
    assert offsets(["a", "b", "c"], 9.0) == {"a": 0.0, "b": 3.0, "c": 6.0}


def test_the_publish_instant_is_the_offset_after_the_edge_that_follows_the_observation() -> None:
    assert publish_instant(100.5, 3.0, 9.0) == 108.0 + 3.0
    assert publish_instant(108.0, 3.0, 9.0) == 108.0 + 3.0  # observed on the edge itself


async def test_each_city_ticks_in_turn_once_per_bucket() -> None:
    ticks: list[tuple[str, float]] = []
    done = asyncio.Event()
    feeds = {city: Feed(city, ticks, done) for city in ("a", "b", "c")}
    task = asyncio.create_task(tick_staggered(feeds, BUCKET_S, time.time))
    try:
        await asyncio.wait_for(done.wait(), 30)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    order = [city for city, _ in ticks]
    first = "abc".index(order[0])
    assert order == [("abc" * 4)[first + i] for i in range(len(order))]
    shift = offsets(list(feeds), BUCKET_S)
    for city in feeds:
        buckets = [math.floor((t - shift[city]) / BUCKET_S) for c, t in ticks if c == city]
        assert buckets == sorted(set(buckets))  # one tick per bucket, never early twice
