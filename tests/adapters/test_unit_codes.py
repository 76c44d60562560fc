"""UN/CEFACT codes of the units (adapters/sdk/unit_codes.py): every unit the toolkit knows
has one, each names its unit, and the model units of discovery come with them."""

from __future__ import annotations

from adapters import AttributeInfo
from adapters.sdk.models import MODEL_UNITS
from adapters.sdk.unit_codes import UN_CEFACT, attribute_info, deliverable
from adapters.sdk.units import _TABLE, unit


def test_every_known_unit_has_a_code_that_names_it() -> None:
    symbols = {u.symbol for u, _ in _TABLE}
    assert set(UN_CEFACT) == symbols
    wrong = {
        s: c for s, c in UN_CEFACT.items() if (found := unit(c)) is not None and found.symbol != s
    }
    assert wrong == {}


def test_every_model_unit_has_a_code() -> None:
    missing = [
        f"{t}.{a}"
        for t, attributes in MODEL_UNITS.items()
        for a in attributes
        if attribute_info(t, a).unit is None
    ]
    assert missing == []


def test_an_attribute_is_described_in_its_model_unit() -> None:
    assert attribute_info("WeatherObserved", "temperature") == AttributeInfo(
        "temperature", "CEL", "°C"
    )
    assert attribute_info("WeatherObserved", "address") == AttributeInfo("address")


def test_a_stated_unit_of_another_dimension_is_not_deliverable() -> None:
    assert deliverable("WeatherObserved", "temperature", "°F")
    assert not deliverable("WeatherObserved", "temperature", "m/s")
    assert not deliverable("WeatherObserved", "temperature", "furlongs")
    assert deliverable("WeatherObserved", "address", "furlongs")
