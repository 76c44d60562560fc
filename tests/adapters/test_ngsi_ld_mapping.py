"""NGSI-LD payload -> SourceEntity, on the Smart Data Models examples and edge cases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from adapters.contract import GeoPoint, SourceEntity
from adapters.errors import UpstreamProtocolError
from adapters.ngsi_ld.contexts import term_map
from adapters.ngsi_ld.mapping import parse_datetime, to_source_entity

FIXTURES = Path(__file__).parent / "fixtures" / "smart-data-models"
TERMS = term_map("https://smartdatamodels.org/context.jsonld")
WEATHER_CTX = (
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Weather/master/context.jsonld"
)


def example(model: str, normalized: bool = False) -> dict[str, Any]:
    name = "example-normalized.jsonld" if normalized else "example.jsonld"
    data: dict[str, Any] = orjson.loads((FIXTURES / model / name).read_bytes())
    return data


def mapped(raw: object, **kwargs: Any) -> SourceEntity:
    return to_source_entity(raw, TERMS, **kwargs)


def test_weather_observed_keyvalues() -> None:
    entity = mapped(example("WeatherObserved"))
    assert (
        entity.id
        == "urn:ngsi-ld:WeatherObserved:Spain-WeatherObserved-Valladolid-2016-11-30T07:00:00.00Z"
    )
    assert entity.type == "WeatherObserved"
    assert entity.location == GeoPoint(lat=41.640833333, lon=-4.754444444)
    assert entity.observed_at == datetime(2016, 11, 30, 7, tzinfo=UTC)
    assert entity.attributes["temperature"] == 3.3
    assert entity.attributes["refDevice"] == "urn:ngsi-ld:Device:device-0A3478"
    assert entity.attributes["address"] == {"addressLocality": "Valladolid", "addressCountry": "ES"}
    for member in ("id", "type", "location", "@context"):
        assert member not in entity.attributes


@pytest.mark.parametrize("model", ["WeatherObserved", "Beach", "WaterConsumptionObserved"])
def test_keyvalues_and_normalized_map_identically(model: str) -> None:
    """Upstream's two examples of these models hold the same data."""
    kv, nz = mapped(example(model)), mapped(example(model, normalized=True))
    assert (kv.id, kv.type, kv.location, kv.attributes) == (
        nz.id,
        nz.type,
        nz.location,
        nz.attributes,
    )
    assert orjson.dumps(nz.attributes)  # plain JSON all the way down


def test_normalized_typed_literal_becomes_its_string() -> None:
    entity = mapped(example("WeatherObserved", normalized=True))
    assert entity.attributes["dateObserved"] == "2016-11-30T07:00:00.00Z"
    device = mapped(example("Device", normalized=True))
    assert device.attributes["dateFirstUsed"] == "2014-09-11T11:00:00Z"


def test_relationships_become_their_objects() -> None:
    device = mapped(example("Device", normalized=True))
    assert device.attributes["controlledAsset"] == ["urn:ngsi-ld::wastecontainer-Osuna-100"]
    assert (
        device.attributes["refDeviceModel"]
        == "urn:ngsi-ld:DeviceModel:myDevice-wastecontainer-sensor-345"
    )
    air = mapped(example("AirQualityObserved", normalized=True))
    assert (
        air.attributes["refPointOfInterest"] == "urn:ngsi-ld:PointOfInterest:28079004-Pza.deEspanya"
    )


def test_sub_attributes_are_dropped() -> None:
    air = mapped(example("AirQualityObserved", normalized=True))
    assert air.attributes["no2"] == 69  # its unitCode is gone


def test_naive_date_observed_is_utc() -> None:
    for normalized in (False, True):
        air = mapped(example("AirQualityObserved", normalized=normalized))
        assert air.observed_at == datetime(2016, 3, 15, 11, tzinfo=UTC)


def test_observed_at_falls_back_to_latest_observed_at() -> None:
    water = mapped(example("WaterConsumptionObserved", normalized=True))
    assert water.observed_at == datetime(2021, 5, 23, 23, 14, 16, tzinfo=UTC)
    assert mapped(example("WaterConsumptionObserved")).observed_at is None  # keyValues loses it
    raw = {
        "id": "urn:x",
        "type": "T",
        "a": {"type": "Property", "value": 1, "observedAt": "2026-01-01T10:00:00Z"},
        "b": {"type": "Property", "value": 2, "observedAt": "2026-01-01T12:00:00+01:00"},
        "c": {"type": "Property", "value": 3, "observedAt": "2026-01-01T10:30:00Z"},
    }
    assert mapped(raw).observed_at == datetime(2026, 1, 1, 11, tzinfo=UTC)


def test_date_observed_wins_over_observed_at() -> None:
    raw = {
        "id": "urn:x",
        "type": "T",
        "dateObserved": {"type": "Property", "value": "2026-01-01T00:00:00Z"},
        "a": {"type": "Property", "value": 1, "observedAt": "2026-06-01T00:00:00Z"},
    }
    assert mapped(raw).observed_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert mapped(raw, time_property=None).observed_at == datetime(2026, 6, 1, tzinfo=UTC)


def test_line_string_location_is_its_centroid() -> None:
    traffic = mapped(example("TrafficFlowObserved"))
    assert traffic.location is not None
    assert traffic.location.lat == pytest.approx(
        (41.6538181849672 + 41.6600594193478 + 41.659585195093) / 3
    )
    assert traffic.location.lon == pytest.approx(
        (-4.73735395519672 - 4.73414858659993 - 4.73447575302641) / 3
    )
    assert traffic.location == mapped(example("TrafficFlowObserved", normalized=True)).location


