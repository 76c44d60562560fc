"""Single-flight: concurrent callers with the same key share one call.

The first caller starts the call as a task; later ones wait for it. A caller
that goes away (its client disconnected, its deadline passed) stops waiting; the
call itself is cancelled only when nobody waits for it any more.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(slots=True)
class _Flight(Generic[T]):
    task: asyncio.Task[T]
    waiters: int = 0


class SingleFlight(Generic[T]):
    """``await flights.run(key, make_call)`` -> (value, coalesced)."""

    def __init__(self) -> None:
        self._flights: dict[str, _Flight[T]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    async def run(self, key: str, call: Callable[[], Coroutine[Any, Any, T]]) -> tuple[T, bool]:
        """The value of the call in flight for ``key``, or of a new one; ``coalesced`` is True
        when another caller had started it."""
        flight = self._flights.get(key)
        coalesced = flight is not None
        if flight is None:
            flight = _Flight(asyncio.create_task(call()))
            self._flights[key] = flight
            flight.task.add_done_callback(functools.partial(self._landed, key, flight))
        flight.waiters += 1
        try:
            return await asyncio.shield(flight.task), coalesced
        except asyncio.CancelledError:
            if flight.waiters == 1 and not flight.task.done():
                flight.task.cancel()
            raise
        finally:
            flight.waiters -= 1

    def _landed(self, key: str, flight: _Flight[T], _task: asyncio.Task[T]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
