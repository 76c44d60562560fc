"""The two tiers as one: memory first, then Redis (an entry found there is kept in memory).

Redis is asked only by the one call in flight for a key (single-flight), so a burst
of identical misses costs Redis one lookup, not one per caller.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter

from gateway.clock import Clock
from gateway.ops.metrics import Metrics
from gateway.query.cache.codec import CodecError, decode_entry, encode_entry
from gateway.query.cache.entry import Entry, Freshness
from gateway.query.cache.memory import MemoryTier
from gateway.query.cache.redis_tier import Lock, RedisTier

log = logging.getLogger("caap.cache")

MEMORY = "memory"
REDIS = "redis"


class ResultCache:
    """Cached city answers by key; ``shared`` is None without ``CAAP_REDIS_URL``."""

    def __init__(
        self,
        memory: MemoryTier,
        shared: RedisTier | None,
        clock: Clock,
        metrics: Metrics | None = None,
    ) -> None:
        self.memory = memory
        self.shared = shared
        self._clock = clock
        self._metrics = metrics
        self._events: dict[tuple[str, str], Counter] = {}
        """The labelled counters met so far (``labels()`` costs more than ``inc()``)."""
        self._memory_bytes = metrics.cache_bytes.labels(MEMORY) if metrics is not None else None

    def event(self, tier: str, event: str) -> None:
        """Count one ``caap_cache_events_total{tier, event}``."""
        if self._metrics is not None:
            counter = self._events.get((tier, event))
            if counter is None:
                counter = self._events[tier, event] = self._metrics.cache_events.labels(tier, event)
            counter.inc()

    def local(self, key: str) -> Entry | None:
        """The entry in this process, if any."""
        return self.memory.get(key)

    async def shared_entry(self, key: str) -> Entry | None:
        """The entry in Redis (kept in memory too), unless absent, expired or unreadable."""
        if self.shared is None:
            return None
        data = await self.shared.get(key)
        entry = self._decode(data) if data is not None else None
        if entry is None or entry.freshness(self._clock()) is Freshness.EXPIRED:
            self.event(REDIS, "miss")
            return None
        self._keep(key, entry)
        return entry

    async def put(self, key: str, entry: Entry) -> None:
        """Store in both tiers (Redis keeps it as long as it can be of use)."""
        self._keep(key, entry)
        if self.shared is not None:
            ttl = entry.expires_at - self._clock()
            if ttl > 0:
                await self.shared.set(key, encode_entry(entry), ttl)

    async def lock(self, key: str, ttl_s: float) -> Lock:
        """The cross-instance lock for loading ``key``; ``Lock()`` without a shared tier."""
        if self.shared is None:
            return Lock()
        return await self.shared.acquire(lock_key(key), ttl_s)

    async def unlock(self, key: str, lock: Lock) -> None:
        """Release a lock ``lock`` returned."""
        if self.shared is not None and lock.token is not None:
            await self.shared.release(lock_key(key), lock.token)

    async def from_peer(self, key: str, deadline: float) -> Entry | None:
        """The entry another instance is loading, once it lands (None if it does not)."""
        if self.shared is None:
            return None
        data = await self.shared.wait_for(key, lock_key(key), deadline)
        entry = self._decode(data) if data is not None else None
        if entry is not None:
            self._keep(key, entry)
        return entry

    def _keep(self, key: str, entry: Entry) -> None:
        self.memory.put(key, entry)
        if self._memory_bytes is not None:
            self._memory_bytes.set(self.memory.bytes)

    def _decode(self, data: bytes) -> Entry | None:
        try:
            return decode_entry(data)
        except CodecError as exc:
            log.warning("an entry in redis could not be read (%s); ignored", exc)
            self.event(REDIS, "error")
            return None


def lock_key(key: str) -> str:
    """Where the lock for loading ``key`` lives."""
    return f"{key}:lock"
