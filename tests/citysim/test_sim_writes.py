"""citysim's NGSI-LD write API over real HTTP: entities created, read, updated and deleted,
batches, temporal entities with several datasets, and the issue-12 defects of its reads."""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

from citysim.cluster import SimCluster
from tests.citysim.sim_http import link

SUITE_CONTEXT = (
    "https://raw.githubusercontent.com/marek-mraz/ngsi-ld-test-suite/main/resources/"
    "jsonld-contexts/ngsi-ld-test-suite-compound.jsonld"
)
LD = {"Content-Type": "application/ld+json"}
INVALID_REQUEST = "https://uri.etsi.org/ngsi-ld/errors/InvalidRequest"
BAD_REQUEST_DATA = "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"


def building(entity_id: str, **attrs: Any) -> dict[str, Any]:
    return {"id": entity_id, "type": "Building", **attrs, "@context": [SUITE_CONTEXT]}


async def call(
    session: aiohttp.ClientSession, method: str, url: str, body: Any = None, **kw: Any
) -> tuple[int, Any, Any]:
    data = None if body is None else orjson.dumps(body)
    async with session.request(method, url, data=data, **kw) as response:
        raw = await response.read()
        return response.status, response.headers, orjson.loads(raw) if raw else None


async def test_created_entities_are_queried_retrieved_updated_and_deleted(
    cluster: SimCluster, session: aiohttp.ClientSession
) -> None:
    base = cluster.urls["malmo"] + "/ngsi-ld/v1"
    entity = building(
        "urn:ngsi-ld:Building:w1",
        name={"type": "Property", "value": "Town hall"},
        location={"type": "GeoProperty", "value": {"type": "Point", "coordinates": [13.0, 55.6]}},
    )
    status, headers, _ = await call(session, "POST", base + "/entities/", entity, headers=LD)
    assert status == 201
    assert headers["Location"].endswith("/entities/urn:ngsi-ld:Building:w1")
    again, _, problem = await call(session, "POST", base + "/entities", entity, headers=LD)
    assert again == 409
    assert problem["type"].endswith("AlreadyExists")
    suite = {"Link": link(SUITE_CONTEXT)["Link"]}
    status, _, found = await call(
        session, "GET", base + "/entities/", params={"type": "Building"}, headers=suite
    )
    assert status == 200
    assert found == [
        {
            "id": "urn:ngsi-ld:Building:w1",
            "type": "Building",
            "name": {"type": "Property", "value": "Town hall"},
            "location": entity["location"],
        }
    ]
    patch = {"name": {"type": "Property", "value": "City hall"}}
    json_suite = {**suite, "Content-Type": "application/json"}
    status, _, _ = await call(
        session,
        "PATCH",
        base + "/entities/urn:ngsi-ld:Building:w1/attrs",
        patch,
        headers=json_suite,
    )
    assert status == 204
    status, _, one = await call(
        session,
        "GET",
        base + "/entities/urn:ngsi-ld:Building:w1",
        params={"options": "keyValues"},
        headers=suite,
    )
    assert one["name"] == "City hall"
    status, _, _ = await call(session, "DELETE", base + "/entities/urn:ngsi-ld:Building:w1")
    assert status == 204
    status, _, _ = await call(session, "GET", base + "/entities/urn:ngsi-ld:Building:w1")
    assert status == 404


async def test_batch_create_reports_each_failure(
    cluster: SimCluster, session: aiohttp.ClientSession
) -> None:
    base = cluster.urls["malmo"] + "/ngsi-ld/v1"
    batch = [building("urn:ngsi-ld:Building:b1"), building("not a uri")]
    status, _, body = await call(
        session, "POST", base + "/entityOperations/create", batch, headers=LD
    )
    assert status == 207
    assert body["success"] == ["urn:ngsi-ld:Building:b1"]
    assert body["errors"][0]["error"]["type"] == BAD_REQUEST_DATA


async def test_a_body_that_is_not_json_is_an_invalid_request(
    cluster: SimCluster, session: aiohttp.ClientSession
) -> None:
    url = cluster.urls["malmo"] + "/ngsi-ld/v1/entities"
    async with session.post(url, data=b"{not json", headers=LD) as response:
        assert response.status == 400
        assert response.content_type == "application/problem+json"
        assert (await response.json())["type"] == INVALID_REQUEST


