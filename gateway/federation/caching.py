"""The ``cache`` sections: ``gateway.cache`` (bound and defaults) and a dataset's ``cache``.

::

    gateway:
      cache: {max_bytes: 256 MiB, ttl_s: 30, stale_while_revalidate_s: 30, stale_if_error_s: 300}
    cities:
      malmo:
        datasets:
          WeatherObserved: {access: public, cache: {ttl_s: 60}}
"""

from __future__ import annotations

from gateway.federation import fields
from gateway.federation.model import CacheOptions, CacheOverride, CachePolicy
from gateway.federation.quantities import seconds_or_zero, size
from gateway.federation.report import Report

LIFETIMES = ("ttl_s", "stale_while_revalidate_s", "stale_if_error_s")


def parse_cache_options(report: Report, value: object) -> CacheOptions:
    """``gateway.cache``; defaults for what is absent or wrong."""
    defaults = CacheOptions()
    raw = fields.section(report, value, "gateway.cache", optional=("max_bytes", *LIFETIMES))
    if raw is None:
        return defaults
    max_bytes = (
        size(report, raw["max_bytes"], "gateway.cache.max_bytes") if "max_bytes" in raw else None
    )
    given = _lifetimes(report, raw, "gateway.cache")
    policy = CachePolicy(
        ttl_s=_pick(given[0], defaults.policy.ttl_s),
        stale_while_revalidate_s=_pick(given[1], defaults.policy.stale_while_revalidate_s),
        stale_if_error_s=_pick(given[2], defaults.policy.stale_if_error_s),
    )
    return CacheOptions(max_bytes=max_bytes or defaults.max_bytes, policy=policy)


def parse_dataset_cache(report: Report, value: object, key: str) -> CacheOverride | None:
    """A dataset's ``cache``: the lifetimes it sets (the others stay None)."""
    raw = fields.section(report, value, key, optional=LIFETIMES)
    if raw is None:
        return None
    ttl, revalidate, if_error = _lifetimes(report, raw, key)
    return CacheOverride(ttl, revalidate, if_error)


def _lifetimes(
    report: Report, raw: object, key: str
) -> tuple[float | None, float | None, float | None]:
    assert isinstance(raw, dict)
    values = [
        seconds_or_zero(report, raw[name], f"{key}.{name}") if name in raw else None
        for name in LIFETIMES
    ]
    return values[0], values[1], values[2]


def _pick(value: float | None, default: float) -> float:
    return default if value is None else value
