"""Prometheus metrics of one gateway process (names in CONTRACT.md)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
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
            "Queries sent to a city platform, by outcome (ok, timeout, unavailable, error).",
            ["city", "outcome"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)
