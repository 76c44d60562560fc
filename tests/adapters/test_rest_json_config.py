"""The rest-json adapter section: validated and compiled at load, every error naming its key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.contract import Comparison
from adapters.errors import ConfigError
from adapters.rest_json import RestJsonAdapter
from adapters.rest_json.config import validate_config

ROOT = Path(__file__).resolve().parents[2]


def demo_section(city: str = "helsingborg") -> dict[str, Any]:
    """A rest-json city's adapter section of the demo federation, without kind."""
    document = yaml.safe_load((ROOT / "federation.yaml").read_text(encoding="utf-8"))
    section = dict(document["cities"][city]["adapter"])
    section["url"] = "http://127.0.0.1:9"
    return section


def minimal(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "url": "https://data.example.se/v1",
        "types": {"WeatherObserved": {"path": "/weather", "id": "id", "attributes": {"t": "t"}}},
    }
    config.update(changes)
    return config


@pytest.mark.parametrize("city", ["helsingborg", "halmstad", "goteborg", "orebro"])
def test_the_demo_cities_validate(city: str) -> None:
    config = validate_config(demo_section(city))
    assert set(config.types) == {
        "WeatherObserved", "AirQualityObserved", "WaterQualityObserved", "TrafficFlowObserved",
        "Beach", "Device", "WaterConsumptionObserved", "OffStreetParking", "PointOfInterest",
    }  # fmt: skip
    assert config.types["WeatherObserved"].query == {
        "observed_after": "from", "observed_before": "to", "bbox": "bbox",
    }  # fmt: skip
    assert config.types["WeatherObserved"].where_params["temperature"][Comparison.GT] == (
        "temperature__gt"
    )
    assert "pollutants.pm25__lte" in config.parameters


def test_defaults_and_paging_parameter_names() -> None:
    config = validate_config(minimal(paging={"style": "page", "size": "per_page"}))
    assert config.paging.params == {"page": "page", "size": "per_page", "first": 1}
    assert config.page_size == 100
    assert config.accept == "application/json"
    assert config.types["WeatherObserved"].items.source == "$"


def test_path_templates_take_the_type_and_vars() -> None:
    types = {"Beach": {"path": "/{vars.city}/{type}s", "id": "id", "attributes": {"n": "n"}}}
    config = validate_config(minimal(types=types, vars={"city": "lund"}))
    assert config.types["Beach"].path == "/lund/Beachs"


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"url": "ftp://x"}, "url", "http"),
        ({"url": "https://u:p@x.se"}, "url", "credentials"),
        ({"url": "https://x.se/?a=1"}, "url", "query"),
        ({"colour": "red"}, "colour", "unknown key"),
        ({"page_size": 0}, "page_size", "1 to 1000"),
        ({"accept": "text/csv"}, "accept", "application/json"),
        ({"paging": {"style": "cursor"}}, "paging.style", "offset"),
        ({"paging": {"style": "offset", "page": "p"}}, "paging.page", "unknown key"),
        ({"paging": {"style": "page", "first": "1"}}, "paging.first", "first page"),
        ({"paging": {"style": "next", "next": "links..next"}}, "paging.next", "path"),
        ({"headers": {"Accept": "x"}}, "headers.Accept", "set by the adapter"),
        ({"headers": {"X-Key": "a\nb"}}, "headers.X-Key", "line breaks"),
        ({"types": {}}, "types", "at least one"),
        ({"types": {"Weather Observed": {}}}, "types", "not an entity type"),
        ({"types": {"T": {"id": "id", "attributes": {"a": "a"}}}}, "types.T.path", "required"),
        ({"types": {"T": {"path": "x", "id": "i", "attributes": {"a": "a"}}}},
         "types.T.path", "'/'"),
        ({"types": {"T": {"path": "/{city}", "id": "i", "attributes": {"a": "a"}}}},
         "types.T.path", "unknown placeholder"),
        ({"types": {"T": {"path": "/x", "id": "i", "attributes": {"a": "a | nope"}}}},
         "types.T.attributes.a", "unknown filter"),
        ({"types": {"T": {"path": "/x", "id": "i", "attributes": {"a": "a"},
                          "query": {"near": "n"}}}}, "types.T.query.near", "unknown"),
        ({"types": {"T": {"path": "/x", "id": "i", "attributes": {"a": "a"},
                          "location": {"lat": "y"}}}}, "types.T.location", "lat: ..., lon"),
        ({"types": {"T": {"path": "/x", "id": "i", "attributes": {"a": "a"},
                          "where_params": {"b": {"gt": "b_gt"}}}}},
         "types.T.where_params.b", "not one of the type's attributes"),
        ({"types": {"T": {"path": "/x", "id": "i", "attributes": {"a": "a | scale(2)"},
                          "where_params": {"a": {"gt": "a_gt"}}}}},
         "types.T.where_params.a", "computed"),
        ({"types": {"T": {"path": "/x", "id": "i", "attributes": {"a": "a"},
                          "where_params": {"a": {"above": "a_gt"}}}}},
         "types.T.where_params.a.above", "allowed: eq, ne"),
        ({"types": {"T": {"path": "/x", "id": "i", "attributes": {"a": "a"},
                          "where_params": {"a": {"gt": 1}}}}},
         "types.T.where_params.a.gt", "must be a string"),
    ],
)  # fmt: skip
def test_errors_name_the_key(changes: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_config(minimal(**changes))
    assert caught.value.key == key
    assert message in caught.value.message


def test_header_values_never_appear_in_repr_or_errors() -> None:
    secret = "s3cr3t-api-key"
    config = validate_config(minimal(headers={"X-API-Key": secret}))
    assert secret not in repr(config)
    with pytest.raises(ConfigError) as caught:
        validate_config(minimal(headers={"X-API-Key": secret + "\n"}))
    assert secret not in str(caught.value)


def test_the_class_validates_through_the_contract() -> None:
    assert RestJsonAdapter.validate_config(minimal()).url.host == "data.example.se"
    assert RestJsonAdapter.kind == "rest-json"
