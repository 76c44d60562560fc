"""The simulated catalogues over real HTTP: CKAN action API and DCAT-AP-SE documents."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from citysim.dcat.records import records
from citysim.municipalities import municipalities
from tests.citysim.sim_http import Ngsi

ACTION = "/api/3/action/"
MALMO = next(m for m in municipalities() if m.id == "malmo")


async def action(ngsi: Ngsi, name: str, **params: str) -> tuple[int, dict[str, Any]]:
    answer = await ngsi.get("malmo", ACTION + name, params=params)
    return answer.status, answer.json()


async def test_package_search_counts_and_pages_by_rows_and_start(ngsi: Ngsi) -> None:
    status, everything = await action(ngsi, "package_search", rows="1000")
    assert status == 200
    assert everything["success"] is True
    result = everything["result"]
    assert result["count"] == len(records(MALMO, 7)) == len(result["results"])
    titles = [p["title"] for p in result["results"]]
    assert titles == sorted(titles, key=str.casefold)
    pages: list[str] = []
    for start in range(0, result["count"], 4):
        _, page = await action(ngsi, "package_search", rows="4", start=str(start))
        pages += [p["title"] for p in page["result"]["results"]]
    assert pages == titles


async def test_q_needs_every_word_somewhere(ngsi: Ngsi) -> None:
    _, one = await action(ngsi, "package_search", q="luftkvalitet")
    assert [p["name"] for p in one["result"]["results"]] == ["malmo-luftkvalitet"]
    _, both = await action(ngsi, "package_search", q="LUFT partiklar")
    assert [p["name"] for p in both["result"]["results"]] == ["malmo-luftkvalitet"]
    _, none = await action(ngsi, "package_search", q="luftkvalitet budget")
    assert none["result"]["count"] == 0


async def test_a_package_has_resources_tags_and_organization(ngsi: Ngsi) -> None:
    _, found = await action(ngsi, "package_search", q="väder")
    package = found["result"]["results"][0]
    assert package["organization"]["title"] == "Malmö kommun"
    assert {t["name"] for t in package["tags"]} >= {"väder", "temperatur"}
    urls = [r["url"] for r in package["resources"]]
    assert urls[0].startswith(ngsi.cluster.urls["malmo"] + "/ngsi-ld/v1/entities?type=")
    assert [r["format"] for r in package["resources"]] == ["JSON-LD", "JSON"]
    by_name = await action(ngsi, "package_show", id=package["name"])
    by_id = await action(ngsi, "package_show", id=package["id"])
    assert by_name == by_id
    assert by_name[1]["result"] == package


@pytest.mark.parametrize(
    ("name", "params", "status", "kind"),
    [
        ("package_show", {"id": "malmo-nothing"}, 404, "Not Found Error"),
        ("package_search", {"rows": "1001"}, 409, "Validation Error"),
        ("package_search", {"fq": "organization:x"}, 409, "Validation Error"),
        ("package_search", {"sort": "random"}, 409, "Validation Error"),
        ("package_delete", {}, 400, "Bad request"),
    ],
)
async def test_errors_use_ckans_envelope(
    ngsi: Ngsi, name: str, params: dict[str, str], status: int, kind: str
) -> None:
    got, body = await action(ngsi, name, **params)
    assert got == status
    assert body["success"] is False
    assert body["error"]["__type"] == kind


async def test_turtle_and_rdf_xml_hold_the_same_graph(ngsi: Ngsi) -> None:
    graphs = []
    for path, media, rdf_format in (
        ("/dcat/catalog.ttl", "text/turtle", "turtle"),
        ("/dcat/catalog.rdf", "application/rdf+xml", "xml"),
        ("/api/datasets/dcat", "application/rdf+xml", "xml"),
    ):
        answer = await ngsi.get("malmo", path)
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith(media)
        graphs.append(Graph().parse(data=answer.body, format=rdf_format))
    assert isomorphic(graphs[0], graphs[1])
    assert isomorphic(graphs[0], graphs[2])


async def test_the_catalogue_has_the_mandatory_dcat_ap_se_properties(ngsi: Ngsi) -> None:
    answer = await ngsi.get("malmo", "/dcat/catalog.ttl")
    g = Graph().parse(data=answer.body, format="turtle")
    (catalog,) = g.subjects(RDF.type, DCAT.Catalog)
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCTERMS.license):
        assert g.value(catalog, prop) is not None, prop
    datasets = set(g.objects(catalog, DCAT.dataset))
    assert len(datasets) == len(records(MALMO, 7))
    for dataset in datasets:
        for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.contactPoint):
            assert g.value(dataset, prop) is not None, (dataset, prop)
        for distribution in g.objects(dataset, DCAT.distribution):
            assert g.value(distribution, DCAT.accessURL) is not None
    publisher = g.value(catalog, DCTERMS.publisher)
    assert str(g.value(publisher, FOAF.name)) == "Malmö kommun"


@pytest.mark.parametrize(
    ("accept", "status", "media"),
    [
        ("application/rdf+xml", 200, "application/rdf+xml"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.4", 200, "text/turtle"),
        ("application/rdf+xml;q=0.4, text/turtle;q=0.5", 200, "text/turtle"),
        ("text/turtle;q=0, application/*", 200, "application/rdf+xml"),
        ("*/*", 200, "text/turtle"),
        ("application/ld+json", 406, None),
    ],
)
async def test_the_catalogue_is_negotiated(
    ngsi: Ngsi, accept: str, status: int, media: str | None
) -> None:
    answer = await ngsi.get("malmo", "/dcat/catalog", headers={"Accept": accept})
    assert answer.status == status
    if media is not None:
        assert answer.headers["Content-Type"].startswith(media)


def test_every_city_lists_its_live_types_and_some_static_datasets() -> None:
    for city in municipalities():
        found = records(city, 0)
        slugs = [r.slug for r in found]
        assert slugs == sorted(slugs)
        assert len(found) >= 7 + 3
        assert all(r.title.endswith(f"i {city.name}") for r in found)
