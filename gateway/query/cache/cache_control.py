"""The platform's ``Cache-Control`` (RFC 9111 5.2, RFC 5861) and the lifetimes that apply.

Per lifetime: the dataset's ``cache`` section in the federation file wins; else
the platform's directive; else the gateway's default. ``no-store`` and
``private`` (the gateway is a shared cache) always mean: do not store.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.federation.model import CacheOverride, CachePolicy


@dataclass(frozen=True, slots=True)
class Directives:
    """What a ``Cache-Control`` header says, as far as the gateway's cache is concerned."""

    max_age: float | None = None
    no_store: bool = False
    no_cache: bool = False
    stale_while_revalidate: float | None = None
    stale_if_error: float | None = None


def parse_cache_control(header: str | None) -> Directives:
    """Directives of ``header``; unknown or malformed ones are ignored."""
    if not header:
        return Directives()
    values: dict[str, str | None] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        values[name.strip().lower()] = value.strip().strip('"') if sep else None
    seconds = {name: _seconds(values.get(name)) for name in _TIMED}
    s_maxage = seconds["s-maxage"]
    return Directives(
        max_age=s_maxage if s_maxage is not None else seconds["max-age"],
        no_store="no-store" in values or "private" in values,
        no_cache="no-cache" in values,
        stale_while_revalidate=seconds["stale-while-revalidate"],
        stale_if_error=seconds["stale-if-error"],
    )


_TIMED = ("max-age", "s-maxage", "stale-while-revalidate", "stale-if-error")


def effective_policy(
    configured: CacheOverride | None, default: CachePolicy, header: str | None
) -> CachePolicy | None:
    """The lifetimes for an answer, or None when it must not be stored."""
    directives = parse_cache_control(header)
    if directives.no_store:
        return None
    given = configured or CacheOverride()
    platform_ttl = 0.0 if directives.no_cache else directives.max_age
    policy = CachePolicy(
        ttl_s=_first(given.ttl_s, platform_ttl, default.ttl_s),
        stale_while_revalidate_s=_first(
            given.stale_while_revalidate_s,
            directives.stale_while_revalidate,
            default.stale_while_revalidate_s,
        ),
        stale_if_error_s=_first(
            given.stale_if_error_s, directives.stale_if_error, default.stale_if_error_s
        ),
    )
    if policy.ttl_s == policy.stale_while_revalidate_s == policy.stale_if_error_s == 0:
        return None
    return policy


def _first(*values: float | None) -> float:
    for value in values:
        if value is not None:
            return value
    return 0.0


def _seconds(text: str | None) -> float | None:
    if text is None or not text.isdigit():
        return None
    return float(text)
