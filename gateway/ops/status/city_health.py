"""What the gateway has seen of each city platform lately: health, latency, last error.

Fed by an aiohttp hook on every HTTP request sent to a city (traffic and the
status page's probes alike); read by ``/status.json``. Memory is bounded: the
last ``window`` requests per city.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from types import SimpleNamespace

import aiohttp

from adapters.errors import AdapterError
from gateway.ops.operations_metrics import OpsMetrics
from gateway.query.coverage import public_message


class Health(Enum):
    """``unknown``: not asked yet; ``down``: the last request failed; ``degraded``: it
    answered, but a recent request failed."""

    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CityError:
    """A failure: what happened, and when (Unix time)."""

    message: str
    at: float


@dataclass(slots=True)
class _Record:
    latencies: deque[float]
    outcomes: deque[bool]
    last_error: CityError | None = None
    last_ok_at: float | None = None
    last_seen: float = field(default=float("-inf"))
    """On the ``time.monotonic()`` clock."""


@dataclass(frozen=True, slots=True)
class CityView:
    """One city as the status page shows it; latencies in milliseconds."""

    health: Health
    p50_ms: float | None
    p95_ms: float | None
    last_error: CityError | None
    last_ok_at: float | None
    requests: int


class CityHealth:
    """Per-city records of the last ``window`` upstream requests."""

    def __init__(self, metrics: OpsMetrics | None = None, window: int = 100) -> None:
        self._metrics = metrics
        self._window = window
        self._records: dict[str, _Record] = {}

    def _record(self, city_id: str) -> _Record:
        record = self._records.get(city_id)
        if record is None:
            record = _Record(deque(maxlen=self._window), deque(maxlen=self._window))
            self._records[city_id] = record
        return record

    def observe_ok(self, city_id: str, seconds: float) -> None:
        """The city answered (any status below 500) after ``seconds``."""
        record = self._record(city_id)
        record.latencies.append(seconds)
        record.outcomes.append(True)
        record.last_ok_at = time.time()
        record.last_seen = time.monotonic()
        if self._metrics is not None:
            self._metrics.upstream_latency.labels(city_id).observe(seconds)

    def observe_error(self, city_id: str, message: str, seconds: float | None = None) -> None:
        """The city failed: no answer, or a 5xx."""
        record = self._record(city_id)
        record.outcomes.append(False)
        record.last_error = CityError(message[:300], time.time())
        record.last_seen = time.monotonic()
        if self._metrics is not None and seconds is not None:
            self._metrics.upstream_latency.labels(city_id).observe(seconds)

    def note_failure(self, city_id: str, message: str, since: float) -> None:
        """A failure seen above HTTP (a probe's adapter error): replaces the message of a
        failure recorded since ``since`` (``time.monotonic()``), else counts as one."""
        record = self._records.get(city_id)
        failed_since = (
            record is not None
            and bool(record.outcomes)
            and not record.outcomes[-1]
            and record.last_seen >= since
        )
        if record is not None and failed_since:
            record.last_error = CityError(message[:300], time.time())
            return
        self.observe_error(city_id, message)

    def last_seen(self, city_id: str) -> float:
        """When the city was last heard from or failed (``time.monotonic()``); -inf: never."""
        record = self._records.get(city_id)
        return record.last_seen if record is not None else float("-inf")

    def retain(self, city_ids: Iterable[str]) -> None:
        """Forget cities that left the federation."""
        keep = set(city_ids)
        for city_id in [c for c in self._records if c not in keep]:
            del self._records[city_id]

    def answered(self, city_id: str) -> tuple[int, int]:
        """(answered, requests) among the city's last ``window`` requests."""
        record = self._records.get(city_id)
        if record is None:
            return 0, 0
        return sum(record.outcomes), len(record.outcomes)

    def view(self, city_id: str) -> CityView:
        """The city's health, latency percentiles and last error."""
        record = self._records.get(city_id)
        if record is None or not record.outcomes:
            return CityView(Health.UNKNOWN, None, None, None, None, 0)
        if not record.outcomes[-1]:
            health = Health.DOWN
        elif not all(list(record.outcomes)[-10:]):
            health = Health.DEGRADED
        else:
            health = Health.UP
        ordered = sorted(record.latencies)
        return CityView(
            health,
            _percentile(ordered, 0.50),
            _percentile(ordered, 0.95),
            record.last_error,
            record.last_ok_at,
            len(record.outcomes),
        )

    def trace_config(self, city_id: str) -> aiohttp.TraceConfig:
        """The aiohttp hook that records every request sent to ``city_id``."""

        async def on_start(
            session: aiohttp.ClientSession,
            ctx: SimpleNamespace,
            params: aiohttp.TraceRequestStartParams,
        ) -> None:
            ctx.started = time.perf_counter()

        async def on_end(
            session: aiohttp.ClientSession,
            ctx: SimpleNamespace,
            params: aiohttp.TraceRequestEndParams,
        ) -> None:
            elapsed = time.perf_counter() - ctx.started
            status = params.response.status
            if status >= 500:
                self.observe_error(city_id, f"HTTP {status} {params.response.reason}", elapsed)
            else:
                self.observe_ok(city_id, elapsed)

        async def on_exception(
            session: aiohttp.ClientSession,
            ctx: SimpleNamespace,
            params: aiohttp.TraceRequestExceptionParams,
        ) -> None:
            elapsed = time.perf_counter() - ctx.started
            self.observe_error(city_id, describe(params.exception), elapsed)

        config = aiohttp.TraceConfig()
        config.on_request_start.append(on_start)
        config.on_request_end.append(on_end)
        config.on_request_exception.append(on_exception)
        return config


def describe(exc: BaseException) -> str:
    """``Class: what happened`` on one line, in the gateway's words: no host, port or text of
    the platform's answer (the status page is public; Finding L5). A cancelled request ran out
    of time."""
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return "timeout: no answer in time"
    if isinstance(exc, asyncio.CancelledError):
        return "timeout: cut at the city's time limit"
    if isinstance(exc, AdapterError):
        return f"{type(exc).__name__}: {public_message(exc)}"
    os_error = getattr(exc, "os_error", exc)
    reason = getattr(os_error, "strerror", None) if isinstance(os_error, OSError) else None
    return f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__


def _percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index] * 1000, 1)
