"""The typed models: generated from the Smart Data Models schemas in the repository, up to date,
compatible with the two typed fields that came before, and their ``where`` as Conditions."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from graphql import GraphQLNamedType, GraphQLNonNull, GraphQLObjectType, GraphQLType

from adapters.contract import Comparison, Condition
from gateway.errors import BadUserInput
from gateway.graphql.schema import build_schema
from gateway.graphql.schema.models import generated as g
from gateway.graphql.schema.models.filters import (
    DateTimeFilter,
    FloatFilter,
    IntFilter,
    StringFilter,
    conditions,
)
from tools import generate_models

NINE = {
    "AirQualityObserved",
    "Beach",
    "Device",
    "OffStreetParking",
    "PointOfInterest",
    "TrafficFlowObserved",
    "WaterConsumptionObserved",
    "WaterQualityObserved",
    "WeatherObserved",
}


def test_regenerating_changes_nothing() -> None:
    models = generate_models.read_models()
    assert {m.name for m in models} == NINE
    assert generate_models.render(models) == generate_models.OUTPUT.read_text()


def test_the_generator_reads_only_the_copies_in_the_repository(tmp_path: Path) -> None:
    """A changed description in a copied schema changes the output: nothing else is read."""
    sources = tmp_path / "sources"
    shutil.copytree(generate_models.SOURCES, sources)
    beach = sources / "Beach" / "schema.json"
    beach.write_text(beach.read_text().replace("Width of this beach", "Breadth of the strand"))
    changed = generate_models.render(generate_models.read_models(sources))
    assert "Breadth of the strand" in changed
    assert changed != generate_models.OUTPUT.read_text()
    assert (generate_models.SOURCES / "ATTRIBUTION.md").is_file()
    assert (generate_models.SOURCES / "LICENSE.md").is_file()


def test_names_follow_the_model_names() -> None:
    snake = generate_models.snake_case
    assert snake("relativeHumidity") == "relative_humidity"
    assert generate_models.camel_case(snake("uVIndexMax")) == "uVIndexMax"
    assert generate_models.camel_case(snake("pH")) == "pH"
    assert snake("NO3") == "no3"
    assert snake("Cr-III") == "cr_iii"


def _unwrap(t: GraphQLType) -> str:
    while isinstance(t, GraphQLNonNull):
        t = t.of_type
    return str(t)


@pytest.mark.parametrize(
    ("type_name", "fields"),
    [
        (
            "WeatherObserved",
            {
                "temperature": "Float",
                "relativeHumidity": "Float",
                "atmosphericPressure": "Float",
                "windSpeed": "Float",
                "windDirection": "Float",
                "precipitation": "Float",
                "snowHeight": "Float",
                "illuminance": "Float",
            },
        ),
        (
            "AirQualityObserved",
            {
                "no2": "Float",
                "pm10": "Float",
                "pm25": "Float",
                "o3": "Float",
                "co": "Float",
                "so2": "Float",
                "airQualityIndex": "Float",
                "airQualityLevel": "String",
                "temperature": "Float",
                "relativeHumidity": "Float",
            },
        ),
    ],
)
def test_the_two_earlier_typed_fields_keep_names_and_types(
    type_name: str, fields: dict[str, str]
) -> None:
    schema = build_schema()._schema
    node = schema.type_map[type_name]
    assert isinstance(node, GraphQLObjectType)
    common = {"id": "ID", "city": "City", "location": "GeoPoint", "observedAt": "DateTime"}
    for name, type_ in {**common, **fields, "attributes": "JSON"}.items():
        assert _unwrap(node.fields[name].type) == type_, name


def test_every_model_has_a_root_field_with_a_typed_where() -> None:
    schema = build_schema()._schema
    query = schema.query_type
    assert query is not None
    for type_name in NINE:
        root = type_name[0].lower() + type_name[1:]
        field = query.fields[root]
        assert _unwrap(field.type) == f"{type_name}Connection"
        where = field.args["where"].type
        assert isinstance(where, GraphQLNamedType)
        assert where.name == f"{type_name}Where"


def test_units_and_schema_words_reach_the_descriptions() -> None:
    schema = build_schema()._schema
    weather = schema.type_map["WeatherObserved"]
    assert isinstance(weather, GraphQLObjectType)
    assert "hPa" in (weather.fields["atmosphericPressure"].description or "")
    assert "°C" in (weather.fields["temperature"].description or "")
    parking = schema.type_map["OffStreetParking"]
    assert isinstance(parking, GraphQLObjectType)
    assert _unwrap(parking.fields["availableSpotNumber"].type) == "Int"
    assert "spots available" in (parking.fields["availableSpotNumber"].description or "")


def test_a_typed_where_becomes_conditions_on_the_model_names() -> None:
    where = g.WeatherObservedWhere(
        temperature=FloatFilter(lt=0.0, gte=-30.0),
        relative_humidity=FloatFilter(in_=[0.5, 0.6]),
        u_v_index_max=FloatFilter(exists=True),
        date_observed=DateTimeFilter(
            gt=datetime(2026, 11, 25, 11, 0, tzinfo=timezone(timedelta(hours=1)))
        ),
        source=StringFilter(contains="malmo"),
    )
    found = sorted(
        conditions(where, g.WEATHER_OBSERVED_WHERE), key=lambda c: (c.attribute, c.op.value)
    )
    assert found == [
        Condition("dateObserved", Comparison.GT, "2026-11-25T10:00:00.000Z"),
        Condition("relativeHumidity", Comparison.IN, [0.5, 0.6]),
        Condition("source", Comparison.CONTAINS, "malmo"),
        Condition("temperature", Comparison.GTE, -30.0),
        Condition("temperature", Comparison.LT, 0.0),
        Condition("uVIndexMax", Comparison.EXISTS, True),
    ]
    assert conditions(None, g.WEATHER_OBSERVED_WHERE) == ()
    assert conditions(g.WeatherObservedWhere(), g.WEATHER_OBSERVED_WHERE) == ()


def test_enum_and_integer_filters_carry_the_model_values() -> None:
    where = g.BeachWhere(
        occupation_rate=g.BeachOccupationRateFilter(in_=[g.BeachOccupationRate.HIGH]),
        people_occupancy=FloatFilter(gt=10.0),
    )
    assert conditions(where, g.BEACH_WHERE) == (
        Condition("occupationRate", Comparison.IN, ["high"]),
        Condition("peopleOccupancy", Comparison.GT, 10.0),
    )
    parking = g.OffStreetParkingWhere(available_spot_number=IntFilter(gt=0))
    assert conditions(parking, g.OFF_STREET_PARKING_WHERE) == (
        Condition("availableSpotNumber", Comparison.GT, 0),
    )


def test_a_date_time_without_a_zone_is_refused_naming_the_field() -> None:
    where = g.WeatherObservedWhere(date_observed=DateTimeFilter(lt=datetime(2026, 11, 25)))
    with pytest.raises(BadUserInput, match=r"where\.dateObserved\.lt: give a time zone"):
        conditions(where, g.WEATHER_OBSERVED_WHERE)
    assert datetime(2026, 11, 25, tzinfo=UTC)  # the zone-aware form is the accepted one


@pytest.mark.parametrize(
    ("where", "message"),
    [
        (
            g.WeatherObservedWhere(relative_humidity=FloatFilter(in_=[0.5] * 101)),
            r"where\.relativeHumidity\.in: IN has 101 values, at most 100",
        ),
        (
            g.WeatherObservedWhere(relative_humidity=FloatFilter(in_=[])),
            r"where\.relativeHumidity\.in: IN needs a list of 1 to 100 values",
        ),
        (
            g.WeatherObservedWhere(source=StringFilter(contains="x" * 257)),
            r"where\.source\.contains: a string of at most 256 characters",
        ),
        (
            g.WeatherObservedWhere(temperature=FloatFilter(lt=float("nan"))),
            r"where\.temperature\.lt: not a finite number",
        ),
        (
            g.OffStreetParkingWhere(available_spot_number=IntFilter(gt=2**60)),
            r"where\.availableSpotNumber\.gt: integers are limited",
        ),
    ],
)
def test_a_typed_where_is_held_to_the_generic_where_bounds(where: object, message: str) -> None:
    with pytest.raises(BadUserInput, match=message):
        conditions(
            where,
            g.WEATHER_OBSERVED_WHERE
            if isinstance(where, g.WeatherObservedWhere)
            else g.OFF_STREET_PARKING_WHERE,
        )


def test_a_typed_where_with_too_many_comparisons_is_refused() -> None:
    many = FloatFilter(eq=1.0, ne=2.0, gt=0.0, gte=0.0, lt=9.0, lte=9.0, in_=[1.0], exists=True)
    where = g.WeatherObservedWhere(
        temperature=many, relative_humidity=many, wind_speed=FloatFilter(gt=0.0)
    )
    with pytest.raises(BadUserInput, match=r"where: 17 comparisons, at most 16"):
        conditions(where, g.WEATHER_OBSERVED_WHERE)
