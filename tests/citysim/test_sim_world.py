"""The generated world: ids, places, plausible Swedish values, reproducible from the seed."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from citysim.jsonld import domain_context_url, term_context
from citysim.municipalities import municipalities
from citysim.world.catalog import MODELS
from citysim.world.city import CityWorld, Entity
from citysim.world.model import EntityModel

CITIES = {m.id: m for m in municipalities()}
MONTHS = [
    datetime(2026, month, 15, hour, tzinfo=UTC).timestamp()
    for month in range(1, 13)
    for hour in (3, 13)
]


def world(
    city: str = "malmo", *, seed: int = 1, per_type: int = 12, now: float = MONTHS[0]
) -> CityWorld:
    return CityWorld(CITIES[city], seed=seed, per_type=per_type, bucket_s=60.0, clock=lambda: now)


def observe(model: EntityModel, city: str = "malmo", now: float = MONTHS[0]) -> list[Entity]:
    place = world(city, now=now)
    return list(place.entities(model, place.bucket()))


def by_type(name: str) -> EntityModel:
    return next(m for m in MODELS if m.type_name == name)


def test_ids_name_type_city_and_index() -> None:
    place = world(per_type=12)
    assert place.layout(by_type("Beach")).ids[7] == "urn:ngsi-ld:Beach:malmo-0007"
    big = world(per_type=10_001)
    assert big.layout(by_type("Device")).ids[-1] == "urn:ngsi-ld:Device:malmo-10000"
    assert big.locate("urn:ngsi-ld:Device:malmo-10000") == (by_type("Device"), 10_000)
    assert big.locate("urn:ngsi-ld:Device:malmo-0001") is None


def test_same_seed_same_world_other_seed_other_world() -> None:
    model = by_type("WeatherObserved")
    one, again, other = world(seed=1), world(seed=1), world(seed=2)
    bucket = one.bucket()
    assert one.entities(model, bucket) == again.entities(model, bucket)
    assert one.layout(model) == again.layout(model)
    assert one.layout(model) != other.layout(model)
    assert one.entities(model, bucket)[0].values != other.entities(model, bucket)[0].values


def test_observations_precede_the_bucket_start_by_less_than_a_bucket() -> None:
    place = world(now=MONTHS[5] + 30)
    start = datetime.fromtimestamp(MONTHS[5], UTC).isoformat().replace("+00:00", ".000Z")
    for model in MODELS:
        stamps = [e.observed_at for e in place.entities(model, place.bucket())]
        assert all(stamp <= start for stamp in stamps)
        assert len(set(stamps)) == len(stamps)


UPSTREAM_QUIRKS = {"typeOfLocation"}
"""The AirQualityObserved example spells it so; its schema and context say ``typeofLocation``."""


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.type_name)
def test_attribute_names_are_those_of_the_data_model(model: EntityModel) -> None:
    known = set(term_context(domain_context_url(model.domain)).terms) | UPSTREAM_QUIRKS
    for entity in observe(model):
        assert set(entity.values) <= set(model.specs)
        assert set(entity.values) <= known


def every(name: str, attribute: str, cities: tuple[str, ...] = ("malmo", "umea")) -> list[float]:
    model = by_type(name)
    return [
        e.values[attribute] for city in cities for now in MONTHS for e in observe(model, city, now)
    ]


def test_weather_is_plausible_for_sweden() -> None:
    assert all(-35 < t < 35 for t in every("WeatherObserved", "temperature"))
    assert all(isinstance(t, float) for t in every("WeatherObserved", "temperature"))
    assert all(0 <= h <= 1 for h in every("WeatherObserved", "relativeHumidity"))
    assert all(960 < p < 1060 for p in every("WeatherObserved", "atmosphericPressure"))
    assert all(0 <= w < 30 for w in every("WeatherObserved", "windSpeed"))
    assert all(-180 <= d < 180 for d in every("WeatherObserved", "windDirection"))
    assert all(p >= 0 for p in every("WeatherObserved", "precipitation"))
    january_umea = [
        e.values["temperature"] for e in observe(by_type("WeatherObserved"), "umea", MONTHS[1])
    ]
    july_malmo = [
        e.values["temperature"] for e in observe(by_type("WeatherObserved"), "malmo", MONTHS[13])
    ]
    assert max(january_umea) < min(july_malmo)
    assert all(
        e.values["snowHeight"] == 0
        for e in observe(by_type("WeatherObserved"), "malmo", MONTHS[13])
    )
    assert any(
        e.values["snowHeight"] > 10 for e in observe(by_type("WeatherObserved"), "umea", MONTHS[1])
    )


def test_air_quality_traffic_water_beaches_and_devices_are_plausible() -> None:
    pm10, pm25 = every("AirQualityObserved", "pm10"), every("AirQualityObserved", "pm25")
    assert all(0 < small < big < 100 for small, big in zip(pm25, pm10, strict=True))
    assert all(0 < no2 < 150 for no2 in every("AirQualityObserved", "no2"))
    assert all(0 <= o < 1 for o in every("TrafficFlowObserved", "occupancy"))
    assert all(3 <= v < 90 for v in every("TrafficFlowObserved", "averageVehicleSpeed"))
    assert all(isinstance(n, int) and n >= 0 for n in every("TrafficFlowObserved", "intensity"))
    assert all(6 < ph < 9 for ph in every("WaterQualityObserved", "pH"))
    assert all(0 < t < 25 for t in every("WaterQualityObserved", "temperature"))
    assert set(every("Beach", "occupationRate")) <= {"none", "low", "medium", "high"}
    assert {e.values["occupationRate"] for e in observe(by_type("Beach"), "malmo", MONTHS[0])} == {
        "none"
    }
    assert all(0 <= b <= 1 for b in every("Device", "batteryLevel"))


def test_water_meters_only_count_upwards() -> None:
    readings = [
        [
            e.values["waterConsumption"]
            for e in observe(by_type("WaterConsumptionObserved"), "lund", now)
        ]
        for now in MONTHS[::2]
    ]
    for earlier, later in itertools.pairwise(readings):
        assert all(a < b for a, b in zip(earlier, later, strict=True))


def test_relationships_point_at_the_same_city() -> None:
    weather = observe(by_type("WeatherObserved"))
    assert [e.values["refDevice"] for e in weather] == [
        f"urn:ngsi-ld:Device:malmo-{i:04d}" for i in range(12)
    ]
    devices = observe(by_type("Device"))
    assert devices[3].values["controlledAsset"] == ["urn:ngsi-ld:WeatherObserved:malmo-0003"]
