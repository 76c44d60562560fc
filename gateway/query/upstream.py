"""Each city's adapters behind its cache and its guard: what the fan-out calls.

Every call the gateway makes to a city comes through here, and through the
city's one guard (gateway/query/resilience/guard.py), so that a city's breaker,
bulkhead, retry budget and Retry-After hold see all of its traffic:

- ``fetch(step, deadline)``: an entity question (``entities``, ``statistics``), cached;
- ``call(city_id, key, attempt, deadline)``: any other read of the city (``history``,
  ``datasets``, the status page's probes), joined with the same call in flight
  (single-flight on ``key``), not cached.

``Upstream.fetch(step, deadline)`` for one city and question:

1. the in-process cache: fresh -> served; within stale-while-revalidate -> served
   stale (``coverage.stale``) and refreshed in the background;
2. a miss joins the call in flight for the same key (single-flight) when that call is
   fresh enough for it: started no earlier than the request's arrival minus the
   dataset's cache lifetime (ADR 0025; with a lifetime of 0, only a call started after
   the request arrived); otherwise it starts its own. That call looks in Redis, then
   takes a Redis lock so that other instances wait for its answer instead of asking the
   city too (not when the lifetime is 0: their answer would be too old);
3. the call goes through the city's guard (Retry-After hold, breaker, bulkhead,
   timeout, retries), as a conditional request when the entry has a validator;
4. an answer is stored with the lifetimes of ``cache_control.effective_policy``; a
   failure is never stored, and within stale-if-error the old answer is served stale.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from adapters.contract import Adapter, Revalidating, SourceQuery, SourceResult
from adapters.errors import AdapterError, UnsupportedQuery, UpstreamTimeout
from gateway.clock import Clocks
from gateway.federation.model import Federation
from gateway.ops.metrics import Metrics
from gateway.query.arrival import arrived
from gateway.query.cache.cache_control import effective_policy
from gateway.query.cache.counters import Counters, LocalCounters, SharedCounters
from gateway.query.cache.entry import Entry, Freshness
from gateway.query.cache.keys import cache_key
from gateway.query.cache.memory import MemoryTier
from gateway.query.cache.redis_tier import RedisTier
from gateway.query.cache.singleflight import SingleFlight
from gateway.query.cache.tiers import MEMORY, REDIS, ResultCache
from gateway.query.planner import CityStep
from gateway.query.resilience.breaker import BreakerSettings
from gateway.query.resilience.bulkhead import Waited
from gateway.query.resilience.guard import CityGuard, GuardSettings
from gateway.query.resilience.retry import RetryPolicy

log = logging.getLogger("caap.upstream")

JOIN_GRACE_S = 0.05
"""A caller that joined another's call waits this much past its deadline, so that the call's
own timeout (and its stale-if-error answer) comes first."""
LOCK_MARGIN_S = 1.0


QUEUED_NOTE_S = 0.001
"""A call queued this long or longer behind its city's cap says so in the city's coverage."""

R = TypeVar("R")


def queued_note(waited: Waited, cap: int) -> str | None:
    """The coverage message of an answer that waited behind the city's concurrency cap."""
    if waited.seconds < QUEUED_NOTE_S:
        return None
    return f"queued {waited.seconds * 1000:.0f} ms behind this city's cap of {cap} calls at once"


@dataclass(frozen=True, slots=True)
class Fetched(Generic[R]):
    """A city's answer; ``stale`` when it came from the cache past its freshness."""

    result: R
    stale: bool = False
    note: str | None = None


