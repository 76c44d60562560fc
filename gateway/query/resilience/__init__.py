"""Resilience per city: one small module per concept, composed in ``guard.py``.

::

    CityGuard.call(attempt, deadline)
      Retry-After hold   a city that said "wait" is not asked before then
      breaker.py         fails fast while a city keeps failing; half-open probe
      bulkhead.py        at most N calls to one city at once, M waiting
      retry.py           jittered backoff within a retry budget, idempotent calls only
      timeout            no attempt runs past the city's deadline
"""

from gateway.query.resilience.breaker import BreakerSettings, BreakerState, CircuitBreaker
from gateway.query.resilience.bulkhead import Bulkhead, BulkheadFull
from gateway.query.resilience.guard import CircuitOpen, CityGuard, GuardSettings
from gateway.query.resilience.retry import RetryBudget, RetryPolicy

__all__ = [
    "BreakerSettings",
    "BreakerState",
    "Bulkhead",
    "BulkheadFull",
    "CircuitBreaker",
    "CircuitOpen",
    "CityGuard",
    "GuardSettings",
    "RetryBudget",
    "RetryPolicy",
]
