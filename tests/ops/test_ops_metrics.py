"""OpsMetrics.count_errors: errors[] entries by code, in one response or a batch."""

from __future__ import annotations

import orjson
from prometheus_client import CollectorRegistry

from gateway.ops.operations_metrics import OpsMetrics


def _count(registry: CollectorRegistry, code: str) -> float | None:
    return registry.get_sample_value("caap_graphql_errors_total", {"code": code})


def test_errors_are_counted_by_code_in_a_response_and_in_a_batch() -> None:
    registry = CollectorRegistry()
    metrics = OpsMetrics(registry)
    timeout = {"message": "kalmar: timeout", "extensions": {"code": "UPSTREAM_TIMEOUT"}}
    metrics.count_errors(orjson.dumps({"data": {}, "errors": [timeout, timeout]}))
    metrics.count_errors(orjson.dumps([{"data": {}}, {"errors": [{"message": "no code"}]}]))
    metrics.count_errors(b'{"data": {"attributes": {"errors": "not a list"}}}')
    metrics.count_errors(b'not json at all, but "errors" appears')
    assert _count(registry, "UPSTREAM_TIMEOUT") == 2
    assert _count(registry, "NONE") == 1
