"""A bulkhead: at most ``max_concurrent`` calls to one city at once, ``max_waiting`` queued.

A slow city then holds a bounded share of the gateway's connections and tasks;
calls beyond the queue are refused at once instead of piling up. How long a call
waited for its slot is told to the caller (``slot()`` yields a :class:`Waited`), and
every change in the number queued to ``on_waiting`` (the ``caap_upstream_queued`` gauge).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType


class BulkheadFull(Exception):
    """Every slot is taken and the queue is full."""


@dataclass(slots=True)
class Waited:
    """Seconds a call spent queued for a slot (summed over its attempts)."""

    seconds: float = 0.0


class Bulkhead:
    """Slots for concurrent calls; ``async with bulkhead.slot() as waited: ...``."""

    def __init__(
        self,
        max_concurrent: int,
        max_waiting: int,
        on_waiting: Callable[[int], None] | None = None,
    ) -> None:
        self.max_concurrent = max_concurrent
        self.max_waiting = max_waiting
        self._free = asyncio.Semaphore(max_concurrent)
        self._waiting = 0
        self._on_waiting = on_waiting

    @property
    def in_use(self) -> int:
        """Slots taken now."""
        return self.max_concurrent - self._free._value

    @property
    def waiting(self) -> int:
        """Calls queued for a slot now."""
        return self._waiting

    def slot(self) -> Slot:
        """Hold a slot for the block; raise BulkheadFull when the queue is full."""
        return Slot(self)

    async def _queue(self) -> Waited:
        started = time.monotonic()
        self._count_waiting(+1)
        try:
            await self._free.acquire()
        finally:
            self._count_waiting(-1)
        return Waited(time.monotonic() - started)

    def _count_waiting(self, change: int) -> None:
        self._waiting += change
        if self._on_waiting is not None:
            self._on_waiting(self._waiting)


class Slot:
    """``async with bulkhead.slot() as waited``: one slot held for the block.

    A class rather than ``@asynccontextmanager``: entered once per call to a city, where
    the generator machinery cost more than the rest of the bulkhead."""

    __slots__ = ("_bulkhead",)

    def __init__(self, bulkhead: Bulkhead) -> None:
        self._bulkhead = bulkhead

    async def __aenter__(self) -> Waited:
        bulkhead = self._bulkhead
        free = bulkhead._free
        if not free.locked():  # a free slot: no queue, no clock reading
            await free.acquire()
            return Waited()
        if bulkhead._waiting >= bulkhead.max_waiting:
            raise BulkheadFull(
                f"{bulkhead.max_concurrent} calls running and {bulkhead._waiting} waiting "
                "for this city"
            )
        return await bulkhead._queue()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._bulkhead._free.release()
