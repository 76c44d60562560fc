"""Errors counted by code as the gateway makes them (gateway/ops/error_codes.py), not read back
from the response body."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from gateway.ops import error_codes
from gateway.ops.operations_metrics import OpsMetrics


def _count(registry: CollectorRegistry, code: str) -> float | None:
    return registry.get_sample_value("caap_graphql_errors_total", {"code": code})


def test_errors_noted_while_collecting_are_counted_by_code() -> None:
    registry = CollectorRegistry()
    metrics = OpsMetrics(registry)
    timeout = {"message": "kalmar: timeout", "extensions": {"code": "UPSTREAM_TIMEOUT"}}
    with error_codes.collecting() as codes:
        error_codes.note([timeout, timeout])
        error_codes.note([{"message": "no code"}, {"message": "odd", "extensions": "x"}])
    metrics.count_errors(codes)
    assert _count(registry, "UPSTREAM_TIMEOUT") == 2
    assert _count(registry, "NONE") == 2


def test_nothing_is_noted_outside_a_collection() -> None:
    error_codes.note([{"message": "x", "extensions": {"code": "BAD_USER_INPUT"}}])
    with error_codes.collecting() as codes:
        pass
    assert codes == []
