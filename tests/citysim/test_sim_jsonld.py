"""Term expansion and compaction with the shipped @contexts; the core context wins."""

from __future__ import annotations

import pytest

from citysim.jsonld import (
    CORE_CONTEXT_URL,
    KNOWN_CONTEXTS,
    UNIFIED_CONTEXT_URL,
    UnknownContext,
    domain_context_url,
    term_context,
)

VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"


def test_every_known_context_loads() -> None:
    for url in KNOWN_CONTEXTS:
        assert term_context(url).expand("location") == "https://uri.etsi.org/ngsi-ld/location"


def test_without_a_context_terms_fall_under_the_default_vocabulary() -> None:
    core = term_context(None)
    assert core.url == CORE_CONTEXT_URL
    assert core.expand("WeatherObserved") == VOCAB + "WeatherObserved"
    assert core.compact(VOCAB + "WeatherObserved") == "WeatherObserved"
    assert core.expand("observedAt") == "https://uri.etsi.org/ngsi-ld/observedAt"


def test_contexts_disagree_on_what_a_term_means() -> None:
    unified, weather = (
        term_context(UNIFIED_CONTEXT_URL),
        term_context(domain_context_url("Weather")),
    )
    assert (
        unified.expand("WeatherObserved") == "https://uri.fiware.org/ns/data-models#WeatherObserved"
    )
    assert (
        weather.expand("WeatherObserved")
        == "https://smartdatamodels.org/dataModel.Weather/WeatherObserved"
    )
    assert (
        unified.compact(weather.expand("temperature"))
        == "https://smartdatamodels.org/dataModel.Weather/temperature"
    )


def test_the_core_context_is_protected() -> None:
    unified = term_context(UNIFIED_CONTEXT_URL)
    assert unified.expand("description") == "http://purl.org/dc/terms/description"
    assert unified.expand("location") == "https://uri.etsi.org/ngsi-ld/location"


def test_absolute_and_compact_iris() -> None:
    core = term_context(None)
    assert core.expand("https://example.org/x") == "https://example.org/x"
    assert core.expand("ngsi-ld:createdAt") == "https://uri.etsi.org/ngsi-ld/createdAt"
    assert core.compact("https://uri.etsi.org/ngsi-ld/somethingNew") == "ngsi-ld:somethingNew"
    assert core.compact("https://example.org/x") == "https://example.org/x"


def test_round_trip_with_one_context() -> None:
    unified = term_context(UNIFIED_CONTEXT_URL)
    for term in ("temperature", "WaterConsumptionObserved", "N-TOT", "dateObserved", "location"):
        assert unified.compact(unified.expand(term)) == term


def test_unknown_contexts_are_not_fetched() -> None:
    with pytest.raises(UnknownContext):
        term_context("https://example.org/context.jsonld")
