"""The authorization server in force: the federation file's ``auth`` section, overridden by
``CAAP_AUTH_ISSUER``, ``CAAP_AUTH_AUDIENCE`` and ``CAAP_AUTH_JWKS_URI``."""

from __future__ import annotations

from gateway.federation.fields import auth_url_problem
from gateway.federation.model import AuthConfig
from gateway.process.settings import Settings, SettingsError


def effective_auth(file: AuthConfig | None, settings: Settings) -> AuthConfig | None:
    """The auth configuration to use; None: no tokens accepted, public data only.

    Raises SettingsError when the environment gives half a configuration or a bad URL.
    """
    issuer = settings.auth_issuer or (file.issuer if file else None)
    audience = settings.auth_audience or (file.audience if file else None)
    jwks_uri = settings.auth_jwks_uri or (file.jwks_uri if file else None)
    if issuer is None and audience is None and jwks_uri is None:
        return None
    if issuer is None or audience is None:
        raise SettingsError(
            "CAAP_AUTH_*: tokens need both an issuer and an audience "
            "(CAAP_AUTH_ISSUER and CAAP_AUTH_AUDIENCE, or the auth section of the federation file)"
        )
    for name, value in (
        ("CAAP_AUTH_ISSUER", settings.auth_issuer),
        ("CAAP_AUTH_JWKS_URI", settings.auth_jwks_uri),
    ):
        problem = auth_url_problem(value) if value else None
        if problem is not None:
            raise SettingsError(f"{name}: {problem}")
    introspection = file.introspection if file else None
    return AuthConfig(issuer, audience, jwks_uri, introspection)
