"""Events held until they may be shown: a grant's ``older_than_min`` delays delivery.

An observation made at ``t`` is delivered at ``t + delay`` (at once when that has
passed). At most ``capacity`` events wait; past that a new one is dropped and
counted (showing it early would break the grant; memory stays bounded).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from typing import Generic, TypeVar

from gateway.clock import Clocks

T = TypeVar("T")


class DelayLine(Generic[T]):
    """Hands each item to ``deliver`` once its due time (wall clock) has come."""

    def __init__(self, clocks: Clocks, deliver: Callable[[T], None], capacity: int) -> None:
        self._clocks = clocks
        self._deliver = deliver
        self._capacity = capacity
        self._heap: list[tuple[float, int, T]] = []
        self._order = itertools.count()
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.dropped = 0

    def put(self, due: float, item: T) -> None:
        """Deliver ``item`` at ``due`` (now when it has passed)."""
        if due <= self._clocks.wall():
            self._deliver(item)
            return
        if len(self._heap) >= self._capacity:
            self.dropped += 1
            return
        heapq.heappush(self._heap, (due, next(self._order), item))
        self._changed.set()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            self._changed.clear()
            while self._heap and self._heap[0][0] <= self._clocks.wall():
                self._deliver(heapq.heappop(self._heap)[2])
            if not self._heap:
                await self._changed.wait()
                continue
            wait = self._heap[0][0] - self._clocks.wall()
            sleeper = asyncio.ensure_future(self._clocks.sleep(wait))
            changed = asyncio.ensure_future(self._changed.wait())
            await asyncio.wait({sleeper, changed}, return_when=asyncio.FIRST_COMPLETED)
            for pending in (sleeper, changed):
                pending.cancel()

    async def aclose(self) -> None:
        """Stop; waiting items are dropped."""
        self._heap.clear()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
