"""The in-process cache of the cities' discovery answers (ADR 0020).

Discovery changes rarely (a type or an attribute added), so an answer is used
for ``fresh_s`` and, while the city fails, for ``stale_if_error_s`` more (served
stale, coverage says so). Keys are ``call_key("discovery", city, question,
policy class)``: the question holds only the types the caller may see, so callers
of different policy classes never share an entry. At most ``max_entries`` are kept
(least recently used dropped): memory stays bounded whatever the callers.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from adapters import DiscoveryResult

FRESH_S = 300.0
STALE_IF_ERROR_S = 3600.0
MAX_ENTRIES = 2048


@dataclass(frozen=True, slots=True)
class Cached:
    """An answer and when it was stored (on the cache's clock)."""

    result: DiscoveryResult
    stored_at: float


class DiscoveryCache:
    """Discovery answers by key, fresh for ``fresh_s``, usable on error for longer."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        fresh_s: float = FRESH_S,
        stale_if_error_s: float = STALE_IF_ERROR_S,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._clock = clock
        self.fresh_s = fresh_s
        self.stale_if_error_s = stale_if_error_s
        self.max_entries = max_entries
        self._entries: OrderedDict[str, Cached] = OrderedDict()

    def fresh(self, key: str) -> DiscoveryResult | None:
        """The answer under ``key`` while it is fresh."""
        entry = self._entries.get(key)
        if entry is None or self.age(entry) > self.fresh_s:
            return None
        self._entries.move_to_end(key)
        return entry.result

    def on_error(self, key: str) -> Cached | None:
        """The answer under ``key`` while it may stand in for a failed call."""
        entry = self._entries.get(key)
        if entry is None or self.age(entry) > self.fresh_s + self.stale_if_error_s:
            return None
        return entry

    def put(self, key: str, result: DiscoveryResult) -> None:
        """Store ``result``; the least recently used entry goes when the cache is full."""
        self._entries[key] = Cached(result, self._clock())
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def age(self, entry: Cached) -> float:
        """Seconds since ``entry`` was stored."""
        return self._clock() - entry.stored_at

    def __len__(self) -> int:
        return len(self._entries)
