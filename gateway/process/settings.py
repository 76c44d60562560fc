"""Typed settings from the environment (``CAAP_*``, docs/architecture.md, "Start-up")."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass


class SettingsError(ValueError):
    """An environment variable with a value that cannot be used."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the process is told by its environment; the federation file says the rest."""

    config_path: str = "./federation.yaml"
    host: str = "127.0.0.1"
    port: int = 8000
    redis_url: str | None = None
    auth_issuer: str | None = None
    auth_audience: str | None = None
    auth_jwks_uri: str | None = None
    log_level: str = "INFO"
    log_format: str | None = None
    """``json`` or ``text`` (CAAP_LOG_FORMAT); None: JSON unless stderr is a terminal."""
    otel: bool = False
    """OpenTelemetry spans (CAAP_OTEL=1; needs the ``otel`` extra)."""
    reload_watch_s: float = 5.0
    """How often the federation file is checked for changes (CAAP_RELOAD_WATCH_S; 0: never)."""
    status_refresh_s: float = 10.0
    """The status page probes a city silent for longer than this (CAAP_STATUS_REFRESH_S)."""
    shutdown_timeout_s: float = 30.0
    """On SIGTERM, how long in-flight requests may take to finish (CAAP_SHUTDOWN_TIMEOUT_S)."""
    header_timeout_s: float = 10.0
    """How long a connection may take to send a request's headers (CAAP_HEADER_TIMEOUT_S;
    0: no limit). A slower one is closed (docs/security.md)."""
    body_timeout_s: float = 30.0
    """How long a request may take to send its body (CAAP_BODY_TIMEOUT_S; 0: no limit);
    a slower one is answered 408 and closed."""
    forwarded_allow_ips: str | None = None
    """The proxies whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are trusted: IPs or
    networks, comma-separated (CAAP_FORWARDED_ALLOW_IPS); None: no one's, the caller's
    address is the socket's peer."""
    public_url: str | None = None
    """The gateway's address as platforms reach it, for HTTP notifications (CAAP_PUBLIC_URL,
    e.g. ``https://caap.example.se``); None: the address it listens on."""
    live_poll_s: float = 10.0
    """How often a city that does not push is polled for a live stream (CAAP_LIVE_POLL_S)."""
    live_push_retry_s: float = 30.0
    """How soon a failed push channel is tried again (CAAP_LIVE_PUSH_RETRY_S)."""
    live_per_connection: int = 20
    """Subscriptions one connection may hold (CAAP_LIVE_PER_CONNECTION)."""
    live_per_client: int = 100
    """Subscriptions one client (token client id, else address) may hold (CAAP_LIVE_PER_CLIENT)."""
    live_queue: int = 256
    """Events waiting for one subscriber; past that it is closed as too slow (CAAP_LIVE_QUEUE)."""
    live_init_timeout_s: float = 10.0
    """How long a WebSocket may take to send ``connection_init`` (CAAP_LIVE_INIT_TIMEOUT_S);
    later, it is closed with 4408."""
    live_lease_s: float = 10.0
    """With CAAP_REDIS_URL: how long a replica's lease on an upstream stream lasts unrenewed
    (CAAP_LIVE_LEASE_S); another replica takes a dead one's streams over within about that."""
    notify_body_bytes: int = 1 << 20
    """The largest notification a platform may POST (CAAP_NOTIFY_BODY_BYTES)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``CAAP_*`` variables; unset ones keep their defaults."""
        e = os.environ if env is None else env
        port_text = e.get("CAAP_PORT", "8000")
        try:
            port = int(port_text)
        except ValueError:
            raise SettingsError(f"CAAP_PORT: {port_text!r} is not a port number") from None
        if not 0 <= port <= 65535:
            raise SettingsError(f"CAAP_PORT: {port} is outside 0..65535")
        level = e.get("CAAP_LOG_LEVEL", "INFO").upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise SettingsError(
                f"CAAP_LOG_LEVEL: {level!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
            )
        return cls(
            config_path=e.get("CAAP_CONFIG", "./federation.yaml"),
            host=e.get("CAAP_HOST", "127.0.0.1"),
            port=port,
            redis_url=e.get("CAAP_REDIS_URL") or None,
            auth_issuer=e.get("CAAP_AUTH_ISSUER") or None,
            auth_audience=e.get("CAAP_AUTH_AUDIENCE") or None,
            auth_jwks_uri=e.get("CAAP_AUTH_JWKS_URI") or None,
            log_level=level,
            log_format=_choice(e, "CAAP_LOG_FORMAT", ("json", "text")),
            otel=e.get("CAAP_OTEL", "").lower() in ("1", "true", "yes", "on"),
            reload_watch_s=_seconds(e, "CAAP_RELOAD_WATCH_S", 5.0),
            status_refresh_s=_seconds(e, "CAAP_STATUS_REFRESH_S", 10.0),
            shutdown_timeout_s=_seconds(e, "CAAP_SHUTDOWN_TIMEOUT_S", 30.0),
            header_timeout_s=_seconds(e, "CAAP_HEADER_TIMEOUT_S", 10.0),
            body_timeout_s=_seconds(e, "CAAP_BODY_TIMEOUT_S", 30.0),
            forwarded_allow_ips=_proxies(e.get("CAAP_FORWARDED_ALLOW_IPS", "")),
            public_url=_url(e.get("CAAP_PUBLIC_URL", "")),
            live_poll_s=_seconds(e, "CAAP_LIVE_POLL_S", 10.0) or 10.0,
            live_push_retry_s=_seconds(e, "CAAP_LIVE_PUSH_RETRY_S", 30.0) or 30.0,
            live_per_connection=_count(e, "CAAP_LIVE_PER_CONNECTION", 20),
            live_per_client=_count(e, "CAAP_LIVE_PER_CLIENT", 100),
            live_queue=_count(e, "CAAP_LIVE_QUEUE", 256),
            live_init_timeout_s=_seconds(e, "CAAP_LIVE_INIT_TIMEOUT_S", 10.0) or 10.0,
            live_lease_s=_seconds(e, "CAAP_LIVE_LEASE_S", 10.0) or 10.0,
            notify_body_bytes=_count(e, "CAAP_NOTIFY_BODY_BYTES", 1 << 20),
        )


