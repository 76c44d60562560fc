"""The operations metrics: requests in flight, errors by code, per-city latency, reloads.

They live in the gateway's registry beside those of ``gateway.ops.metrics``; the
names are listed in docs/operations.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class OpsMetrics:
    """Registered in ``registry`` at construction."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.in_flight = Gauge(
            "caap_requests_in_flight", "GraphQL requests being served.", registry=registry
        )
        self.http_requests = Counter(
            "caap_http_requests",
            "HTTP requests answered, by route, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.graphql_errors = Counter(
            "caap_graphql_errors",
            "Entries of errors[] in GraphQL responses, by extensions.code.",
            ["code"],
            registry=registry,
        )
        self.upstream_latency = Histogram(
            "caap_upstream_http_duration_seconds",
            "HTTP requests sent to a city platform, from start to response headers or failure.",
            ["city"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.reloads = Counter(
            "caap_federation_reloads",
            "Federation reloads, by outcome (applied, unchanged, rejected).",
            ["outcome"],
            registry=registry,
        )
        self.federation_cities = Gauge(
            "caap_federation_cities", "Cities in the federation in force.", registry=registry
        )
        self.federation_loaded = Gauge(
            "caap_federation_loaded_timestamp_seconds",
            "When the federation in force was loaded (Unix time).",
            registry=registry,
        )

    def count_errors(self, codes: Iterable[str]) -> None:
        """Count ``errors[]`` entries by their code (``gateway/ops/error_codes.py``)."""
        for code in codes:
            self.graphql_errors.labels(code).inc()
