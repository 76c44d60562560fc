"""Clocks are injected, so tests move time instead of sleeping.

``Clock`` returns seconds. The cache uses wall-clock time (entries are shared
between gateway instances through Redis); breakers and Retry-After holds use a
monotonic clock. A test passes one manual clock for both.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Clocks:
    """The gateway's sense of time: ``wall`` for cache entries, ``monotonic`` for breakers."""

    wall: Clock = field(default=time.time)
    monotonic: Clock = field(default=time.monotonic)
    sleep: Sleep = field(default=asyncio.sleep)

    @classmethod
    def single(cls, clock: Clock) -> Clocks:
        """One clock for everything (a test's manual clock); sleeping stays real."""
        return cls(wall=clock, monotonic=clock)
