"""Prometheus metrics of one gateway process (names in docs/operations.md, "Metrics")."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    """The process's metrics, in a registry of their own (so tests can build several apps)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_duration = Histogram(
            "caap_request_duration_seconds",
            "Duration of GraphQL requests.",
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.upstream_requests = Counter(
            "caap_upstream_requests",
            "HTTP requests sent to a city platform, by outcome (ok, not_modified, redirect, "
            "client_error, rate_limited, server_error, timeout, unavailable, cancelled, error).",
            ["city", "outcome"],
            registry=self.registry,
        )
        self.upstream_connections = Counter(
            "caap_upstream_connections",
            "New connections opened (or attempted) to a city platform.",
            ["city"],
            registry=self.registry,
        )
        self.upstream_in_flight = Gauge(
            "caap_upstream_in_flight",
            "HTTP requests to a city platform waiting for their answer now.",
            ["city"],
            registry=self.registry,
        )
        self.upstream_queued = Gauge(
            "caap_upstream_queued",
            "Calls to a city waiting now for a free slot under its concurrency cap "
            "(gateway.resilience.bulkhead.max_concurrent, or the city's max_concurrent).",
            ["city"],
            registry=self.registry,
        )
        self.upstream_queue_wait = Histogram(
            "caap_upstream_queue_wait_seconds",
            "Time calls to a city waited for a free slot under its concurrency cap (0 when a "
            "slot was free).",
            ["city"],
            registry=self.registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.upstream_retries = Counter(
            "caap_upstream_retries",
            "Calls to a city retried after a transient failure.",
            ["city"],
            registry=self.registry,
        )
        self.upstream_rejected = Counter(
            "caap_upstream_rejected",
            "Calls to a city not made (circuit_open, bulkhead_full, retry_after).",
            ["city", "reason"],
            registry=self.registry,
        )
        self.live_streams = Gauge(
            "caap_live_upstream_streams",
            "Upstream streams this process reads now (with Redis: those whose lease it holds).",
            registry=self.registry,
        )
        self.live_subscriptions = Gauge(
            "caap_live_subscriptions",
            "Live subscriptions open on this process.",
            registry=self.registry,
        )
        self.push_downs_rejected = Counter(
            "caap_push_downs_rejected",
            "Requests a city platform rejected because of an optional push-down (geo, time), "
            "which the adapter then drops for that city and filters locally.",
            ["city", "push_down"],
            registry=self.registry,
        )
        self.circuit_state = Gauge(
            "caap_circuit_state",
            "Circuit breaker of a city: 0 closed, 1 half-open, 2 open.",
            ["city"],
            registry=self.registry,
        )
        self.cache_events = Counter(
            "caap_cache_events",
            "Cache lookups by tier (memory, redis) and event (hit, miss, stale, coalesced, "
            "revalidated, error).",
            ["tier", "event"],
            registry=self.registry,
        )
        self.cache_bytes = Gauge(
            "caap_cache_bytes",
            "Estimated bytes held by the in-process cache.",
            ["tier"],
            registry=self.registry,
        )
        self.cache_tier_up = Gauge(
            "caap_cache_tier_up",
            "1 while a shared cache tier (redis) answers, 0 while the gateway runs without it.",
            ["tier"],
            registry=self.registry,
        )
        self.refusals = Counter(
            "caap_requests_refused",
            "GraphQL requests refused before they ran, by the limit they broke (depth, aliases, "
            "cost, rate_limited, body_bytes, batch, ...).",
            ["limit"],
            registry=self.registry,
        )
        self.internal_errors = Counter(
            "caap_internal_errors",
            "Gateway bugs caught where a broad except keeps serving, by where (status_probe, "
            "reload, fast_lists); each is logged with its traceback.",
            ["where"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)
