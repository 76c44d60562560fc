"""Ask every planned city at once, each within its timeout and all within one deadline.

The one way the gateway calls cities, whatever the root field: ``fetch(step,
city_deadline)`` does the asking (an ``Upstream`` method: cache, single-flight,
breaker, bulkhead, retries, metrics); the fan-out only runs the cities
concurrently, sets each one's deadline and turns every outcome into a coverage
entry. A step with a ``refusal`` is not asked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from adapters.contract import Adapter, SourceResult
from adapters.errors import AdapterError, UpstreamTimeout
from gateway.query.coverage import Coverage, CoverageStatus, coverage_for_error
from gateway.query.planner import CityStep
from gateway.query.upstream import Fetched

log = logging.getLogger("caap.fanout")


class Step(Protocol):
    """What the fan-out needs of a planned step: its city, and the refusal, if any."""

    @property
    def city_id(self) -> str: ...

    @property
    def refusal(self) -> Coverage | None: ...


S = TypeVar("S", bound=Step)
R = TypeVar("R")

Fetch = Callable[[S, float], Awaitable[Fetched[R]]]
"""Answer one step by the deadline given (on the ``time.monotonic()`` clock)."""

GUARD_S = 0.1
"""How long past a city's deadline the fan-out waits for a ``fetch`` that ignores it."""


@dataclass(frozen=True, slots=True)
class CityOutcome(Generic[R]):
    """One city's answer: ``result`` when it answered, and its coverage either way."""

    city_id: str
    result: R | None
    coverage: Coverage
    elapsed_s: float


def direct(adapters: Mapping[str, Adapter]) -> Fetch[CityStep, SourceResult]:
    """A ``Fetch`` straight to the adapters: no cache, no breaker (for tests and tools)."""

    async def fetch(step: CityStep, deadline: float) -> Fetched[SourceResult]:
        assert step.query is not None
        async with asyncio.timeout_at(deadline):
            return Fetched(await adapters[step.city_id].fetch_entities(step.query))

    return fetch


async def fan_out(
    steps: Sequence[S],
    fetch: Fetch[S, R],
    timeout_for: Callable[[str], float],
    deadline: float,
) -> list[CityOutcome[R]]:
    """Run every step concurrently; ``deadline`` is on the ``time.monotonic()`` clock.

    No call starts after the deadline; each is cut at ``min(city timeout, time left)``.
    The outcomes come back in the order of ``steps``.
    """
    return list(await asyncio.gather(*(_one(step, fetch, timeout_for, deadline) for step in steps)))


async def _one(
    step: S,
    fetch: Fetch[S, R],
    timeout_for: Callable[[str], float],
    deadline: float,
) -> CityOutcome[R]:
    started = time.monotonic()
    if step.refusal is not None:
        return CityOutcome(step.city_id, None, step.refusal, 0.0)
    budget = min(timeout_for(step.city_id), deadline - started)
    if budget <= 0:
        error = UpstreamTimeout("the request's deadline passed before this city was asked")
        return CityOutcome(step.city_id, None, coverage_for_error(step.city_id, error), 0.0)
    try:
        async with asyncio.timeout(budget + GUARD_S):
            fetched = await fetch(step, started + budget)
    except TimeoutError:
        error = UpstreamTimeout(f"no answer within {budget:.1f} s")
        return _failed(step.city_id, error, started)
    except AdapterError as exc:
        log.info("city %s: %s: %s", step.city_id, type(exc).__name__, exc)
        return _failed(step.city_id, exc, started)
    except Exception as exc:  # an adapter bug must not fail the other cities
        log.exception("city %s: adapter raised unexpectedly", step.city_id)
        return _failed(step.city_id, exc, started)
    elapsed = time.monotonic() - started
    coverage = Coverage(step.city_id, CoverageStatus.OK, message=fetched.note, stale=fetched.stale)
    return CityOutcome(step.city_id, fetched.result, coverage, elapsed)


def _failed(city_id: str, error: BaseException, started: float) -> CityOutcome[R]:
    return CityOutcome(
        city_id, None, coverage_for_error(city_id, error), time.monotonic() - started
    )
