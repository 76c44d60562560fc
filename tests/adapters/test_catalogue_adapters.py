"""The catalogue adapters (dcat-ap-se, ckan): DIGG's DCAT-AP-SE examples, and citysim over HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from adapters.catalogue import CkanAdapter, DcatAdapter, parse_catalogue
from adapters.catalogue.base import CatalogueBase
from adapters.contract import AdapterContext, CatalogueAdapter, CatalogueQuery, SourceQuery
from adapters.errors import ConfigError, UnsupportedQuery, UpstreamError, UpstreamProtocolError
from citysim.cluster import SimCluster
from citysim.dcat.records import records
from citysim.municipalities import municipalities
from citysim.settings import SimSettings

FIXTURES = Path(__file__).parent / "fixtures" / "dcat-ap-se"
LUND = next(m for m in municipalities() if m.id == "lund")


@pytest.mark.parametrize("name", ["obligatoriskt", "rekommenderat"])
def test_digg_examples_parse_alike_in_turtle_and_rdf_xml(name: str) -> None:
    turtle = parse_catalogue((FIXTURES / f"{name}.ttl").read_bytes(), "turtle")
    xml = parse_catalogue((FIXTURES / f"{name}.rdf").read_bytes(), "xml")
    assert [d.id for d in turtle] == [d.id for d in xml] == ["https://example.com/dataset1"]
    # Upstream differs only in the publisher's name ("organization" vs "organization.").
    assert [(d.title, d.description, d.distributions, d.keywords) for d in turtle] == [
        (d.title, d.description, d.distributions, d.keywords) for d in xml
    ]


def test_the_mandatory_example_maps_every_mandatory_field() -> None:
    (dataset,) = parse_catalogue((FIXTURES / "obligatoriskt.ttl").read_bytes(), "turtle")
    assert dataset.title == "Matvaruaffärer i Sverige"
    assert dataset.description is not None
    assert dataset.description.startswith("Vilka matvaruaffärer")
    assert dataset.publisher == "Exampel organization"
    assert [d.access_url for d in dataset.distributions] == ["http://example.com/api"]


def test_the_recommended_example_prefers_swedish_and_reads_formats() -> None:
    (dataset,) = parse_catalogue((FIXTURES / "rekommenderat.rdf").read_bytes(), "xml")
    assert dataset.title == "Bibliotek i Sverige"  # not "Libraries in Sweden"@en
    assert dataset.keywords == ("bibliotek",)
    assert [(d.access_url, d.format) for d in dataset.distributions] == [
        ("http://example.com/download", "text/csv"),
        ("http://example.com/api", "application/json"),
    ]


@pytest.mark.parametrize(
    ("body", "rdf_format", "message"),
    [
        (b"@prefix dcat: <http://www.w3.org/ns/dcat#> . <a> a", "turtle", "not valid Turtle"),
        (b"<rdf:RDF", "xml", "not valid RDF/XML"),
        (b'<!DOCTYPE x [<!ENTITY e "boom">]><rdf:RDF/>', "xml", "declares entities"),
    ],
)
def test_broken_documents_are_protocol_errors(body: bytes, rdf_format: str, message: str) -> None:
    with pytest.raises(UpstreamProtocolError, match=message):
        parse_catalogue(body, rdf_format)


@pytest.fixture
async def lund() -> AsyncIterator[str]:
    async with SimCluster(SimSettings(seed=3, cities=("lund",))) as running:
        yield running.urls["lund"]


def context() -> AdapterContext:
    return AdapterContext("lund", logging.getLogger("test"))


KINDS: list[tuple[type[CatalogueBase], str, dict[str, Any]]] = [
    (DcatAdapter, "/dcat/catalog.ttl", {}),
    (DcatAdapter, "/dcat/catalog.rdf", {}),
    (DcatAdapter, "/api/datasets/dcat", {"format": "xml"}),
    (CkanAdapter, "", {"page_size": 3}),
    (CkanAdapter, "/api/3/action/", {}),
]


@pytest.mark.parametrize(("cls", "path", "options"), KINDS)
async def test_every_dataset_of_the_simulated_catalogue(
    lund: str, cls: type[CatalogueBase], path: str, options: dict[str, Any]
) -> None:
    adapter = cls({"url": lund + path, **options}, context())
    assert isinstance(adapter, CatalogueAdapter)
    try:
        result = await adapter.fetch_datasets(CatalogueQuery())
        searched = await adapter.fetch_datasets(CatalogueQuery(search="Väder  TEMPERATUR"))
        limited = await adapter.fetch_datasets(CatalogueQuery(limit=4))
    finally:
        await adapter.aclose()
    expected = sorted(r.title for r in records(LUND, 3))
    assert sorted(d.title for d in result.datasets) == expected
    assert result.truncated is False
    assert [d.title for d in searched.datasets] == ["Väderobservationer i Lund"]
    assert {d.publisher for d in result.datasets} == {"Lund kommun"}
    weather = searched.datasets[0]
    assert [x.access_url for x in weather.distributions] == [
        f"{lund}/ngsi-ld/v1/entities?type=WeatherObserved",
        f"{lund}/api/weather",
    ]
    assert len(limited.datasets) == 4
    assert limited.truncated is True


async def test_dcat_and_ckan_tell_the_same_story(lund: str) -> None:
    dcat = DcatAdapter({"url": lund + "/dcat/catalog.ttl"}, context())
    ckan = CkanAdapter({"url": lund}, context())
    try:
        a = await dcat.fetch_datasets(CatalogueQuery(search="badplatser"))
        b = await ckan.fetch_datasets(CatalogueQuery(search="badplatser"))
    finally:
        await dcat.aclose()
        await ckan.aclose()

    def story(result: Any) -> list[tuple[Any, ...]]:
        return sorted((d.title, d.description, d.keywords) for d in result.datasets)

    assert story(a) == story(b)
    assert len(a.datasets) >= 1


@pytest.mark.parametrize(
    ("fault", "error", "message"),
    [
        ({"mode": "garbage"}, UpstreamProtocolError, "JSON|not valid|content type"),
        ({"mode": "error", "status": 500}, UpstreamError, "HTTP 500"),
    ],
)
@pytest.mark.parametrize("cls", [DcatAdapter, CkanAdapter])
async def test_failures_become_typed_errors(
    cls: type[CatalogueBase], fault: dict[str, Any], error: type[Exception], message: str
) -> None:
    async with SimCluster(SimSettings(seed=3, cities=("lund",))) as running:
        path = "/dcat/catalog.ttl" if cls is DcatAdapter else ""
        adapter = cls({"url": running.urls["lund"] + path}, context())
        await running.set_fault("lund", **fault)
        try:
            with pytest.raises(error, match=message):
                await adapter.fetch_datasets(CatalogueQuery())
        finally:
            await adapter.aclose()


async def test_ckan_error_envelopes_are_upstream_errors() -> None:
    async def refuse(request: web.Request) -> web.Response:
        body = {"success": False, "error": {"__type": "Authorization Error", "message": "no"}}
        return web.json_response(body, status=403)

    app = web.Application()
    app.router.add_get("/api/3/action/package_search", refuse)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    adapter = CkanAdapter({"url": f"http://127.0.0.1:{runner.addresses[0][1]}"}, context())
    try:
        with pytest.raises(UpstreamError, match="HTTP 403: Authorization Error") as caught:
            await adapter.fetch_datasets(CatalogueQuery())
        assert caught.value.status == 403
    finally:
        await adapter.aclose()
        await runner.cleanup()


async def test_a_catalogue_serves_no_entities_and_closes_idempotently(lund: str) -> None:
    adapter = DcatAdapter({"url": lund + "/dcat/catalog.ttl"}, context())
    with pytest.raises(UnsupportedQuery, match="lists datasets, not entities"):
        await adapter.fetch_entities(SourceQuery("WeatherObserved"))
    await adapter.aclose()
    await adapter.aclose()
    with pytest.raises(UpstreamError, match="closed"):
        await adapter.fetch_datasets(CatalogueQuery())


@pytest.mark.parametrize(
    ("cls", "config", "key"),
    [
        (DcatAdapter, {}, "url"),
        (DcatAdapter, {"url": "https://x.se/c.ttl", "page_size": 5}, "page_size"),
        (DcatAdapter, {"url": "https://x.se/c.ttl", "format": "json-ld"}, "format"),
        (CkanAdapter, {"url": "https://x.se", "format": "xml"}, "format"),
        (CkanAdapter, {"url": "https://x.se", "page_size": 1001}, "page_size"),
        (CkanAdapter, {"url": "https://u:p@x.se"}, "url"),
        (CkanAdapter, {"url": "https://x.se", "headers": {"Accept": "x"}}, "headers.Accept"),
        (CkanAdapter, {"url": "https://x.se", "kind": "dcat-ap-se"}, "kind"),
    ],
)
def test_config_errors_name_the_key(
    cls: type[CatalogueBase], config: dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        cls.validate_config(config)
    assert caught.value.key == key
