"""A circuit breaker: opens on a failure ratio over a sliding window, probes, closes.

::

    CLOSED --(>= min_calls in window_s and failures/calls >= failure_ratio)--> OPEN
    OPEN   --(open_s elapsed)--> HALF_OPEN: one probe call is let through
    HALF_OPEN --probe succeeds--> CLOSED      HALF_OPEN --probe fails--> OPEN

While open, no call reaches the city: not even a connection attempt.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from gateway.clock import Clock

_BUCKETS = 10
"""The window is kept as this many buckets of counts (memory does not grow with traffic)."""


class BreakerState(IntEnum):
    """The values of ``caap_circuit_state``."""

    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


@dataclass(frozen=True, slots=True)
class BreakerSettings:
    """When to open and for how long (``gateway.resilience.breaker``)."""

    failure_ratio: float = 0.5
    min_calls: int = 5
    window_s: float = 30.0
    open_s: float = 15.0


class CircuitBreaker:
    """One city's breaker; ``allow`` before a call, ``record`` (or ``release``) after it."""

    def __init__(
        self,
        settings: BreakerSettings,
        clock: Clock,
        on_change: Callable[[BreakerState], None] | None = None,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._on_change = on_change
        self._state = BreakerState.CLOSED
        self._opened_at = 0.0
        self._probing = False
        self._buckets: deque[list[float]] = deque()  # [start, calls, failures]

    @property
    def state(self) -> BreakerState:
        """The state now (an open breaker whose time is up reads as half-open)."""
        self._tick()
        return self._state

    def retry_in(self) -> float:
        """Seconds until the half-open probe; 0 unless open."""
        if self.state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.settings.open_s - self._clock())

    def allow(self) -> bool:
        """True when a call may go now; half-open lets exactly one probe through."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return True
        return False

    def record(self, ok: bool) -> None:
        """The outcome of a call that ``allow`` let through."""
        if self._state is BreakerState.HALF_OPEN:
            self._probing = False
            self._set(BreakerState.CLOSED if ok else BreakerState.OPEN)
            return
        if self._state is BreakerState.OPEN:
            return  # a call started before the breaker opened
        calls, failures = self._count(ok)
        if ok:
            return  # only a failure can open it
        if calls >= self.settings.min_calls and failures / calls >= self.settings.failure_ratio:
            self._set(BreakerState.OPEN)

    def release(self) -> None:
        """A call ended without an outcome (cancelled): a probe may be sent again."""
        self._probing = False

    def _count(self, ok: bool) -> tuple[int, int]:
        now = self._clock()
        width = self.settings.window_s / _BUCKETS
        while self._buckets and self._buckets[0][0] <= now - self.settings.window_s:
            self._buckets.popleft()
        if not self._buckets or now >= self._buckets[-1][0] + width:
            self._buckets.append([now, 0, 0])
        bucket = self._buckets[-1]
        bucket[1] += 1
        bucket[2] += 0 if ok else 1
        return int(sum(b[1] for b in self._buckets)), int(sum(b[2] for b in self._buckets))

    def _tick(self) -> None:
        opened = self._state is BreakerState.OPEN
        if opened and self._clock() >= self._opened_at + self.settings.open_s:
            self._set(BreakerState.HALF_OPEN)

    def _set(self, state: BreakerState) -> None:
        if state is self._state:
            return
        self._state = state
        if state is BreakerState.OPEN:
            self._opened_at = self._clock()
        if state is BreakerState.CLOSED:
            self._buckets.clear()
        if self._on_change is not None:
            self._on_change(state)
