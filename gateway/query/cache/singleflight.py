"""Single-flight: concurrent callers with the same key share one call, when it is fresh enough.

The first caller starts the call as a task; later ones wait for it, but only if it
started no earlier than they allow (``fresh_after``: the caller's arrival minus the
freshness it accepts; ADR 0025). A caller that cannot use the call in flight starts
its own, which later callers then join. A caller that goes away (its client
disconnected, its deadline passed) stops waiting; the call itself is cancelled only
when nobody waits for it any more.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gateway.clock import Clock

T = TypeVar("T")


@dataclass(slots=True)
class _Flight(Generic[T]):
    task: asyncio.Task[T]
    started: float
    waiters: int = 0


class SingleFlight(Generic[T]):
    """``await flights.run(key, make_call, fresh_after)`` -> (value, coalesced)."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._flights: dict[str, _Flight[T]] = {}
        """The newest call per key: an older one still in flight serves only its own waiters."""

    def __len__(self) -> int:
        return len(self._flights)

    def joinable(self, key: str, fresh_after: float = float("-inf")) -> bool:
        """Whether ``run(key, ..., fresh_after)`` called now would join a call in flight."""
        flight = self._flights.get(key)
        return flight is not None and flight.started >= fresh_after

    async def run(
        self,
        key: str,
        call: Callable[[], Coroutine[Any, Any, T]],
        fresh_after: float = float("-inf"),
    ) -> tuple[T, bool]:
        """The value of the call in flight for ``key`` if it started at or after
        ``fresh_after`` (on this flight's clock), else of a new one; ``coalesced`` is True
        when another caller had started it."""
        flight = self._flights.get(key)
        coalesced = flight is not None and flight.started >= fresh_after
        if flight is None or not coalesced:
            flight = _Flight(asyncio.create_task(call()), self._clock())
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