async def test_a_temporal_entity_with_two_datasets_keeps_both_series(
    cluster: SimCluster, session: aiohttp.ClientSession
) -> None:
    base = cluster.urls["malmo"] + "/ngsi-ld/v1/temporal/entities"
    instances = [
        {"type": "Property", "value": v, "observedAt": f"2026-11-25T09:0{i}:00Z", "datasetId": d}
        for i, (v, d) in enumerate(
            [
                (1, "urn:ngsi-ld:Dataset:a"),
                (10, "urn:ngsi-ld:Dataset:b"),
                (2, "urn:ngsi-ld:Dataset:a"),
            ]
        )
    ]
    body = {"id": "urn:ngsi-ld:Vehicle:t1", "type": "Vehicle", "speed": instances}
    status, _, _ = await call(
        session, "POST", base, {**body, "@context": [SUITE_CONTEXT]}, headers=LD
    )
    assert status == 201
    status, _, got = await call(
        session,
        "GET",
        base + "/urn:ngsi-ld:Vehicle:t1",
        params={"options": "temporalValues"},
        headers=link(SUITE_CONTEXT),
    )
    assert status == 200
    assert got["speed"] == [
        {
            "type": "Property",
            "datasetId": "urn:ngsi-ld:Dataset:a",
            "values": [[1, "2026-11-25T09:00:00Z"], [2, "2026-11-25T09:02:00Z"]],
        },
        {
            "type": "Property",
            "datasetId": "urn:ngsi-ld:Dataset:b",
            "values": [[10, "2026-11-25T09:01:00Z"]],
        },
    ]


async def test_the_trailing_slash_and_unknown_paths_answer_as_ngsi_ld(
    cluster: SimCluster, session: aiohttp.ClientSession
) -> None:
    base = cluster.urls["malmo"] + "/ngsi-ld/v1"
    status, _, body = await call(
        session, "GET", base + "/entities/", params={"type": "Beach"}, headers=link()
    )
    assert status == 200
    assert len(body) == 12
    async with session.get(base + "/nothing-here") as response:
        assert response.status == 404
        assert response.content_type == "application/problem+json"
        assert (await response.json())["type"].endswith("ResourceNotFound")


async def test_v1_8_read_parameters_are_answered(
    cluster: SimCluster, session: aiohttp.ClientSession
) -> None:
    url = cluster.urls["malmo"] + "/ngsi-ld/v1/entities"
    for params in (
        {"type": "Beach", "options": "sysAttrs"},
        {"type": "Beach", "join": "flat", "joinLevel": "2"},
        {"type": "Beach", "orderBy": "name;desc"},
        {"type": "Beach", "lang": "sv"},
        {"type": "Beach", "datasetId": "@none"},
        {"type": "Beach", "pick": "id,name"},
        {"type": "Beach", "omit": "location"},
        {"type": "Beach", "format": "simplified"},
    ):
        status, _, body = await call(session, "GET", url, params=params, headers=link())
        assert status == 200, params
        assert len(body) == 12, params
    status, _, body = await call(
        session, "GET", url, params={"type": "Beach", "pick": "id"}, headers=link()
    )
    assert all(set(e) == {"id"} for e in body)
    status, _, body = await call(
        session, "GET", url, params={"type": "Beach", "scopeQ": "/Sweden"}, headers=link()
    )
    assert (status, body) == (200, [])


async def test_a_temporal_query_naming_no_entities_is_refused(
    cluster: SimCluster, session: aiohttp.ClientSession
) -> None:
    url = cluster.urls["malmo"] + "/ngsi-ld/v1/temporal/entities"
    params = {"timerel": "after", "timeAt": "2026-11-25T09:00:00Z"}
    status, _, problem = await call(session, "GET", url, params=params, headers=link())
    assert status == 400
    assert problem["type"] == BAD_REQUEST_DATA
    status, _, _body = await call(
        session, "GET", url, params={**params, "q": "temperature>-100"}, headers=link()
    )
    assert status == 200
