"""The ``credentials`` section: checked at load with messages that name the key and never a
secret; the token endpoint's answers read as RFC 6749 says."""

from __future__ import annotations

import base64
import urllib.parse
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from yarl import URL

from adapters.credentials import CredentialsConfig, check_credentials, parse_credentials
from adapters.credentials.oauth2 import (
    DEFAULT_LIFETIME_S,
    basic_credentials,
    parse_token,
    refusal,
)
from adapters.errors import (
    ConfigError,
    UpstreamAuthError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamUnavailable,
)
from adapters.ngsi_ld.config import validate_config as ngsi_ld_config
from adapters.rest_json.config import validate_config as rest_json_config
from adapters.sdk.config import parse_config
from tests.adapters.test_rest_json_config import demo_section

SECRET = "pl41n-text-secret-b7e1"
OAUTH2 = {
    "token_url": "https://login.example.se/oauth2/token",
    "client_id": "caap-gateway",
    "client_secret": SECRET,
}


def test_oauth2_and_api_keys_parse_into_typed_sections() -> None:
    config = parse_credentials({"oauth2": {**OAUTH2, "scope": "iot:read city:malmo"}})
    assert config.oauth2 is not None
    assert str(config.oauth2.token_url) == OAUTH2["token_url"]
    assert (config.oauth2.scope, config.oauth2.auth_method) == (
        "iot:read city:malmo",
        "client_secret_basic",
    )
    assert config.header == "Authorization"
    key = parse_credentials({"api_key": {"query": "apikey", "value": SECRET}})
    assert key.api_key is not None
    assert (key.api_key.query, key.header) == ("apikey", None)


@pytest.mark.parametrize(
    ("section", "key", "fragment"),
    [
        ({}, "credentials", "exactly one of oauth2 and api_key"),
        ({"oauth2": OAUTH2, "api_key": {"header": "X", "value": "v"}}, "credentials", "exactly"),
        ({"basic": {}}, "credentials.basic", "unknown key"),
        ({"oauth2": {**OAUTH2, "client_secret": ""}}, "credentials.oauth2.client_secret", "ENV"),
        ({"oauth2": {**OAUTH2, "client_secret": 42}}, "credentials.oauth2.client_secret", "str"),
        ({"oauth2": {**OAUTH2, "token_url": "ftp://x/t"}}, "credentials.oauth2.token_url", "http"),
        (
            {"oauth2": {**OAUTH2, "token_url": "http://login.example.se/t"}},
            "credentials.oauth2.token_url",
            "https only",
        ),
        ({"oauth2": {**OAUTH2, "scope": "a  b"}}, "credentials.oauth2.scope", "scopes"),
        ({"oauth2": {**OAUTH2, "auth_method": "jwt"}}, "credentials.oauth2.auth_method", "one of"),
        ({"api_key": {"value": SECRET}}, "credentials.api_key", "exactly one of header and query"),
        ({"api_key": {"header": "A B", "value": SECRET}}, "credentials.api_key.header", "HTTP"),
        ({"api_key": {"header": "Host", "value": SECRET}}, "credentials.api_key", "HTTP client"),
        ({"api_key": {"query": "a&b", "value": SECRET}}, "credentials.api_key.query", "query"),
    ],
)
def test_mistakes_name_the_key_and_never_the_secret(
    section: dict[str, Any], key: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_credentials(section)
    assert caught.value.key == key
    assert fragment in caught.value.message
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://broker.example.se", True),
        ("http://127.0.0.1:9101", True),
        ("http://localhost:1026", True),
        ("http://[::1]:1026", True),
        ("http://broker.example.se", False),
        ("http://10.0.0.7:1026", False),
    ],
)
def test_secrets_travel_over_https_or_loopback_only(url: str, allowed: bool) -> None:
    key = {"api_key": {"header": "X-Key", "value": SECRET}}
    if allowed:
        assert ngsi_ld_config({"url": url, "credentials": key}).credentials is not None
    else:
        with pytest.raises(ConfigError, match="https only"):
            ngsi_ld_config({"url": url, "credentials": key})
        inside = {**key, "allow_plain_http": True}
        assert ngsi_ld_config({"url": url, "credentials": inside}).credentials is not None


def test_a_temporal_api_elsewhere_is_an_origin_of_the_credentials_too() -> None:
    section = {
        "url": "https://broker.example.se",
        "temporal": {"url": "http://history.example.se"},
        "credentials": {"api_key": {"header": "X-Key", "value": SECRET}},
    }
    with pytest.raises(ConfigError, match=r"history\.example\.se is asked over plain http"):
        ngsi_ld_config(section)