class Upstream:
    """The adapters of a federation, each behind the shared cache and its own guard."""

    def __init__(
        self,
        federation: Federation,
        adapters: Mapping[str, Adapter],
        guards: Mapping[str, CityGuard],
        cache: ResultCache,
        clocks: Clocks,
    ) -> None:
        self.federation = federation
        self.adapters = adapters
        self.guards = guards
        self.cache = cache
        self._clocks = clocks
        self._flights: SingleFlight[Fetched[SourceResult]] = SingleFlight()
        self._calls: SingleFlight[Any] = SingleFlight()
        self._background: set[asyncio.Task[None]] = set()
        self.counters: Counters = (
            SharedCounters(cache.shared, clocks.wall)
            if cache.shared is not None
            else LocalCounters(clocks.wall)
        )
        """Fixed-window counters for rate limits: shared by every instance through Redis
        when ``CAAP_REDIS_URL`` is set (``gateway/query/cache/counters.py``)."""

    async def fetch(self, step: CityStep, deadline: float) -> Fetched[SourceResult]:
        """The answer of ``step.city_id`` to ``step.query``; ``deadline`` on ``time.monotonic()``.

        Raises an ``adapters.errors`` error when there is neither an answer nor a usable one.
        """
        assert step.query is not None
        key = cache_key(step.city_id, step.query, step.policy_class)
        entry = self.cache.local(key)
        if entry is not None:
            now = self._clocks.wall()
            state = entry.freshness(now)
            if state is Freshness.FRESH:
                self.cache.event(MEMORY, "hit")
                return Fetched(entry.result)
            if state is Freshness.REVALIDATE:
                self.cache.event(MEMORY, "stale")
                self._refresh_later(step, key, entry)
                note = f"stale: cached {entry.age(now):.0f} s ago, being refreshed"
                return Fetched(entry.result, stale=True, note=note)
        self.cache.event(MEMORY, "miss")
        fresh_after = arrived(time.monotonic) - self._lifetime(step, entry)
        fetched, coalesced = await _within(
            self._flights,
            key,
            lambda: self._load(step, key, entry, deadline),
            fresh_after,
            deadline,
        )
        if coalesced:
            self.cache.event(MEMORY, "coalesced")
        return fetched

    async def call(
        self,
        city_id: str,
        key: str,
        attempt: Callable[[], Awaitable[R]],
        deadline: float,
    ) -> Fetched[R]:
        """``attempt()`` (an idempotent read of ``city_id``) under the city's guard; callers
        with the same ``key`` share one call in flight. ``deadline`` on ``time.monotonic()``.

        Raises an ``adapters.errors`` error when the city gives no answer.
        """
        guard = self.guards[city_id]
        fresh_after = arrived(time.monotonic)  # never cached: only a call started since
        result, _ = await _within(
            self._calls, key, lambda: guard.call(attempt, deadline), fresh_after, deadline
        )
        return Fetched(result)

    def _lifetime(self, step: CityStep, entry: Entry | None) -> float:
        """How old (in seconds) an answer to ``step`` may be: the dataset's cache lifetime
        in the federation file, else the gateway's default; shortened to what the platform
        said (its ``max-age``) when an earlier answer is at hand."""
        assert step.query is not None
        override = self.federation.cache_override(step.city_id, step.query.entity_type)
        configured = override.ttl_s if override is not None else None
        ttl = configured if configured is not None else self.federation.options.cache.policy.ttl_s
        if entry is not None:
            ttl = min(ttl, entry.fresh_until - entry.stored_at)
        return max(0.0, ttl)

    async def aclose(self) -> None:
        """Stop background refreshes; close the shared tier."""
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self.cache.shared is not None:
            await self.cache.shared.aclose()

    async def _load(
        self, step: CityStep, key: str, entry: Entry | None, deadline: float
    ) -> Fetched[SourceResult]:
        """One instance-wide call: Redis first, then the cross-instance lock, then the city."""
        if entry is None or entry.freshness(self._clocks.wall()) is not Freshness.FRESH:
            shared = await self.cache.shared_entry(key)
            if shared is not None and shared.freshness(self._clocks.wall()) is Freshness.FRESH:
                self.cache.event(REDIS, "hit")
                return Fetched(shared.result)
            entry = shared or entry  # for stale-if-error and revalidation
        lock_ttl = max(0.0, deadline - time.monotonic()) + LOCK_MARGIN_S
        lock = await self.cache.lock(key, lock_ttl)
        try:
            if lock.held and self._lifetime(step, entry) > 0:  # else its answer is too old
                peer = await self.cache.from_peer(key, deadline)
                if peer is not None and peer.freshness(self._clocks.wall()) is Freshness.FRESH:
                    self.cache.event(REDIS, "coalesced")
                    return Fetched(peer.result)
            return await self._ask(step, key, entry, deadline)
        finally:
            await self.cache.unlock(key, lock)

    async def _ask(
        self, step: CityStep, key: str, entry: Entry | None, deadline: float
    ) -> Fetched[SourceResult]:
        """The guarded call; the answer stored, or the stale one served on failure."""
        city_id = step.city_id
        query = step.query
        assert query is not None
        adapter = self.adapters[city_id]
        guard = self.guards[city_id]
        validator = entry.result.validator if entry is not None else None
        waited = Waited()
        try:
            if validator is not None and isinstance(adapter, Revalidating):
                answer = await guard.call(
                    lambda: adapter.revalidate(query, validator), deadline, waited
                )
            else:
                answer = await guard.call(lambda: adapter.fetch_entities(query), deadline, waited)
        except AdapterError as exc:
            now = self._clocks.wall()
            if entry is None or isinstance(exc, UnsupportedQuery) or not entry.usable_on_error(now):
                raise
            self.cache.event(MEMORY, "stale")
            log.info(
                "city %s failed (%s); serving its answer cached %.0f s ago",
                city_id,
                exc,
                entry.age(now),
            )
            note = f"stale: cached {entry.age(now):.0f} s ago; the platform failed: {exc}"
            return Fetched(entry.result, stale=True, note=note)
        if answer is None:
            assert entry is not None
            self.cache.event(MEMORY, "revalidated")
            answer = entry.result
        await self._store(key, city_id, query, answer)
        return Fetched(answer, note=queued_note(waited, guard.bulkhead.max_concurrent))

    async def _store(
        self, key: str, city_id: str, query: SourceQuery, result: SourceResult
    ) -> None:
        policy = effective_policy(
            self.federation.cache_override(city_id, query.entity_type),
            self.federation.options.cache.policy,
            result.cache_control,
        )
        if policy is not None:
            await self.cache.put(key, Entry.new(result, policy, self._clocks.wall()))

    def _refresh_later(self, step: CityStep, key: str, entry: Entry) -> None:
        """Refresh ``key`` in the background (once: a refresh in flight is joined)."""
        deadline = time.monotonic() + self.federation.timeout_for(step.city_id)

        async def refresh() -> None:
            try:
                await self._flights.run(key, lambda: self._load(step, key, entry, deadline))
            except AdapterError as exc:
                log.info("city %s: background refresh failed: %s", step.city_id, exc)

        task = asyncio.create_task(refresh())
        self._background.add(task)
        task.add_done_callback(self._background.discard)


