"""One city's guard: every resilience rule around one call to its adapter, in one place.

``call(attempt, deadline)`` runs ``attempt`` (an idempotent read) with, in order:
the Retry-After hold, the breaker, the bulkhead, a timeout at ``deadline`` and
retries. It raises only ``adapters.errors`` errors (and cancellation), so the
fan-out maps every outcome to a coverage status as before. A retry cut by the
deadline reports the failure that caused it (the platform did answer, with an
error), not a timeout.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from adapters import AnswerBudgetSpent
from adapters.errors import UpstreamError, UpstreamTimeout
from gateway.clock import Clocks
from gateway.ops.metrics import Metrics
from gateway.query.coverage import GatewayNotice
from gateway.query.resilience.breaker import BreakerSettings, BreakerState, CircuitBreaker
from gateway.query.resilience.bulkhead import Bulkhead, BulkheadFull, Waited
from gateway.query.resilience.retry import RetryBudget, RetryPolicy, retriable

T = TypeVar("T")
log = logging.getLogger("caap.resilience")


class CircuitOpen(GatewayNotice):
    """The city's breaker is open: it was not asked."""


@dataclass(frozen=True, slots=True)
class GuardSettings:
    """The resilience knobs of one city (``gateway.resilience`` in the federation file)."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    retry_budget: float = 0.2
    """Retries as a share of calls (token bucket), besides a reserve of 10."""
    breaker: BreakerSettings = field(default_factory=BreakerSettings)
    max_concurrent: int = 8
    max_waiting: int = 64
    max_retry_after_s: float = 300.0
    """The longest a platform's ``Retry-After`` holds the city (Finding L1)."""


def counts_against(error: UpstreamError) -> bool:
    """Whether a failure says the platform is unwell (the breaker counts it): not for a 4xx
    answer, which says the question was wrong, nor for 429, which Retry-After handles; nor
    when the gateway's own budget for answers was spent (``adapters.budget``)."""
    if isinstance(error, AnswerBudgetSpent):
        return False
    status = error.status
    return status is None or not (400 <= status < 500) or status == 408


class CityGuard:
    """The breaker, bulkhead, retry budget and Retry-After hold of one city."""

    def __init__(
        self,
        city_id: str,
        settings: GuardSettings,
        clocks: Clocks | None = None,
        metrics: Metrics | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.city_id = city_id
        self.settings = settings
        self._clocks = clocks or Clocks()
        self._metrics = metrics
        self._rng = rng or random.Random()
        self.breaker = CircuitBreaker(settings.breaker, self._clocks.monotonic, self._changed)
        self._queue_wait = metrics.upstream_queue_wait.labels(city_id) if metrics else None
        self.bulkhead = Bulkhead(
            settings.max_concurrent,
            settings.max_waiting,
            metrics.upstream_queued.labels(city_id).set if metrics is not None else None,
        )
        self.budget = RetryBudget(settings.retry_budget)
        self._hold_until = float("-inf")
        if metrics is not None:
            metrics.circuit_state.labels(city_id).set(BreakerState.CLOSED)

    async def call(
        self, attempt: Callable[[], Awaitable[T]], deadline: float, waited: Waited | None = None
    ) -> T:
        """``attempt()`` under every rule; ``deadline`` on the ``time.monotonic()`` clock.
        ``waited`` (when given) adds up the time spent queued behind the city's cap."""
        self.budget.deposit()
        self._check_hold()
        retries = 0
        failure: UpstreamError | None = None
        while True:
            if not self.breaker.allow():
                self._reject("circuit_open")
                raise CircuitOpen(
                    "not asked: the circuit breaker is open after repeated failures "
                    f"(next probe in {self.breaker.retry_in():.0f} s)"
                )
            started = False
            try:
                async with asyncio.timeout_at(deadline):
                    async with self.bulkhead.slot() as queued:
                        started = True
                        self._queued(queued, waited)
                        result = await attempt()
            except BulkheadFull as exc:
                self.breaker.release()
                self._reject("bulkhead_full")
                raise GatewayNotice(f"not asked: {exc}") from None
            except TimeoutError:
                if started:
                    self.breaker.record(False)
                else:
                    self.breaker.release()
                if failure is not None:
                    raise failure from None
                raise UpstreamTimeout("no answer in the time allowed") from None
            except UpstreamError as exc:
                self.breaker.record(not counts_against(exc))
                wait = self._retry_wait(exc, retries, deadline)
                if wait is None:
                    raise
                failure = exc
                retries += 1
                self._count_retry(exc)
                await self._clocks.sleep(wait)
                continue
            except BaseException:  # cancelled, a query the platform cannot answer, a bug
                self.breaker.release()
                raise
            self.breaker.record(True)
            return result

    def _retry_wait(self, error: UpstreamError, retries: int, deadline: float) -> float | None:
        """Seconds to wait before the next attempt, or None for no retry."""
        asked = error.retry_after_s
        if asked is not None:
            asked = min(asked, self.settings.max_retry_after_s)
            self._hold_until = max(self._hold_until, self._clocks.monotonic() + asked)
        if not retriable(error) or retries >= self.settings.retry.retries:
            return None
        wait = asked if asked is not None else self.settings.retry.backoff(retries, self._rng)
        if time.monotonic() + wait >= deadline or not self.budget.withdraw():
            return None
        return wait

    def _queued(self, queued: Waited, waited: Waited | None) -> None:
        if self._queue_wait is not None:
            self._queue_wait.observe(queued.seconds)
        if waited is not None:
            waited.seconds += queued.seconds

    def _check_hold(self) -> None:
        left = self._hold_until - self._clocks.monotonic()
        if left > 0:
            self._reject("retry_after")
            raise GatewayNotice(
                "not asked: the platform asked the gateway to wait "
                f"(Retry-After, {left:.0f} s left)",
                retry_after_s=left,
            )

    def _changed(self, state: BreakerState) -> None:
        log.warning("city %s: circuit breaker %s", self.city_id, state.name.lower())
        if self._metrics is not None:
            self._metrics.circuit_state.labels(self.city_id).set(state)

    def _reject(self, reason: str) -> None:
        if self._metrics is not None:
            self._metrics.upstream_rejected.labels(self.city_id, reason).inc()

    def _count_retry(self, error: UpstreamError) -> None:
        log.info("city %s: retrying after %s", self.city_id, error)
        if self._metrics is not None:
            self._metrics.upstream_retries.labels(self.city_id).inc()
