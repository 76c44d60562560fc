"""The in-process tier: a TLRU cache (cachetools) bounded in bytes, each entry dropped when
nothing can be done with it any more."""

from __future__ import annotations

import sys
from typing import NamedTuple

from cachetools import TLRUCache

from gateway.clock import Clock
from gateway.query.cache.entry import Entry
from gateway.query.cache.sizing import result_size

_OVERHEAD = 4 * sys.getsizeof(0.0) + 256
"""Per entry besides its answer: its times, the key, the cache's bookkeeping (estimated high)."""


class _Sized(NamedTuple):
    entry: Entry
    size: int


class MemoryTier:
    """Entries by key, least recently used evicted first once ``max_bytes`` would be passed."""

    def __init__(self, max_bytes: int, clock: Clock) -> None:
        self.max_bytes = max_bytes
        self._cache: TLRUCache[str, _Sized] = TLRUCache(
            maxsize=max_bytes,
            ttu=lambda _key, sized, _now: sized.entry.expires_at,
            timer=clock,
            getsizeof=lambda sized: sized.size,
        )

    @property
    def bytes(self) -> int:
        """Estimated bytes held now."""
        return int(self._cache.currsize)

    def __len__(self) -> int:
        return len(self._cache)

    def get(self, key: str) -> Entry | None:
        """The entry, unless absent or expired."""
        sized = self._cache.get(key)
        return sized.entry if sized is not None else None

    def put(self, key: str, entry: Entry) -> bool:
        """Store ``entry``; False when not stored (larger than the bound, or expired)."""
        size = result_size(entry.result) + sys.getsizeof(key) + _OVERHEAD
        try:
            self._cache[key] = _Sized(entry, size)
        except ValueError:  # larger than the whole cache
            self._cache.pop(key, None)
            return False
        return key in self._cache

    def pop(self, key: str) -> None:
        """Forget ``key``."""
        self._cache.pop(key, None)
