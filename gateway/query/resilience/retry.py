"""Retries: which failures are worth another try, how long to wait, and a budget.

Only idempotent calls are retried: every adapter call is a read (``GET``). The
wait is full-jitter exponential backoff, or what the platform's ``Retry-After``
asked for. The budget (a token bucket: each call earns ``ratio`` of a retry, up
to ``reserve``) keeps retries to a fraction of the traffic, so a failing city
is not sent a multiple of its normal load.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from adapters.errors import UpstreamError, UpstreamTimeout, UpstreamUnavailable

RETRIABLE_STATUS = frozenset({502, 504})
"""Besides what UpstreamUnavailable stands for (no connection, dropped, 503, 429)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``retries`` extra attempts at most, waiting ``backoff(n)`` before the n-th (from 0)."""

    retries: int = 2
    base_s: float = 0.05
    max_s: float = 1.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, min(max_s, base_s * 2**attempt)]."""
        ceiling = min(self.max_s, self.base_s * (2**attempt))
        return (rng or random).uniform(0.0, ceiling)


def retriable(error: BaseException) -> bool:
    """Whether another attempt could succeed: no connection, dropped, 429/502/503/504, or a
    timeout of one request that left time for another."""
    if isinstance(error, UpstreamUnavailable | UpstreamTimeout):
        return True
    return isinstance(error, UpstreamError) and error.status in RETRIABLE_STATUS


class RetryBudget:
    """A token bucket of retries: ``deposit`` per call, ``withdraw`` per retry."""

    def __init__(self, ratio: float = 0.2, reserve: float = 10.0) -> None:
        self.ratio = ratio
        self.reserve = reserve
        self._tokens = reserve

    @property
    def tokens(self) -> float:
        """Retries available now."""
        return self._tokens

    def deposit(self) -> None:
        """A call was made: it earns ``ratio`` of a retry."""
        self._tokens = min(self.reserve, self._tokens + self.ratio)

    def withdraw(self) -> bool:
        """Take one retry; False when the budget is spent."""
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True
