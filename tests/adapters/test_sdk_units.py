"""Units: what platforms write, recognised; conversions exact to 12 significant digits."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.sdk.models import model_unit, to_model_unit
from adapters.sdk.units import UnitError, convert, require, significant, unit


@pytest.mark.parametrize(
    "names",
    [
        ("°F", "FAH", "[degF]", "degF", "http://qudt.org/vocab/unit/DEG_F"),
        ("°C", "CEL", "Cel", "degC", "℃", "http://qudt.org/vocab/unit/DEG_C"),
        ("hPa", "HPA", "mbar", "HectoPA"),
        ("km/h", "KMH", "km h-1", "KiloM-PER-HR"),
        ("µg/m³", "μg/m³", "ug/m3", "GQ"),
        ("%", "P1", "PERCENT"),
        ("l/h", "E32", "L/h"),
    ],
)
def test_every_spelling_names_the_same_unit(names: tuple[str, ...]) -> None:
    assert len({unit(name) for name in names}) == 1
    assert unit(names[0]) is not None


@pytest.mark.parametrize("name", [None, "", "furlongs", "http://example.org/units/unknown"])
def test_an_unknown_unit_is_none(name: str | None) -> None:
    assert unit(name) is None


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (68.0, "°F", "°C", 20.0),
        (-40.0, "°F", "°C", -40.0),
        (273.15, "K", "°C", 0.0),
        (101325.0, "Pa", "hPa", 1013.25),
        (36.0, "km/h", "m/s", 10.0),
        (61.0, "%", "1", 0.61),
        (3600.0, "l/h", "l/s", 1.0),
        (1.5, "mg/m³", "µg/m³", 1500.0),
        (250.0, "µS/cm", "S/m", 0.025),
        (12.0, "mm", "l/m²", 12.0),
    ],
)
def test_conversions(value: float, source: str, target: str, expected: float) -> None:
    assert convert(value, require(source), require(target)) == expected


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda v: significant(v, 10)),
    st.sampled_from([("°C", "°F"), ("°C", "K"), ("hPa", "Pa"), ("m/s", "km/h"), ("1", "%")]),
)
def test_a_value_that_goes_to_another_unit_and_back_is_the_value_it_was(
    value: float, pair: tuple[str, str]
) -> None:
    there = convert(value, require(pair[0]), require(pair[1]))
    assert math.isclose(convert(there, require(pair[1]), require(pair[0])), value, abs_tol=1e-9)


def test_units_of_different_dimensions_do_not_convert() -> None:
    with pytest.raises(UnitError, match="cannot convert hPa"):
        convert(1.0, require("hPa"), require("°C"))


def test_values_come_out_in_the_smart_data_models_units() -> None:
    assert to_model_unit("WeatherObserved", "temperature", 50.0, "°F") == 10.0
    assert to_model_unit("WeatherObserved", "relativeHumidity", 80, "%") == 0.8
    assert to_model_unit("AirQualityObserved", "co", 400.0, "µg/m³") == 0.4
    assert to_model_unit("WeatherObserved", "windDirection", 270, None) == 270
    assert to_model_unit("WeatherObserved", "uVIndexMax", 3.0, "1") == 3.0  # no model unit
    assert model_unit("WaterConsumptionObserved", "waterConsumption") == require("L")


def test_a_wrong_or_unknown_stated_unit_is_an_error_naming_the_attribute() -> None:
    with pytest.raises(UnitError, match=r"WeatherObserved\.temperature"):
        to_model_unit("WeatherObserved", "temperature", 5.0, "hPa")
    with pytest.raises(UnitError, match="unknown unit 'furlongs'"):
        to_model_unit("WeatherObserved", "windSpeed", 5.0, "furlongs")
