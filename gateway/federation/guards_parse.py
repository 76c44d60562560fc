"""Read ``gateway.mode``, ``limits``, ``rate_limit``, ``response_cache`` and
``persisted_queries`` (gateway/federation/guards.py); defaults for what is absent or wrong."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypedDict, TypeVar

from gateway.federation import fields
from gateway.federation.allow_list import read_allow_list
from gateway.federation.guards import (
    MODES,
    Mode,
    PersistedQueryOptions,
    QueryLimits,
    Rate,
    RateLimitOptions,
    ResponseCacheOptions,
)
from gateway.federation.interpolate import UNRESOLVED
from gateway.federation.quantities import count, seconds_or_zero, size
from gateway.federation.report import Report

T = TypeVar("T")

_COUNTS = (
    "depth",
    "introspection_depth",
    "aliases",
    "directives",
    "fields",
    "root_fields",
    "tokens",
    "characters",
    "cost",
    "cost_per_city",
)
_SIZES = ("body_bytes", "upstream_bytes")
_LIMIT_KEYS = (*_COUNTS, *_SIZES, "batch")
_CLIENT_ID = "client id"


def parse_mode(report: Report, value: object) -> Mode:
    """``gateway.mode``: production (the default) or development."""
    for mode in MODES:
        if value == mode:
            return mode
    if value is not UNRESOLVED:
        report.add("gateway.mode", f"must be one of {fields.allowed_list(MODES)}")
    return "production"


def parse_limits(report: Report, value: object) -> QueryLimits:
    """``gateway.limits``."""
    key = "gateway.limits"
    defaults = QueryLimits()
    raw = fields.section(report, value, key, optional=_LIMIT_KEYS)
    if raw is None:
        return defaults
    given: dict[str, int] = {}
    for name in _COUNTS:
        if name in raw:
            found = count(report, raw[name], f"{key}.{name}", minimum=1)
            if found is not None:
                given[name] = found
    if "batch" in raw:
        found = count(report, raw["batch"], f"{key}.batch", minimum=0)
        if found is not None:
            given["batch"] = found
    for name in _SIZES:
        if name in raw:
            found = size(report, raw[name], f"{key}.{name}")
            if found is not None:
                given[name] = found
    limits = QueryLimits(**given)
    if "characters" in given and limits.characters > limits.body_bytes:
        report.add(f"{key}.characters", f"must be at most body_bytes ({limits.body_bytes})")
    return limits


def parse_rate_limit(report: Report, value: object) -> RateLimitOptions:
    """``gateway.rate_limit``: a default rate, and ``clients`` with rates of their own."""
    key = "gateway.rate_limit"
    raw = fields.section(report, value, key, optional=("requests_per_s", "burst", "clients"))
    if raw is None:
        return RateLimitOptions()
    default = _rate(report, raw, key, Rate())
    clients: dict[str, Rate] = {}
    listed = _mapping(report, raw.get("clients"), f"{key}.clients", "client ids to rates")
    for client_id, spec in listed.items():
        where = fields.join(f"{key}.clients", client_id)
        inner = fields.section(report, spec, where, optional=("requests_per_s", "burst"))
        if inner is not None:
            clients[str(client_id)] = _rate(report, inner, where, default)
    return RateLimitOptions(default, clients)


def parse_response_cache(report: Report, value: object) -> ResponseCacheOptions:
    """``gateway.response_cache``."""
    key = "gateway.response_cache"
    defaults = ResponseCacheOptions()
    raw = fields.section(report, value, key, optional=("ttl_s", "max_bytes", "max_entry_bytes"))
    if raw is None:
        return defaults
    options = ResponseCacheOptions(
        ttl_s=_read(report, raw, key, "ttl_s", defaults.ttl_s, seconds_or_zero),
        max_bytes=_read(report, raw, key, "max_bytes", defaults.max_bytes, size),
        max_entry_bytes=_read(report, raw, key, "max_entry_bytes", defaults.max_entry_bytes, size),
    )
    if options.max_entry_bytes > options.max_bytes:
        report.add(f"{key}.max_entry_bytes", f"must be at most max_bytes ({options.max_bytes})")
    return options


def parse_persisted_queries(report: Report, value: object) -> PersistedQueryOptions:
    """``gateway.persisted_queries``; ``allow_list`` names a file, relative to the federation
    file's folder."""
    key = "gateway.persisted_queries"
    defaults = PersistedQueryOptions()
    raw = fields.section(
        report, value, key, optional=("apq", "max_bytes", "allow_list", "only_allow_listed")
    )
    if raw is None:
        return defaults
    allow_list: Mapping[str, str] = {}
    if "allow_list" in raw:
        name = fields.text(report, raw["allow_list"], f"{key}.allow_list")
        if name is not None:
            path = Path(report.source).parent / name
            allow_list = read_allow_list(report, path, f"{key}.allow_list")
    only = _flag(report, raw, key, "only_allow_listed", defaults.only_allow_listed)
    if only and "allow_list" not in raw:
        report.add(f"{key}.only_allow_listed", "needs an allow_list file")
    return PersistedQueryOptions(
        apq=_flag(report, raw, key, "apq", defaults.apq),
        max_bytes=_read(report, raw, key, "max_bytes", defaults.max_bytes, size),
        allow_list=allow_list,
        only_allow_listed=only,
    )


