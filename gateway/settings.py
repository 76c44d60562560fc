"""Typed settings from the environment (``CAAP_*``, CONTRACT.md)."""

from __future__ import annotations

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
        )
