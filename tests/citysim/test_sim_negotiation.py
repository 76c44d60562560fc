"""Accept and JSON-LD @context negotiation, and what a term means without the right context."""

from __future__ import annotations

import aiohttp

from citysim.cluster import SimCluster
from citysim.jsonld import CORE_CONTEXT_URL, UNIFIED_CONTEXT_URL, domain_context_url
from citysim.settings import SimSettings
from tests.citysim.sim_http import ManualClock, Ngsi, link

CONTEXT_LINK = f'<{UNIFIED_CONTEXT_URL}>; rel="http://www.w3.org/ns/json-ld#context"'
WEATHER = {"type": "WeatherObserved", "limit": "2"}


async def test_json_answers_carry_the_context_in_a_link_header(ngsi: Ngsi) -> None:
    answer = await ngsi.get(params=WEATHER, headers={**link(), "Accept": "application/json"})
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert any(v.startswith(CONTEXT_LINK) for v in answer.links)
    assert all("@context" not in e for e in answer.json())


async def test_json_ld_answers_carry_the_context_in_the_body(ngsi: Ngsi) -> None:
    answer = await ngsi.get(params=WEATHER, headers={**link(), "Accept": "application/ld+json"})
    assert answer.headers["Content-Type"] == "application/ld+json"
    assert not any("json-ld#context" in v for v in answer.links)
    assert all(e["@context"] == [UNIFIED_CONTEXT_URL, CORE_CONTEXT_URL] for e in answer.json())


async def test_accept_ranges_and_weights(ngsi: Ngsi) -> None:
    for accept, expected in (
        ("*/*", "application/json"),
        ("application/*", "application/json"),
        ("text/html, application/ld+json", "application/ld+json"),
        ("application/json;q=0.5, application/ld+json", "application/ld+json"),
        ("application/ld+json;q=0, application/json", "application/json"),
    ):
        answer = await ngsi.get(params=WEATHER, headers={**link(), "Accept": accept})
        assert answer.headers["Content-Type"] == expected, accept


async def test_no_accept_header_means_json(ngsi: Ngsi) -> None:
    answer = await ngsi.get(params=WEATHER, headers={**link(), "Accept": ""})
    assert answer.headers["Content-Type"] == "application/json"


async def test_unacceptable_media_types_get_406_listing_what_is_offered(ngsi: Ngsi) -> None:
    answer = await ngsi.get(params=WEATHER, headers={**link(), "Accept": "text/html, text/csv"})
    assert answer.status == 406
    assert answer.headers["Content-Type"] == "application/problem+json"
    detail = answer.json()["detail"]
    assert "application/json" in detail
    assert "application/ld+json" in detail


async def test_geojson_answers_are_feature_collections(ngsi: Ngsi) -> None:
    answer = await ngsi.get(params=WEATHER, headers={**link(), "Accept": "application/geo+json"})
    assert answer.headers["Content-Type"] == "application/geo+json"
    collection = answer.json()
    assert collection["type"] == "FeatureCollection"
    feature = collection["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["type"] == "WeatherObserved"


async def test_without_a_link_header_terms_expand_under_the_default_vocabulary(ngsi: Ngsi) -> None:
    answer = await ngsi.get(params=WEATHER)
    assert answer.status == 200
    assert answer.json() == []
    assert any(v.startswith(f"<{CORE_CONTEXT_URL}>") for v in answer.links)


async def test_a_full_type_iri_matches_without_a_context_and_answers_in_iris(ngsi: Ngsi) -> None:
    iri = "https://uri.fiware.org/ns/data-models#WeatherObserved"
    entities = (await ngsi.get(params={"type": iri, "limit": "100"})).json()
    assert len(entities) == 12
    entity = entities[0]
    assert entity["type"] == iri
    assert (
        "https://smart-data-models.github.io/data-models/terms.jsonld#/definitions/temperature"
        in entity
    )
    assert "location" in entity, "core terms compact with the core context alone"


async def test_another_known_context_expands_to_other_iris(ngsi: Ngsi) -> None:
    weather_domain = link(domain_context_url("Weather"))
    answer = await ngsi.get(params=WEATHER, headers=weather_domain)
    assert answer.status == 200
    assert answer.json() == []


async def test_an_unknown_context_is_not_available(ngsi: Ngsi) -> None:
    answer = await ngsi.get(params=WEATHER, headers=link("https://example.org/ctx.jsonld"))
    assert answer.status == 503
    problem = answer.json()
    assert problem["type"] == "https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable"
    assert "https://example.org/ctx.jsonld" in problem["detail"]
    assert not answer.links


async def test_malformed_or_repeated_context_links_are_bad_requests(ngsi: Ngsi) -> None:
    twice = f"{link()['Link']}, {link(CORE_CONTEXT_URL)['Link']}"
    for header in ("no angle brackets", twice):
        answer = await ngsi.get(params=WEATHER, headers={"Link": header})
        assert answer.status == 400
        assert answer.json()["detail"].startswith("Link header")


async def test_a_city_made_with_domain_contexts_needs_them(
    session: aiohttp.ClientSession,
) -> None:
    settings = SimSettings(cities=("malmo",), context_style="domain", clock=ManualClock())
    async with SimCluster(settings) as cluster:
        client = Ngsi(cluster, session)
        domain = await client.get(params=WEATHER, headers=link(domain_context_url("Weather")))
        unified = await client.get(params=WEATHER, headers=link())
    assert [e["type"] for e in domain.json()] == ["WeatherObserved"] * 2
    assert unified.json() == []
