"""NGSI-LD adapter config: defaults, normalisation, and every rejection naming its key."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.errors import ConfigError
from adapters.ngsi_ld import NgsiLdAdapter, NgsiLdConfig
from adapters.ngsi_ld.config import DEFAULT_CONTEXT, TypeSettings
from adapters.sdk.config import http_url

URL = "http://127.0.0.1:9101"


def reject(config: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        NgsiLdAdapter.validate_config(config)
    return info.value


def test_defaults() -> None:
    cfg = NgsiLdAdapter.validate_config({"url": URL})
    assert isinstance(cfg, NgsiLdConfig)
    assert str(cfg.entities_url) == "http://127.0.0.1:9101/ngsi-ld/v1/entities"
    assert DEFAULT_CONTEXT == "https://smartdatamodels.org/context.jsonld"
    assert cfg.defaults == TypeSettings(DEFAULT_CONTEXT, "keyValues", "dateObserved")
    assert cfg.for_type("WeatherObserved") == cfg.defaults
    assert (cfg.tenant, cfg.page_size, dict(cfg.headers), dict(cfg.types)) == (None, 100, {}, {})


@pytest.mark.parametrize(
    ("url", "entities"),
    [
        ("http://h:1026/", "http://h:1026/ngsi-ld/v1/entities"),
        ("https://h/broker", "https://h/broker/ngsi-ld/v1/entities"),
        ("https://h/broker/ngsi-ld/v1", "https://h/broker/ngsi-ld/v1/entities"),
        ("https://h/ngsi-ld/v1/", "https://h/ngsi-ld/v1/entities"),
    ],
)
def test_api_root_is_added_once(url: str, entities: str) -> None:
    assert str(NgsiLdAdapter.validate_config({"url": url}).entities_url) == entities


def test_all_keys_accepted() -> None:
    cfg = NgsiLdAdapter.validate_config(
        {
            "kind": "ngsi-ld",
            "url": URL,
            "context": "https://example.org/ctx.jsonld",
            "format": "normalized",
            "time_property": None,
            "types": {
                "WeatherObserved": {"context": "https://example.org/weather.jsonld"},
                "TrafficFlowObserved": {"time_property": "dateObservedTo", "format": "keyValues"},
            },
            "tenant": "malmo",
            "page_size": 1000,
            "headers": {"X-Api-Key": "s3cret"},
        }
    )
    assert (cfg.tenant, cfg.page_size) == ("malmo", 1000)
    assert cfg.headers == {"X-Api-Key": "s3cret"}
    with pytest.raises(TypeError):
        cfg.headers["X-Other"] = "x"  # type: ignore[index]
    assert cfg.defaults == TypeSettings("https://example.org/ctx.jsonld", "normalized", None)
    # a type override starts from the section's own defaults
    assert cfg.for_type("WeatherObserved") == TypeSettings(
        "https://example.org/weather.jsonld", "normalized", None
    )
    assert cfg.for_type("TrafficFlowObserved") == TypeSettings(
        "https://example.org/ctx.jsonld", "keyValues", "dateObservedTo"
    )
    assert cfg.for_type("Beach") == cfg.defaults
    assert cfg.contexts == {"https://example.org/ctx.jsonld", "https://example.org/weather.jsonld"}


def test_repr_hides_header_values() -> None:
    cfg = NgsiLdAdapter.validate_config({"url": URL, "headers": {"Authorization": "Bearer s3cret"}})
    assert "Authorization" in repr(cfg)
    assert "s3cret" not in repr(cfg)


def test_unknown_key_is_named_and_allowed_keys_listed() -> None:
    err = reject({"url": URL, "pagesize": 10})
    assert err.key == "pagesize"
    allowed_keys = ("url", "context", "format", "time_property", "types", "tenant")
    for allowed in (*allowed_keys, "page_size", "headers"):
        assert allowed in err.message


def test_url_is_required() -> None:
    assert reject({}).key == "url"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://h/",
        "file:///etc/passwd",
        "127.0.0.1:9101",
        "http://",
        "",
        42,
        None,
        "http://user:pw@h/",
        "http://h/?x=1",
    ],
)
def test_bad_url_is_named(url: object) -> None:
    err = reject({"url": url})
    assert err.key == "url"
    assert "pw" not in str(err)


@pytest.mark.parametrize("size", [0, -1, 1001, "100", 10.0, True, None])
def test_bad_page_size_is_named(size: object) -> None:
    assert reject({"url": URL, "page_size": size}).key == "page_size"


@pytest.mark.parametrize("size", [1, 1000])
def test_page_size_bounds_are_inclusive(size: int) -> None:
    assert NgsiLdAdapter.validate_config({"url": URL, "page_size": size}).page_size == size


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"context": "urn:x"}, "context"),
        ({"types": ["WeatherObserved"]}, "types"),
        ({"types": {"Weather,Observed": {}}}, "types"),
        ({"types": {"WeatherObserved": "ctx"}}, "types.WeatherObserved"),
        ({"types": {"WeatherObserved": {"context": "ctx"}}}, "types.WeatherObserved.context"),
        ({"types": {"WeatherObserved": {"format": "x"}}}, "types.WeatherObserved.format"),
        ({"types": {"WeatherObserved": {"page_size": 5}}}, "types.WeatherObserved.page_size"),
        ({"tenant": ""}, "tenant"),
        ({"tenant": "a\nb"}, "tenant"),
        ({"format": "concise"}, "format"),
        ({"time_property": "date Observed"}, "time_property"),
        ({"headers": ["X-Key"]}, "headers"),
        ({"headers": {"Bad Name": "v"}}, "headers"),
        ({"headers": {"Accept": "text/html"}}, "headers.Accept"),
        ({"headers": {"Link": "<x>"}}, "headers.Link"),
        ({"headers": {"X-Key": 5}}, "headers.X-Key"),
        ({"kind": "sensorthings"}, "kind"),
    ],
)
def test_bad_values_are_named(config: dict[str, Any], key: str) -> None:
    assert reject({"url": URL, **config}).key == key


def test_header_values_never_in_messages() -> None:
    err = reject({"url": URL, "headers": {"X-Key": "top\nsecret"}})
    assert err.key == "headers.X-Key"
    assert "secret" not in str(err)


def test_not_a_mapping() -> None:
    assert reject(["url"]).key == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"url": "http://u:p@b.example"}, "url"),
        ({"context": "https://c.example/x#frag"}, "context"),
    ],
)
def test_urls_are_checked_by_the_sdk(config: dict[str, Any], key: str) -> None:
    """Issue 12 item 5: one config URL check for every adapter (``adapters.sdk.http_url``);
    the NGSI-LD copy let a fragment through in a context URL."""
    err = reject({"url": URL, **config})
    assert err.key == key
    with pytest.raises(ConfigError) as sdk:
        http_url(config[key], key, credentials_hint="put them in 'headers'")
    assert str(err) == str(sdk.value)
