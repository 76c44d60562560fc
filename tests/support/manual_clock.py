"""A clock that moves only when a test says so (cache lifetimes, breaker windows)."""

from __future__ import annotations


class ManualClock:
    """``clock()`` -> seconds; ``clock.advance(30)`` moves it."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