@pytest.mark.parametrize("header", ["X-Key", "x-key", "Link", "NGSILD-Tenant"])
def test_the_key_header_must_not_collide_with_another(header: str) -> None:
    section = {
        "url": "https://broker.example.se",
        "headers": {"X-Key": "something"},
        "credentials": {"api_key": {"header": header, "value": SECRET}},
    }
    with pytest.raises(ConfigError, match="header is set already"):
        ngsi_ld_config(section)


def test_an_oauth2_client_collides_with_an_authorization_header() -> None:
    section = {
        "url": "https://broker.example.se",
        "headers": {"Authorization": "Bearer static"},
        "credentials": {"oauth2": OAUTH2},
    }
    with pytest.raises(ConfigError, match="Authorization header is set already"):
        ngsi_ld_config(section)


def test_rest_json_refuses_a_key_parameter_it_sends_itself() -> None:
    section = {**demo_section("orebro"), "url": "https://api.example.se"}
    limit = section["paging"]["limit"]
    keyed = {**section, "credentials": {"api_key": {"query": limit, "value": SECRET}}}
    with pytest.raises(ConfigError) as caught:
        rest_json_config(keyed)
    assert caught.value.key == "credentials.api_key.query"
    fine = {**section, "credentials": {"api_key": {"query": "apikey", "value": SECRET}}}
    assert rest_json_config(fine).credentials is not None


def test_no_repr_shows_a_secret() -> None:
    ngsi = ngsi_ld_config({"url": "https://b.example.se", "credentials": {"oauth2": OAUTH2}})
    rest = rest_json_config(
        {
            **demo_section("orebro"),
            "url": "https://api.example.se",
            "credentials": {"api_key": {"header": "X-Key", "value": SECRET}},
        }
    )
    for config in (ngsi, rest):
        assert SECRET not in repr(config)
        assert "***" in repr(config)


def test_basic_credentials_are_form_encoded_first() -> None:
    header = basic_credentials("caap gateway", "p@ss:w/rd+")
    scheme, encoded = header.split(" ")
    client, secret = base64.b64decode(encoded).decode().split(":")
    assert scheme == "Basic"
    assert (client, secret) == ("caap+gateway", "p%40ss%3Aw%2Frd%2B")
    assert urllib.parse.unquote_plus(secret) == "p@ss:w/rd+"


def test_a_token_is_replaced_30_s_or_a_quarter_of_its_life_before_it_expires() -> None:
    long = parse_token(orjson.dumps({"access_token": "t", "expires_in": 3600}), started=100.0)
    assert (long.renew_at, long.expires_at) == (3670.0, 3700.0)
    short = parse_token(orjson.dumps({"access_token": "t", "expires_in": "60"}), started=0.0)
    assert (short.renew_at, short.expires_at) == (45.0, 60.0)
    unknown = parse_token(orjson.dumps({"access_token": "t", "token_type": "bearer"}), 0.0)
    assert unknown.expires_at == DEFAULT_LIFETIME_S
    assert repr(long).count("***") == 1


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"token_type": "Bearer"}',
        b'{"access_token": "t", "token_type": "DPoP"}',
        b'{"access_token": ""}',
    ],
)
def test_an_answer_without_a_bearer_token_is_a_protocol_error(body: bytes) -> None:
    with pytest.raises(UpstreamProtocolError):
        parse_token(body, 0.0)


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (
            401,
            b'{"error": "invalid_client"}',
            UpstreamAuthError,
            "the token endpoint refused the gateway's client credentials: invalid_client "
            "(HTTP 401)",
        ),
        (
            400,
            b'{"error": "invalid_scope", "error_description": "' + SECRET.encode() + b'"}',
            UpstreamAuthError,
            "the token endpoint refused the gateway's client credentials: invalid_scope (HTTP 400)",
        ),
        (
            401,
            b'{"error": "' + SECRET.encode() + b'"}',
            UpstreamAuthError,
            "the token endpoint refused the gateway's client credentials (HTTP 401)",
        ),
        (503, b"", UpstreamUnavailable, "the token endpoint is unavailable (HTTP 503)"),
        (500, b"oops", UpstreamError, "the token endpoint answered HTTP 500"),
    ],
)
def test_refusals_quote_only_registered_error_codes(
    status: int, body: bytes, kind: type[UpstreamError], message: str
) -> None:
    error = refusal(status, body, None)
    assert type(error) is kind
    assert (str(error), error.status) == (message, status)


def test_an_sdk_dataclass_config_holds_credentials_and_checks_them() -> None:
    @dataclass(frozen=True)
    class MyConfig:
        url: URL
        credentials: CredentialsConfig | None = None

    config = parse_config(MyConfig, {"url": "http://10.1.2.3", "credentials": {"oauth2": OAUTH2}})
    assert config.credentials is not None
    assert SECRET not in repr(config)
    with pytest.raises(ConfigError, match="https only") as caught:
        check_credentials(config.credentials, origins=(config.url,))
    assert caught.value.key == "credentials"
