"""Fixed-window counters, for rate limits (the limiter itself is issue 6).

``await counters.hit("client:abc", window_s=60)`` adds one and returns the count
in the current window. Windows are aligned on the wall clock, so every gateway
instance sharing Redis counts into the same one; while Redis is down each
instance counts on its own (a limit is then per instance, and the log says so).
"""

from __future__ import annotations

from typing import Protocol

from cachetools import LRUCache

from gateway.clock import Clock
from gateway.query.cache.keys import VERSION
from gateway.query.cache.redis_tier import RedisTier


class Counters(Protocol):
    """Counting hits per name and window."""

    async def hit(self, name: str, window_s: float, amount: int = 1) -> int:
        """Add ``amount`` to ``name`` in the current window of ``window_s``; the new count."""
        ...


class LocalCounters:
    """Counters in this process; the least recently used windows are forgotten first."""

    def __init__(self, clock: Clock, max_windows: int = 100_000) -> None:
        self._clock = clock
        self._counts: LRUCache[tuple[str, float, int], int] = LRUCache(maxsize=max_windows)

    async def hit(self, name: str, window_s: float, amount: int = 1) -> int:
        key = (name, window_s, int(self._clock() // window_s))
        value = self._counts.get(key, 0) + amount
        self._counts[key] = value
        return value


class SharedCounters:
    """Counters in Redis, shared by every instance; local ones while Redis is down."""

    def __init__(self, redis: RedisTier, clock: Clock) -> None:
        self._redis = redis
        self._clock = clock
        self._local = LocalCounters(clock)

    async def hit(self, name: str, window_s: float, amount: int = 1) -> int:
        window = int(self._clock() // window_s)
        key = f"caap:{VERSION}:rl:{name}:{window_s:g}:{window}"
        value = await self._redis.incr(key, amount, ttl_s=2 * window_s)
        if value is None:
            return await self._local.hit(name, window_s, amount)
        return value
