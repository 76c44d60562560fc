"""Which authorization server is trusted: the federation file, overridden by CAAP_AUTH_*."""

from __future__ import annotations

import pytest

from gateway.auth import effective_auth
from gateway.federation.model import AuthConfig, IntrospectionConfig
from gateway.process.settings import Settings, SettingsError

FILE = AuthConfig(
    "https://idp.example.se",
    "urn:caap:gateway",
    None,
    IntrospectionConfig("https://idp.example.se/introspect", "gw", "secret"),
)


def test_no_file_section_and_no_environment_means_no_tokens() -> None:
    assert effective_auth(None, Settings()) is None


def test_the_file_is_used_as_it_is() -> None:
    assert effective_auth(FILE, Settings()) == FILE


def test_the_environment_overrides_each_value() -> None:
    settings = Settings.from_env(
        {
            "CAAP_AUTH_ISSUER": "https://login.malmo.se",
            "CAAP_AUTH_AUDIENCE": "urn:caap:test",
            "CAAP_AUTH_JWKS_URI": "https://login.malmo.se/keys",
        }
    )
    assert effective_auth(FILE, settings) == AuthConfig(
        "https://login.malmo.se", "urn:caap:test", "https://login.malmo.se/keys", FILE.introspection
    )


def test_the_environment_alone_can_configure_tokens() -> None:
    settings = Settings.from_env(
        {"CAAP_AUTH_ISSUER": "http://127.0.0.1:9000", "CAAP_AUTH_AUDIENCE": "urn:caap:gateway"}
    )
    assert effective_auth(None, settings) == AuthConfig("http://127.0.0.1:9000", "urn:caap:gateway")


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"CAAP_AUTH_ISSUER": "https://idp.example.se"}, "both an issuer and an audience"),
        ({"CAAP_AUTH_JWKS_URI": "https://idp.example.se/k"}, "both an issuer and an audience"),
        (
            {"CAAP_AUTH_ISSUER": "http://idp.example.se", "CAAP_AUTH_AUDIENCE": "a"},
            "CAAP_AUTH_ISSUER: must use https",
        ),
    ],
)
def test_half_a_configuration_is_refused(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        effective_auth(None, Settings.from_env(env))


def test_an_insecure_jwks_uri_from_the_environment_is_refused() -> None:
    with pytest.raises(SettingsError, match="CAAP_AUTH_JWKS_URI: must use https"):
        effective_auth(FILE, Settings.from_env({"CAAP_AUTH_JWKS_URI": "http://keys.example.se"}))