async def _within(
    flights: SingleFlight[R],
    key: str,
    call: Callable[[], Coroutine[Any, Any, R]],
    fresh_after: float,
    deadline: float,
) -> tuple[R, bool]:
    """``flights.run(key, call, fresh_after)`` by ``deadline`` (on ``time.monotonic()``).

    One deadline per city call: a call this caller starts keeps it itself (the guard's
    timeout, the fan-out's around the whole call), so only a caller joining another's
    call sets a timer of its own, ``JOIN_GRACE_S`` past the deadline."""
    if not flights.joinable(key, fresh_after):
        return await flights.run(key, call, fresh_after)
    try:
        async with asyncio.timeout_at(deadline + JOIN_GRACE_S):
            return await flights.run(key, call, fresh_after)
    except TimeoutError:
        raise UpstreamTimeout("no answer in the time allowed") from None


def build_upstream(
    federation: Federation,
    adapters: Mapping[str, Adapter],
    metrics: Metrics | None,
    redis_url: str | None,
    clocks: Clocks,
) -> Upstream:
    """The upstream layer of a federation: one guard per city, the cache's two tiers."""
    options = federation.options
    r = options.resilience
    settings = GuardSettings(
        retry=RetryPolicy(retries=r.retries, base_s=r.backoff_s, max_s=r.max_backoff_s),
        retry_budget=r.retry_budget,
        breaker=BreakerSettings(
            failure_ratio=r.breaker_failure_ratio,
            min_calls=r.breaker_min_calls,
            window_s=r.breaker_window_s,
            open_s=r.breaker_open_s,
        ),
        max_waiting=r.max_waiting,
        max_retry_after_s=r.max_retry_after_s,
    )
    guards = {
        city_id: CityGuard(
            city_id,
            dataclasses.replace(settings, max_concurrent=federation.calls_for(city_id)),
            clocks,
            metrics,
        )
        for city_id in adapters
    }
    shared = RedisTier(redis_url, metrics) if redis_url else None
    memory = MemoryTier(options.cache.max_bytes, clocks.wall)
    cache = ResultCache(memory, shared, clocks.wall, metrics)
    return Upstream(federation, adapters, guards, cache, clocks)
