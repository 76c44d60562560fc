"""Shipped JSON-LD contexts: every file loads, published URLs resolve, terms <-> IRIs."""

from __future__ import annotations

from importlib.resources import files

import orjson
import pytest

from adapters.ngsi_ld.contexts import (
    CORE_CONTEXT,
    SHIPPED,
    ShippedContext,
    TermMap,
    shipped_file,
    term_map,
)

UNIFIED = "https://smartdatamodels.org/context.jsonld"
WEATHER = (
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Weather/master/context.jsonld"
)
CONTEXTS = files("adapters.ngsi_ld") / "contexts"


@pytest.mark.parametrize("ctx", SHIPPED, ids=lambda c: c.file)
def test_every_shipped_file_is_a_context(ctx: ShippedContext) -> None:
    data = orjson.loads((CONTEXTS / ctx.file).read_bytes())
    assert isinstance(data["@context"], dict)


def test_attribution_and_licences_ship_beside_the_contexts() -> None:
    attribution = (CONTEXTS / "ATTRIBUTION.md").read_text()
    assert "CC-BY-4.0" in attribution
    assert "Apache-2.0" in attribution
    for ctx in SHIPPED:
        assert ctx.file in attribution or ctx.file.split("/", 1)[1] in attribution
    assert (CONTEXTS / "etsi" / "LICENSE-stellio-Apache-2.0.txt").is_file()
    assert (CONTEXTS / "smart-data-models" / "LICENSE.md").is_file()


@pytest.mark.parametrize(
    ("url", "file"),
    [
        (CORE_CONTEXT, "etsi/ngsi-ld-core-context-v1.8.jsonld"),
        (
            "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
            "etsi/ngsi-ld-core-context-v1.8.jsonld",
        ),
        (UNIFIED, "smart-data-models/context.jsonld"),
        (WEATHER, "smart-data-models/dataModel.Weather/context.jsonld"),
        (
            "https://smart-data-models.github.io/dataModel.Weather/context.jsonld",
            "smart-data-models/dataModel.Weather/context.jsonld",
        ),
        ("https://example.org/other.jsonld", None),
    ],
)
def test_published_urls(url: str, file: str | None) -> None:
    assert shipped_file(url) == file


def test_term_map_is_shared_per_url() -> None:
    assert term_map(UNIFIED) is term_map(UNIFIED)
    assert term_map(UNIFIED).shipped
    assert not term_map("https://example.org/other.jsonld").shipped


def test_expand_with_the_unified_context() -> None:
    terms = term_map(UNIFIED)
    assert (
        terms.expand("WeatherObserved") == "https://uri.fiware.org/ns/data-models#WeatherObserved"
    )
    assert terms.expand("location") == "https://uri.etsi.org/ngsi-ld/location"
    assert terms.expand("Property") == "https://uri.etsi.org/ngsi-ld/Property"
    # not in the unified context: the default vocabulary, as a broker would do
    assert (
        terms.expand("WaterConsumptionObserved")
        == "https://uri.etsi.org/ngsi-ld/default-context/WaterConsumptionObserved"
    )
    assert terms.expand("urn:x:y") == "urn:x:y"


def test_expand_with_a_domain_context_resolves_prefixes_through_core() -> None:
    terms = term_map(WEATHER)
    assert (
        terms.expand("WeatherObserved")
        == "https://smartdatamodels.org/dataModel.Weather/WeatherObserved"
    )
    assert terms.expand("dateObserved") == "https://smartdatamodels.org/dateObserved"
    assert terms.expand("coordinates") == "https://purl.org/geojson/vocab#coordinates"


@pytest.mark.parametrize(
    ("iri", "term"),
    [
        ("https://uri.fiware.org/ns/data-models#WeatherObserved", "WeatherObserved"),
        ("https://smartdatamodels.org/dataModel.Weather/WeatherObserved", "WeatherObserved"),
        ("https://smartdatamodels.org/dataModel.Environment/no2", "no2"),
        (
            "https://smart-data-models.github.io/data-models/terms.jsonld#/definitions/dateObserved",
            "dateObserved",
        ),
        ("https://uri.etsi.org/ngsi-ld/location", "location"),
        ("https://uri.etsi.org/ngsi-ld/observedAt", "observedAt"),
        ("https://uri.etsi.org/ngsi-ld/Relationship", "Relationship"),
        ("https://uri.etsi.org/ngsi-ld/default-context/myAttr", "myAttr"),
        ("https://example.org/vocab#thing", "https://example.org/vocab#thing"),
        (
            "https://uri.etsi.org/ngsi-ld/default-context/a/b",
            "https://uri.etsi.org/ngsi-ld/default-context/a/b",
        ),
        ("temperature", "temperature"),
    ],
)
def test_compact_uses_every_shipped_context(iri: str, term: str) -> None:
    assert term_map(UNIFIED).compact(iri) == term
    assert TermMap("https://example.org/unknown.jsonld").compact(iri) == term


def test_round_trip_for_every_term_of_the_configured_context() -> None:
    terms = term_map(WEATHER)
    raw = orjson.loads(
        (CONTEXTS / "smart-data-models/dataModel.Weather/context.jsonld").read_bytes()
    )
    for term in raw["@context"]:
        if term.startswith("@") or term in ("id", "type"):
            continue
        assert terms.compact(terms.expand(term)) == term
