"""The ``gateway.resilience`` section: retries, circuit breaker, bulkhead, answer size.

::

    gateway:
      resilience:
        retries: 2                 # extra attempts after a transient failure
        retry_budget: 0.2          # retries as a share of calls
        backoff_s: 0.05            # first backoff ceiling (full jitter, doubling)
        max_backoff_s: 1
        max_response_bytes: 32 MiB
        max_retry_after_s: 300     # a longer Retry-After is cut to this
        breaker: {failure_ratio: 0.5, min_calls: 5, window_s: 30, open_s: 15}
        bulkhead: {max_concurrent: 8, max_waiting: 64}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.federation import fields
from gateway.federation.model import ResilienceOptions
from gateway.federation.quantities import count, ratio, seconds_or_zero, size
from gateway.federation.report import Report

KEY = "gateway.resilience"
_TOP = (
    "retries",
    "retry_budget",
    "backoff_s",
    "max_backoff_s",
    "max_response_bytes",
    "max_retry_after_s",
)
_BREAKER = ("failure_ratio", "min_calls", "window_s", "open_s")
_BULKHEAD = ("max_concurrent", "max_waiting")


def parse_resilience(report: Report, value: object) -> ResilienceOptions:
    """``gateway.resilience``; defaults for what is absent or wrong."""
    d = ResilienceOptions()
    raw = fields.section(report, value, KEY, optional=(*_TOP, "breaker", "bulkhead"))
    if raw is None:
        return d
    breaker = _sub(report, raw, "breaker", _BREAKER)
    bulkhead = _sub(report, raw, "bulkhead", _BULKHEAD)

    def get(section: Mapping[str, Any], path: str, name: str, check: Any, default: Any) -> Any:
        if name not in section:
            return default
        found = check(report, section[name], f"{path}.{name}")
        return default if found is None else found

    def seconds(r: Report, v: object, k: str) -> float | None:
        found = seconds_or_zero(r, v, k)
        if found == 0 and k.endswith(("window_s", "open_s")):
            r.add(k, "must be more than 0 seconds")
            return None
        return found

    def retries(r: Report, v: object, k: str) -> int | None:
        return count(r, v, k, minimum=0)

    def positive(r: Report, v: object, k: str) -> int | None:
        return count(r, v, k, minimum=1)

    def share(r: Report, v: object, k: str) -> float | None:
        return ratio(r, v, k, zero=k.endswith("retry_budget"))

    options = ResilienceOptions(
        retries=get(raw, KEY, "retries", retries, d.retries),
        retry_budget=get(raw, KEY, "retry_budget", share, d.retry_budget),
        backoff_s=get(raw, KEY, "backoff_s", seconds, d.backoff_s),
        max_backoff_s=get(raw, KEY, "max_backoff_s", seconds, d.max_backoff_s),
        max_response_bytes=get(raw, KEY, "max_response_bytes", size, d.max_response_bytes),
        max_retry_after_s=get(raw, KEY, "max_retry_after_s", seconds, d.max_retry_after_s),
        breaker_failure_ratio=get(
            breaker, f"{KEY}.breaker", "failure_ratio", share, d.breaker_failure_ratio
        ),
        breaker_min_calls=get(
            breaker, f"{KEY}.breaker", "min_calls", positive, d.breaker_min_calls
        ),
        breaker_window_s=get(breaker, f"{KEY}.breaker", "window_s", seconds, d.breaker_window_s),
        breaker_open_s=get(breaker, f"{KEY}.breaker", "open_s", seconds, d.breaker_open_s),
        max_concurrent=get(
            bulkhead, f"{KEY}.bulkhead", "max_concurrent", positive, d.max_concurrent
        ),
        max_waiting=get(bulkhead, f"{KEY}.bulkhead", "max_waiting", retries, d.max_waiting),
    )
    if "backoff_s" in raw and options.backoff_s > options.max_backoff_s:
        report.add(f"{KEY}.backoff_s", f"must be at most max_backoff_s ({options.max_backoff_s:g})")
    return options


def _sub(
    report: Report, raw: Mapping[str, Any], name: str, keys: tuple[str, ...]
) -> Mapping[str, Any]:
    if name not in raw:
        return {}
    return fields.section(report, raw[name], f"{KEY}.{name}", optional=keys) or {}