def _read(
    report: Report,
    raw: Mapping[str, Any],
    section: str,
    name: str,
    default: T,
    check: Callable[[Report, object, str], T | None],
) -> T:
    if name not in raw:
        return default
    found = check(report, raw[name], f"{section}.{name}")
    return default if found is None else found


def _flag(report: Report, raw: Mapping[str, Any], key: str, name: str, default: bool) -> bool:
    if name not in raw or raw[name] is UNRESOLVED:
        return default
    value = raw[name]
    if not isinstance(value, bool):
        report.add(f"{key}.{name}", "must be true or false")
        return default
    return value


def _rate(report: Report, raw: Mapping[str, Any], key: str, base: Rate) -> Rate:
    per_s = _read(report, raw, key, "requests_per_s", base.requests_per_s, _per_second)
    burst = base.burst
    if "burst" in raw:
        given = count(report, raw["burst"], f"{key}.burst", minimum=1)
        burst = base.burst if given is None else given
    return Rate(per_s, burst)


def _per_second(report: Report, value: object, key: str) -> float | None:
    if value is UNRESOLVED:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        report.add(key, "must be a number of requests per second, 0 (no limit) or more")
        return None
    return float(value)


def _mapping(report: Report, value: object, key: str, what: str) -> Mapping[Any, Any]:
    if value is None or value is UNRESOLVED:
        return {}
    if not isinstance(value, dict):
        report.add(key, f"must be a mapping of {what}")
        return {}
    return value


GUARD_KEYS = ("mode", "limits", "rate_limit", "response_cache", "persisted_queries")
"""The keys of the ``gateway`` section that this module reads."""


class GuardOptions(TypedDict):
    """The ``GatewayOptions`` fields read here."""

    mode: Mode
    limits: QueryLimits
    rate_limit: RateLimitOptions
    response_cache: ResponseCacheOptions
    persisted_queries: PersistedQueryOptions


def parse_guards(report: Report, raw: Mapping[str, Any]) -> GuardOptions:
    """The ``GUARD_KEYS`` of the ``gateway`` section ``raw``; defaults for absent ones."""
    return GuardOptions(
        mode=parse_mode(report, raw["mode"]) if "mode" in raw else "production",
        limits=parse_limits(report, raw["limits"]) if "limits" in raw else QueryLimits(),
        rate_limit=(
            parse_rate_limit(report, raw["rate_limit"])
            if "rate_limit" in raw
            else RateLimitOptions()
        ),
        response_cache=(
            parse_response_cache(report, raw["response_cache"])
            if "response_cache" in raw
            else ResponseCacheOptions()
        ),
        persisted_queries=(
            parse_persisted_queries(report, raw["persisted_queries"])
            if "persisted_queries" in raw
            else PersistedQueryOptions()
        ),
    )


FAN_OUTS_ALLOWED = 2
"""Without ``gateway.limits.cost`` in the file, a query may cost at least this many fan-outs
to every city of the federation (ADR 0025), so a query over every one of 290 cities is not
refused by a default meant for 18."""


def cost_limit_for_size(limits: QueryLimits, cities: int, gateway: object) -> QueryLimits:
    """``limits`` with the default cost limit raised to ``FAN_OUTS_ALLOWED`` fan-outs to every
    one of ``cities``, unless the ``gateway`` section (as written) sets ``limits.cost``."""
    section = gateway.get("limits") if isinstance(gateway, dict) else None
    if isinstance(section, dict) and "cost" in section:
        return limits
    needed = FAN_OUTS_ALLOWED * limits.cost_per_city * cities
    return limits if needed <= limits.cost else dataclasses.replace(limits, cost=needed)
