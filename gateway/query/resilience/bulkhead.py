"""A bulkhead: at most ``max_concurrent`` calls to one city at once, ``max_waiting`` queued.

A slow city then holds a bounded share of the gateway's connections and tasks;
calls beyond the queue are refused at once instead of piling up.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class BulkheadFull(Exception):
    """Every slot is taken and the queue is full."""


class Bulkhead:
    """Slots for concurrent calls; ``async with bulkhead.slot(): ...``."""

    def __init__(self, max_concurrent: int, max_waiting: int) -> None:
        self.max_concurrent = max_concurrent
        self.max_waiting = max_waiting
        self._free = asyncio.Semaphore(max_concurrent)
        self._waiting = 0

    @property
    def in_use(self) -> int:
        """Slots taken now."""
        return self.max_concurrent - self._free._value

    @property
    def waiting(self) -> int:
        """Calls queued for a slot now."""
        return self._waiting

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot for the block; raise BulkheadFull when the queue is full."""
        if self._free.locked() and self._waiting >= self.max_waiting:
            raise BulkheadFull(
                f"{self.max_concurrent} calls running and {self._waiting} waiting for this city"
            )
        self._waiting += 1
        try:
            await self._free.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._free.release()
