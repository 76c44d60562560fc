"""Pushes spread over the bucket (``--stagger``): each city publishes at its own moment.

With ``SimSettings.stagger`` every city's values still change at the bucket's edge,
but city ``k`` of ``n`` (municipalities.csv order) publishes the change
``k * bucket_s / n`` seconds after the edge, as real platforms spread their changes
instead of sending them all at once. The loop sleeps until each city's instant and
ticks that city alone, so the instant a change is published is known from the
clock: ``publish_instant``. The live bench (``bench/live.py``) measures delivery
delays from it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from typing import Protocol

from citysim.settings import Clock


class Ticking(Protocol):
    """A city's change feed (``citysim.changes.ChangeFeed``)."""

    async def tick(self, *, force: bool = False) -> int: ...


def offsets(city_ids: Sequence[str], bucket_s: float) -> dict[str, float]:
    """City id -> seconds after each bucket's edge at which it publishes."""
    return {city: k * bucket_s / len(city_ids) for k, city in enumerate(city_ids)}


def publish_instant(observed_at: float, offset_s: float, bucket_s: float) -> float:
    """When a city publishing ``offset_s`` after each edge published the value observed
    at ``observed_at``: the value of bucket ``b`` is observed in ``((b-1)*bucket_s, b*bucket_s]``
    (``citysim.world.city``) and published ``offset_s`` after ``b*bucket_s``."""
    return math.ceil(observed_at / bucket_s) * bucket_s + offset_s


async def tick_staggered(feeds: Mapping[str, Ticking], bucket_s: float, clock: Clock) -> None:
    """Forever: tick each city at its own instant after every bucket's edge."""
    shifts = offsets(list(feeds), bucket_s)
    while True:
        now = clock()
        edge = math.floor(now / bucket_s) * bucket_s
        instant, city = min(
            (edge + shift + (bucket_s if edge + shift <= now else 0.0), city)
            for city, shift in shifts.items()
        )
        await asyncio.sleep(max(0.0, instant - clock()))
        if clock() < instant:
            continue  # the loop's timer woke a hair early: sleep the rest
        await feeds[city].tick()
