"""The federation-wide sections: ``auth`` and ``gateway``."""

from __future__ import annotations

from gateway.federation import fields
from gateway.federation.caching import parse_cache_options
from gateway.federation.guards_parse import GUARD_KEYS, parse_guards
from gateway.federation.interpolate import UNRESOLVED
from gateway.federation.model import AuditConfig, AuthConfig, GatewayOptions, IntrospectionConfig
from gateway.federation.report import Report
from gateway.federation.resilience import parse_resilience

MAX_PAGE_SIZE = 1000
"""The largest page a client may ask for, whatever the file says."""

GATEWAY_KEYS = (
    "timeout_s",
    "deadline_s",
    "default_page_size",
    "max_page_size",
    "max_entities_per_city",
    "max_connections_per_city",
    "cache",
    "resilience",
    *GUARD_KEYS,
)

_ORDERED = (
    ("timeout_s", "deadline_s"),
    ("default_page_size", "max_page_size"),
    ("max_page_size", "max_entities_per_city"),
)
"""Pairs ``(a, b)`` where ``a <= b`` must hold."""


def parse_auth(report: Report, value: object) -> AuthConfig | None:
    """The optional ``auth`` section; None when absent or wrong."""
    if value is None:
        return None
    raw = fields.section(
        report,
        value,
        "auth",
        required=("issuer", "audience"),
        optional=("jwks_uri", "introspection"),
    )
    if raw is None:
        return None
    issuer = fields.auth_url(report, raw["issuer"], "auth.issuer") if "issuer" in raw else None
    audience = fields.text(report, raw["audience"], "auth.audience") if "audience" in raw else None
    jwks_uri = (
        fields.auth_url(report, raw["jwks_uri"], "auth.jwks_uri") if "jwks_uri" in raw else None
    )
    introspection = _introspection(report, raw["introspection"]) if "introspection" in raw else None
    if (
        issuer is None
        or audience is None
        or ("jwks_uri" in raw and jwks_uri is None)
        or ("introspection" in raw and introspection is None)
    ):
        return None
    return AuthConfig(issuer, audience, jwks_uri, introspection)


def _introspection(report: Report, value: object) -> IntrospectionConfig | None:
    """``auth.introspection``: an RFC 7662 endpoint and the gateway's client credentials."""
    key = "auth.introspection"
    raw = fields.section(report, value, key, required=("endpoint", "client_id", "client_secret"))
    if raw is None or set(raw) != {"endpoint", "client_id", "client_secret"}:
        return None
    endpoint = fields.auth_url(report, raw["endpoint"], f"{key}.endpoint")
    client_id = fields.text(report, raw["client_id"], f"{key}.client_id")
    secret = fields.text(report, raw["client_secret"], f"{key}.client_secret")
    if endpoint is None or client_id is None or secret is None:
        return None
    return IntrospectionConfig(endpoint, client_id, secret)


def parse_audit(report: Report, value: object) -> AuditConfig:
    """The optional ``audit`` section: ``{file: path}``; absent: the ``caap.audit`` logger."""
    if value is None or value is UNRESOLVED:
        return AuditConfig()
    raw = fields.section(report, value, "audit", optional=("file",))
    if raw is None or "file" not in raw:
        return AuditConfig()
    path = fields.text(report, raw["file"], "audit.file")
    return AuditConfig(file=path)


def parse_gateway(report: Report, value: object) -> GatewayOptions:
    """The optional ``gateway`` section; defaults for what is absent or wrong."""
    defaults = GatewayOptions()
    if value is None:
        return defaults
    raw = fields.section(report, value, "gateway", optional=GATEWAY_KEYS)
    if raw is None:
        return defaults

    wrong: set[str] = set()

    def duration(name: str, default: float) -> float:
        if name not in raw:
            return default
        value = fields.seconds(report, raw[name], f"gateway.{name}")
        if value is None:
            wrong.add(name)
        return default if value is None else value

    def count(name: str, default: int) -> int:
        if name not in raw:
            return default
        limit = MAX_PAGE_SIZE if name.endswith("page_size") else None
        value = fields.positive_int(report, raw[name], f"gateway.{name}", maximum=limit)
        if value is None:
            wrong.add(name)
        return default if value is None else value

    options = GatewayOptions(
        timeout_s=duration("timeout_s", defaults.timeout_s),
        deadline_s=duration("deadline_s", defaults.deadline_s),
        default_page_size=count("default_page_size", defaults.default_page_size),
        max_page_size=count("max_page_size", defaults.max_page_size),
        max_entities_per_city=count("max_entities_per_city", defaults.max_entities_per_city),
        max_connections_per_city=count(
            "max_connections_per_city", defaults.max_connections_per_city
        ),
        cache=parse_cache_options(report, raw["cache"]) if "cache" in raw else defaults.cache,
        resilience=(
            parse_resilience(report, raw["resilience"])
            if "resilience" in raw
            else defaults.resilience
        ),
        **parse_guards(report, raw),
    )
    _check_sense(report, options, given=set(raw), wrong=wrong)
    return options


def _check_sense(
    report: Report, options: GatewayOptions, *, given: set[str], wrong: set[str]
) -> None:
    """Limits that contradict each other, reported at the smaller one if the file gave it.

    A pair with a wrong value (reported already) is not compared.
    """
    for smaller, larger in _ORDERED:
        low, high = getattr(options, smaller), getattr(options, larger)
        if low <= high or wrong & {smaller, larger}:
            continue
        if smaller in given:
            report.add(f"gateway.{smaller}", f"must be at most {larger} ({high:g})")
        else:
            report.add(f"gateway.{larger}", f"must be at least {smaller} ({low:g})")
