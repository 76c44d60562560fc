"""The protections of the federation in force: limits, rate limits, response cache,
persisted queries (docs/adr/0006-limits-and-response-cache.md).

``Guards`` lives as long as the app; ``current(federation)`` gives the ``Protection``
built for that federation, built again when a hot reload swaps the federation (the
response cache and the APQ store start empty then; the rate-limit buckets carry on).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from gateway.auth.principal import Principal
from gateway.clock import Clock
from gateway.federation.model import Federation
from gateway.graphql.answer_sharing import SharedExecutions
from gateway.graphql.limits.cost import Prices
from gateway.graphql.persisted_queries import PersistedQueries
from gateway.graphql.rate_limit import Buckets, LocalBuckets, RateLimiter, SharedBuckets
from gateway.graphql.response_cache import PolicyClasses, ResponseCache
from gateway.ops.metrics import Metrics
from gateway.query.cache.counters import SharedCounters
from gateway.query.cache.redis_tier import RedisTier

log = logging.getLogger("caap.guards")


@dataclass(frozen=True, slots=True)
class Protection:
    """What guards the requests of one federation."""

    federation: Federation
    prices: Prices
    limiter: RateLimiter
    responses: ResponseCache
    persisted: PersistedQueries
    policy_classes: PolicyClasses
    shared: SharedExecutions
    """Identical requests in flight together (ADR 0027), fresh as the response cache."""

    def restricted(self, principal: Principal) -> bool:
        """True when introspection and field suggestions are off for ``principal``."""
        return principal.anonymous and self.federation.options.mode == "production"


class Guards:
    """Builds the ``Protection`` of the federation in force; holds the rate-limit buckets."""

    def __init__(
        self,
        *,
        redis_url: str | None = None,
        metrics: Metrics | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self._clock = clock
        self._redis: RedisTier | None = None
        self.buckets: Buckets
        if redis_url is not None:
            self._redis = RedisTier(redis_url, metrics)  # its outages show in the tier's gauge
            self.buckets = SharedBuckets(SharedCounters(self._redis, time.time), time.time)
            log.info("rate limits shared through Redis at %s", self._redis.where)
        else:
            self.buckets = LocalBuckets(clock)
        self._current: Protection | None = None

    def current(self, federation: Federation) -> Protection:
        """The protection of ``federation`` (built on first use after a swap)."""
        current = self._current
        if current is None or current.federation is not federation:
            current = self._current = self._build(federation)
        return current

    def _build(self, federation: Federation) -> Protection:
        options = federation.options
        responses = ResponseCache(
            options.response_cache, self._clock, max_ttl_s=options.cache.policy.ttl_s
        )
        return Protection(
            federation=federation,
            prices=Prices(
                cities=len(federation.cities),
                default_page_size=options.default_page_size,
                max_page_size=options.max_page_size,
                cost_per_city=options.limits.cost_per_city,
            ),
            limiter=RateLimiter(self.buckets, options.rate_limit),
            responses=responses,
            persisted=PersistedQueries(options.persisted_queries),
            policy_classes=PolicyClasses(federation),
            shared=SharedExecutions(responses.lifetime_s),
        )

    async def aclose(self) -> None:
        """Close the Redis connections, if any."""
        if self._redis is not None:
            await self._redis.aclose()