def _seconds(e: Mapping[str, str], name: str, default: float) -> float:
    text = e.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name}: {text!r} is not a number of seconds") from None
    if not 0 <= value < 86_400:
        raise SettingsError(f"{name}: {value:g} is outside 0..86400 seconds")
    return value


def _count(e: Mapping[str, str], name: str, default: int) -> int:
    text = e.get(name)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{name}: {text!r} is not a whole number") from None
    if value < 1:
        raise SettingsError(f"{name}: {value} must be at least 1")
    return value


def _url(text: str) -> str | None:
    """``CAAP_PUBLIC_URL``: an absolute http(s) URL, or None."""
    text = text.strip()
    if not text:
        return None
    if not text.startswith(("http://", "https://")) or len(text) < 10:
        raise SettingsError(f"CAAP_PUBLIC_URL: {text!r} is not an http:// or https:// URL")
    return text.rstrip("/")


def _choice(e: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    text = e.get(name, "").lower()
    if not text:
        return None
    if text not in allowed:
        raise SettingsError(f"{name}: {text!r} is not one of {', '.join(allowed)}")
    return text


def _proxies(text: str) -> str | None:
    """``CAAP_FORWARDED_ALLOW_IPS``: addresses or networks, comma-separated; ``*`` is refused
    (every client could then choose its own address)."""
    entries = [part.strip() for part in text.split(",") if part.strip()]
    if not entries:
        return None
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                f"CAAP_FORWARDED_ALLOW_IPS: {entry!r} is not an IP address or network"
            ) from None
    return ",".join(entries)