def test_interval_date_observed_gives_its_end() -> None:
    traffic = mapped(example("TrafficFlowObserved"))
    assert traffic.observed_at == datetime(2016, 12, 7, 11, 15, tzinfo=UTC)


def test_entity_without_location() -> None:
    device = mapped(example("Device"))
    assert (device.location, device.observed_at) == (None, None)
    assert device.attributes["value"] == "l%3D0.22%3Bt%3D21.2"  # an attribute named "value"


def test_expanded_iris_compact_with_the_shipped_contexts() -> None:
    """A broker that could not compact with our context answers with full IRIs."""
    weather = term_map(WEATHER_CTX)
    compact = example("WeatherObserved", normalized=True)
    expanded: dict[str, Any] = {"id": compact["id"], "type": weather.expand("WeatherObserved")}
    for key, value in compact.items():
        if key not in ("id", "type", "@context"):
            expanded[weather.expand(key)] = {
                **value,
                "type": "https://uri.etsi.org/ngsi-ld/" + value["type"],
            }
    assert expanded["type"] == "https://smartdatamodels.org/dataModel.Weather/WeatherObserved"
    assert "https://smartdatamodels.org/dataModel.Weather/temperature" in expanded
    got, want = mapped(expanded), mapped(compact)
    assert (got.type, got.location, got.observed_at, got.attributes) == (
        want.type,
        want.location,
        want.observed_at,
        want.attributes,
    )


def test_other_attribute_kinds() -> None:
    raw = {
        "id": "urn:x",
        "type": "T",
        "name": {"type": "LanguageProperty", "languageMap": {"sv": "Strand", "en": "Beach"}},
        "alias": {"languageMap": {"sv": "Badplats"}},  # simplified LanguageProperty
        "route": {
            "type": "ListRelationship",
            "objectList": [{"object": "urn:a"}, {"object": "urn:b"}],
        },
        "depths": {"type": "ListProperty", "valueList": [1, 2]},
        "config": {"type": "JsonProperty", "json": {"type": "Property", "value": 1}},
        "category": {
            "type": "VocabProperty",
            "vocab": "https://uri.etsi.org/ngsi-ld/default-context/public",
        },
        "speed": [
            {"type": "Property", "value": 55, "datasetId": "urn:gps"},
            {"type": "Property", "value": 54},
        ],
        "tags": ["a", {"@type": "DateTime", "@value": "2026-01-01T00:00:00Z"}],
        "postal": {"type": "PostalAddress", "streetAddress": "Storgatan 1"},
        "createdAt": "2026-01-01T00:00:00Z",
    }
    attrs = mapped(raw).attributes
    assert attrs == {
        "name": {"sv": "Strand", "en": "Beach"},
        "alias": {"sv": "Badplats"},
        "route": ["urn:a", "urn:b"],
        "depths": [1, 2],
        "config": {"type": "Property", "value": 1},
        "category": "public",
        "speed": 54,
        "tags": ["a", "2026-01-01T00:00:00Z"],
        "postal": {"type": "PostalAddress", "streetAddress": "Storgatan 1"},
    }


def test_wanted_limits_attributes_but_not_location_or_time() -> None:
    entity = mapped(example("WeatherObserved"), wanted=frozenset({"temperature", "nothere"}))
    assert entity.attributes == {"temperature": 3.3}
    assert entity.location is not None
    assert entity.observed_at is not None
    assert mapped(example("WeatherObserved"), wanted=frozenset()).attributes == {}


def test_multi_typed_entity_prefers_the_asked_type() -> None:
    raw = {"id": "urn:x", "type": ["Device", "WeatherObserved"]}
    assert mapped(raw).type == "Device"
    assert mapped(raw, expected_type="WeatherObserved").type == "WeatherObserved"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ([1], "array"),
        ("x", "string"),
        (None, "null"),
        ({"type": "T"}, "id"),
        ({"id": 5, "type": "T"}, "id"),
        ({"id": "urn:x"}, "type"),
        ({"id": "urn:x", "type": []}, "type"),
    ],
)
def test_malformed_entities_are_protocol_errors(raw: object, words: str) -> None:
    with pytest.raises(UpstreamProtocolError, match=words):
        mapped(raw, index=3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-11-30T07:00:00.00Z", datetime(2016, 11, 30, 7, tzinfo=UTC)),
        ("2016-03-15T11:00:00", datetime(2016, 3, 15, 11, tzinfo=UTC)),
        ("2026-11-25T12:00:00+02:00", datetime(2026, 11, 25, 10, tzinfo=UTC)),
        ("2016-12-07T11:10:00/2016-12-07T11:15:00Z", datetime(2016, 12, 7, 11, 15, tzinfo=UTC)),
        ("not a date", None),
        (20160315, None),
        ("", None),
    ],
)
def test_parse_datetime(text: object, expected: datetime | None) -> None:
    got = parse_datetime(text)
    assert got == expected
    assert got is None or got.utcoffset() is not None


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ({"type": "Point", "coordinates": [13.0, 55.6]}, GeoPoint(lat=55.6, lon=13.0)),
        ({"type": "Point", "coordinates": [{"@value": 13.0}, 55.6]}, GeoPoint(lat=55.6, lon=13.0)),
        ({"type": "Point", "coordinates": [13, 55, 10]}, GeoPoint(lat=55.0, lon=13.0)),
        ({"type": "Point", "coordinates": [True, 55.6]}, None),
        ({"type": "Point", "coordinates": "13,55"}, None),
    ],
)
def test_point_locations_plain_or_with_typed_literals(
    location: dict[str, Any], expected: GeoPoint | None
) -> None:
    raw = {"id": "urn:x", "type": "WeatherObserved", "location": location}
    entity = mapped(raw)
    assert entity.location == expected
    assert "location" not in entity.attributes
