"""Requests in flight, by generation: what a reload waits for before closing the old runtime.

A reload swaps the runtime and then advances the generation; a request reads the
runtime after it entered, so every request that may hold the old runtime entered
in an earlier generation. ``drained(g)`` waits until those have all left.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Gauge


class InFlight:
    """Counts requests in flight per generation (and in a gauge, when given one)."""

    def __init__(self, gauge: Gauge | None = None) -> None:
        self.generation = 0
        self._counts: Counter[int] = Counter()
        self._gauge = gauge
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    @property
    def count(self) -> int:
        """Requests in flight now, of every generation."""
        return sum(self._counts.values())

    @contextmanager
    def track(self) -> Iterator[None]:
        """One request, from entering to leaving."""
        generation = self.generation
        self._counts[generation] += 1
        if self._gauge is not None:
            self._gauge.inc()
        try:
            yield
        finally:
            self._counts[generation] -= 1
            if not self._counts[generation]:
                del self._counts[generation]
            if self._gauge is not None:
                self._gauge.dec()
            if self._waiters:
                self._wake()

    def advance(self) -> int:
        """Start a new generation; returns the one that ended."""
        self.generation += 1
        return self.generation - 1

    async def drained(self, generation: int) -> None:
        """Wait until no request of ``generation`` or earlier is in flight."""
        if self._clear(generation):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((generation, future))
        try:
            await future
        finally:
            self._waiters.remove((generation, future))

    def _clear(self, generation: int) -> bool:
        return not any(g <= generation for g in self._counts)

    def _wake(self) -> None:
        for generation, future in self._waiters:
            if not future.done() and self._clear(generation):
                future.set_result(None)
