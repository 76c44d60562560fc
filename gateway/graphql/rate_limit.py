"""Rate limits per client: a token bucket per client id, or per address for anonymous callers.

In one process the buckets are exact (``LocalBuckets``). With ``CAAP_REDIS_URL`` the
instances share the cache tier's counters (``SharedBuckets``): a fixed window of
``burst / requests_per_s`` seconds admits ``burst`` requests, the same long-run rate as
the bucket, with bursts up to twice as large where two windows meet.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from cachetools import LRUCache

from gateway.auth.principal import Principal
from gateway.clock import Clock
from gateway.federation.guards import Rate, RateLimitOptions
from gateway.query.cache.counters import Counters


class Buckets(Protocol):
    """Token buckets by key."""

    async def take(self, key: str, rate: Rate, amount: int = 1) -> float:
        """Take ``amount`` tokens: 0.0 when granted, else the seconds until they would be."""
        ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class LocalBuckets:
    """Buckets in this process; the least recently used keys are forgotten (refilled) first."""

    def __init__(self, clock: Clock = time.monotonic, max_keys: int = 100_000) -> None:
        self._clock = clock
        self._buckets: LRUCache[str, _Bucket] = LRUCache(maxsize=max_keys)

    async def take(self, key: str, rate: Rate, amount: int = 1) -> float:
        if rate.requests_per_s <= 0:
            return 0.0
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(rate.burst), now)
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(float(rate.burst), bucket.tokens + elapsed * rate.requests_per_s)
        bucket.updated = now
        if bucket.tokens >= amount:
            bucket.tokens -= amount
            return 0.0
        return (amount - bucket.tokens) / rate.requests_per_s


class SharedBuckets:
    """Buckets as fixed windows of shared counters (``gateway.query.cache.counters``)."""

    def __init__(self, counters: Counters, clock: Clock = time.time) -> None:
        self._counters = counters
        self._clock = clock
        """The counters' clock: windows are aligned on it."""

    async def take(self, key: str, rate: Rate, amount: int = 1) -> float:
        if rate.requests_per_s <= 0:
            return 0.0
        window = rate.burst / rate.requests_per_s
        count = await self._counters.hit(key, window, amount)
        if count <= rate.burst:
            return 0.0
        await self._counters.hit(key, window, -amount)  # a refused request takes no token
        return window - self._clock() % window


class RateLimiter:
    """Who may send a request now, as ``options`` say."""

    def __init__(self, buckets: Buckets, options: RateLimitOptions) -> None:
        self._buckets = buckets
        self._options = options

    async def wait(self, principal: Principal, address: str | None, requests: int = 1) -> float:
        """0.0 when the caller may send ``requests`` now, else the seconds to wait."""
        rate = self._options.for_client(principal.client_id)
        return await self._buckets.take(client_key(principal, address), rate, requests)


def client_key(principal: Principal, address: str | None) -> str:
    """Whose bucket: the token's client id, its subject (hashed), or the caller's address."""
    if principal.client_id is not None:
        return f"client:{principal.client_id}"
    if principal.subject_hash is not None:
        return f"subject:{principal.subject_hash}"
    return f"address:{address or 'unknown'}"


def retry_after(wait_s: float) -> str:
    """The ``Retry-After`` value for a wait: whole seconds, at least 1."""
    return str(max(1, math.ceil(wait_s)))
